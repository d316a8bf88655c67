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
    public func addingView(named name: String, query: String) throws(LKQError) -> Engine {
        var session = makeSession()
        let results = try session.run(query, sourceName: "view \(name.lowercased())")
        guard let result = results.last else {
            throw LKQError(Diagnostic(.expected("a query for view '\(name)'", found: "none"), .none))
        }
        let table = result.asTable(named: name.lowercased())
        return adding(Table(name: table.name, fields: table.fields, measure: table.measure,
                            origin: "view: " + query, store: table.store))
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
