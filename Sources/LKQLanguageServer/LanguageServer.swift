import Foundation
import LKQ

/// `lkq lsp`: the Language Server Protocol over standard input and output, for editors.
///
/// Diagnostics come from parsing alone (``ScriptOutline``), never from running a statement, so
/// they are cheap on every keystroke. Completion, hover and go-to-definition read the schema of
/// the tables in reach: the built-in ones, `--data` files and the files a script `.load`s.
/// Formatting writes each statement through ``Engine/canonical(_:sourceName:)``.
public enum LanguageServer {
    /// What `lkq lsp --help` prints.
    public static let usage = """
        usage: lkq lsp [--data PATH ...] | lkq lsp --words

        Speaks the Language Server Protocol on standard input and output, for editors: diagnostics
        as you type, completion of tables, columns, functions and keywords, hover, go to the `let`
        a name refers to, and formatting. --data adds a CSV file or a folder of them to the tables
        completion knows, as `lkq --data` does. --words prints the language's words as JSON (what
        editors/generate-grammar.py builds the TextMate grammar from).

        """

    /// Serves one client until it sends `exit` or closes standard input; returns the exit
    /// status (0 after a `shutdown` request, 1 otherwise, 2 for a wrong command line).
    public static func run(arguments: [String]) -> Int32 {
        var engine = Engine()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "-h", "--help":
                FileHandle.standardOutput.write(Data(usage.utf8))
                return 0
            case "--words":
                FileHandle.standardOutput.write(Data(Vocabulary.json.utf8))
                return 0
            case "-d", "--data":
                guard let path = rest.popFirst() else { return usageError("--data needs a PATH") }
                do throws(LKQError) {
                    var isDirectory: ObjCBool = false
                    _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                    engine = isDirectory.boolValue ? try engine.loadingDirectory(path) : try engine.loadingCSV(at: path)
                } catch {
                    FileHandle.standardError.write(Data((error.rendered() + "\n").utf8))
                    return 1
                }
            default:
                return usageError("unknown argument '\(argument)'")
            }
        }
        return Server(engine: engine).serve()
    }

    private static func usageError(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("lkq lsp: \(message)\ntry 'lkq lsp --help'\n".utf8))
        return 2
    }
}

/// A table as completion and hover describe it.
struct TableInfo {
    struct Column {
        let name: String
        let type: String
        let isRupiah: Bool
    }
    let name: String
    let columns: [Column]
    /// Where the rows come from: the table's origin, a file, or the `let` that made it.
    let origin: String

    init(_ table: Table, origin: String? = nil) {
        name = table.name
        columns = table.fields.map { Column(name: $0.name, type: $0.type.rawValue, isRupiah: $0.isRupiah) }
        self.origin = origin ?? table.origin
    }

    init(name: String, columns: [Column], origin: String) {
        self.name = name
        self.columns = columns
        self.origin = origin
    }
}

final class Server {
    private var transport = Transport()
    private let engine: Engine
    private var documents: [String: Document] = [:]
    private var shutdownRequested = false
    /// Tables read for `.load` lines, by absolute path, with the file's size and date when read.
    private var loadedFiles: [String: (stamp: String, table: Table?)] = [:]

    init(engine: Engine) { self.engine = engine }

    func serve() -> Int32 {
        while let message = transport.read() {
            let method = message["method"] as? String ?? ""
            let params = message["params"] as? [String: Any] ?? [:]
            let id = message["id"]
            if method == "exit" { return shutdownRequested ? 0 : 1 }
            guard let id else {
                notification(method, params)
                continue
            }
            if let result = request(method, params) {
                transport.write(["jsonrpc": "2.0", "id": id, "result": result])
            } else {
                transport.write(["jsonrpc": "2.0", "id": id,
                                 "error": ["code": -32601, "message": "lkq lsp does not handle '\(method)'"]])
            }
        }
        return shutdownRequested ? 0 : 1
    }

    // MARK: Messages

    private func notification(_ method: String, _ params: [String: Any]) {
        let textDocument = params["textDocument"] as? [String: Any] ?? [:]
        guard let uri = textDocument["uri"] as? String else { return }
        switch method {
        case "textDocument/didOpen":
            update(uri, text: textDocument["text"] as? String ?? "")
        case "textDocument/didChange":
            // Full synchronisation (textDocumentSync 1): the last change holds the whole text.
            let changes = params["contentChanges"] as? [[String: Any]] ?? []
            if let text = changes.last?["text"] as? String { update(uri, text: text) }
        case "textDocument/didClose":
            documents[uri] = nil
            publish(uri, [])
        default:
            break
        }
    }

    /// The result of a request (NSNull for a null result), or nil for a method not handled.
    private func request(_ method: String, _ params: [String: Any]) -> Any? {
        let textDocument = params["textDocument"] as? [String: Any] ?? [:]
        let document = (textDocument["uri"] as? String).flatMap { documents[$0] }
        let position = params["position"] as? [String: Any] ?? [:]
        let offset = document.map { $0.offset(line: position["line"] as? Int ?? 0, character: position["character"] as? Int ?? 0) } ?? 0
        switch method {
        case "initialize":
            return [
                "capabilities": [
                    "positionEncoding": "utf-16",
                    "textDocumentSync": ["openClose": true, "change": 1],
                    "completionProvider": ["triggerCharacters": [" ", "|", ".", "("]],
                    "hoverProvider": true,
                    "definitionProvider": true,
                    "documentFormattingProvider": true,
                ] as [String: Any],
                "serverInfo": ["name": "lkq lsp", "version": "0.1.0"],
            ] as [String: Any]
        case "shutdown":
            shutdownRequested = true
            return NSNull()
        case "textDocument/completion":
            guard let document else { return NSNull() }
            return ["isIncomplete": false, "items": completions(document, at: offset)] as [String: Any]
        case "textDocument/hover":
            guard let document else { return NSNull() }
            return hover(document, at: offset) ?? NSNull()
        case "textDocument/definition":
            guard let document else { return NSNull() }
            return definition(document, at: offset) ?? NSNull()
        case "textDocument/formatting":
            guard let document else { return NSNull() }
            return formatting(document)
        default:
            return nil
        }
    }

    private func update(_ uri: String, text: String) {
        let document = Document(uri: uri, text: text)
        documents[uri] = document
        publish(uri, diagnostics(document))
    }

    private func publish(_ uri: String, _ diagnostics: [[String: Any]]) {
        transport.write(["jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                         "params": ["uri": uri, "diagnostics": diagnostics] as [String: Any]])
    }

    // MARK: What is in reach

    /// The file path of a `file://` URI, if it is one.
    private func path(of uri: String) -> String? {
        URL(string: uri).flatMap { $0.isFileURL ? $0.path : nil }
    }

    /// The engine a document's statements run against: the server's, with the tables its
    /// `.load` lines name.
    private func engine(for document: Document, tokens: [Scanner.Token]) -> Engine {
        loads(document, tokens: tokens).reduce(engine) { $0.adding($1.table) }
    }

    /// The tables the document's `.load` lines give, with each line's place. A path is relative
    /// to the script, else to the server's folder; a file that cannot be read gives none.
    private func loads(_ document: Document, tokens: [Scanner.Token]) -> [(table: Table, range: Range<Int>)] {
        let directory = path(of: document.uri).map { ($0 as NSString).deletingLastPathComponent }
        var found: [(table: Table, range: Range<Int>)] = []
        for token in tokens where token.kind == .dotCommand {
            let words = token.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard words.first?.lowercased() == ".load", words.count >= 2 else { continue }
            let file = words[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            let name = words.count >= 4 && words[2].lowercased() == "as" ? words[3].lowercased() : nil
            let candidates = file.hasPrefix("/") ? [file]
                : [directory.map { $0 + "/" + file }, FileManager.default.currentDirectoryPath + "/" + file].compactMap { $0 }
            if let table = candidates.lazy.compactMap({ self.loadedTable($0, as: name) }).first {
                found.append((table, token.range))
            }
        }
        return found
    }

    /// The table a `.load` file gives, read once per version of the file (its header and head only).
    private func loadedTable(_ path: String, as name: String?) -> Table? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let stamp = "\(attributes[.size] ?? 0) \(attributes[.modificationDate] ?? 0)"
        let key = path + "\u{0}" + (name ?? "")
        if let cached = loadedFiles[key], cached.stamp == stamp { return cached.table }
        let table = try? Engine(tables: []).loadingCSV(at: path, as: name).tables.first
        loadedFiles[key] = (stamp, table)
        return table
    }

    /// Everything a position needs: the document's engine, its checked outline, its tokens.
    private struct Analysis {
        let engine: Engine
        let outline: ScriptOutline
        let tokens: [Scanner.Token]
    }

    private func analyse(_ document: Document) -> Analysis {
        let tokens = Scanner.tokens(of: document.bytes)
        let engine = engine(for: document, tokens: tokens)
        let outline = ScriptOutline(document.lkqText, sourceName: path(of: document.uri) ?? document.uri,
                                    checkingAgainst: engine)
        return Analysis(engine: engine, outline: outline, tokens: tokens)
    }

    /// Tables in reach plus the `let` names bound before `offset`, each with the columns the
    /// resolver gives its query.
    private func scope(_ document: Document, before offset: Int, _ analysis: Analysis) -> [String: TableInfo] {
        var tables: [String: TableInfo] = [:]
        for table in analysis.engine.tables {
            let loaded = self.engine.table(named: table.name) == nil
            tables[table.name] = TableInfo(table, origin: loaded ? ".load: " + table.origin : nil)
        }
        for statement in analysis.outline.statements where statement.range.upperBound <= offset {
            // A `let` of a value (`let batas = 75`) or a `param` names no table.
            guard let binding = statement.binding, statement.columns != nil || statement.source != nil else { continue }
            let columns = (statement.columns ?? []).map { TableInfo.Column(name: $0.name, type: $0.type.rawValue, isRupiah: $0.isRupiah) }
            tables[binding.name] = TableInfo(name: binding.name, columns: columns,
                                             origin: "let " + binding.name + " = " + queryText(document, statement))
        }
        return tables
    }

    private func queryText(_ document: Document, _ statement: ScriptOutline.Statement) -> String {
        let text = document.slice(statement.range)
        guard let equals = text.firstIndex(of: "=") else { return text }
        return text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
    }

    /// The tables a statement reads: the one after `let NAME =` or `from`, or its first word,
    /// and each one after `join`.
    private func sources(of statement: [Scanner.Token]) -> [String] {
        var words = statement.filter { $0.kind == .word || $0.text == "=" || $0.text == "(" || $0.text == "|" }
        if words.first?.text == "let" { words = Array(words.dropFirst(3)) }
        if words.first?.text == "from" { words = Array(words.dropFirst()) }
        var names: [String] = []
        if let first = words.first, first.kind == .word { names.append(first.text) }
        for (i, word) in words.enumerated() where word.text == "join" && i + 1 < words.count && words[i + 1].kind == .word {
            names.append(words[i + 1].text)
        }
        return names
    }

    // MARK: Diagnostics

    private func diagnostics(_ document: Document) -> [[String: Any]] {
        let outline = analyse(document).outline
        var out: [[String: Any]] = []
        for (error, severity) in outline.errors.map({ ($0, 1) }) + outline.warnings.map({ ($0, 2) }) {
            var range = error.range ?? {
                let start = document.offset(line: (error.line ?? 1) - 1, character: (error.column ?? 1) - 1)
                return start..<start
            }()
            // "found end of input" points past the last line break; an editor shows it where the
            // text stops, right after the last thing typed.
            if range.isEmpty {
                var end = range.lowerBound
                while end > 0, [9, 10, 13, 32].contains(document.bytes[end - 1]) { end -= 1 }
                if end < range.lowerBound { range = end..<end }
            }
            out.append(["range": lspRange(document, range), "severity": severity, "source": "lkq",
                        "code": error.kind.rawValue, "message": error.message])
        }
        return out
    }

    private func lspRange(_ document: Document, _ range: Range<Int>) -> [String: Any] {
        let start = document.position(of: range.lowerBound), end = document.position(of: range.upperBound)
        return ["start": ["line": start.line, "character": start.character],
                "end": ["line": end.line, "character": end.character]]
    }

    // MARK: Completion

    private func completions(_ document: Document, at offset: Int) -> [[String: Any]] {
        let analysis = analyse(document)
        let tokens = analysis.tokens
        // Inside a string or comment nothing is offered; on a dot-command line, the commands.
        if let inside = tokens.first(where: { $0.range.lowerBound < offset && offset <= $0.range.upperBound }) {
            switch inside.kind {
            case .string, .comment: return []
            case .dotCommand:
                return inside.text.contains(" ") ? [] : Vocabulary.dotCommands.map { item($0, kind: 14) }
            default: break
            }
        }
        var prefix = Scanner.statementPrefix(tokens, before: offset)
        if let last = prefix.last, last.kind == .word, last.range.upperBound == offset { prefix.removeLast() }
        let scope = scope(document, before: offset, analysis)
        let sourceItems = scope.values.sorted { $0.name < $1.name }.map { table in
            ["label": table.name, "kind": table.origin.hasPrefix("let ") ? 6 : 7,
             "detail": table.origin.hasPrefix("let ") ? table.origin : "table: " + table.columns.map(\.name).joined(separator: ", "),
             "documentation": table.origin] as [String: Any]
        }
        let words = prefix.map(\.text)
        guard let last = words.last else {
            return sourceItems + (Vocabulary.statementWords + Vocabulary.keywords.filter { $0.name == "from" })
                .map { item($0, kind: 14) }
        }
        if words.first == "let" && words.count < 3 { return words.count == 2 ? [["label": "=", "kind": 24]] : [] }
        if last == "|" { return Vocabulary.stages.map { item($0, kind: 14) } }
        if ["=", "join", "from"].contains(last) && (words.first == "let" && words.count == 3 || last != "=") {
            return sourceItems
        }
        var items: [[String: Any]] = []
        var seen: Set<String> = []
        for name in sources(of: prefix) {
            guard let table = scope[name] else { continue }
            for column in table.columns where seen.insert(column.name).inserted {
                items.append(["label": column.name, "kind": 5, "sortText": "0" + column.name,
                              "detail": column.type + (column.isRupiah ? " (rupiah)" : "") + " — " + table.name,
                              "documentation": "Column of \(table.name): \(table.origin)"])
            }
        }
        // Values named by `let batas = 75` or `param` before the statement.
        for statement in analysis.outline.statements where statement.range.upperBound <= offset
            && statement.columns == nil && statement.source == nil {
            guard let binding = statement.binding, seen.insert(binding.name).inserted else { continue }
            items.append(["label": binding.name, "kind": 6, "sortText": "0" + binding.name,
                          "detail": document.slice(statement.range)])
        }
        items += (Vocabulary.functions + Vocabulary.aggregates).map { item($0, kind: 3, sort: "1") }
        items += Vocabulary.keywords.filter { !["let", "from"].contains($0.name) }.map { item($0, kind: 14, sort: "2") }
        items += Vocabulary.stageWords.map { item($0, kind: 14, sort: "2") }
        return items
    }

    private func item(_ word: Word, kind: Int, sort: String = "") -> [String: Any] {
        ["label": word.name, "kind": kind, "detail": word.signature, "documentation": word.doc, "sortText": sort + word.name]
    }

    // MARK: Hover and definition

    /// The word under the cursor: the one the offset is in or just after.
    private func word(at offset: Int, in tokens: [Scanner.Token]) -> Scanner.Token? {
        tokens.first { $0.kind == .word && $0.range.lowerBound <= offset && offset <= $0.range.upperBound }
    }

    private func hover(_ document: Document, at offset: Int) -> [String: Any]? {
        let tokens = Scanner.tokens(of: document.bytes)
        if let dot = tokens.first(where: { $0.kind == .dotCommand && $0.range.contains(offset) }),
           let name = dot.text.split(separator: " ").first, let word = Vocabulary.byName[name.lowercased()] {
            return markdown(document, dot.range, "```lkq\n\(word.signature)\n```\n\(word.doc)")
        }
        guard let token = word(at: offset, in: tokens) else { return nil }
        let scope = scope(document, before: offset, analyse(document))
        let next = tokens.first { $0.range.lowerBound >= token.range.upperBound }
        let statement = statementTokens(tokens, containing: offset)
        if Vocabulary.isFunction(token.text), next?.text == "(", let word = Vocabulary.byName[token.text] {
            return markdown(document, token.range, "```lkq\n\(word.signature)\n```\n\(word.doc)")
        }
        for name in sources(of: statement) {
            if let table = scope[name], let column = table.columns.first(where: { $0.name == token.text }),
               !sources(of: statement).contains(token.text) {
                let type = column.type + (column.isRupiah ? ", rupiah" : "")
                return markdown(document, token.range,
                                "```lkq\n\(column.name): \(type)\n```\nColumn of `\(table.name)`. Origin: \(table.origin)")
            }
        }
        if let table = scope[token.text] {
            let columns = table.columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
            return markdown(document, token.range, "```lkq\n\(table.name)(\(columns))\n```\n\(table.origin)")
        }
        if let word = Vocabulary.byName[token.text] {
            return markdown(document, token.range, "```lkq\n\(word.signature)\n```\n\(word.doc)")
        }
        return nil
    }

    private func markdown(_ document: Document, _ range: Range<Int>, _ text: String) -> [String: Any] {
        ["contents": ["kind": "markdown", "value": text], "range": lspRange(document, range)]
    }

    /// Every token of the statement that holds `offset`.
    private func statementTokens(_ tokens: [Scanner.Token], containing offset: Int) -> [Scanner.Token] {
        var current: [Scanner.Token] = []
        for token in tokens {
            if token.kind == .newline || token.text == ";" || token.kind == .dotCommand {
                if token.range.lowerBound >= offset { break }
                current = []
            } else if token.kind != .comment {
                current.append(token)
            }
        }
        return current
    }

    /// The `let` that bound the name under the cursor (the last one before its statement), or
    /// the `.load` line its table comes from.
    private func definition(_ document: Document, at offset: Int) -> [String: Any]? {
        let tokens = Scanner.tokens(of: document.bytes)
        guard let token = word(at: offset, in: tokens) else { return nil }
        let outline = ScriptOutline(document.lkqText)
        let binding = outline.statements.last { statement in
            statement.binding?.name == token.text && statement.range.lowerBound <= offset
                && (statement.range.upperBound <= offset || statement.binding!.range.contains(offset)
                    || statement.binding!.range.upperBound == offset)
        }?.binding
        if let binding { return ["uri": document.uri, "range": lspRange(document, binding.range)] }
        // A table a `.load` line gives: that line (the last one naming it wins, as when run).
        if let load = loads(document, tokens: tokens).last(where: { $0.table.name == token.text }) {
            return ["uri": document.uri, "range": lspRange(document, load.range)]
        }
        return nil
    }

    // MARK: Formatting

    /// Each statement in canonical form, in place. Comments, blank lines and dot-commands stay;
    /// a statement with a comment inside it or a syntax error is left as written.
    private func formatting(_ document: Document) -> [[String: Any]] {
        let tokens = Scanner.tokens(of: document.bytes)
        let comments = tokens.filter { $0.kind == .comment }.map(\.range)
        var edits: [[String: Any]] = []
        for statement in ScriptOutline(document.lkqText).statements {
            if comments.contains(where: { statement.range.overlaps($0) }) { continue }
            let text = document.slice(statement.range)
            guard let canonical = try? Engine.canonical(text), canonical != text, !canonical.isEmpty else { continue }
            edits.append(["range": lspRange(document, statement.range), "newText": canonical])
        }
        return edits
    }
}
