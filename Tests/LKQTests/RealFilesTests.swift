import Foundation
import Testing
@testable import LKQ

/// A fixture file: real-looking files as Indonesian offices type them, under `Fixtures/`.
func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/" + name).path
}

/// Collects warnings handed to `onWarning`.
final class WarningLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Diagnostic] = []
    var all: [Diagnostic] { lock.lock(); defer { lock.unlock() }; return items }
    func add(_ e: LKQError) { lock.lock(); items.append(e.diagnostic); lock.unlock() }
    var options: CSVOptions { opts(onWarning: { self.add($0) }) }
}

/// Opens a fixture and reads every column.
func loadFixture(_ name: String, _ options: CSVOptions) throws -> (Table, Int, [Column]) {
    let table = try CSVReader.open(path: fixture(name), name: "t", options: options)
    let (n, cols) = try table.store.load(Array(table.fields.indices))
    return (table, n, cols)
}

func column(_ table: Table, _ cols: [Column], _ name: String) -> [Value] {
    values(cols[table.fieldIndex(name)!])
}

@Suite struct RealFiles {
    /// LPPD-style table: thousands dots in a comma file, `WTP` in a numeric column, "no value"
    /// marks, `%` and `Rp`, padded names, codes with a leading zero, headers nobody can type.
    @Test func lppdTable() throws {
        let log = WarningLog()
        let (t, n, cols) = try loadFixture("lppd-2023.csv", log.options)
        #expect(n == 5)
        #expect(t.fields.map(\.name) == ["no", "provinsi", "kode", "target", "realisasi", "capaian", "anggaran_rp", "opini"])
        #expect(t.fields.map(\.displayName) == ["No", "Provinsi", "Kode", "Target", "Realisasi", "Capaian (%)", "Anggaran (Rp)", "Opini"])
        // 1.500 beside 873: thousands. The issue's wrong reading summed to 881.152.
        #expect(column(t, cols, "target") == [.int(1500), .int(1476), .int(6652), .int(873), .int(504)])
        #expect(column(t, cols, "realisasi") == [.int(1476), .int(1500), .int(6000), .int(800), .null])
        #expect(column(t, cols, "capaian") == [.double(98.4), .double(101.63), .null, .double(91.63), .double(100)])
        #expect(t.fields[t.fieldIndex("capaian")!].unit == .percent)
        #expect(column(t, cols, "anggaran_rp") == [.int(9_051_591_780), .int(1_476_000), .int(500_000), .null, .int(1000)])
        #expect(t.fields[t.fieldIndex("anggaran_rp")!].unit == .rupiah)
        #expect(column(t, cols, "kode") == ["01", "02", "03", "04", "05"].map { .text($0) })
        // Padded names are one province; `n/a` and `—` are null in a text column too.
        #expect(column(t, cols, "provinsi") == ["Provinsi Aceh", "Sumatera Utara", "Provinsi Aceh", "Jawa Barat", "Bali"].map { .text($0) })
        #expect(column(t, cols, "opini") == [.text("WTP"), .text("WTP"), .text("WDP"), .null, .null])
        // One located warning for the one cell that is not a number.
        let cells = log.all.filter { if case .csvNotANumber = $0.kind { return true }; return false }
        #expect(cells.count == 1)
        #expect(cells.first?.kind == .csvNotANumber(column: "realisasi", text: "WTP"))
        #expect(place(cells.first) ?? (0, 0) == (6, 15))
        let report = try t.columnReports()
        let realisasi = report.first { $0.name == "realisasi" }!
        #expect(realisasi.nulls == 1)
        #expect(realisasi.notes.contains { $0.contains("1 cell not a number") && $0.contains("lppd-2023.csv:6:15") })
        #expect(report.first { $0.name == "target" }!.notes.contains { $0.contains("read as thousands") })
        #expect(report.first { $0.name == "provinsi" }!.notes.contains { $0.contains("blanks around values taken off") })
        #expect(report.first { $0.name == "anggaran_rp" }!.header == "Anggaran (Rp)")
    }

    @Test func strictMakesBadCellsErrors() throws {
        var options = opts()
        options.strict = true
        let d = diagnostic { _ = try loadFixture("lppd-2023.csv", options) }
        #expect(d?.kind == .csvBadValue(column: "realisasi", type: "an integer", text: "WTP"))
        #expect(place(d) ?? (0, 0) == (6, 15))
    }

    /// Excel for Mac's "CSV (Macintosh)": CR alone ends lines; `;` with decimal commas.
    @Test func crOnlyLineEnds() throws {
        let (t, n, cols) = try loadFixture("dana-desa-mac.csv", opts())
        #expect(n == 3)
        #expect(t.fields.map(\.name) == ["kabupaten", "pagu_dana_desa", "realisasi", "persen"])
        #expect(column(t, cols, "pagu_dana_desa") == [.int(123_456_000), .int(98_000_500), .int(45_678_000)])
        #expect(column(t, cols, "realisasi") == [.int(120_000_000), .int(49_000_250), .null])
        #expect(column(t, cols, "persen") == [.double(97.2), .double(50), .null])
    }

    @Test func lineEndsOfEveryKind() throws {
        for end in ["\n", "\r\n", "\r"] {
            let (_, n, cols) = try load(["a,b", "1,x", "2,\"y\"", "3,z"].joined(separator: end) + end)
            #expect(n == 3, "line end \(Array(end.utf8))")
            #expect(values(cols[1]) == [.text("x"), .text("y"), .text("z")])
        }
    }

    /// PAD of Java's local governments, with cents: the sum is exact to the cent, where adding
    /// the binary values one by one is a cent off (…726.07).
    @Test func moneyWithCentsSumsExactly() throws {
        let engine = try Engine().loadingCSV(at: fixture("pad-jawa-2023.csv"), as: "pad", options: opts())
        var session = engine.makeSession()
        let result = try session.run("pad | sum realisasi_rp").last!
        #expect(result[0, 0] == .double(18_106_462_798_726.06))
        let grouped = try session.run("pad | group by pemda sum(realisasi_rp) as total | sort total desc | limit 1").last!
        if case .double(let v) = grouped[0, 1] { #expect((v * 100).rounded() / 100 == v) } else { Issue.record("not a number") }
    }

    @Test func codesStayAsWritten() throws {
        let (t, _, cols) = try loadFixture("kode-rekening.csv", opts())
        #expect(t.fields.map(\.name) == ["kode", "uraian_program", "sub"])
        #expect(column(t, cols, "kode") == ["1", "1.02", "1.02.01", "2.10", "2.9"].map { .text($0) })
        #expect(column(t, cols, "sub") == ["01", "02", "10", "11", "12"].map { .text($0) })
        #expect(t.fields[2].notes.contains { $0.contains("'01' is a code") })
        // Dotted values alone, varying decimals with a trailing zero: section numbers.
        let (_, _, c2) = try load("bab,judul\n2.10,a\n2.9,b\n2.11,c\n")
        #expect(values(c2[0]) == [.text("2.10"), .text("2.9"), .text("2.11")])
    }

    /// Nothing in the file settles `1.500`: read with a decimal point, and said so, with how
    /// to read it the other way.
    @Test func ambiguousThousandsAreSaid() throws {
        let log = WarningLog()
        let (t, _, cols) = try loadFixture("indeks-ambigu.csv", log.options)
        #expect(values(cols[1]) == [.double(1.5), .double(2.25), .double(3.125)])
        let notes = log.all.compactMap { d -> String? in if case .dataNote(let s) = d.kind { return s }; return nil }
        #expect(notes.count == 1)
        #expect(notes.first?.contains("'1.500' could be 1500") == true)
        #expect(notes.first?.contains("--locale id") == true)
        #expect(t.fields[1].notes.contains { $0.contains("could be read either way") })
        // Asked for, the other reading.
        let (_, _, id) = try loadFixture("indeks-ambigu.csv", opts(.indonesian))
        #expect(values(id[1]) == [.int(1500), .int(2250), .int(3125)])
    }

    /// Another column of the file writes numbers the Indonesian way: that settles `1.500`.
    @Test func fileEvidenceSettlesAColumn() throws {
        let (_, _, cols) = try load("target;capaian\n1.500;98,40\n2.250;77,5\n")
        #expect(values(cols[0]) == [.int(1500), .int(2250)])
        let (_, _, c) = try load("target,capaian\n1.500,98.4\n2.250,77.5\n")
        #expect(values(c[0]) == [.double(1.5), .double(2.25)])
        // A four-digit value written without a dot: the dots are decimal points.
        let (_, _, d) = try load("nilai\n1.500\n2500\n")
        #expect(values(d[0]) == [.double(1.5), .double(2500)])
    }

    @Test func nullMarksInAnyColumn() throws {
        let (_, n, cols) = try load("a,b,c\n1,x,-\n–,—,n/a\nNA,null,#N/A\n4,\"-\",2.5\n")
        #expect(n == 4)
        #expect(values(cols[0]) == [.int(1), .null, .null, .int(4)])
        #expect(values(cols[1]) == [.text("x"), .null, .null, .null])
        #expect(values(cols[2]) == [.null, .null, .null, .double(2.5)])
    }

    /// Many cells that are not numbers: ten are listed, then a count; `.schema` says how many.
    @Test func badCellWarningsAreCapped() throws {
        let log = WarningLog()
        let (t, n, cols) = try loadFixture("capaian-wtp.csv", log.options)
        #expect(n == 200)
        #expect(t.fields[1].type == .double)
        #expect(values(cols[1]).filter { $0 == .null }.count == 13)
        let cells = log.all.filter { if case .csvNotANumber = $0.kind { return true }; return false }
        #expect(cells.count == 10)
        #expect(place(cells[0]) ?? (0, 0) == (16, 4))
        #expect(place(cells[1]) ?? (0, 0) == (31, 4))
        #expect(log.all.contains { $0.kind == .csvMoreNotNumbers(column: "capaian", count: 3) })
        let report = try t.columnReports()
        #expect(report[1].notes.contains { $0.hasPrefix("13 cells not a number") && $0.contains("capaian-wtp.csv:16:4") })
    }

    /// Too many cells that are not numbers further down: the column is text, as written.
    @Test func mostlyTextFurtherDownIsText() throws {
        let rows = (1...30).map { "\($0)" } + (1...30).map { "x\($0)" }
        let (_, _, cols) = try load("v\n" + rows.joined(separator: "\n") + "\n")
        #expect(cols[0].type == .text)
        #expect(values(cols[0]).first == .text("1"))
    }

    @Test func headersBecomeIdentifiers() throws {
        let log = WarningLog()
        let (t, _, cols) = try loadFixture("header-bentrok.csv", log.options)
        #expect(t.fields.map(\.name) == ["no", "nilai", "nilai_2", "pagu_rp", "uraian_program", "_2023", "column7"])
        #expect(t.fields[2].label == "nilai")
        #expect(values(cols[2]) == [.int(3)])
        let notes = log.all.compactMap { d -> String? in if case .dataNote(let s) = d.kind { return s }; return nil }
        #expect(notes == ["column 3 ('nilai') is named 'nilai_2': 'nilai' is already column 'Nilai'"])
        #expect(Field.identifier(forHeader: "  Capaian 2023 (%) ") == "capaian_2023")
        #expect(Field.identifier(forHeader: "Realisasi s/d Triwulan-IV") == "realisasi_s_d_triwulan_iv")
    }

    /// Files of one folder that map to one table name both load, under distinct names.
    @Test func sameTableNameBothLoad() throws {
        let dir = makeTempDir()
        _ = writeFile(dir, "realisasi-2023.csv", "a\n1\n")
        _ = writeFile(dir, "realisasi_2023.csv", "a\n2\n")
        _ = writeFile(dir, "Data.csv", "a\n3\n")
        _ = writeFile(dir, "data.csv", "a\n4\n")
        let log = WarningLog()
        let engine = try Engine().loadingDirectory(dir, options: log.options)
        var session = engine.makeSession()
        #expect(try session.run("realisasi_2023 | sum a").last![0, 0] == .int(1))
        #expect(try session.run("realisasi_2023_2 | sum a").last![0, 0] == .int(2))
        #expect(try session.run("data | sum a").last![0, 0] == .int(3))
        #expect(try session.run("data_2 | sum a").last![0, 0] == .int(4))
        let notes = log.all.compactMap { d -> String? in if case .dataNote(let s) = d.kind { return s }; return nil }
        #expect(notes.contains("'realisasi_2023.csv' is loaded as table 'realisasi_2023_2': 'realisasi_2023' is already 'realisasi-2023.csv'"))
        #expect(notes.contains("'data.csv' is loaded as table 'data_2': 'data' is already 'Data.csv'"))
    }

    @Test func titleRowsSkipped() throws {
        var options = opts()
        options.skipRows = 2
        let (t, n, cols) = try load("LAPORAN REALISASI\nTahun 2023\nkode;nilai\n1;98,5\n", options)
        #expect(t.fields.map(\.name) == ["kode", "nilai"])
        #expect(n == 1)
        #expect(values(cols[1]) == [.double(98.5)])
    }

    /// Text that looks alike groups as one: NFC (`é` one character or `e` plus an accent).
    @Test func textIsNormalized() throws {
        let (_, _, cols) = try load("nama\nKab. Pidie Jaya\u{0301}\nKab. Pidie Jay\u{00E1}\n")
        #expect(values(cols[0]) == [.text("Kab. Pidie Jay\u{00E1}"), .text("Kab. Pidie Jay\u{00E1}")])
        if case .text(_, let dictionary) = cols[0].storage { #expect(dictionary.count == 1) }
    }

    /// A read of the rows reports its progress, from every thread, then once finished.
    @Test func progressIsReported() throws {
        let dir = makeTempDir()
        let path = makeBigCSV(dir)
        final class Reports: @unchecked Sendable {
            let lock = NSLock()
            var all: [CSVOptions.Progress] = []
        }
        let reports = Reports()
        var options = opts()
        options.onProgress = { p in reports.lock.lock(); reports.all.append(p); reports.lock.unlock() }
        let table = try CSVReader.open(path: path, name: "big", options: options)
        #expect(try table.rowCount() == 200_000)
        let last = try #require(reports.all.last)
        #expect(last.finished)
        #expect(last.bytesRead == last.totalBytes)
        #expect(reports.all.count >= 2)
        #expect(reports.all.dropLast().allSatisfy { !$0.finished && $0.bytesRead <= $0.totalBytes })
    }

    /// With Indonesian output, `6.652` typed in a query is warned about, showing both readings.
    @Test func literalsThatReadTwoWays() {
        let warnings = IndonesianLiterals.warnings(in: "capaian where target > 6.652 and capaian < 98.40 or x = 1.5", sourceName: "-e")
        #expect(warnings.count == 1)
        #expect(warnings.first?.isWarning == true)
        #expect(warnings.first?.column == 24)
        #expect(warnings.first?.message == "'6.652' in a query is 6.652 (a decimal point, as always in LKQ), not 6652 as Indonesian output writes it; for 6652 write 6652")
    }

    /// A cache written by one read gives the same labels, notes and bad cells to the next.
    @Test func cacheKeepsWhatInferenceFound() throws {
        let dir = makeTempDir()
        let path = writeFile(dir, "lppd.csv", try String(contentsOfFile: fixture("lppd-2023.csv"), encoding: .utf8))
        var options = opts(cache: true)
        options.cacheDirectory = dir + "/cache"
        // A file just written is cached at once here (it is not written again under the test).
        options.settleTime = 0
        let first = try CSVReader.open(path: path, name: "t", options: options)
        _ = try first.columnReports()
        let log = WarningLog()
        options.onWarning = { log.add($0) }
        let second = try CSVReader.open(path: path, name: "t", options: options)
        #expect(second.fields.map(\.displayName) == first.fields.map(\.displayName))
        #expect(second.fields.map(\.notes) == first.fields.map(\.notes))
        #expect(try second.columnReports() == (try first.columnReports()))
        // The column with a bad cell is read from the file again (the cache does not hold its
        // warnings), so the warning is said again; the others come from the cache.
        #expect(log.all.contains { $0.kind == .csvNotANumber(column: "realisasi", text: "WTP") })
        let source = try CSVSource(path: path, options: options)
        #expect(source.openedFromCache)
    }
}

/// Found by the differential tester: a decimal column whose values carry an exponent or a sign
/// (`-2.5e+300`, the last digit 0) was taken for dotted codes with trailing zeros, and read as
/// text. A code is digits and points only.
@Suite struct SignedAndExponentDecimalsAreNumbers {
    @Test func exponentEndingInZeroIsNotACode() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lkq-exp-\(getpid()).csv").path
        try "x\n1.5\n-0.0\n123456.789\n-2.5e+300\n0.5\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let table = try CSVReader.open(path: path, name: "t", options: opts())
        let (_, cols) = try table.store.load([0])
        #expect(cols[0].type == .double)
        #expect(values(cols[0]).last == .double(0.5))
    }
}
