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
    /// before it, as running it would, but reading no row. `parameters` are the values
    /// `--param` would give (`param NAME` statements without one check with their default).
    public init(_ script: String, sourceName: String = "<input>", checkingAgainst engine: Engine,
                parameters: [String: String] = [:]) {
        self.init(script, sourceName: sourceName, engine: engine, parameters: parameters)
    }

    private init(_ script: String, sourceName: String, engine: Engine?, parameters: [String: String]) {
        let source = SourceFile(name: sourceName, text: script)
        var checker = engine.map { Checker(source: source, session: $0.makeSession(), parameters: parameters) }
        for parsed in Parser.parseScript(source) {
            switch parsed {
            case .failure(let diagnostic):
                errors.append(LKQError(diagnostic))
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
                if checker != nil {
                    do throws(Diagnostic) {
                        outlined.columns = try checker!.check(statement)
                    } catch {
                        errors.append(LKQError(error))
                    }
                    warnings += checker!.takeWarnings().map(LKQError.init)
                }
                statements.append(outlined)
            }
        }
    }
}

extension ScriptOutline.Name {
    init(_ name: LKQ.Name) {
        self.init(name: name.text, range: name.range.start..<name.range.end)
    }
}

/// Resolves statement after statement, keeping for each `let` a table with the columns its
/// query gives and no rows, so later statements are checked against what they would read.
private struct Checker {
    let source: SourceFile
    var session: Session
    let parameters: [String: String]
    /// `let` names whose columns are known only once run (after a chart or `audit`): statements
    /// that read them are not checked rather than reported wrongly.
    var unknown: Set<String> = []
    private var warnings: [Diagnostic] = []

    init(source: SourceFile, session: Session, parameters: [String: String]) {
        self.source = source
        self.session = session
        self.parameters = parameters
    }

    mutating func takeWarnings() -> [Diagnostic] {
        defer { warnings = [] }
        return warnings
    }

    /// The statement's columns when known; throws its first name or type error.
    mutating func check(_ statement: LKQ.Statement) throws(Diagnostic) -> [Field]? {
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
                                                    store: ColumnStore(count: 0, columns: fields.map(Checker.emptyColumn)))
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
                // A param without a default fails when run without --param; while editing, its
                // uses are checked as a value of any type.
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
        warnings += resolver.warnings
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
        warnings += resolver.warnings
        switch bound.type {
        case .int: return .int(0)
        case .double: return .double(0)
        case .text: return .text("")
        case .null, .condition: return .null
        }
    }

    private static func emptyColumn(_ field: Field) -> Column {
        switch field.type {
        case .int: return .ints([])
        case .double: return .doubles([])
        case .text: return .texts([])
        }
    }
}
