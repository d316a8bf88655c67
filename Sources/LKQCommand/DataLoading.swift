import Foundation
import LKQ

/// Reads CSV files into tables, as `--data` and `.load` ask, through the library's loaders.
enum DataLoading {
    /// The command-line switches that shape CSV reading.
    struct Settings {
        var locale = Options.NumberLocale.auto
        var skipBadRows = false
        var useCache = true

        var csvOptions: CSVOptions {
            let locale: CSVOptions.Locale
            switch self.locale {
            case .id: locale = .indonesian
            case .auto: locale = .auto
            case .c: locale = .c
            }
            // Skipped rows are reported when a query first reads the table, as warnings.
            return CSVOptions(locale: locale, skipBadRows: skipBadRows, useCache: useCache,
                              onWarning: { warning in Console.err(warning.rendered(color: Console.colorErr) + "\n") })
        }
    }

    /// `engine` with every CSV file in `directory` added as a table named after the file; a
    /// path that names one file loads that file.
    static func loadDirectory(_ directory: String, into engine: Engine, settings: Settings) -> Result<Engine, LKQError> {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory.boolValue {
            return loadFile(directory, as: nil, into: engine, settings: settings)
        }
        return Result { () throws(LKQError) in try engine.loadingDirectory(directory, options: settings.csvOptions) }
    }

    /// `engine` with the CSV file at `path` added as table `name` (by default the file's name).
    static func loadFile(_ path: String, as name: String?, into engine: Engine, settings: Settings) -> Result<Engine, LKQError> {
        Result { () throws(LKQError) in try engine.loadingCSV(at: path, as: name, options: settings.csvOptions) }
    }
}
