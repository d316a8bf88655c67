// The words of LKQ the language server offers and explains: keywords, stages, functions with
// their signatures and docs, and the shell's dot-commands. This file is the only place they are
// listed here, so switching to the library's registry of words (once it lands) changes only it;
// editors/generate-grammar.py reads them (`lkq lsp --words`) to write the TextMate grammar.
import Foundation

/// A word of the language with what the editor shows for it.
struct Word: Sendable {
    /// The word as typed.
    let name: String
    /// What it looks like in use: `round(x [, digits])`, `where COND`.
    let signature: String
    /// One or two sentences on what it does.
    let doc: String
}

enum Vocabulary {
    /// Reserved words (the lexer's keywords): never names of tables or columns.
    static let keywords: [Word] = [
        Word(name: "let", signature: "let NAME = query", doc: "Binds a query's result to a name that later statements use like a table."),
        Word(name: "from", signature: "[from] TABLE", doc: "Optional before the table a query reads."),
        Word(name: "where", signature: "where COND", doc: "Keeps the rows where COND holds; `< 75` alone compares the table's default measure."),
        Word(name: "select", signature: "select expr [as name], ...", doc: "Chooses and computes columns, with + - * / and functions."),
        Word(name: "as", signature: "expr as name", doc: "Names a computed column."),
        Word(name: "sort", signature: "sort key [asc|desc], ...", doc: "Orders rows; ascending unless `desc`. Nulls come last."),
        Word(name: "asc", signature: "sort key asc", doc: "Ascending order (the default)."),
        Word(name: "desc", signature: "sort key desc", doc: "Descending order."),
        Word(name: "limit", signature: "limit N", doc: "Keeps the first N rows."),
        Word(name: "group", signature: "group by expr, ... agg(expr) [as name], ...", doc: "One row per distinct key, with aggregates over each group."),
        Word(name: "by", signature: "group by expr / spark [measure] by year", doc: "Names the keys of `group` or the year column of `spark`."),
        Word(name: "and", signature: "COND and COND", doc: "Both conditions hold; binds tighter than `or`."),
        Word(name: "or", signature: "COND or COND", doc: "Either condition holds."),
        Word(name: "not", signature: "not COND", doc: "The condition does not hold; binds tighter than `and`."),
        Word(name: "is", signature: "expr is [not] null", doc: "Tests for a gap (the report's \"-\")."),
        Word(name: "null", signature: "null", doc: "No value. Comparisons with null are false; aggregates skip nulls."),
    ]

    /// Words that start a stage after `|` but are names, not keywords (a column may be called `bar`).
    static let stageWords: [Word] = [
        Word(name: "join", signature: "[left] join TABLE|(query) on col [= col], ...", doc: "Pairs each row with the rows of another table or query whose key columns are equal (nulls never match)."),
        Word(name: "left", signature: "left join TABLE on col", doc: "A join that keeps rows without a match, with nulls on the other side."),
        Word(name: "on", signature: "join TABLE on col [= col]", doc: "The columns a join matches."),
        Word(name: "bar", signature: "bar [label [measure]]", doc: "A horizontal bar per row, with a marker at 100 for capaian, persen and serapan."),
        Word(name: "spark", signature: "spark [measure] [by year]", doc: "One row per series and one column per year, drawn as a sparkline."),
        Word(name: "audit", signature: "audit [all]", doc: "Recomputes every claim of the report (table klaim) and lists those that differ; `audit all` lists every claim with its status."),
        Word(name: "all", signature: "audit all", doc: "Every claim, with status sesuai, berbeda or galat."),
    ]

    /// Aggregates: stages of their own (`| sum pagu`) and functions inside `group by`.
    static let aggregates: [Word] = [
        Word(name: "count", signature: "count / count()", doc: "The number of rows (of each group)."),
        Word(name: "sum", signature: "sum [expr] / sum(expr)", doc: "The total of expr, or of the default measure; exact for integers (rupiah)."),
        Word(name: "avg", signature: "avg [expr] / avg(expr)", doc: "The mean of expr, or of the default measure."),
        Word(name: "min", signature: "min [expr] / min(expr)", doc: "The least value of expr, or of the default measure."),
        Word(name: "max", signature: "max [expr] / max(expr)", doc: "The greatest value of expr, or of the default measure."),
    ]

    /// Functions of expressions.
    static let functions: [Word] = [
        Word(name: "round", signature: "round(x [, digits])", doc: "x rounded to `digits` decimals (0 by default)."),
        Word(name: "abs", signature: "abs(x)", doc: "The absolute value of x."),
        Word(name: "lower", signature: "lower(text)", doc: "The text in lower case."),
        Word(name: "upper", signature: "upper(text)", doc: "The text in upper case."),
        Word(name: "coalesce", signature: "coalesce(a, b, ...)", doc: "The first argument that is not null."),
        Word(name: "kategori", signature: "kategori(capaian)", doc: "The rating of a capaian on the scale of Permendagri 86/2017: Sangat Tinggi (>= 91), Tinggi (>= 76), Sedang (>= 66), Rendah (>= 51), else Sangat Rendah."),
        Word(name: "hitung_capaian", signature: "hitung_capaian(realisasi, target [, polaritas [, rumus]])", doc: "A capaian: positif realisasi / target x 100; negatif (2 x target - realisasi) / target x 100 (PermenPANRB 8/2021), or target / realisasi x 100 with rumus 'rasio'; null when target <= 0."),
    ]

    /// The stages offered after `|`.
    static var stages: [Word] {
        let names: Set = ["where", "select", "sort", "limit", "group"]
        return keywords.filter { names.contains($0.name) } + aggregates
            + stageWords.filter { ["join", "left", "bar", "spark"].contains($0.name) }
    }

    /// The shell's dot-commands, which scripts may use on a line of their own.
    static let dotCommands: [Word] = [
        Word(name: ".load", signature: ".load FILE.csv [as NAME]", doc: "Loads a CSV file as a table, named after the file unless `as NAME` is given."),
        Word(name: ".read", signature: ".read FILE", doc: "Runs the statements of another LKQ script."),
        Word(name: ".mode", signature: ".mode table|csv|json|markdown", doc: "Chooses how results are printed."),
        Word(name: ".locale", signature: ".locale id|en", doc: "id prints numbers the Indonesian way in table and markdown output."),
        Word(name: ".timer", signature: ".timer on|off", doc: "Prints how long each query took."),
        Word(name: ".tables", signature: ".tables", doc: "Lists the tables."),
        Word(name: ".schema", signature: ".schema [TABLE]", doc: "Shows a table's columns and types."),
        Word(name: ".help", signature: ".help [topic]", doc: "Help on a topic."),
        Word(name: ".quit", signature: ".quit", doc: "Leaves the session."),
    ]

    /// Every word with its entry, for hover; functions win over stage words of the same name.
    static let byName: [String: Word] = {
        var all: [String: Word] = [:]
        for word in keywords + stageWords + aggregates + functions + dotCommands { all[word.name] = word }
        return all
    }()

    /// Every list as JSON (`lkq lsp --words`), for editors/generate-grammar.py to build the
    /// TextMate grammar from: {"keywords": [{"name", "signature", "doc"}, ...], "stageWords": ...}.
    static var json: String {
        func list(_ words: [Word]) -> [[String: String]] {
            words.map { ["name": $0.name, "signature": $0.signature, "doc": $0.doc] }
        }
        let all: [String: Any] = ["keywords": list(keywords), "stageWords": list(stageWords), "aggregates": list(aggregates),
                                  "functions": list(functions), "dotCommands": list(dotCommands)]
        let data = (try? JSONSerialization.data(withJSONObject: all, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Whether `name` is a function or aggregate that takes parentheses.
    static func isFunction(_ name: String) -> Bool {
        functions.contains { $0.name == name } || aggregates.contains { $0.name == name }
    }
}
