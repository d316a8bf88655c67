import Foundation
import Testing
@testable import LKQ

/// LKQ's in-memory answers against the SQL it compiles, run on real engines: DuckDB (pip
/// `duckdb`) and a private PostgreSQL server that `Tests/SQL/engine.py` starts and stops.
/// Every built-in table is loaded with its types; each query must give the same rows, with
/// the same types, in the same order where LKQ defines one. Decimals agree to 1e-9 relative:
/// LKQ adds with a compensated sum, the engines add in their own order.
@Suite(.serialized) struct SQLDifferentialTests {
    /// Queries covering every plan form. Each compiles on both targets.
    static let queries: [String] = [
        "capaian",
        "capaian where capaian < 75",
        "capaian where not (capaian > 100) | select no, capaian",
        "capaian where indikator_induk = null",
        "capaian where not (indikator_induk ~ \"bumdes\")",
        "capaian | sort capaian desc | limit 3",
        "capaian | sort capaian, no | select no, capaian * 2 as dua",
        "capaian | select no, realisasi / target * 100 as hitung, realisasi / 0 as nol",
        "capaian | select no, sasaran + 1 as s, -sasaran as m, sasaran * 3 - 2 as t",
        "capaian | extend round(capaian) as r0, round(capaian, 1) as r1, round(sasaran, -1) as r2, abs(-capaian) as a",
        "capaian | extend kategori(capaian) as k | select no, k",
        "capaian | select no, hitung_capaian(realisasi, target) as h, hitung_capaian(realisasi, target, polaritas) as hp, hitung_capaian(realisasi, target, \"negatif\", \"rasio\") as hr",
        "capaian where no in (\"1a\", \"2\", \"9\") | select no",
        "capaian where sasaran not in (1) | select no, sasaran",
        "capaian where capaian between 75 and 100 | select no",
        "capaian where capaian not between 75 and 100 | select no",
        "capaian | select no, case when capaian >= 100 then \"tercapai\" when capaian >= 75 then \"hampir\" else \"belum\" end as status",
        "capaian | select no, case when capaian > 200 then 1 end as besar",
        "capaian | distinct sasaran",
        "capaian | distinct",
        "capaian | group by sasaran count(), avg(capaian), sum(realisasi), min(no), max(indikator)",
        "capaian | group by kategori(capaian) as k count() as n",
        "capaian | group by sasaran count_distinct(polaritas) as p, count_if(capaian > 100) as lebih, sum_if(target, capaian < 100) as t, median(capaian) as med",
        "capaian | avg",
        "capaian | count",
        "anggaran where level = \"program\" | sum pagu",
        "anggaran where level = \"subkegiatan\" | extend rank() over (by induk sort realisasi * 100 / pagu desc) as peringkat | where peringkat <= 2 | select kode, peringkat",
        "anggaran where level = \"subkegiatan\" | extend pagu * 100 / sum(pagu) over () as porsi | select kode, porsi",
        "tren | extend sum(capaian) over (by indikator sort tahun) as kumulatif | select indikator, tahun, kumulatif | sort indikator, tahun",
        "tren | extend capaian - lag(capaian) over (by indikator sort tahun) as naik, lead(capaian, 2) over (by indikator sort tahun) as dua | select indikator, tahun, naik, dua | sort indikator, tahun",
        "tren | extend row_number() over (by sasaran sort indikator, tahun desc) as r, dense_rank() over (sort sasaran) as d, first(capaian) over (by indikator sort tahun) as awal, last(tahun) over (by indikator sort tahun) as akhir | sort indikator, tahun",
        "tren | extend count() over (by indikator) as n, avg(capaian) over (by indikator) as rata, max(capaian) over (by sasaran sort tahun) as puncak | sort indikator, tahun",
        "capaian | select no, length(indikator) as l, trim(\"  x \") as t, substr(indikator, 3, 5) as s, substr(no, 0, 2) as s0, substr(indikator, 10) as s2",
        "capaian | select no, replace(indikator, \"Jumlah\", \"J\") as r, split_part(indikator, \" \", 2) as p, split_part(indikator, \" \", -1) as q, split_part(no, \"x\", 0) as z",
        "capaian where starts_with(indikator, \"Peningkatan\") or ends_with(indikator, \"Desa\") | select no",
        "capaian | select no, concat(no, \"-\", sasaran, \"-\", capaian, \"-\", indikator_induk) as c, text(capaian) as t, text(sasaran) as ts, number(sasaran) as ns",
        "capaian | select no, upper(no) as u, lower(indikator) as l, coalesce(indikator_induk, \"-\") as ii, coalesce(capaian_2018, sasaran) as c",
        "capaian where indikator ~ \"desa\" | select no",
        "capaian where indikator ~ \"%\" | select no",
        "kegiatan | join capaian on polaritas | count",
        "kegiatan | select kode, program, target | join (kegiatan | select kode, realisasi) on kode | sort kode, target, realisasi",
        "desa | left join (desa where jumlah > 200 | select no, jumlah as besar) on no | sort no",
        "let besar = desa where jumlah > 150 | sort jumlah desc\nbesar | limit 3",
        "let t = desa | group by kecamatan / 10 as banyak sum(jumlah) as n\nt | select banyak, n * 2 as dua",
        "param batas = 75\ncapaian where capaian < batas | select no",
        "param nama = \"x\"\ncapaian where no != nama and indikator ~ nama | select no",
        "anggaran | select kode, pagu * pagu as kuadrat",
        "belanja | group by level sum(persen), count(), sum(pagu) as pagu",
        "desa | group by kecamatan, kelurahan count() as n | sort n desc, kecamatan, kelurahan | limit 4",
        "capaian | sort sasaran, no | extend capaian / 10 as x | select no, x",
        "capaian | group by sasaran avg(capaian) as a | where a > 90",
    ]

    struct EngineResult: Decodable {
        var rows: [[[JSONCell]?]]?
        var error: String?
    }

    enum JSONCell: Decodable, Equatable {
        case text(String), number(Double), int(Int64)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int64.self) { self = .int(i) }
            else if let d = try? c.decode(Double.self) { self = .number(d) }
            else { self = .text(try c.decode(String.self)) }
        }
    }

    static func run(dialect: SQLDialect, engineName: String) throws -> (agreed: Int, disagreements: [String]) {
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
        var jobs: [[String: Any]] = []
        var expected: [(query: String, result: Result<QueryResult, LKQError>, statement: SQLStatement)] = []
        let parameters = ["nama": "Desa"]
        // Every statement of every script case and example that compiles: LKQ's outcome
        // beside the SQL's, statement by statement.
        var refused = 0
        for path in SQLSnapshot.cases {
            let text = try String(contentsOf: ScriptCase.root.appendingPathComponent(path), encoding: .utf8)
            var lkq: [Session.Outcome] = []
            var session = engine.makeSession()
            session.execute(text, sourceName: path) { lkq.append($0); return true }
            var sql: [SQLOutcome] = []
            engine.makeSession().compileSQL(text, dialect: dialect, sourceName: path) { sql.append($0); return true }
            #expect(lkq.count == sql.count, "\(path): \(lkq.count) statements run, \(sql.count) compiled")
            for (l, s) in zip(lkq, sql) {
                switch (l, s) {
                case (.result(let r), .statement(let st)):
                    expected.append(("\(path):\(st.line): \(st.lkq)", .success(r), st))
                case (.failed(let e), .statement(let st)):
                    expected.append(("\(path):\(st.line): \(st.lkq)", .failure(e), st))
                case (.result, .failed):
                    refused += 1
                default:
                    break
                }
            }
        }
        // Statements the grammar-based generator makes (the same seeds every run), compared as
        // the script cases are.
        // A few in `make test`; .ci/run sets LKQ_SQL_SEEDS=150.
        let seeds = Int(ProcessInfo.processInfo.environment["LKQ_SQL_SEEDS"] ?? "") ?? 12
        var generated = 0
        for seed in 1...max(seeds, 1) {
            var generator = GrammarGenerator(seed: UInt64(seed))
            let text = generator.script(statements: 10)
            var lkq: [Session.Outcome] = []
            var session = engine.makeSession()
            session.execute(text, sourceName: "seed \(seed)") { lkq.append($0); return true }
            var sql: [SQLOutcome] = []
            engine.makeSession().compileSQL(text, dialect: dialect, sourceName: "seed \(seed)") { sql.append($0); return true }
            guard lkq.count == sql.count else { continue }
            for (l, s) in zip(lkq, sql) {
                switch (l, s) {
                case (.result(let r), .statement(let st)):
                    expected.append(("seed \(seed):\(st.line): \(st.lkq)", .success(r), st)); generated += 1
                case (.failed(let e), .statement(let st)) where e.kind != .syntax:
                    expected.append(("seed \(seed):\(st.line): \(st.lkq)", .failure(e), st)); generated += 1
                case (.result, .failed):
                    refused += 1
                default:
                    break
                }
            }
        }
        print("SQL differential on \(engineName): \(generated) generated statements")
        for (_, _, st) in expected {
            jobs.append(["sql": st.text, "params": st.parameters.map { jsonValue($0.value) }, "names": st.parameters.map(\.name),
                         "preamble": st.preamble])
        }
        print("SQL differential on \(engineName): \(expected.count) statements of script cases, examples and generated scripts; \(refused) that LKQ runs refused by the compiler")
        for query in queries {
            let statement = try #require(try engine.sql(for: query, dialect: dialect, parameters: parameters).last, "\(query)")
            var session = engine.makeSession()
            session.parameters = parameters
            let result: Result<QueryResult, LKQError>
            do { result = .success(try #require(try session.run(query).last)) } catch let e as LKQError { result = .failure(e) }
            expected.append((query, result, statement))
            jobs.append(["sql": statement.text, "params": statement.parameters.map { jsonValue($0.value) },
                         "names": statement.parameters.map(\.name), "preamble": statement.preamble])
        }
        let input = try JSONSerialization.data(withJSONObject: ["tables": tables, "queries": jobs])
        let output = try runHelper(engineName, input: input)
        let results = try JSONDecoder().decode([EngineResult].self, from: output)
        var disagreements: [String] = []
        var agreed = 0
        var ties = 0
        var windowTies = 0
        for (n, (e, got)) in zip(expected, results).enumerated() {
            let problem = compare(e.result, got, ordered: e.statement.isOrdered, strictOrder: n >= expected.count - queries.count)
            if let problem, problem.hasPrefix(tieMark) {
                ties += 1
                print("SQL differential on \(engineName), order of tied rows differs: \(e.query)")
                agreed += 1
            } else if let problem, case .success(let r) = e.result, r.warnings.contains(where: { $0.message.contains("rows tie on the window's sort keys") }) {
                // LKQ warned that a window function's answer depends on the order of tied rows,
                // which a database does not keep (README, "Databases").
                windowTies += 1
                print("SQL differential on \(engineName), a window over tied rows differs, as LKQ warned: \(e.query)\n  \(problem)")
                agreed += 1
            } else if let problem {
                disagreements.append("\(e.query)\n  \(problem)\n  SQL: \(e.statement.text.replacingOccurrences(of: "\n", with: "\n       "))")
            } else {
                agreed += 1
            }
        }
        print("SQL differential on \(engineName): \(expected.count) statements compared, \(agreed) agree (\(ties) of them up to the order of tied rows, \(windowTies) up to a window over tied rows that LKQ warned of), \(disagreements.count) disagree")
        return (agreed, disagreements)
    }

    /// nil when the engine's answer is LKQ's, else what differs.
    /// Marks a difference of order only, in a script case whose sort keys may tie: LKQ keeps
    /// tied rows in table order, which a database does not have.
    static let tieMark = "ties: "

    static func compare(_ lkq: Result<QueryResult, LKQError>, _ got: EngineResult, ordered: Bool, strictOrder: Bool) -> String? {
        switch lkq {
        case .failure(let e):
            return got.error != nil ? nil : "LKQ fails (\(e.message)) but the engine answers"
        case .success(let r):
            guard let rows = got.rows else { return "the engine fails: \(got.error ?? "?")" }
            func key(_ row: [String]) -> String { row.joined(separator: "\u{1F}") }
            let want = r.rows.map { $0.map(describe) }
            var have: [[String]] = []
            for row in rows {
                var cells: [String] = []
                for (i, c) in row.enumerated() {
                    cells.append(describe(c, like: i < r.fields.count ? r.rows.first.map { _ in r.fields[i].type } : nil))
                }
                have.append(cells)
            }
            if want.count != have.count { return "LKQ has \(want.count) rows, the engine \(have.count)" }
            let a = want.sorted { key($0) < key($1) }
            let b = have.sorted { key($0) < key($1) }
            for (x, y) in zip(a, b) where !same(x, y) {
                return "LKQ row \(x) but the engine's \(y)"
            }
            if ordered, let i = want.indices.first(where: { !same(want[$0], have[$0]) }) {
                return (strictOrder ? "" : tieMark) + "same rows in another order from row \(i + 1): LKQ \(want[i]), the engine \(have[i])"
            }
            return nil
        }
    }

    static func describe(_ v: Value) -> String {
        switch v {
        case .null: return "null"
        case .int(let i): return "i:\(i)"
        // -0.0 and 0.0 are one value in LKQ (and one group); the engines may give either.
        case .double(let d): return "d:\(d == 0 ? 0.0 : d)"
        case .text(let s): return "t:\(s)"
        }
    }

    static func describe(_ c: [JSONCell]?, like: ColumnType?) -> String {
        guard let c, c.count == 2, case .text(let tag) = c[0] else { return "null" }
        switch (tag, c[1]) {
        case ("i", .int(let i)): return "i:\(i)"
        case ("d", .number(let d)): return "d:\(d == 0 ? 0.0 : d)"
        case ("d", .int(let i)): return "d:\(Double(i))"
        case ("t", .text(let s)): return "t:\(s)"
        case (_, let v): return "\(tag):\(v)"
        }
    }

    /// Equal, with decimals to 1e-9 relative.
    static func same(_ a: [String], _ b: [String]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            guard x.hasPrefix("d:"), y.hasPrefix("d:"), let p = Double(x.dropFirst(2)), let q = Double(y.dropFirst(2)),
                  abs(p - q) <= 1e-9 * max(1, abs(p)) else { return false }
        }
        return true
    }

    static func jsonValue(_ v: Value) -> Any {
        switch v {
        case .int(let i): return NSNumber(value: i)
        case .double(let d): return NSNumber(value: d)
        case .text(let s): return s
        case .null: return NSNull()
        }
    }

    static func runHelper(_ engine: String, input: Data) throws -> Data {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SQL/engine.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, engine]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        // Write on another thread: the helper may answer before it has read everything.
        let writer = Thread { stdin.fileHandleForWriting.write(input); try? stdin.fileHandleForWriting.close() }
        writer.start()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw HelperFailed(status: process.terminationStatus) }
        return data
    }

    struct HelperFailed: Error { var status: Int32 }

    @Test func duckDBAgreesWithLKQ() throws {
        let (agreed, disagreements) = try Self.run(dialect: .duckdb, engineName: "duckdb")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagree on DuckDB:\n\(disagreements.joined(separator: "\n"))")
        #expect(agreed >= Self.queries.count)
    }

    /// Spark starts slowly (a JVM): this runs when `LKQ_SPARK=1`, as `make test-spark` and
    /// `.ci/run` set it.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LKQ_SPARK"] == "1"))
    func sparkAgreesWithLKQ() throws {
        let (agreed, disagreements) = try Self.run(dialect: .spark, engineName: "spark")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagree on Spark SQL:\n\(disagreements.joined(separator: "\n"))")
        #expect(agreed >= Self.queries.count)
    }

    @Test func postgreSQLAgreesWithLKQ() throws {
        let (agreed, disagreements) = try Self.run(dialect: .postgres, engineName: "postgres")
        #expect(disagreements.isEmpty, "\(disagreements.count) disagree on PostgreSQL:\n\(disagreements.joined(separator: "\n"))")
        #expect(agreed >= Self.queries.count)
    }
}
