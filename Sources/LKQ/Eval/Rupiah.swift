#if canImport(LKQSyntax)
import LKQSyntax
#endif

extension Frame {
    /// Whether `e` computes amounts of rupiah, so that its column keeps ``Field/isRupiah``: a
    /// rupiah column (or default measure), `sum`, `min`, `max`, `abs` or `coalesce` of rupiah, a
    /// negated amount, and the sum or difference of amounts (or of an amount and a whole number).
    /// A share (`realisasi * 100 / pagu`) or an average is not an amount of rupiah.
    func isRupiah(_ e: Expr) -> Bool {
        switch e.kind {
        case .column(let name):
            return index(of: name).map { fields[$0].isRupiah } ?? false
        case .defaultMeasure:
            return measure.flatMap(index(of:)).map { fields[$0].isRupiah } ?? false
        case .negate(let inner):
            return isRupiah(inner)
        case .binary(.add, let l, let r), .binary(.subtract, let l, let r):
            func wholeNumber(_ x: Expr) -> Bool { if case .int = x.kind { return true }; return false }
            return (isRupiah(l) || wholeNumber(l)) && (isRupiah(r) || wholeNumber(r)) && (isRupiah(l) || isRupiah(r))
        case .call(let name, let args):
            guard ["sum", "min", "max", "abs", "coalesce"].contains(name.text), !args.isEmpty else { return false }
            return args.allSatisfy(isRupiah)
        default:
            return false
        }
    }
}
