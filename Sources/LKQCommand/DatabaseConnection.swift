import LKQ
import LKQPostgres

/// `lkq --db URL`: the database's tables and views join the engine's.
enum DatabaseConnection {
    /// The engine with the database's tables, or nil after saying why it could not connect.
    static func open(_ url: String, into engine: Engine) -> Engine? {
        do throws(LKQError) {
            let database = try PostgresDatabase(connecting: url)
            let catalog = try database.catalog()
            for table in catalog where !table.unreadable.isEmpty {
                Console.err("lkq: \(table.name): left out \(table.unreadable.joined(separator: ", ")); LKQ reads numbers and text\n")
            }
            return engine.addingDatabase(database, tables: catalog.map { ($0.name, $0.fields) })
        } catch {
            Console.err(error.rendered(color: Console.colorErr) + "\n")
            return nil
        }
    }
}
