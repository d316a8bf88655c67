import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

private func engine() throws -> Engine {
    let t = try Table(name: "t", columns: [
        ("k", .text(["a", "b", "a", nil, "c", "b"])),
        ("n", .int([5, 3, nil, 1, 9_000_000_000_000_000_000, 2])),
        ("x", .double([1.5, nil, 2.5, 0, 10, -1])),
    ], measure: "x")
    return Engine(tables: [t])
}

private func rows(_ q: String) throws -> [[Value]] {
    try #require(try engine().run(q).last).rows
}

private func error(_ q: String) -> LKQError? {
    do { _ = try engine().run(q, sourceName: "q"); return nil } catch let e as LKQError { return e } catch { return nil }
}

@Suite struct EvaluatorTests {
    @Test func comparisonsWithNullAreFalse() throws {
        #expect(try rows("t where x < 100 | count") == [[.int(5)]])
        #expect(try rows("t where not (x < 100) | count") == [[.int(1)]])
        #expect(try rows("t where x = null | count") == [[.int(0)]])
        #expect(try rows("t where x is null | count") == [[.int(1)]])
        #expect(try rows("t where k is not null and n is not null | count") == [[.int(4)]])
    }

    @Test func bareComparisonUsesMeasure() throws {
        #expect(try rows("t where > 2 | select k") == [[.text("a")], [.text("c")]])
    }

    @Test func aggregatesSkipNulls() throws {
        #expect(try rows("t | count x") == [[.int(5)]])
        #expect(try rows("t | avg") == [[.double(2.6)]])
        #expect(try rows("t where x is null | sum x") == [[.null]])
        #expect(try rows("t | min k") == [[.text("a")]])
        #expect(try rows("t | max x") == [[.double(10)]])
    }

    @Test func integersStayExactAndOverflowIsAnError() throws {
        #expect(try rows("t where k = 'c' | select n + 1") == [[.int(9_000_000_000_000_000_001)]])
        let e = try #require(error("t | select n * 2"))
        #expect(e.kind == .type)
        #expect(e.column == 12)
        #expect(error("t | sum n") == nil)
        #expect(error("t | select n * 1000 | sum n * 1000") != nil)
    }

    @Test func divisionByZeroIsNull() throws {
        #expect(try rows("t where k = 'a' | select n / x, n / 0") == [[.double(5 / 1.5), .null], [.null, .null]])
    }

    @Test func groupByKeysSortedNullsLast() throws {
        #expect(try rows("t | group by k count(), sum(n) as total") == [
            [.text("a"), .int(2), .int(5)], [.text("b"), .int(2), .int(5)],
            [.text("c"), .int(1), .int(9_000_000_000_000_000_000)], [.null, .int(1), .int(1)],
        ])
    }

    @Test func groupItemsMayComputeOverAggregates() throws {
        #expect(try rows("t where k is not null | group by k round(sum(x) * 100 / count(), 1) as r") == [
            [.text("a"), .double(200)], [.text("b"), .double(-50)], [.text("c"), .double(1000)],
        ])
    }

    @Test func columnOutsideGroupIsAnError() throws {
        let e = try #require(error("t | group by k count(), n"))
        #expect(e.kind == .syntax)
        #expect(e.column == 25)
        let f = try #require(error("t | group by k count() + n"))
        #expect(f.kind == .type)
        #expect(f.column == 26)
    }

    @Test func sortIsStableWithNullsLast() throws {
        #expect(try rows("t | sort k desc | select n") == [[.int(9_000_000_000_000_000_000)], [.int(3)], [.int(2)], [.int(5)], [.null], [.int(1)]])
        #expect(try rows("t | sort x | limit 2 | select x") == [[.double(-1)], [.double(0)]])
    }

    @Test func topNMatchesFullSort() throws {
        var values: [Double?] = []
        var g = SystemRandomNumberGenerator()
        for _ in 0..<5_000 { values.append(Bool.random(using: &g) && Int.random(in: 0..<10, using: &g) == 0 ? nil : Double(Int.random(in: 0..<300, using: &g))) }
        let t = try Table(name: "r", columns: [("v", .double(values)), ("i", .int((0..<5_000).map { Int64($0) }))])
        let e = Engine(tables: [t])
        for dir in ["asc", "desc"] {
            let full = try e.run("r | sort v \(dir), i").last!.rows
            let top = try e.run("r | sort v \(dir), i | limit 37").last!.rows
            #expect(Array(full.prefix(37)) == top)
        }
    }

    @Test func textFunctionsAndContains() throws {
        #expect(try rows("t where upper(k) = 'B' | count") == [[.int(2)]])
        #expect(try rows("t where k ~ 'A' | count") == [[.int(2)]])
        #expect(try rows("t | select coalesce(n, 0) as n | sum n") == [[.int(9_000_000_000_000_000_011)]])
        #expect(try rows("t | select lower(k) as k | group by k count()").count == 4)
    }

    @Test func namesAndKeywordsAreCaseInsensitive() throws {
        #expect(try rows("T WHERE K = 'a' | COUNT") == [[.int(2)]])
    }

    @Test func letCarriesAcrossStatements() throws {
        var s = try engine().makeSession()
        _ = try s.run("let big = t where x > 1")
        #expect(try s.run("big | count").last!.rows == [[.int(3)]])
        #expect(try s.run("big | avg").last!.rows == [[.double(14.0 / 3)]])
    }

    @Test func typeErrorsAreLocated() throws {
        let e = try #require(error("t where k > 5"))
        #expect(e.kind == .type)
        #expect(e.sourceName == "q")
        #expect((e.line, e.column) == (1, 9))
        #expect(error("t | select k + 1")?.kind == .type)
        #expect(error("t | select x < 1")?.kind == .syntax)
        #expect(error("t | select (x < 1)")?.kind == .type)
        #expect(error("t where x")?.kind == .type)
        #expect(error("t | select sum(x)")?.kind == .type)
    }

    @Test func unknownNamesSuggest() throws {
        #expect(error("tt | count")?.message.contains("did you mean 't'") == true)
        #expect(error("t | select rund(x)")?.message.contains("'round'") == true)
        let e = try #require(error("t where kk = 1"))
        #expect(e.kind == .name)
        #expect(e.range == 8..<10)
    }

    @Test func cannotShadowATable() {
        #expect(error("let t = t | count")?.kind == .name)
    }

    @Test func cancellationStopsAQuery() {
        let c = Cancellation()
        c.cancel()
        var s = try! engine().makeSession()
        var kinds: [LKQError.Kind] = []
        s.execute("t | count", cancellation: c) { o in
            if case .failed(let e) = o { kinds.append(e.kind) }
            return true
        }
        #expect(kinds == [.cancelled])
    }

    @Test func resultEncodesAsJSONRows() throws {
        let r = try engine().run("t where k = 'a' | select k, n").last!
        let data = try JSONEncoder().encode(r)
        let decoded = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(decoded.count == 2)
        #expect(decoded[0]["k"] as? String == "a")
        #expect(decoded[0]["n"] as? Int == 5)
        #expect(decoded[1]["n"] is NSNull)
    }

    /// Large enough to take the multi-core paths; checked against plain Swift loops.
    @Test func parallelPathsAgreeWithPlainLoops() throws {
        let n = 3 * Parallel.threshold + 7
        var state: UInt64 = 42
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        let keys = (0..<n).map { _ in "pemda \(next() % 97)" }
        let pagu = (0..<n).map { _ -> Int64? in next() % 50 == 0 ? nil : Int64(next() % 10_000_000_000) }
        let persen = (0..<n).map { _ in Double(next() % 10_000) / 100 }
        let t = try Table(name: "big", columns: [("pemda", .text(keys)), ("pagu", .int(pagu)), ("persen", .double(persen))],
                          measure: "persen")
        let e = Engine(tables: [t])
        #expect(try e.run("big where < 42.5 | count").last!.rows == [[.int(Int64(persen.filter { $0 < 42.5 }.count))]])
        #expect(try e.run("big | sum pagu").last!.rows == [[.int(pagu.compactMap { $0 }.reduce(0, +))]])
        var expected: [String: Int64] = [:]
        for (k, p) in zip(keys, pagu) { if let p { expected[k, default: 0] += p } }
        let groups = try e.run("big | group by pemda sum(pagu) as total").last!
        #expect(groups.rowCount == expected.count)
        for r in 0..<groups.rowCount {
            guard case .text(let k) = groups[r, 0] else { Issue.record("key is not text"); continue }
            #expect(groups[r, 1] == .int(expected[k]!))
        }
        let hits = try e.run("big where pemda = 'pemda 7' and pagu > 5000000000 | count").last!.rows
        let plain = zip(keys, pagu).filter { $0 == "pemda 7" && ($1 ?? 0) > 5_000_000_000 }.count
        #expect(hits == [[.int(Int64(plain))]])
    }

    /// Full sorts on several keys, both directions, with nulls, negative numbers and -0.0,
    /// against a plain Swift sort of the same values.
    @Test func fullSortMatchesAPlainSort() throws {
        var state: UInt64 = 7
        func next(_ n: Int) -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int((state >> 33) % UInt64(n)) }
        let n = 3_000
        let d: [Double?] = (0..<n).map { _ in next(10) == 0 ? nil : [-0.0, 0.0, -2.5, 1e300, -1e-300, 3.25, 7][next(7)] }
        let i: [Int64?] = (0..<n).map { _ in next(12) == 0 ? nil : [Int64.min, -3, 0, 5, Int64.max][next(5)] }
        let t: [String?] = (0..<n).map { _ in next(9) == 0 ? nil : ["b", "a", "B", "desa", "Desa", ""][next(6)] }
        let table = try Table(name: "s", columns: [("d", .double(d)), ("i", .int(i)), ("t", .text(t)), ("p", .int((0..<n).map { Int64($0) }))])
        let e = Engine(tables: [table])
        func cmp<T: Comparable>(_ a: T?, _ b: T?, _ desc: Bool) -> Int {
            switch (a, b) {
            case (nil, nil): return 0
            case (nil, _): return 1
            case (_, nil): return -1
            case let (x?, y?): return x < y ? (desc ? 1 : -1) : (y < x ? (desc ? -1 : 1) : 0)
            }
        }
        for (query, rule) in [
            ("s | sort d | select p", { (a: Int, b: Int) in cmp(d[a], d[b], false) }),
            ("s | sort d desc, i | select p", { (a: Int, b: Int) in
                let c = cmp(d[a], d[b], true); return c != 0 ? c : cmp(i[a], i[b], false) }),
            ("s | sort i desc, t desc, d | select p", { (a: Int, b: Int) in
                var c = cmp(i[a], i[b], true); if c != 0 { return c }
                c = cmp(t[a], t[b], true); return c != 0 ? c : cmp(d[a], d[b], false) }),
            ("s | sort t, d desc | select p", { (a: Int, b: Int) in
                let c = cmp(t[a], t[b], false); return c != 0 ? c : cmp(d[a], d[b], true) }),
        ] {
            let expected = (0..<n).sorted { a, b in let c = rule(a, b); return c != 0 ? c < 0 : a < b }
            let got = try e.run(query).last!.rows.map { row -> Int in if case .int(let p) = row[0] { return Int(p) } else { return -1 } }
            #expect(got == expected, "\(query)")
        }
    }
}
