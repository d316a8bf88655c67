/// A recursive-descent parser with one function per rule of `Grammar/lkq.ebnf`; each
/// function's doc comment repeats its rule. Statements are parsed independently: a syntax
/// error fails only its own statement, and parsing resumes at the next separator.
public struct Parser {
    /// Deeper nesting than this is refused, so no input can overflow the stack.
    public static let maxDepth = 200

    /// Binary operators by precedence level, loosest first; the rules `disjunction`,
    /// `conjunction`, `expr` and `term` each read one level through ``parseLevel(_:next:)``.
    public static let binaryLevels: [[TokenKind: BinaryOperator]] = [
        [.keyword(.or): .or],
        [.keyword(.and): .and],
        [.plus: .add, .minus: .subtract],
        [.star: .multiply, .slash: .divide],
    ]

    public static let comparisons: [TokenKind: BinaryOperator] = [
        .equal: .equal, .notEqual: .notEqual, .less: .less, .lessEqual: .lessEqual,
        .greater: .greater, .greaterEqual: .greaterEqual,
    ]

    public let source: SourceFile
    private let tokens: [Token]
    private let lexErrors: [Int: Diagnostic]
    private var index = 0
    private var depth = 0
    /// Open parentheses; inside them line breaks are just spaces.
    private var openParens = 0

    public init(_ source: SourceFile) {
        self.source = source
        (tokens, lexErrors) = Lexer.tokenize(source)
    }

    /// `script = [ statement ] , { separator , [ statement ] } ;`
    public static func parseScript(_ source: SourceFile) -> [Result<Statement, Diagnostic>] {
        Array(Statements(parser: Parser(source)))
    }

    /// The statements of a script, parsed one at a time as they are asked for, so that a
    /// script of a million statements never holds a million trees.
    public struct Statements: Sequence, IteratorProtocol {
        public var parser: Parser

        public init(parser: Parser) { self.parser = parser }

        public mutating func next() -> Result<Statement, Diagnostic>? {
            parser.skipSeparators()
            if parser.current.kind == .end { return nil }
            do {
                let statement = try parser.parseStatement()
                try parser.expectStatementEnd()
                return .success(statement)
            } catch {
                parser.recover()
                return .failure(error)
            }
        }
    }

    // MARK: Tokens

    /// The next significant token: line breaks are skipped inside parentheses and when the
    /// next line continues the pipeline with `|`.
    private var current: Token {
        mutating get {
            skipInsignificantNewlines()
            return tokens[index]
        }
    }

    private mutating func skipInsignificantNewlines() {
        guard tokens[index].kind == .newline else { return }
        var i = index
        while tokens[i].kind == .newline { i += 1 }
        if openParens > 0 || tokens[i].kind == .pipe { index = i }
    }

    /// Consumes the current token. Tokens that cannot end a statement (operators, `,`, `|`,
    /// most keywords) let the statement go on past a line break.
    @discardableResult
    private mutating func advance() -> Token {
        let t = current
        if index < tokens.count - 1 { index += 1 }
        if Parser.continuesLine(t.kind) {
            while tokens[index].kind == .newline { index += 1 }
        }
        return t
    }

    private static func continuesLine(_ kind: TokenKind) -> Bool {
        switch kind {
        case .pipe, .comma, .leftParen, .plus, .minus, .star, .slash, .tilde,
             .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            return true
        case .keyword(let k):
            return [.let, .from, .where, .select, .as, .sort, .group, .by, .and, .or, .not, .is,
                    .in, .between, .case, .when, .then, .else, .over].contains(k)
        default:
            return false
        }
    }

    private mutating func check(_ kind: TokenKind) -> Bool { current.kind == kind }

    private mutating func accept(_ kind: TokenKind) -> Token? {
        check(kind) ? advance() : nil
    }

    /// The error for an unexpected token; a lexical error token reports itself instead.
    private mutating func unexpected(_ what: String) -> Diagnostic {
        let t = current
        if t.kind == .invalid, let d = lexErrors[index] { return d }
        return Diagnostic(.expected(what, found: t.kind.description), in: source, at: t.range)
    }

    private mutating func expect(_ kind: TokenKind, _ what: String) throws(Diagnostic) -> Token {
        if let t = accept(kind) { return t }
        throw unexpected(what)
    }

    private mutating func expectName(_ what: String) throws(Diagnostic) -> Name {
        if case .name(let n) = current.kind {
            let t = advance()
            return Name(text: n, range: t.range)
        }
        throw unexpected(what)
    }

    private mutating func skipSeparators() {
        while tokens[index].kind == .newline || tokens[index].kind == .semicolon { index += 1 }
    }

    private mutating func expectStatementEnd() throws(Diagnostic) {
        switch current.kind {
        case .newline, .semicolon, .end: return
        default: throw unexpected("'|' or the end of the statement")
        }
    }

    /// Skips to the next separator so the following statement parses on its own.
    private mutating func recover() {
        openParens = 0
        depth = 0
        while true {
            switch tokens[index].kind {
            case .end, .semicolon: return
            case .newline:
                var i = index
                while tokens[i].kind == .newline { i += 1 }
                if tokens[i].kind != .pipe { return }
                index = i
            default: index += 1
            }
        }
    }

    private mutating func nest() throws(Diagnostic) {
        depth += 1
        if depth > Parser.maxDepth {
            throw Diagnostic(.nestingTooDeep(limit: Parser.maxDepth), in: source, at: current.range)
        }
    }

    // MARK: Statements

    /// `statement = let_statement | let_value | param_statement | query ;`
    /// `let_statement = "let" , NAME , "=" , query ;`
    /// `let_value = "let" , NAME , "=" , expr ;`
    /// `param_statement = "param" , NAME , [ "=" , expr ] ;`
    public mutating func parseStatement() throws(Diagnostic) -> Statement {
        if let letToken = accept(.keyword(.let)) {
            let name = try expectName("a name after 'let'")
            _ = try expect(.equal, "'=' after 'let \(name.text)'")
            if !startsQuery() {
                let value = try parseExpr()
                return Statement(kind: .bindValue(name, value), range: letToken.range.to(value.range))
            }
            let query = try parseQuery()
            return Statement(kind: .bind(name, query), range: letToken.range.to(query.range))
        }
        // `param` is a word only at the start of a statement followed by a name, so a table
        // called param still works.
        if case .name("param") = current.kind, case .name = tokens[index + 1].kind {
            let start = advance().range
            let name = try expectName("a parameter name")
            var value: Expr?
            if accept(.equal) != nil { value = try parseExpr() }
            return Statement(kind: .param(name, default: value), range: start.to(value?.range ?? name.range))
        }
        let query = try parseQuery()
        return Statement(kind: .query(query), range: query.range)
    }

    /// Whether the tokens ahead begin a query (a source name followed by `where`, `|` or the
    /// statement's end) rather than a value such as `75`, `batas * 2` or `"Tinggi"`.
    private mutating func startsQuery() -> Bool {
        switch current.kind {
        case .keyword(.from): return true
        case .name:
            // A line break right after the name ends the statement or continues it with `|`.
            switch tokens[index + 1].kind {
            case .newline: return true
            case .pipe, .keyword(.where), .semicolon, .end, .rightParen: return true
            case .name("all"): return true
            default: return false
            }
        default: return false
        }
    }

    /// `query = source , [ "where" , condition ] , { "|" , stage } ;`
    public mutating func parseQuery() throws(Diagnostic) -> Query {
        let start = current.range
        let (source, sourceRange) = try parseSource()
        var stages: [Stage] = []
        if let w = accept(.keyword(.where)) {
            let cond = try parseCondition()
            stages.append(Stage(kind: .filter(cond), range: w.range.to(cond.range)))
        }
        while accept(.pipe) != nil {
            stages.append(try parseStage())
        }
        return Query(source: source, stages: stages, range: start.to(stages.last?.range ?? sourceRange))
    }

    /// `source = "audit" , [ "all" ] | [ "from" ] , NAME ;`
    /// `audit` is the claims audit unless written `from audit`.
    public mutating func parseSource() throws(Diagnostic) -> (Query.Source, SourceRange) {
        if accept(.keyword(.from)) == nil, case .name("audit") = current.kind {
            var range = advance().range
            var all = false
            if case .name("all") = current.kind { range = range.to(advance().range); all = true }
            return (.audit(all: all, range: range), range)
        }
        let table = try expectName("a table name")
        return (.table(table), table.range)
    }

    /// `stage = where_stage | select_stage | extend_stage | distinct_stage | sort_stage | limit_stage | group_stage | aggregate_stage | join_stage | bar_stage | spark_stage ;`
    public mutating func parseStage() throws(Diagnostic) -> Stage {
        let start = current.range
        switch current.kind {
        case .keyword(.where):
            advance()
            let cond = try parseCondition()
            return Stage(kind: .filter(cond), range: start.to(cond.range))
        case .keyword(.select):
            return try parseSelect()
        case .name("extend"):
            return try parseExtend()
        case .name("distinct"):
            return try parseDistinct()
        case .keyword(.sort):
            return try parseSort()
        case .keyword(.limit):
            return try parseLimit()
        case .keyword(.group):
            return try parseGroup()
        case .name(let n) where Aggregate(rawValue: n) != nil:
            return try parseAggregateStage()
        case .name("join"), .name("left"):
            return try parseJoin()
        // Chart stages are names, not keywords, so columns called `bar` or `spark` still work.
        case .name("bar"):
            return try parseBar()
        case .name("spark"):
            return try parseSpark()
        default:
            let t = current
            if case .name(let n) = t.kind {
                if let habit = Parser.sqlHabits[n] {
                    throw Diagnostic(.sqlHabit(n, write: habit), in: source, at: t.range)
                }
                if let suggestion = nearestName(to: n, in: Registry.stageNames) {
                    throw Diagnostic(.unknownStage(n, suggestion: suggestion), in: source, at: t.range)
                }
            }
            throw unexpected("a stage (" + Registry.stageNames.joined(separator: ", ") + ")")
        }
    }

    /// Words from SQL that users type by habit, and what LKQ writes instead.
    public static let sqlHabits: [String: String] = [
        "order": "sort COLUMN [desc]",
        "top": "sort COLUMN desc | limit N",
        "having": "a '| where' stage after 'group by'",
        "like": "'~' for a case-insensitive contains, or starts_with(s, p) / ends_with(s, p)",
        "ilike": "'~' for a case-insensitive contains",
        "filter": "where CONDITION",
        "project": "select COLUMN, ...",
        "take": "limit N",
        "offset": "where on row_number() over (...), as in '| extend row_number() over (sort x) as n | where n > 10'",
    ]

    /// `extend_stage = "extend" , item , { "," , item } ;`
    public mutating func parseExtend() throws(Diagnostic) -> Stage {
        try parseItemStage(Stage.Kind.extend)
    }

    /// `distinct_stage = "distinct" , [ NAME , { "," , NAME } ] ;`
    public mutating func parseDistinct() throws(Diagnostic) -> Stage {
        var range = advance().range
        var names: [Name] = []
        if case .name = current.kind {
            repeat {
                let n = try expectName("a column name")
                names.append(n)
                range = range.to(n.range)
            } while accept(.comma) != nil
        }
        return Stage(kind: .distinct(names), range: range)
    }

    /// `join_stage = [ "left" ] , "join" , join_source , "on" , join_key , { "," , join_key } ;`
    /// `join_source = NAME | "(" , query , ")" ;`
    /// `join_key = NAME , [ "=" , NAME ] ;`
    public mutating func parseJoin() throws(Diagnostic) -> Stage {
        let start = current.range
        var keepUnmatched = false
        if case .name("left") = current.kind {
            advance()
            keepUnmatched = true
        }
        guard case .name("join") = current.kind else { throw unexpected("'join' after 'left'") }
        advance()
        let right: Query
        if check(.leftParen) {
            let open = advance()
            openParens += 1
            try nest()
            defer { depth -= 1 }
            right = try parseQuery()
            _ = try expectClose(open)
        } else {
            let table = try expectName("a table name or '(' query ')' after 'join'")
            right = Query(source: .table(table), stages: [], range: table.range)
        }
        guard case .name("on") = current.kind else { throw unexpected("'on' and the columns to match") }
        advance()
        var keys: [(left: Name, right: Name)] = []
        var end = start
        repeat {
            let left = try expectName("a column name to join on")
            var rightName = left
            if accept(.equal) != nil { rightName = try expectName("a column of the joined rows after '='") }
            keys.append((left, rightName))
            end = rightName.range
        } while accept(.comma) != nil
        return Stage(kind: .join(Join(keepUnmatched: keepUnmatched, right: right, keys: keys)), range: start.to(end))
    }

    /// `select_stage = "select" , item , { "," , item } ;`
    public mutating func parseSelect() throws(Diagnostic) -> Stage {
        try parseItemStage(Stage.Kind.select)
    }

    /// A stage word followed by a list of items; the stage's range covers its last alias.
    private mutating func parseItemStage(_ kind: ([Item]) -> Stage.Kind) throws(Diagnostic) -> Stage {
        let start = advance().range
        var items = [try parseItem()]
        while accept(.comma) != nil { items.append(try parseItem()) }
        let last = items[items.count - 1]
        return Stage(kind: kind(items), range: start.to(last.alias?.range ?? last.expr.range))
    }

    /// `item = expr , [ "as" , NAME ] ;`
    public mutating func parseItem() throws(Diagnostic) -> Item {
        let expr = try parseExpr()
        var alias: Name?
        if accept(.keyword(.as)) != nil { alias = try expectName("a column name after 'as'") }
        return Item(expr: expr, alias: alias)
    }

    /// `sort_stage = "sort" , sort_key , { "," , sort_key } ;`
    /// `sort_key = expr , [ "asc" | "desc" ] ;`
    public mutating func parseSort() throws(Diagnostic) -> Stage {
        let start = advance().range
        var keys: [SortKey] = []
        var end = start
        repeat {
            let e = try parseExpr()
            end = e.range
            var descending = false
            if let t = accept(.keyword(.desc)) { descending = true; end = t.range }
            else if let t = accept(.keyword(.asc)) { end = t.range }
            keys.append(SortKey(expr: e, descending: descending))
        } while accept(.comma) != nil
        return Stage(kind: .sort(keys), range: start.to(end))
    }

    /// `limit_stage = "limit" , INTEGER ;`
    public mutating func parseLimit() throws(Diagnostic) -> Stage {
        let start = advance().range
        let t = current
        switch t.kind {
        case .int(let n) where n <= Int64(Int32.max):
            advance()
            return Stage(kind: .limit(Int(n)), range: start.to(t.range))
        case .int, .double, .minus:
            throw Diagnostic(.invalidLimit(source.slice(t.range)), in: source, at: t.range)
        default:
            throw unexpected("a number of rows after 'limit'")
        }
    }

    /// `group_stage = "group" , "by" , item , { [ "," ] , item } ;`
    /// Keys are the items before the first one holding an aggregate call.
    public mutating func parseGroup() throws(Diagnostic) -> Stage {
        let start = advance().range
        _ = try expect(.keyword(.by), "'by' after 'group'")
        var keys: [Item] = []
        var items: [Item] = []
        var end = start
        while true {
            let item = try parseItem()
            end = item.alias?.range ?? item.expr.range
            if item.expr.containsAggregate {
                items.append(item)
            } else if items.isEmpty {
                keys.append(item)
            } else {
                throw Diagnostic(.expected("an aggregate such as avg(capaian) or count()", found: "'\(source.slice(item.expr.range))'"),
                                 in: source, at: item.expr.range)
            }
            if accept(.comma) != nil { continue }
            if startsExpression(current.kind) { continue }
            break
        }
        return Stage(kind: .group(keys: keys, items: items), range: start.to(end))
    }

    private func startsExpression(_ kind: TokenKind) -> Bool {
        switch kind {
        case .name, .int, .double, .string, .leftParen, .minus, .keyword(.null), .keyword(.case), .keyword(.not): return true
        default: return false
        }
    }

    /// `aggregate_stage = AGGREGATE , [ "(" , [ condition , { "," , condition } ] , ")" | condition ] ;`
    public mutating func parseAggregateStage() throws(Diagnostic) -> Stage {
        let t = advance()
        guard case .name(let n) = t.kind, let aggregate = Aggregate(rawValue: n) else {
            throw unexpected("an aggregate")
        }
        // `count()` and `sum(x)` are accepted in stage position too.
        if tokens[index].kind == .leftParen {
            let (args, close) = try parseCallParentheses(of: n)
            return Stage(kind: .aggregate(aggregate, args), range: t.range.to(close.range))
        }
        // A bare comparison is a condition too (`| count_if < 75`: rows whose measure is below 75).
        if startsExpression(current.kind) || Parser.comparisons[current.kind] != nil {
            let e = try parseCondition()
            return Stage(kind: .aggregate(aggregate, [e]), range: t.range.to(e.range))
        }
        return Stage(kind: .aggregate(aggregate, []), range: t.range)
    }

    /// `bar_stage = "bar" , [ expr , [ [ "," ] , expr ] ] ;`
    public mutating func parseBar() throws(Diagnostic) -> Stage {
        let start = advance().range
        guard startsExpression(current.kind) else { return Stage(kind: .bar(label: nil, measure: nil), range: start) }
        let label = try parseExpr()
        guard accept(.comma) != nil || startsExpression(current.kind) else { return Stage(kind: .bar(label: label, measure: nil), range: start.to(label.range)) }
        let measure = try parseExpr()
        return Stage(kind: .bar(label: label, measure: measure), range: start.to(measure.range))
    }

    /// `spark_stage = "spark" , [ expr ] , [ "by" , expr ] ;`
    public mutating func parseSpark() throws(Diagnostic) -> Stage {
        var range = advance().range
        var measure: Expr?
        var year: Expr?
        if startsExpression(current.kind) {
            let e = try parseExpr()
            measure = e
            range = range.to(e.range)
        }
        if accept(.keyword(.by)) != nil {
            let e = try parseExpr()
            year = e
            range = range.to(e.range)
        }
        return Stage(kind: .spark(measure: measure, year: year), range: range)
    }

    // MARK: Conditions

    /// `condition = disjunction ;`
    /// `disjunction = conjunction , { "or" , conjunction } ;`
    public mutating func parseCondition() throws(Diagnostic) -> Expr {
        try parseLevel(0) { (p: inout Parser) throws(Diagnostic) in try p.parseConjunction() }
    }

    /// `conjunction = negation , { "and" , negation } ;`
    public mutating func parseConjunction() throws(Diagnostic) -> Expr {
        try parseLevel(1) { (p: inout Parser) throws(Diagnostic) in try p.parseNegation() }
    }

    /// `negation = "not" , negation | predicate ;`
    public mutating func parseNegation() throws(Diagnostic) -> Expr {
        if let t = accept(.keyword(.not)) {
            try nest()
            defer { depth -= 1 }
            let inner = try parseNegation()
            return Expr(kind: .not(inner), range: t.range.to(inner.range))
        }
        return try parsePredicate()
    }

    /// `predicate = compare_op , expr | expr , [ compare_op , expr | "~" , expr | "is" , [ "not" ] , "null" | [ "not" ] , "in" , "(" , expr , { "," , expr } , ")" | [ "not" ] , "between" , expr , "and" , expr ] ;`
    public mutating func parsePredicate() throws(Diagnostic) -> Expr {
        if let op = Parser.comparisons[current.kind] {
            // A bare comparison: the left side is the table's default measure.
            let opToken = advance()
            let right = try parseExpr()
            let left = Expr(kind: .defaultMeasure, range: opToken.range)
            return Expr(kind: .binary(op, left, right), range: opToken.range.to(right.range))
        }
        let left = try parseExpr()
        if let op = Parser.comparisons[current.kind] {
            advance()
            let right = try parseExpr()
            return Expr(kind: .binary(op, left, right), range: left.range.to(right.range))
        }
        if accept(.tilde) != nil {
            let right = try parseExpr()
            return Expr(kind: .binary(.contains, left, right), range: left.range.to(right.range))
        }
        if accept(.keyword(.is)) != nil {
            let negated = accept(.keyword(.not)) != nil
            let null = try expect(.keyword(.null), negated ? "'null' after 'is not'" : "'null' or 'not null' after 'is'")
            return Expr(kind: .isNull(left, negated: negated), range: left.range.to(null.range))
        }
        // `x not in (...)`, `x not between ...`: the `not` after a value belongs to them.
        var negated = false
        // A line may break after `not` (it continues the statement), so the word after it is
        // the next token that is not a line break.
        if check(.keyword(.not)), [.keyword(.in), .keyword(.between)].contains(tokens[tokens[(index + 1)...].firstIndex { $0.kind != .newline } ?? index].kind) {
            advance()
            negated = true
        }
        if accept(.keyword(.in)) != nil {
            let open = try expect(.leftParen, "'(' and a list of values after 'in'")
            openParens += 1
            var list: [Expr] = []
            repeat { list.append(try parseExpr()) } while accept(.comma) != nil
            let close = try expectClose(open)
            return Expr(kind: .inList(left, list, negated: negated), range: left.range.to(close.range))
        }
        if accept(.keyword(.between)) != nil {
            let low = try parseExpr()
            _ = try expect(.keyword(.and), "'and' and the upper end after 'between \(source.slice(low.range))'")
            let high = try parseExpr()
            return Expr(kind: .between(left, low, high, negated: negated), range: left.range.to(high.range))
        }
        if case .name(let n) = current.kind, n == "like" || n == "ilike" {
            throw Diagnostic(.sqlHabit(n, write: Parser.sqlHabits[n]!), in: source, at: current.range)
        }
        return left
    }

    // MARK: Expressions

    /// `expr = term , { ( "+" | "-" ) , term } ;`
    public mutating func parseExpr() throws(Diagnostic) -> Expr {
        try parseLevel(2) { (p: inout Parser) throws(Diagnostic) in try p.parseTerm() }
    }

    /// `term = factor , { ( "*" | "/" ) , factor } ;`
    public mutating func parseTerm() throws(Diagnostic) -> Expr {
        try parseLevel(3) { (p: inout Parser) throws(Diagnostic) in try p.parseFactor() }
    }

    /// One left-associative level of ``binaryLevels``: `next , { OP , next }`.
    ///
    /// Each operator in a chain deepens the tree by one, so it counts toward ``maxDepth``
    /// like a parenthesis: everything that later walks the tree does so within a bounded stack.
    private mutating func parseLevel(_ level: Int, next: (inout Parser) throws(Diagnostic) -> Expr) throws(Diagnostic) -> Expr {
        var left = try next(&self)
        var chain = 0
        defer { depth -= chain }
        while let op = Parser.binaryLevels[level][current.kind] {
            try nest()
            chain += 1
            advance()
            let right = try next(&self)
            left = Expr(kind: .binary(op, left, right), range: left.range.to(right.range))
        }
        return left
    }

    /// `factor = "-" , factor | primary ;`
    public mutating func parseFactor() throws(Diagnostic) -> Expr {
        if let t = accept(.minus) {
            try nest()
            defer { depth -= 1 }
            let inner = try parseFactor()
            // Fold literals so that `-5` is a number, not an operation.
            switch inner.kind {
            case .int(let v): return Expr(kind: .int(-v), range: t.range.to(inner.range))
            case .double(let v): return Expr(kind: .double(-v), range: t.range.to(inner.range))
            default: return Expr(kind: .negate(inner), range: t.range.to(inner.range))
            }
        }
        return try parsePrimary()
    }

    /// `primary = NUMBER | STRING | "null" | NAME , "(" , [ condition , { "," , condition } ] , ")" , [ window ] | NAME | case_expr | "(" , condition , ")" ;`
    public mutating func parsePrimary() throws(Diagnostic) -> Expr {
        let t = current
        switch t.kind {
        case .int(let v): advance(); return Expr(kind: .int(v), range: t.range)
        case .double(let v): advance(); return Expr(kind: .double(v), range: t.range)
        case .string(let s): advance(); return Expr(kind: .string(s), range: t.range)
        case .keyword(.null): advance(); return Expr(kind: .null, range: t.range)
        case .name(let n):
            advance()
            let name = Name(text: n, range: t.range)
            guard tokens[index].kind == .leftParen else { return Expr(kind: .column(n), range: t.range) }
            let (args, close) = try parseCallParentheses(of: n)
            if check(.keyword(.over)) {
                let window = try parseWindow()
                return Expr(kind: .window(name, args, window), range: t.range.to(window.range))
            }
            return Expr(kind: .call(name, args), range: t.range.to(close.range))
        case .keyword(.case):
            return try parseCase()
        case .leftParen:
            let open = advance()
            openParens += 1
            try nest()
            defer { depth -= 1 }
            var inner = try parseCondition()
            let close = try expectClose(open)
            inner.range = open.range.to(close.range)
            return inner
        default:
            throw unexpected("a value, a column name or '('")
        }
    }

    /// `( arguments )` after a function or aggregate name: the arguments and the `)`.
    private mutating func parseCallParentheses(of function: String) throws(Diagnostic) -> ([Expr], Token) {
        let open = advance()
        openParens += 1
        try nest()
        defer { depth -= 1 }
        let args = try parseArguments(of: function)
        return (args, try expectClose(open))
    }

    /// The arguments of a call: conditions, as a condition is a value too (the resolver checks
    /// which each function takes). `count(*)` gets a hint.
    private mutating func parseArguments(of function: String) throws(Diagnostic) -> [Expr] {
        var args: [Expr] = []
        if check(.star) {
            throw Diagnostic(.sqlHabit("\(function)(*)", write: "\(function)()"), in: source, at: current.range)
        }
        if !check(.rightParen) {
            repeat { args.append(try parseCondition()) } while accept(.comma) != nil
        }
        return args
    }

    /// `window = "over" , "(" , [ "by" , expr , { "," , expr } ] , [ "sort" , sort_key , { "," , sort_key } ] , ")" ;`
    private mutating func parseWindow() throws(Diagnostic) -> Window {
        let over = advance()
        let open = try expect(.leftParen, "'(' after 'over'")
        openParens += 1
        var partition: [Expr] = []
        var order: [SortKey] = []
        if accept(.keyword(.by)) != nil {
            repeat { partition.append(try parseExpr()) } while accept(.comma) != nil
        }
        if accept(.keyword(.sort)) != nil {
            repeat {
                let e = try parseExpr()
                var descending = false
                if accept(.keyword(.desc)) != nil { descending = true } else { _ = accept(.keyword(.asc)) }
                order.append(SortKey(expr: e, descending: descending))
            } while accept(.comma) != nil
        }
        if case .name(let n) = current.kind, n == "partition" || n == "order" {
            throw Diagnostic(.sqlHabit("\(n) by", write: n == "order" ? "sort KEY [desc]" : "by KEY"), in: source, at: current.range)
        }
        let close = try expectClose(open)
        return Window(partition: partition, order: order, range: over.range.to(close.range))
    }

    /// `case_expr = "case" , "when" , condition , "then" , expr , { "when" , condition , "then" , expr } , [ "else" , expr ] , "end" ;`
    private mutating func parseCase() throws(Diagnostic) -> Expr {
        let start = advance()
        try nest()
        // Like a parenthesis, `case … end` may span lines.
        openParens += 1
        defer { depth -= 1 }
        var branches: [(condition: Expr, value: Expr)] = []
        _ = try expect(.keyword(.when), "'when' after 'case'")
        repeat {
            let condition = try parseCondition()
            _ = try expect(.keyword(.then), "'then' after the condition")
            let value = try parseExpr()
            branches.append((condition, value))
        } while accept(.keyword(.when)) != nil
        var otherwise: Expr?
        if accept(.keyword(.else)) != nil { otherwise = try parseExpr() }
        let end = try expect(.keyword(.end), "'when', 'else' or 'end' to close 'case'")
        openParens -= 1
        return Expr(kind: .caseWhen(branches, otherwise: otherwise), range: start.range.to(end.range))
    }

    /// Consumes `)` or reports what it would have closed: `expected ')' to close '(' at 1:9`.
    private mutating func expectClose(_ open: Token) throws(Diagnostic) -> Token {
        if let close = accept(.rightParen) {
            openParens -= 1
            return close
        }
        let t = current
        if t.kind == .invalid, let d = lexErrors[index] { throw d }
        let (line, column) = source.location(of: open.range.start)
        throw Diagnostic(.expectedClosing(")", opener: "(", line: line, column: column), in: source, at: t.range)
    }
}
