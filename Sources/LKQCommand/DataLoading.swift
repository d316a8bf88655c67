import Foundation
import LKQ
import LKQExcel

/// Reads CSV files into tables, as `--data` and `.load` ask, through the library's loaders.
enum DataLoading {
    /// The command-line switches that shape CSV reading: defaults for files that do not say.
    struct Settings {
        var locale = Options.NumberLocale.auto
        var skipBadRows = false
        var useCache = true
        var strict = false

        var csvOptions: CSVOptions { csvOptions(for: FileOptions()) }

        /// The options for one file: its own settings where it has them, these otherwise.
        func csvOptions(for file: FileOptions) -> CSVOptions {
            let locale: CSVOptions.Locale
            switch file.locale ?? self.locale {
            case .id: locale = .indonesian
            case .auto: locale = .auto
            case .c: locale = .c
            }
            // Skipped rows, cells that are not numbers and readings chosen are reported as
            // warnings: notes when the file is opened, cells when a query first reads them.
            var options = CSVOptions(locale: locale, skipBadRows: skipBadRows, useCache: useCache,
                                     onWarning: { warning in Console.err(warning.rendered(color: Console.colorErr) + "\n") })
            options.strict = file.strict ?? strict
            options.skipRows = file.skipRows
            return options
        }
    }

    /// What one file says about how to read it (`.load FILE --locale id`, `--data FILE:locale=id`).
    struct FileOptions: Equatable {
        var locale: Options.NumberLocale?
        /// Rows above the header to pass over (`--skip N`, or `--header-row N` for N - 1).
        var skipRows = 0
        var sheet: String?
        /// The header's row number, for a workbook (`--header-row N`).
        var headerRow: Int?
        var strict: Bool?
    }

    /// Splits `PATH:key=value,key=value` (`--data FILE:locale=id`) into the path and its options.
    /// A path whose last `:` is not followed by known options is a path as it is.
    static func fileSpec(_ text: String) -> Result<(path: String, options: FileOptions), Options.UsageError> {
        guard let colon = text.lastIndex(of: ":") else { return .success((text, FileOptions())) }
        let tail = String(text[text.index(after: colon)...])
        let pairs = tail.split(separator: ",").map { $0.split(separator: "=", maxSplits: 1).map(String.init) }
        let keys = ["locale", "skip", "header-row", "header_row", "sheet", "strict"]
        guard !pairs.isEmpty, pairs.allSatisfy({ keys.contains($0[0].lowercased()) }) else {
            return .success((text, FileOptions()))
        }
        var options = FileOptions()
        for pair in pairs {
            let value = pair.count > 1 ? pair[1] : nil
            if let problem = apply(pair[0].lowercased(), value, to: &options) { return .failure(Options.UsageError(message: problem)) }
        }
        return .success((String(text[..<colon]), options))
    }

    /// Reads the words after `.load`: `FILE [as NAME] [--locale id|en] [--sheet NAME]
    /// [--header-row N] [--skip N] [--strict]`; a path may hold spaces.
    static func loadArguments(_ words: [String]) -> Result<(path: String, name: String?, options: FileOptions), Options.UsageError> {
        var options = FileOptions()
        var name: String?
        var pathWords: [String] = []
        var i = 0
        while i < words.count {
            let word = words[i]
            if word.hasPrefix("--") {
                var key = String(word.dropFirst(2)).lowercased()
                var value: String?
                if let eq = key.firstIndex(of: "=") {
                    value = String(key[key.index(after: eq)...])
                    key = String(key[..<eq])
                } else if key != "strict" {
                    i += 1
                    guard i < words.count else { return .failure(.init(message: "option '--\(key)' needs a value")) }
                    value = words[i]
                }
                if let problem = apply(key, value, to: &options) { return .failure(.init(message: problem)) }
            } else if word.lowercased() == "as" && i + 1 < words.count && !pathWords.isEmpty {
                i += 1
                name = words[i]
            } else {
                pathWords.append(word)
            }
            i += 1
        }
        guard !pathWords.isEmpty else {
            return .failure(.init(message: "usage: .load FILE [as NAME] [--locale id|en] [--sheet NAME] [--header-row N] [--skip N] [--strict]"))
        }
        return .success((pathWords.joined(separator: " "), name, options))
    }

    /// Sets one per-file option; the problem in words when it is not one.
    private static func apply(_ key: String, _ value: String?, to options: inout FileOptions) -> String? {
        switch key {
        case "locale":
            guard let value, let locale = Options.NumberLocale(name: value) else {
                return "unknown locale '\(value ?? "")' for a file; use id or en (or c)"
            }
            options.locale = locale
        case "skip", "header-row", "header_row":
            guard let value, let n = Int(value), n >= (key == "skip" ? 0 : 1) else {
                return "'\(key)' needs a whole number\(key == "skip" ? "" : " from 1"), not '\(value ?? "")'"
            }
            options.skipRows = key == "skip" ? n : n - 1
            if key != "skip" { options.headerRow = n }
        case "sheet":
            guard let value, !value.isEmpty else { return "'--sheet' needs a sheet name" }
            options.sheet = value
        case "strict":
            options.strict = value.map { ["1", "true", "yes", "on"].contains($0.lowercased()) } ?? true
        default:
            return "unknown option '--\(key)' for a file; use --locale, --sheet, --header-row, --skip or --strict"
        }
        return nil
    }

    /// `engine` with every CSV file in `directory` added as a table named after the file; a
    /// path that names one file loads that file. `directory` may end in per-file options
    /// (`FILE:locale=id`).
    static func loadDirectory(_ directory: String, into engine: Engine, settings: Settings) -> Result<Engine, LKQError> {
        var path = directory
        var fileOptions = FileOptions()
        if !FileManager.default.fileExists(atPath: directory), case .success(let spec) = fileSpec(directory) {
            (path, fileOptions) = spec
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
            return loadFile(path, as: nil, options: fileOptions, into: engine, settings: settings)
        }
        return Result { () throws(LKQError) in try engine.loadingDirectory(path, options: settings.csvOptions(for: fileOptions)) }
    }

    /// `engine` with the CSV file at `path` added as table `name` (by default the file's name).
    static func loadFile(_ path: String, as name: String?, options: FileOptions = FileOptions(), into engine: Engine,
                         settings: Settings) -> Result<Engine, LKQError> {
        Result { () throws(LKQError) in
            if WorkbookOutput.isWorkbook(path) {
                return try engine.loadingWorkbook(at: path, as: name,
                                                  workbook: WorkbookOptions(sheet: options.sheet, headerRow: options.headerRow),
                                                  options: settings.csvOptions(for: options))
            }
            if let sheet = options.sheet {
                throw LKQError(fileUnreadable: path, reason: "'--sheet \(sheet)' is for .xlsx workbooks, and this is not one")
            }
            return try engine.loadingCSV(at: path, as: name, options: settings.csvOptions(for: options))
        }
    }
}
