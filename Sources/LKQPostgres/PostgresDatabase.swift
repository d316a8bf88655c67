import CPostgres
import Foundation
import LKQ

#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL database over libpq, read-only: every transaction of the connection is read
/// only (`default_transaction_read_only`), so a query LKQ sends can never write.
public final class PostgresDatabase: SQLDatabase, @unchecked Sendable {
    /// Always PostgreSQL's dialect.
    public let dialect = SQLDialect.postgres
    private let connection: OpaquePointer
    /// One query at a time on the connection.
    private let lock = NSLock()

    /// Connects with a libpq connection string or URL (`postgresql://user@host/db`); what it
    /// leaves out comes from the environment as for psql (`PGHOST`, `PGDATABASE`, `PGUSER`,
    /// `PGPASSWORD`, `PGPORT`), so `postgresql://` alone uses the environment.
    public init(connecting url: String) throws(LKQError) {
        guard let conn = PQconnectdb(url) else { throw LKQError.database("cannot allocate a connection") }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = PostgresDatabase.message(conn)
            PQfinish(conn)
            throw LKQError.database("cannot connect to \(PostgresDatabase.redacted(url)): \(message)")
        }
        connection = conn
        try execute("SET default_transaction_read_only = on")
        try execute("SET client_encoding = 'UTF8'")
    }

    deinit { PQfinish(connection) }

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard let at = url.firstIndex(of: "@"), let scheme = url.range(of: "://"), scheme.upperBound < at,
              let colon = url[scheme.upperBound..<at].firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }

    private static func message(_ conn: OpaquePointer) -> String {
        String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: "; ")
    }

    private func execute(_ sql: String) throws(LKQError) {
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw LKQError.database(PostgresDatabase.message(connection))
        }
    }

    /// One table or view of the current schema, with the columns LKQ can read, and those it
    /// cannot (with their types).
    public struct CatalogTable: Sendable {
        /// Its name.
        public let name: String
        /// The columns, typed for LKQ: integers, decimals (numeric too) and text (dates,
        /// times, booleans and other scalars read as their text).
        public let fields: [Field]
        /// Columns left out, as `name (type)`: arrays, JSON, binary data, composite types.
        public let unreadable: [String]
    }

    /// The tables and views of the current schema.
    public func catalog() throws(LKQError) -> [CatalogTable] {
        let sql = """
            SELECT c.table_name, c.column_name, c.data_type
            FROM information_schema.columns c
            WHERE c.table_schema = current_schema()
            ORDER BY c.table_name, c.ordinal_position
            """
        let rows = try rows(of: sql, parameters: [], types: [.text, .text, .text], isCancelled: { false })
        var tables: [CatalogTable] = []
        var fields: [Field] = []
        var unreadable: [String] = []
        var current: String?
        func flush() {
            if let current { tables.append(CatalogTable(name: current, fields: fields, unreadable: unreadable)) }
            fields = []
            unreadable = []
        }
        for row in rows {
            guard case .text(let table) = row[0], case .text(let column) = row[1], case .text(let type) = row[2] else { continue }
            if table != current { flush(); current = table }
            // LKQ's names are lower case; a quoted mixed-case name could not be written back.
            guard column == column.lowercased() else { unreadable.append("\(column) (a name in mixed case)"); continue }
            switch type {
            case "smallint", "integer", "bigint":
                fields.append(Field(name: column, type: .int))
            case "real", "double precision", "numeric":
                fields.append(Field(name: column, type: .double))
            case "text", "character varying", "character", "name", "date", "boolean", "uuid", "time without time zone",
                 "timestamp without time zone", "timestamp with time zone", "interval", "citext":
                fields.append(Field(name: column, type: .text))
            default:
                unreadable.append("\(column) (\(type))")
            }
        }
        flush()
        return tables.filter { $0.name == $0.name.lowercased() }
    }

    public func rows(of statement: SQLStatement, types: [ColumnType], isCancelled: @escaping @Sendable () -> Bool) throws(LKQError) -> [[Value]] {
        try rows(of: statement.text, parameters: statement.parameters.map(\.value), types: types, isCancelled: isCancelled)
    }

    /// Sends the query with its parameters, then reads the rows one at a time as they come
    /// (single-row mode), waiting on the socket so that a cancellation reaches the server at once.
    private func rows(of sql: String, parameters: [Value], types: [ColumnType], isCancelled: @escaping @Sendable () -> Bool) throws(LKQError) -> [[Value]] {
        lock.lock()
        defer { lock.unlock() }
        let texts: [String?] = parameters.map { v in
            switch v {
            case .null: return nil
            case .int(let i): return String(i)
            case .double(let d): return "\(d)"
            case .text(let s): return s
            }
        }
        var pointers: [UnsafeMutablePointer<CChar>?] = texts.map { $0.map { strdup($0) } ?? nil }
        defer { for p in pointers { free(p) } }
        let sent: Int32
        if pointers.isEmpty {
            sent = PQsendQueryParams(connection, sql, 0, nil, nil, nil, nil, 0)
        } else {
            sent = pointers.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) { values in
                    PQsendQueryParams(connection, sql, Int32(buffer.count), nil, values, nil, nil, 0)
                }
            }
        }
        guard sent == 1 else { throw LKQError.database(PostgresDatabase.message(connection)) }
        PQsetSingleRowMode(connection)
        var out: [[Value]] = []
        var failure: LKQError?
        var cancelled = false
        while true {
            // Wait for input, a tenth of a second at a time, watching for Ctrl-C.
            while PQisBusy(connection) == 1 {
                if !cancelled && isCancelled() {
                    cancelled = true
                    if let cancel = PQgetCancel(connection) {
                        var buffer = [CChar](repeating: 0, count: 256)
                        _ = PQcancel(cancel, &buffer, 256)
                        PQfreeCancel(cancel)
                    }
                }
                var fds = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
                _ = poll(&fds, 1, 100)
                if PQconsumeInput(connection) == 0 { break }
            }
            guard let result = PQgetResult(connection) else { break }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_SINGLE_TUPLE:
                guard failure == nil else { continue }
                var row: [Value] = []
                for (i, type) in types.enumerated() {
                    row.append(value(result, column: Int32(i), type: type))
                }
                out.append(row)
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                break
            default:
                let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
                if state == "57014" && cancelled {
                    failure = .cancelled
                } else {
                    let text = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) } ?? PostgresDatabase.message(connection)
                    failure = .database(text)
                }
            }
        }
        if let failure { throw failure }
        if cancelled { throw LKQError.cancelled }
        return out
    }

    private func value(_ result: OpaquePointer, column: Int32, type: ColumnType) -> Value {
        if PQgetisnull(result, 0, column) == 1 { return .null }
        let text = String(cString: PQgetvalue(result, 0, column))
        switch type {
        case .int:
            if let i = Int64(text) { return .int(i) }
            return Double(text).flatMap { Int64(exactly: $0) }.map(Value.int) ?? .null
        case .double:
            return Double(text).map(Value.double) ?? .null
        case .text:
            return .text(text)
        }
    }
}
