import Foundation
import LKQ

/// What Tab offers: the word being typed and the full words it could become.
struct Completion: Equatable {
    /// The text just before the cursor that the candidates replace.
    var word: String
    /// Full replacements for `word`, sorted, without duplicates.
    var candidates: [String]
    /// Whether a single finished candidate is followed by a space (not for folders).
    var addSpace = true

    static let none = Completion(word: "", candidates: [])

    func suffix(for candidate: String) -> String {
        addSpace && !candidate.hasSuffix("/") ? " " : ""
    }

    /// The longest prefix all candidates share.
    static func commonPrefix(_ words: [String]) -> String {
        guard var prefix = words.first else { return "" }
        for w in words.dropFirst() {
            while !w.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }

    /// Candidates laid out in columns for a terminal `width` wide, ending in a newline.
    static func columns(_ words: [String], width: Int) -> String {
        let cell = (words.map(\.count).max() ?? 0) + 2
        let perLine = max(1, width / max(1, cell))
        var out = ""
        for (i, w) in words.enumerated() {
            let last = i % perLine == perLine - 1 || i == words.count - 1
            out += last ? w + "\n" : w.padding(toLength: cell, withPad: " ", startingAt: 0)
        }
        return out
    }
}

/// Works out what can come at the cursor from the text of the statement so far.
///
/// This is a light scan, not the parser: it must give sensible answers for half-typed,
/// ungrammatical text, which the parser rightly rejects.
struct Completer {
    /// Tables the engine has, with their columns.
    var tables: [String: [String]]
    /// Names bound with `let`, with their columns.
    var lets: [String: [String]]

    // The words come from the library's registry, the one list of the language's words.
    static let dotCommands = Registry.dotCommands.map(\.name)
    static let stages = Registry.stageNames + ["left"]
    static let aggregates = Registry.aggregates.map(\.name)
    static let functions = Registry.functions.map(\.name) + ["case"]
    static let windowFunctions = Registry.windowFunctions.map(\.name)

    /// Completes `text`, everything before the cursor (earlier lines of the statement included).
    func complete(_ text: String) -> Completion {
        let trimmed = text.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix(".") { return completeDotCommand(String(trimmed)) }

        let statement = Self.currentStatement(text)
        guard let statement else { return .none }  // inside a string or a comment
        let word = String(statement.reversed().prefix { Self.isNameCharacter($0) }.reversed())
        // Numbers are not names.
        if let first = word.first, first.isNumber { return .none }
        let tokens = Self.tokens(String(statement.dropLast(word.count)))
        let words = candidates(after: tokens)
        return Completion(word: word, candidates: Self.matching(word, words))
    }

    /// What may follow `tokens`, before narrowing to the typed word.
    private func candidates(after tokens: [String]) -> [String] {
        let sources = Array(tables.keys) + Array(lets.keys)
        guard let first = tokens.first else { return ["let", "from", "audit"] + sources }
        let last = tokens.last!

        if first == "let" {
            // let NAME = TABLE ...
            if tokens.count < 3 { return [] }
            if tokens.count == 3 { return tokens[2] == "=" ? sources : [] }
        }
        if last == "from" || last == "join" { return sources }
        if last == "left" { return ["join"] }

        var body = first == "let" ? Array(tokens.dropFirst(3)) : tokens
        if body.first == "from" { body.removeFirst() }
        let tableName = body.first ?? ""
        let columns = (tables[tableName] ?? lets[tableName] ?? []) + Self.aliases(in: body)

        if body.count == 1 { return ["where"] }
        if last == "|" { return Self.stages }
        if last == "over" { return [] }
        if last == "case" { return ["when"] }
        if last == "group" { return ["by"] }
        if last == "limit" { return [] }
        if last == "as" { return [] }

        // The stage the cursor is in decides what else fits beside the columns.
        let stage = body.lastIndex(of: "|").map { body[($0 + 1)...].first ?? "" } ?? "where"
        // Right after a finished operand only a connective fits; in 'group by' an aggregate may follow a key.
        let afterOperand = Self.isEndOfOperand(last)
        switch stage {
        case "where":
            if last == "is" { return ["not", "null"] }
            return afterOperand ? ["and", "or", "is"] : columns + Self.functions + ["not", "null"]
        case "select", "extend":
            if afterOperand && body.last != ")" { return ["as"] }
            if afterOperand { return ["as", "over"] }
            return columns + Self.functions + Self.windowFunctions + Self.aggregates
        case "distinct":
            return afterOperand ? [] : columns
        case "sort":
            return afterOperand ? ["asc", "desc"] : columns + Self.functions
        case "group":
            return columns + Self.functions + Self.aggregates + (afterOperand ? ["as"] : [])
        case let aggregate where Self.aggregates.contains(aggregate):
            return afterOperand ? [] : columns + Self.functions
        case "bar":
            // A label, then a measure.
            return columns + Self.functions
        case "spark":
            return afterOperand ? ["by"] : columns + Self.functions
        case "join", "left":
            // After the joined table: 'on', then the pipeline's columns.
            if let i = body.lastIndex(where: { $0 == "join" }), body.count == i + 2 { return ["on"] }
            return columns
        default:
            return []
        }
    }

    private func completeDotCommand(_ text: String) -> Completion {
        guard let space = text.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
            return Completion(word: text, candidates: Self.matching(text, Self.dotCommands))
        }
        let command = String(text[..<space])
        let argument = String(text[space...].drop { $0 == " " || $0 == "\t" })
        switch command {
        case ".read":
            return Self.completePath(argument, extensions: ["lkq"])
        case ".load":
            if argument.contains(" ") {
                let rest = argument.split(separator: " ", omittingEmptySubsequences: false)
                return rest.count == 2 ? Completion(word: String(rest[1]), candidates: Self.matching(String(rest[1]), ["as"])) : .none
            }
            return Self.completePath(argument, extensions: ["csv"])
        case ".schema":
            return Completion(word: argument, candidates: Self.matching(argument, Array(tables.keys) + Array(lets.keys)))
        case ".mode":
            return Completion(word: argument, candidates: Self.matching(argument, OutputFormat.allCases.map(\.rawValue)))
        case ".timer":
            return Completion(word: argument, candidates: Self.matching(argument, ["on", "off"]))
        case ".locale":
            return Completion(word: argument, candidates: Self.matching(argument, ["id", "en"]))
        case ".help":
            return Completion(word: argument, candidates: Self.matching(argument, Help.topicNames))
        default:
            return .none
        }
    }

    /// Files and folders that start with `typed`; files only with one of `extensions`.
    static func completePath(_ typed: String, extensions: Set<String>) -> Completion {
        let slash = typed.lastIndex(of: "/")
        let folder = slash.map { String(typed[...$0]) } ?? ""
        let prefix = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        var listed = folder.isEmpty ? "." : folder
        if listed.hasPrefix("~/") || listed == "~/" {
            listed = (ProcessInfo.processInfo.environment["HOME"] ?? "~") + String(listed.dropFirst())
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: listed)) ?? []
        var found: [String] = []
        for name in names where name.hasPrefix(prefix) {
            if name.hasPrefix(".") && !prefix.hasPrefix(".") { continue }
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: listed + "/" + name, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                found.append(folder + name + "/")
            } else if extensions.contains((name as NSString).pathExtension.lowercased()) {
                found.append(folder + name)
            }
        }
        return Completion(word: typed, candidates: found.sorted())
    }

    /// Words from `words` that start with `typed`, ignoring case.
    static func matching(_ typed: String, _ words: [String]) -> [String] {
        let lower = typed.lowercased()
        return Array(Set(words.filter { $0.lowercased().hasPrefix(lower) })).sorted()
    }

    static func isNameCharacter(_ c: Character) -> Bool {
        c == "_" || c.isLetter || c.isNumber
    }

    /// Words that start or join parts of a statement, so never end an operand.
    static let connectives: Set<String> = ["let", "from", "where", "select", "as", "sort", "limit", "group", "by",
                                           "and", "or", "not", "is", "sum", "avg", "min", "max", "count", "bar", "spark"]

    private static func isEndOfOperand(_ token: String) -> Bool {
        if connectives.contains(token) { return false }
        return token == ")" || token.first.map { isNameCharacter($0) || $0 == "\"" || $0 == "'" } ?? false
    }

    /// Names given with `as` earlier in the statement: columns later stages can use.
    static func aliases(in tokens: [String]) -> [String] {
        zip(tokens, tokens.dropFirst()).compactMap { $0 == "as" ? $1 : nil }
            .filter { $0.first.map(isNameCharacter) ?? false }
    }

    /// The text of the statement the cursor is in, or nil when the cursor is inside a string
    /// or a comment, where nothing is completed.
    static func currentStatement(_ text: String) -> String? {
        var start = text.startIndex
        var quote: Character?
        var comment = false
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if comment {
                if c == "\n" { comment = false }
            } else if let q = quote {
                if c == "\\" {
                    // A backslash keeps the next character, quote included, inside the string.
                    i = text.index(after: i)
                    if i == text.endIndex { break }
                } else if c == q {
                    quote = nil
                }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "#" {
                comment = true
            } else if c == ";" {
                start = text.index(after: i)
            }
            i = text.index(after: i)
        }
        if quote != nil || comment { return nil }
        return String(text[start...])
    }

    /// A rough split into names, numbers, strings and symbols, lower-cased; comments dropped.
    static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c.isWhitespace {
                i = text.index(after: i)
            } else if c == "#" {
                i = text[i...].firstIndex(of: "\n") ?? text.endIndex
            } else if isNameCharacter(c) || c == "." {
                let end = text[i...].firstIndex { !(isNameCharacter($0) || $0 == ".") } ?? text.endIndex
                out.append(text[i..<end].lowercased())
                i = end
            } else if c == "\"" || c == "'" {
                let afterOpen = text.index(after: i)
                let close = text[afterOpen...].firstIndex(of: c) ?? text.endIndex
                out.append(String(text[i..<min(text.endIndex, text.index(close, offsetBy: 1, limitedBy: text.endIndex) ?? text.endIndex)]))
                i = close < text.endIndex ? text.index(after: close) : close
            } else {
                let two = text[i...].prefix(2)
                if ["<=", ">=", "!="].contains(String(two)) {
                    out.append(String(two))
                    i = text.index(i, offsetBy: 2)
                } else {
                    out.append(String(c))
                    i = text.index(after: i)
                }
            }
        }
        return out
    }
}
