@testable import LKQ
@testable import LKQSyntax

/// SplitMix64: a small, fast, seeded generator, so that every run makes the same statements
/// and a failure can be replayed from its seed.
/// A `RandomNumberGenerator` too, for the standard library's `random(in:using:)`.
struct SplitMix64: RandomNumberGenerator {
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
/// column names most of the time, so that most statements reach the evaluator. Functions,
/// aggregates and window functions, with their argument counts and kinds, come from the
/// registry (`ScalarFunction`, `AggregateFunction`, `WindowFunction`): a new one is generated
/// without a change here.
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
    /// Each table's column types: a name such as `no` is text in capaian and an integer in desa,
    /// so naming a table sets its columns' types in ``types``.
    private var tableTypes: [String: [String: ValueType]] = [:]
    /// Values named by `let NAME = value` and `param NAME`, with their types.
    private var values: [String: ValueType] = [:]
    /// Whether the expression being made may hold a window function: in `select` and
    /// `extend` items, outside aggregate and window arguments.
    private var windowsAllowed = false
    /// Whether the expression being made may read columns: not in a `let` value or a `param`
    /// default.
    private var valueOnly = false

    /// What a function gives: a value of a type, a value of its arguments' type (coalesce), or
    /// a condition.
    enum Result { case value(ValueType), likeArguments, condition }

    /// Every scalar function of the registry with what it gives, from its registry entry: the
    /// result for arguments of its parameter kinds (`any` as a number, then as text).
    static let scalarFunctions: [(function: ScalarFunction, result: Result)] = ScalarFunction.allCases.map { fn in
        func gives(any: LKQ.ValueType) -> LKQ.ValueType? {
            let arguments = (0..<fn.arity.lowerBound).map { i -> LKQ.ValueType in
                switch fn.parameters[min(i, fn.parameters.count - 1)] {
                case .number: return .int
                case .text: return .text
                case .any: return any
                case .condition: return .condition
                }
            }
            return fn.result(arguments, constants: arguments.map { _ in nil })?.type
        }
        switch (gives(any: .int), gives(any: .text)) {
        case (.condition?, _): return (fn, .condition)
        case let (number?, text?) where number == text: return (fn, .value(number == .text ? .text : .number))
        default: return (fn, .likeArguments)
        }
    }

    /// Constants the registry may ask for at an argument's place (`ScalarFunction.constantArguments`):
    /// a few whole numbers and words, of which a function takes those it accepts.
    static let constantCandidates: [Value] = [.int(0), .int(1), .int(2), .int(-1), .int(18), .int(19),
                                              .text("selisih"), .text("rasio"), .text("persen")]

    static let continuingKeywords: Set<String> = ["let", "from", "where", "select", "as", "sort", "group", "by", "and", "or", "not", "is",
                                                   "in", "between", "case", "when", "then", "else", "over"]
    static let continuingPunctuation: Set<String> = ["|", ",", "(", "+", "-", "*", "/", "~", "=", "==", "!=", "<>", "<", "<=", ">", ">="]

    init(seed: UInt64, engine: Engine = Engine()) {
        rng = SplitMix64(state: seed)
        var tables: [String: [String]] = [:]
        for t in engine.tables { tables[t.name] = t.fields.map(\.name) }
        self.tables = tables
        tableNames = engine.tables.map(\.name)
        allColumns = Array(Set(tables.values.joined())).sorted()
        for t in engine.tables {
            for f in t.fields { tableTypes[t.name, default: [:]][f.name] = f.type == .text ? .text : .number }
            types.merge(tableTypes[t.name] ?? [:]) { _, new in new }
        }
    }

    // MARK: Scripts

    /// `script = [ statement ] , { separator , [ statement ] } ;` with `count` statements,
    /// empty ones between them sometimes.
    mutating func script(statements count: Int) -> String {
        lets = [:]
        values = [:]
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

    /// `statement = let_statement | let_value | param_statement | query ;`
    /// `let_statement = "let" , NAME , "=" , query ;`
    private mutating func statement() {
        switch rng.below(100) {
        case 0..<6: letValue(); return
        case 6..<10: paramStatement(); return
        case 10..<25: break
        default: query(level: 0); return
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

    /// `let_value = "let" , NAME , "=" , expr ;` An expression that reads no column, and is not
    /// a lone name (which would read as a table).
    private mutating func letValue() {
        keyword("let")
        let name = valueName()
        word(name)
        punct("=")
        let type: ValueType = rng.chance(0.7) ? .number : .text
        valueExpr(type)
        values[name] = type
    }

    /// `param_statement = "param" , NAME , [ "=" , expr ] ;` Without a default the statement is
    /// an error (the suite sets no parameters), so the default is nearly always there.
    private mutating func paramStatement() {
        word("param")
        let name = valueName()
        word(name)
        let type: ValueType = rng.chance(0.7) ? .number : .text
        if rng.chance(0.9) {
            punct("=")
            valueExpr(type)
        }
        values[name] = type
    }

    /// The names values get: apart from tables, `let` results and columns, mostly.
    private mutating func valueName() -> String {
        rng.chance(0.05) ? randomName() : "batas\(rng.below(4))"
    }

    private mutating func valueExpr(_ type: ValueType) {
        valueOnly = true
        defer { valueOnly = false }
        let start = tokens.count
        expr(1, .forbid, type)
        if tokens.count == start + 1, Self.isName(tokens[start].text) || tokens[start].text.hasPrefix("`") {
            tokens.insert(Token(text: "(", kind: .punct), at: start)
            punct(")")
        }
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
            types.merge(tableTypes[name] ?? [:]) { _, new in new }
        }
    }

    private mutating func tableName() -> String {
        if !lets.isEmpty && rng.chance(0.3) { return rng.pick(lets.keys.sorted()) }
        if rng.chance(0.03) { return randomName() }
        return rng.pick(tableNames)
    }

    /// `stage = where_stage | select_stage | extend_stage | distinct_stage | sort_stage | limit_stage
    /// | group_stage | aggregate_stage | join_stage | bar_stage | spark_stage ;`
    private mutating func stage(level: Int, joins: inout Int) {
        let canJoin = level < 2 && joins < 2
        switch rng.below(canJoin ? 100 : 92) {
        case 0..<14:
            keyword("where")
            condition(0, rng.chance(0.02) ? .allow : .forbid)
        case 14..<26: selectStage()
        case 26..<36: extendStage()
        case 36..<41: distinctStage()
        case 41..<50: sortStage()
        case 50..<56: limitStage()
        case 56..<68: groupStage()
        case 68..<82: aggregateStage()
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
        windowsAllowed = true
        defer { windowsAllowed = false }
        var names: [String] = []
        for i in 0..<1 + rng.below(4) {
            if i > 0 { punct(",") }
            names.append(item(rng.chance(0.03) ? .allow : .forbid, alias: "kolom\(i)", rng.chance(0.65) ? .number : .text))
        }
        columns = names
    }

    /// `extend_stage = "extend" , item , { "," , item } ;` Each item is named unless it is a
    /// column name; a name already taken replaces that column.
    private mutating func extendStage() {
        word("extend")
        windowsAllowed = true
        defer { windowsAllowed = false }
        for i in 0..<1 + rng.below(3) {
            if i > 0 { punct(",") }
            let alias = rng.chance(0.2) && !columns.isEmpty ? rng.pick(columns) : "tambah\(i)"
            let name = item(rng.chance(0.02) ? .allow : .forbid, alias: alias, rng.chance(0.65) ? .number : .text, named: rng.chance(0.97))
            if !columns.contains(name) { columns.append(name) }
        }
    }

    /// `distinct_stage = "distinct" , [ NAME , { "," , NAME } ] ;`
    private mutating func distinctStage() {
        word("distinct")
        guard rng.chance(0.7) else { return }
        var names: [String] = []
        for i in 0..<1 + rng.below(3) {
            if i > 0 { punct(",") }
            let chosen = column(from: columns)
            name(chosen)
            names.append(chosen)
        }
        columns = names
    }

    /// `item = expr , [ "as" , NAME ] ;` Returns the column name the item probably gives.
    /// `named`: the item always gets an `as` unless it is a lone column name.
    @discardableResult
    private mutating func item(_ aggregates: Aggregates, alias: String, _ type: ValueType, named: Bool = false) -> String {
        let start = tokens.count
        expr(0, aggregates, type)
        let only = tokens.count == start + 1 ? tokens[start].text.lowercased() : ""
        let simple = Self.isName(only) ? only : alias
        guard rng.chance(named ? 1 : 0.4), !(named && Self.isName(only) && rng.chance(0.5)) else { return simple }
        keyword("as")
        let name = rng.chance(0.9) ? alias : rng.chance(0.5) ? randomName() : rng.pick(["Nilai Akhir", "Pagu (Rp)", "serapan %", "x`y"])
        self.name(name)
        types[name.lowercased()] = type
        return name.lowercased()
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

    /// `aggregate_stage = AGGREGATE , [ "(" , [ condition , { "," , condition } ] , ")" | condition ] ;`
    /// The aggregates and their arguments' kinds come from the registry.
    private mutating func aggregateStage() {
        let aggregate = rng.pick(AggregateFunction.allCases)
        switch rng.below(aggregate.arity.upperBound > 1 ? 2 : 3) {
        case 0:
            word(aggregate.rawValue)
        case 1:
            word(aggregate.rawValue, opensCall: true)
            punct("(")
            aggregateArguments(aggregate, depth: 1)
            punct(")")
        default:
            word(aggregate.rawValue, opensCall: true)
            let start = tokens.count
            argument(aggregate.parameters[0], depth: 1, .forbid)
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
            types.merge(tableTypes[name] ?? [:]) { _, new in new }
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
                name(rng.pick(shared))
            } else {
                name(column(from: leftColumns))
                punct("=")
                name(column(from: rightColumns))
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

    /// `predicate = compare_op , expr | expr , [ compare_op , expr | "~" , expr | "is" , [ "not" ] , "null"
    /// | [ "not" ] , "in" , "(" , expr , { "," , expr } , ")" | [ "not" ] , "between" , expr , "and" , expr ] ;`
    /// Both sides mostly of one type, so that most predicates can be evaluated.
    private mutating func predicate(_ depth: Int, _ aggregates: Aggregates) {
        let type: ValueType = rng.chance(0.7) ? .number : .text
        switch rng.below(26) {
        case 20, 21:
            expr(depth + 1, aggregates, type)
            if rng.chance(0.3) { keyword("not") }
            keyword("in")
            punct("(")
            for i in 0..<1 + rng.below(4) {
                if i > 0 { punct(",") }
                expr(depth + 1, aggregates.others, type)
            }
            punct(")")
        case 22, 23:
            expr(depth + 1, aggregates, type)
            if rng.chance(0.3) { keyword("not") }
            keyword("between")
            expr(depth + 1, aggregates.others, type)
            keyword("and")
            expr(depth + 1, aggregates.others, type)
        case 24, 25:
            // A function that is a condition (starts_with, ...), from the registry.
            let conditions = Self.scalarFunctions.filter { if case .condition = $0.result { return true }; return false }
            if let fn = conditions.isEmpty ? nil : rng.pick(conditions).function {
                functionCall(fn, depth: depth, aggregates)
            } else {
                expr(depth + 1, aggregates, type)
            }
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

    /// `primary = NUMBER | STRING | "null" | NAME , "(" , [ condition , { "," , condition } ] , ")" , [ window ]
    /// | NAME | case_expr | "(" , condition , ")" ;` Window functions only where ``windowsAllowed``.
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
        case 25..<62: reference(column(type))
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
        case 93..<96 where depth < 5:
            caseExpr(depth, aggregates, type)
        case 96..<100 where windowsAllowed && aggregates != .require:
            windowCall(depth, type)
        default:
            reference(column(type))
        }
    }

    /// `count()`, `count(x)`, `sum(x)`, `sum_if(x, cond)`, ...: an aggregate of the registry with
    /// arguments of its parameter kinds, which hold no aggregate or window of their own.
    private mutating func aggregateCall(_ depth: Int) {
        let aggregate = rng.pick(AggregateFunction.allCases)
        word(aggregate.rawValue, opensCall: true)
        punct("(")
        aggregateArguments(aggregate, depth: depth + 1)
        punct(")")
    }

    /// An aggregate's arguments, as many as its arity takes (more or fewer now and then).
    private mutating func aggregateArguments(_ aggregate: AggregateFunction, depth: Int) {
        let saved = windowsAllowed
        windowsAllowed = false
        defer { windowsAllowed = saved }
        var count = aggregate.arity.lowerBound == 0 ? (rng.chance(0.3) ? 1 : 0) : aggregate.arity.lowerBound
        if rng.chance(0.03) { count = rng.below(3) }
        for i in 0..<count {
            if i > 0 { punct(",") }
            // min and max give their argument's type; the aggregate calls made here stand for numbers.
            argument(aggregate.parameters[min(i, aggregate.parameters.count - 1)], depth: depth, .forbid, like: .number)
        }
    }

    /// One argument of a kind the registry names.
    /// `like`: the type an argument of kind `any` mostly takes (a call's arguments then share
    /// it, as coalesce needs, and coalesce gives the type asked for).
    private mutating func argument(_ kind: Registry.ArgumentKind, depth: Int, _ aggregates: Aggregates, position: Int = 0, like: ValueType? = nil) {
        switch kind {
        case .number:
            // Later number arguments are mostly small whole numbers: digits, positions, counts.
            if position > 0 && rng.chance(0.6) { word("\(rng.below(5))") } else { expr(depth, aggregates, .number) }
        case .text: expr(depth, aggregates, .text)
        case .any: expr(depth, aggregates, like.map { rng.chance(0.9) ? $0 : ($0 == .number ? .text : .number) } ?? (rng.chance(0.6) ? .number : .text))
        case .condition: condition(min(depth, 3), aggregates)
        }
    }

    /// A function of the registry giving `type`, with an argument count it takes nearly
    /// always; now and then an unknown function.
    private mutating func call(_ depth: Int, _ aggregates: Aggregates, _ type: ValueType) {
        let giving = Self.scalarFunctions.filter {
            switch $0.result {
            case .value(let t): return t == type
            case .likeArguments: return true
            case .condition: return false
            }
        }
        guard !giving.isEmpty, !rng.chance(0.03) else {
            word(randomName(), opensCall: true)
            punct("(")
            for i in 0..<max(rng.below(3), aggregates == .require ? 1 : 0) {
                if i > 0 { punct(",") }
                expr(depth + 1, i == 0 ? aggregates : aggregates.others, .number)
            }
            punct(")")
            return
        }
        functionCall(rng.pick(giving).function, depth: depth, aggregates, type)
    }

    /// `NAME , "(" , [ condition , { "," , condition } ] , ")"` for a scalar function, its
    /// arguments of the kinds its registry entry gives.
    private mutating func functionCall(_ fn: ScalarFunction, depth: Int, _ aggregates: Aggregates, _ type: ValueType? = nil) {
        let most = min(fn.arity.upperBound, fn.arity.lowerBound + 3)
        var count = fn.arity.lowerBound + rng.below(most - fn.arity.lowerBound + 1)
        if rng.chance(0.03) { count = rng.below(4) }
        if aggregates == .require && count == 0 { count = 1 }
        word(fn.rawValue, opensCall: true)
        punct("(")
        for i in 0..<count {
            if i > 0 { punct(",") }
            // Where the function wants a constant of a certain form, mostly one it accepts.
            if let constant = fn.constantArguments.first(where: { $0.position == i }), rng.chance(0.85) {
                let accepted = Self.constantCandidates.filter(constant.accepts)
                if !accepted.isEmpty {
                    switch rng.pick(accepted) {
                    case .int(let n): word("\(n)")
                    case .text(let t): word(Expr.quoted(t))
                    default: keyword("null")
                    }
                    continue
                }
            }
            argument(fn.parameters[min(i, fn.parameters.count - 1)], depth: depth + 1, i == 0 ? aggregates : aggregates.others, position: i, like: type)
        }
        punct(")")
    }

    /// `case_expr = "case" , "when" , condition , "then" , expr , { "when" , condition , "then" , expr } , [ "else" , expr ] , "end" ;`
    private mutating func caseExpr(_ depth: Int, _ aggregates: Aggregates, _ type: ValueType) {
        keyword("case")
        for _ in 0..<1 + rng.below(3) {
            keyword("when")
            condition(min(depth / 2 + 1, 3), aggregates)
            keyword("then")
            expr(depth + 1, aggregates, type)
        }
        if rng.chance(0.6) {
            keyword("else")
            expr(depth + 1, aggregates, type)
        }
        keyword("end")
    }

    /// A window function or an aggregate of the registry with `window = "over" , "(" , [ "by" ,
    /// expr , { "," , expr } ] , [ "sort" , sort_key , { "," , sort_key } ] , ")" ;`.
    private mutating func windowCall(_ depth: Int, _ type: ValueType) {
        windowsAllowed = false
        defer { windowsAllowed = true }
        var needsOrder = false
        if rng.chance(0.55) {
            let fn = rng.pick(WindowFunction.allCases)
            needsOrder = fn.needsOrder
            word(fn.rawValue, opensCall: true)
            punct("(")
            var count = fn.arity.lowerBound + rng.below(fn.arity.upperBound - fn.arity.lowerBound + 1)
            if rng.chance(0.03) { count = rng.below(3) }
            for i in 0..<count {
                if i > 0 { punct(",") }
                // After the value, an offset: a whole number of rows.
                if i > 0 && rng.chance(0.9) { word("\(rng.below(4))") } else { expr(depth + 1, .forbid, type) }
            }
            punct(")")
        } else {
            aggregateCall(depth)
        }
        keyword("over")
        punct("(")
        if rng.chance(0.5) {
            keyword("by")
            for i in 0..<1 + rng.below(2) {
                if i > 0 { punct(",") }
                expr(depth + 1, .forbid, rng.chance(0.5) ? .number : .text)
            }
        }
        if needsOrder ? rng.chance(0.95) : rng.chance(0.5) {
            keyword("sort")
            for i in 0..<1 + rng.below(2) {
                if i > 0 { punct(",") }
                expr(depth + 1, .forbid, rng.chance(0.6) ? .number : .text)
                switch rng.below(3) {
                case 0: keyword("asc")
                case 1: keyword("desc")
                default: break
                }
            }
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
        let named = values.keys.sorted().filter { values[$0] == type }
        if valueOnly {
            // A value reads no column: an earlier value, or a literal.
            if !named.isEmpty && rng.chance(0.5) { return rng.pick(named) }
            return type == .number ? number() : string()
        }
        if !named.isEmpty && rng.chance(0.08) { return rng.pick(named) }
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

    /// What ``column(_:)`` chose: a literal as it is, a name through ``name(_:)``.
    private mutating func reference(_ c: String) {
        // By scalar: a quote followed by a combining mark is one Character.
        if let first = c.unicodeScalars.first, first == "\"" || first == "'" || first == "." || ("0"..."9").contains(first) {
            word(c)
        } else {
            name(c)
        }
    }

    /// A column or alias name: backquoted when it is not an identifier, and now and then when
    /// it is (`` `Capaian 2018` `` finds capaian_2018, `` `PAGU` `` finds pagu).
    private mutating func name(_ n: String) {
        let printed = Expr.name(n.lowercased())
        if printed.hasPrefix("`") || !rng.chance(0.04) {
            word(printed)
            return
        }
        let shown = rng.chance(0.5) ? n.uppercased() : n.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        // `_` alone has no words to spell apart, and `` is no name.
        word(shown.isEmpty ? printed : "`" + shown.replacingOccurrences(of: "`", with: "``") + "`")
    }

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
