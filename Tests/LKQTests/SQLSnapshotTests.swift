import Foundation
import Testing
@testable import LKQ

/// The SQL of every statement of every script case and example, per dialect, as files under
/// `Tests/LKQTests/SQLSnapshots/DIALECT/`: a change in the emitted SQL shows in review. Run with
/// `LKQ_UPDATE_SNAPSHOTS=1` to write them again after a deliberate change.
enum SQLSnapshot {
    static let folder = ScriptCase.root.appendingPathComponent("Tests/LKQTests/SQLSnapshots")

    static var cases: [String] { ScriptCase.files(in: "Tests/LKQTests/Cases") + ScriptCase.files(in: "Examples") }

    /// Each statement's SQL, or why it does not compile, after a comment with its LKQ text.
    static func render(_ path: String, _ dialect: SQLDialect) throws -> String {
        let text = try String(contentsOf: ScriptCase.root.appendingPathComponent(path), encoding: .utf8)
        var out = "-- SQL for \(dialect.title) of \(path), written by lkq --sql --dialect \(dialect.name).\n"
        Engine().makeSession().compileSQL(text, dialect: dialect, sourceName: path) { outcome in
            switch outcome {
            case .statement(let s):
                out += "\n-- \(s.line): \(s.lkq.replacingOccurrences(of: "\n", with: "\n--     "))\n"
                for p in s.parameters { out += "-- parameter \(p.name) = \(p.value)\n" }
                for line in s.preamble { out += line + ";\n" }
                out += s.text + ";\n"
            case .bound: break
            case .failed(let e):
                out += "\n-- \(e.line ?? 0): error: \(e.message)\n"
            }
            return true
        }
        return out
    }

    static var arguments: [(String, String)] {
        cases.flatMap { c in SQLDialect.all.map { (c, $0.name) } }
    }
}

@Test("SQL snapshot", arguments: SQLSnapshot.arguments)
func sqlSnapshot(_ path: String, _ dialectName: String) throws {
    let dialect = try #require(SQLDialect(name: dialectName))
    let actual = try SQLSnapshot.render(path, dialect)
    let file = SQLSnapshot.folder.appendingPathComponent(dialect.name)
        .appendingPathComponent(URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent + ".sql")
    if ProcessInfo.processInfo.environment["LKQ_UPDATE_SNAPSHOTS"] == "1" {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try actual.write(to: file, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOf: file, encoding: .utf8)
    #expect(actual == expected, "the SQL of \(path) for \(dialect.title) changed; diff \(file.path) against lkq --sql --dialect \(dialect.name), and run with LKQ_UPDATE_SNAPSHOTS=1 if the change is meant")
}

/// What the compiler refuses says so at its place, and says why.
@Test func sqlRefusalsAreLocated() throws {
    let cases: [(String, String, Int)] = [
        ("capaian | limit 3", "limit on rows in no order", 11),
        ("tren | bar", "charts (bar, spark)", 8),
        ("audit", "audit", 1),
        ("tren | extend first(capaian) over (by indikator) as a", "first without sort", 15),
        ("tren | extend count_distinct(tahun) over () as a", "count_distinct with over", 15),
        ("capaian | select number(no) as n", "number() of text", 18),
    ]
    for (query, what, column) in cases {
        do {
            _ = try Engine().sql(for: query, dialect: .postgres)
            Issue.record("\(query) compiled")
        } catch {
            #expect(error.kind == .unsupported)
            #expect(error.message.hasPrefix(what), "\(error.message)")
            #expect(error.column == column, "\(query): \(error.rendered())")
        }
    }
    // PostgreSQL has no median over a window; DuckDB does.
    #expect(throws: LKQError.self) { try Engine().sql(for: "tren | extend median(capaian) over () as m", dialect: .postgres) }
    #expect(try Engine().sql(for: "tren | extend median(capaian) over () as m", dialect: .duckdb).count == 1)
}

/// Parameters are bound, never text in the SQL, whatever they hold.
@Test func sqlParametersAreBound() throws {
    let script = "param nama = \"x\"\nparam batas = 75\ncapaian where indikator ~ nama and capaian < batas and no != nama | select no"
    let evil = "'; DROP TABLE capaian; --"
    let statements = try Engine().sql(for: script, dialect: .postgres, parameters: ["nama": evil])
    let s = try #require(statements.first)
    #expect(!s.text.contains("DROP"))
    #expect(s.parameters == [SQLParameter(name: "nama", value: .text(evil)), SQLParameter(name: "batas", value: .int(75))])
    #expect(s.text.contains("$1") && s.text.contains("$2") && !s.text.contains("$3"))
    let spark = try #require(try Engine().sql(for: script, dialect: .spark).first)
    #expect(spark.text.contains(":nama") && spark.text.contains(":batas"))
}

/// Quotes are escaped by Unicode scalar: a quote followed by a combining mark is one Character,
/// and escaping by Character would leave the literal or the name open.
@Test func sqlQuotesSurviveCombiningMarks() throws {
    let query = "capaian | select \"a'\u{301}b\\\\c\" as `x\"\u{301}y` | select `x\"\u{301}y`"
    let pg = try #require(try Engine().sql(for: query, dialect: .postgres).first)
    #expect(pg.text.contains("'a''\u{301}b\\c'"), "\(pg.text)")
    #expect(pg.text.contains("\"x\"\"\u{301}y\""), "\(pg.text)")
    let spark = try #require(try Engine().sql(for: query, dialect: .spark).first)
    #expect(spark.text.contains("'a\\'\u{301}b\\\\c'"), "\(spark.text)")
}
