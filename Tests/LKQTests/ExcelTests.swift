import Foundation
import Testing
@testable import LKQ
@testable import LKQExcel

/// Runs `python3` with `script` and returns its standard output; `nil` when Python is missing.
func python(_ script: String, arguments: [String] = []) throws -> (status: Int32, stdout: String, stderr: String)? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    do { try process.run() } catch { return nil }
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// Makes sure openpyxl can be imported, installing it with pip when it is missing.
func haveOpenpyxl() throws -> Bool {
    if let r = try python("import openpyxl"), r.status == 0 { return true }
    guard let install = try python("import subprocess, sys; sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install', '-q', 'openpyxl']))"),
          install.status == 0 else { return false }
    return (try python("import openpyxl"))?.status == 0
}

@Suite struct ExcelFiles {
    /// A workbook as offices send them (made by openpyxl: Fixtures/make-realisasi-xlsx.py):
    /// a merged title, a two-row header with "Anggaran" merged over "Pagu" and "Realisasi",
    /// numbers stored as text, a percent format, dates, "-" and a stray "WTP".
    @Test func readsAnOfficeWorkbook() throws {
        let log = WarningLog()
        let engine = try Engine().loadingWorkbook(at: fixture("realisasi-2023.xlsx"), options: log.options)
        let rekap = try #require(engine.table(named: "realisasi_2023_rekap"))
        #expect(rekap.fields.map(\.name) == ["no", "kabupaten", "anggaran_pagu", "anggaran_realisasi", "serapan", "tanggal_laporan"])
        #expect(rekap.fields.map(\.displayName) == ["No", "Kabupaten", "Anggaran Pagu", "Anggaran Realisasi", "Serapan", "Tanggal Laporan"])
        let (n, cols) = try rekap.store.load(Array(rekap.fields.indices))
        #expect(n == 4)
        #expect(values(cols[0]) == [.int(1), .int(2), .int(3), .int(4)])
        #expect(values(cols[1]) == ["Kupang", "Timor Tengah Selatan", "Belu", "Alor"].map { .text($0) })
        // Stored as text with Indonesian thousands; "WTP" is null, warned at its cell.
        #expect(values(cols[2]) == [.int(1_476_000_000), .int(9_051_591_780), .int(873_000_000), .null])
        #expect(values(cols[3]) == [.double(1_200_000_000), .double(8_500_000_000.5), .null, .double(500_000_000)])
        // 81.30% is stored as 0.813: the column holds what the sheet shows.
        #expect(values(cols[4]) == [.double(81.3), .double(93.91), .null, .double(100)])
        #expect(rekap.fields[4].unit == .percent)
        #expect(values(cols[5]) == ["2023-12-31", "2024-01-15", "2024-01-02", "2024-02-29"].map { .text($0) })
        let cells = log.all.filter { if case .csvNotANumber = $0.kind { return true }; return false }
        #expect(cells.count == 1)
        if case .cell(let path, let place)? = cells.first?.location {
            #expect(place == "Rekap!C8")
            #expect(path.hasSuffix("realisasi-2023.xlsx"))
        } else {
            Issue.record("not located at a cell: \(String(describing: cells.first))")
        }
        #expect(rekap.fields[2].notes.contains { $0.contains("'WTP' at Rekap!C8") })
        // The second sheet: codes with a leading zero stay text.
        let catatan = try #require(engine.table(named: "realisasi_2023_catatan"))
        let (_, c2) = try catatan.store.load([0, 1])
        #expect(values(c2[0]) == [.text("01"), .text("02")])
    }

    @Test func oneSheetByNameAndHeaderRowGiven() throws {
        let engine = try Engine().loadingWorkbook(at: fixture("realisasi-2023.xlsx"), as: "r",
                                                  workbook: WorkbookOptions(sheet: "catatan"), options: opts())
        #expect(engine.table(named: "r")?.fields.map(\.name) == ["kode", "keterangan"])
        let missing = diagnostic { _ = try Engine().loadingWorkbook(at: fixture("realisasi-2023.xlsx"), workbook: WorkbookOptions(sheet: "x")) }
        #expect(missing?.message.contains("its sheets: Rekap, Catatan") == true)
        var strict = opts()
        strict.strict = true
        let error = diagnostic { _ = try Engine().loadingWorkbook(at: fixture("realisasi-2023.xlsx"), options: strict) }
        #expect(error?.kind == .csvBadValue(column: "anggaran_pagu", type: "an integer", text: "WTP"))
    }

    @Test func notAWorkbook() throws {
        let dir = makeTempDir()
        let path = writeFile(dir, "palsu.xlsx", "kode,nilai\n1,2\n")
        #expect(diagnostic { _ = try Engine().loadingWorkbook(at: path) }?.message.contains("not a zip file") == true)
        #expect(diagnostic { _ = try Engine().loadingWorkbook(at: dir + "/tidak-ada.xlsx") }?.kind == .fileNotFound(dir + "/tidak-ada.xlsx"))
    }

    @Test func cellReferences() {
        #expect(XLSX.cellReference("D17")! == (17, 4))
        #expect(XLSX.cellReference("$AA$3")! == (3, 27))
        #expect(XLSX.columnLetters(28) == "AB")
        #expect(XLSX.isoDate(45291) == "2023-12-31")
        #expect(XLSX.isoDate(45351.5) == "2024-02-29 12:00")
    }

    /// A workbook LKQ writes opens in openpyxl with the same values and types: numbers as
    /// numbers (rupiah with a thousands format, percentages as percentages), text as text, null
    /// as empty, the header frozen.
    @Test func writtenWorkbookReadsBackInOpenpyxl() throws {
        guard try haveOpenpyxl() else {
            Issue.record("openpyxl is missing and pip could not install it")
            return
        }
        let dir = makeTempDir()
        let csv = writeFile(dir, "lppd.csv", try String(contentsOfFile: fixture("lppd-2023.csv"), encoding: .utf8))
        // The table's own fields, with their labels and units (a query's result keeps them as
        // far as the evaluator passes them on).
        let table = try CSVReader.open(path: csv, name: "lppd", options: opts())
        let (_, cols) = try table.store.load(Array(table.fields.indices))
        let keep = ["no", "provinsi", "target", "realisasi", "capaian", "anggaran_rp"].map { table.fieldIndex($0)! }
        let result = QueryResult(fields: keep.map { table.fields[$0].with(type: cols[$0].type) }, columns: keep.map { cols[$0] },
                                 measure: nil)
        let out = dir + "/hasil.xlsx"
        try WorkbookWriter.write([("Hasil 1", result), ("Hasil 1", result)], to: out)
        let script = """
        import json, sys, openpyxl
        wb = openpyxl.load_workbook(sys.argv[1])
        ws = wb.worksheets[0]
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        formats = [c.number_format for c in ws[2]]
        print(json.dumps({"sheets": wb.sheetnames, "rows": rows, "formats": formats, "freeze": ws.freeze_panes}))
        """
        let r = try #require(try python(script, arguments: [out]))
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(json["sheets"] as? [String] == ["Hasil 1", "Hasil 1 (2)"])
        #expect(json["freeze"] as? String == "A2")
        let rows = json["rows"] as! [[Any]]
        #expect(rows[0].map { "\($0)" } == ["No", "Provinsi", "Target", "Realisasi", "Capaian (%)", "Anggaran (Rp)"])
        #expect(rows.count == 6)
        #expect(rows[1][1] as? String == "Provinsi Aceh")
        #expect((rows[1][2] as? NSNumber)?.int64Value == 1500)
        #expect((rows[1][5] as? NSNumber)?.int64Value == 9_051_591_780)
        #expect(((rows[1][4] as? NSNumber)?.doubleValue ?? 0) == 0.984)
        #expect(rows[5][3] is NSNull)
        let formats = json["formats"] as! [String]
        #expect(formats[5] == "\"Rp\" #,##0")
        #expect(formats[4] == "0.00%")
        #expect(formats[1] == "General")
    }
}
