import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

extension Evaluator {
    /// The visible rows of `frame` for which `condition` holds, as a new selection.
    func filter(_ condition: Bound, _ frame: Frame) throws(Diagnostic) -> [Int32] {
        let positions = try matches(condition, frame, among: nil)
        return positions.map { Int32(frame.row(Int($0))) }
    }

    /// Positions (indices into the visible rows, ascending) among `among` (all when `nil`)
    /// where `condition` holds. Comparisons with null are false; `not` is the complement.
    func matches(_ condition: Bound, _ frame: Frame, among: [Int32]?) throws(Diagnostic) -> [Int32] {
        try checkCancelled()
        switch condition.kind {
        case .and(let l, let r):
            let left = try matches(l, frame, among: among)
            return try matches(r, frame, among: left)
        case .or(let l, let r):
            let left = try matches(l, frame, among: among)
            let right = try matches(r, frame, among: among)
            return mergeUnion(left, right)
        case .not(let inner):
            let hit = try matches(inner, frame, among: among)
            return complement(hit, among: among, count: frame.rowCount)
        case .isNull(let e, let negated):
            let sub = subframe(frame, among)
            let v = try value(e, sub)
            return select(among, sub.rowCount) { v.isNull($0) != negated }
        case .compare(let op, let l, let r):
            return try compare(op, l, r, frame, among: among, range: condition.range)
        case .inList(let e, let list, let negated):
            return try inList(e, list, negated: negated, frame, among: among)
        case .call:
            // A function whose result is a condition (starts_with): 1 where it holds, else null.
            let sub = subframe(frame, among)
            let v = try value(condition, sub)
            return select(among, sub.rowCount) { !v.isNull($0) }
        case .literal, .column, .groupKey, .negate, .arithmetic, .caseWhen, .aggregate, .window:
            throw fail(.valueAsCondition(source.slice(condition.range)), condition.range)
        }
    }

    /// `x [not] in (...)`: a null `x` is in no list and outside none; a list holding null
    /// leaves `not in` true for no row, as in SQL.
    private func inList(_ e: Bound, _ list: [Bound], negated: Bool, _ frame: Frame, among: [Int32]?) throws(Diagnostic) -> [Int32] {
        let sub = subframe(frame, among)
        let v = try value(e, sub)
        let items = try list.map { (b: Bound) throws(Diagnostic) -> Operand in try value(b, sub) }
        let n = sub.rowCount
        let numeric = v.type != .text && items.allSatisfy { $0.type != .text }
        return select(among, n) { k in
            if v.isNull(k) { return false }
            var found = false, sawNull = false
            for item in items {
                if item.isNull(k) { sawNull = true; continue }
                let equal = numeric ? (v.type == .int && item.type == .int ? v.int(k) == item.int(k) : v.double(k) == item.double(k))
                                    : v.text(k) == item.text(k)
                if equal { found = true; break }
            }
            return negated ? (!found && !sawNull) : found
        }
    }

    /// The frame restricted to `among`, so that operand row `k` is position `among[k]`.
    private func subframe(_ frame: Frame, _ among: [Int32]?) -> Frame {
        guard let among else { return frame }
        var sub = frame
        sub.selection = among.map { Int32(frame.row(Int($0))) }
        return sub
    }

    /// Maps a test on operand rows `0..<n` back to positions.
    private func select(_ among: [Int32]?, _ n: Int, _ test: (Int) -> Bool) -> [Int32] {
        var out: [Int32] = []
        for k in 0..<n where test(k) { out.append(among.map { $0[k] } ?? Int32(k)) }
        return out
    }

    private func mergeUnion(_ a: [Int32], _ b: [Int32]) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) { out.append(a[i]); i += 1 }
            else if i == a.count || b[j] < a[i] { out.append(b[j]); j += 1 }
            else { out.append(a[i]); i += 1; j += 1 }
        }
        return out
    }

    private func complement(_ hit: [Int32], among: [Int32]?, count: Int) -> [Int32] {
        var out: [Int32] = []
        var j = 0
        let all = among ?? Array(0..<Int32(count))
        for p in all {
            while j < hit.count && hit[j] < p { j += 1 }
            if j < hit.count && hit[j] == p { continue }
            out.append(p)
        }
        return out
    }

    // MARK: Comparisons

    private func compare(_ op: BinaryOperator, _ l: Bound, _ r: Bound, _ frame: Frame, among: [Int32]?, range: SourceRange) throws(Diagnostic) -> [Int32] {
        // Fast path: a column against a constant reads the base column through the
        // selection, without copying it.
        if case .column(let ci) = l.kind, case .literal(let constant) = r.kind {
            let hits = try compareColumn(op, frame.columns[ci]!, constant, frame, among: among, range: range)
            if hits.isEmpty, op == .equal { warnIfOnlyCaseDiffers(frame.columns[ci]!, constant, range) }
            return hits
        }
        if op != .contains, case .column(let ci) = r.kind, case .literal(let constant) = l.kind {
            return try compareColumn(op.flipped, frame.columns[ci]!, constant, frame, among: among, range: range)
        }
        let sub = subframe(frame, among)
        let left = try value(l, sub)
        let right = try value(r, sub)
        let n = sub.rowCount
        if op == .contains {
            guard left.type != .int, left.type != .double, right.type != .int, right.type != .double else {
                throw fail(.typeMismatch(operation: "~", left: left.typeName, right: right.typeName), range)
            }
            return select(among, n) { k in
                !left.isNull(k) && !right.isNull(k) && Evaluator.contains(left.text(k), right.text(k))
            }
        }
        if left.type == .text || right.type == .text {
            guard left.type != .int, left.type != .double, right.type != .int, right.type != .double else {
                throw fail(.typeMismatch(operation: op.rawValue, left: left.typeName, right: right.typeName), range)
            }
            let hits = select(among, n) { k in
                !left.isNull(k) && !right.isNull(k) && op.holds(left.text(k), right.text(k))
            }
            // The fast path above warns for a column; an expression such as kategori(capaian)
            // against a literal deserves the same warning.
            if hits.isEmpty, op == .equal, case .literal(.text(let s)) = r.kind,
               let k = (0..<n).first(where: { !left.isNull($0) && left.text($0).caseInsensitiveCompare(s) == .orderedSame }) {
                control?.warn([fail(.caseOnlyMatch(s, found: left.text(k)), range)])
            }
            return hits
        }
        if left.type == .int && right.type == .int {
            return select(among, n) { k in !left.isNull(k) && !right.isNull(k) && op.holds(left.int(k), right.int(k)) }
        }
        return select(among, n) { k in !left.isNull(k) && !right.isNull(k) && op.holds(left.double(k), right.double(k)) }
    }

    /// A text `=` against a literal that matches no row, where rows would match with case
    /// ignored, is almost always a typo of case: say so rather than answer nothing in silence.
    private func warnIfOnlyCaseDiffers(_ column: Column, _ constant: Value, _ range: SourceRange) {
        guard case .text(let s) = constant, case .text(_, let dict) = column.storage else { return }
        if let near = dict.first(where: { $0.caseInsensitiveCompare(s) == .orderedSame }) {
            control?.warn([fail(.caseOnlyMatch(s, found: near), range)])
        }
    }

    private func compareColumn(_ op: BinaryOperator, _ column: Column, _ constant: Value, _ frame: Frame,
                               among: [Int32]?, range: SourceRange) throws(Diagnostic) -> [Int32] {
        if constant == .null { return [] }
        let n = among?.count ?? frame.rowCount
        var out: [Int32] = []
        func scan(_ test: (Int) -> Bool) {
            let nulls = column.nulls
            // Large scans run in slices on every core; the slices' hits are joined in order,
            // so the selection stays in row order.
            let parts = Parallel.map(n) { slice -> [Int32] in
                var hits: [Int32] = []
                if let among {
                    for k in slice {
                        if k & 0xFFFF == 0, control?.shouldStop == true { break }
                        let p = among[k]
                        let row = frame.row(Int(p))
                        if nulls?.isNull(row) != true && test(row) { hits.append(p) }
                    }
                } else {
                    for p in slice {
                        if p & 0xFFFF == 0, control?.shouldStop == true { break }
                        let row = frame.row(p)
                        if nulls?.isNull(row) != true && test(row) { hits.append(Int32(p)) }
                    }
                }
                return hits
            }
            out = parts.count == 1 ? parts[0] : Array(parts.joined())
        }

        switch (column.storage, constant) {
        case (.text(let codes, let dict), .text(let s)):
            // Decide once per distinct string, then scan the codes.
            // A dictionary can hold hundreds of thousands of strings: the budget is asked as it goes.
            var hit = [Bool](repeating: false, count: dict.count)
            for (i, entry) in dict.enumerated() {
                if i & 0xFFF == 0 { try checkCancelled() }
                hit[i] = op == .contains ? Evaluator.contains(entry, s) : op.holds(entry, s)
            }
            scan { hit[Int(codes[$0])] }
        case (.int(let b), .int(let x)):
            switch op {
            case .equal: scan { b[$0] == x }
            case .notEqual: scan { b[$0] != x }
            case .less: scan { b[$0] < x }
            case .lessEqual: scan { b[$0] <= x }
            case .greater: scan { b[$0] > x }
            case .greaterEqual: scan { b[$0] >= x }
            default: throw fail(.typeMismatch(operation: op.rawValue, left: "an integer", right: "an integer"), range)
            }
        case (.int(let b), .double(let x)) where op != .contains:
            scan { op.holds(Double(b[$0]), x) }
        case (.double(let b), .int(let xi)) where op != .contains:
            let x = Double(xi)
            scan { op.holds(b[$0], x) }
        case (.double(let b), .double(let x)) where op != .contains:
            switch op {
            case .less: scan { b[$0] < x }
            case .lessEqual: scan { b[$0] <= x }
            case .greater: scan { b[$0] > x }
            case .greaterEqual: scan { b[$0] >= x }
            default: scan { op.holds(b[$0], x) }
            }
        default:
            throw fail(.typeMismatch(operation: op.rawValue, left: column.type.article,
                                     right: Operand.constant(constant).typeName), range)
        }
        // A scan cut short on another core says why here.
        try checkCancelled()
        return out
    }

    /// Case-insensitive "contains", the meaning of `~`.
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        if needle.isEmpty { return true }
        return haystack.range(of: needle, options: [.caseInsensitive]) != nil
    }
}

extension BinaryOperator {
    /// The same comparison with its sides swapped (`5 < x` is `x > 5`).
    var flipped: BinaryOperator {
        switch self {
        case .less: return .greater
        case .lessEqual: return .greaterEqual
        case .greater: return .less
        case .greaterEqual: return .lessEqual
        default: return self
        }
    }

    @inline(__always) func holds<T: Comparable>(_ a: T, _ b: T) -> Bool {
        switch self {
        case .equal: return a == b
        case .notEqual: return a != b
        case .less: return a < b
        case .lessEqual: return a <= b
        case .greater: return a > b
        case .greaterEqual: return a >= b
        default: return false
        }
    }
}
