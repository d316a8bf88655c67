import LKQ

/// Reads CSV files into tables, as `--data` and `.load` ask.
///
/// TODO(csv branch): the calls below go through `Engine.loadingDirectory(_:options:)` and the
/// single-file loader once branch `csv` lands on main; until then they report that loading
/// is not available. This is the only place that needs filling in.
enum DataLoading {
    /// The command-line switches that shape CSV reading.
    struct Settings {
        var locale = Options.NumberLocale.auto
        var skipBadRows = false
        var useCache = true
    }

    enum Failure: Error {
        case lkq(LKQError)
        case message(String)
    }

    static let unavailable = Failure.message("loading CSV files is not available in this build yet")

    /// `engine` with every CSV file in `directory` added as a table named after the file.
    static func loadDirectory(_ directory: String, into engine: Engine, settings: Settings) -> Result<Engine, Failure> {
        .failure(unavailable)
    }

    /// `engine` with the CSV file at `path` added as table `name` (by default the file's name).
    static func loadFile(_ path: String, as name: String?, into engine: Engine, settings: Settings) -> Result<Engine, Failure> {
        .failure(unavailable)
    }
}
