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

extension Column {
    /// This text column with its values in Unicode NFC, so that text typed two ways that look
    /// alike (`é` as one character, or `e` and a combining accent) is one value: it groups,
    /// joins and compares as one. Only non-ASCII values can change; a column with none is
    /// returned as it is, without copying.
    func normalizedNFC() -> Column {
        guard case .text(let codes, let dictionary) = storage else { return self }
        var changed = false
        var normalized = dictionary
        for (i, s) in dictionary.enumerated() where s.utf8.contains(where: { $0 >= 0x80 }) {
            let n = s.precomposedStringWithCanonicalMapping
            // Swift's == compares canonically equivalent strings as equal; compare the bytes.
            if !n.utf8.elementsEqual(s.utf8) { normalized[i] = n; changed = true }
        }
        guard changed else { return self }
        var index: [[UInt8]: Int32] = [:]
        var newDictionary: [String] = []
        var map = [Int32](repeating: 0, count: dictionary.count)
        for (i, s) in normalized.enumerated() {
            let key = Array(s.utf8)
            if let c = index[key] { map[i] = c; continue }
            let c = Int32(newDictionary.count)
            index[key] = c
            newDictionary.append(s)
            map[i] = c
        }
        let newCodes = Buffer<Int32>.make(count: codes.count) { out in
            for r in 0..<codes.count { out[r] = map[Int(codes[r])] }
        }
        return Column(storage: .text(codes: newCodes, dictionary: newDictionary), nulls: nulls)
    }
}
