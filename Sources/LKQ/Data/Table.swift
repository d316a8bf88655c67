import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// A named column of a table, with its type.
public struct Field: Sendable, Hashable, Codable {
    /// Lower-case column name.
    public let name: String
    /// The column's type.
    public let type: ColumnType
    /// Whether the integers are amounts of rupiah (pagu, realisasi), which the Indonesian output
    /// style prints as `Rp9.051.591.780`.
    public let isRupiah: Bool
    /// Creates a field; only an integer field can be rupiah.
    public init(name: String, type: ColumnType, isRupiah: Bool = false) {
        self.name = name
        self.type = type
        self.isRupiah = isRupiah && type == .int
    }

    /// Whether a CSV column of integers named `name` holds rupiah, by its name: a name containing
    /// `pagu`, `anggaran`, `rupiah` or `nilai_rp`, or `realisasi` in a table that also has a column
    /// whose name contains `pagu`; never a year or a code (`tahun_anggaran`, `kode_anggaran`).
    public static func looksLikeRupiah(_ name: String, besides names: [String]) -> Bool {
        let n = name.lowercased()
        if ["tahun", "year", "kode", "no", "id"].contains(where: { n == $0 || n.hasPrefix($0 + "_") || n.hasSuffix("_" + $0) }) {
            return false
        }
        if ["pagu", "anggaran", "rupiah", "nilai_rp"].contains(where: { n.contains($0) }) { return true }
        return n.contains("realisasi") && names.contains { $0.lowercased().contains("pagu") }
    }
}

/// A table: a schema plus typed columns, loaded all at once or column by column on demand.
///
/// Tables are values that share their storage; copying one is cheap, and a table can be
/// read from many threads at once.
public struct Table: Sendable {
    /// The name queries use for it.
    public let name: String
    /// Its columns, in order.
    public let fields: [Field]
    /// The column a bare comparison (`where < 75`) and a bare aggregate (`| avg`) use.
    public let measure: String?
    /// Where the data came from: a table in the report or a file path.
    public let origin: String
    let store: ColumnStore

    init(name: String, fields: [Field], measure: String?, origin: String, store: ColumnStore) {
        self.name = name
        self.fields = fields
        self.measure = measure
        self.origin = origin
        self.store = store
    }

    /// Values a host program supplies for one column.
    public enum Values: Sendable {
        case int([Int64?])
        case double([Double?])
        case text([String?])
    }

    /// Builds a table from Swift values. Every column must have the same number of rows, and
    /// every decimal must be finite (NaN and infinities are refused; use `nil` for a gap).
    ///
    /// - Parameters:
    ///   - name: the name queries will use (matched case-insensitively).
    ///   - columns: column names (lower-cased) with their values, in order.
    ///   - measure: the default measure, a column name, if the table has one.
    ///   - rupiah: names of integer columns that hold rupiah amounts (see ``Field/isRupiah``).
    public init(name: String, columns: [(String, Values)], measure: String? = nil, origin: String = "host",
                rupiah: Set<String> = []) throws(LKQError) {
        var fields: [Field] = []
        var built: [Column] = []
        var seen = Set<String>()
        for (rawName, values) in columns {
            let columnName = rawName.lowercased()
            guard seen.insert(columnName).inserted else {
                throw LKQError(Diagnostic(.duplicateColumn(columnName), .none))
            }
            switch values {
            case .int(let v):
                fields.append(Field(name: columnName, type: .int, isRupiah: rupiah.contains { $0.lowercased() == columnName }))
                built.append(.ints(v))
            case .double(let v):
                if let row = v.firstIndex(where: { $0.map { !$0.isFinite } ?? false }) {
                    throw LKQError(Diagnostic(.notFiniteValue(column: columnName, row: row), .none))
                }
                fields.append(Field(name: columnName, type: .double)); built.append(.doubles(v))
            case .text(let v):
                // In NFC, as all text in LKQ (Data/Text.swift).
                fields.append(Field(name: columnName, type: .text)); built.append(.texts(v.map { $0?.nfc }))
            }
        }
        let count = built.first?.count ?? 0
        if let bad = built.firstIndex(where: { $0.count != count }) {
            throw LKQError(Diagnostic(.csvFieldCount(expected: count, got: built[bad].count), .none))
        }
        if let measure, !seen.contains(measure.lowercased()) {
            throw LKQError(Diagnostic(.unknownColumn(measure, table: name, suggestion: nil), .none))
        }
        self.init(name: name.lowercased(), fields: fields, measure: measure?.lowercased(), origin: origin,
                  store: ColumnStore(count: count, columns: built))
    }

    /// The index of a column by (case-insensitive) name.
    func fieldIndex(_ name: String) -> Int? {
        let lower = name.lowercased()
        return fields.firstIndex { $0.name == lower }
    }

    /// Number of rows; may read the data once if the table is loaded lazily.
    public func rowCount() throws(LKQError) -> Int {
        do { return try store.load([]).count } catch { throw LKQError(error) }
    }
}

/// Holds a table's columns, reading the ones a query asks for the first time they are needed.
final class ColumnStore: @unchecked Sendable {
    typealias Loader = @Sendable (_ wanted: [Int]) throws(Diagnostic) -> (count: Int, columns: [Int: Column])

    private let lock = NSLock()
    private var count: Int?
    private var columns: [Column?]
    private let loader: Loader?
    /// Called on every load, even when every column asked for is in memory: throws when the
    /// columns held no longer stand for the source (a CSV file changed since it was read).
    private let check: (@Sendable () throws(Diagnostic) -> Void)?

    /// A store whose columns are all present.
    init(count: Int, columns: [Column]) {
        self.count = count
        self.columns = columns
        self.loader = nil
        self.check = nil
    }

    /// A store that calls `loader` for the columns a query needs, once each.
    init(columnCount: Int, check: (@Sendable () throws(Diagnostic) -> Void)? = nil, loader: @escaping Loader) {
        self.count = nil
        self.columns = Array(repeating: nil, count: columnCount)
        self.loader = loader
        self.check = check
    }

    /// Throws if the columns held no longer stand for the source (see `check`).
    func validate() throws(Diagnostic) {
        try check?()
    }

    /// The row count and the asked-for columns, in the order asked.
    func load(_ wanted: [Int]) throws(Diagnostic) -> (count: Int, columns: [Column]) {
        lock.lock()
        defer { lock.unlock() }
        try check?()
        let missing = wanted.filter { columns[$0] == nil }
        if count == nil || !missing.isEmpty {
            guard let loader else { preconditionFailure("complete store is missing a column") }
            let (n, got) = try loader(Array(Set(missing)).sorted())
            count = n
            for (i, c) in got { columns[i] = c }
        }
        return (count!, wanted.map { columns[$0]! })
    }
}
