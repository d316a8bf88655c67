import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

/// A malformed CSV file and what reading it must give: a located error, or exactly these
/// columns and values. Never a crash, never a number that silently differs from the file.
struct BadCSV: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable {
        /// Loading or querying fails with this error, at `line:column` of the file.
        case error(DiagnosticKind, line: Int, column: Int)
        /// The table reads as these columns (name, type) and rows.
        case reads([(String, ColumnType)], [[Value]])
    }

    let name: String
    let bytes: [UInt8]
    let expected: Expected

    var testDescription: String { name }

    init(_ name: String, _ bytes: [UInt8], _ expected: Expected) {
        self.name = name
        self.bytes = bytes
        self.expected = expected
    }

    init(_ name: String, _ text: String, _ expected: Expected) {
        self.init(name, Array(text.utf8), expected)
    }

    /// A field of several megabytes, quoted, holding separators, doubled quotes and newlines:
    /// bigger than the reader's window, and than the size from which a file is read by several
    /// threads (which then start inside the field and must notice).
    static let longField: String = {
        var s = ""
        s.reserveCapacity(9 << 20)
        while s.utf8.count < 9 << 20 { s += "desa Oelnasi, kec. \"\"Kupang Tengah\"\"\n" }
        return s
    }()

    /// The corpus. Bytes are written here rather than kept as files, so each case says
    /// exactly which bytes it is about.
    static let corpus: [BadCSV] = [
        BadCSV("unbalanced quote", "a,b\n1,\"abc\n2,3\n", .error(.csvUnterminatedQuote, line: 2, column: 3)),
        BadCSV("unbalanced quote in the header", "\"a,b\n1,2\n", .error(.csvUnterminatedQuote, line: 1, column: 1)),
        BadCSV("row with too few fields", "a,b,c\n1,2,3\n4,5\n", .error(.csvFieldCount(expected: 3, got: 2), line: 3, column: 4)),
        BadCSV("row with too many fields", "a,b\n1,2\n3,4,5\n", .error(.csvFieldCount(expected: 2, got: 3), line: 3, column: 5)),
        BadCSV("invalid UTF-8 in the header", Array("a,".utf8) + [0xFF] + Array("b\n1,2\n".utf8),
               .error(.csvInvalidUTF8, line: 1, column: 3)),
        BadCSV("invalid UTF-8 in a cell (Latin-1 é)", Array("a,b\n1,caf".utf8) + [0xE9] + Array("\n".utf8),
               .error(.csvInvalidUTF8, line: 2, column: 6)),
        BadCSV("UTF-8 sequence cut short at the end", Array("a\nx".utf8) + [0xE2, 0x82], .error(.csvInvalidUTF8, line: 2, column: 2)),
        BadCSV("overlong UTF-8 form", Array("a\nx".utf8) + [0xC0, 0xAF] + Array("\n".utf8), .error(.csvInvalidUTF8, line: 2, column: 2)),
        BadCSV("UTF-16 with its byte order mark", [0xFF, 0xFE, 0x61, 0x00, 0x0A, 0x00], .error(.csvInvalidUTF8, line: 1, column: 1)),
        BadCSV("UTF-16 without byte order mark", [0x61, 0x00, 0x2C, 0x00, 0x62, 0x00, 0x0A, 0x00],
               .error(.csvNulByte, line: 1, column: 2)),
        BadCSV("NUL byte in a cell", Array("a,b\n1,x".utf8) + [0] + Array("y\n".utf8), .error(.csvNulByte, line: 2, column: 4)),
        BadCSV("NUL byte in a quoted cell", Array("a,b\n1,\"x".utf8) + [0] + Array("\"\n".utf8), .error(.csvNulByte, line: 2, column: 5)),
        BadCSV("NUL byte in the header", Array("a".utf8) + [0] + Array(",b\n1,2\n".utf8), .error(.csvNulByte, line: 1, column: 2)),
        BadCSV("a field of 9 MB", "id,teks\n1,\"\(longField)\"\n2,pendek\n",
               .reads([("id", .int), ("teks", .text)],
                      [[.int(1), .text(longField.replacingOccurrences(of: "\"\"", with: "\""))], [.int(2), .text("pendek")]])),
        BadCSV("integers too large for 64 bits are text, as written",
               "id,n\n12345678901234567890,1\n-99999999999999999999,2\n9223372036854775807,3\n",
               .reads([("id", .text), ("n", .int)],
                      [[.text("12345678901234567890"), .int(1)], [.text("-99999999999999999999"), .int(2)],
                       [.text("9223372036854775807"), .int(3)]])),
        BadCSV("64-bit limits are integers", "n\n9223372036854775807\n-9223372036854775808\n",
               .reads([("n", .int)], [[.int(.max)], [.int(.min)]])),
        BadCSV("an Indonesian amount too large for 64 bits is text", "pagu;x\nRp 99.999.999.999.999.999.999;1\nRp 1.000;2\n",
               .reads([("pagu", .text), ("x", .int)], [[.text("Rp 99.999.999.999.999.999.999"), .int(1)], [.text("Rp 1.000"), .int(2)]])),
        BadCSV("NaN, inf and 1e999 are text, never numbers", "a,b,c\n1,NaN,1e999\n2,inf,-1e999\n",
               .reads([("a", .int), ("b", .text), ("c", .text)],
                      [[.int(1), .text("NaN"), .text("1e999")], [.int(2), .text("inf"), .text("-1e999")]])),
        BadCSV("the largest decimals are numbers", "d\n1.7976931348623157e308\n-1e308\n",
               .reads([("d", .double)], [[.double(1.7976931348623157e308)], [.double(-1e308)]])),
        BadCSV("mixed types in one column", "a,b,c\n1,1,7\n2.5,x,\n,2,8\n",
               .reads([("a", .double), ("b", .text), ("c", .int)],
                      [[.double(1), .text("1"), .int(7)], [.double(2.5), .text("x"), .null], [.null, .text("2"), .int(8)]])),
        BadCSV("empty file", "", .error(.csvEmpty, line: 1, column: 1)),
        BadCSV("blank lines only", "\n\r\n\n", .error(.csvEmpty, line: 1, column: 1)),
        BadCSV("byte order mark only", [0xEF, 0xBB, 0xBF], .error(.csvEmpty, line: 1, column: 1)),
        BadCSV("header only", "kode,nama\n", .reads([("kode", .int), ("nama", .int)], [])),
        BadCSV("header only, no line end", "kode,nama", .reads([("kode", .int), ("nama", .int)], [])),
        BadCSV("byte order mark and CRLF", [0xEF, 0xBB, 0xBF] + Array("Id,Nama\r\n1,Alor\r\n2,\"Sumba\r\nBarat\"\r\n".utf8),
               .reads([("id", .int), ("nama", .text)], [[.int(1), .text("Alor")], [.int(2), .text("Sumba\r\nBarat")]])),
        BadCSV("separator changes from ; to ,", "a;b;c\n1;2;3\n4,5,6\n", .error(.csvFieldCount(expected: 3, got: 1), line: 3, column: 6)),
        BadCSV("header with , rows with ;", "a,b,c\n1;2;3\n", .error(.csvFieldCount(expected: 3, got: 1), line: 2, column: 6)),
        BadCSV("duplicate header names", "nama,Nama\nx,y\n", .error(.csvDuplicateHeader("nama"), line: 1, column: 6)),
        BadCSV("duplicate header names after trimming", " kode ,kode\n1,2\n", .error(.csvDuplicateHeader("kode"), line: 1, column: 8)),
        BadCSV("a quote in the middle of an unquoted field is kept", "a,b\n1,5\" layar\n2,x\"\"y\n",
               .reads([("a", .int), ("b", .text)], [[.int(1), .text("5\" layar")], [.int(2), .text("x\"\"y")]])),
        BadCSV("text after a closing quote", "a,b\n1,\"x\"y\n", .error(.csvCharacterAfterQuote, line: 2, column: 6)),
    ]
}

/// Loads bytes as a CSV table `t` and reads all of it through the public API.
func readCSV(_ bytes: [UInt8], options: CSVOptions = CSVOptions(useCache: false)) -> Result<QueryResult, LKQError> {
    let dir = makeTempDir()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = writeBytes(dir, "t.csv", bytes)
    do throws(LKQError) {
        let engine = try Engine(tables: []).loadingCSV(at: path, as: "t", options: options)
        return .success(try engine.run("t").last!)
    } catch {
        return .failure(error)
    }
}

@Suite struct BadCSVTests {
    @Test(arguments: BadCSV.corpus)
    func readsOrFailsAtItsPlace(_ file: BadCSV) throws {
        let outcome = readCSV(file.bytes)
        switch (file.expected, outcome) {
        case (.error(let kind, let line, let column), .failure(let error)):
            #expect(error.diagnostic.kind == kind)
            #expect(error.kind == .data)
            #expect(error.sourceName?.hasSuffix("t.csv") == true)
            #expect(error.line == line && error.column == column, "\(error.rendered())")
        case (.reads(let fields, let rows), .success(let result)):
            #expect(result.fields.map(\.name) == fields.map(\.0))
            #expect(result.fields.map(\.type) == fields.map(\.1))
            #expect(result.rowCount == rows.count)
            #expect(result.rows == rows)
        case (.error, .success(let result)):
            Issue.record("read \(result.rowCount) rows instead of failing")
        case (.reads, .failure(let error)):
            Issue.record("failed: \(error.rendered())")
        }
    }

    /// The head decides a column's type, the rest of the file may still change it: a value
    /// past the head that no number type holds exactly turns the column to text, as written.
    @Test(arguments: ["99999999999999999999", "1e999", "-1e999"])
    func aValueNoNumberHoldsLaterInTheFileMakesTheColumnText(_ late: String) throws {
        var csv = "kode,nilai\n"
        for i in 0..<30_000 { csv += "\(i),\(i % 7)\n" }
        csv += "\(late),1.5\n"
        let result = try readCSV(Array(csv.utf8)).get()
        #expect(result.fields.map(\.type) == [.text, .double])
        #expect(result[0, "kode"] == .text("0"))
        #expect(result[30_000, "kode"] == .text(late))
        #expect(result[30_000, "nilai"] == .double(1.5))
    }

    @Test func skippingBadRowsLeavesOutATooLargeInteger() throws {
        final class Warnings: @unchecked Sendable {
            let lock = NSLock(); var items: [LKQError] = []
            func add(_ e: LKQError) { lock.lock(); items.append(e); lock.unlock() }
        }
        let warnings = Warnings()
        let options = CSVOptions(skipBadRows: true, useCache: false, onWarning: { warnings.add($0) })
        var csv = "n\n"
        for i in 0..<30_000 { csv += "\(i)\n" }
        csv += "99999999999999999999\n5\n"
        let result = try readCSV(Array(csv.utf8), options: options).get()
        #expect(result.fields.map(\.type) == [.int])
        #expect(result.rowCount == 30_001)
        #expect(warnings.items.count == 1)
        #expect(warnings.items.first?.line == 30_002)
        #expect(warnings.items.first?.isWarning == true)
    }

    /// A column of 20-digit codes reads as text; doing sums with it is a located type error,
    /// and looking a code up works exactly.
    @Test func textOfTooLargeIntegersGivesLocatedTypeErrors() throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = writeFile(dir, "rekening.csv", "nomor,saldo\n12345678901234567890,5\n12345678901234567891,7\n")
        let engine = try Engine(tables: []).loadingCSV(at: path, options: CSVOptions(useCache: false))
        #expect(try engine.run("rekening where nomor = \"12345678901234567891\" | select saldo").last!.rows == [[.int(7)]])
        do {
            _ = try engine.run("rekening | select nomor + 1", sourceName: "q")
            Issue.record("arithmetic on text ran")
        } catch {
            #expect(error.kind == .type)
            #expect(error.line == 1 && error.column == 19)
        }
        do {
            _ = try engine.run("rekening | sum nomor", sourceName: "q")
            Issue.record("sum of text ran")
        } catch {
            #expect(error.kind == .type)
        }
    }

    /// The declared schema of the built-in data is held to the same rule.
    @Test func declaredDecimalColumnRefusesInfinity() {
        let fields = [Field(name: "persen", type: .double)]
        #expect(throws: Diagnostic.self) { try CSVReader.parse(Array("persen\n1e999\n".utf8), path: "x.csv", fields: fields) }
        let fieldsInt = [Field(name: "pagu", type: .int)]
        #expect(throws: Diagnostic.self) { try CSVReader.parse(Array("pagu\n99999999999999999999\n".utf8), path: "x.csv", fields: fieldsInt) }
    }
}
