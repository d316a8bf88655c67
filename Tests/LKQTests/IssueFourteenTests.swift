import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

/// Regression tests for issue 14 outside the cache: wrong answers in aggregates, inputs that
/// cost quadratic time or unbounded memory. The slow ones (large inputs) run when
/// `LKQ_SLOW_TESTS=1` is set, as `.ci/run` does.
@Suite struct IssueFourteenTests {
    static let slow = ProcessInfo.processInfo.environment["LKQ_SLOW_TESTS"] == "1"

    func run(_ query: String, _ columns: [(String, Table.Values)]) throws -> QueryResult {
        let engine = Engine(tables: [try Table(name: "t", columns: columns)])
        return try #require(try engine.run(query).last)
    }

    // MARK: Aggregates

    /// A null key and the key Int64.min are two groups, not one (the dense key table marked
    /// nulls with Int64.min).
    @Test func groupByKeepsNullApartFromInt64Min() throws {
        let r = try run("t | group by k count()", [("k", .int([Int64.min, nil, Int64.max, nil, Int64.min]))])
        #expect(r.rowCount == 3)
        var counts: [String: Value] = [:]
        for i in 0..<r.rowCount { counts[r[i, "k"]!.description] = r[i, "count"] }
        #expect(counts[Value.int(Int64.min).description] == .int(2))
        #expect(counts[Value.null.description] == .int(2))
        #expect(counts[Value.int(Int64.max).description] == .int(1))
    }

    /// `min` and `max` over no rows have their argument's type: comparing with text is no rows,
    /// not a type error.
    @Test func minAndMaxOfNoRowsKeepTheirType() throws {
        let columns: [(String, Table.Values)] = [("n", .int([1, 2])), ("s", .text(["a", "b"])), ("d", .double([1.5, 2]))]
        let text = try run("t where n > 5 | max(s) | where max_s = \"x\"", columns)
        #expect(text.rowCount == 0)
        let empty = try run("t where n > 5 | max(s)", columns)
        #expect(empty.fields.first?.type == .text)
        #expect(try run("t where n > 5 | min(d)", columns).fields.first?.type == .double)
        #expect(try run("t where n > 5 | group by n min(s)", columns).fields.last?.type == .text)
    }

    /// The mean of integers is exact before its one rounding: Int64.max and Int64.min average
    /// to -0.5, and 2^53 + 1 is not rounded away.
    @Test func averageOfHugeIntegers() throws {
        #expect(try run("t | avg x", [("x", .int([Int64.max, Int64.min]))])[0, 0] == .double(-0.5))
        let big: Int64 = 1 << 53
        #expect(try run("t | avg x", [("x", .int([big + 1, big + 1, big + 1]))])[0, 0] == .double(Double(big + 1)))
        #expect(try run("t | avg x", [("x", .int([1, 2]))])[0, 0] == .double(1.5))
        #expect(try run("t | avg x", [("x", .int([-7, 0]))])[0, 0] == .double(-3.5))
    }

    /// A mean that fits is given even when the sum of the values does not.
    @Test func averageOfHugeDecimals() throws {
        #expect(try run("t | avg x", [("x", .double([1e308, 1e308]))])[0, 0] == .double(1e308))
        #expect(try run("t | group by g avg(x)", [("g", .int([1, 1, 2])), ("x", .double([1e308, 1.5e308, 3]))])[0, "avg_x"]
                == .double(1.25e308))
        // A sum that does not fit is still an error.
        #expect(throws: LKQError.self) { try run("t | sum x", [("x", .double([1e308, 1e308]))]) }
    }

    /// `0/0` is a null decimal and `lower(null)` a null text, not untyped nulls read as integers.
    @Test func nullResultsHaveTheirOperationsType() throws {
        let r = try run("t | select 0/0 as q, lower(null) as l, 1.5/0 as h", [("n", .int([1]))])
        #expect(r.fields.map(\.type) == [.double, .text, .double])
        #expect(try run("t | select lower(null) as l | where l = \"x\"", [("n", .int([1]))]).rowCount == 0)
    }

    // MARK: Text equality

    static let composed = "caf\u{E9}", decomposed = "cafe\u{301}"

    /// Text equal under Unicode is equal everywhere: `é` as one code point and as `e` plus a
    /// combining accent form one group, match in `=` and in a join, whichever spelling each CSV
    /// file, host table and literal uses.
    @Test func oneRuleForTextEquality() throws {
        let dir = makeTempDir()
        let l = writeFile(dir, "l.csv", "id,s\n1,\(Self.composed)\n2,\(Self.decomposed)\n")
        let r = writeFile(dir, "r.csv", "s,v\n\(Self.decomposed),10\n")
        let engine = try Engine(tables: []).loadingCSV(at: l).loadingCSV(at: r)
        let groups = try #require(try engine.run("l | group by s count()").last)
        #expect(groups.rowCount == 1)
        #expect(groups[0, "count"] == .int(2))
        #expect(try engine.run("l | join r on s | count").last?[0, 0] == .int(2))
        for literal in [Self.composed, Self.decomposed] {
            #expect(try engine.run("l where s = \"\(literal)\" | count").last?[0, 0] == .int(2))
        }
        // Values keep one spelling: NFC.
        #expect(try engine.run("l | group by s count()").last?[0, "s"] == .text(Self.composed))
        let host = try Table(name: "h", columns: [("s", .text([Self.decomposed, Self.composed, nil]))])
        let hosted = try #require(try Engine(tables: [host]).run("h | group by s count()").last)
        #expect(hosted.rowCount == 2)
        #expect(try Engine(tables: [host]).run("h where s = \"\(Self.composed)\" | count").last?[0, 0] == .int(2))
    }

    // MARK: Sizes

    /// A header row with no end is an error at 1:1 once it passes the limit, not a read of the
    /// whole file (which took minutes and gigabytes for 1 GB).
    @Test func endlessHeaderIsAnError() throws {
        let dir = makeTempDir()
        let size = Self.slow ? 1 << 30 : CSVReader.maxHeaderBytes + (1 << 20)
        let path = dir + "/h.csv"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        let block = Data(repeating: UInt8(ascii: "a"), count: 1 << 20)
        for _ in 0..<(size >> 20) { handle.write(block) }
        handle.write(Data("\n1\n".utf8))
        try handle.close()
        let error = try #require(diagnostic { _ = try CSVSource(path: path, options: CSVOptions()) })
        #expect(error.message.contains("header row is longer than 4 MB"))
        if case .file(_, let line, let column) = error.location { #expect(line == 1 && column == 1) } else {
            Issue.record("not located: \(error)")
        }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// A header of 16,000 long names is read in one pass: each name's column was counted from
    /// the start of the row (16,000 × 3 MB).
    @Test func wideHeaderIsReadInLinearTime() throws {
        let names = (0..<16_000).map { "kolom_\($0)_" + String(repeating: "x", count: 180) }
        let dir = makeTempDir()
        let path = writeFile(dir, "w.csv", names.joined(separator: ",") + "\n" + names.map { _ in "1" }.joined(separator: ",") + "\n")
        let start = Date()
        let source = try CSVSource(path: path, options: CSVOptions())
        #expect(source.schema.names.count == 16_000)
        #expect(Date().timeIntervalSince(start) < 30)
    }

    /// A row with no end is an error at its line, not a read of the rest of the file.
    @Test(.enabled(if: slow)) func endlessRowIsAnError() throws {
        let dir = makeTempDir()
        let path = dir + "/r.csv"
        #expect(FileManager.default.createFile(atPath: path, contents: Data("a,b\n1,2\n3,".utf8)))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<300 { handle.write(block) }
        try handle.close()
        let error = try #require(diagnostic { _ = try CSVSource(path: path, options: CSVOptions()).load([0, 1]) })
        #expect(error.message.contains("a row is longer than 256 MB"))
        if case .file(_, let line, _) = error.location { #expect(line == 3) } else { Issue.record("not located: \(error)") }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Seconds `body` takes.
    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    /// N `let`s cost O(N): each bound name was a copy of all the names before it. Four times
    /// the lets must cost well under the sixteen times a quadratic cost would.
    @Test(.enabled(if: slow)) func manyLetsCostLinearTime() throws {
        func script(_ n: Int) -> String {
            (0..<n).map { "let x\($0) = capaian where sasaran = 1" }.joined(separator: "\n") + "\nx\(n - 1) | count\n"
        }
        let engine = Engine()
        let small = try seconds { _ = try engine.run(script(5_000)) }
        let large = try seconds {
            let results = try engine.run(script(20_000))
            #expect(results.last?[0, 0] == .int(6))
        }
        #expect(large < max(small, 0.05) * 8, "5,000 lets: \(small) s; 20,000: \(large) s")
    }

    /// A folder of N files costs O(N): each file made a copy of every table loaded before
    /// (10,000 files: 10 to 14 s).
    @Test(.enabled(if: slow)) func folderOfManyFilesCostsLinearTime() throws {
        func folder(_ n: Int) -> String {
            let dir = makeTempDir()
            for i in 0..<n { _ = writeFile(dir, "t\(i).csv", "a,b\n1,2\n") }
            return dir
        }
        let small = folder(1_000), large = folder(4_000)
        defer { for d in [small, large] { try? FileManager.default.removeItem(atPath: d) } }
        let a = try seconds { _ = try Engine(tables: []).loadingDirectory(small) }
        let b = try seconds {
            let engine = try Engine(tables: []).loadingDirectory(large)
            #expect(engine.tables.count == 4_000)
        }
        #expect(b < max(a, 0.05) * 8, "1,000 files: \(a) s; 4,000: \(b) s")
    }
}
