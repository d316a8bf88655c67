#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// Items of `group by` and whole-table aggregates, the aggregates beyond the basic five, and
/// window functions.
extension Column {
    /// This column as the plan's type says: integers widen to decimals, and a column of nulls
    /// takes the type (an all-null integer column from a null constant becomes decimal or text).
    func conformed(to type: ValueType) -> Column {
        let wanted = type.columnType
        guard wanted != self.type, type != .null, type != .condition else { return self }
        if wanted == .double, case .int(let b) = storage {
            return Column(storage: .double(Buffer.make(count: b.count) { out in
                for i in 0..<b.count { out[i] = Double(b[i]) }
            }), nulls: nulls)
        }
        if (0..<count).allSatisfy(isNull) { return .allNull(wanted, count: count) }
        return self
    }
}

extension Evaluator {
    /// The value of a group item once per group (`grouping == nil`: one group of every row):
    /// aggregates over the group's rows, keys by number, and arithmetic or functions over those.
    func groupValue(_ e: Bound, _ frame: Frame, _ grouping: Grouping?, keys: [Column]) throws(Diagnostic) -> Operand {
        let groups = grouping?.count ?? 1
        switch e.kind {
        case .literal(let v): return .constant(v)
        case .groupKey(let k): return .column(keys[k])
        case .aggregate(let fn, let args):
            // Of the plan's type even when every value is null (`avg(number(""))` is a decimal).
            return .column(try aggregate(fn, args, frame, groups: grouping, range: e.range).conformed(to: e.type))
        case .negate(let inner):
            let v = try groupValue(inner, frame, grouping, keys: keys)
            return try arithmetic(.subtract, .constant(.int(0)), v, count: groups, range: e.range)
        case .arithmetic(let op, let l, let r):
            let left = try groupValue(l, frame, grouping, keys: keys)
            let right = try groupValue(r, frame, grouping, keys: keys)
            return try arithmetic(op, left, right, count: groups, range: e.range)
        case .call(let fn, let args):
            let values = try args.map { (a: Bound) throws(Diagnostic) -> Operand in try groupValue(a, frame, grouping, keys: keys) }
            return try call(fn, values, args: args, count: groups, range: e.range)
        case .caseWhen, .compare, .and, .or, .not, .isNull, .inList:
            // Conditions over group values are evaluated on a frame of one row per group.
            let groupFrame = try self.groupFrame(e, frame, grouping, keys: keys)
            return try value(groupFrame.bound, groupFrame.frame)
        case .column, .window:
            throw fail(.conditionAsValue, e.range)
        }
    }

    /// A frame with one row per group whose columns are the group values `e` reads, and `e`
    /// rewritten to read them, so that `case` and conditions over aggregates reuse the row code.
    private func groupFrame(_ e: Bound, _ frame: Frame, _ grouping: Grouping?, keys: [Column]) throws(Diagnostic) -> (bound: Bound, frame: Frame) {
        var columns: [Column] = []
        let groups = grouping?.count ?? 1
        func lift(_ b: Bound) throws(Diagnostic) -> Bound {
            switch b.kind {
            case .literal: return b
            case .groupKey, .aggregate, .arithmetic, .negate, .call:
                columns.append(try groupValue(b, frame, grouping, keys: keys).materialize(count: groups, as: b.type))
                return Bound(kind: .column(columns.count - 1), type: b.type, range: b.range, isRupiah: b.isRupiah)
            case .compare(let op, let l, let r): return Bound(kind: .compare(op, try lift(l), try lift(r)), type: b.type, range: b.range)
            case .and(let l, let r): return Bound(kind: .and(try lift(l), try lift(r)), type: b.type, range: b.range)
            case .or(let l, let r): return Bound(kind: .or(try lift(l), try lift(r)), type: b.type, range: b.range)
            case .not(let x): return Bound(kind: .not(try lift(x)), type: b.type, range: b.range)
            case .isNull(let x, let negated): return Bound(kind: .isNull(try lift(x), negated: negated), type: b.type, range: b.range)
            case .inList(let x, let list, let negated):
                var items: [Bound] = []
                for item in list { items.append(try lift(item)) }
                return Bound(kind: .inList(try lift(x), items, negated: negated), type: b.type, range: b.range)
            case .caseWhen(let branches, let otherwise):
                var lifted: [(condition: Bound, value: Bound)] = []
                for br in branches { lifted.append((try lift(br.condition), try lift(br.value))) }
                return Bound(kind: .caseWhen(lifted, otherwise: try otherwise.map { (o: Bound) throws(Diagnostic) in try lift(o) }),
                             type: b.type, range: b.range, isRupiah: b.isRupiah)
            case .column, .window: throw fail(.conditionAsValue, b.range)
            }
        }
        let bound = try lift(e)
        let fields = columns.enumerated().map { Field(name: "_\($0.offset)", type: $0.element.type) }
        return (bound, Frame(tableName: frame.tableName, fields: fields, columns: columns, baseCount: groups,
                             selection: nil, measure: nil))
    }

    /// The single operand a basic aggregate runs over: `count_if(c)` counts the rows where `c`
    /// holds, `sum_if(x, c)` sums `x` where `c` holds (null elsewhere).
    func aggregateOperand(_ fn: AggregateFunction, _ args: [Bound], _ frame: Frame) throws(Diagnostic) -> (base: AggregateFunction, operand: Operand?) {
        switch fn {
        case .count_if:
            return (.count, .column(try indicator(args[0], frame)))
        case .sum_if:
            let x = try value(args[0], frame).materialize(count: frame.rowCount, as: args[0].type)
            let holds = try indicator(args[1], frame)
            var masked = x
            masked.nulls = NullMask.from((0..<frame.rowCount).map { x.isNull($0) || holds.isNull($0) })
            return (.sum, .column(masked))
        case .count, .sum, .avg, .min, .max, .count_distinct, .median:
            return (fn, try args.first.map { (a: Bound) throws(Diagnostic) -> Operand in try value(a, frame) })
        }
    }

    /// One aggregate per group of the frame's visible rows.
    func aggregate(_ fn: AggregateFunction, _ args: [Bound], _ frame: Frame, groups: Grouping?, range: SourceRange) throws(Diagnostic) -> Column {
        let (base, operand) = try aggregateOperand(fn, args, frame)
        let n = frame.rowCount
        switch base {
        case .count_distinct, .median:
            let ids = groups?.ids ?? [Int32](repeating: 0, count: n)
            let g = groups?.count ?? 1
            let column = (operand ?? .constant(.null)).materialize(count: n)
            var members = [[Int]](repeating: [], count: g)
            for k in 0..<n where !column.isNull(k) { members[Int(ids[k])].append(k) }
            return base == .median ? median(column, members) : countDistinct(column, members)
        default:
            return try aggregate(base, operand, rows: n, groups: groups, range: range)
        }
    }

    /// How many different values each group holds.
    func countDistinct(_ column: Column, _ members: [[Int]]) -> Column {
        .ints(members.map { rows in
            switch column.storage {
            case .text(let codes, _): return Int64(Set(rows.map { codes[$0] }).count)
            case .int(let b): return Int64(Set(rows.map { b[$0] }).count)
            case .double(let b): return Int64(Set(rows.map { b[$0] == 0 ? 0 : b[$0] }).count)
            }
        })
    }

    /// The middle value of each group (the mean of the two middle values for an even count).
    func median(_ column: Column, _ members: [[Int]]) -> Column {
        .doubles(members.map { rows -> Double? in
            guard !rows.isEmpty else { return nil }
            let values = rows.map { Operand.column(column).double($0) }.sorted()
            let mid = values.count / 2
            if values.count % 2 == 1 { return values[mid] }
            // Halves first, so two huge values do not overflow on the way.
            return values[mid - 1] / 2 + values[mid] / 2
        })
    }

    // MARK: Windows

    /// A window function, or an aggregate over a window, for every visible row. Rows are
    /// partitioned by `by` and ordered by `sort`; an aggregate with `sort` runs from the
    /// partition's first row to the current row and its peers (SQL's default frame).
    func window(_ w: WindowCall, type: ValueType, _ frame: Frame, range: SourceRange) throws(Diagnostic) -> Column {
        let n = frame.rowCount
        let partitionValues = try w.partition.map { (b: Bound) throws(Diagnostic) -> Operand in try value(b, frame) }
        let grouping = partitionValues.isEmpty ? nil : try group(partitionValues, rows: n)
        let partitionOf: (Int) -> Int = { k in grouping.map { Int($0.ids[k]) } ?? 0 }
        // Rows in window order: by partition, then by the sort keys, ties in row order.
        var sortColumns: [SortColumn] = []
        if let grouping { sortColumns.append(SortColumn(.ints(grouping.ids.map(Int64.init)), descending: false)) }
        for key in w.order {
            let v = try value(key.key, frame)
            if case .constant = v { continue }
            sortColumns.append(SortColumn(v.materialize(count: n), descending: key.descending))
        }
        let ordered = try order(sortColumns, rows: n, limit: nil).map(Int.init)
        let orderKeys = Array(sortColumns.dropFirst(grouping == nil ? 0 : 1))
        func peers(_ a: Int, _ b: Int) -> Bool { orderKeys.allSatisfy { $0.compare(a, b) == 0 } }

        // Each partition's run of positions in `ordered`, and each row's peer group within it.
        var runs: [Range<Int>] = []
        var start = 0
        for p in 1...max(n, 1) where p == n || (n > 0 && partitionOf(ordered[p]) != partitionOf(ordered[p - 1])) {
            if n > 0 { runs.append(start..<p) }
            start = p
        }
        var result = [Value](repeating: .null, count: n)
        switch w.function {
        case .window(let fn):
            let arg = try w.arguments.first.map { (a: Bound) throws(Diagnostic) -> Operand in try value(a, frame) }
            var offset = 1
            if w.arguments.count == 2, case .literal(.int(let k)) = w.arguments[1].kind { offset = Int(clamping: k) }
            // Functions that tell tied rows apart answer by their order, which only LKQ defines.
            // (Without sort, a database refuses them: the SQL compiler says so.)
            let orderDependent = !w.order.isEmpty && fn != .rank && fn != .dense_rank
            // Whether the answer depends on how the peers at positions `p...end` are ordered:
            // `first` and `last` only when they differ in the value taken, `first` only in the
            // partition's first peer group.
            func tieMatters(_ p: Int, _ end: Int, first: Bool) -> Bool {
                switch fn {
                case .row_number, .lag, .lead: return true
                case .rank, .dense_rank: return false
                case .first, .last:
                    if fn == .first && !first { return false }
                    let v = arg!.value(ordered[p])
                    return (p...end).contains { arg!.value(ordered[$0]) != v }
                }
            }
            var tied = 0
            for run in runs {
                var rank = 0, dense = 0
                var peerEnd = run.lowerBound
                for p in run {
                    let row = ordered[p]
                    if p == run.lowerBound || !peers(row, ordered[p - 1]) {
                        rank = p - run.lowerBound + 1
                        dense += 1
                        peerEnd = p
                        while peerEnd + 1 < run.upperBound && peers(ordered[peerEnd + 1], row) { peerEnd += 1 }
                        if orderDependent && peerEnd > p && tieMatters(p, peerEnd, first: p == run.lowerBound) {
                            tied += peerEnd - p + 1
                        }
                    }
                    switch fn {
                    case .row_number: result[row] = .int(Int64(p - run.lowerBound + 1))
                    case .rank: result[row] = .int(Int64(rank))
                    case .dense_rank: result[row] = .int(Int64(dense))
                    case .lag:
                        let q = p - offset
                        result[row] = q >= run.lowerBound && q < run.upperBound ? arg!.value(ordered[q]) : .null
                    case .lead:
                        let (q, o) = p.addingReportingOverflow(offset)
                        result[row] = !o && q < run.upperBound && q >= run.lowerBound ? arg!.value(ordered[q]) : .null
                    case .first: result[row] = arg!.value(ordered[run.lowerBound])
                    case .last:
                        let end = w.order.isEmpty ? run.upperBound - 1 : peerEnd
                        result[row] = arg!.value(ordered[end])
                    }
                }
            }
            if tied > 0 { control?.warn([fail(.windowTies(function: fn.rawValue, rows: tied), range)]) }
        case .aggregate(let fn):
            let (base, operand) = try aggregateOperand(fn, w.arguments, frame)
            if !w.order.isEmpty, base != .median {
                try running(base, operand, runs: runs, ordered: ordered, peers: peers, into: &result, range: range)
                break
            }
            // The whole partition, or (a running median) each prefix ending at a peer group's
            // last row: aggregate those row sets as groups of their own.
            var frames: [[Int]] = []
            var frameOfRow = [Int](repeating: 0, count: n)
            for run in runs {
                let rows = run.map { ordered[$0] }
                if w.order.isEmpty {
                    frames.append(rows)
                    for r in rows { frameOfRow[r] = frames.count - 1 }
                    continue
                }
                if rows.count > 20_000 {
                    throw fail(.runningMedianTooLong(rows: rows.count, limit: 20_000), range)
                }
                var p = 0
                while p < rows.count {
                    var end = p
                    while end + 1 < rows.count && peers(rows[end + 1], rows[p]) { end += 1 }
                    frames.append(Array(rows[...end]))
                    for q in p...end { frameOfRow[rows[q]] = frames.count - 1 }
                    p = end + 1
                }
            }
            try checkCancelled()
            let values = try aggregateOverRowSets(fn, w.arguments, frame, frames, range: range)
            for k in 0..<n { result[k] = values.value(at: frameOfRow[k]) }
        }
        return Column.build(type: type, count: n) { result[$0] }
    }

    /// A running aggregate: for each row, the aggregate from its partition's first row (in
    /// window order) to the last of its peers, kept up to date one row at a time.
    private func running(_ fn: AggregateFunction, _ operand: Operand?, runs: [Range<Int>], ordered: [Int],
                         peers: (Int, Int) -> Bool, into result: inout [Value], range: SourceRange) throws(Diagnostic) {
        let n = ordered.count
        let column = operand.map { $0.materialize(count: n) }
        let key = column.map { SortColumn($0, descending: false) }
        for run in runs {
            var count: Int64 = 0
            var intSum: Int64 = 0
            var wideSum: Int128 = 0
            var sum = 0.0, carry = 0.0
            var best: Int? = nil
            var distinct = Set<Value>()
            var p = run.lowerBound
            while p < run.upperBound {
                if (p - run.lowerBound) & 0xFFFF == 0 { try checkCancelled() }
                var end = p
                while end + 1 < run.upperBound && peers(ordered[end + 1], ordered[p]) { end += 1 }
                for q in p...end {
                    let row = ordered[q]
                    guard let column else { count += 1; continue }
                    if column.isNull(row) { continue }
                    count += 1
                    switch fn {
                    case .sum, .avg:
                        if case .int(let b) = column.storage, fn == .sum {
                            let (v, o) = intSum.addingReportingOverflow(b[row])
                            if o { throw fail(.integerOverflow(operation: "sum"), range) }
                            intSum = v
                        } else if case .int(let b) = column.storage {
                            // Exact, as avg over groups is: through rounded doubles the
                            // mean of Int64.max, Int64.min and -7 would be -7/3, not -8/3.
                            wideSum += Int128(b[row])
                        } else {
                            let x = Operand.column(column).double(row)
                            let t = sum + x
                            carry += Swift.abs(sum) >= Swift.abs(x) ? (sum - t) + x : (x - t) + sum
                            sum = t
                        }
                    case .min, .max:
                        if let b = best {
                            let c = key!.compare(row, b)
                            if fn == .max ? c > 0 : c < 0 { best = row }
                        } else {
                            best = row
                        }
                    case .count_distinct:
                        var v = column.value(at: row)
                        if case .double(let d) = v, d == 0 { v = .double(0) }
                        distinct.insert(v)
                    case .count, .count_if, .sum_if, .median:
                        break
                    }
                }
                let value: Value
                switch fn {
                case .count, .count_if: value = .int(count)
                case .count_distinct: value = .int(Int64(distinct.count))
                case .sum, .sum_if:
                    if count == 0 { value = .null }
                    else if case .int = column?.storage { value = .int(intSum) }
                    else {
                        guard (sum + carry).isFinite else { throw fail(.decimalOverflow(operation: "sum"), range) }
                        value = .double(sum + carry)
                    }
                case .avg:
                    guard count > 0 else { value = .null; break }
                    if case .int = column?.storage { value = .double(Self.mean(exactSum: wideSum, count: count)); break }
                    guard (sum + carry).isFinite else { throw fail(.decimalOverflow(operation: "avg"), range) }
                    value = .double((sum + carry) / Double(count))
                case .min, .max: value = best.map { column!.value(at: $0) } ?? .null
                case .median: value = .null
                }
                for q in p...end { result[ordered[q]] = value }
                p = end + 1
            }
        }
    }

    /// An aggregate over arbitrary (overlapping) sets of visible rows, one result per set.
    private func aggregateOverRowSets(_ fn: AggregateFunction, _ args: [Bound], _ frame: Frame, _ sets: [[Int]],
                                      range: SourceRange) throws(Diagnostic) -> Column {
        // Flatten the sets into one frame whose rows repeat, grouped by set.
        var rows: [Int32] = []
        var ids: [Int32] = []
        var first: [Int32] = []
        for (g, set) in sets.enumerated() {
            first.append(Int32(rows.count))
            for r in set { rows.append(Int32(frame.row(r))); ids.append(Int32(g)) }
        }
        var expanded = frame
        expanded.selection = rows
        let grouping = Grouping(ids: ids, count: sets.count, first: first)
        return try aggregate(fn, args, expanded, groups: grouping, range: range)
    }
}
