import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

/// A fresh temporary folder for one test.
func makeTempDir() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lkq-csv-\(UUID().uuidString)").path
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func writeFile(_ dir: String, _ name: String, _ text: String) -> String {
    let path = dir + "/" + name
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
}

func writeBytes(_ dir: String, _ name: String, _ bytes: [UInt8]) -> String {
    let path = dir + "/" + name
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// Options for tests: no cache unless asked.
func opts(_ locale: CSVOptions.Locale = .auto, skip: Bool = false, cache: Bool = false,
          separator: UInt8? = nil, onWarning: (@Sendable (LKQError) -> Void)? = nil) -> CSVOptions {
    CSVOptions(locale: locale, skipBadRows: skip, useCache: cache, separator: separator, onWarning: onWarning)
}

/// Opens a CSV text as a table and loads every column.
func load(_ text: String, _ options: CSVOptions = opts(), name: String = "t.csv") throws -> (Table, Int, [Column]) {
    let dir = makeTempDir()
    let path = writeFile(dir, name, text)
    let table = try CSVReader.open(path: path, name: "t", options: options)
    let (n, cols) = try table.store.load(Array(table.fields.indices))
    return (table, n, cols)
}

func values(_ c: Column) -> [Value] { (0..<c.count).map { c.value(at: $0) } }

/// The error a throwing call gives, as a Diagnostic.
func diagnostic(_ body: () throws -> Void) -> Diagnostic? {
    do { try body(); return nil } catch let d as Diagnostic { return d } catch let e as LKQError { return e.diagnostic } catch { return nil }
}

func place(_ d: Diagnostic?) -> (Int, Int)? {
    if case .file(_, let l, let c)? = d?.location { return (l, c) }
    return nil
}

@Suite struct CSVBasics {
    @Test func simpleTypes() throws {
        let (t, n, cols) = try load("A,b , c\n1,2.5,x\n-3,4,y\n")
        #expect(n == 2)
        #expect(t.fields.map(\.name) == ["a", "b", "c"])
        #expect(t.fields.map(\.type) == [.int, .double, .text])
        #expect(t.name == "t")
        #expect(t.measure == nil)
        #expect(values(cols[0]) == [.int(1), .int(-3)])
        #expect(values(cols[1]) == [.double(2.5), .double(4)])
        #expect(values(cols[2]) == [.text("x"), .text("y")])
    }

    @Test func quoting() throws {
        let text = "a,b,c\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\n\"\",,\"\"\"\"\"\"\n\"\",plain \"q\" in,z"
        let (_, n, cols) = try load(text)
        #expect(n == 3)
        #expect(values(cols[0]) == [.text("x,1"), .text(""), .text("")])
        #expect(values(cols[1]) == [.text("say \"hi\""), .null, .text("plain \"q\" in")])
        #expect(values(cols[2]) == [.text("two\nlines"), .text("\"\""), .text("z")])
    }

    @Test func crlfBomAndTrailingLines() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("Id,Nama\r\n1,\"a\r\nb\"\r\n2,c\r\n\r\n\r\n".utf8)
        let dir = makeTempDir()
        let path = writeBytes(dir, "x.csv", bytes)
        let t = try CSVReader.open(path: path, name: "X", options: opts())
        #expect(t.name == "x")
        #expect(t.fields.map(\.name) == ["id", "nama"])
        let (n, cols) = try t.store.load([0, 1])
        #expect(n == 2)
        #expect(values(cols[0]) == [.int(1), .int(2)])
        #expect(values(cols[1]) == [.text("a\r\nb"), .text("c")])
        // No trailing newline at all.
        let (_, n2, c2) = try load("a,b\n1,2\n3,4")
        #expect(n2 == 2)
        #expect(values(c2[1]) == [.int(2), .int(4)])
    }

    @Test func separatorDetection() throws {
        let (t1, _, c1) = try load("a;b;c\n1;2,5;x\n3;4,25;y\n")
        #expect(t1.fields.map(\.name) == ["a", "b", "c"])
        // Decimal comma with ';' as separator is clearly Indonesian.
        #expect(values(c1[1]) == [.double(2.5), .double(4.25)])
        let (t2, _, c2) = try load("a\tb\n1\tx, y\n2\tz\n")
        #expect(t2.fields.map(\.name) == ["a", "b"])
        #expect(values(c2[1]) == [.text("x, y"), .text("z")])
        let (t3, _, _) = try load("a|b\n1|2\n", opts(separator: UInt8(ascii: "|")))
        #expect(t3.fields.map(\.name) == ["a", "b"])
    }

    /// One malformed row in the head must not change the separator: the error then points at
    /// that row, with the header read right.
    @Test func separatorSurvivesABadRowInTheHead() throws {
        let d = diagnostic { _ = try load("pemda;pagu;persen\nKupang;1.000.000;98,40\nEnde;2.500.000;50,5;x\nSabu;3;1\n") }
        #expect(d?.kind == .csvFieldCount(expected: 3, got: 4))
        if case .file(_, let line, _) = d?.location { #expect(line == 3) } else { Issue.record("no file location") }
        let dir = makeTempDir()
        let path = writeFile(dir, "t.csv", "pemda;pagu;persen\nKupang;1.000.000;98,40\nEnde;2.500.000;50,5;x\nSabu;3.000.000;1\n")
        let table = try CSVReader.open(path: path, name: "t", options: opts(skip: true))
        #expect(table.fields.map(\.name) == ["pemda", "pagu", "persen"])
        let (n, _) = try table.store.load([1])
        #expect(n == 2)
    }

    @Test func nulls() throws {
        let (t, n, cols) = try load("a,b,c\n,1.5,\n2,,x\n , 2 ,\"\"\n")
        #expect(n == 3)
        #expect(t.fields.map(\.type) == [.int, .double, .text])
        #expect(values(cols[0]) == [.null, .int(2), .null])
        #expect(values(cols[1]) == [.double(1.5), .null, .double(2)])
        #expect(values(cols[2]) == [.null, .text("x"), .text("")])
        #expect(cols[0].nulls != nil)
    }

    @Test func headerNames() throws {
        // A name twice: the second holder gets a suffix (and a note), never an error.
        let (d, _, dc) = try load("a,B,b\n1,2,3\n")
        #expect(d.fields.map(\.name) == ["a", "b", "b_2"])
        #expect(values(dc[2]) == [.int(3)])
        let (t, _, _) = try load("\"Nama Desa\",,x\n1,2,3\n")
        #expect(t.fields.map(\.name) == ["nama_desa", "column2", "x"])
        #expect(t.fields[0].label == "Nama Desa")
        #expect(diagnostic { _ = try load("") }?.kind == .csvEmpty)
        #expect(diagnostic { _ = try load("\n\n") }?.kind == .csvEmpty)
    }

    @Test func tableNames() {
        #expect(CSVReader.tableName(forFile: "/x/Realisasi Anggaran-2023.csv") == "realisasi_anggaran_2023")
        #expect(CSVReader.tableName(forFile: "2023.CSV") == "_2023")
        #expect(CSVReader.tableName(forFile: "capaian") == "capaian")
    }
}

@Suite struct CSVTypes {
    /// A file whose head (the first 30,000 rows) shows one thing and whose tail another.
    func headThenTail(_ head: String, _ tail: String) -> String {
        var s = "a,b\n"
        for i in 0..<30_000 { s += "\(head),\(i)\n" }
        return s + "\(tail),-1\n"
    }

    @Test func widensIntToDouble() throws {
        let (t, n, cols) = try load(headThenTail("7", "1.5"))
        #expect(t.fields[0].type == .int)  // what the head showed
        #expect(cols[0].type == .double)   // what the data needed
        #expect(n == 30_001)
        #expect(cols[0].value(at: 0) == .double(7))
        #expect(cols[0].value(at: 30_000) == .double(1.5))
        #expect(cols[1].type == .int)
    }

    /// Past the head, "no value" marks are null, and a word in a numeric column is a null with a
    /// located warning: the column stays numeric.
    @Test func laterWordsAreNullCells() throws {
        let (_, _, cols) = try load(headThenTail("7", "n/a"))
        #expect(cols[0].type == .int)
        #expect(cols[0].value(at: 30_000) == .null)
        let log = WarningLog()
        let (_, _, c2) = try load(headThenTail("2.5", "x"), log.options)
        #expect(c2[0].type == .double)
        #expect(c2[0].value(at: 1) == .double(2.5))
        #expect(c2[0].value(at: 30_000) == .null)
        #expect(log.all.map(\.kind) == [.csvNotANumber(column: "a", text: "x")])
        #expect(place(log.all.first) ?? (0, 0) == (30_002, 1))
        // A code past the head (`007`) turns an int column to text, as written.
        let (_, _, c3) = try load(headThenTail("7", "007"))
        #expect(c3[0].type == .text)
        #expect(c3[0].value(at: 30_000) == .text("007"))
    }

    /// Rounding a 20-digit code into a decimal would change it silently: such a column is text.
    @Test func bigIntegersAreText() throws {
        let (t, _, cols) = try load("a\n1\n99999999999999999999\n")
        #expect(t.fields[0].type == .text)
        #expect(values(cols[0]) == [.text("1"), .text("99999999999999999999")])
    }

    @Test func indonesianAuto() throws {
        // Clearly Indonesian: Rp, several thousands dots, decimal comma with ';'.
        let (t, _, cols) = try load("pagu;persen;jumlah;kode\nRp 9.051.591.780;98,40;1.476;1.5\nRp 12.000;100;2.000.000;2.25\n")
        #expect(t.fields.map(\.type) == [.int, .double, .int, .double])
        #expect(values(cols[0]) == [.int(9_051_591_780), .int(12_000)])
        #expect(values(cols[1]) == [.double(98.4), .double(100)])
        #expect(values(cols[2]) == [.int(1476), .int(2_000_000)])
        #expect(values(cols[3]) == [.double(1.5), .double(2.25)])
        // Not clear: 1.476 alone is the number 1.476.
        let (_, _, c2) = try load("a,b\n1.476,\"1,234\"\n2.5,x\n")
        #expect(values(c2[0]) == [.double(1.476), .double(2.5)])
        // Decimal comma with ≠ 3 digits is clear even with ',' as separator (quoted).
        let (_, _, c3) = try load("a,b\n\"98,40\",\"9.051.591.780,50\"\n")
        #expect(values(c3[0]) == [.double(98.4)])
        #expect(values(c3[1]) == [.double(9_051_591_780.5)])
    }

    @Test func indonesianExplicitAndC() throws {
        let text = "a;b\n1.476;-Rp 2.500,5\n12;7\n"
        let (_, _, ind) = try load(text, opts(.indonesian))
        #expect(values(ind[0]) == [.int(1476), .int(12)])
        #expect(values(ind[1]) == [.double(-2500.5), .double(7)])
        let (t, _, c) = try load(text, opts(.c))
        #expect(t.fields.map(\.type) == [.double, .text])
        #expect(values(c[0]) == [.double(1.476), .double(12)])
        #expect(values(c[1]) == [.text("-Rp 2.500,5"), .text("7")])
    }

    @Test func indonesianGrammar() {
        func norm(_ s: String) -> String? {
            var f = CSVNumbers.IndoFlags()
            let bytes = Array(s.utf8)
            var out = [UInt8](repeating: 0, count: 256)
            let n = out.withUnsafeMutableBufferPointer { o in
                bytes.withUnsafeBufferPointer { CSVNumbers.normalizeIndonesian($0.baseAddress!, $0.count, o.baseAddress!, 256, &f) }
            }
            return n < 0 ? nil : String(decoding: out[0..<n], as: UTF8.self)
        }
        #expect(norm("1.476") == "1476")
        #expect(norm("Rp. 1.000.000,25") == "1000000.25")
        #expect(norm("rp-5") == "-5")
        #expect(norm("12.34") == nil)
        #expect(norm("1234.567") == nil)
        #expect(norm("1.2345") == nil)
        #expect(norm("1,") == nil)
        #expect(norm("Rp") == nil)
    }

    @Test func doublesRoundTripLikeStrtod() {
        var rng = SystemRandomNumberGenerator()
        var texts = ["0.1", "1e22", "1e23", "9007199254740993", "123456789012345678901234", "2.2250738585072014e-308",
                     "4.9e-324", "1.7976931348623157e308", "0.000001", "-0", "5.", ".5", "98.40", "1E5", "3.14159265358979323846"]
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...20, using: &rng)
            var s = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
            if Bool.random(using: &rng) { s.insert(".", at: s.index(s.startIndex, offsetBy: Int.random(in: 0...digits, using: &rng))) }
            if Int.random(in: 0..<4, using: &rng) == 0 { s += "e\(Int.random(in: -30...30, using: &rng))" }
            if s.hasPrefix(".") && s.count == 1 { continue }
            texts.append(s)
        }
        for t in texts {
            let bytes = Array(t.utf8)
            let mine = bytes.withUnsafeBufferPointer { CSVNumbers.parseDouble($0.baseAddress!, $0.count) }
            // Digits alone beyond 64 bits are a whole number no number type holds: not a double.
            if t.allSatisfy(\.isNumber) && Int64(t) == nil {
                #expect(mine == nil, "\(t)")
                continue
            }
            let reference = strtod(t, nil)
            #expect(mine?.bitPattern == reference.bitPattern, "\(t)")
            // The short path takes digits with at most one point, up to 15 bytes, and agrees.
            let plain = bytes.withUnsafeBufferPointer { CSVNumbers.parsePlainDecimal($0.baseAddress!, $0.count) }
            let short = bytes.count <= 15 && t.allSatisfy { $0.isNumber || $0 == "." }
            #expect((plain != nil) == short, "\(t)")
            if let plain { #expect(plain.bitPattern == reference.bitPattern, "\(t)") }
        }
        for bad in ["", "-", "e5", "1e", "1.2.3", "inf", "nan", "0x10", "1,5", "--1", "1e999", "-2e400", "1.8e308", "."] {
            let bytes = Array(bad.utf8) + [0]
            #expect(bytes.withUnsafeBufferPointer { CSVNumbers.parseDouble($0.baseAddress!, $0.count - 1) } == nil, "\(bad)")
            #expect(bytes.withUnsafeBufferPointer { CSVNumbers.parsePlainDecimal($0.baseAddress!, $0.count - 1) } == nil, "\(bad)")
        }
    }

    @Test func integers() {
        func p(_ s: String) -> Int64? { Array(s.utf8 + [0]).withUnsafeBufferPointer { CSVNumbers.parseInt($0.baseAddress!, $0.count - 1) } }
        #expect(p("9223372036854775807") == Int64.max)
        #expect(p("-9223372036854775808") == Int64.min)
        #expect(p("9223372036854775808") == nil)
        #expect(p(" +12 ") == 12)
        #expect(p("1 2") == nil)
        #expect(p("") == nil)
    }

    /// The eight-at-a-time reading of plain digits agrees with the byte-at-a-time one, for every
    /// length, with any byte after the field, and refuses a field with any byte not a digit.
    @Test func digitsEightAtATime() {
        var rng = SystemRandomNumberGenerator()
        let others: [UInt8] = Array(" +-.,:/;\"Rp%e".utf8) + [0, 0x2F, 0x3A, 0x80, 0xB0, 0xFF]
        for n in 1...16 {
            for _ in 0..<400 {
                var field = (0..<n).map { _ in UInt8.random(in: 48...57, using: &rng) }
                let tail = (0..<8).map { _ in UInt8.random(in: 0...255, using: &rng) }
                var expected = Array(field + [0]).withUnsafeBufferPointer { CSVNumbers.parseInt($0.baseAddress!, n) }
                if Bool.random(using: &rng) {
                    field[Int.random(in: 0..<n, using: &rng)] = others.randomElement(using: &rng)!
                    expected = nil
                }
                let got = Array(field + tail).withUnsafeBufferPointer { CSVNumbers.parseDigits($0.baseAddress!, n) }
                #expect(got == expected, "\(field) \(n)")
            }
        }
        let max16 = Array("9999999999999999,".utf8 + [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(max16.withUnsafeBufferPointer { CSVNumbers.parseDigits($0.baseAddress!, 16) } == 9_999_999_999_999_999)
        let zeros = Array("00000007;xxxxxxxx".utf8)
        #expect(zeros.withUnsafeBufferPointer { CSVNumbers.parseDigits($0.baseAddress!, 8) } == 7)
    }
}

@Suite struct CSVErrors {
    func where_(_ text: String, _ options: CSVOptions = opts()) -> (DiagnosticKind, Int, Int)? {
        let d = diagnostic { _ = try load(text, options) }
        guard let d, let (l, c) = place(d) else { return nil }
        return (d.kind, l, c)
    }

    @Test func unterminatedQuote() {
        let r = where_("a,b\n1,2\n3,\"abc\n4,5\n")
        #expect(r?.0 == .csvUnterminatedQuote)
        #expect(r?.1 == 3 && r?.2 == 3)
    }

    @Test func fieldCounts() {
        let r = where_("a,b\n1,2\n3,4,5\n")
        #expect(r?.0 == .csvFieldCount(expected: 2, got: 3))
        #expect(r?.1 == 3 && r?.2 == 5)
        let r2 = where_("a,b\n\"x\ny\",2\n3\n")
        #expect(r2?.0 == .csvFieldCount(expected: 2, got: 1))
        #expect(r2?.1 == 4 && r2?.2 == 2)
    }

    @Test func characterAfterQuote() {
        let r = where_("a,b\n\"x\"y,2\n")
        #expect(r?.0 == .csvCharacterAfterQuote)
        #expect(r?.1 == 2 && r?.2 == 4)
    }

    @Test func invalidUTF8() {
        let dir = makeTempDir()
        let path = writeBytes(dir, "u.csv", Array("a,b\n1,é\n2,x".utf8) + [0xFF] + Array("y\n".utf8))
        let d = diagnostic {
            let t = try CSVReader.open(path: path, name: "u", options: opts())
            _ = try t.store.load([0])
        }
        #expect(d?.kind == .csvInvalidUTF8)
        #expect(place(d)! == (3, 4))
    }

    @Test func declaredSchema() throws {
        let fields = [Field(name: "kode", type: .int), Field(name: "nama", type: .text), Field(name: "persen", type: .double)]
        let (n, cols) = try CSVReader.parse(Array("Kode,nama,persen\n1,Alor,98.5\n2,,\n".utf8), path: "x.csv", fields: fields)
        #expect(n == 2)
        #expect(values(cols[2]) == [.double(98.5), .null])
        let bad = diagnostic { _ = try CSVReader.parse(Array("kode,nama,persen\n1,a,2\n2,b,9x\n".utf8), path: "x.csv", fields: fields) }
        #expect(bad?.kind == .csvBadValue(column: "persen", type: "a number", text: "9x"))
        #expect(place(bad)! == (3, 5))
        if case .file(let path, _, _)? = bad?.location { #expect(path == "x.csv") }
        let notInt = diagnostic { _ = try CSVReader.parse(Array("kode,nama,persen\n1.5,a,2\n".utf8), path: "x.csv", fields: fields) }
        #expect(notInt?.kind == .csvBadValue(column: "kode", type: "an integer", text: "1.5"))
        let header = diagnostic { _ = try CSVReader.parse(Array("kode,name,persen\n".utf8), path: "x.csv", fields: fields) }
        #expect(header?.kind == .csvHeaderMismatch(position: 2, expected: "nama", found: "name"))
        #expect(place(header)! == (1, 6))
    }

    @Test func missingFile() {
        #expect(diagnostic { _ = try CSVReader.open(path: "/nonexistent/x.csv", name: "x", options: opts()) }?.kind
                == .fileNotFound("/nonexistent/x.csv"))
        do {
            _ = try Engine(tables: []).loadingCSV(at: "/nonexistent/x.csv")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .data)
        }
    }
}

final class WarningSink: @unchecked Sendable {
    let lock = NSLock()
    var items: [LKQError] = []
    func add(_ e: LKQError) { lock.lock(); items.append(e); lock.unlock() }
    /// Each warning as `line:column message`.
    var said: [String] { lock.lock(); defer { lock.unlock() }; return items.map { "\($0.line ?? 0):\($0.column ?? 0) \($0.message)" } }
}

@Suite struct CSVSkipping {
    @Test func skipBadRowsReportsEachRow() throws {
        let sink = WarningSink()
        // A head of good rows fixes the types; the bad rows come after it.
        var text = "a,b,c\n"
        for i in 0..<25_000 { text += "\(i),x,1.5\n" }
        text += "1,x,2.5\n2,y\n3,z,abc\n4,w,1\n5,v,1,9\n"
        let (_, n, cols) = try load(text, opts(skip: true, onWarning: sink.add))
        #expect(n == 25_002)
        #expect(values(cols[0]).suffix(2) == [.int(1), .int(4)])
        #expect(values(cols[1]).suffix(2) == [.text("x"), .text("w")])
        #expect(values(cols[2]).suffix(2) == [.double(2.5), .double(1)])
        let w = sink.items
        #expect(w.count == 3)
        #expect(w.allSatisfy { $0.isWarning })
        #expect(w.map { [$0.line!, $0.column!] } == [[25_003, 4], [25_004, 5], [25_006, 7]])
        #expect(w.count == 3 && w[1].diagnostic.kind == .csvRowSkipped(because: .csvBadValue(column: "c", type: "a number", text: "abc")))
        #expect(w.first?.rendered().contains("warning:") == true)
        // Without skipping, the first bad row is an error.
        let d = diagnostic { _ = try load(text) }
        #expect(d?.kind == .csvFieldCount(expected: 3, got: 2))
        #expect(place(d)! == (25_003, 4))
    }
}

@Suite struct CSVLaziness {
    @Test func convertsOnlyWantedColumns() throws {
        let dir = makeTempDir()
        let path = writeFile(dir, "l.csv", "a,b,c\n1,x,2\n3,y,4\n")
        let source = try CSVSource(path: path, options: opts())
        let first = try source.load([2])
        #expect(first.count == 2 && Array(first.columns.keys) == [2])
        #expect(values(first.columns[2]!) == [.int(2), .int(4)])
        let second = try source.load([0, 1])
        #expect(Set(second.columns.keys) == [0, 1])
        #expect(source.scans == 2)
        // Through the table: the count needs no column.
        let t = try CSVReader.open(path: path, name: "l", options: opts())
        #expect(try t.rowCount() == 2)
    }

    @Test func fileChangedAfterOpen() throws {
        let dir = makeTempDir()
        let path = writeFile(dir, "c.csv", "a\n1\n")
        let t = try CSVReader.open(path: path, name: "c", options: opts())
        _ = writeFile(dir, "c.csv", "a\n1\n2\n")
        #expect(diagnostic { _ = try t.store.load([0]) }?.kind
                == .fileUnreadable(path, reason: "it changed after it was opened; load it again"))
    }
}

/// Writes a ~200k-row CSV with quoted separators, doubled quotes and newlines inside quotes
/// (including quoted text that looks like whole rows), so chunk starts guessed at a newline can
/// fall inside a quoted field.
func makeBigCSV(_ dir: String, rows: Int = 200_000) -> String {
    var s = "id,kabupaten,catatan,pagu,persen,flag\n"
    s.reserveCapacity(rows * 60)
    let names = ["Kupang", "Belu", "Alor", "Ende", "Sikka", "Flores Timur", "Manggarai"]
    for i in 0..<rows {
        let note: String
        switch i % 7 {
        case 0: note = "\"baris \(i)\n\(i + 1),Alor,x,1,2,3\nlanjut\""
        case 1: note = "\"kata \"\"kutip\"\", koma\""
        case 2: note = ""
        case 3: note = "\"\n\""
        default: note = "catatan \(i % 1000)"
        }
        let persen = i % 11 == 0 ? "" : "\(Double(i % 10_000) / 100)"
        s += "\(i),\(names[i % names.count]),\(note),\(Int64(i) * 1_234_567),\(persen),\(i % 3 == 0 ? "ya" : "tidak")\n"
    }
    return writeFile(dir, "big.csv", s)
}

@Suite struct CSVParallel {
    @Test func parallelEqualsSerial() throws {
        let dir = makeTempDir()
        let path = makeBigCSV(dir)
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var st = stat()
        fstat(fd, &st)
        let size = Int(st.st_size)
        let schema = try CSVReader.inferSchema(fd: fd, size: size, path: path, options: opts())
        #expect(schema.types == [.int, .text, .text, .int, .double, .text])
        let all = Array(schema.names.indices)
        let serial = try CSVReader.scanFile(fd: fd, fileSize: size, path: path, schema: schema, types: schema.types,
                                            wanted: all, skipBadRows: false, threads: 1)
        #expect(serial.count == 200_000)
        for threads in [2, 3, 7, 16] {
            let parallel = try CSVReader.scanFile(fd: fd, fileSize: size, path: path, schema: schema, types: schema.types,
                                                  wanted: all, skipBadRows: false, threads: threads)
            #expect(parallel.count == serial.count)
            for c in all {
                let a = serial.columns[c]!, b = parallel.columns[c]!
                #expect(a.type == b.type)
                var same = true
                for r in 0..<serial.count where a.value(at: r) != b.value(at: r) { same = false; break }
                #expect(same, "column \(c) with \(threads) threads")
            }
        }
        #expect(serial.columns[2]!.value(at: 0) == .text("baris 0\n1,Alor,x,1,2,3\nlanjut"))
        #expect(serial.columns[4]!.value(at: 0) == .null)
        #expect(serial.columns[4]!.value(at: 1) == .double(0.01))
        // An error deep in the file is located the same way by both.
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text += "1,2\n"
        let bad = writeFile(dir, "bad.csv", text)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        let fd2 = open(bad, O_RDONLY)
        defer { close(fd2) }
        fstat(fd2, &st)
        for threads in [1, 2, 5] {
            let d = diagnostic {
                _ = try CSVReader.scanFile(fd: fd2, fileSize: Int(st.st_size), path: bad, schema: schema, types: schema.types,
                                           wanted: [0], skipBadRows: false, threads: threads)
            }
            #expect(d?.kind == .csvFieldCount(expected: 6, got: 2))
            #expect(place(d)! == (lines, 4))
        }
    }
}

@Suite struct BuiltinTables {
    @Test func manifest() throws {
        let manifest = """
        # a comment
        [Capaian]
        file = c.csv
        source = LKIP 2023, Tabel 3.1
        measure = Persen
        columns = sasaran:int nama:text persen:double

        [kosong]
        file = k.csv
        columns = x:int
        """
        let files = ["c.csv": "sasaran,nama,persen\n1,\"a, b\",98.5\n2,c,\n", "k.csv": "x\n"]
        let tables = try BuiltinData.load(manifest: manifest) { files[$0].map(builtinBytes) }
        #expect(tables.map(\.name) == ["capaian", "kosong"])
        #expect(tables[0].origin == "LKIP 2023, Tabel 3.1")
        #expect(tables[0].measure == "persen")
        #expect(try tables[0].rowCount() == 2)
        #expect(try tables[1].rowCount() == 0)
        let broken = diagnostic { _ = try BuiltinData.load(manifest: "[t]\nfile = x.csv\ncolumns = a:int\n") { _ in Array("a\nz\n".utf8) } }
        #expect(broken?.kind == .csvBadValue(column: "a", type: "an integer", text: "z"))
        #expect(place(broken)! == (2, 1))
    }

    @Test func builtinDataLoads() throws {
        #expect(!BuiltinData.tables.isEmpty)
        for t in BuiltinData.tables {
            let (n, cols) = try t.store.load(Array(t.fields.indices))
            #expect(cols.allSatisfy { $0.count == n })
        }
    }
}

@Suite struct LoadingAPI {
    @Test func loadingCSVAndDirectory() throws {
        let dir = makeTempDir()
        _ = writeFile(dir, "Realisasi 2023.csv", "a,b\n1,2\n")
        _ = writeFile(dir, "b.csv", "x\n1\n2\n")
        _ = writeFile(dir, "notes.txt", "x")
        let engine = try Engine(tables: []).loadingDirectory(dir, options: opts())
        #expect(engine.tables.map(\.name) == ["realisasi_2023", "b"])
        let e2 = try engine.loadingCSV(at: dir + "/b.csv", as: "Data", options: CSVOptions(useCache: false, measure: "X"))
        #expect(e2.table(named: "data")?.measure == "x")
        #expect(e2.table(named: "data")?.origin == dir + "/b.csv")
        #expect(try e2.table(named: "data")!.rowCount() == 2)
        do {
            _ = try engine.loadingCSV(at: dir + "/b.csv", options: CSVOptions(measure: "nope"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .name)
        }
    }
}
