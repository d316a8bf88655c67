#if canImport(LKQSyntax)
import LKQSyntax
#endif

extension Session {
    /// The problems in `script` that show without reading a row: syntax errors, unknown
    /// tables, columns and functions, wrong types and argument counts, misplaced aggregates and
    /// window functions, unset parameters, and the warnings the resolver gives. Every statement
    /// is checked, each against the names the statements before it define (a `let` result is
    /// known by its columns, not its rows), so an editor can show all of them as you type.
    ///
    /// Nothing runs and the session is not changed. Stages after `bar` or `spark`, whose
    /// columns depend on the data, and the stages of `audit` are checked when they run.
    public func check(_ script: String, sourceName: String = "<input>") -> [LKQError] {
        var scratch = self
        let source = SourceFile(name: sourceName, text: script)
        var problems: [LKQError] = []
        for parsed in Parser.Statements(parser: Parser(source)) {
            switch parsed {
            case .failure(let d):
                problems.append(LKQError(d))
            case .success(let statement):
                do throws(Diagnostic) {
                    problems += try scratch.checkStatement(statement, source)
                } catch {
                    problems.append(LKQError(error))
                }
            }
        }
        return problems
    }

    /// Resolves one statement and records what it names, as running it would, without rows.
    private mutating func checkStatement(_ statement: Statement, _ source: SourceFile) throws(Diagnostic) -> [LKQError] {
        var resolver = Resolver(source: source, session: self)
        let control = RunControl(cancellation: nil, budget: .unlimited)
        let interpreter = Interpreter(session: self, source: source, control: control)
        switch statement.kind {
        case .query(let query):
            _ = try resolver.resolve(query)
        case .bind(let name, let query):
            if case .table(let other) = query.source, query.stages.isEmpty, lookupTable(other.text) == nil, values[other.text] != nil {
                values[name.text] = values[other.text]
                break
            }
            let plan = try resolver.resolve(query)
            let schema = plan.output
            let empty = schema.fields.map { Column.allNull($0.type, count: 0) }
            bindings[name.text] = Table(name: name.text, fields: schema.fields, measure: schema.measure,
                                        origin: "let \(name.text)", store: ColumnStore(count: 0, columns: empty))
        case .bindValue, .param:
            // Values read no rows: working them out is as cheap as checking them.
            _ = try interpreter.run(statement, into: &self)
        }
        return (resolver.warnings + control.pendingWarnings).map(LKQError.init)
    }

    private func lookupTable(_ name: String) -> Table? { bindings[name] ?? engine.table(named: name) }
}
