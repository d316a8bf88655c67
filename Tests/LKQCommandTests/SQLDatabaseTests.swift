import Foundation
import LKQ
import LKQPostgres
import Testing

/// `lkq --db` against a real PostgreSQL server that `Tests/SQL/engine.py serve` starts on a
/// private port with the built-in tables loaded: the same queries print the same CSV as over
/// the built-in data, and what cannot work fails clearly.
@Suite(.serialized) struct SQLDatabaseTests {
    /// One server for the suite, started by the first test that needs it; it stops when the
    /// test process ends and with it the helper's standard input.
    static let shared: Result<ServedPostgres, any Error> = Result {
        let engine = Engine()
        var tables: [[String: Any]] = []
        for table in engine.tables {
            let result = try #require(try engine.run(table.name).last)
            let columns = table.fields.map { [$0.name, $0.type == .int ? "int" : $0.type == .double ? "double" : "text"] }
            let rows = result.rows.map { row in row.map { v -> Any in
                switch v {
                case .null: return NSNull()
                case .int(let i): return NSNumber(value: i)
                case .double(let d): return NSNumber(value: d)
                case .text(let s): return s
                }
            } }
            tables.append(["name": table.name, "columns": columns, "rows": rows])
        }
        // A table with types LKQ reads as text (date, boolean) and one it cannot read (json).
        let setup = ["CREATE TABLE laporan (id bigint, tanggal date, final boolean, isi json, \"Catatan\" text)",
                     "INSERT INTO laporan VALUES (1, '2023-12-31', true, '{}', 'x'), (2, NULL, false, '[]', 'y')",
                     // A schema whose anggaran has every realisasi halved, for the view test.
                     "CREATE SCHEMA ubah",
                     "CREATE TABLE ubah.kegiatan AS SELECT * FROM public.kegiatan",
                     "CREATE TABLE ubah.anggaran AS SELECT * FROM public.anggaran",
                     "UPDATE ubah.anggaran SET realisasi = realisasi / 2"]
        return try ServedPostgres(tables: tables, setup: setup)
    }

    static let queries = [
        "capaian where < 75 | select no, indikator, capaian",
        "anggaran where level = \"subkegiatan\" | extend rank() over (by induk sort realisasi * 100 / pagu desc) as peringkat | where peringkat <= 2 | select kode, peringkat | sort kode",
        "anggaran where level = \"kegiatan\" | group by induk as program sum(pagu) as pagu, round(sum(realisasi) * 100 / sum(pagu), 2) as serapan | sort serapan",
        "tren | extend capaian - lag(capaian) over (by indikator sort tahun) as naik | where naik < 0 | select indikator, tahun, naik | sort naik",
        "kegiatan | join capaian on polaritas | count",
        // Decimals add up exactly in LKQ; PostgreSQL's numeric gives the same last digit.
        "capaian | avg",
        "capaian | group by sasaran avg(capaian), sum(capaian), sum(target)",
    ]

    @Test func databaseTablesAnswerAsBuiltInOnes() throws {
        let server = try Self.shared.get()
        #expect(server.url.hasPrefix("postgresql://"), "the server did not start")
        for q in Self.queries {
            let local = try lkq(["-f", "csv", "-e", q])
            let remote = try lkq(["--db", server.url, "-f", "csv", "-e", q])
            #expect(remote.status == 0, "\(q): \(remote.stderr)")
            #expect(remote.stdout == local.stdout, "\(q)")
        }
        // `param` values reach the server as bound parameters.
        let p = try lkq(["--db", server.url, "--param", "batas=80", "-f", "csv", "-e", "param batas = 75", "-e", "capaian where < batas | select no"])
        #expect(p.stdout == (try lkq(["--param", "batas=80", "-f", "csv", "-e", "param batas = 75", "-e", "capaian where < batas | select no"])).stdout)
        // Overflow is the server's error, at the query.
        let overflow = try lkq(["--db", server.url, "-e", "anggaran | select pagu * pagu as x"])
        #expect(overflow.status == 1 && overflow.stderr.contains("database: bigint out of range"), "\(overflow.stderr)")
        #expect(overflow.stderr.contains("-e:1:1"), "\(overflow.stderr)")
        // A `let` result lives in LKQ; joining it to a database table says what to do.
        let mixed = try lkq(["--db", server.url, "-e", "let k = kegiatan where program = 1", "-e", "capaian | join k on polaritas | count"])
        #expect(mixed.stderr.contains("'k' is a table in LKQ and 'capaian' one in the database"), "\(mixed.stderr)")
        #expect(mixed.stderr.contains("-e:1:16"), "\(mixed.stderr)")
        // .schema reads the catalogue, not the rows; rupiah columns are known by the built-in
        // table of the same name.
        let schema = try lkq(["--db", server.url, "-f", "csv", "-e", ".schema anggaran"])
        #expect(schema.status == 0 && schema.stdout.contains("pagu,rupiah,") && schema.stdout.contains("anggaran — source: database"),
                "\(schema.stdout)\(schema.stderr)")
        let tables = try lkq(["--db", server.url], input: ".tables\n")
        #expect(tables.stdout.contains("laporan"), "\(tables.stdout)")
        // Columns of types LKQ does not read are left out with a note; dates and booleans read as text.
        let laporan = try lkq(["--db", server.url, "-f", "csv", "-e", "laporan | sort id"])
        #expect(laporan.stdout == "id,tanggal,final\n1,2023-12-31,t\n2,,f\n", "\(laporan.stdout)")
        #expect(laporan.stderr.contains("laporan: left out isi (json), Catatan (a name in mixed case)"), "\(laporan.stderr)")
        // A missing table is the usual located error.
        let missing = try lkq(["--db", server.url, "-e", "laporn | count"])
        #expect(missing.status == 1 && missing.stderr.contains("did you mean 'laporan'"), "\(missing.stderr)")
        // A role the server does not know is a clear error.
        let role = server.url.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://nobody@")
        let refused = try lkq(["--db", role, "-e", "capaian | count"])
        #expect(refused.status == 1 && refused.stderr.contains("role \"nobody\" does not exist"), "\(refused.stderr)")
    }

    /// The built-in view `efisiensi` is made again from the database's `kegiatan` and
    /// `anggaran` (its query then runs in the database), never answered from the built-in rows.
    @Test func viewsFollowTheDatabaseTables() throws {
        let server = try Self.shared.get()
        let url = server.url + "&options=-csearch_path%3Dubah"
        let query = "efisiensi | select kode, realisasi_anggaran | sort kode"
        let remote = try lkq(["--db", url, "-f", "csv", "-e", query])
        #expect(remote.status == 0, "\(remote.stderr)")
        let builtin = try lkq(["-f", "csv", "-e", query])
        let halved = builtin.stdout.split(separator: "\n").enumerated().map { i, line -> String in
            guard i > 0, let comma = line.lastIndex(of: ","), let x = Int64(line[line.index(after: comma)...]) else { return String(line) }
            return line[..<comma] + "," + String(x / 2)
        }.joined(separator: "\n") + "\n"
        #expect(remote.stdout != builtin.stdout)
        #expect(remote.stdout == halved, "\(remote.stdout)")
    }

    /// Cancelling a long query stops it on the server: a join of about 1.5 billion rows ends
    /// with a `cancelled` error a moment after the flag is set, and the connection serves the
    /// next query.
    @Test func cancellingStopsTheQueryOnTheServer() throws {
        let server = try Self.shared.get()
        let database = try PostgresDatabase(connecting: server.url)
        let catalog = try database.catalog()
        let engine = Engine().addingDatabase(database, tables: catalog.map { ($0.name, $0.fields) })
        var session = engine.makeSession()
        let cancellation = Cancellation()
        let slow = "klaim | join (klaim | select desimal, id as b) on desimal | join (klaim | select desimal, id as c) on desimal | join (klaim | select desimal, id as d) on desimal | count"
        DispatchQueue.global().asyncAfter(deadline: .now() + 1) { cancellation.cancel() }
        let started = Date()
        var outcome: Session.Outcome?
        session.execute(slow, cancellation: cancellation) { outcome = $0; return true }
        let elapsed = Date().timeIntervalSince(started)
        guard case .failed(let error) = outcome else { Issue.record("the query was not cancelled"); return }
        #expect(error.kind == .cancelled, "\(error)")
        #expect(elapsed < 10, "cancelling took \(elapsed) s")
        let after = try session.run("capaian | count").last
        #expect(after?.rows == [[.int(9)]])
        // The connection is read-only whatever the SQL says.
        #expect(throws: LKQError.self) {
            _ = try database.rows(of: SQLStatement(text: "CREATE TABLE x (a int)"), types: [], isCancelled: { false })
        }
    }

    @Test func unreachableServerIsAClearError() throws {
        let run = try lkq(["--db", "postgresql://nobody:secret@/nowhere?host=/nonexistent&port=1", "-e", "capaian | count"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("cannot connect to postgresql://nobody:***@/nowhere"), "\(run.stderr)")
        #expect(!run.stderr.contains("secret"))
    }
}

/// A PostgreSQL server that `Tests/SQL/engine.py serve` starts on a private port and socket
/// with the given tables and setup statements; it runs until the test process ends, which
/// closes the helper's standard input.
final class ServedPostgres: @unchecked Sendable {
    let process = Process()
    let stdin = Pipe()
    /// The server's URL (`postgresql://postgres@/postgres?host=...&port=...`).
    let url: String

    /// `tables`: `{"name", "columns": [[name, "int"|"double"|"text"]], "rows"}` as engine.py
    /// reads them; `setup`: SQL run after they are loaded, each string one or more statements.
    init(tables: [[String: Any]], setup: [String]) throws {
        // A name of its own: two suites may start servers at the same time.
        let job = FileManager.default.temporaryDirectory.appendingPathComponent("lkq-db-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: ["tables": tables, "queries": [], "setup": setup]).write(to: job)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SQL/engine.py").path
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "serve", job.path]
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // The first line is the URL, once the tables are in; nothing if the server did not start.
        var line = Data()
        while true {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        url = String(decoding: line, as: UTF8.self)
        // engine.py has read the job by the time it prints the URL.
        try? FileManager.default.removeItem(at: job)
    }
}
