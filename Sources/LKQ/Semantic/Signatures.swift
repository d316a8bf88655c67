#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// The parts of the functions' signatures that speak of values and types of the plan; the
/// words themselves are in the registry (LKQSyntax).
extension ScalarFunction {
    /// Arguments that must be written as a constant of a certain form: their position, what to
    /// say when one is not, and the test.
    var constantArguments: [(position: Int, expected: String, accepts: @Sendable (Value) -> Bool)] {
        switch self {
        case .round:
            return [(1, "a whole number of digits between -18 and 18", { if case .int(let d) = $0 { return (-18...18).contains(d) }; return false })]
        case .hitung_capaian:
            return [(3, "'selisih' or 'rasio'", { if case .text(let r) = $0 { return Kinerja.RumusNegatif(rawValue: r.lowercased()) != nil }; return false })]
        default:
            return []
        }
    }

    /// The type of a call from its arguments' types (and constant arguments, where given), and
    /// whether rupiah arguments give rupiah; nil when the arguments have no common type.
    func result(_ args: [ValueType], constants: [Value?]) -> (type: ValueType, keepsRupiah: Bool)? {
        switch self {
        case .round:
            if args.count == 2, case .int(let d)? = constants[1] { return (args[0] == .int && d >= 0 ? .int : .double, false) }
            return (args[0] == .int ? .int : .double, false)
        case .abs: return (args[0] == .null ? .int : args[0], true)
        case .lower, .upper, .trim, .substr, .replace, .split_part, .concat, .kategori, .text: return (.text, false)
        case .length: return (.int, false)
        case .starts_with, .ends_with: return (.condition, false)
        case .number, .hitung_capaian: return (.double, false)
        case .coalesce:
            var t = ValueType.null
            for a in args {
                guard let c = ValueType.common(t, a) else { return nil }
                t = c
            }
            return (t, true)
        }
    }
}
