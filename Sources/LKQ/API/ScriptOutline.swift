/// The shape of a script without running any of it: each statement's place, the name a `let`
/// binds, the table a query starts from, and the error of each statement that has one. Built
/// from parsing alone, or from parsing and resolving (names and types checked against an
/// engine's schemas, no row read), so it is cheap enough to redo on every keystroke: the
/// language server does.
///
/// ```swift
/// let outline = ScriptOutline("let lemah = capaian where < 80\nlemah | count", checkingAgainst: Engine())
/// outline.statements[0].binding?.name      // "lemah"
/// outline.statements[1].source?.name       // "lemah"
/// outline.statements[0].columns?.count     // the columns of lemah, as the resolver sees them
/// ```
public struct ScriptOutline: Sendable {
    /// A name as written (lower-cased, as LKQ compares names) and its UTF-8 range in the script.
    public struct Name: Sendable, Equatable {
        /// The name, lower-cased.
        public var name: String
        /// UTF-8 offsets of the name in the script.
        public var range: Range<Int>

        /// A name at a place (for comparing with what an outline found).
        public init(name: String, range: Range<Int>) {
            self.name = name
            self.range = range
        }
    }

    /// One statement that parsed.
    public struct Statement: Sendable {
        /// UTF-8 offsets of the whole statement in the script.
        public var range: Range<Int>
        /// The name a `let` or `param` statement binds; `nil` for a plain query.
        public var binding: Name?
        /// The table, view or `let` name the query reads first; `nil` for `audit`, a value
        /// (`let batas = 75`) and `param`.
        public var source: Name?
        /// The columns the statement's query gives, when the outline was checked and the
        /// resolver could tell (not after `bar`, `spark` or `audit`, which are known only once run).
        public var columns: [Field]?
    }

    /// The statements that parsed, in order.
    public var statements: [Statement] = []
    /// The error of each statement that failed: its syntax error, or, when checked, its first
    /// name or type error. The other statements are still outlined and checked.
    public var errors: [LKQError] = []
    /// Warnings the resolver found (when checked): a case-only match of a name, a limit before
    /// a sort, ... each at its place.
    public var warnings: [LKQError] = []

    /// Parses `script`, reporting errors under `sourceName`.
    public init(_ script: String, sourceName: String = "<input>") {
        self.init(script, sourceName: sourceName, engine: nil, parameters: [:])
    }

    /// Parses `script` and resolves each statement against `engine`'s tables and the `let`s
    /// before it, reading no row: ``errors`` and ``warnings`` are what ``Session/check(_:sourceName:)``
    /// finds, and each statement gets the ``Statement/columns`` its query gives. `parameters`
    /// are the values `--param` would give.
    public init(_ script: String, sourceName: String = "<input>", checkingAgainst engine: Engine,
                parameters: [String: String] = [:]) {
        self.init(script, sourceName: sourceName, engine: engine, parameters: parameters)
    }

    private init(_ script: String, sourceName: String, engine: Engine?, parameters: [String: String]) {
        let source = SourceFile(name: sourceName, text: script)
        var columnFinder = engine.map { ColumnFinder(source: source, session: $0.makeSession(), parameters: parameters) }
        for parsed in Parser.parseScript(source) {
            switch parsed {
            case .failure(let diagnostic):
                if engine == nil { errors.append(LKQError(diagnostic)) }
            case .success(let statement):
                var outlined = Statement(range: statement.range.start..<statement.range.end)
                let query: Query?
                switch statement.kind {
                case .query(let q):
                    query = q
                case .bind(let name, let q):
                    outlined.binding = Name(name)
                    query = q
                case .bindValue(let name, _), .param(let name, _):
                    outlined.binding = Name(name)
                    query = nil
                }
                if let query, case .table(let name) = query.source { outlined.source = Name(name) }
                outlined.columns = columnFinder?.columns(after: statement)
                statements.append(outlined)
            }
        }
        if let engine {
            // The problems are Session.check's, so an editor shows exactly what running would.
            var session = engine.makeSession()
            session.parameters = parameters
            for problem in session.check(script, sourceName: sourceName) {
                if problem.isWarning { warnings.append(problem) } else { errors.append(problem) }
            }
        }
    }
}

extension ScriptOutline.Name {
    init(_ name: LKQ.Name) {
        self.init(name: name.text, range: name.range.start..<name.range.end)
    }
}

/// Works out the columns each statement gives, statement after statement, keeping for each
/// `let` a table with those columns and no rows, as Session.check does. A statement that fails
/// to resolve gives none (its error is Session.check's to report).
private struct ColumnFinder {
    let source: SourceFile
    var session: Session
    let parameters: [String: String]
    /// `let` names whose columns are known only once run (after a chart or `audit`): the
    /// statements that read them have no known columns either.
    var unknown: Set<String> = []

    init(source: SourceFile, session: Session, parameters: [String: String]) {
        self.source = source
        self.session = session
        self.parameters = parameters
    }

    /// The statement's columns when known, after recording what it names.
    mutating func columns(after statement: LKQ.Statement) -> [Field]? {
        do throws(Diagnostic) {
            return try check(statement)
        } catch {
            if case .bind(let name, _) = statement.kind {
                unknown.insert(name.text)
                session.bindings[name.text] = nil
            }
            return nil
        }
    }

    private mutating func check(_ statement: LKQ.Statement) throws(Diagnostic) -> [Field]? {
        switch statement.kind {
        case .query(let query):
            return try columns(of: query)
        case .bind(let name, let query):
            try refuseTableName(name)
            // `let b = batas` names a value again when batas is a value, not a table.
            if query.stages.isEmpty, case .table(let other) = query.source, session.bindings[other.text] == nil,
               session.engine.table(named: other.text) == nil, let v = session.values[other.text] {
                bindValue(name, v)
                return nil
            }
            let fields = try columns(of: query)
            session.values[name.text] = nil
            if let fields {
                unknown.remove(name.text)
                session.bindings[name.text] = Table(name: name.text, fields: fields, measure: nil, origin: "let \(name.text)",
                                                    store: ColumnStore(count: 0, columns: fields.map { Column.allNull($0.type, count: 0) }))
            } else {
                unknown.insert(name.text)
                session.bindings[name.text] = nil
            }
            return fields
        case .bindValue(let name, let expr):
            try refuseTableName(name)
            bindValue(name, try placeholder(expr))
            return nil
        case .param(let name, let fallback):
            try refuseTableName(name)
            if let given = parameters[name.text] {
                bindValue(name, Interpreter.parameterValue(given))
            } else {
                var value = Value.null
                if let fallback { value = try placeholder(fallback) }
                bindValue(name, value)
            }
            return nil
        }
    }

    private mutating func columns(of query: Query) throws(Diagnostic) -> [Field]? {
        if case .table(let name) = query.source, unknown.contains(name.text) { return nil }
        var resolver = Resolver(source: source, session: session)
        let plan = try resolver.resolve(query)
        guard plan.tail.isEmpty, case .table = plan.source else { return nil }
        return plan.output.fields
    }

    private func refuseTableName(_ name: LKQ.Name) throws(Diagnostic) {
        if session.engine.table(named: name.text) != nil {
            throw Diagnostic(.cannotRedefineTable(name.text), in: source, at: name.range)
        }
    }

    private mutating func bindValue(_ name: LKQ.Name, _ value: Value) {
        session.bindings[name.text] = nil
        unknown.remove(name.text)
        session.values[name.text] = value
    }

    /// A value of the type `expr` has, standing for its value: checking needs the type only.
    private mutating func placeholder(_ expr: Expr) throws(Diagnostic) -> Value {
        var resolver = Resolver(source: source, session: session)
        let bound = try resolver.value(expr, Schema(tableName: "a value", fields: [], measure: nil), .row)
        switch bound.type {
        case .int: return .int(0)
        case .double: return .double(0)
        case .text: return .text("")
        case .null, .condition: return .null
        }
    }
}
