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

    /// Rows of a table result shown on the terminal unless `.maxrows` says otherwise.
    static let defaultMaxRows = 40

    /// Runs until `.quit` or Ctrl-D; returns the exit status (0: errors do not end a session).
    func run() -> Int32 {
        interactive = true
        Self.useUTF8()
        editor = LineEditor(historyPath: Self.historyPath(), highlight: Console.colorOut && Console.colorTerminal) { [unowned self] before in
            self.completer().complete(self.pending.isEmpty ? before : self.pending + "\n" + before)
        }
        guard let editor else {
            Console.err(Runner.errorLine("cannot start line editing on this terminal"))
            return 1
        }
        if Console.stdoutIsTerminal { runner.maxRows = Self.defaultMaxRows }
        Console.out("\(Help.version) — LKIP 2023, Dinas PMD Provinsi NTT. Type .help for help, Ctrl-D to leave.\n")
        editor.bracketedPaste(true)
        defer { editor.bracketedPaste(false) }
        while true {
            switch editor.readLine(prompt: pending.isEmpty ? Self.prompt : Self.continuationPrompt) {
            case .endOfInput:
                Console.out("\n")
                return 0
            case .interrupted:
                pending = ""
            case .line(let line):
                if !take(line) { return 0 }
            case .paste(let typed, let pasted):
                Self.echo(pasted, after: (pending.isEmpty ? Self.prompt : Self.continuationPrompt) + typed)
                if !takePaste(typed + pasted) { return 0 }
            }
        }
    }

    /// One typed line: a dot-command, or more of the statement being written, which runs once
    /// the library says it is complete and no line starting with `|` is already on its way.
    /// Returns false when the session should end.
    private func take(_ line: String) -> Bool {
        guard let editor else { return true }
        if pending.isEmpty && line.drop(while: \.isWhitespace).hasPrefix(".") {
            editor.remember(line)
            guard isUTF8(line) else { return true }
            return dotCommand(String(line.drop(while: \.isWhitespace)))
        }
        pending = pending.isEmpty ? line : pending + "\n" + line
        if pending.allSatisfy(\.isWhitespace) { pending = ""; return true }
        if !StatementText.isComplete(pending) || editor.typeaheadStartsWithPipe() { return true }
        let statement = pending
        pending = ""
        editor.remember(statement)
        guard isUTF8(statement) else { return true }
        execute(statement, sourceName: Self.sourceName)
        return true
    }

    /// A paste of several lines (with what was typed before it) runs as the script it is:
    /// statement by statement, each kept whole in the history, dot-commands on lines of their
    /// own. Its last line, when no line break ends it, waits for Enter as typed text does.
    /// Returns false when the session should end.
    private func takePaste(_ text: String) -> Bool {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let finished = lines.last == ""
        if finished { lines.removeLast() }
        for (i, line) in lines.enumerated() {
            let isLast = i == lines.count - 1
            if pending.isEmpty && line.drop(while: \.isWhitespace).hasPrefix(".") {
                editor?.remember(line)
                guard isUTF8(line) else { continue }
                if !dotCommand(String(line.drop(while: \.isWhitespace))) { return false }
                continue
            }
            pending = pending.isEmpty ? line : pending + "\n" + line
            if pending.allSatisfy(\.isWhitespace) { pending = ""; continue }
            if isLast && !finished { break }
            let next = isLast ? nil : lines[i + 1].drop(while: { $0 == " " || $0 == "\t" })
            if next?.hasPrefix("|") == true || !StatementText.isComplete(pending) { continue }
            if isLast && editor?.typeaheadStartsWithPipe() == true { continue }
            let statement = pending
            pending = ""
            editor?.remember(statement)
            guard isUTF8(statement) else { continue }
            // Ctrl-C stops the rest of the paste as well as the statement it interrupted.
            if execute(statement, sourceName: Self.sourceName) { return true }
        }
        return true
    }

    /// Shows pasted lines as they would have looked typed; the editor saw none of them. It
    /// printed `shown` (prompt and typed text) and a line break: the paste's first line goes
    /// back on that line, after it.
    private static func echo(_ pasted: String, after shown: String) {
        var lines = pasted.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first else { return }
        let column = shown.count
        var out = "\u{1B}[A\r" + (column > 0 ? "\u{1B}[\(column)C" : "") + first + "\n"
        for line in lines.dropFirst() { out += continuationPrompt + line + "\n" }
        Console.out(out)
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

    /// Runs `text` on another thread so this one can turn Ctrl-C into a cancellation and
    /// show a progress line while it takes long. Returns whether Ctrl-C was pressed while it ran.
    @discardableResult
    private func execute(_ text: String, sourceName: String, firstLine: Int = 1) -> Bool {
        cancellation.reset()
        runner.startGroup()
        let done = DispatchSemaphore(value: 0)
        let progress = Console.stderrIsTerminal ? ProgressLine(what: text, files: dataFiles(in: text)) : nil
        runner.progress = progress
        defer { runner.progress = nil }
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
            progress?.tick()
        }
        progress?.finish()
        return LineEditor.takeInterrupt() || cancellation.isCancelled
    }

    /// The CSV files behind the tables `text` names, for the progress line's estimate.
    private func dataFiles(in text: String) -> [String] {
        let bytes = Array(text.utf8)
        var files: [String] = []
        for span in StatementText.spans(text) where span.role == .name {
            let name = String(decoding: bytes[span.range], as: UTF8.self)
            // A CSV table's origin is its path, sometimes followed by a note after `;`; built-in
            // tables name the report's tables, which are no file (the progress line checks).
            guard let origin = runner.session.engine.table(named: name)?.origin,
                  let path = origin.split(separator: ";").first.map(String.init), !files.contains(path) else { continue }
            files.append(path)
        }
        return files
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
    func runScript(_ reader: some ScriptLines) -> Bool {
        let sourceName = reader.name
        var chunk: [String] = []
        var chunkStart = 1
        var scanner = StatementScanner()
        var chunkBytes = 0
        // Where in the chunk the statement being read begins: only it is asked whether it is
        // complete, so a chunk of many statements is not parsed again for every line.
        var statementStart = 0
        func flush() -> Bool {
            defer { chunk = []; chunkBytes = 0; statementStart = 0; scanner.reset() }
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
            // A line that is not blank, a comment or a `|` continuation may start the next
            // statement (or be a dot-command): it does when the statement before is complete,
            // which the scanner rules out cheaply (an open quote or parenthesis, a trailing
            // `|`) and the library's parser decides (a trailing `,`, operator, `and`...).
            let startsAnew = !trimmed.isEmpty && !trimmed.hasPrefix("#") && !trimmed.hasPrefix("|")
            if startsAnew && !scanner.needsMore
                && (chunk.count <= statementStart || StatementText.isComplete(chunk[statementStart...].joined(separator: "\n"))) {
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
                // statement: the ones before are complete. They run now if the input has no
                // further line ready (so a pipe streams), else with the next ones, up to a
                // megabyte at a time (a statement each would cost a parse setup each).
                if !trimmed.isEmpty && !trimmed.hasPrefix("#") && !trimmed.hasPrefix("|") {
                    if chunkBytes >= 1 << 20 || !reader.hasBufferedLine {
                        guard flush() else { return false }
                    } else {
                        // A stray `)` of a statement before must not leave this one looking open.
                        scanner.reset()
                        statementStart = chunk.count
                    }
                }
            }
            if chunk.isEmpty {
                // Blank and comment lines before a statement belong to no statement.
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                chunkStart = number
            }
            chunk.append(line)
            chunkBytes += line.utf8.count + 1
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
            if name.lowercased() == "xlsx" {
                // `.mode xlsx FILE.xlsx`: results become the sheets of that workbook.
                guard arguments.count == 2, WorkbookOutput.isWorkbook(arguments[1]) else {
                    complain("usage: .mode xlsx FILE.xlsx")
                    break
                }
                runner.workbook = WorkbookOutput(path: arguments[1])
            } else if let format = OutputFormat(rawValue: name.lowercased()) {
                runner.format = format
                runner.workbook = nil
            } else {
                complain("unknown mode '\(name)'; use table, csv, json, markdown or xlsx FILE")
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
        case ".open":
            // The database's tables join the session's, as with `lkq --db URL`.
            guard arguments.count == 1 else {
                complain("use '.open postgresql://user@host/db' (or a libpq connection string in quotes)")
                break
            }
            if let engine = DatabaseConnection.open(arguments[0], into: runner.session.engine) {
                runner.session.use(engine)
            } else if scriptLocation != nil {
                return false
            }
        case ".maxrows":
            switch arguments.first?.lowercased() {
            case nil: Console.out(runner.maxRows.map { "\($0)\n" } ?? "off\n")
            case "off": runner.maxRows = nil
            case let text?:
                if let n = Int(text), n > 0 { runner.maxRows = n } else {
                    complain("use '.maxrows N' (a number of rows, at least 1) or '.maxrows off'")
                }
            }
        case ".last":
            if let last = runner.lastResult { runner.show(last, full: true) } else {
                complain("no result yet; '.last' shows the previous query's result in full")
            }
        case ".pager":
            switch arguments.first?.lowercased() {
            case nil: Console.out(runner.pager == nil ? "off\n" : "on (\(runner.pager!))\n")
            case "on": runner.pager = Pager.command
            case "off": runner.pager = nil
            default: complain("use '.pager on' (through $PAGER, else less -S) or '.pager off'")
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

    /// Loads a file as `.load` asks; false when it could not.
    private func load(_ arguments: [String]) -> Bool {
        let path: String, name: String?, options: DataLoading.FileOptions
        switch DataLoading.loadArguments(arguments) {
        case .success(let parsed): (path, name, options) = parsed
        case .failure(let problem): complain(problem.message); return false
        }
        switch DataLoading.loadFile(path, as: name, options: options, into: runner.session.engine, settings: settings) {
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
            // A database table's rows are read only by a query that runs there: its columns
            // are what the catalogue says, without reading a row.
            if let table = engine.table(named: tableName), !engine.isInDatabase(tableName) {
                // Reading the columns may find cells that are not numbers: they are warned about.
                do throws(LKQError) {
                    let reports = try table.columnReports()
                    show(["column": .text(reports.map(\.name)), "header": .text(reports.map(\.header)),
                          "type": .text(reports.map(\.type)), "nulls": .int(reports.map { Int64($0.nulls) }),
                          "notes": .text(reports.map { $0.notes.joined(separator: "; ") })],
                         order: ["column", "header", "type", "nulls", "notes"])
                } catch {
                    runner.report(error)
                }
                continue
            }
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

/// Lines of a script to run: a file or standard input (``ScriptReader``), or the text of `-e`.
protocol ScriptLines: AnyObject {
    /// The name errors give the script: its path, `<stdin>` or `-e`.
    var name: String { get }
    /// The number of the line ``next()`` returned last.
    var lineNumber: Int { get }
    /// The next line, without its line break.
    func next() -> ScriptReader.Line
    /// Whether ``next()`` can return a line without waiting for input.
    var hasBufferedLine: Bool { get }
}

extension ScriptReader: ScriptLines {}

/// The text of `-e`, a line at a time, so it may hold dot-commands as a script does
/// (`lkq -e '.schema anggaran'`).
final class TextLines: ScriptLines {
    let name: String
    private let lines: [Substring]
    private(set) var lineNumber = 0

    init(_ text: String, name: String) {
        self.name = name
        lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    var hasBufferedLine: Bool { lineNumber < lines.count }

    func next() -> ScriptReader.Line {
        guard lineNumber < lines.count else { return .end }
        lineNumber += 1
        return .text(String(lines[lineNumber - 1]))
    }
}
