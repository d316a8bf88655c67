#if canImport(LKQSyntax)
import LKQSyntax
#endif

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
    func group(_ keys: [Operand], rows n: Int) throws(Diagnostic) -> Grouping {
        if let fused = try fusedGroups(keys, rows: n) { return fused }
        var ids = [Int32](repeating: 0, count: n)
        var cardinality = 1
        for key in keys {
            try checkCancelled()
            let (keyIds, keyCard) = try denseIds(key, rows: n)
            if cardinality == 1 {
                ids = keyIds
                cardinality = keyCard
                continue
            }
            // Combine with the groups so far, then renumber densely.
            var combined = [Int64](repeating: 0, count: n)
            for k in 0..<n { combined[k] = Int64(ids[k]) * Int64(keyCard) + Int64(keyIds[k]) }
            (ids, cardinality) = try compact(combined, range: Int64(cardinality) * Int64(keyCard))
        }
        try checkCancelled()
        var first = [Int32](repeating: -1, count: cardinality)
        for k in 0..<n where first[Int(ids[k])] < 0 { first[Int(ids[k])] = Int32(k) }
        try checkCancelled()
        // Order groups by their key values so output is deterministic and readable.
        let sortKeys = keys.map { SortColumn($0.gather(first), descending: false) }
        let order: [Int]
        if let packed = try packedOrder(sortKeys, groups: cardinality) {
            order = packed
        } else {
            let poll = StopPoll(control)
            order = (0..<cardinality).sorted { a, b in
                if poll.shouldStop() { return a < b }
                for key in sortKeys {
                    let c = key.compare(a, b)
                    if c != 0 { return c < 0 }
                }
                return a < b
            }
            try poll.check()
        }
        var rank = [Int32](repeating: 0, count: cardinality)
        for (r, g) in order.enumerated() { rank[g] = Int32(r) }
        try checkCancelled()
        for k in 0..<n {
            if k & 0xFFFFF == 0 { try checkCancelled() }
            ids[k] = rank[Int(ids[k])]
        }
        return Grouping(ids: ids, count: cardinality, first: order.map { first[$0] })
    }

    /// Groups by keys that each take few slots, in key order: a text key its dictionary's
    /// ranks (and one for null, last, as sorting puts it), an integer key its value less the
    /// least (and one for null). When the product of the slot counts is small, one slot per row
    /// for all keys together, numbered in slot order, is the grouping in key order: no key is
    /// numbered on its own, no combination renumbered, no group sorted. Nil otherwise (a
    /// decimal key, a constant, or too many combinations), for the general way.
    private func fusedGroups(_ keys: [Operand], rows n: Int) throws(Diagnostic) -> Grouping? {
        enum Slots {
            case text(codes: Buffer<Int32>, rank: [Int32], null: Int32)
            case int(Buffer<Int64>, lo: Int64, null: Int32)
        }
        let limit = Swift.min(Int(Int32.max), Swift.max(1 << 22, 4 * n))
        var parts: [(slots: Slots, column: Column, count: Int)] = []
        var total = 1
        for key in keys {
            guard case .column(let c) = key else { return nil }
            let part: Slots, count: Int
            switch c.storage {
            case .text(let codes, let dict):
                let rank = SortColumn.ranks(of: dict)
                let top = (rank.max() ?? -1) + 1
                part = .text(codes: codes, rank: rank, null: top)
                count = Int(top) + 1
            case .int(let b):
                var lo = Int64.max, hi = Int64.min
                for k in 0..<n { lo = Swift.min(lo, b[k]); hi = Swift.max(hi, b[k]) }
                let (span, overflow) = hi.subtractingReportingOverflow(lo)
                guard n > 0, !overflow, span < Int64(limit) else { return nil }
                part = .int(b, lo: lo, null: Int32(span + 1))
                count = Int(span) + 2
            case .double:
                return nil
            }
            let (product, overflow) = total.multipliedReportingOverflow(by: count)
            guard !overflow, product <= limit else { return nil }
            total = product
            parts.append((part, c, count))
        }
        try checkCancelled()
        var slots = [Int32](repeating: 0, count: n)
        slots.withUnsafeMutableBufferPointer { out in
            for (part, column, count) in parts {
                let width = Int32(count)
                switch part {
                case .text(let codes, let rank, let null):
                    rank.withUnsafeBufferPointer { rank in
                        for k in 0..<n {
                            out[k] = out[k] &* width &+ (column.isNull(k) ? null : rank[Int(codes[k])])
                        }
                    }
                case .int(let b, let lo, let null):
                    for k in 0..<n {
                        out[k] = out[k] &* width &+ (column.isNull(k) ? null : Int32(truncatingIfNeeded: b[k] &- lo))
                    }
                }
            }
        }
        try checkCancelled()
        let (ids, count) = try numberSlots(&slots, range: total)
        var first = [Int32](repeating: -1, count: count)
        for k in 0..<n where first[Int(ids[k])] < 0 { first[Int(ids[k])] = Int32(k) }
        return Grouping(ids: ids, count: count, first: first)
    }

    /// The groups in key order, when each key's dense rank and the group's number fit in one
    /// 64-bit integer together: then the order is a sort of plain integers, where comparing
    /// through the keys (a closure per comparison, millions of times for millions of groups)
    /// took most of a many-key group by. Nil when they do not fit.
    private func packedOrder(_ keys: [SortColumn], groups g: Int) throws(Diagnostic) -> [Int]? {
        func bits(_ count: Int) -> Int { count <= 1 ? 0 : Int.bitWidth - (count - 1).leadingZeroBitCount }
        let groupBits = bits(g)
        var packed = [UInt64](repeating: 0, count: g)
        var used = groupBits
        for key in keys {
            try checkCancelled()
            let (ranks, count) = try key.denseRanks(rows: g, control: control)
            let width = bits(count)
            used += width
            if used > 64 { return nil }
            for i in 0..<g { packed[i] = packed[i] << width | UInt64(ranks[i]) }
        }
        try checkCancelled()
        for i in 0..<g { packed[i] = packed[i] << groupBits | UInt64(i) }
        try RadixSort.sort(&packed, control: control) { $0 }
        let mask: UInt64 = groupBits == 0 ? 0 : (1 << groupBits) - 1
        return packed.map { Int($0 & mask) }
    }

    /// Dense group numbers for one key, and how many there are.
    private func denseIds(_ key: Operand, rows n: Int) throws(Diagnostic) -> ([Int32], Int) {
        guard case .column(let c) = key else { return ([Int32](repeating: 0, count: n), n > 0 ? 1 : 0) }
        switch c.storage {
        case .text(let codes, let dict):
            // Entries equal as text (`==`: an NFC and an NFD spelling) are one group, as `=`
            // and `sort` treat them: each code maps to the first entry equal to it.
            var canonical: [String: Int32] = [:]
            let entry = dict.indices.map { i in
                if let first = canonical[dict[i]] { return first }
                canonical[dict[i]] = Int32(i)
                return Int32(i)
            }
            let nullCode = Int32(dict.count)
            var slots = [Int32](repeating: 0, count: n)
            for k in 0..<n { slots[k] = c.isNull(k) ? nullCode : entry[Int(codes[k])] }
            return try numberSlots(&slots, range: Int(nullCode) + 1)
        case .int(let b):
            var lo = Int64.max, hi = Int64.min
            for k in 0..<n { lo = Swift.min(lo, b[k]); hi = Swift.max(hi, b[k]) }
            let (span, overflow) = hi.subtractingReportingOverflow(lo)
            if n > 0, !overflow, span < Int64(Swift.max(1 << 20, 2 * n)), span < Int64(Int32.max) {
                let nullSlot = Int32(span + 1)
                var slots = [Int32](repeating: 0, count: n)
                for k in 0..<n { slots[k] = c.isNull(k) ? nullSlot : Int32(b[k] - lo) }
                return try numberSlots(&slots, range: Int(nullSlot) + 1)
            }
            // Values may span the whole Int64 range, leaving no value free to mark a null:
            // nulls get a group of their own.
            return try number(n) { k in c.isNull(k) ? nil : b[k] }
        case .double(let b):
            var raw = [Int64](repeating: 0, count: n)
            for k in 0..<n {
                let v = b[k] == 0 ? 0 : b[k]   // -0.0 and 0.0 are one group
                raw[k] = c.isNull(k) ? 0 : Int64(bitPattern: v.bitPattern)
            }
            return try compact(raw, range: nil, nulls: c.nulls)
        }
    }

    /// Numbers the slots in use, in slot order, in place: `slots` (each below `range`) become
    /// the group numbers. No copy of the rows beyond `slots` itself: a group by one key of 10M
    /// rows holds 40 MB of group numbers and nothing more.
    private func numberSlots(_ slots: inout [Int32], range: Int) throws(Diagnostic) -> ([Int32], Int) {
        var number = [Int32](repeating: -1, count: range)
        for k in slots.indices {
            if k & 0xFFFFF == 0 { try checkCancelled() }
            number[Int(slots[k])] = 0
        }
        var next: Int32 = 0
        for v in 0..<range where number[v] == 0 { number[v] = next; next += 1 }
        for k in slots.indices {
            if k & 0xFFFFF == 0 { try checkCancelled() }
            slots[k] = number[Int(slots[k])]
        }
        return (slots, Int(next))
    }

    /// Renumbers values densely as 0, 1, 2...: through a direct table (``numberSlots``) when
    /// they lie in a known small range, a hash table otherwise. Group order is settled later
    /// by key, so the numbering's own order does not matter.
    /// With `nulls`, the rows it marks form one group whatever their raw value.
    private func compact(_ raw: [Int64], range: Int64?, nulls: NullMask? = nil) throws(Diagnostic) -> ([Int32], Int) {
        if nulls == nil, let range, range <= Int64(Swift.max(1 << 22, 4 * raw.count)) {
            var slots = raw.map { Int32(truncatingIfNeeded: $0) }
            return try numberSlots(&slots, range: Int(range))
        }
        return try number(raw.count) { k in nulls?.isNull(k) == true ? nil : raw[k] }
    }

    /// Numbers the distinct values of rows `0..<n` densely through a hash table of integers;
    /// rows without a value (`nil`) form one group of their own, numbered last.
    private func number(_ n: Int, _ value: (Int) -> Int64?) throws(Diagnostic) -> ([Int32], Int) {
        var ids = [Int32](repeating: -1, count: n)
        var numbering = DenseNumbering(capacity: Swift.min(n, 1 << 16))
        var anyNull = false
        for k in 0..<n {
            if k & 0xFFFF == 0 { try checkCancelled() }
            if let v = value(k) { ids[k] = numbering.number(v) } else { anyNull = true }
        }
        guard anyNull else { return (ids, Int(numbering.count)) }
        let nullGroup = numbering.count
        for k in 0..<n where ids[k] < 0 { ids[k] = nullGroup }
        return (ids, Int(nullGroup) + 1)
    }

    // MARK: Aggregates

    /// One aggregate per group. `groups == nil` means a single group holding every row.
    /// Nulls are skipped; a group with no values gives null (count gives 0).
    func aggregate(_ fn: Aggregate, _ arg: Operand?, rows n: Int, groups: Grouping?, range: SourceRange) throws(Diagnostic) -> Column {
        let g = groups?.count ?? 1
        guard let arg else {
            var counts = [Int64](repeating: 0, count: g)
            if let groups { for k in 0..<n { counts[Int(groups.ids[k])] += 1 } } else { counts[0] = Int64(n) }
            return .ints(counts)
        }
        let ids = groups?.ids ?? []
        let grouped = groups != nil
        let nulls: NullMask? = { if case .column(let c) = arg { return c.nulls }; return nil }()
        // Groups made from these rows over a column with no null each hold a value: a sum, min
        // or max then needs no count per group (a pass over every row, into a table as large
        // as the groups, for millions of groups).
        let isColumn: Bool = { if case .column = arg { return true }; return false }()
        let countless = grouped && nulls == nil && isColumn && (fn == .sum || fn == .min || fn == .max)
        var counts = [Int64](repeating: 0, count: countless ? 0 : g)
        if case .constant(let v) = arg {
            if v != .null { for k in 0..<n { counts[grouped ? Int(ids[k]) : 0] += 1 } }
        } else if !countless {
            for k in 0..<n where nulls?.isNull(k) != true { counts[grouped ? Int(ids[k]) : 0] += 1 }
        }
        if fn == .count { return .ints(counts) }
        // Per group, whether it has no value (its aggregate is null); empty when none is.
        let empty = countless || !counts.contains(0) ? [] : counts.map { $0 == 0 }
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
                // Partial sums per slice on every core, then added together. Each sum is kept
                // as a wrapped Int64 plus how many times it wrapped (up or down), so a total
                // that fits is exact even when a partial sum did not (max, 1, -1), and one that
                // does not fit is an error rather than a wrapped total.
                // The wraps are few (none in any real budget): kept only for groups that wrap.
                let parts = Parallel.map(n) { slice -> ([Int64], [Int: Int]) in
                    var local = [Int64](repeating: 0, count: g)
                    var wraps: [Int: Int] = [:]
                    local.withUnsafeMutableBufferPointer { local in
                        for k in slice where nulls?.isNull(k) != true {
                            let i = grouped ? Int(ids[k]) : 0
                            let (v, o) = local[i].addingReportingOverflow(b[k])
                            local[i] = v
                            if o { wraps[i, default: 0] += b[k] < 0 ? -1 : 1 }
                        }
                    }
                    return (local, wraps)
                }
                var wraps: [Int: Int] = [:]
                for (local, localWraps) in parts {
                    sums.withUnsafeMutableBufferPointer { sums in
                        for i in 0..<g {
                            let (v, o) = sums[i].addingReportingOverflow(local[i])
                            sums[i] = v
                            if o { wraps[i, default: 0] += local[i] < 0 ? -1 : 1 }
                        }
                    }
                    for (i, w) in localWraps { wraps[i, default: 0] += w }
                }
                overflow = wraps.values.contains { $0 != 0 }
            }
            if overflow { throw fail(.integerOverflow(operation: "sum"), range) }
            return .ints(sums, nullWhere: empty)
        case (.avg, .int):
            // Added exactly and divided once: through rounded doubles the mean of Int64.max and
            // Int64.min is 0, not -0.5. Each sum is a wrapped Int64 plus how many times it
            // wrapped, which is exact (at most 2^63 values below 2^63); 128-bit arithmetic,
            // which the standard library does not specialise, only for the groups that wrapped.
            var sums = [Int64](repeating: 0, count: g)
            var wraps = [Int](repeating: 0, count: g)
            if case .column(let c) = arg, case .int(let b) = c.storage {
                sums.withUnsafeMutableBufferPointer { sums in
                    for k in 0..<n where nulls?.isNull(k) != true {
                        let i = grouped ? Int(ids[k]) : 0
                        let (v, o) = sums[i].addingReportingOverflow(b[k])
                        sums[i] = v
                        if o { wraps[i] += b[k] < 0 ? -1 : 1 }
                    }
                }
            } else if case .constant(.int(let x)) = arg {
                for i in 0..<g {
                    let wide = Int128(x) * Int128(counts[i])
                    sums[i] = Int64(truncatingIfNeeded: wide)
                    wraps[i] = Int((wide - Int128(sums[i])) >> 64)
                }
            }
            try checkCancelled()
            return .doubles((0..<g).map { i -> Double? in
                guard counts[i] > 0 else { return nil }
                if wraps[i] == 0 {
                    let (q, r) = sums[i].quotientAndRemainder(dividingBy: counts[i])
                    return Double(q) + Double(r) / Double(counts[i])
                }
                return Self.mean(exactSum: Int128(wraps[i]) << 64 + Int128(sums[i]), count: counts[i])
            })
        case (.sum, .double), (.avg, .double):
            // Decimals with a few places (money with cents) add up exactly; see ExactSum.
            if fn == .sum, case .column(let c) = arg, case .double(let b) = c.storage,
               let exact = ExactSum.sum(b, nulls: nulls, ids: grouped ? ids : nil, groups: g) {
                return .doubles(exact, nullWhere: empty)
            }
            if fn == .avg, case .column(let c) = arg, case .double(let b) = c.storage,
               let exact = ExactSum.mean(b, nulls: nulls, ids: grouped ? ids : nil, groups: g, counts: counts) {
                return .doubles(exact, nullWhere: empty)
            }
            // Neumaier's compensated sum: the result is the correctly rounded sum far more
            // often than a plain loop, so `avg` of 51.09 and 37.74 prints as 44.415.
            var sums = [Double](repeating: 0, count: g)
            var carry = [Double](repeating: 0, count: g)
            @inline(__always) func add(_ i: Int, _ x: Double) {
                let s = sums[i], t = s + x
                carry[i] += Swift.abs(s) >= Swift.abs(x) ? (s - t) + x : (x - t) + s
                sums[i] = t
            }
            switch arg {
            case .column(let c):
                switch c.storage {
                case .int(let b):
                    for k in 0..<n where nulls?.isNull(k) != true { add(grouped ? Int(ids[k]) : 0, Double(b[k])) }
                case .double(let b):
                    for k in 0..<n where nulls?.isNull(k) != true { add(grouped ? Int(ids[k]) : 0, b[k]) }
                case .text: break
                }
            case .constant:
                let x = arg.double(0)
                for i in 0..<g { sums[i] = x * Double(counts[i]) }
            }
            for i in 0..<g { sums[i] += carry[i] }
            if fn == .avg && sums.contains(where: { !$0.isFinite }), case .column(let c) = arg, case .double(let b) = c.storage {
                // A total past the range of a decimal whose mean is not (1e308 and 1e308): add
                // each value divided by its group's count instead, which cannot overflow.
                for i in 0..<g { sums[i] = 0; carry[i] = 0 }
                for k in 0..<n where nulls?.isNull(k) != true {
                    let i = grouped ? Int(ids[k]) : 0
                    add(i, b[k] / Double(counts[i]))
                }
                for i in 0..<g { sums[i] += carry[i]; counts[i] = 1 }
            }
            // A total past the range of a decimal is an error, never an infinity in the output.
            if sums.contains(where: { !$0.isFinite }) { throw fail(.decimalOverflow(operation: fn.rawValue), range) }
            if fn == .avg { for i in 0..<g where counts[i] > 0 { sums[i] /= Double(counts[i]) } }
            return .doubles(sums, nullWhere: empty)
        case (.min, _), (.max, _):
            return extreme(fn == .max, arg, rows: n, groups: g, ids: grouped ? ids : nil, empty: empty)
        case (_, nil):
            return .ints([Int64?](repeating: nil, count: g))
        default:
            throw fail(.notNumeric(operation: fn.rawValue, type: arg.typeName), range)
        }
    }

    private func extreme(_ isMax: Bool, _ arg: Operand, rows n: Int, groups g: Int, ids: [Int32]?, empty: [Bool]) -> Column {
        let column = arg.materialize(count: n)
        var best = [Int](repeating: -1, count: g)
        let key = SortColumn(column, descending: false)
        for k in 0..<n where !column.isNull(k) {
            let i = ids.map { Int($0[k]) } ?? 0
            if best[i] < 0 { best[i] = k; continue }
            let c = key.compare(k, best[i])
            if isMax ? c > 0 : c < 0 { best[i] = k }
        }
        let rows = best.map { Int32(Swift.max($0, 0)) }
        var out = n > 0 ? column.gather(rows) : Self.nulls(like: column, count: g)
        if empty.contains(true) {
            let flags = (0..<g).map { empty[$0] || out.isNull($0) }
            out.nulls = NullMask.from(flags)
        }
        return out
    }
}

extension Evaluator {
    /// The mean of `count` integers that add up to `exactSum`: quotient and remainder are
    /// turned into doubles apart, so the only rounding is the final one's, whatever the sum.
    static func mean(exactSum: Int128, count: Int64) -> Double {
        let (q, r) = exactSum.quotientAndRemainder(dividingBy: Int128(count))
        return Double(Int64(q)) + Double(Int64(r)) / Double(count)
    }

    /// `count` nulls of `column`'s type: `min` and `max` over no rows keep their argument's
    /// type, so `max(kabupaten) = "x"` compares text with text.
    static func nulls(like column: Column, count: Int) -> Column {
        switch column.type {
        case .int: return .ints([Int64?](repeating: nil, count: count))
        case .double: return .doubles([Double?](repeating: nil, count: count))
        case .text: return .texts([String?](repeating: nil, count: count))
        }
    }
}

extension Operand {
    /// Values at the listed rows (constants stay constant, as a column of that many rows).
    func gather(_ rows: [Int32], control: RunControl? = nil) -> Column {
        switch self {
        case .column(let c): return c.gather(rows, control: control)
        case .constant: return materialize(count: rows.count)
        }
    }
}
