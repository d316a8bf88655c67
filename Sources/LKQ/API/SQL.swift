/// One query of a script compiled to SQL: the text to send, and the values of its bound
/// parameters. `let` results the query reads are CTEs inside it, so each statement runs alone.
public struct SQLStatement: Sendable {
    /// The SQL, formatted over several lines, without a final semicolon.
    public let text: String
    /// The bound parameters, in placeholder order: `$1` is the first (PostgreSQL, DuckDB), or
    /// `:name` by name (Spark). Values come from `param` statements and ``Session/parameters``.
    public let parameters: [SQLParameter]
    /// The output column names, which are LKQ's.
    public let columns: [String]
    /// Statements to run first on the same connection (Spark's ANSI mode), usually none.
    public let preamble: [String]
    /// The LKQ statement it was compiled from.
    public let lkq: String
    /// One-based line of the LKQ statement in the script.
    public let line: Int
    /// A statement written by hand, to send through an ``SQLDatabase`` as it is.
    public init(text: String, parameters: [SQLParameter] = []) {
        self.init(text: text, parameters: parameters, columns: [], preamble: [], lkq: "", line: 1, isOrdered: false)
    }

    init(text: String, parameters: [SQLParameter], columns: [String], preamble: [String], lkq: String, line: Int, isOrdered: Bool) {
        self.text = text
        self.parameters = parameters
        self.columns = columns
        self.preamble = preamble
        self.lkq = lkq
        self.line = line
        self.isOrdered = isOrdered
    }

    /// Whether the rows come in an order LKQ defines (after `sort`, `group`, `distinct`, or a
    /// whole-table aggregate); otherwise the target returns them in any order.
    public let isOrdered: Bool
}

/// A value bound to a placeholder of a ``SQLStatement``.
public struct SQLParameter: Sendable, Equatable {
    /// A parameter's name and value.
    public init(name: String, value: Value) {
        self.name = name
        self.value = value
    }

    /// The `param` name.
    public let name: String
    /// Its value: the command line's, else the script's default.
    public let value: Value
}

extension Engine {
    /// The SQL of each query of `script` for `dialect`, as ``Session/sql(for:dialect:sourceName:)``
    /// in a fresh session with the given parameter values.
    public func sql(for script: String, dialect: SQLDialect, parameters: [String: String] = [:],
                    sourceName: String = "<input>") throws(LKQError) -> [SQLStatement] {
        var session = makeSession()
        session.parameters = parameters
        return try session.sql(for: script, dialect: dialect, sourceName: sourceName)
    }
}

/// What became of one statement of a script compiled to SQL.
public enum SQLOutcome: Sendable {
    /// A query, compiled.
    case statement(SQLStatement)
    /// A `let` or `param` bound this name (a `let` result becomes a CTE of the queries that read it).
    case bound(String)
    /// The statement does not parse, resolve, or compile for the target; later ones still do.
    case failed(LKQError)
}

extension Session {
    /// Compiles every query of `script` to SQL for `dialect`, without running anything: `let`
    /// results become CTEs of the statements that read them, `let` values are constants, and
    /// `param` values are bound parameters (never text in the SQL). The session's own `let`
    /// names are not visible: a script compiles from its own text.
    ///
    /// Throws at the first statement that does not resolve, or that the target cannot run with
    /// LKQ's meaning (error kind ``LKQError/Kind/unsupported``, at the expression's place):
    /// charts, `audit`, `limit` on rows in no order, `first`/`last` without `sort`,
    /// `count_distinct` and (PostgreSQL) `median` with `over`, and `number` of text.
    public func sql(for script: String, dialect: SQLDialect, sourceName: String = "<input>") throws(LKQError) -> [SQLStatement] {
        var out: [SQLStatement] = []
        var failure: LKQError?
        compileSQL(script, dialect: dialect, sourceName: sourceName) { outcome in
            switch outcome {
            case .statement(let s): out.append(s); return true
            case .bound: return true
            case .failed(let e): failure = e; return false
            }
        }
        if let failure { throw failure }
        return out
    }

    /// Compiles the statements of `script` one by one, handing each outcome to `each`; stops
    /// when `each` returns false. A statement that fails does so alone, as in ``execute(_:sourceName:cancellation:_:)``.
    public func compileSQL(_ script: String, dialect: SQLDialect, sourceName: String = "<input>",
                           _ each: (SQLOutcome) -> Bool) {
        var session = engine.makeSession()
        session.parameters = parameters
        let source = SourceFile(name: sourceName, text: script)
        var lets: [String: SQLCompiler.LetResult] = [:]
        var parameterNames: [String: String] = [:]
        for parsed in Parser.Statements(parser: Parser(source)) {
            let outcome: SQLOutcome
            do throws(Diagnostic) {
                let statement = try parsed.get()
                outcome = try Session.compile(statement, source: source, dialect: dialect, session: &session,
                                              lets: &lets, parameterNames: &parameterNames)
            } catch {
                outcome = .failed(LKQError(error))
            }
            if !each(outcome) { return }
        }
    }

    private static func compile(_ statement: Statement, source: SourceFile, dialect: SQLDialect, session: inout Session,
                                lets: inout [String: SQLCompiler.LetResult],
                                parameterNames: inout [String: String]) throws(Diagnostic) -> SQLOutcome {
        let interpreter = Interpreter(session: session, source: source, control: nil)
        switch statement.kind {
        case .query(let query):
            var resolver = Resolver(source: source, session: session)
            let plan = try resolver.resolve(query)
            var compiler = SQLCompiler(dialect: dialect, source: source, parameterNames: parameterNames, lets: lets, prefix: "")
            let lines = try compiler.statement(plan)
            let (text, params) = SQLCompiler.bind(lines.joined(separator: "\n"), dialect: dialect, values: session.values)
            return .statement(SQLStatement(text: text, parameters: params, columns: plan.output.fields.map(\.name),
                                           preamble: dialect.preamble, lkq: source.slice(statement.range),
                                           line: source.location(of: statement.range.start).line,
                                           isOrdered: compiler.isOrdered))
        case .bind(let name, let query):
            if session.engine.table(named: name.text) != nil {
                throw Diagnostic(.cannotRedefineTable(name.text), in: source, at: name.range)
            }
            // `let b = batas` renames a value.
            if query.stages.isEmpty, case .table(let other) = query.source, session.bindings[other.text] == nil,
               session.engine.table(named: other.text) == nil, session.values[other.text] != nil {
                _ = try interpreter.run(statement, into: &session)
                parameterNames[name.text] = parameterNames[other.text]
                return .bound(name.text)
            }
            var resolver = Resolver(source: source, session: session)
            let plan = try resolver.resolve(query)
            var compiler = SQLCompiler(dialect: dialect, source: source, parameterNames: parameterNames, lets: lets, prefix: name.text)
            lets[name.text] = try compiler.letResult(plan, name: name.text)
            session.values[name.text] = nil
            parameterNames[name.text] = nil
            // The resolver needs only the result's columns.
            let fields = plan.output.fields
            session.bindings[name.text] = Table(name: name.text, fields: fields, measure: plan.output.measure, origin: "let",
                                                store: ColumnStore(count: 0, columns: fields.map { Column.allNull($0.type, count: 0) }))
            return .bound(name.text)
        case .bindValue(let name, let expr):
            _ = try interpreter.run(statement, into: &session)
            lets[name.text] = nil
            if case .column(let other) = expr.kind, let p = parameterNames[other] {
                parameterNames[name.text] = p
            } else {
                parameterNames[name.text] = nil
            }
            return .bound(name.text)
        case .param(let name, _):
            _ = try interpreter.run(statement, into: &session)
            lets[name.text] = nil
            parameterNames[name.text] = name.text
            return .bound(name.text)
        }
    }
}

extension SQLCompiler {
    /// Replaces each parameter token with the dialect's placeholder, numbered in order of first
    /// appearance, and lists the values.
    static func bind(_ text: String, dialect: SQLDialect, values: [String: Value]) -> (String, [SQLParameter]) {
        guard text.contains("\u{1}") else { return (text, []) }
        var out = ""
        var params: [SQLParameter] = []
        let pieces = text.split(separator: "\u{1}", omittingEmptySubsequences: false)
        for (i, piece) in pieces.enumerated() {
            if i % 2 == 0 { out += piece; continue }
            let name = String(piece)
            let index: Int
            if let k = params.firstIndex(where: { $0.name == name }) {
                index = k + 1
            } else {
                params.append(SQLParameter(name: name, value: values[name] ?? .null))
                index = params.count
            }
            out += dialect.placeholder(index, name: name)
        }
        return (out, params)
    }
}
