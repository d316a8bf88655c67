/// Sums of decimals written with a few decimal places (money with cents: `1.476.000,50`) that are
/// exact to the last place, as sums of integer rupiah are.
///
/// Such values are held as the `Double` nearest to what the file wrote. That is enough to know
/// the written value again: `v` came from a decimal with `s` places exactly when
/// `(v * 10^s).rounded() / 10^s == v` (the division of two exact numbers rounds to the double
/// nearest that decimal, which is how `v` was made). So a column every value of which has at
/// most ``maxScale`` places is summed as integers of 10^-s, in 64 bits with overflow checked,
/// and the total is the double nearest to the exact decimal sum: no cent is lost however many
/// values are added. Any other column (computed ratios, more places) returns `nil`, and the
/// caller's compensated sum applies.
///
/// Chosen over a decimal column type so that no new ``ColumnType`` reaches every switch of the
/// evaluator: the exactness lives in the one place it is needed, the sum.
enum ExactSum {
    /// The most decimal places taken as written; money has two, some rates four.
    static let maxScale = 4
    /// Integers of 10^-s are exact in a `Double` below this.
    static let limit = 9_007_199_254_740_992.0

    /// Per group (`ids` numbers the group of each row, `nil` for one group), the exact sum of the
    /// non-null values, or `nil` when a value has more than ``maxScale`` places, a total passes
    /// 2^53 units of its last place, or nothing needs it (every value whole).
    static func sum(_ b: Buffer<Double>, nulls: NullMask?, ids: [Int32]?, groups: Int) -> [Double]? {
        guard let (totals, p) = totals(b, nulls: nulls, ids: ids, groups: groups) else { return nil }
        return totals.map { Double($0) / p }
    }

    /// Per group, the mean of the non-null values rounded once from the exact decimal mean
    /// (the exact total over count × 10^s, both exact doubles, in one division), when the
    /// values allow an exact sum; `counts` are the groups' non-null counts.
    static func mean(_ b: Buffer<Double>, nulls: NullMask?, ids: [Int32]?, groups: Int, counts: [Int64]) -> [Double]? {
        guard let (totals, p) = totals(b, nulls: nulls, ids: ids, groups: groups) else { return nil }
        var means: [Double] = []
        means.reserveCapacity(groups)
        for (total, count) in zip(totals, counts) {
            let divisor = p * Double(count)
            if divisor >= limit { return nil }
            means.append(count == 0 ? 0 : Double(total) / divisor)
        }
        return means
    }

    /// The exact totals in units of 10^-s, and 10^s.
    private static func totals(_ b: Buffer<Double>, nulls: NullMask?, ids: [Int32]?, groups: Int) -> ([Int64], Double)? {
        var scale = 0
        var p = 1.0
        for k in 0..<b.count where nulls?.isNull(k) != true {
            let v = b[k]
            while true {
                let r = (v * p).rounded()
                if Swift.abs(r) < limit && r / p == v { break }
                if scale == maxScale { return nil }
                scale += 1
                p *= 10
            }
        }
        // Whole numbers: the compensated sum is already exact for them.
        if scale == 0 { return nil }
        var totals = [Int64](repeating: 0, count: groups)
        for k in 0..<b.count where nulls?.isNull(k) != true {
            let i = ids.map { Int($0[k]) } ?? 0
            let (t, overflow) = totals[i].addingReportingOverflow(Int64((b[k] * p).rounded()))
            if overflow { return nil }
            totals[i] = t
        }
        if totals.contains(where: { Swift.abs(Double($0)) >= limit }) { return nil }
        return (totals, p)
    }
}
