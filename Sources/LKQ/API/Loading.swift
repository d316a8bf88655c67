import Foundation

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
    /// the file is unchanged. On by default.
    public var useCache: Bool
    /// Where to keep the cache; `nil` for ``CSVOptions/defaultCacheDirectory``.
    public var cacheDirectory: String?
    /// The table's default measure (a column name), if any.
    public var measure: String?
    /// The field separator; `nil` detects `,`, `;` or tab from the head of the file.
    public var separator: UInt8?
    /// Called with each skipped row (an ``LKQError`` whose `isWarning` is true, located at
    /// `file:line:column`). Rows are read when a query first needs the table, so this is called
    /// then, on the thread running that query; on a later run served from the cache the same
    /// warnings are reported again.
    public var onWarning: (@Sendable (LKQError) -> Void)?

    /// Options with the defaults: automatic number style and separator, failing on bad rows,
    /// cache on, no default measure.
    public init(locale: Locale = .auto, skipBadRows: Bool = false, useCache: Bool = true,
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
    /// `$XDG_CACHE_HOME/lkq`, else `~/.cache/lkq`.
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
        let tableName = name ?? CSVReader.tableName(forFile: path)
        do {
            return adding(try CSVReader.open(path: path, name: tableName, options: options))
        } catch {
            throw LKQError(error)
        }
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
        var engine = self
        for file in entries.filter({ $0.lowercased().hasSuffix(".csv") }).sorted() {
            let path = dir.hasSuffix("/") ? dir + file : dir + "/" + file
            engine = try engine.loadingCSV(at: path, options: options)
        }
        return engine
    }
}
