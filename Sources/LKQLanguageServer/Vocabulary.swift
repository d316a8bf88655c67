// The words of LKQ the language server offers and explains, taken from the library's
// ``Registry`` (functions with signatures and docs, stages, statement words, dot-commands,
// reserved words). This file is the only place the server reads them from;
// editors/generate-grammar.py reads them too (`lkq lsp --words`) to write the TextMate grammar.
import Foundation
import LKQ

/// A word of the language with what the editor shows for it.
struct Word: Sendable {
    /// The word as typed.
    let name: String
    /// What it looks like in use: `round(x [, digits])`, `where CONDITION`.
    let signature: String
    /// What it does, in a line.
    let doc: String

    init(name: String, signature: String, doc: String) {
        self.name = name
        self.signature = signature
        self.doc = doc
    }

    init(_ word: Registry.Word) {
        self.init(name: word.name, signature: word.syntax, doc: word.doc)
    }
}

enum Vocabulary {
    /// What the reserved words that are not stages or statements do; the registry lists the
    /// words, and a reserved word added there without a line here is still offered, with no doc.
    private static let keywordDocs: [String: (String, String)] = [
        "from": ("[from] TABLE", "optional before the table a query reads"),
        "as": ("EXPR as NAME", "names a computed column"),
        "asc": ("sort EXPR asc", "ascending order (the default)"),
        "desc": ("sort EXPR desc", "descending order"),
        "by": ("group by KEY / spark by YEAR / partition by", "names the keys of group or the year column of spark"),
        "and": ("CONDITION and CONDITION", "both hold; binds tighter than or"),
        "or": ("CONDITION or CONDITION", "either holds"),
        "not": ("not CONDITION", "the condition does not hold; binds tighter than and"),
        "is": ("EXPR is [not] null", "tests for a gap (the report's \"-\")"),
        "null": ("null", "no value: comparisons with null are false, aggregates skip nulls"),
        "in": ("EXPR [not] in (A, B, ...)", "equal to one of the values"),
        "between": ("EXPR between LOW and HIGH", "LOW <= EXPR <= HIGH"),
        "case": ("case when CONDITION then A [when ...] [else B] end", "the value of the first branch whose condition holds"),
        "when": ("case when CONDITION then A", "a branch of case"),
        "then": ("case when CONDITION then A", "the value of a branch of case"),
        "else": ("case ... else B end", "the value when no branch holds"),
        "end": ("case ... end", "ends a case"),
        "over": ("FUNCTION(...) over ([partition by KEY, ...] [sort KEY, ...])", "computes a function over a window of rows"),
    ]

    /// Reserved words: never names of tables or columns.
    static var keywords: [Word] {
        let described = Dictionary((Registry.stages + Registry.statementWords).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return Registry.keywords.map { name in
            if let word = described[name] { return Word(word) }
            let (signature, doc) = keywordDocs[name] ?? (name, "")
            return Word(name: name, signature: signature, doc: doc)
        }
    }

    /// Words that begin a statement: `let`, `param`, `audit`.
    static var statementWords: [Word] { Registry.statementWords.map(Word.init) }

    /// The stages offered after `|` (aggregates are stages too).
    static var stages: [Word] { Registry.stages.map(Word.init) + aggregates }

    /// Words used inside stages that are names, not reserved words.
    static let stageWords: [Word] = [
        Word(name: "left", signature: "left join TABLE on COLUMN", doc: "a join that keeps rows without a match, with nulls"),
        Word(name: "on", signature: "join TABLE on COLUMN [= COLUMN]", doc: "the columns a join matches"),
        Word(name: "all", signature: "audit all", doc: "every claim, with status sesuai, berbeda or galat"),
        Word(name: "partition", signature: "over (partition by KEY, ...)", doc: "the groups a window function works within"),
    ]

    /// Aggregates: in `group by`, as whole-table stages (`| sum pagu`), and with `over`.
    static var aggregates: [Word] { Registry.aggregates.map(Word.init) }

    /// Functions of a row's values, and window functions (with `over`).
    static var functions: [Word] { (Registry.functions + Registry.windowFunctions).map(Word.init) }

    /// The shell's dot-commands, which scripts may use on a line of their own.
    static var dotCommands: [Word] { Registry.dotCommands.map(Word.init) }

    /// Every word with its entry, for hover; a function wins over a stage of the same name
    /// (`count(` is the aggregate, `| count` the stage, and they say the same).
    static let byName: [String: Word] = {
        var all: [String: Word] = [:]
        for word in keywords + statementWords + stages + stageWords + aggregates + functions + dotCommands {
            all[word.name] = word
        }
        return all
    }()

    /// Whether `name` is a function or aggregate that takes parentheses.
    static func isFunction(_ name: String) -> Bool {
        Registry.functionNames.contains(name)
    }

    /// Every list as JSON (`lkq lsp --words`), for editors/generate-grammar.py to build the
    /// TextMate grammar from: {"keywords": [{"name", "signature", "doc"}, ...], "stages": ...}.
    static var json: String {
        func list(_ words: [Word]) -> [[String: String]] {
            words.map { ["name": $0.name, "signature": $0.signature, "doc": $0.doc] }
        }
        let all: [String: Any] = [
            "keywords": list(keywords), "statementWords": list(statementWords),
            "stages": list(Registry.stages.map(Word.init)), "stageWords": list(stageWords),
            "aggregates": list(aggregates), "functions": list(functions), "dotCommands": list(dotCommands),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: all, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
