#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// An evaluated expression: a column with one value per visible row, or one value for all.
enum Operand {
    case column(Column)
    case constant(Value)

    /// The type, or `nil` for the untyped constant `null`.
    var type: ColumnType? {
        switch self {
        case .column(let c): return c.type
        case .constant(.int): return .int
        case .constant(.double): return .double
        case .constant(.text): return .text
        case .constant(.null): return nil
        }
    }

    var typeName: String {
        switch type {
        case .int: return "an integer"
        case .double: return "a number"
        case .text: return "text"
        case nil: return "null"
        }
    }

    var isNumeric: Bool { type == .int || type == .double || type == nil }

    @inline(__always) func isNull(_ i: Int) -> Bool {
        switch self {
        case .column(let c): return c.isNull(i)
        case .constant(let v): return v == .null
        }
    }

    /// Value `i` as a double; only for numeric operands.
    @inline(__always) func double(_ i: Int) -> Double {
        switch self {
        case .column(let c):
            switch c.storage {
            case .int(let b): return Double(b[i])
            case .double(let b): return b[i]
            case .text: return .nan
            }
        case .constant(.int(let v)): return Double(v)
        case .constant(.double(let v)): return v
        default: return .nan
        }
    }

    /// Value `i` as an integer; only for integer operands.
    @inline(__always) func int(_ i: Int) -> Int64 {
        switch self {
        case .column(let c):
            if case .int(let b) = c.storage { return b[i] }
            return 0
        case .constant(.int(let v)): return v
        default: return 0
        }
    }

    /// Value `i` as text; only for text operands.
    func text(_ i: Int) -> String {
        switch self {
        case .column(let c):
            if case .text(let codes, let dict) = c.storage { return dict[Int(codes[i])] }
            return ""
        case .constant(.text(let s)): return s
        default: return ""
        }
    }

    /// The operand as a column of `count` rows (constants repeated).
    func materialize(count: Int) -> Column {
        switch self {
        case .column(let c): return c
        case .constant(let v):
            switch v {
            case .null: return .ints([Int64?](repeating: nil, count: count))
            case .int(let x): return Column(storage: .int(Buffer(Array(repeating: x, count: count))), nulls: nil)
            case .double(let x): return Column(storage: .double(Buffer(Array(repeating: x, count: count))), nulls: nil)
            case .text(let s):
                return Column(storage: .text(codes: Buffer(Array(repeating: 0, count: count)), dictionary: [s]), nulls: nil)
            }
        }
    }
}
