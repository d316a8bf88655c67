import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

/// With the cache off, a query that filters row by row and then counts, sums integers or takes
/// extremes (by group or not) reads the file a stretch at a time and holds no column whole
/// (Interpreter.streamed). Its answer and its warnings must be those of a read of every column.
@Suite struct StreamedQueryTests {
    /// About 1.5 MB: blank lines, quoted fields over two lines, CRLF, nulls, and two cells that
    /// are not numbers (made null with a warning).
    static func makeFile(_ dir: String, tail: String = "") throws -> String {
        var rng = SystemRandomNumberGenerator()
        var text = "tahun,pemda,uraian,level,pagu,realisasi,persen\n"
        for i in 0..<20_000 {
            if i % 1_013 == 0 { text += "\n" }
            let pemda = "Kab. \(["Kupang", "Belu", "Alor", "Sikka", "Ende", "Ngada"][i % 6])"
            let uraian = i % 97 == 0 ? "\"Pembangunan\nDesa \(i)\"" : (i % 5 == 0 ? "Pemberdayaan Desa" : "Belanja \(i % 40)")
            let pagu = Int.random(in: 1_000_000...900_000_000, using: &rng)
            let realisasi = i % 301 == 0 ? "" : String(Int.random(in: 0...pagu, using: &rng))
            let persen = i == 7_777 || i == 15_555 ? "WTP" : String(format: "%.2f", Double.random(in: 0...100, using: &rng))
            text += "\(2021 + i % 3),\(pemda),\(uraian),\(1 + i % 5),\(pagu),\(realisasi),\(persen)" + (i % 4 == 0 ? "\r\n" : "\n")
        }
        text += tail
        let path = dir + "/stream.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func engine(_ path: String, segment: Int, _ warnings: WarningSink) throws -> Engine {
        var options = CSVOptions(useCache: false, onWarning: { warnings.add($0) })
        options.streamSegmentBytes = segment
        return try Engine(tables: []).loadingCSV(at: path, as: "t", options: options)
    }

    static let queries = [
        "t | count",
        "t where level = 5 and persen < 50 | count",
        "t where uraian ~ \"desa\" | sum pagu",
        "t | group by pemda sum(pagu) as pagu, sum(realisasi) as realisasi | select pemda, pagu, realisasi, round(realisasi * 100.0 / pagu, 2) as serapan | sort serapan",
        "t | group by tahun, level count(), count(realisasi), min(persen), max(uraian), sum(pagu) - sum(realisasi) as sisa",
        "t where pagu > 100000000 | group by tahun count() as n, count_if(level = 5), sum_if(pagu, level > 2) as besar | select tahun, n * 2 as dua, besar",
        "t | select pemda, pagu - coalesce(realisasi, 0) as sisa | group by pemda min(sisa), max(sisa)",
        "t where persen > 99.5 | group by uraian count() | sort uraian",
    ]

    @Test func sameAnswersAndWarningsAsReadingEveryColumn() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Self.makeFile(dir)
        for q in Self.queries + Self.rowByRow {
            let streamed = try Self.expectSameAsWholeRead(path, q)
            // No column was held whole: the query was answered a stretch at a time.
            let table = try #require(streamed.table(named: "t"))
            #expect(table.fields.indices.allSatisfy { !table.store.holds($0) }, "\(q)")
            // The file is read once at most (a bare count reads no column), even by a self-join,
            // whose two sides run on the same stretches.
            #expect(table.store.streamsStarted <= 1, "\(q)")
        }
    }

    /// Plans that start by filtering and computing row by row, with no aggregate after: each
    /// stretch's rows are kept and put together (Interpreter.collected), text translated into
    /// one dictionary, nulls kept where they are; each side of a self-join so.
    static let rowByRow = [
        "t | select pemda, pagu - coalesce(realisasi, 0) as sisa, round(persen, 1) as p",
        "t where level = 5 | select uraian, pagu",
        "t where uraian ~ \"desa\" | extend pagu * 2 as dua | sort dua desc, pagu | limit 7",
        "t where persen < 10 or persen is null | select tahun, pemda, realisasi, persen",
        "t | select upper(uraian) as u, level | distinct | sort u, level",
        "t where tahun = 2022 | select pemda, uraian, pagu | join (t where tahun = 2021 | select pemda, uraian, pagu as lalu) on pemda, uraian | sort pagu desc, lalu | limit 20",
    ]

    /// Runs `q` a stretch at a time and over whole columns, expects the same fields, rows and
    /// warnings, and returns the engine that streamed.
    @discardableResult
    static func expectSameAsWholeRead(_ path: String, _ q: String) throws -> Engine {
        let streamedWarnings = WarningSink(), wholeWarnings = WarningSink()
        let streamed = try engine(path, segment: 64 << 10, streamedWarnings)
        let got = try #require(try streamed.run(q).last)
        let want = try #require(try engine(path, segment: 1 << 40, wholeWarnings).run(q).last)
        #expect(got.fields.map(\.name) == want.fields.map(\.name), "\(q)")
        #expect(got.fields.map(\.type) == want.fields.map(\.type), "\(q)")
        #expect(got.rows == want.rows, "\(q)")
        #expect(streamedWarnings.said == wholeWarnings.said, "\(q)")
        return streamed
    }

    @Test func warningsSayEachCellAtItsLine() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Self.makeFile(dir)
        let warnings = WarningSink()
        let result = try #require(try Self.engine(path, segment: 64 << 10, warnings).run("t where persen >= 0 | count").last)
        #expect(result[0, 0] == .int(19_998))
        let said = warnings.items.filter { $0.message.contains("WTP") }
        #expect(said.count == 2)
        // Each cell's line, counted in the file's bytes (a String takes CRLF as one character).
        let lines = try Data(contentsOf: URL(fileURLWithPath: path)).split(separator: 10, omittingEmptySubsequences: false)
        for w in said {
            let line = try #require(w.line)
            try #require(line >= 1 && line <= lines.count)
            #expect(String(decoding: lines[line - 1], as: UTF8.self).contains(",WTP"), "\(line)")
        }
    }

    /// A column whose head says integer but which holds a decimal at its end, or which is mostly
    /// not numbers after its head: the stream gives way to a read of every row, which decides
    /// the column once, and the answer is that read's.
    @Test(arguments: ["2021,Kab. Kupang,x,2.5,1,1,1\n", String(repeating: "2021,Kab. Kupang,x,1,1,1,WTP\n", count: 4_000)])
    func aColumnThatIsNotWhatItsHeadSaidIsReadWhole(_ tail: String) throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Self.makeFile(dir, tail: tail)
        // In the self-join only the joined side reads `level`, but the two sides share one read,
        // which gives way for both: each side is then read whole, with the same answer.
        for q in ["t | group by tahun sum(level), max(persen)", "t where level > 3 | count",
                  "t where tahun = 2022 | select pemda, uraian, pagu | join (t where tahun = 2021 | select pemda, uraian, level) on pemda, uraian | sort pagu desc, level | limit 20"] {
            try Self.expectSameAsWholeRead(path, q)
        }
    }

    /// Sums of decimals, averages, a text `=`, and a group by with a group for nearly every row
    /// are answered from whole columns.
    @Test func whatCannotStreamIsReadWhole() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try Self.makeFile(dir)
        for q in ["t | sum persen", "t | group by pemda avg(pagu)", "t where pemda = \"kab. kupang\" | count",
                  "t | group by pagu count() | count"] {
            let engine = try Self.engine(path, segment: 64 << 10, WarningSink())
            _ = try engine.run(q)
            let table = try #require(engine.table(named: "t"))
            #expect(table.fields.indices.contains { table.store.holds($0) }, "\(q)")
        }
    }
}
