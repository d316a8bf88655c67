/// The words of the language, as data: one table that the parser's suggestions, the resolver,
/// the executor, Tab completion, `.help`, the grammar-based generator and the fuzz dictionary
/// all read. A scalar function, aggregate or window function is one case of its enum below;
/// every `switch` over these enums is exhaustive, so a new case does not compile until it has
/// its signature here and its implementation in the executor.
public enum Registry {
    /// The value types a signature speaks of.
    public enum ArgumentKind: String, Sendable {
        /// An integer or a decimal.
        case number
        /// Text.
        case text
        /// A value of any type.
        case any
        /// A condition, as after `where`.
        case condition
    }

    /// One word of the language with its syntax and a one-line description.
    public struct Word: Sendable, Equatable {
        /// The word as typed.
        public let name: String
        /// How it is written, as in `substr(s, start [, len])`.
        public let syntax: String
        /// What it does, in one line.
        public let doc: String
    }

    /// Every scalar function, with its signature.
    public static var functions: [Word] { ScalarFunction.allCases.map(\.word) }
    /// Every aggregate (in `group by`, as a whole-table stage, and with `over`).
    public static var aggregates: [Word] { AggregateFunction.allCases.map(\.word) }
    /// Every function that needs `over (...)`.
    public static var windowFunctions: [Word] { WindowFunction.allCases.map(\.word) }
    /// The reserved words.
    public static var keywords: [String] { Keyword.allCases.map(\.rawValue) }

    /// The stages that follow `|`. Aggregates are stages too (`| avg`), listed in ``aggregates``.
    public static let stages: [Word] = [
        Word(name: "where", syntax: "where CONDITION", doc: "keep the rows for which the condition holds"),
        Word(name: "select", syntax: "select EXPR [as NAME], ...", doc: "compute exactly these columns"),
        Word(name: "extend", syntax: "extend EXPR as NAME, ...", doc: "add computed columns, keeping all the others (a same-named column is replaced in place)"),
        Word(name: "sort", syntax: "sort EXPR [asc|desc], ...", doc: "order the rows; nulls last either way"),
        Word(name: "limit", syntax: "limit N", doc: "keep the first N rows"),
        Word(name: "distinct", syntax: "distinct [COLUMN, ...]", doc: "distinct rows, of the named columns or of all"),
        Word(name: "group", syntax: "group by KEY [as NAME], ... AGGREGATE [as NAME], ...", doc: "one row per distinct key, in key order"),
        Word(name: "join", syntax: "[left] join TABLE|(QUERY) on COLUMN [= COLUMN], ...", doc: "pair rows with another table's rows on equal keys"),
        Word(name: "bar", syntax: "bar [LABEL [MEASURE]]", doc: "a bar per row"),
        Word(name: "spark", syntax: "spark [MEASURE] [by YEAR]", doc: "a sparkline per series, one column per year"),
    ]

    /// Words that begin a statement rather than a query.
    public static let statementWords: [Word] = [
        Word(name: "let", syntax: "let NAME = QUERY | let NAME = VALUE", doc: "keep a result, or a single value, under a name"),
        Word(name: "param", syntax: "param NAME [= DEFAULT]", doc: "a value the command line may set with --param NAME=VALUE"),
        Word(name: "audit", syntax: "audit [all]", doc: "the report's claims, each recomputed (all: agreeing ones too)"),
    ]

    /// The shell's dot-commands.
    public static let dotCommands: [Word] = [
        Word(name: ".help", syntax: ".help [TOPIC]", doc: "this help, or help on one topic"),
        Word(name: ".tables", syntax: ".tables", doc: "list the tables"),
        Word(name: ".schema", syntax: ".schema [TABLE]", doc: "columns and types of a table"),
        Word(name: ".mode", syntax: ".mode table|csv|json|markdown", doc: "how results are printed"),
        Word(name: ".locale", syntax: ".locale en|id", doc: "number style of printed results"),
        Word(name: ".read", syntax: ".read FILE", doc: "run a script file"),
        Word(name: ".load", syntax: ".load FILE [as NAME]", doc: "load a CSV file as a table"),
        Word(name: ".open", syntax: ".open postgresql://USER@HOST/DB", doc: "read the tables of a PostgreSQL database in place, as --db does"),
        Word(name: ".timer", syntax: ".timer on|off", doc: "print how long each statement took"),
        Word(name: ".maxrows", syntax: ".maxrows N|off", doc: "show at most N rows of a table result on the terminal (40 at first)"),
        Word(name: ".last", syntax: ".last", doc: "print the previous result again, every row"),
        Word(name: ".pager", syntax: ".pager on|off", doc: "show results through $PAGER (less -S when unset)"),
        Word(name: ".quit", syntax: ".quit", doc: "leave the shell"),
        Word(name: ".exit", syntax: ".exit", doc: "leave the shell"),
    ]

    /// Every word a user may type after `|` (stages and aggregates).
    public static var stageNames: [String] { stages.map(\.name) + aggregates.map(\.name) }

    /// Every function name: scalar, aggregate and window.
    public static var functionNames: [String] {
        functions.map(\.name) + aggregates.map(\.name) + windowFunctions.map(\.name)
    }
}

/// A function of one row's values.
public enum ScalarFunction: String, CaseIterable, Sendable {
    case round, abs, lower, upper, coalesce, kategori, hitung_capaian
    case length, trim, substr, replace, split_part, starts_with, ends_with, concat
    case number, text

    /// The kinds of the arguments; the last one repeats for a variadic function.
    public var parameters: [Registry.ArgumentKind] {
        switch self {
        case .round: return [.number, .number]
        case .abs, .kategori: return [.number]
        case .lower, .upper, .length, .trim: return [.text]
        case .coalesce: return [.any]
        case .hitung_capaian: return [.number, .number, .text, .text]
        case .substr: return [.text, .number, .number]
        case .replace: return [.text, .text, .text]
        case .split_part: return [.text, .text, .number]
        case .starts_with, .ends_with: return [.text, .text]
        case .concat: return [.any]
        case .number: return [.any]
        case .text: return [.any]
        }
    }

    /// How many arguments it takes.
    public var arity: ClosedRange<Int> {
        switch self {
        case .round: return 1...2
        case .coalesce, .concat: return 1...Int.max
        case .hitung_capaian: return 2...4
        case .substr: return 2...3
        case .replace, .split_part: return 3...3
        case .starts_with, .ends_with: return 2...2
        case .abs, .kategori, .lower, .upper, .length, .trim, .number, .text: return 1...1
        }
    }

    /// Whether the result is a condition (usable after `where`, in `case when`, `count_if`)
    /// rather than a value.
    public var isCondition: Bool { self == .starts_with || self == .ends_with }

    public var word: Registry.Word {
        let (syntax, doc): (String, String)
        switch self {
        case .round: (syntax, doc) = ("round(x [, digits])", "x rounded half away from zero to digits decimals (0 by default)")
        case .abs: (syntax, doc) = ("abs(x)", "the absolute value")
        case .lower: (syntax, doc) = ("lower(s)", "s in lower case")
        case .upper: (syntax, doc) = ("upper(s)", "s in upper case")
        case .coalesce: (syntax, doc) = ("coalesce(a, b, ...)", "the first argument that is not null")
        case .kategori: (syntax, doc) = ("kategori(capaian)", "the Permendagri 86/2017 rating: Sangat Tinggi >= 91, Tinggi >= 76, Sedang >= 66, Rendah >= 51, else Sangat Rendah")
        case .hitung_capaian: (syntax, doc) = ("hitung_capaian(realisasi, target [, polaritas [, rumus]])", "capaian in percent: positif realisasi/target*100, negatif (2*target-realisasi)/target*100 or target/realisasi*100 with rumus 'rasio'")
        case .length: (syntax, doc) = ("length(s)", "the number of characters in s")
        case .trim: (syntax, doc) = ("trim(s)", "s without leading and trailing spaces")
        case .substr: (syntax, doc) = ("substr(s, start [, len])", "len characters of s from position start (1-based); to the end without len")
        case .replace: (syntax, doc) = ("replace(s, from, to)", "s with every from replaced by to")
        case .split_part: (syntax, doc) = ("split_part(s, sep, n)", "the n-th piece (1-based) of s split at sep; empty text past the last")
        case .starts_with: (syntax, doc) = ("starts_with(s, prefix)", "a condition: s begins with prefix (case matters)")
        case .ends_with: (syntax, doc) = ("ends_with(s, suffix)", "a condition: s ends with suffix (case matters)")
        case .concat: (syntax, doc) = ("concat(a, b, ...)", "the arguments as text, joined; nulls count as empty")
        case .number: (syntax, doc) = ("number(s)", "a number read from text written either way (1.476, 98,40, Rp 9.051.591.780), or null")
        case .text: (syntax, doc) = ("text(x)", "x as text")
        }
        return Registry.Word(name: rawValue, syntax: syntax, doc: doc)
    }
}

/// A function of many rows' values: in `group by`, as a whole-table stage, or with `over`.
public enum AggregateFunction: String, CaseIterable, Sendable {
    case count, sum, avg, min, max, count_distinct, count_if, sum_if, median

    public var arity: ClosedRange<Int> {
        switch self {
        case .count: return 0...1
        case .sum_if: return 2...2
        case .sum, .avg, .min, .max, .count_distinct, .count_if, .median: return 1...1
        }
    }

    public var parameters: [Registry.ArgumentKind] {
        switch self {
        case .count, .min, .max, .count_distinct: return [.any]
        case .sum, .avg, .median: return [.number]
        case .count_if: return [.condition]
        case .sum_if: return [.number, .condition]
        }
    }

    /// Whether a bare whole-table stage (`| avg`) takes the default measure.
    public var usesDefaultMeasure: Bool {
        switch self {
        case .sum, .avg, .min, .max, .median, .count_distinct: return true
        case .count, .count_if, .sum_if: return false
        }
    }

    public var word: Registry.Word {
        let (syntax, doc): (String, String)
        switch self {
        case .count: (syntax, doc) = ("count([x])", "rows, or rows where x is not null")
        case .sum: (syntax, doc) = ("sum(x)", "the total; exact for integers and rupiah")
        case .avg: (syntax, doc) = ("avg(x)", "the mean")
        case .min: (syntax, doc) = ("min(x)", "the smallest value")
        case .max: (syntax, doc) = ("max(x)", "the largest value")
        case .count_distinct: (syntax, doc) = ("count_distinct(x)", "how many different values x takes (nulls not counted)")
        case .count_if: (syntax, doc) = ("count_if(condition)", "rows for which the condition holds")
        case .sum_if: (syntax, doc) = ("sum_if(x, condition)", "the total of x over rows for which the condition holds")
        case .median: (syntax, doc) = ("median(x)", "the middle value (the mean of the two middle values for an even count)")
        }
        return Registry.Word(name: rawValue, syntax: syntax, doc: doc)
    }
}

/// A function that needs `over (...)`: its value for a row depends on the row's place among others.
public enum WindowFunction: String, CaseIterable, Sendable {
    case row_number, rank, dense_rank, lag, lead, first, last

    public var arity: ClosedRange<Int> {
        switch self {
        case .row_number, .rank, .dense_rank: return 0...0
        case .lag, .lead: return 1...2
        case .first, .last: return 1...1
        }
    }

    /// Whether the window must say `sort`: the function means nothing without an order.
    public var needsOrder: Bool {
        switch self {
        case .row_number, .rank, .dense_rank, .lag, .lead: return true
        case .first, .last: return false
        }
    }

    public var word: Registry.Word {
        let (syntax, doc): (String, String)
        switch self {
        case .row_number: (syntax, doc) = ("row_number() over (...)", "1, 2, 3, ... in the window's order")
        case .rank: (syntax, doc) = ("rank() over (...)", "rank with gaps after ties (1, 1, 3)")
        case .dense_rank: (syntax, doc) = ("dense_rank() over (...)", "rank without gaps (1, 1, 2)")
        case .lag: (syntax, doc) = ("lag(x [, n]) over (...)", "x of the row n rows before (1 by default), or null")
        case .lead: (syntax, doc) = ("lead(x [, n]) over (...)", "x of the row n rows after (1 by default), or null")
        case .first: (syntax, doc) = ("first(x) over (...)", "x of the window's first row")
        case .last: (syntax, doc) = ("last(x) over (...)", "x of the window's last row (up to the current row and its peers when sorted)")
        }
        return Registry.Word(name: rawValue, syntax: syntax, doc: doc)
    }
}
