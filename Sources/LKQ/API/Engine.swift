import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// The LKQ evaluator over a set of tables. Immutable and `Sendable`: share one engine between
/// threads freely; each caller keeps its own ``Session`` for `let` names.
///
/// ```swift
/// let engine = Engine()                       // the built-in LKIP 2023 of Dinas PMD NTT
/// let result = try engine.run("capaian where sasaran = 2 and < 75")
/// print(result.last!.rows)
/// ```
public struct Engine: Sendable {
    private var byName: [String: Table]
    private var order: [String]
    /// The database whose tables a query may read in place (``addingDatabase(_:tables:)``).
    public internal(set) var database: (any SQLDatabase)?
    /// Names of the tables that live in ``database``.
    var databaseTables: Set<String> = []
    /// The views, by name: their query and the tables it reads.
    private var views: [String: View] = [:]

    /// A table computed by an LKQ query over other tables (``addingView(named:query:)``).
    private struct View: Sendable {
        let query: String
        let reads: Set<String>
    }

    /// An engine over the built-in dataset (the LKIP 2023 of Dinas PMD Provinsi NTT).
    public init() {
        self = Engine.builtin
    }

    private static let builtin: Engine = {
        var engine = Engine(tables: BuiltinData.tables)
        for view in BuiltinData.views {
            do throws(LKQError) {
                engine = try engine.addingView(named: view.name, query: view.query)
            } catch {
                fatalError("built-in view \(view.name) is broken: \(error.rendered())")
            }
        }
        return engine
    }()

    /// A copy of this engine with the result of `query` added as the table `name` (replacing one
    /// of the same name). The query runs now, over this engine's tables; its text becomes the
    /// table's origin, so every value stays traceable to the rows it came from.
    ///
    /// The built-in `efisiensi` is such a view: each kegiatan indicator beside the serapan of
    /// its sub kegiatan.
    ///
    /// When a table the view reads is replaced later (a CSV of the same name, a database table),
    /// the view is made again from the new table, when it is first read: it never answers from
    /// the rows it was made from. A view whose query no longer resolves over the new tables (a
    /// column it needs is missing) is removed, and reading it names the table that replaced it.
    public func addingView(named name: String, query: String) throws(LKQError) -> Engine {
        let name = name.lowercased()
        var session = makeSession()
        let results = try session.run(query, sourceName: "view \(name)")
        guard let result = results.last else {
            throw LKQError(Diagnostic(.expected("a query for view '\(name)'", found: "none"), .none))
        }
        let table = result.asTable(named: name)
        var engine = adding(Table(name: table.name, fields: table.fields, measure: table.measure,
                                  origin: "view: " + query, store: table.store))
        engine.views[name] = View(query: query, reads: (try? tablesRead(by: query, viewName: name)) ?? [])
        return engine
    }

    /// The tables `query` reads, its joins' included.
    private func tablesRead(by query: String, viewName: String) throws(Diagnostic) -> Set<String> {
        try plans(of: query, viewName: viewName).reduce(into: []) { names, plan in
            func walk(_ p: QueryPlan) {
                if case .table(let t, _) = p.source { names.insert(t.name) }
                for step in p.steps { if case .join(let j) = step.kind { walk(j.right) } }
            }
            walk(plan)
        }
    }

    /// The resolved plans of the queries of a view's text, over this engine's tables.
    private func plans(of query: String, viewName: String) throws(Diagnostic) -> [QueryPlan] {
        let source = SourceFile(name: "view \(viewName)", text: query)
        let session = makeSession()
        var plans: [QueryPlan] = []
        for parsed in Parser.Statements(parser: Parser(source)) {
            guard case .query(let q) = try parsed.get().kind else { continue }
            var resolver = Resolver(source: source, session: session)
            plans.append(try resolver.resolve(q))
        }
        return plans
    }

    /// Makes again each view that reads `changed`, from this engine's tables, when first read.
    private mutating func remakeViews(reading changed: String) {
        for (name, view) in views where name != changed && view.reads.contains(changed) {
            guard let plan = try? plans(of: view.query, viewName: name).last else {
                views[name] = nil
                byName[name] = nil
                order.removeAll { $0 == name }
                continue
            }
            let fields = plan.output.fields
            let over = self
            let store = ColumnStore(columnCount: fields.count) { _ throws(Diagnostic) in
                var session = over.makeSession()
                do throws(LKQError) {
                    guard let result = try session.run(view.query, sourceName: "view \(name)").last else {
                        throw LKQError(Diagnostic(.expected("a query for view '\(name)'", found: "none"), .none))
                    }
                    return (result.rowCount, Dictionary(uniqueKeysWithValues: result.columns.enumerated().map { ($0, $1) }))
                } catch {
                    throw error.diagnostic
                }
            }
            byName[name] = Table(name: name, fields: fields, measure: plan.output.measure,
                                 origin: "view: " + view.query, store: store)
        }
    }

    /// An engine over the given tables only; later tables replace earlier ones of the same name.
    public init(tables: [Table]) {
        byName = [:]
        order = []
        for t in tables { add(t) }
    }

    /// Adds `table` in place: adding many tables this way costs one copy of the engine in all,
    /// where ``adding(_:)`` copies it for each.
    mutating func add(_ table: Table) {
        if byName[table.name] == nil { order.append(table.name) }
        byName[table.name] = table
        // A table put in a view's place ends the view; one a view reads makes it again.
        views[table.name] = nil
        remakeViews(reading: table.name)
    }

    /// The tables, in the order they were added.
    public var tables: [Table] { order.compactMap { byName[$0] } }

    /// The table with this (case-insensitive) name, if any.
    public func table(named name: String) -> Table? { byName[name.lowercased()] }

    /// A copy of this engine with `table` added, replacing any table of the same name.
    public func adding(_ table: Table) -> Engine {
        var copy = self
        copy.add(table)
        return copy
    }

    /// A new session: a place to run statements that remembers `let` names between them.
    public func makeSession() -> Session { Session(engine: self) }

    /// Runs a whole script in a fresh session and returns the result of each query in it
    /// (`let` statements give none). Stops at the first error.
    public func run(_ script: String, sourceName: String = "<input>") throws(LKQError) -> [QueryResult] {
        var session = makeSession()
        return try session.run(script, sourceName: sourceName)
    }
}
