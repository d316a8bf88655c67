#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// `join`: pairs each pipeline row with the rows of another query whose keys are equal.
///
/// Keys are encoded to integers once per column (text through the joined side's dictionary,
/// numbers by value), the joined side is hashed, and the pipeline side probes it, so the cost
/// is one pass over each side plus the rows produced.
extension Interpreter {
    func join(_ frame: Frame, _ plan: JoinPlan, output: Schema, range: SourceRange) throws(Diagnostic) -> Frame {
        let right = try executeRight(plan.right)
        let leftKeys = plan.keys.map { frame.visible($0.left) }
        let rightKeys = plan.keys.map { right.columns[$0.right] }
        let (leftCodes, rightCodes) = Interpreter.encodeKeys(leftKeys, rightKeys)
        let pairs = try pair(leftCodes, rightCodes, keepUnmatched: plan.keepUnmatched, range: range)

        var columns: [Column?] = []
        let leftRows = frame.selection.map { s in pairs.left.map { s[Int($0)] } } ?? pairs.left
        try evaluator.checkCancelled()
        // Each column of a big join is a large copy: Ctrl-C and the budget are checked inside it
        // and between columns.
        for i in frame.fields.indices {
            columns.append(frame.columns[i].map { $0.gather(leftRows, control: control) })
            try evaluator.checkCancelled()
        }
        for i in plan.rightColumns {
            columns.append(right.columns[i].gatherAllowingMissing(pairs.right, control: control))
            try evaluator.checkCancelled()
        }
        let fields = zip(output.fields, columns).map { f, c in
            c.map { $0.type == f.type ? f : f.with(type: $0.type) } ?? f
        }
        return Frame(tableName: frame.tableName, fields: fields, columns: columns, baseCount: pairs.left.count,
                     selection: nil, measure: frame.measure)
    }

    /// The rows of a join's right-hand query.
    private func executeRight(_ plan: QueryPlan) throws(Diagnostic) -> QueryResult {
        var frame: Frame
        var steps = plan.steps
        switch plan.source {
        case .table(let table, let read):
            var early = joined?.take(for: plan.sourceRange)
            if early == nil { early = try collected(plan, table: table, read: read, at: plan.sourceRange) }
            if let (done, next) = early {
                frame = done
                steps = Array(steps[next...])
            } else {
                frame = try frameOf(table, read: read)
            }
        case .audit(let all):
            frame = try frameOf(try audit(all: all, range: plan.sourceRange), read: nil)
        }
        for step in steps {
            try evaluator.checkCancelled()
            frame = try applyStep(step, to: frame)
        }
        let columns = frame.fields.indices.map { frame.visible($0) }
        return QueryResult(fields: frame.fields, columns: columns, measure: frame.measure, chart: nil)
    }

    /// Each side's key columns as integers in one code space for both sides (``JoinKey``), read
    /// row by row from the columns themselves: no array of optionals per key and side.
    static func encodeKeys(_ left: [Column], _ right: [Column]) -> (left: [JoinKey], right: [JoinKey]) {
        var l: [JoinKey] = []
        var r: [JoinKey] = []
        for (a, b) in zip(left, right) {
            switch (a.storage, b.storage) {
            case (.text(let ac, let ad), .text(let bc, let bd)):
                var index: [String: Int64] = [:]
                for (i, s) in bd.enumerated() { index[s] = Int64(i) }
                l.append(JoinKey(column: a, kind: .text(ac, map: ad.map { index[$0] ?? -1 })))
                r.append(JoinKey(column: b, kind: .text(bc, map: nil)))
            case (.int(let ai), .int(let bi)):
                l.append(JoinKey(column: a, kind: .int(ai)))
                r.append(JoinKey(column: b, kind: .int(bi)))
            default:
                l.append(JoinKey(column: a, kind: .decimal))
                r.append(JoinKey(column: b, kind: .decimal))
            }
        }
        return (l, r)
    }

    /// Matching row pairs in pipeline order, joined rows in their own order within each;
    /// `-1` on the right for an unmatched row kept by `left join`.
    private func pair(_ left: [JoinKey], _ right: [JoinKey], keepUnmatched: Bool,
                      range: SourceRange) throws(Diagnostic) -> (left: [Int32], right: [Int32]) {
        let leftCount = left.first?.count ?? 0
        let rightCount = right.first?.count ?? 0
        // One dense number per joined-side key tuple (-1 for a null key), and the same number
        // for each pipeline row with that tuple (-1 when the joined side lacks it). Each
        // column's codes are numbered first, then the pairs (tuple so far, this column) as one
        // integer: through a direct table when the numbers lie in a small range (text codes,
        // small integers), else open addressing; never an array per row or a Swift dictionary.
        var rightKeys = [Int32](repeating: 0, count: rightCount)
        var leftKeys = [Int32](repeating: 0, count: leftCount)
        var distinctSoFar: Int64 = 1
        for (c, (l, r)) in zip(left, right).enumerated() {
            var lo = Int64.max, hi = Int64.min
            for row in 0..<rightCount { if let v = r[row] { lo = min(lo, v); hi = max(hi, v) } }
            var numbers = KeyNumbering(lo: lo, hi: hi, rows: rightCount)
            var columnRight = [Int32](repeating: -1, count: rightCount)
            var columnLeft = [Int32](repeating: -1, count: leftCount)
            for row in 0..<rightCount {
                if row & 0xFFFF == 0 { try evaluator.checkCancelled() }
                if let v = r[row] { columnRight[row] = numbers.number(v) }
            }
            for row in 0..<leftCount {
                if row & 0xFFFF == 0 { try evaluator.checkCancelled() }
                if let v = l[row] { columnLeft[row] = numbers.lookup(v) }
            }
            if c == 0 {
                (rightKeys, leftKeys) = (columnRight, columnLeft)
                distinctSoFar = Int64(numbers.count)
                continue
            }
            let width = Int64(numbers.count)
            var tuples = KeyNumbering(lo: 0, hi: distinctSoFar * width - 1, rows: rightCount)
            for row in 0..<rightCount {
                if row & 0xFFFF == 0 { try evaluator.checkCancelled() }
                rightKeys[row] = rightKeys[row] < 0 || columnRight[row] < 0
                    ? -1 : tuples.number(Int64(rightKeys[row]) * width + Int64(columnRight[row]))
            }
            for row in 0..<leftCount {
                if row & 0xFFFF == 0 { try evaluator.checkCancelled() }
                leftKeys[row] = leftKeys[row] < 0 || columnLeft[row] < 0
                    ? -1 : tuples.lookup(Int64(leftKeys[row]) * width + Int64(columnLeft[row]))
            }
            distinctSoFar = Int64(tuples.count)
        }
        let distinct = Int(rightKeys.max() ?? -1) + 1
        // Chains of joined rows per key, first row first.
        var head = [Int32](repeating: -1, count: distinct)
        var next = [Int32](repeating: -1, count: rightCount)
        for row in stride(from: rightCount - 1, through: 0, by: -1) {
            if row & 0xFFFF == 0 { try evaluator.checkCancelled() }
            let k = Int(rightKeys[row])
            guard k >= 0 else { continue }
            next[row] = head[k]
            head[k] = Int32(row)
        }
        var outLeft: [Int32] = []
        var outRight: [Int32] = []
        let limit = min(Int(Int32.max), control?.budget.maxJoinRows ?? Int.max)
        for row in 0..<leftCount {
            if row & 0xFFFF == 0 { try evaluator.checkCancelled() }
            var r = leftKeys[row] >= 0 ? head[Int(leftKeys[row])] : -1
            if r < 0 {
                if keepUnmatched { outLeft.append(Int32(row)); outRight.append(-1) }
                continue
            }
            while r >= 0 {
                outLeft.append(Int32(row))
                outRight.append(r)
                r = next[Int(r)]
                // A key shared by many rows on both sides multiplies them: check as they grow.
                if outLeft.count & 0xFFFF == 0 {
                    try evaluator.checkCancelled()
                    try control?.produce(outLeft.count, at: .source(source, range))
                }
                if outLeft.count > limit { throw Diagnostic(.tooManyRows(limit: limit), in: source, at: range) }
            }
        }
        return (outLeft, outRight)
    }
}

/// One side's key column as integers in the code space both sides share: text by the joined
/// side's dictionary code (`map` takes the pipeline side's codes there, -1 for a text the joined
/// side never has), integers by value, a number against a decimal by the decimal's bits (-0 as 0).
struct JoinKey {
    enum Kind {
        case text(Buffer<Int32>, map: [Int64]?)
        case int(Buffer<Int64>)
        case decimal
    }
    let column: Column
    let kind: Kind
    var count: Int { column.count }

    /// The key of `row`; nil when it is null or can match nothing.
    @inline(__always) subscript(row: Int) -> Int64? {
        if column.isNull(row) { return nil }
        switch kind {
        case .text(let codes, let map):
            guard let map else { return Int64(codes[row]) }
            let v = map[Int(codes[row])]
            return v < 0 ? nil : v
        case .int(let v):
            return v[row]
        case .decimal:
            let d: Double
            switch column.storage {
            case .int(let v): d = Double(v[row])
            case .double(let v): d = v[row]
            case .text: return nil
            }
            if d.isNaN { return nil }
            return Int64(bitPattern: (d == 0 ? 0 : d).bitPattern)
        }
    }
}

extension Column {
    /// Like ``gather(_:)``, but a row number of `-1` gives null.
    func gatherAllowingMissing(_ rows: [Int32], control: RunControl? = nil) -> Column {
        guard rows.contains(-1) else { return gather(rows, control: control) }
        if count == 0 { return Column.allNull(type, count: rows.count) }
        let safe = rows.map { max(0, $0) }
        var column = gather(safe, control: control)
        let flags = rows.indices.map { rows[$0] < 0 || column.isNull($0) }
        column.nulls = NullMask.from(flags)
        return column
    }
}

extension Column {
    /// `count` nulls of the given type.
    static func allNull(_ type: ColumnType, count: Int) -> Column {
        let mask = NullMask.from([Bool](repeating: true, count: count))
        switch type {
        case .int: return Column(storage: .int(Buffer([Int64](repeating: 0, count: count))), nulls: mask)
        case .double: return Column(storage: .double(Buffer([Double](repeating: 0, count: count))), nulls: mask)
        case .text: return Column(storage: .text(codes: Buffer([Int32](repeating: 0, count: count)), dictionary: []), nulls: mask)
        }
    }
}

/// Numbers distinct 64-bit keys 0, 1, 2... in order of first appearance: by a direct table
/// when every key lies in `lo...hi` and that range is small next to the rows, else by hashing.
struct KeyNumbering {
    private var direct: [Int32]
    private let lo: Int64, hi: Int64
    private var hashed: DenseNumbering?
    private(set) var count: Int32 = 0

    init(lo: Int64, hi: Int64, rows: Int) {
        self.lo = lo
        self.hi = hi
        let (span, overflow) = hi.subtractingReportingOverflow(lo)
        if hi >= lo, !overflow, span < Int64(Swift.max(1 << 16, 2 * rows)) {
            direct = [Int32](repeating: -1, count: Int(hi - lo) + 1)
            hashed = nil
        } else {
            direct = []
            hashed = DenseNumbering(capacity: rows)
        }
    }

    /// The number of `key` (which must lie in the range given, when a table is direct).
    @inline(__always) mutating func number(_ key: Int64) -> Int32 {
        if hashed != nil {
            let n = hashed!.number(key)
            count = hashed!.count
            return n
        }
        let i = Int(key - lo)
        if direct[i] < 0 { direct[i] = count; count += 1 }
        return direct[i]
    }

    /// The number of `key`, or -1 when it was never numbered.
    @inline(__always) func lookup(_ key: Int64) -> Int32 {
        if let hashed { return hashed.lookup(key) }
        guard key >= lo, key <= hi else { return -1 }
        return direct[Int(key - lo)]
    }
}

/// Numbers distinct 64-bit keys 0, 1, 2... in order of first appearance: an open-addressing
/// table (linear probing, sized for `capacity` keys at most half full), for the millions of
/// lookups of a join's keys.
struct DenseNumbering {
    private var keys: [Int64]
    private var numbers: [Int32]
    private var mask: Int
    private(set) var count: Int32 = 0

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [Int64](repeating: 0, count: size)
        numbers = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    /// Fibonacci hashing: the high bits of the product spread keys that differ in any bits.
    @inline(__always) private func slot(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The number of `key`, given it if new.
    @inline(__always) mutating func number(_ key: Int64) -> Int32 {
        if Int(count) * 2 >= keys.count { grow() }
        var i = slot(key)
        while numbers[i] >= 0 {
            if keys[i] == key { return numbers[i] }
            i = (i + 1) & mask
        }
        keys[i] = key
        numbers[i] = count
        count += 1
        return count - 1
    }

    /// The number of `key`, or -1 when it was never numbered.
    @inline(__always) func lookup(_ key: Int64) -> Int32 {
        var i = slot(key)
        while numbers[i] >= 0 {
            if keys[i] == key { return numbers[i] }
            i = (i + 1) & mask
        }
        return -1
    }

    private mutating func grow() {
        let oldKeys = keys, oldNumbers = numbers
        keys = [Int64](repeating: 0, count: oldKeys.count * 2)
        numbers = [Int32](repeating: -1, count: oldKeys.count * 2)
        mask = keys.count - 1
        for j in oldKeys.indices where oldNumbers[j] >= 0 {
            var i = slot(oldKeys[j])
            while numbers[i] >= 0 { i = (i + 1) & mask }
            keys[i] = oldKeys[j]
            numbers[i] = oldNumbers[j]
        }
    }
}
