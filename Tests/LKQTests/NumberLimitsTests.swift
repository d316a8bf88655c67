import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

/// Numbers at the edge of what Int64 and Double hold, in LKQ text and in arithmetic: an exact
/// answer, null where the README says so (division by zero), or a located error. Never a
/// wrapped integer, a silently rounded literal, or NaN/infinity in the output.
@Suite struct NumberLimitsTests {
    static func engine() throws -> Engine {
        let t = try Table(name: "t", columns: [
            ("k", .text(["a", "a", "b"])),
            ("n", .int([.max, 1, -1])),
            ("d", .double([1e308, 1e308, 2])),
            ("z", .double([0, 0, nil])),
        ])
        return Engine(tables: [t])
    }

    func failure(_ query: String) throws -> LKQError {
        let engine = try Self.engine()
        do {
            _ = try engine.run(query, sourceName: "q")
        } catch {
            return error
        }
        Issue.record("'\(query)' ran")
        throw CancellationError()
    }

    func rows(_ query: String) throws -> [[Value]] { try Self.engine().run(query).last!.rows }

    @Test func literalTooLargeForAWholeNumberIsALexicalError() throws {
        let e = try failure("t | select 99999999999999999999 as x")
        #expect(e.kind == .lexical)
        #expect(e.diagnostic.kind == .integerTooLarge("99999999999999999999"))
        #expect(e.line == 1 && e.column == 12)
        #expect(e.rendered().contains("^^^^^^^^^^^^^^^^^^^^"))
        // The largest whole number is fine, and so is the same value written as a decimal.
        #expect(try rows("t | select 9223372036854775807 as x | limit 1") == [[.int(.max)]])
        #expect(try rows("t | select 99999999999999999999.0 as x | limit 1") == [[.double(1e20)]])
        #expect(try failure("t | select 9223372036854775808 as x").kind == .lexical)
    }

    @Test func decimalLiteralBeyondRangeIsALexicalError() throws {
        let e = try failure("t where d < 1e999")
        #expect(e.diagnostic.kind == .invalidNumber("1e999"))
        #expect(e.line == 1 && e.column == 13)
    }

    @Test(arguments: ["t where n > 0 | sum n", "t | group by k sum(n)", "t | select n + 1", "t | select n * 2", "t | select 0 - n - 2",
                      "t | select abs(-9223372036854775807 - 1)"])
    func integerOverflowIsAnErrorNeverAWrap(_ query: String) throws {
        let e = try failure(query)
        #expect(e.kind == .type)
        if case .integerOverflow = e.diagnostic.kind {} else { Issue.record("\(e.rendered())") }
        #expect(e.line == 1 && e.column != nil)
    }

    /// max + 1 - 1: a partial sum overflows on the way, the total does not.
    @Test func sumThatFitsIsExactEvenWhenAPartialSumDoesNot() throws {
        #expect(try rows("t | sum n") == [[.int(.max)]])
        #expect(try rows("t where n < 2 | sum n") == [[.int(0)]])
        #expect(try rows("t where k = 'a' and n < 2 | sum n") == [[.int(1)]])
    }

    @Test(arguments: ["t | sum d", "t | group by k sum(d)", "t | select d * 10", "t | select d + d",
                      "t | select d / 1e-300", "t | select 1e308 * 10 as x", "t | select -1e308 - 1e308 as x"])
    func decimalOverflowIsAnErrorNeverInfinity(_ query: String) throws {
        let e = try failure(query)
        #expect(e.kind == .type)
        if case .decimalOverflow = e.diagnostic.kind {} else { Issue.record("\(e.rendered())") }
        #expect(e.line == 1)
    }

    /// README: dividing by zero gives null; 0/0 too (never NaN).
    @Test func divisionByZeroIsNullNeverNaN() throws {
        #expect(try rows("t | select 0/0 as a, 1/0 as b, 0.0/0 as c, -1/0 as e | limit 1") == [[.null, .null, .null, .null]])
        #expect(try rows("t | select z / z as q") == [[.null], [.null], [.null]])
        #expect(try rows("t | select d / z as q | limit 1") == [[.null]])
        let result = try Self.engine().run("t | select z / z as q, n / 0 as r, round(z / z, 2) as s").last!
        for format in OutputFormat.allCases {
            let text = ResultFormatter(format: format, width: 80).render(result).lowercased()
            #expect(!text.contains("nan") && !text.contains("inf"), "\(format): \(text)")
        }
    }

    @Test func hostTablesRefuseNaNAndInfinity() throws {
        for bad in [Double.nan, .infinity, -.infinity] {
            do {
                _ = try Table(name: "h", columns: [("x", .double([1, nil, bad]))])
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.kind == .data)
                #expect(error.diagnostic.kind == .notFiniteValue(column: "x", row: 2))
            }
        }
    }
}

/// LKQ text from bytes: not UTF-8 is an error at the first bad byte, before anything runs.
@Suite struct ScriptTextTests {
    func failure(_ bytes: [UInt8]) -> LKQError? {
        do { _ = try ScriptText.decode(bytes, name: "bad.lkq"); return nil } catch { return error }
    }

    @Test func validTextDecodesAndLosesItsByteOrderMark() throws {
        #expect(try ScriptText.decode(Array("capaian | count\n".utf8), name: "a.lkq") == "capaian | count\n")
        #expect(try ScriptText.decode([0xEF, 0xBB, 0xBF] + Array("desa | count".utf8), name: "a.lkq") == "desa | count")
        #expect(try ScriptText.decode(Array("desa where kabupaten ~ \"ñ\" # 🙂".utf8), name: "a.lkq").hasSuffix("🙂"))
        #expect(try ScriptText.decode([], name: "a.lkq") == "")
    }

    @Test(arguments: [
        (Array("capaian | count\ncapaian where indikator ~ \"caf".utf8) + [0xE9] + Array("\"\n".utf8), 2, 31),
        ([0xFF] + Array("capaian".utf8), 1, 1),
        ([0xEF, 0xBB, 0xBF, 0x61, 0x0A, 0x62, 0x80], 2, 2),
        (Array("x = 'é".utf8) + [0xC3], 1, 7),
        (Array("ab".utf8) + [0xED, 0xA0, 0x80], 1, 3),
        (Array("ab".utf8) + [0xF4, 0x90, 0x80, 0x80], 1, 3),
    ] as [([UInt8], Int, Int)])
    func invalidBytesAreLocated(_ bytes: [UInt8], _ line: Int, _ column: Int) throws {
        let e = try #require(failure(bytes))
        #expect(e.kind == .lexical)
        #expect(e.diagnostic.kind == .invalidUTF8)
        #expect(e.sourceName == "bad.lkq")
        #expect(e.line == line && e.column == column, "\(e.rendered())")
        #expect(e.rendered().hasPrefix("bad.lkq:\(line):\(column): error: not valid UTF-8"))
    }

    @Test func replacementCharacterInDecodedTextIsLocated() throws {
        try ScriptText.check("capaian | count", name: "<repl>")
        do {
            try ScriptText.check("capaian\n| select \"caf\u{FFFD}\" as x", name: "<repl>")
            Issue.record("accepted U+FFFD")
        } catch {
            #expect(error.kind == .lexical)
            #expect(error.line == 2 && error.column == 14)
        }
    }
}
