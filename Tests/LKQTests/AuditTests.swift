import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

/// `audit [all]`: each claim of table `klaim` recomputed by its own query.
@Suite struct AuditTests {
    func rows(_ engine: Engine, _ text: String) throws -> [[String: Value]] {
        let result = try #require(try engine.run(text).last)
        return (0..<result.rowCount).map { r in
            Dictionary(uniqueKeysWithValues: result.fields.enumerated().map { ($1.name, result[r, $0]) })
        }
    }

    @Test func builtinReportDisagreementsAreListedAndAgreementsAreNot() throws {
        let engine = Engine()
        let differing = try rows(engine, "audit")
        let all = try rows(engine, "audit all")
        let claims = try engine.run("klaim | count")[0][0, 0]
        #expect(.int(Int64(all.count)) == claims)
        #expect(!differing.isEmpty)
        #expect(differing.allSatisfy { $0["status"] == .text("berbeda") })
        #expect(all.allSatisfy { $0["status"] != .text("galat") }, "every built-in claim query runs")
        // `audit` is exactly the rows of `audit all` that are not `sesuai`.
        let ids = Set(differing.compactMap { $0["id"] })
        #expect(ids == Set(all.filter { $0["status"] != .text("sesuai") }.compactMap { $0["id"] }))
        // Each listed difference exceeds rounding; each agreement is within it.
        let desimal = try engine.run("klaim | select id, desimal")[0]
        var places: [Value: Int64] = [:]
        for r in 0..<desimal.rowCount { if case .int(let d) = desimal[r, 1] { places[desimal[r, 0]] = d } }
        for row in all {
            guard case .double(let stated) = row["dinyatakan"], case .double(let computed) = row["dihitung"],
                  let id = row["id"], let p = places[id] else { Issue.record("incomplete row \(row)"); continue }
            let tolerance = 0.5 * pow(10, -Double(p)) + 1e-9
            #expect((abs(stated - computed) > tolerance) == (row["status"] == .text("berbeda")), "\(id)")
        }
    }

    @Test func claimsOfAHostAreCheckedTheSameWay() throws {
        let t = try Table(name: "t", columns: [("target", .int([100, 200])), ("realisasi", .double([98.4, 150]))])
        let klaim = try Table(name: "klaim", columns: [
            ("id", .text(["A", "B", "C", "D", "E", "F"])),
            ("klaim", .text(["sum", "rounded", "off by rounding", "bad query", "nested audit", "no value"])),
            ("sumber", .text(["Tabel 1", "Tabel 1", "Tabel 2", "Bab II", "Bab III", "Bab IV"])),
            ("nilai", .double([248, 98.404, 98.41, 1, 1, nil])),
            ("desimal", .int([0, 2, 2, 0, 0, 0])),
            ("query", .text(["t | sum realisasi", "t | limit 1 | select realisasi * 100 / target",
                             "t | limit 1 | select realisasi * 100 / target", "t | sum realisasii", "audit | count",
                             "t | count"])),
        ])
        let engine = Engine(tables: [t, klaim])
        let all = try rows(engine, "audit all")
        let status = Dictionary(uniqueKeysWithValues: all.map { ($0["id"]!, $0["status"]!) })
        #expect(status == [.text("A"): .text("sesuai"), .text("B"): .text("sesuai"), .text("C"): .text("berbeda"),
                           .text("D"): .text("galat"), .text("E"): .text("galat"), .text("F"): .text("galat")])
        let bad = try #require(all.first { $0["id"] == .text("D") })
        // The note locates the error inside the claim's own query.
        guard case .text(let note) = bad["catatan"] else { Issue.record("no note"); return }
        #expect(note.hasPrefix("klaim D:1:9:"))
        let c = try #require(all.first { $0["id"] == .text("C") })
        #expect(c["selisih"] == .double(-0.01))
        #expect(try rows(engine, "audit").map { $0["id"] } == [.text("C"), .text("D"), .text("E"), .text("F")])
        // audit is a source like a table: stages apply.
        #expect(try engine.run("audit all | where status = 'sesuai' | count")[0][0, 0] == .int(2))
        #expect(try engine.run("let a = audit; a | count")[0][0, 0] == .int(4))
    }

    @Test func auditNeedsAClaimsTable() throws {
        let engine = Engine(tables: [try Table(name: "t", columns: [("x", .int([1]))])])
        do {
            _ = try engine.run("t | count\naudit")
            Issue.record("audit ran without klaim")
        } catch {
            #expect(error.kind == .name)
            #expect(error.line == 2 && error.column == 1)
        }
        // A table named audit stays reachable with from.
        let named = Engine(tables: [try Table(name: "audit", columns: [("x", .int([1, 2]))])])
        #expect(try named.run("from audit | count")[0][0, 0] == .int(2))
    }

    @Test func jsonGivesTheSameRows() throws {
        let result = try Engine().run("audit")[0]
        let json = ResultFormatter(format: .json).render(result)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(decoded?.count == result.rowCount)
        #expect(decoded?.first?["id"] as? String == result[0, "id"]?.description)
    }
}
