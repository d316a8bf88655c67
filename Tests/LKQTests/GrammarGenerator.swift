@testable import LKQ
@testable import LKQSyntax

/// SplitMix64: a small, fast, seeded generator, so that every run makes the same statements
/// and a failure can be replayed from its seed.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n`.
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }

    mutating func pick<T>(_ xs: [T]) -> T { xs[below(xs.count)] }
}

/// Random scripts that follow `Grammar/lkq.ebnf` rule by rule, over the engine's own table and
/// column names most of the time, so that most statements reach the evaluator.
///
/// Each rule is a function named after it, with the rule in its doc comment, that appends tokens; ``render(_:)`` then joins the
/// tokens with random spacing, comments and line breaks, but only where the grammar lets a line
/// go on (after an operator, `,`, `(` or a continuing keyword, inside parentheses, or before a
/// `|`). Keywords and names come in random case.
struct GrammarGenerator {
    /// One token of the statement being built.
    struct Token {
        enum Kind { case word, punct }
        var text: String
        var kind: Kind
        /// A name right before its call's `(`: no line break may come between them.
        var opensCall = false
    }

    /// Whether an expression may, must or must not hold an aggregate call (`group by` keys
    /// must not, its items must).
    enum Aggregates { case forbid, allow, require }

    var rng: SplitMix64
    private let tables: [String: [String]]
    private let tableNames: [String]
    private let allColumns: [String]
    /// `let` names bound earlier in the script, with the columns they probably have.
    private var lets: [String: [String]] = [:]
    private var tokens: [Token] = []
    /// The columns the pipeline probably has at this point, to name real ones most of the time.
    private var columns: [String] = []
    /// The type of each column name, as last seen in a table or given to an alias.
    private var types: [String: ValueType] = [:]

    static let continuingKeywords: Set<String> = ["let", "from", "where", "select", "as", "sort", "group", "by", "and", "or", "not", "is"]
    static let continuingPunctuation: Set<String> = ["|", ",", "(", "+", "-", "*", "/", "~", "=", "==", "!=", "<>", "<", "<=", ">", ">="]

    init(seed: UInt64, engine: Engine = Engine()) {
        rng = SplitMix64(state: seed)
        var tables: [String: [String]] = [:]
        for t in engine.tables { tables[t.name] = t.fields.map(\.name) }
        self.tables = tables
        tableNames = engine.tables.map(\.name)
        allColumns = Array(Set(tables.values.joined())).sorted()
        for t in engine.tables {
            for f in t.fields { types[f.name] = f.type == .text ? .text : .number }
        }
    }

    // MARK: Scripts

    /// `script = [ statement ] , { separator , [ statement ] } ;` with `count` statements,
    /// empty ones between them sometimes.
    mutating func script(statements count: Int) -> String {
        lets = [:]
        var text = rng.chance(0.1) ? separator() : ""
        for i in 0..<count {
            if i > 0 { text += separator() }
            tokens = []
            statement()
            text += render(tokens)
        }
        if rng.chance(0.3) { text += separator() }
        return text
    }

    /// `separator = NEWLINE | ";" ;`, with blank statements, comments and CR LF.
    private mutating func separator() -> String {
        rng.pick(["\n", "\n", ";", " ; ", "\n\n", ";\n", ";;", " # \(comment())\n", "\n# \(comment())\n\n", "\r\n", "\n \t\n"])
    }

    private mutating func comment() -> String {
        rng.pick(["catatan", "capaian < 75 | count", "'belum ditutup", "\"", "ünïcode ✓ 日本", "", "# lagi", "select x ;"])
    }

    // MARK: Statements

    /// `statement = let_statement | query ;`
    /// `let_statement = "let" , NAME , "=" , query ;`
    private mutating func statement() {
        guard rng.chance(0.15) else {
            query(level: 0)
            return
        }
        let name: String
        switch rng.below(10) {
        case 0: name = rng.pick(tableNames)          // refused: a table of that name exists
        case 1: name = randomName()
        default: name = "hasil\(rng.below(4))"
        }
        keyword("let")
        word(name)
        punct("=")
        query(level: 0)
        lets[name] = columns
    }

    /// `query = source , [ "where" , condition ] , { "|" , stage } ;`
    private mutating func query(level: Int) {
        source()
        if rng.chance(0.35) {
            keyword("where")
            condition(0, rng.chance(0.02) ? .allow : .forbid)
        }
        var joins = 0
        for _ in 0..<rng.pick(level > 0 ? [0, 1, 1, 2] : [0, 1, 1, 2, 2, 3, 4]) {
            punct("|")
            stage(level: level, joins: &joins)
        }
    }

    /// `source = "audit" , [ "all" ] | [ "from" ] , NAME ;`
    private mutating func source() {
        // The audit recomputes every claim of the report, so it is kept rare enough for the
        // suite to stay quick.
        switch rng.below(1000) {
        case 0..<6:
            word("audit")
            if rng.chance(0.5) { word("all") }
            columns = ["id", "klaim", "sumber", "dinyatakan", "dihitung", "selisih", "status", "catatan"]
        case 6..<26:
            keyword("from")
            word("audit")
            columns = []
        default:
            if rng.chance(0.08) { keyword("from") }
            let name = tableName()
            word(name)
            columns = tables[name] ?? lets[name] ?? []
        }
    }

    private mutating func tableName() -> String {
        if !lets.isEmpty && rng.chance(0.3) { return rng.pick(lets.keys.sorted()) }
        if rng.chance(0.03) { return randomName() }
        return rng.pick(tableNames)
    }

    /// `stage = where_stage | select_stage | sort_stage | limit_stage | group_stage | aggregate_stage | join_stage | bar_stage | spark_stage ;`
    private mutating func stage(level: Int, joins: inout Int) {
        let canJoin = level < 2 && joins < 2
        switch rng.below(canJoin ? 100 : 92) {
        case 0..<17:
            keyword("where")
            condition(0, rng.chance(0.02) ? .allow : .forbid)
        case 17..<34: selectStage()
        case 34..<46: sortStage()
        case 46..<55: limitStage()
        case 55..<69: groupStage()
        case 69..<82: aggregateStage()
        case 82..<87: barStage()
        case 87..<92: sparkStage()
        default:
            joins += 1
            joinStage(level: level)
        }
    }

    /// `select_stage = "select" , item , { "," , item } ;`
    private mutating func selectStage() {
        keyword("select")
        var names: [String] = []
        for i in 0..<1 + rng.below(4) {
            if i > 0 { punct(",") }
            names.append(item(rng.chance(0.03) ? .allow : .forbid, alias: "kolom\(i)", rng.chance(0.65) ? .number : .text))
        }
        columns = names
    }

    /// `item = expr , [ "as" , NAME ] ;` Returns the column name the item probably gives.
    @discardableResult
    private mutating func item(_ aggregates: Aggregates, alias: String, _ type: ValueType) -> String {
        let start = tokens.count
        expr(0, aggregates, type)
        let only = tokens.count == start + 1 ? tokens[start].text.lowercased() : ""
        let simple = Self.isName(only) ? only : alias
        guard rng.chance(0.4) else { return simple }
        keyword("as")
        let name = rng.chance(0.9) ? alias : randomName()
        word(name)
        types[name] = type
        return name
    }

    /// `sort_stage = "sort" , sort_key , { "," , sort_key } ;`
    /// `sort_key = expr , [ "asc" | "desc" ] ;`
    private mutating func sortStage() {
        keyword("sort")
        for i in 0..<1 + rng.below(3) {
            if i > 0 { punct(",") }
            expr(1, .forbid, rng.chance(0.6) ? .number : .text)
            switch rng.below(3) {
            case 0: keyword("asc")
            case 1: keyword("desc")
            default: break
            }
        }
    }

    /// `limit_stage = "limit" , INTEGER ;`
    private mutating func limitStage() {
        keyword("limit")
        word(rng.pick(["\(rng.below(12))", "\(rng.below(100))", "00\(rng.below(10))", "2147483647", "\(rng.below(1_000_000))"]))
    }

    /// `group_stage = "group" , "by" , item , { [ "," ] , item } ;` Keys (no aggregate) first,
    /// then items that each hold one.
    private mutating func groupStage() {
        keyword("group")
        keyword("by")
        let keyCount = rng.pick([0, 1, 1, 1, 2])
        let itemCount = rng.pick(keyCount == 0 ? [1, 2, 3] : [0, 1, 1, 2, 3])
        var names: [String] = []
        for i in 0..<keyCount + itemCount {
            let start = tokens.count
            let type: ValueType = i >= keyCount || rng.chance(0.3) ? .number : .text
            names.append(item(i < keyCount ? .forbid : .require, alias: "nilai\(i)", type))
            // The ',' may be left out unless the item opens with '-' or '(', which would carry
            // on the item before it.
            if i > 0 && (rng.chance(0.7) || ["-", "("].contains(tokens[start].text)) {
                tokens.insert(Token(text: ",", kind: .punct), at: start)
            }
        }
        columns = names
    }

    /// `aggregate_stage = AGGREGATE , [ "(" , [ expr ] , ")" | expr ] ;`
    private mutating func aggregateStage() {
        let aggregate = rng.pick(Aggregate.allCases).rawValue
        switch rng.below(3) {
        case 0:
            word(aggregate)
        case 1:
            word(aggregate, opensCall: true)
            punct("(")
            if aggregate != "count" || rng.chance(0.4) { expr(1, .forbid, .number) }
            punct(")")
        default:
            word(aggregate, opensCall: true)
            let start = tokens.count
            expr(1, .forbid, .number)
            // `sum (a) * 2` is `sum(a)` and then a stray `* 2`: an argument that opens with '('
            // goes inside parentheses of its own.
            if tokens[start].text == "(" {
                tokens.insert(Token(text: "(", kind: .punct), at: start)
                punct(")")
            }
        }
        columns = []
    }

    /// `bar_stage = "bar" , [ expr , [ [ "," ] , expr ] ] ;`
    private mutating func barStage() {
        word("bar")
        guard rng.chance(0.7) else { return }
        expr(1, .forbid, .text)
        guard rng.chance(0.6) else { return }
        let start = tokens.count
        expr(1, .forbid, .number)
        // Without a ',' a measure opening with '-' or '(' would carry on the label.
        if rng.chance(0.6) || ["-", "("].contains(tokens[start].text) {
            tokens.insert(Token(text: ",", kind: .punct), at: start)
        }
        columns = []
    }

    /// `spark_stage = "spark" , [ expr ] , [ "by" , expr ] ;`
    private mutating func sparkStage() {
        word("spark")
        if rng.chance(0.6) { expr(1, .forbid, .number) }
        if rng.chance(0.5) {
            keyword("by")
            expr(1, .forbid, .number)
        }
        columns = []
    }

    /// `join_stage = [ "left" ] , "join" , join_source , "on" , join_key , { "," , join_key } ;`
    /// `join_source = NAME | "(" , query , ")" ;`
    /// `join_key = NAME , [ "=" , NAME ] ;`
    private mutating func joinStage(level: Int) {
        let leftColumns = columns
        if rng.chance(0.3) { word("left") }
        word("join")
        if rng.chance(0.5) {
            let name = tableName()
            word(name)
            columns = tables[name] ?? lets[name] ?? []
        } else {
            punct("(")
            query(level: level + 1)
            punct(")")
        }
        let rightColumns = columns
        word("on")
        let shared = leftColumns.filter(rightColumns.contains)
        for i in 0..<rng.pick([1, 1, 1, 2]) {
            if i > 0 { punct(",") }
            if !shared.isEmpty && rng.chance(0.8) {
                word(rng.pick(shared))
            } else {
                word(column(from: leftColumns))
                punct("=")
                word(column(from: rightColumns))
            }
        }
        columns = leftColumns + rightColumns
    }

    // MARK: Conditions

    /// `condition = disjunction ;`
    /// `disjunction = conjunction , { "or" , conjunction } ;`
    private mutating func condition(_ depth: Int, _ aggregates: Aggregates) {
        conjunction(depth, aggregates)
        while depth < 3 && rng.chance(0.2) {
            keyword("or")
            conjunction(depth + 1, aggregates)
        }
    }

    /// `conjunction = negation , { "and" , negation } ;`
    private mutating func conjunction(_ depth: Int, _ aggregates: Aggregates) {
        negation(depth, aggregates)
        while depth < 3 && rng.chance(0.25) {
            keyword("and")
            negation(depth + 1, aggregates)
        }
    }

    /// `negation = "not" , negation | predicate ;`
    private mutating func negation(_ depth: Int, _ aggregates: Aggregates) {
        if depth < 4 && rng.chance(0.12) {
            keyword("not")
            negation(depth + 1, aggregates)
        } else {
            predicate(depth, aggregates)
        }
    }

    /// `predicate = compare_op , expr | expr , [ compare_op , expr | "~" , expr | "is" , [ "not" ] , "null" ] ;`
    /// Both sides mostly of one type, so that most predicates can be evaluated.
    private mutating func predicate(_ depth: Int, _ aggregates: Aggregates) {
        let type: ValueType = rng.chance(0.7) ? .number : .text
        switch rng.below(20) {
        case 0..<3:
            compareOp()
            expr(depth + 1, aggregates, .number)
        case 3..<12:
            expr(depth + 1, aggregates, type)
            compareOp()
            expr(depth + 1, aggregates, type)
        case 12..<14:
            expr(depth + 1, aggregates, .text)
            punct("~")
            expr(depth + 1, aggregates, .text)
        case 14..<17:
            expr(depth + 1, aggregates, type)
            keyword("is")
            if rng.chance(0.5) { keyword("not") }
            keyword("null")
        case 17..<19:
            punct("(")
            if depth < 3 { condition(depth + 1, aggregates) } else { expr(depth + 1, aggregates, .number); compareOp(); expr(depth + 1, aggregates, .number) }
            punct(")")
        default:
            // A value where a condition belongs: refused by the evaluator, with its place.
            expr(depth + 1, aggregates, type)
        }
    }

    /// `compare_op = "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=" ;`
    private mutating func compareOp() {
        punct(rng.pick(["=", "=", "==", "!=", "<>", "<", "<", "<=", ">", ">", ">="]))
    }

    // MARK: Expressions

    /// What an expression should give, so that most of them can be evaluated; now and then
    /// the generator ignores it on purpose.
    enum ValueType { case number, text }

    /// `expr = term , { ( "+" | "-" ) , term } ;` One of the terms carries a required aggregate.
    private mutating func expr(_ depth: Int, _ aggregates: Aggregates, _ type: ValueType) {
        let count = depth > 3 || type == .text ? 1 : rng.pick([1, 1, 1, 2, 2, 3])
        let carrier = rng.below(count)
        for i in 0..<count {
            if i > 0 { punct(rng.pick(["+", "-"])) }
            term(depth + 1, i == carrier ? aggregates : aggregates.others, type)
        }
    }

    /// `term = factor , { ( "*" | "/" ) , factor } ;`
    private mutating func term(_ depth: Int, _ aggregates: Aggregates, _ type: ValueType) {
        let count = depth > 3 || type == .text ? 1 : rng.pick([1, 1, 1, 2, 3])
        let carrier = rng.below(count)
        for i in 0..<count {
            if i > 0 { punct(rng.pick(["*", "/"])) }
            factor(depth + 1, i == carrier ? aggregates : aggregates.others, type)
        }
    }

    /// `factor = "-" , factor | primary ;`
    private mutating func factor(_ depth: Int, _ aggregates: Aggregates, _ type: ValueType) {
        if depth < 8 && rng.chance(type == .number ? 0.12 : 0.01) {
            punct("-")
            factor(depth + 1, aggregates, type)
        } else {
            primary(depth, aggregates, rng.chance(0.02) ? (type == .text ? .number : .text) : type)
        }
    }

    /// `primary = NUMBER | STRING | "null" | NAME , "(" , [ expr , { "," , expr } ] , ")" | NAME | "(" , condition , ")" ;`
    private mutating func primary(_ depth: Int, _ aggregates: Aggregates, _ type: ValueType) {
        let deep = depth > 6
        if aggregates == .require {
            switch deep ? 0 : rng.below(10) {
            case 0..<6: aggregateCall(depth)
            case 6..<8: call(depth, aggregates, .number)
            default:
                punct("(")
                expr(depth + 1, .require, .number)
                punct(")")
            }
            return
        }
        switch rng.below(deep ? 62 : 100) {
        case 0..<21: word(type == .number ? number() : string())
        case 21..<23: word(type == .number ? string() : number())
        case 23..<25: keyword("null")
        case 25..<62: word(column(type))
        case 62..<76: call(depth, aggregates, type)
        case 76..<89:
            punct("(")
            expr(depth + 1, aggregates, type)
            punct(")")
        case 89:
            // A condition where a value belongs: refused by the evaluator, with its place.
            punct("(")
            condition(depth / 2 + 1, aggregates)
            punct(")")
        case 90..<93 where aggregates == .allow:
            aggregateCall(depth)
        default:
            word(column(type))
        }
    }

    /// `count()`, `count(x)`, `sum(x)`, ...: the argument holds no aggregate of its own.
    private mutating func aggregateCall(_ depth: Int) {
        let aggregate = rng.pick(Aggregate.allCases).rawValue
        word(aggregate, opensCall: true)
        punct("(")
        if aggregate == "count" ? rng.chance(0.3) : rng.chance(0.95) { expr(depth + 1, .forbid, .number) }
        punct(")")
    }

    /// A function of the language giving `type`, with an argument count it takes nearly
    /// always; now and then an unknown function.
    private mutating func call(_ depth: Int, _ aggregates: Aggregates, _ type: ValueType) {
        var (name, arguments): (String, [ValueType])
        switch (type, rng.below(4)) {
        case (.number, 0): (name, arguments) = ("round", rng.chance(0.5) ? [.number] : [.number, .number])
        case (.number, 1): (name, arguments) = ("abs", [.number])
        case (.number, 2): (name, arguments) = ("hitung_capaian", [[.number, .number], [.number, .number, .text], [.number, .number, .text, .text]][rng.below(3)])
        case (.number, _): (name, arguments) = ("coalesce", Array(repeating: .number, count: 1 + rng.below(3)))
        case (.text, 0): (name, arguments) = ("lower", [.text])
        case (.text, 1): (name, arguments) = ("upper", [.text])
        case (.text, 2): (name, arguments) = ("kategori", [.number])
        case (.text, _): (name, arguments) = ("coalesce", Array(repeating: .text, count: 1 + rng.below(3)))
        }
        if rng.chance(0.03) { (name, arguments) = (randomName(), Array(repeating: .number, count: rng.below(3))) }
        if rng.chance(0.03) { arguments = Array(repeating: type, count: rng.below(4)) }
        if aggregates == .require && arguments.isEmpty { arguments = [.number] }
        word(name, opensCall: true)
        punct("(")
        for (i, argument) in arguments.enumerated() {
            if i > 0 { punct(",") }
            expr(depth + 1, i == 0 ? aggregates : aggregates.others, argument)
        }
        punct(")")
    }

    // MARK: Lexical rules

    /// Whether `text` lexes as a NAME (not a keyword, number or string).
    static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return Keyword(rawValue: text.lowercased()) == nil
    }

    /// A column of the pipeline of that type most of the time, else any column of the pipeline
    /// or of any table, else a made-up name.
    private mutating func column(_ type: ValueType) -> String {
        let typed = columns.filter { types[$0] == type }
        if !typed.isEmpty && rng.chance(0.93) { return rng.pick(typed) }
        return column(from: columns)
    }

    private mutating func column(from known: [String]) -> String {
        if !known.isEmpty && rng.chance(0.75) { return rng.pick(known) }
        if rng.chance(0.85) { return rng.pick(allColumns) }
        return randomName()
    }

    /// `NAME = ( letter | "_" ) , { letter | digit | "_" } ;`, never a keyword; sometimes with
    /// letters beyond ASCII.
    private mutating func randomName() -> String {
        let first = Array("abcdefghijklmnopqrstuvwxyz_")
        let rest = Array("abcdefghijklmnopqrstuvwxyz_0123456789")
        var name = String(rng.pick(first))
        for _ in 0..<rng.below(8) { name.append(rng.pick(rest)) }
        if rng.chance(0.15) { name += rng.pick(["é", "ñ", "ü", "kabupatén", "ő", "ß"]) }
        return Keyword(rawValue: name) == nil ? name : name + "_"
    }

    /// Every form of `NUMBER`: integers (up to Int64.max; a larger one is a lexical error),
    /// decimals (past Int64 too), exponents and Indonesian magnitudes. Negative numbers come
    /// from the `factor` rule.
    private mutating func number() -> String {
        func digits(_ n: Int, _ rng: inout SplitMix64) -> String {
            String((0..<n).map { _ in Character(String(rng.below(10))) })
        }
        switch rng.below(13) {
        case 0..<4: return "\(rng.below(101))"
        case 4: return "\(1 + rng.below(9))" + digits(rng.below(18), &rng)
        case 5: return rng.pick(["9223372036854775807", "9223372036854775808.0", "99999999999999999999.5", "0", "00", "007"])
        case 6: return "\(rng.below(1000)).\(digits(1 + rng.below(6), &rng))"
        case 7: return ".\(digits(1 + rng.below(4), &rng))"
        case 8:
            let mantissa = "\(1 + rng.below(9))" + (rng.chance(0.5) ? ".\(digits(1 + rng.below(3), &rng))" : "")
            let e = rng.pick(["e", "E"]) + rng.pick(["", "+", "-"])
            return mantissa + e + "\(rng.below(301))"
        case 9, 10:
            let whole = "\(rng.below(10_000))"
            let fraction = rng.chance(0.4) ? ".\(digits(1 + rng.below(13), &rng))" : ""
            return whole + fraction + randomCase(rng.pick(Array(Lexer.magnitudes.keys).sorted()))
        case 11: return "\(rng.below(100)).\(rng.below(100))"
        default: return "\(rng.below(10))." + digits(17, &rng)
        }
    }

    /// `STRING` in either quote, with doubled quotes, backslash escapes, line breaks, tabs and
    /// text beyond ASCII.
    private mutating func string() -> String {
        let quote = rng.chance(0.7) ? "\"" : "'"
        let other = quote == "\"" ? "'" : "\""
        var text = quote
        for _ in 0..<rng.below(5) {
            switch rng.below(12) {
            case 0..<4: text += rng.pick(["program", "subkegiatan", "kegiatan", "desa", "Kupang", " ", "BUMDes", "a", "Rp 1.000,5", "2.13.01"])
            case 4, 5: text += rng.pick(["kabupatén", "Ñusa Tenggara", "✓", "日本", "🙂", "ß", "e\u{301}", "\u{301}"])
            case 6: text += other
            case 7: text += quote + quote
            case 8: text += "\\" + rng.pick([quote, other, "\\", "n", "t", "x", "é", "#"])
            case 9: text += rng.pick(["\n", "\t", "\r\n"])
            case 10: text += rng.pick(["#", "|", ";", "--", "/*", "("])
            default: text += ""
            }
        }
        return text + quote
    }

    /// Keywords and magnitudes are case-insensitive: mostly lower case, sometimes not.
    private mutating func randomCase(_ s: String) -> String {
        switch rng.below(10) {
        case 0: return s.uppercased()
        case 1: return s.prefix(1).uppercased() + s.dropFirst()
        default: return s
        }
    }

    // MARK: Tokens and rendering

    private mutating func keyword(_ k: String) { tokens.append(Token(text: randomCase(k), kind: .word)) }

    /// A name, number or string; ASCII names in random case (names are case-insensitive too).
    private mutating func word(_ text: String, opensCall: Bool = false) {
        let first = text.unicodeScalars.first
        let isName = first.map { $0.properties.isAlphabetic || $0 == "_" } ?? false
        let shown = isName && text.allSatisfy(\.isASCII) ? randomCase(text) : text
        tokens.append(Token(text: shown, kind: .word, opensCall: opensCall))
    }

    private mutating func punct(_ p: String) { tokens.append(Token(text: p, kind: .punct)) }

    /// Joins tokens with random space, and sometimes a line break or a comment where the
    /// statement still goes on after one.
    private mutating func render(_ tokens: [Token]) -> String {
        var out = ""
        var parens = 0
        for (i, t) in tokens.enumerated() {
            if i > 0 {
                let prev = tokens[i - 1]
                let continues = Self.continuingPunctuation.contains(prev.text)
                    || (prev.kind == .word && Self.continuingKeywords.contains(prev.text.lowercased()))
                let mayBreak = !prev.opensCall && (continues || parens > 0 || t.text == "|")
                if mayBreak && rng.chance(0.06) {
                    out += rng.pick(["\n", "\n  ", " # \(comment())\n", "\n# \(comment())\n\t", "\n\n", "\r\n"])
                } else {
                    let needsSpace = (prev.kind == .word && t.kind == .word)
                        || (["<", ">", "=", "!"].contains(prev.text) && (t.text.hasPrefix("=") || t.text.hasPrefix(">")))
                    out += needsSpace || rng.chance(0.75) ? rng.pick([" ", " ", " ", "  ", "\t"]) : ""
                }
            }
            out += t.text
            if t.text == "(" { parens += 1 } else if t.text == ")" { parens -= 1 }
        }
        return out
    }
}

extension GrammarGenerator.Aggregates {
    /// What the other operands of an expression whose one operand carries `self` may hold.
    var others: Self { self == .require ? .allow : self }
}
