import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// How to read a CSV file.
public struct CSVOptions: Sendable {
    /// How numbers are written.
    public enum Locale: Sendable, Hashable {
        /// Decide per column: Indonesian only when the sample from the head of the file shows it
        /// unmistakably (an `Rp` prefix, two or more thousands dots as in `1.234.567`, thousands
        /// dots with a decimal comma, or a decimal comma, when the separator is not a comma or the
        /// comma is not followed by exactly three digits); otherwise `1.476` is the number 1.476.
        case auto
        /// `1.476` is 1476, `98,40` is 98.4, `Rp 9.051.591.780,50` is 9051591780.5.
        case indonesian
        /// `.` is the decimal point and there are no thousands separators.
        case c
    }

    /// How numbers are written; `.auto` by default.
    public var locale: Locale
    /// Leave out rows with the wrong number of fields or a value that does not fit its column's
    /// type, reporting each to `onWarning`, instead of failing. With this on, types inferred from
    /// the head of the file are kept (no widening) and the first use of the table reads every
    /// column, so that the set of rows never depends on which columns a query uses.
    public var skipBadRows: Bool
    /// Keep a binary copy of the columns read (see ``CSVOptions/cacheDirectory``) and use it while
    /// the file is unchanged. Off by default: a library writes no files unless its host asks
    /// (the `lkq` command turns it on).
    public var useCache: Bool
    /// Where to keep the cache; `nil` for ``CSVOptions/defaultCacheDirectory``.
    public var cacheDirectory: String?
    /// Make a cell of a numeric column that is not a number an error (located, naming the
    /// value) instead of a null with a warning.
    public var strict: Bool = false
    /// Bytes of the file read at a time when a query is answered as the file streams by (with
    /// the cache off, files of at least two such stretches); smaller in tests.
    var streamSegmentBytes = 64 << 20
    /// How far a read of the rows has got, for a progress line.
    public struct Progress: Sendable, Equatable {
        /// The file being read.
        public let path: String
        /// Bytes of rows read so far, and in all.
        public let bytesRead: Int, totalBytes: Int
        /// Whether this is the last report of this read.
        public let finished: Bool
    }

    /// Called as the rows of a file are read (a few times per 4 MiB, from the reading threads;
    /// then once with `finished`), so that a host can show progress on a slow load. LKQ draws
    /// nothing itself.
    public var onProgress: (@Sendable (Progress) -> Void)?
    /// Rows (other than blank lines) to pass over before the header: titles above a table.
    public var skipRows: Int = 0
    /// The table's default measure (a column name), if any.
    public var measure: String?
    /// The field separator; `nil` detects `,`, `;` or tab from the head of the file.
    public var separator: UInt8?
    /// How the capaian of a lower-is-better indicator is computed when the file has `target`
    /// and `realisasi` but no `capaian` (see ``Table/addingCapaian(rumus:)``).
    public var rumusNegatif: Kinerja.RumusNegatif = .selisih
    /// Called with each skipped row (an ``LKQError`` whose `isWarning` is true, located at
    /// `file:line:column`). Rows are read when a query first needs the table, so this is called
    /// then, on the thread running that query; on a later run served from the cache the same
    /// warnings are reported again.
    public var onWarning: (@Sendable (LKQError) -> Void)?
    /// Nanoseconds a file must have been left unwritten before its columns are cached (see
    /// ``CSVCache``); tests set 0 to cache the files they have just written.
    var settleTime: Int64 = CSVCache.racyWindow

    /// Options with the defaults: automatic number style and separator, failing on bad rows,
    /// no cache, no default measure.
    public init(locale: Locale = .auto, skipBadRows: Bool = false, useCache: Bool = false,
                measure: String? = nil, separator: UInt8? = nil, cacheDirectory: String? = nil,
                onWarning: (@Sendable (LKQError) -> Void)? = nil) {
        self.locale = locale
        self.skipBadRows = skipBadRows
        self.useCache = useCache
        self.measure = measure
        self.separator = separator
        self.cacheDirectory = cacheDirectory
        self.onWarning = onWarning
    }

    /// Where the cache lives unless `cacheDirectory` says otherwise: `$LKQ_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/lkq`, else `$HOME/.cache/lkq`. A folder that is a symbolic link,
    /// belongs to another user or that others may write to is not used (said once to
    /// `onWarning`).
    public static var defaultCacheDirectory: String { CSVCache.directory() }
}

extension Engine {
    /// A copy of this engine with the CSV file at `path` added as a table (replacing one of the
    /// same name). The header and the head of the file are read now, to find the separator,
    /// column names and types; rows are read when a query first needs them, and only the columns
    /// it uses are converted.
    ///
    /// - Parameters:
    ///   - path: the CSV file.
    ///   - name: the table's name; by default the file name without extension, lower-cased, with
    ///     characters other than letters, digits and `_` replaced by `_`.
    ///   - options: number style, bad-row handling, cache, default measure, warnings.
    public func loadingCSV(at path: String, as name: String? = nil, options: CSVOptions = .init()) throws(LKQError) -> Engine {
        adding(try Self.csvTable(at: path, as: name, options: options))
    }

    /// The table ``loadingCSV(at:as:options:)`` adds.
    static func csvTable(at path: String, as name: String?, options: CSVOptions) throws(LKQError) -> Table {
        let tableName = name ?? CSVReader.tableName(forFile: path)
        let lower = path.lowercased()
        if lower.hasSuffix(".xlsx") || lower.hasSuffix(".xls") {
            throw LKQError(Diagnostic(.fileUnreadable(path, reason: "it is an Excel workbook, not CSV; load it with loadingWorkbook(at:) (LKQExcel), as lkq does"), .none))
        }
        let table: Table
        do {
            table = try CSVReader.open(path: path, name: tableName, options: options)
        } catch {
            throw LKQError(error)
        }
        return table.addingCapaian(rumus: options.rumusNegatif) ?? table
    }

    /// A copy of this engine with every `*.csv` file of the folder `dir` added, in name order,
    /// each named after its file (see ``loadingCSV(at:as:options:)``).
    public func loadingDirectory(_ dir: String, options: CSVOptions = .init()) throws(LKQError) -> Engine {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: dir)
        } catch {
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
                throw LKQError(Diagnostic(.fileNotFound(dir), .none))
            }
            throw LKQError(Diagnostic(.fileUnreadable(dir, reason: "cannot list the folder"), .none))
        }
        // Added in place: a copy of the engine per file would make a folder of N files cost N².
        var engine = self
        var taken: [String: String] = [:]
        for file in entries.filter({ $0.lowercased().hasSuffix(".csv") }).sorted() {
            let path = dir.hasSuffix("/") ? dir + file : dir + "/" + file
            let (name, note) = Engine.distinctName(CSVReader.tableName(forFile: path), for: file, taken: &taken)
            if let note, let handler = options.onWarning { handler(LKQError(Diagnostic(.dataNote(note), .none))) }
            engine.add(try Self.csvTable(at: path, as: name, options: options))
        }
        return engine
    }

    /// `name`, or when another file of the same load already has it `name_2`, `name_3`...,
    /// with a note saying so: two files never hide one another (`realisasi-2023.csv` and
    /// `realisasi_2023.csv`, `Data.csv` and `data.csv`).
    static func distinctName(_ name: String, for file: String, taken: inout [String: String]) -> (String, String?) {
        var chosen = name
        var k = 2
        while taken[chosen] != nil { chosen = "\(name)_\(k)"; k += 1 }
        taken[chosen] = file
        guard chosen != name else { return (name, nil) }
        return (chosen, "'\(file)' is loaded as table '\(chosen)': '\(name)' is already '\(taken[name] ?? name)'")
    }
}

extension Table {
    /// This table with a computed `capaian` column, when it has numeric `target` and `realisasi`
    /// columns but no `capaian`; `nil` otherwise. A text column `polaritas` (`positif`/`negatif`)
    /// chooses the formula per row (positive where it is missing or null; null for any other
    /// text); see ``Kinerja/capaian(target:realisasi:polaritas:rumus:)``. The new column
    /// becomes the default measure when the table has none. CSV files get it on loading.
    public func addingCapaian(rumus: Kinerja.RumusNegatif = .selisih) -> Table? {
        guard fieldIndex("capaian") == nil,
              let t = fieldIndex("target"), fields[t].type != .text,
              let r = fieldIndex("realisasi"), fields[r].type != .text else { return nil }
        let p = fieldIndex("polaritas").flatMap { fields[$0].type == .text ? $0 : nil }
        let base = store
        let extra = fields.count
        let computed: ColumnStore.Loader = { (wanted: [Int]) throws(Diagnostic) -> (count: Int, columns: [Int: Column]) in
            let own = wanted.filter { $0 != extra }
            let inputs = wanted.contains(extra) ? [t, r] + (p.map { [$0] } ?? []) : []
            let (count, loaded) = try base.load(own + inputs)
            var out: [Int: Column] = [:]
            for (i, c) in zip(own, loaded) { out[i] = c }
            if wanted.contains(extra) {
                let target = Operand.column(loaded[own.count]), realisasi = Operand.column(loaded[own.count + 1])
                let polaritas = p.map { _ in Operand.column(loaded[own.count + 2]) }
                var values = [Double?](repeating: nil, count: count)
                for i in 0..<count where !target.isNull(i) && !realisasi.isNull(i) {
                    var kind = Kinerja.Polaritas.positif
                    if let polaritas, !polaritas.isNull(i) {
                        let text = polaritas.text(i).trimmingCharacters(in: .whitespaces).lowercased()
                        guard let parsed = Kinerja.Polaritas(rawValue: text) else { continue }
                        kind = parsed
                    }
                    values[i] = Kinerja.capaian(target: target.double(i), realisasi: realisasi.double(i),
                                                polaritas: kind, rumus: rumus)
                }
                out[extra] = .doubles(values)
            }
            return (count, out)
        }
        let rumusNote = rumus == .selisih ? "(2 x target - realisasi) / target x 100" : "target / realisasi x 100"
        return Table(name: name, fields: fields + [Field(name: "capaian", type: .double)], measure: measure ?? "capaian",
                     origin: origin + "; capaian computed: realisasi / target x 100 (positif), \(rumusNote) (negatif)",
                     store: ColumnStore(columnCount: extra + 1, check: { () throws(Diagnostic) in try base.validate() },
                                        loader: computed, badCells: { base.badCells() }))
    }
}

extension Engine {
    /// The default table name for a file: its name without extension, lower-cased, with
    /// anything but letters, digits and `_` replaced by `_` (and `_` before a leading digit).
    public static func tableName(forFile path: String) -> String { CSVReader.tableName(forFile: path) }
}

extension LKQError {
    /// A file that exists but cannot be read as data, and why (for readers of other formats).
    public init(fileUnreadable path: String, reason: String) {
        self.init(Diagnostic(.fileUnreadable(path, reason: reason), .none))
    }

    /// A file that is not there.
    public init(fileNotFound path: String) {
        self.init(Diagnostic(.fileNotFound(path), .none))
    }
}
