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
    /// The header as the file wrote it (`Pagu (Rp)`), when it differs from `name` (`pagu_rp`);
    /// `table` output and `.schema` show it.
    public let label: String?
    /// What the numbers measure, when the file said so (`Rp`, `%`).
    public let unit: Unit?
    /// What loading decided about the column and why (number style, codes kept as text, cells
    /// that were not numbers), in sentences for `.schema`.
    public let notes: [String]

    /// What a column's numbers measure, as the file marked them.
    public enum Unit: String, Sendable, Hashable, Codable {
        /// Amounts of rupiah: an `Rp` prefix, or a name such as `pagu` (integers only).
        case rupiah
        /// Percentages written with `%`; the value is the number before the sign (`98,40%` is 98.4).
        case percent
    }

    /// Creates a field; only an integer field can be rupiah.
    public init(name: String, type: ColumnType, isRupiah: Bool = false) {
        self.init(name: name, type: type, isRupiah: isRupiah, label: nil, unit: nil, notes: [])
    }

    /// Creates a field with the header it was read from, its unit and loading notes.
    public init(name: String, type: ColumnType, isRupiah: Bool, label: String?, unit: Unit?, notes: [String]) {
        self.name = name
        self.type = type
        self.isRupiah = isRupiah && type == .int
        self.label = label == name ? nil : label
        self.unit = unit
        self.notes = notes
    }

    /// This field with another type, keeping its label, unit and notes (a column read in full
    /// may be wider than the head of its file suggested).
    public func with(type: ColumnType) -> Field {
        Field(name: name, type: type, isRupiah: isRupiah, label: label, unit: unit, notes: notes)
    }

    /// The name to show above the column: the original header when there is one.
    public var displayName: String { label ?? name }

    /// The identifier for a header: lower case, each run of characters other than ASCII letters,
    /// digits and `_` becomes one `_`, none at either end (`Pagu (Rp)` is `pagu_rp`,
    /// `Uraian Program` is `uraian_program`); `_` before a leading digit (`2023` is `_2023`);
    /// empty when nothing is left.
    public static func identifier(forHeader header: String) -> String {
        var out = ""
        var pendingGap = false
        for scalar in header.lowercased().unicodeScalars {
            let ok = (scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar))) || scalar == "_"
            if ok {
                if pendingGap && !out.isEmpty && out.last != "_" && scalar != "_" { out.append("_") }
                pendingGap = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingGap = true
            }
        }
        while out.hasSuffix("_") { out.removeLast() }
        while out.hasPrefix("_") { out.removeFirst() }
        if let first = out.first, first.isNumber { out = "_" + out }
        return out
    }

    /// Identifiers for a header row, in order: each header's ``identifier(forHeader:)`` (or
    /// `columnN` when it has none), with `_2`, `_3`... added to the second and later holders of
    /// one identifier. Returns a note for each renamed column.
    static func identifiers(forHeaders headers: [String]) -> (names: [String], notes: [String]) {
        var names: [String] = []
        var notes: [String] = []
        var taken = Set<String>()
        var firstHolder: [String: String] = [:]
        for (i, header) in headers.enumerated() {
            var base = identifier(forHeader: header)
            if base.isEmpty { base = "column\(i + 1)" }
            var name = base
            var k = 2
            while taken.contains(name) { name = "\(base)_\(k)"; k += 1 }
            if name != base {
                notes.append("column \(i + 1) ('\(header)') is named '\(name)': '\(base)' is already column '\(firstHolder[base] ?? base)'")
            }
            firstHolder[base] = firstHolder[base] ?? header
            taken.insert(name)
            names.append(name)
        }
        return (names, notes)
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

    /// What `.schema` shows for one column.
    public struct ColumnReport: Sendable, Equatable {
        /// The identifier queries use.
        public let name: String
        /// The header as the file wrote it (the identifier when there is no other).
        public let header: String
        /// `int`, `double` or `text`, or `rupiah`/`percent` for numbers so marked.
        public let type: String
        /// How many values are null.
        public let nulls: Int
        /// What loading decided and found: number style, codes, cells that were not numbers
        /// (how many, and where the first is), the default measure.
        public let notes: [String]
    }

    /// A report per column for `.schema`: identifier, header, type, nulls and notes. Reads every
    /// column of a table loaded lazily (the null counts and the cells that were not numbers are
    /// known only then).
    public func columnReports() throws(LKQError) -> [ColumnReport] {
        let loaded: (count: Int, columns: [Column])
        do { loaded = try store.load(Array(fields.indices)) } catch { throw LKQError(error) }
        let bad = store.badCells()
        return fields.indices.map { i in
            let field = fields[i], column = loaded.columns[i]
            let nulls = column.nullCount
            var notes: [String] = []
            if field.name == measure { notes.append("default measure") }
            if let b = bad[i], let first = b.first.first, case .file(let path, let line, let col) = first.location,
               case .csvNotANumber(_, let text) = first.kind {
                notes.append("\(b.count) \(b.count == 1 ? "cell" : "cells") not a number, read as null; the first: '\(text)' at \(path):\(line):\(col)")
            }
            var type = column.type.rawValue
            if field.isRupiah || (field.unit == .rupiah && column.type != .text) { type = "rupiah" }
            if field.unit == .percent && column.type != .text { type = "percent" }
            if column.type != field.type && column.type == .text {
                notes.append("text: values further down the file are not numbers")
            }
            return ColumnReport(name: field.name, header: field.displayName, type: type, nulls: nulls,
                                notes: notes + field.notes)
        }
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
    /// For a file read lazily: per column read so far, the cells that were not numbers.
    private let badCellsProvider: (@Sendable () -> [Int: CSVReader.BadCells])?

    /// A store whose columns are all present.
    init(count: Int, columns: [Column]) {
        self.count = count
        self.columns = columns
        self.loader = nil
        self.check = nil
        self.badCellsProvider = nil
        self.rowReader = nil
        self.streamer = nil
    }

    /// A store that calls `loader` for the columns a query needs, once each; `badCells` gives
    /// the cells of a file read lazily that were not numbers.
    init(columnCount: Int, check: (@Sendable () throws(Diagnostic) -> Void)? = nil, loader: @escaping Loader,
         badCells: (@Sendable () -> [Int: CSVReader.BadCells])? = nil, rowReader: RowReader? = nil,
         streamer: Streamer? = nil) {
        self.count = nil
        self.columns = Array(repeating: nil, count: columnCount)
        self.loader = loader
        self.check = check
        self.badCellsProvider = badCells
        self.rowReader = rowReader
        self.streamer = streamer
    }

    typealias Streamer = @Sendable (_ wanted: [Int], _ body: (_ count: Int, _ columns: [Int: Column]) throws(Diagnostic) -> Bool) throws(Diagnostic) -> Int?
    /// For a file that can be read as a stream (``CSVSource/stream(_:_:)``).
    private let streamer: Streamer?

    /// The rows of the `wanted` columns a stretch at a time, none kept (see
    /// ``CSVSource/stream(_:_:)``); nil when the caller must read the columns whole instead.
    func stream(_ wanted: [Int], _ body: (_ count: Int, _ columns: [Int: Column]) throws(Diagnostic) -> Bool) throws(Diagnostic) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard let streamer, wanted.allSatisfy({ columns[$0] == nil }) else { return nil }
        streamsStarted += 1
        return try streamer(wanted, body)
    }

    /// How many reads of the file as a stream have started: a self-join is meant to take one.
    private(set) var streamsStarted = 0

    typealias RowReader = @Sendable (_ rows: [Int], _ wanted: [Int]) throws(Diagnostic) -> [Int: Column]?
    /// For a file read lazily: some columns of a few rows, read again from the file.
    private let rowReader: RowReader?

    /// Whether column `c` is in memory.
    func holds(_ c: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return columns[c] != nil
    }

    /// The asked-for columns of the given rows (ascending), without reading the columns whole;
    /// nil when the store cannot (see ``CSVSource/readRows(_:columns:)``).
    func rows(_ rows: [Int], columns wanted: [Int]) throws(Diagnostic) -> [Column]? {
        lock.lock()
        defer { lock.unlock() }
        guard let rowReader, let got = try rowReader(rows, wanted) else { return nil }
        var out: [Column] = []
        for c in wanted {
            guard let column = got[c], column.count == rows.count else { return nil }
            out.append(column)
        }
        return out
    }

    /// Throws if the columns held no longer stand for the source (see `check`).
    func validate() throws(Diagnostic) {
        try check?()
    }

    /// The cells that were not numbers, per column, once the columns are read.
    func badCells() -> [Int: CSVReader.BadCells] {
        lock.lock()
        defer { lock.unlock() }
        return badCellsProvider?() ?? [:]
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
