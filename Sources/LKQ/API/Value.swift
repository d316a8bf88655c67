#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// One value in a result: what a cell of a ``QueryResult`` holds.
public enum Value: Sendable, Hashable, Encodable, CustomStringConvertible {
    case null
    case int(Int64)
    case double(Double)
    case text(String)

    /// Encodes as a JSON number, string or null.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .int(let v): try c.encode(v)
        case .double(let v): if v.isFinite { try c.encode(v) } else { try c.encodeNil() }
        case .text(let v): try c.encode(v)
        }
    }

    /// Plain text: no thousands separators, `null` for null.
    public var description: String {
        switch self {
        case .null: return "null"
        case .int(let v): return String(v)
        case .double(let v): return Value.format(v)
        case .text(let v): return v
        }
    }

    /// The shortest text that reads back as the same double, without a trailing `.0`.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if printsWhole(v) { return String(Int64(v)) }
        return "\(v)"
    }

    /// Whether `v` is written as an integer (a whole value below 10^15): the one rule for
    /// every output that prints decimals.
    @inline(__always) static func printsWhole(_ v: Double) -> Bool { v == v.rounded() && abs(v) < 1e15 }
}
