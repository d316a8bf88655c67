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
        switch plan.source {
        case .table(let table, _):
            frame = try frameOf(table, read: nil)
        case .audit(let all):
            frame = try frameOf(try audit(all: all, range: plan.sourceRange), read: nil)
        }
        for step in plan.steps {
            try evaluator.checkCancelled()
            frame = try applyStep(step, to: frame)
        }
        let columns = frame.fields.indices.map { frame.visible($0) }
        return QueryResult(fields: frame.fields, columns: columns, measure: frame.measure, chart: nil)
    }

    /// Each row's key as integers, per key column, in one code space for both sides; `nil`
    /// where the key is null or (pipeline side) names a text the joined side never has.
    static func encodeKeys(_ left: [Column], _ right: [Column]) -> (left: [[Int64?]], right: [[Int64?]]) {
        var l: [[Int64?]] = []
        var r: [[Int64?]] = []
        for (a, b) in zip(left, right) {
            switch (a.storage, b.storage) {
            case (.text(let ac, let ad), .text(let bc, let bd)):
                var index: [String: Int64] = [:]
                for (i, s) in bd.enumerated() { index[s] = Int64(i) }
                let map = ad.map { index[$0] }
                l.append((0..<a.count).map { a.isNull($0) ? nil : map[Int(ac[$0])] })
                r.append((0..<b.count).map { b.isNull($0) ? nil : Int64(bc[$0]) })
            case (.int(let ai), .int(let bi)):
                l.append((0..<a.count).map { a.isNull($0) ? nil : ai[$0] })
                r.append((0..<b.count).map { b.isNull($0) ? nil : bi[$0] })
            default:
                // A number compared with a decimal: both as doubles, -0 equal to 0.
                func bits(_ c: Column, _ i: Int) -> Int64? {
                    if c.isNull(i) { return nil }
                    let d: Double
                    switch c.storage {
                    case .int(let v): d = Double(v[i])
                    case .double(let v): d = v[i]
                    case .text: return nil
                    }
                    if d.isNaN { return nil }
                    return Int64(bitPattern: (d == 0 ? 0 : d).bitPattern)
                }
                l.append((0..<a.count).map { bits(a, $0) })
                r.append((0..<b.count).map { bits(b, $0) })
            }
        }
        return (l, r)
    }

    /// Matching row pairs in pipeline order, joined rows in their own order within each;
    /// `-1` on the right for an unmatched row kept by `left join`.
    private func pair(_ left: [[Int64?]], _ right: [[Int64?]], keepUnmatched: Bool,
                      range: SourceRange) throws(Diagnostic) -> (left: [Int32], right: [Int32]) {
        let leftCount = left.first?.count ?? 0
        let rightCount = right.first?.count ?? 0
        // One integer per row: the key itself for one column; for several, a number for each
        // distinct tuple of the joined side (a pipeline tuple it lacks matches nothing).
        let rightKeys: [Int64?]
        let leftKeys: [Int64?]
        if right.count == 1 {
            (rightKeys, leftKeys) = (right[0], left[0])
        } else {
            var tuples: [[Int64]: Int64] = [:]
            func tuple(_ side: [[Int64?]], _ row: Int) -> [Int64]? {
                var k: [Int64] = []
                k.reserveCapacity(side.count)
                for column in side {
                    guard let v = column[row] else { return nil }
                    k.append(v)
                }
                return k
            }
            var r: [Int64?] = []
            r.reserveCapacity(rightCount)
            for row in 0..<rightCount {
                if row & 0xFFFF == 0 { try evaluator.checkCancelled() }
                r.append(tuple(right, row).map { t in
                    if let id = tuples[t] { return id }
                    tuples[t] = Int64(tuples.count)
                    return Int64(tuples.count - 1)
                })
            }
            var l: [Int64?] = []
            l.reserveCapacity(leftCount)
            for row in 0..<leftCount {
                if row & 0xFFFF == 0 { try evaluator.checkCancelled() }
                l.append(tuple(left, row).flatMap { tuples[$0] })
            }
            (rightKeys, leftKeys) = (r, l)
        }
        // Chains of joined rows per key, first row first.
        var head: [Int64: Int32] = [:]
        var next = [Int32](repeating: -1, count: rightCount)
        for row in stride(from: rightCount - 1, through: 0, by: -1) {
            if row & 0xFFFF == 0 { try evaluator.checkCancelled() }
            guard let k = rightKeys[row] else { continue }
            if let h = head[k] { next[row] = h }
            head[k] = Int32(row)
        }
        var outLeft: [Int32] = []
        var outRight: [Int32] = []
        let limit = Int(Int32.max)
        for row in 0..<leftCount {
            if row & 0xFFFF == 0 { try evaluator.checkCancelled() }
            var r = leftKeys[row].flatMap { head[$0] } ?? -1
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
                    if outLeft.count >= limit { throw Diagnostic(.tooManyRows(limit: limit), in: source, at: range) }
                }
            }
        }
        return (outLeft, outRight)
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
