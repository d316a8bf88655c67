import Foundation
import LKQ

/// The interactive session: prompts, line editing, dot-commands, Ctrl-C that stops a query.
final class REPL {
    private let runner: Runner
    private var settings: DataLoading.Settings
    private let cancellation = Cancellation()
    /// Earlier lines of a statement that is not finished yet.
    private var pending = ""
    private var editor: LineEditor?

    static let prompt = "lkq> "
    static let continuationPrompt = "...> "
    static let sourceName = "<repl>"

    init(runner: Runner, settings: DataLoading.Settings) {
        self.runner = runner
        self.settings = settings
    }

    /// Runs until `.quit` or Ctrl-D; returns the exit status (0: errors do not end a session).
    func run() -> Int32 {
        interactive = true
        Self.useUTF8()
        editor = LineEditor(historyPath: Self.historyPath()) { [unowned self] before in
            self.completer().complete(self.pending.isEmpty ? before : self.pending + "\n" + before)
        }
        guard let editor else {
            Console.err(Runner.errorLine("cannot start line editing on this terminal"))
            return 1
        }
        Console.out("\(Help.version) — LKIP 2023, Dinas PMD Provinsi NTT. Type .help for help, Ctrl-D to leave.\n")
        while true {
            switch editor.readLine(prompt: pending.isEmpty ? Self.prompt : Self.continuationPrompt) {
            case .endOfInput:
                Console.out("\n")
                return 0
            case .interrupted:
                pending = ""
            case .line(let line):
                if pending.isEmpty && line.drop(while: \.isWhitespace).hasPrefix(".") {
                    editor.remember(line)
                    guard isUTF8(line) else { continue }
                    if !dotCommand(String(line.drop(while: \.isWhitespace))) { return 0 }
                    continue
                }
                pending = pending.isEmpty ? line : pending + "\n" + line
                if Self.needsMore(pending) { continue }
                let statement = pending
                pending = ""
                editor.remember(statement)
                guard !statement.allSatisfy(\.isWhitespace), isUTF8(statement) else { continue }
                execute(statement, sourceName: Self.sourceName)
            }
        }
    }

    /// Whether typed text came through as UTF-8. The line editor shows a byte that is not as
    /// `�`; such a line is an error at that place rather than a query on altered text. It stays
    /// in the history, so Up brings it back to be fixed.
    private func isUTF8(_ typed: String) -> Bool {
        do throws(LKQError) {
            try ScriptText.check(typed, name: Self.sourceName)
            return true
        } catch {
            runner.report(error)
            return false
        }
    }

    /// Runs `text` on another thread so this one can turn Ctrl-C into a cancellation.
    private func execute(_ text: String, sourceName: String, firstLine: Int = 1) {
        cancellation.reset()
        runner.startGroup()
        let done = DispatchSemaphore(value: 0)
        let runner = self.runner, cancellation = self.cancellation
        let thread = Thread {
            runner.run(text, sourceName: sourceName, firstLine: firstLine, cancellation: cancellation)
            done.signal()
        }
        // Deeply nested expressions recurse in the parser; give it room.
        thread.stackSize = 16 << 20
        _ = LineEditor.takeInterrupt()
        thread.start()
        while done.wait(timeout: .now() + .milliseconds(20)) == .timedOut {
            if LineEditor.takeInterrupt() { cancellation.cancel() }
        }
        _ = LineEditor.takeInterrupt()
    }

    // MARK: Scripts

    /// Where the dot-command being run stands in a script, for its error messages.
    private var scriptLocation: String?
    /// Whether the session is at a terminal (queries then run on a thread Ctrl-C can stop).
    private var interactive = false
    /// Scripts being read by `.read` inside one another; a file that reads itself stops here.
    private var readDepth = 0
    static let maxReadDepth = 16
    /// Set when a failed `.load` stopped a script.
    private var stoppedByLoad = false
    /// `.read` commands carried out so far, and the most a run may carry out.
    private var readCount = 0
    static let maxReads = 10_000

    /// Runs a script as the shell would, dot-commands included (`.load`, `.mode`, `.read`...),
    /// without prompts or line editing, a statement at a time as its lines are read. Line
    /// numbers in errors stay those of the file. Returns false when the rest should not run
    /// (`--bail` after a failure, `.quit`, a failed `.load`, or input that cannot be read).
    func runScript(_ reader: ScriptReader) -> Bool {
        let sourceName = reader.name
        var chunk: [String] = []
        var chunkStart = 1
        var scanner = StatementScanner()
        func flush() -> Bool {
            defer { chunk = []; scanner.reset() }
            guard chunk.contains(where: { !$0.allSatisfy(\.isWhitespace) }) else { return true }
            let text = chunk.joined(separator: "\n")
            if interactive {
                execute(text, sourceName: sourceName, firstLine: chunkStart)
                return true
            }
            return runner.run(text, sourceName: sourceName, firstLine: chunkStart)
        }
        while true {
            let line: String
            switch reader.next() {
            case .end:
                return flush()
            case .text(let text):
                line = text
            case .failed(let error):
                // Text that is not UTF-8 ends the script at its place: what follows is not run
                // on altered text.
                guard flush() else { return false }
                runner.report(error)
                return false
            case .tooLong(let number):
                guard flush() else { return false }
                runner.fail("line is longer than \(ScriptReader.maxLineBytes >> 20) MB; is this a script?",
                            at: "\(sourceName):\(number):1")
                return false
            case .unreadable(let reason):
                guard flush() else { return false }
                runner.fail("cannot read '\(sourceName)': \(reason)")
                return false
            }
            let number = reader.lineNumber
            let trimmed = line.drop(while: \.isWhitespace)
            if !scanner.needsMore {
                if trimmed.hasPrefix(".") {
                    guard flush() else { return false }
                    scriptLocation = "\(sourceName):\(number):\(line.count - trimmed.count + 1)"
                    defer { scriptLocation = nil }
                    let failedBefore = runner.failed
                    if !dotCommand(String(trimmed)) { return false }
                    if runner.bail && runner.failed && !failedBefore { return false }
                    continue
                }
                // A line that is not blank, a comment or a `|` continuation starts the next
                // statement: the one before is complete and runs now.
                if !trimmed.isEmpty && !trimmed.hasPrefix("#") && !trimmed.hasPrefix("|") {
                    guard flush() else { return false }
                }
            }
            if chunk.isEmpty {
                // Blank and comment lines before a statement belong to no statement.
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                chunkStart = number
            }
            chunk.append(line)
            scanner.feed(line)
        }
    }

    // MARK: Dot-commands

    /// Carries out a dot-command; returns false when the session should end.
    private func dotCommand(_ line: String) -> Bool {
        let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let command = parts[0].lowercased()
        let arguments = Array(parts.dropFirst())
        runner.startGroup()
        switch command {
        case ".quit", ".exit", ".q":
            return false
        case ".help", ".h":
            if let topic = arguments.first {
                if let text = Help.topic(topic) { Console.out(text) } else {
                    complain("no help on '\(topic)'; topics: \(Help.topicNames.joined(separator: ", "))")
                }
            } else {
                Console.out(Help.overview)
            }
        case ".tables":
            showTables()
        case ".schema":
            showSchema(arguments.first)
        case ".mode":
            guard let name = arguments.first else {
                Console.out("\(runner.format.rawValue)\n")
                break
            }
            if let format = OutputFormat(rawValue: name.lowercased()) { runner.format = format } else {
                complain("unknown mode '\(name)'; use table, csv, json or markdown")
            }
        case ".timer":
            switch arguments.first?.lowercased() {
            case "on": runner.timer = true
            case "off": runner.timer = false
            case nil: Console.out(runner.timer ? "on\n" : "off\n")
            default: complain("use '.timer on' or '.timer off'")
            }
        case ".locale":
            guard let name = arguments.first else {
                Console.out("\(settings.locale == .id ? "id" : settings.locale == .c ? "c" : "en")\n")
                break
            }
            if let locale = Options.NumberLocale(name: name) {
                settings.locale = locale
                runner.locale = locale.output
            } else {
                complain("unknown locale '\(name)'; use id or en (or auto or c, for reading CSV files)")
            }
        case ".read":
            // The rest of the line, so paths with spaces work.
            let path = Self.argumentText(line)
            guard !path.isEmpty else { complain("usage: .read FILE"); break }
            guard readDepth < Self.maxReadDepth else {
                complain("'.read' nested more than \(Self.maxReadDepth) deep; does '\(path)' read itself?")
                break
            }
            // Scripts that read each other in a loop multiply: 16 levels of a file read twice
            // is 65,535 reads. They end at a limit on all the reads of a run.
            readCount += 1
            guard readCount <= Self.maxReads else {
                complain("more than \(Self.maxReads) '.read' commands in one run; do scripts read each other in a loop?")
                return false
            }
            switch ScriptReader.open(path) {
            case .success(let reader):
                if reader.isRegularFile, let error = reader.checkWhole() {
                    // Nothing of a file that is not UTF-8 runs; the error shows where it is not.
                    runner.report(error)
                    break
                }
                readDepth += 1
                let outer = scriptLocation
                defer { readDepth -= 1; scriptLocation = outer }
                if !runScript(reader) {
                    // A failed `.load` ends the script that asked (and those reading it), not
                    // the shell it was read from.
                    if stoppedByLoad && interactive && readDepth == 1 { stoppedByLoad = false; break }
                    return false
                }
            case .failure(let problem): complain(problem.message)
            }
        case ".load":
            // A script goes no further than a failed `.load`: its later statements would read
            // a built-in table of the same name, or none, in place of the file it asked for.
            if !load(arguments) && scriptLocation != nil {
                stoppedByLoad = true
                return false
            }
        default:
            complain("unknown command '\(parts[0])'; '.help' lists the commands")
        }
        return true
    }

    private func complain(_ message: String) {
        if let scriptLocation {
            runner.fail(message, at: scriptLocation)
        } else {
            Console.err(Runner.errorLine(message))
        }
    }

    /// Everything after the command word.
    static func argumentText(_ line: String) -> String {
        guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return "" }
        return line[space...].trimmingCharacters(in: .whitespaces)
    }

    /// Loads a CSV file as `.load` asks; false when it could not.
    private func load(_ arguments: [String]) -> Bool {
        var name: String?
        var pathWords = arguments
        if arguments.count >= 3, arguments[arguments.count - 2].lowercased() == "as" {
            name = arguments.last
            pathWords = Array(arguments.dropLast(2))
        }
        guard !pathWords.isEmpty else { complain("usage: .load FILE.csv [as NAME]"); return false }
        let path = pathWords.joined(separator: " ")
        switch DataLoading.loadFile(path, as: name, into: runner.session.engine, settings: settings) {
        case .success(let engine):
            runner.session.use(engine)
            return true
        case .failure(let error) where error.line == nil && scriptLocation != nil:
            // No place inside the CSV: the place to show is the script line that asked.
            complain(error.message)
        case .failure(let error):
            runner.report(error)
        }
        return false
    }

    private func showTables() {
        var names: [String] = [], rows: [Int64?] = [], sources: [String] = []
        for table in runner.session.engine.tables {
            names.append(table.name)
            rows.append((try? table.rowCount()).map(Int64.init))
            sources.append(table.origin)
        }
        for name in runner.session.letNames {
            names.append(name)
            rows.append(probe(name + " | count").flatMap { r in
                if case .int(let n) = r[0, 0] { return n }
                return nil
            })
            sources.append("let \(name)")
        }
        show(["table": .text(names), "rows": .int(rows), "source": .text(sources)], order: ["table", "rows", "source"])
    }

    private func showSchema(_ name: String?) {
        let engine = runner.session.engine
        let names = name.map { [$0.lowercased()] } ?? engine.tables.map(\.name) + runner.session.letNames
        for (i, tableName) in names.enumerated() {
            let fields: [Field]
            let measure: String?
            let origin: String
            if let table = engine.table(named: tableName) {
                (fields, measure, origin) = (table.fields, table.measure, table.origin)
            } else if runner.session.letNames.contains(tableName), let r = probe(tableName + " | limit 0") {
                (fields, measure, origin) = (r.fields, r.measure, "let \(tableName)")
            } else {
                complain("unknown table '\(tableName)'; '.tables' lists the tables")
                return
            }
            if i > 0 { Console.out("\n") }
            Console.out("\(tableName) — source: \(origin)\n")
            show(["column": .text(fields.map(\.name)),
                  "type": .text(fields.map { $0.isRupiah ? "rupiah" : $0.type.rawValue }),
                  "note": .text(fields.map { $0.name == measure ? "default measure" : "" })],
                 order: ["column", "type", "note"])
        }
    }

    /// The result of a small query on a copy of the session, for facts about `let` tables.
    private func probe(_ query: String) -> QueryResult? {
        var copy = runner.session
        return (try? copy.run(query, sourceName: Self.sourceName))?.last
    }

    private func show(_ columns: [String: Table.Values], order: [String]) {
        guard let result = try? QueryResult(columns: order.map { ($0, columns[$0]!) }) else { return }
        runner.show(result)
    }

    // MARK: Completion

    private func completer() -> Completer {
        var tables: [String: [String]] = [:]
        for t in runner.session.engine.tables { tables[t.name] = t.fields.map(\.name) }
        var lets: [String: [String]] = [:]
        for name in runner.session.letNames {
            lets[name] = probe(name + " | limit 0")?.fields.map(\.name) ?? []
        }
        return Completer(tables: tables, lets: lets)
    }

    // MARK: Statement boundaries

    /// Whether `text` is an unfinished statement: a quote or parenthesis is open, or the last
    /// line ends with `|` (comments aside).
    static func needsMore(_ text: String) -> Bool {
        var depth = 0
        var quote: Character?
        var comment = false
        var last: Character?
        var escaped = false
        for c in text {
            if comment {
                if c == "\n" { comment = false; last = c }
                continue
            }
            if let q = quote {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { quote = nil }
                last = c
                continue
            }
            switch c {
            case "\"", "'": quote = c
            case "#": comment = true; continue
            case "(": depth += 1
            case ")": depth -= 1
            default: break
            }
            if !c.isWhitespace || c == "\n" { last = c }
        }
        return quote != nil || depth > 0 || last == "|"
    }

    // MARK: Environment

    /// libedit writes multibyte text through the C library; make sure it can speak UTF-8.
    static func useUTF8() {
        if let current = setlocale(LC_CTYPE, ""), String(cString: current).lowercased().contains("utf") { return }
        if setlocale(LC_CTYPE, "C.UTF-8") == nil { setlocale(LC_CTYPE, "C.utf8") }
    }

    /// `$LKQ_HISTORY`, else `$XDG_STATE_HOME/lkq/history`, else `~/.lkq_history`.
    static func historyPath() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let path = env["LKQ_HISTORY"], !path.isEmpty { return path }
        if let state = env["XDG_STATE_HOME"], !state.isEmpty {
            let folder = state + "/lkq"
            // A folder that cannot be made shows up as one warning when history is saved.
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return folder + "/history"
        }
        if let home = env["HOME"], !home.isEmpty { return home + "/.lkq_history" }
        return nil
    }
}
