#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// The type of a column's values.
public enum ColumnType: String, Sendable, Codable, CaseIterable {
    /// 64-bit integers; rupiah amounts are kept exact as these.
    case int
    /// Binary floating point, for percentages and other decimals.
    case double
    /// Text, stored dictionary-encoded.
    case text

    var article: String {
        switch self {
        case .int: return "an integer"
        case .double: return "a number"
        case .text: return "text"
        }
    }
}

/// The values of a column, typed; see ``Column``.
enum ColumnStorage: Sendable {
    case int(Buffer<Int64>)
    case double(Buffer<Double>)
    /// Each row holds an index into `dictionary`, which has no duplicates.
    case text(codes: Buffer<Int32>, dictionary: [String])
}

/// A typed column: one storage buffer plus a null mask. Rows that are null hold an
/// unspecified placeholder (0, 0.0 or code 0) in the storage.
struct Column: Sendable {
    var storage: ColumnStorage
    var nulls: NullMask?

    var type: ColumnType {
        switch storage {
        case .int: return .int
        case .double: return .double
        case .text: return .text
        }
    }

    var count: Int {
        switch storage {
        case .int(let b): return b.count
        case .double(let b): return b.count
        case .text(let c, _): return c.count
        }
    }

    @inline(__always) func isNull(_ row: Int) -> Bool { nulls?.isNull(row) ?? false }

    /// How many rows are null.
    var nullCount: Int {
        guard let mask = nulls else { return 0 }
        var n = 0
        for w in 0..<NullMask.wordCount(rows: count) {
            let kept = min(64, count - w * 64)
            n += (kept == 64 ? mask.words[w] : mask.words[w] & ((1 << UInt64(kept)) - 1)).nonzeroBitCount
        }
        return n
    }

    /// The value at `row`, boxed; for output and tests, not for inner loops. A NaN or an
    /// infinity never leaves as a number: it reads as null.
    func value(at row: Int) -> Value {
        if isNull(row) { return .null }
        switch storage {
        case .int(let b): return .int(b[row])
        case .double(let b): return b[row].isFinite ? .double(b[row]) : .null
        case .text(let codes, let dict): return .text(dict[Int(codes[row])])
        }
    }

    /// Builds a column from optional Swift values.
    static func ints(_ values: [Int64?]) -> Column {
        Column(storage: .int(Buffer(values.map { $0 ?? 0 })), nulls: NullMask.from(values.map { $0 == nil }))
    }

    /// A column of `values`, null where `empty` is true (no entries: none is null), with no
    /// optional per value.
    static func ints(_ values: [Int64], nullWhere empty: [Bool]) -> Column {
        Column(storage: .int(Buffer(values)), nulls: empty.isEmpty ? nil : NullMask.from(empty))
    }

    static func doubles(_ values: [Double], nullWhere empty: [Bool]) -> Column {
        Column(storage: .double(Buffer(values)), nulls: empty.isEmpty ? nil : NullMask.from(empty))
    }

    static func doubles(_ values: [Double?]) -> Column {
        Column(storage: .double(Buffer(values.map { $0 ?? 0 })), nulls: NullMask.from(values.map { $0 == nil }))
    }

    static func texts(_ values: [String?]) -> Column {
        var index: [String: Int32] = [:]
        var dictionary: [String] = []
        var codes = [Int32]()
        codes.reserveCapacity(values.count)
        for v in values {
            guard let v else { codes.append(0); continue }
            if let c = index[v] { codes.append(c); continue }
            let c = Int32(dictionary.count)
            index[v] = c
            dictionary.append(v)
            codes.append(c)
        }
        return Column(storage: .text(codes: Buffer(codes), dictionary: dictionary),
                      nulls: NullMask.from(values.map { $0 == nil }))
    }
}
