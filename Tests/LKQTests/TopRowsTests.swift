import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

/// `sort k … | limit n` over a file not yet read reads `k` whole and the other columns only for
/// the rows that can be in the first `n` (Interpreter.topRowsFirst). The answer must be the one
/// a read of every column gives, whatever the file holds: ties, nulls, blank lines, quoted
/// fields over several lines, cells that are not numbers.
@Suite struct TopRowsTests {
    /// 60,000 rows (more than the path needs to be worth it) and the line of the row whose
    /// `skor` is `WTP` and whose `nilai` is the largest.
    static func makeFile(_ dir: String) throws -> (path: String, badLine: Int) {
        var rng = SystemRandomNumberGenerator()
        var text = "id,nilai,teks,skor,kode\n"
        var line = 1, badLine = 0
        for i in 0..<60_000 {
            if i % 997 == 0 { text += "\n"; line += 1 }
            line += 1
            // Few distinct values, so the first key ties across many rows; some blanks (null).
            let nilai = i % 501 == 0 ? "" : String(Int.random(in: 0...2_000, using: &rng))
            var teks = "baris \(i)"
            if i % 211 == 0 { teks = "\"dua\nbaris, \"\"dikutip\"\" \(i)\"" }
            var skor = String(format: "%.2f", Double.random(in: 0...100, using: &rng))
            if i == 41_234 { skor = "WTP" }
            let row = "\(i),\(i == 41_234 ? "5000" : nilai),\(teks),\(skor),\(String(format: "%02d", i % 37))"
            if i == 41_234 { badLine = line }
            text += row + (i % 3 == 0 ? "\r\n" : "\n")
            line += teks.filter { $0 == "\n" }.count
        }
        let path = dir + "/top.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, badLine)
    }

    static func engine(_ path: String, _ warnings: WarningSink) throws -> Engine {
        try Engine(tables: []).loadingCSV(at: path, as: "t", options: CSVOptions(useCache: false, onWarning: { warnings.add($0) }))
    }

    @Test func sameAnswerAsReadingEveryColumn() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (path, _) = try Self.makeFile(dir)
        let queries = [
            "t | sort nilai desc | limit 10",
            "t | sort nilai desc, teks | limit 25",
            "t | sort nilai | limit 40 | select id, teks, kode",
            "t | sort skor desc, id desc | limit 15",
            "t | sort skor | limit 3",
            "t | sort id desc | limit 1000 | group by kode count() | sort kode",
        ]
        for q in queries {
            let fast = try Self.engine(path, WarningSink())
            let got = try #require(try fast.run(q).last)
            let table = try #require(fast.table(named: "t"))
            // The text column was not read whole: the answer came from the rows' own bytes.
            #expect(!table.store.holds(2), "\(q)")
            let whole = try Self.engine(path, WarningSink())
            _ = try whole.run("t | limit 1")
            let want = try #require(try whole.run(q).last)
            #expect(got.fields.map(\.name) == want.fields.map(\.name), "\(q)")
            #expect(got.fields.map(\.type) == want.fields.map(\.type), "\(q)")
            #expect(got.rows == want.rows, "\(q)")
        }
    }

    @Test func aCellThatIsNotANumberIsSaidAtItsLine() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (path, badLine) = try Self.makeFile(dir)
        let warnings = WarningSink()
        let result = try #require(try Self.engine(path, warnings).run("t | sort nilai desc | limit 1 | select id, skor").last)
        #expect(result[0, 0] == .int(41_234))
        #expect(result[0, 1] == .null)
        let said = warnings.items.filter { $0.message.contains("WTP") }
        #expect(said.count == 1)
        #expect(said.first?.line == badLine)
        #expect(said.first?.column == "41234,5000,baris 41234,".count + 1)
    }

    @Test func tooManyTiesReadTheColumnsWhole() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var text = "k,v\n"
        for i in 0..<50_000 { text += "\(i % 2),v\(i)\n" }  // 25,000 rows tie for the top
        let path = dir + "/ties.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let engine = try Self.engine(path, WarningSink())
        let result = try #require(try engine.run("t | sort k desc | limit 3").last)
        #expect(result.rows == [[.int(1), .text("v1")], [.int(1), .text("v3")], [.int(1), .text("v5")]])
        #expect(try #require(engine.table(named: "t")).store.holds(1))
    }
}
