/// Rows assigned to groups: `ids[k]` is the group of visible row `k`; groups are numbered
/// in key order, and `first[g]` is a visible row of group `g`.
struct Grouping {
    var ids: [Int32]
    var count: Int
    var first: [Int32]
}

extension Evaluator {
    // MARK: Grouping

    /// Groups the visible rows by the values of `keys` (hashing encoded values: text by
    /// dictionary code, numbers by value), then numbers the groups in ascending key order.
    func group(_ keys: [Operand], rows n: Int) -> Grouping {
        var ids = [Int32](repeating: 0, count: n)
        var cardinality = 1
        for key in keys {
            let (keyIds, keyCard) = denseIds(key, rows: n)
            if cardinality == 1 {
                ids = keyIds
                cardinality = keyCard
                continue
            }
            // Combine with the groups so far, then renumber densely.
            var combined = [Int64](repeating: 0, count: n)
            for k in 0..<n { combined[k] = Int64(ids[k]) * Int64(keyCard) + Int64(keyIds[k]) }
            (ids, cardinality) = compact(combined, range: Int64(cardinality) * Int64(keyCard))
        }
        var first = [Int32](repeating: -1, count: cardinality)
        for k in 0..<n where first[Int(ids[k])] < 0 { first[Int(ids[k])] = Int32(k) }
        // Order groups by their key values so output is deterministic and readable.
        let sortKeys = keys.map { SortColumn($0.gather(first), descending: false) }
        let order = (0..<cardinality).sorted { a, b in
            for key in sortKeys {
                let c = key.compare(a, b)
                if c != 0 { return c < 0 }
            }
            return a < b
        }
        var rank = [Int32](repeating: 0, count: cardinality)
        for (r, g) in order.enumerated() { rank[g] = Int32(r) }
        for k in 0..<n { ids[k] = rank[Int(ids[k])] }
        return Grouping(ids: ids, count: cardinality, first: order.map { first[$0] })
    }

    /// Dense group numbers for one key, and how many there are.
    private func denseIds(_ key: Operand, rows n: Int) -> ([Int32], Int) {
        guard case .column(let c) = key else { return ([Int32](repeating: 0, count: n), n > 0 ? 1 : 0) }
        switch c.storage {
        case .text(let codes, let dict):
            let nullCode = Int64(dict.count)
            var raw = [Int64](repeating: 0, count: n)
            for k in 0..<n { raw[k] = c.isNull(k) ? nullCode : Int64(codes[k]) }
            return compact(raw, range: nullCode + 1)
        case .int(let b):
            var lo = Int64.max, hi = Int64.min
            for k in 0..<n { lo = Swift.min(lo, b[k]); hi = Swift.max(hi, b[k]) }
            var raw = [Int64](repeating: 0, count: n)
            let (span, overflow) = hi.subtractingReportingOverflow(lo)
            if n > 0, !overflow, span < Int64(Swift.max(1 << 20, 2 * n)) {
                let nullSlot = span + 1
                for k in 0..<n { raw[k] = c.isNull(k) ? nullSlot : b[k] - lo }
                return compact(raw, range: nullSlot + 1)
            }
            for k in 0..<n { raw[k] = c.isNull(k) ? Int64.min : b[k] }
            return compact(raw, range: nil)
        case .double(let b):
            var raw = [Int64](repeating: 0, count: n)
            for k in 0..<n {
                let v = b[k] == 0 ? 0 : b[k]   // -0.0 and 0.0 are one group
                raw[k] = c.isNull(k) ? Int64.min : Int64(bitPattern: v.bitPattern)
            }
            return compact(raw, range: nil)
        }
    }

    /// Renumbers values as 0, 1, 2... in order of first appearance. Uses a direct table when
    /// the values lie in a known small range, a hash table otherwise.
    private func compact(_ raw: [Int64], range: Int64?) -> ([Int32], Int) {
        var ids = [Int32](repeating: 0, count: raw.count)
        var next: Int32 = 0
        if let range, range <= Int64(Swift.max(1 << 22, 4 * raw.count)) {
            var table = [Int32](repeating: -1, count: Int(range))
            for k in 0..<raw.count {
                let v = Int(raw[k])
                if table[v] < 0 { table[v] = next; next += 1 }
                ids[k] = table[v]
            }
            return (ids, Int(next))
        }
        var table: [Int64: Int32] = [:]
        for k in 0..<raw.count {
            if let g = table[raw[k]] { ids[k] = g; continue }
            table[raw[k]] = next
            ids[k] = next
            next += 1
        }
        return (ids, Int(next))
    }

    // MARK: Aggregates

    /// One aggregate per group. `groups == nil` means a single group holding every row.
    /// Nulls are skipped; a group with no values gives null (count gives 0).
    func aggregate(_ fn: Aggregate, _ arg: Operand?, rows n: Int, groups: Grouping?, range: SourceRange) throws(Diagnostic) -> Column {
        let g = groups?.count ?? 1
        @inline(__always) func gid(_ k: Int) -> Int { groups.map { Int($0.ids[k]) } ?? 0 }
        guard let arg else {
            var counts = [Int64](repeating: 0, count: g)
            if let groups { for k in 0..<n { counts[Int(groups.ids[k])] += 1 } } else { counts[0] = Int64(n) }
            return .ints(counts)
        }
        var counts = [Int64](repeating: 0, count: g)
        for k in 0..<n where !arg.isNull(k) { counts[gid(k)] += 1 }
        if fn == .count { return .ints(counts) }
        let empty = counts.map { $0 == 0 }
        switch (fn, arg.type) {
        case (.sum, .int):
            var sums = [Int64](repeating: 0, count: g)
            var overflow = false
            if case .constant(.int(let x)) = arg {
                for i in 0..<g {
                    let (v, o) = x.multipliedReportingOverflow(by: counts[i])
                    sums[i] = v; overflow = overflow || o
                }
            } else if case .column(let c) = arg, case .int(let b) = c.storage {
                for k in 0..<n where !c.isNull(k) {
                    let (v, o) = sums[gid(k)].addingReportingOverflow(b[k])
                    sums[gid(k)] = v
                    overflow = overflow || o
                }
            }
            if overflow { throw fail(.integerOverflow(operation: "sum"), range) }
            return .ints(zip(sums, empty).map { $1 ? nil : $0 })
        case (.sum, .double), (.avg, .int), (.avg, .double):
            var sums = [Double](repeating: 0, count: g)
            for k in 0..<n where !arg.isNull(k) { sums[gid(k)] += arg.double(k) }
            if fn == .avg { for i in 0..<g where counts[i] > 0 { sums[i] /= Double(counts[i]) } }
            return .doubles(zip(sums, empty).map { $1 ? nil : $0 })
        case (.min, _), (.max, _):
            return try extreme(fn == .max, arg, rows: n, groups: g, gid: gid, empty: empty, range: range)
        case (_, nil):
            return .ints([Int64?](repeating: nil, count: g))
        default:
            throw fail(.notNumeric(operation: fn.rawValue, type: arg.typeName), range)
        }
    }

    private func extreme(_ isMax: Bool, _ arg: Operand, rows n: Int, groups g: Int, gid: (Int) -> Int,
                         empty: [Bool], range: SourceRange) throws(Diagnostic) -> Column {
        let column = arg.materialize(count: n)
        var best = [Int](repeating: -1, count: g)
        let key = SortColumn(column, descending: false)
        for k in 0..<n where !column.isNull(k) {
            let i = gid(k)
            if best[i] < 0 { best[i] = k; continue }
            let c = key.compare(k, best[i])
            if isMax ? c > 0 : c < 0 { best[i] = k }
        }
        let rows = best.map { Int32(Swift.max($0, 0)) }
        var out = n > 0 ? column.gather(rows) : Operand.constant(.null).materialize(count: g)
        if empty.contains(true) {
            let flags = (0..<g).map { empty[$0] || out.isNull($0) }
            out.nulls = NullMask.from(flags)
        }
        return out
    }
}

extension Operand {
    /// Values at the listed rows (constants stay constant, as a column of that many rows).
    func gather(_ rows: [Int32]) -> Column {
        switch self {
        case .column(let c): return c.gather(rows)
        case .constant: return materialize(count: rows.count)
        }
    }
}
