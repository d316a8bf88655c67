import LKQ

/// What the command line asked for.
struct Options {
    /// A piece of LKQ to run, in command-line order.
    enum Input: Equatable {
        /// A statement given with `-e`.
        case expression(String)
        /// A script file; `-` is standard input.
        case file(String)
    }

    /// How CSV numbers are read, and results printed (`--locale`, `.locale`).
    enum NumberLocale: String, CaseIterable {
        /// Indonesian: `.` groups thousands and `,` is the decimal point, in CSV files read and in
        /// table and markdown output (`Rp` before rupiah).
        case id
        /// Decide per file from what its numbers look like; print `1,476` and `98.40`.
        case auto
        /// `.` is the decimal point, as in C; print as `auto` does.
        case c

        /// `en` is the default, `auto`, under the name people look for beside `id`.
        init?(name: String) {
            let lower = name.lowercased()
            self.init(rawValue: lower == "en" ? "auto" : lower)
        }

        /// How results are printed under this locale.
        var output: ResultFormatter.Locale { self == .id ? .indonesian : .english }
    }

    enum Action: Equatable {
        case run
        case help
        case version
    }

    var action = Action.run
    var inputs: [Input] = []
    var format: OutputFormat?
    /// `--format xlsx --output FILE.xlsx`: results written to this workbook.
    var workbookPath: String?
    var xlsxFormat = false
    /// Every `--data` path, in command-line order; each adds its tables to those before.
    var dataPaths: [String] = []
    var locale = NumberLocale.auto
    var skipBadRows = false
    /// A cell of a numeric column that is not a number is an error, not a null with a warning.
    var strict = false
    var useCache = true
    var bail = false
    /// Most memory a statement may make the process hold, in bytes (`--max-memory`); by default
    /// four fifths of the machine's, so a runaway join ends in a located error, not a crash.
    var maxMemory: Int? = QueryBudget.physicalMemory > 0 ? QueryBudget.physicalMemory / 5 * 4 : nil
    /// Most rows a join may produce (`--max-join-rows`); by default 100 million, about 800 MB
    /// of row pairs: far past any LKIP question, well short of a join that multiplies its keys.
    var maxJoinRows: Int? = 100_000_000
    /// Values for the scripts' `param` statements (`--param batas=90`).
    var parameters: [String: String] = [:]
    /// `--sql`: print each query's SQL for `dialect` instead of running it.
    var printSQL = false
    var dialect = SQLDialect.postgres
    /// `--db URL`: a PostgreSQL database whose tables queries read in place.
    var database: String?

    /// A command line that cannot be understood; exit status 2.
    struct UsageError: Error, Equatable {
        let message: String
    }

    /// Reads the arguments after the program name.
    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        var rest = arguments[...]
        var onlyFiles = false

        func value(for option: String, inline: String?) throws(UsageError) -> String {
            if let inline { return inline }
            guard let next = rest.popFirst() else { throw UsageError(message: "option '\(option)' needs a value") }
            return next
        }

        while let arg = rest.popFirst() {
            if onlyFiles || arg == "-" || !arg.hasPrefix("-") {
                options.inputs.append(.file(arg))
                continue
            }
            // `--name=value` is accepted for every option that takes a value.
            var name = arg
            var inline: String?
            if arg.hasPrefix("--"), let eq = arg.firstIndex(of: "=") {
                name = String(arg[..<eq])
                inline = String(arg[arg.index(after: eq)...])
            }
            if inline != nil, ["--bail", "--skip-bad-rows", "--strict", "--no-cache", "--help", "--version", "--sql"].contains(name) {
                throw UsageError(message: "option '\(name)' takes no value")
            }
            switch name {
            case "--":
                onlyFiles = true
            case "-h", "--help":
                options.action = .help
            case "-V", "--version":
                options.action = .version
            case "-e", "--execute":
                options.inputs.append(.expression(try value(for: name, inline: inline)))
            case "-f", "--format":
                let text = try value(for: name, inline: inline)
                if text.lowercased() == "xlsx" {
                    options.xlsxFormat = true
                    continue
                }
                guard let format = OutputFormat(rawValue: text.lowercased()) else {
                    throw UsageError(message: "unknown format '\(text)'; use table, csv, json, markdown or xlsx")
                }
                options.format = format
            case "-o", "--output":
                options.workbookPath = try value(for: name, inline: inline)
            case "-d", "--data":
                options.dataPaths.append(try value(for: name, inline: inline))
            case "--locale":
                let text = try value(for: name, inline: inline)
                guard let locale = NumberLocale(name: text) else {
                    throw UsageError(message: "unknown locale '\(text)'; use id, en, auto or c")
                }
                options.locale = locale
            case "--skip-bad-rows":
                options.skipBadRows = true
            case "--strict":
                options.strict = true
            case "--no-cache":
                options.useCache = false
            case "--bail":
                options.bail = true
            case "--max-memory":
                let text = try value(for: name, inline: inline)
                if text.lowercased() == "off" { options.maxMemory = nil; continue }
                guard let bytes = Options.bytes(text) else {
                    throw UsageError(message: "--max-memory needs a size such as 4G, 512M or off, not '\(text)'")
                }
                options.maxMemory = bytes
            case "--max-join-rows":
                let text = try value(for: name, inline: inline)
                if text.lowercased() == "off" { options.maxJoinRows = nil; continue }
                guard let rows = Int(text.replacingOccurrences(of: "_", with: "")), rows > 0 else {
                    throw UsageError(message: "--max-join-rows needs a number of rows such as 500000000, or off, not '\(text)'")
                }
                options.maxJoinRows = rows
            case "--param":
                let text = try value(for: name, inline: inline)
                guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                    throw UsageError(message: "--param needs NAME=VALUE, as in --param batas=90")
                }
                options.parameters[text[..<eq].lowercased()] = String(text[text.index(after: eq)...])
            case "--sql":
                options.printSQL = true
            case "--db":
                options.database = try value(for: name, inline: inline)
            case "--dialect":
                let text = try value(for: name, inline: inline)
                guard let dialect = SQLDialect(name: text) else {
                    throw UsageError(message: "unknown dialect '\(text)'; use postgres, duckdb or spark")
                }
                options.dialect = dialect
            default:
                throw UsageError(message: "unknown option '\(arg)'")
            }
        }
        if options.xlsxFormat != (options.workbookPath != nil) {
            throw UsageError(message: options.xlsxFormat ? "'--format xlsx' needs '--output FILE.xlsx'"
                                                         : "'--output' is for '--format xlsx'; other formats go to standard output")
        }
        if let path = options.workbookPath, !path.lowercased().hasSuffix(".xlsx") {
            throw UsageError(message: "the workbook '\(path)' must end in .xlsx")
        }
        return options
    }

    /// `4G`, `512M`, `100K` or a number of bytes.
    static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = text.uppercased()
        if digits.hasSuffix("B") { digits.removeLast() }
        var scale = 1
        if let last = digits.last, let unit = units[last] { scale = unit; digits.removeLast() }
        guard let n = Double(digits), n > 0, n * Double(scale) < 9e18 else { return nil }
        return Int(n * Double(scale))
    }
}
