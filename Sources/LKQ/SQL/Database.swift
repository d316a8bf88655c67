/// A database whose tables LKQ queries where they are: a query that reads only its tables is
/// compiled to SQL (``SQLCompiler``) and runs inside it, and only the rows it returns come
/// back. `lkq --db` gives one over libpq (the `LKQPostgres` module).
public protocol SQLDatabase: Sendable {
    /// The SQL the database speaks.
    var dialect: SQLDialect { get }
    /// Runs `statement` with its bound parameters and returns its rows, each value of the type
    /// `types` gives for its column. Checks `isCancelled` while the rows come, and cancels the
    /// query on the server when it turns true (then throws ``LKQError/cancelled``).
    func rows(of statement: SQLStatement, types: [ColumnType], isCancelled: @escaping @Sendable () -> Bool) throws(LKQError) -> [[Value]]
}

extension Engine {
    /// A copy of this engine that reads `tables` from `database`: they appear beside the other
    /// tables (replacing one of the same name), and a query that reads only them runs inside
    /// the database. A query that reads them and LKQ's own tables fails at the LKQ table's
    /// name, saying what to do: nothing is copied behind the user's back.
    public func addingDatabase(_ database: any SQLDatabase, tables: [(name: String, fields: [Field])]) -> Engine {
        var engine = self
        engine.database = database
        for (rawName, fields) in tables {
            let name = rawName.lowercased()
            // The built-in table of the same name lends its default measure when the column is there.
            let measure = self.table(named: name)?.measure.flatMap { m in fields.contains { $0.name == m } ? m : nil }
            // And its rupiah columns, where the database's column of that name holds integers.
            let rupiah = Set(self.table(named: name)?.fields.filter(\.isRupiah).map(\.name) ?? [])
            let fields = fields.map { f in
                f.type == .int && rupiah.contains(f.name)
                    ? Field(name: f.name, type: f.type, isRupiah: true, label: f.label, unit: f.unit, notes: f.notes) : f
            }
            let store = ColumnStore(columnCount: fields.count) { _ throws(Diagnostic) in
                throw Diagnostic(.database("table '\(name)' lives in the database; its rows are read only by a query that runs there"), .none)
            }
            // Known as a database table before it is added, so that a view made again from it
            // runs its query in the database.
            engine.databaseTables.insert(name)
            engine = engine.adding(Table(name: name, fields: fields, measure: measure, origin: "database", store: store))
        }
        return engine
    }
}

extension Engine {
    /// Whether the table `name` lives in ``database`` (its rows are read only by a query that
    /// runs there).
    public func isInDatabase(_ name: String) -> Bool { databaseTables.contains(name.lowercased()) }
}

extension Interpreter {
    /// The result of `plan` computed inside the engine's database, when it reads database
    /// tables; nil when it reads none.
    func runInDatabase(_ plan: QueryPlan, _ query: Query) throws(Diagnostic) -> QueryResult? {
        guard let database = session.engine.database else { return nil }
        var inDatabase: [(name: String, range: SourceRange)] = []
        var local: [(name: String, range: SourceRange)] = []
        func classify(_ p: QueryPlan) {
            switch p.source {
            case .table(let t, _):
                if session.engine.databaseTables.contains(t.name) && session.bindings[t.name] == nil {
                    inDatabase.append((t.name, p.sourceRange))
                } else {
                    local.append((t.name, p.sourceRange))
                }
            case .audit:
                local.append(("audit", p.sourceRange))
            }
            for step in p.steps { if case .join(let j) = step.kind { classify(j.right) } }
        }
        classify(plan)
        guard let remote = inDatabase.first else { return nil }
        if let mine = local.first {
            throw Diagnostic(.sqlMixedSources(local: mine.name, database: remote.name), in: source, at: mine.range)
        }
        // Every named value is a bound parameter here: the values never become SQL text.
        let names = Dictionary(uniqueKeysWithValues: session.values.keys.map { ($0, $0) })
        var compiler = SQLCompiler(dialect: database.dialect, source: source, parameterNames: names, lets: [:], prefix: "")
        let lines = try compiler.statement(plan)
        let (text, parameters) = SQLCompiler.bind(lines.joined(separator: "\n"), dialect: database.dialect, values: session.values)
        let statement = SQLStatement(text: text, parameters: parameters, columns: plan.output.fields.map(\.name),
                                     preamble: database.dialect.preamble, lkq: source.slice(query.range),
                                     line: source.location(of: query.range.start).line, isOrdered: compiler.isOrdered)
        let fields = plan.output.fields
        let cancellation = control?.cancellation
        let rows: [[Value]]
        do {
            rows = try database.rows(of: statement, types: fields.map(\.type), isCancelled: { cancellation?.isCancelled ?? false })
        } catch {
            // The database's message, at the query it ran.
            throw Diagnostic(error.diagnostic.kind, in: source, at: query.range)
        }
        try control?.produce(rows.count, at: .source(source, query.range))
        let columns = fields.indices.map { i in
            Column.build(type: ValueType(fields[i].type), count: rows.count) { rows[$0][i] }
        }
        return QueryResult(fields: fields, columns: columns, measure: plan.output.measure, chart: nil,
                           warnings: control?.takeWarnings() ?? [])
    }
}
