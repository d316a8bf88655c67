import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// Evaluates expressions a column at a time over a ``Frame``.
struct Evaluator {
    let source: SourceFile
    let control: RunControl?

    func fail(_ kind: DiagnosticKind, _ range: SourceRange) -> Diagnostic {
        Diagnostic(kind, in: source, at: range)
    }

    func checkCancelled() throws(Diagnostic) {
        try control?.check()
    }

    // MARK: Values

    /// The value of `expr` for every visible row of `frame`, of the type the plan gave it (a
    /// null from constants, `10 / 0`, is still a decimal).
    func value(_ expr: Bound, _ frame: Frame) throws(Diagnostic) -> Operand {
        let v = try untypedValue(expr, frame)
        if case .column(let c) = v, c.type != expr.type.columnType { return .column(c.conformed(to: expr.type)) }
        return v
    }

    private func untypedValue(_ expr: Bound, _ frame: Frame) throws(Diagnostic) -> Operand {
        switch expr.kind {
        case .literal(let v): return .constant(v)
        case .column(let c): return .column(frame.visible(c))
        case .negate(let inner):
            let v = try value(inner, frame)
            return try arithmetic(.subtract, .constant(.int(0)), v, count: frame.rowCount, range: expr.range)
        case .arithmetic(let op, let l, let r):
            let left = try value(l, frame)
            let right = try value(r, frame)
            return try arithmetic(op, left, right, count: frame.rowCount, range: expr.range)
        case .caseWhen(let branches, let otherwise):
            return try caseWhen(branches, otherwise, type: expr.type, frame)
        case .call(let fn, let args):
            let values = try args.map { (a: Bound) throws(Diagnostic) -> Operand in
                a.isCondition ? .column(try indicator(a, frame)) : try value(a, frame)
            }
            return try call(fn, values, args: args, count: frame.rowCount, range: expr.range)
        case .window(let w):
            return .column(try window(w, type: expr.type, frame, range: expr.range))
        case .groupKey, .aggregate, .compare, .and, .or, .not, .isNull, .inList:
            // The resolver never leaves these where a row's value is wanted.
            throw fail(.conditionAsValue, expr.range)
        }
    }

    /// A condition as a column: 1 where it holds, null elsewhere (for `count_if`, `sum_if`,
    /// and functions whose argument is a condition).
    func indicator(_ condition: Bound, _ frame: Frame) throws(Diagnostic) -> Column {
        let n = frame.rowCount
        var flags = [Bool](repeating: true, count: n)
        for p in try matches(condition, frame, among: nil) { flags[Int(p)] = false }
        return Column(storage: .int(Buffer(Array(repeating: 1, count: n))), nulls: NullMask.from(flags))
    }

    /// `case when ... end`: for each row the value of the first branch whose condition holds.
    private func caseWhen(_ branches: [(condition: Bound, value: Bound)], _ otherwise: Bound?, type: ValueType,
                          _ frame: Frame) throws(Diagnostic) -> Operand {
        let n = frame.rowCount
        var chosen = [Int](repeating: branches.count, count: n)
        var open = [Int32]?.none
        for (b, branch) in branches.enumerated() {
            let hits = try matches(branch.condition, frame, among: open)
            for p in hits { chosen[Int(p)] = b }
            // The next branch only looks at rows no branch has taken yet.
            var taken = [Bool](repeating: false, count: n)
            for k in 0..<n where chosen[k] < branches.count { taken[k] = true }
            open = (0..<Int32(n)).filter { !taken[Int($0)] }
        }
        let values = try branches.map { (b: (condition: Bound, value: Bound)) throws(Diagnostic) -> Operand in try value(b.value, frame) }
        let fallback = try otherwise.map { (e: Bound) throws(Diagnostic) -> Operand in try value(e, frame) } ?? .constant(.null)
        return .column(Column.build(type: type, count: n) { k in
            let source = chosen[k] < branches.count ? values[chosen[k]] : fallback
            return source.value(k)
        })
    }

    /// `+ - * /` on numbers. Integers stay exact (overflow is an error, never a wrap);
    /// `/` always gives a decimal, and dividing by zero gives null. A decimal result beyond
    /// the range of a `Double` is an error too, so no infinity or NaN ever reaches a result.
    func arithmetic(_ op: BinaryOperator, _ l: Operand, _ r: Operand, count: Int, range: SourceRange) throws(Diagnostic) -> Operand {
        guard l.isNumeric, r.isNumeric else {
            throw fail(.typeMismatch(operation: op.rawValue, left: l.typeName, right: r.typeName), range)
        }
        if case .constant(let a) = l, case .constant(let b) = r {
            let v = try fold(op, a, b, range: range)
            // `0/0` is a null decimal, not an untyped null (which reads as an integer).
            if v == .null && (op == .divide || l.type == .double || r.type == .double) {
                return .column(.doubles([Double?](repeating: nil, count: count)))
            }
            return .constant(v)
        }
        let n = count
        var nulls = [Bool](repeating: false, count: n)
        var anyNull = false
        if op == .divide || l.type == .double || r.type == .double {
            var overflow = false
            let out = Buffer<Double>.make(count: n) { out in
                for i in 0..<n {
                    if l.isNull(i) || r.isNull(i) { nulls[i] = true; anyNull = true; out[i] = 0; continue }
                    let a = l.double(i), b = r.double(i)
                    switch op {
                    case .add: out[i] = a + b
                    case .subtract: out[i] = a - b
                    case .multiply: out[i] = a * b
                    default:
                        if b == 0 { nulls[i] = true; anyNull = true; out[i] = 0 } else { out[i] = a / b }
                    }
                    if !out[i].isFinite { overflow = true }
                }
            }
            // A null row holds 0, so only a row with a value can have set the flag.
            if overflow { throw fail(.decimalOverflow(operation: op.rawValue), range) }
            return .column(Column(storage: .double(out), nulls: anyNull ? NullMask.from(nulls) : nil))
        }
        var overflow = false
        let out = Buffer<Int64>.make(count: n) { out in
            for i in 0..<n {
                if l.isNull(i) || r.isNull(i) { nulls[i] = true; anyNull = true; out[i] = 0; continue }
                let a = l.int(i), b = r.int(i)
                let (v, o): (Int64, Bool)
                switch op {
                case .add: (v, o) = a.addingReportingOverflow(b)
                case .subtract: (v, o) = a.subtractingReportingOverflow(b)
                default: (v, o) = a.multipliedReportingOverflow(by: b)
                }
                overflow = overflow || o
                out[i] = v
            }
        }
        if overflow { throw fail(.integerOverflow(operation: op.rawValue), range) }
        return .column(Column(storage: .int(out), nulls: anyNull ? NullMask.from(nulls) : nil))
    }

    private func fold(_ op: BinaryOperator, _ a: Value, _ b: Value, range: SourceRange) throws(Diagnostic) -> Value {
        if a == .null || b == .null { return .null }
        if case .int(let x) = a, case .int(let y) = b, op != .divide {
            let (v, o): (Int64, Bool)
            switch op {
            case .add: (v, o) = x.addingReportingOverflow(y)
            case .subtract: (v, o) = x.subtractingReportingOverflow(y)
            default: (v, o) = x.multipliedReportingOverflow(by: y)
            }
            if o { throw fail(.integerOverflow(operation: op.rawValue), range) }
            return .int(v)
        }
        let x = Operand.constant(a).double(0), y = Operand.constant(b).double(0)
        let v: Double
        switch op {
        case .add: v = x + y
        case .subtract: v = x - y
        case .multiply: v = x * y
        default:
            if y == 0 { return .null }
            v = x / y
        }
        guard v.isFinite else { throw fail(.decimalOverflow(operation: op.rawValue), range) }
        return .double(v)
    }

    // MARK: Functions

    /// A scalar function over its arguments' values; the resolver has checked their number
    /// and types against ``ScalarFunction``.
    func call(_ fn: ScalarFunction, _ values: [Operand], args: [Bound], count: Int, range: SourceRange) throws(Diagnostic) -> Operand {
        switch fn {
        case .round:
            var digits = 0
            if values.count == 2, case .constant(.int(let d)) = values[1] { digits = Int(d) }
            return try round(values[0], digits: digits, count: count, range: args[0].range)
        case .abs:
            if values[0].type == .int {
                return try mapInt(values[0], count: count, range: range) { (v: Int64) -> Int64? in v == .min ? nil : Swift.abs(v) }
            }
            return mapDouble(values[0], count: count) { Swift.abs($0) }
        case .lower, .upper:
            let upper = fn == .upper
            return try mapText(values[0], count: count, range: args[0].range, name: fn.rawValue) { upper ? $0.uppercased() : $0.lowercased() }
        case .coalesce:
            return try coalesce(values, args: args, count: count)
        case .kategori:
            return mapToText(values[0], count: count) { Kinerja.kategori($0) }
        case .hitung_capaian:
            return try hitungCapaian(values, args: args, count: count)
        case .length, .trim, .substr, .replace, .split_part, .starts_with, .ends_with, .concat, .number, .text:
            return try textFunction(fn, values, count: count, range: range)
        }
    }

    /// A text column from a number column through `f`, one dictionary entry per distinct result.
    private func mapToText(_ v: Operand, count: Int, _ f: (Double) -> String?) -> Operand {
        if case .constant(let c) = v {
            // Typed as text even when every value is null, so `~` and text stages still apply.
            if c == .null { return .column(Column.allNull(.text, count: count)) }
            return .constant(f(v.double(0)).map(Value.text) ?? .null)
        }
        var index: [String: Int32] = [:]
        var dictionary: [String] = []
        var nulls = [Bool](repeating: false, count: count)
        var anyNull = false
        let codes = Buffer<Int32>.make(count: count) { out in
            for i in 0..<count {
                guard !v.isNull(i), let s = f(v.double(i)) else { nulls[i] = true; anyNull = true; out[i] = 0; continue }
                if let c = index[s] { out[i] = c; continue }
                let c = Int32(dictionary.count)
                index[s] = c
                dictionary.append(s)
                out[i] = c
            }
        }
        return .column(Column(storage: .text(codes: codes, dictionary: dictionary), nulls: anyNull ? NullMask.from(nulls) : nil))
    }

    /// `hitung_capaian(realisasi, target [, polaritas [, rumus]])`: see ``Kinerja/capaian(target:realisasi:polaritas:rumus:)``.
    /// polaritas is 'positif' (or null) or 'negatif'; rumus is 'selisih' (default) or 'rasio'.
    private func hitungCapaian(_ values: [Operand], args: [Bound], count: Int) throws(Diagnostic) -> Operand {
        var rumus = Kinerja.RumusNegatif.selisih
        if values.count == 4, case .constant(.text(let r)) = values[3], let parsed = Kinerja.RumusNegatif(rawValue: r.lowercased()) {
            rumus = parsed
        }
        // An unknown polaritas text gives null rather than a guess.
        func polaritas(_ i: Int) -> Kinerja.Polaritas? {
            guard values.count > 2, !values[2].isNull(i) else { return .positif }
            return Kinerja.Polaritas(rawValue: values[2].text(i).lowercased().trimmingCharacters(in: .whitespaces))
        }
        var out = [Double?](repeating: nil, count: count)
        for i in 0..<count where !values[0].isNull(i) && !values[1].isNull(i) {
            guard let p = polaritas(i) else { continue }
            out[i] = Kinerja.capaian(target: values[1].double(i), realisasi: values[0].double(i), polaritas: p, rumus: rumus)
        }
        if values.allSatisfy({ if case .constant = $0 { return true } else { return false } }) {
            return .constant(out.first.flatMap { $0 }.map(Value.double) ?? .null)
        }
        return .column(.doubles(out))
    }

    private func round(_ v: Operand, digits: Int, count: Int, range: SourceRange) throws(Diagnostic) -> Operand {
        guard v.isNumeric else { throw fail(.notNumeric(operation: "round", type: v.typeName), range) }
        if v.type == .int && digits >= 0 { return v }
        let scale = pow(10.0, Double(digits))
        func r(_ x: Double) -> Double {
            let scaled = (x * scale).rounded(.toNearestOrAwayFromZero) / scale
            return scaled.isFinite ? scaled : x
        }
        return mapDouble(v, count: count, r)
    }

    private func mapDouble(_ v: Operand, count: Int, _ f: (Double) -> Double) -> Operand {
        switch v {
        case .constant(.null): return v
        case .constant: return .constant(.double(f(v.double(0))))
        case .column(let c):
            let out = Buffer<Double>.make(count: count) { out in
                for i in 0..<count { out[i] = c.isNull(i) ? 0 : f(v.double(i)) }
            }
            return .column(Column(storage: .double(out), nulls: c.nulls))
        }
    }

    private func mapInt(_ v: Operand, count: Int, range: SourceRange, _ f: (Int64) -> Int64?) throws(Diagnostic) -> Operand {
        var overflow = false
        switch v {
        case .constant(.int(let x)):
            guard let y = f(x) else { throw fail(.integerOverflow(operation: "abs"), range) }
            return .constant(.int(y))
        case .column(let c):
            let out = Buffer<Int64>.make(count: count) { out in
                for i in 0..<count {
                    if c.isNull(i) { out[i] = 0; continue }
                    if let y = f(v.int(i)) { out[i] = y } else { overflow = true; out[i] = 0 }
                }
            }
            if overflow { throw fail(.integerOverflow(operation: "abs"), range) }
            return .column(Column(storage: .int(out), nulls: c.nulls))
        default: return v
        }
    }

    /// Applies `f` to each distinct string once, through the dictionary, then merges entries
    /// that became equal so the dictionary stays free of duplicates.
    private func mapText(_ v: Operand, count: Int, range: SourceRange, name: String, _ f: (String) -> String) throws(Diagnostic) -> Operand {
        guard v.type == .text || v.type == nil else {
            throw fail(.typeMismatch(operation: name, left: v.typeName, right: "text"), range)
        }
        switch v {
        case .constant(.text(let s)): return .constant(.text(f(s)))
        // `lower(null)` is a null text, not an untyped null (which reads as an integer).
        case .constant(.null): return .column(.texts([String?](repeating: nil, count: count)))
        case .column(let c):
            guard case .text(let codes, let dict) = c.storage else { return v }
            var index: [String: Int32] = [:]
            var newDict: [String] = []
            var remap = [Int32](repeating: 0, count: dict.count)
            for (i, s) in dict.enumerated() {
                let t = f(s)
                if let existing = index[t] { remap[i] = existing; continue }
                index[t] = Int32(newDict.count)
                remap[i] = Int32(newDict.count)
                newDict.append(t)
            }
            let out = Buffer<Int32>.make(count: codes.count) { out in
                for i in 0..<codes.count { out[i] = remap.isEmpty ? 0 : remap[Int(codes[i])] }
            }
            return .column(Column(storage: .text(codes: out, dictionary: newDict), nulls: c.nulls))
        default: return v
        }
    }

    private func coalesce(_ values: [Operand], args: [Bound], count: Int) throws(Diagnostic) -> Operand {
        let types = Set(values.compactMap(\.type))
        let resultType: ColumnType?
        if types.isEmpty { resultType = nil }
        else if types == [.text] { resultType = .text }
        else if types.isSubset(of: [.int, .double]) { resultType = types.contains(.double) ? .double : .int }
        else {
            let i = values.firstIndex { $0.type == .text }!
            throw fail(.typeMismatch(operation: "coalesce", left: values[0].typeName, right: values[i].typeName), args[i].range)
        }
        guard let resultType else { return .constant(.null) }
        var out: [Value] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            var v = Value.null
            for op in values where !op.isNull(i) {
                switch resultType {
                case .int: v = .int(op.int(i))
                case .double: v = .double(op.double(i))
                case .text: v = .text(op.text(i))
                }
                break
            }
            out.append(v)
        }
        switch resultType {
        case .int: return .column(.ints(out.map { if case .int(let x) = $0 { return x } else { return nil } }))
        case .double: return .column(.doubles(out.map { if case .double(let x) = $0 { return x } else { return nil } }))
        case .text: return .column(.texts(out.map { if case .text(let x) = $0 { return x } else { return nil } }))
        }
    }
}
