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
    /// Every `--data` path, in command-line order; each adds its tables to those before.
    var dataPaths: [String] = []
    var locale = NumberLocale.auto
    var skipBadRows = false
    var useCache = true
    var bail = false
    /// Values for the scripts' `param` statements (`--param batas=90`).
    var parameters: [String: String] = [:]

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
            if inline != nil, ["--bail", "--skip-bad-rows", "--no-cache", "--help", "--version"].contains(name) {
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
                guard let format = OutputFormat(rawValue: text.lowercased()) else {
                    throw UsageError(message: "unknown format '\(text)'; use table, csv, json or markdown")
                }
                options.format = format
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
            case "--no-cache":
                options.useCache = false
            case "--bail":
                options.bail = true
            case "--param":
                let text = try value(for: name, inline: inline)
                guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                    throw UsageError(message: "--param needs NAME=VALUE, as in --param batas=90")
                }
                options.parameters[text[..<eq].lowercased()] = String(text[text.index(after: eq)...])
            default:
                throw UsageError(message: "unknown option '\(arg)'")
            }
        }
        return options
    }
}
