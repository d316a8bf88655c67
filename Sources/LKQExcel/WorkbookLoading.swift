import Foundation
import LKQ

/// How to read a workbook, beyond what every file takes (``CSVOptions``: number style, strict,
/// warnings).
public struct WorkbookOptions: Sendable {
    /// Only this sheet (its name as in the workbook, any case); `nil` for every sheet.
    public var sheet: String?
    /// The header's row number as Excel shows it; `nil` to find it (see ``SheetTable``).
    public var headerRow: Int?
    /// Creates options; by default every sheet, headers found.
    public init(sheet: String? = nil, headerRow: Int? = nil) {
        self.sheet = sheet
        self.headerRow = headerRow
    }
}

extension Engine {
    /// A copy of this engine with the sheets of the `.xlsx` workbook at `path` added as tables:
    /// each sheet as `book_sheet` (the file's table name, then the sheet's), or, when one sheet
    /// is loaded (the workbook has one, or `workbook.sheet` names it), as `name` or the file's
    /// table name. Sheets with no cells are left out; a sheet with target and realisasi but no
    /// capaian gets it computed, as a CSV file does. Cells are read with the inference CSV
    /// files get (``Table/inferring(from:name:origin:path:options:)``); warnings name the cell
    /// (`Rekap!D17`).
    public func loadingWorkbook(at path: String, as name: String? = nil, workbook: WorkbookOptions = .init(),
                                options: CSVOptions = .init()) throws(LKQError) -> Engine {
        let book = try XLSX.read(path: path)
        var sheets = book.sheets.filter { !$0.rows.isEmpty }
        if let wanted = workbook.sheet {
            guard let sheet = book.sheets.first(where: { $0.name.lowercased() == wanted.lowercased() }) else {
                throw LKQError(fileUnreadable: path, reason: "it has no sheet '\(wanted)'; its sheets: \(book.sheets.map(\.name).joined(separator: ", "))")
            }
            sheets = [sheet]
        }
        guard !sheets.isEmpty else { throw LKQError(fileUnreadable: path, reason: "its sheets are empty") }
        let base = name ?? Engine.tableName(forFile: path)
        var engine = self
        for sheet in sheets {
            let table = try SheetTable(sheet: sheet, styles: book.styles, headerRow: workbook.headerRow, path: path)
            let tableName = sheets.count == 1 ? base : base + "_" + Field.identifier(forHeader: sheet.name)
            let loaded = try Table.inferring(from: table, name: tableName, origin: path + " (" + sheet.name + ")", path: path,
                                             options: options)
            // As for CSV files: target and realisasi without capaian get it computed.
            engine = engine.adding(loaded.addingCapaian(rumus: options.rumusNegatif) ?? loaded)
        }
        return engine
    }
}

/// One sheet as a table source: the header row found (or given), merged header cells spread
/// over the columns they cover, a second header row under merged group headers joined to them
/// (`Anggaran` over `Pagu` is `Anggaran Pagu`), then one row per row of data below.
///
/// The header row, unless given, is the first of the top 30 rows that fills at least half of
/// the sheet's widest row there with text: title rows above it (one merged cell, `LAPORAN
/// REALISASI ANGGARAN 2023`) are passed over. Rows with no cells are left out.
struct SheetTable: TableSource {
    let headers: [String]
    let rowCount: Int
    private let sheetName: String
    private let headerRowNumber: Int
    private let columnNumbers: [Int]
    private let rowNumbers: [Int]
    private let cellsByColumn: [[SourceCell]]
    private let units: [Field.Unit?]

    init(sheet: XLSX.Sheet, styles: [XLSX.StyleKind], headerRow: Int?, path: String) throws(LKQError) {
        sheetName = sheet.name
        // Merged ranges give their top-left value to every cell they cover.
        var rows = sheet.rows
        for m in sheet.merges {
            guard let value = rows[m.r1]?[m.c1] else { continue }
            for r in m.r1...m.r2 { for c in m.c1...m.c2 where !(r == m.r1 && c == m.c1) { rows[r, default: [:]][c] = value } }
        }
        let numbers = rows.keys.sorted()
        func isText(_ cell: XLSX.Raw) -> Bool { if case .text(let s) = cell { return !s.trimmingCharacters(in: .whitespaces).isEmpty }; return false }
        var header: Int
        if let headerRow {
            guard rows[headerRow] != nil else {
                throw LKQError(fileUnreadable: path, reason: "sheet '\(sheet.name)' has nothing in row \(headerRow), given as its header row")
            }
            header = headerRow
        } else {
            let top = numbers.prefix(30)
            // Count each row's cells by the original sheet, so a merged title does not look wide.
            let widest = top.map { sheet.rows[$0]?.count ?? 0 }.max() ?? 0
            header = top.first { r in
                let own = sheet.rows[r] ?? [:]
                let texts = (rows[r] ?? [:]).values.filter(isText).count
                return own.count * 2 >= widest && texts * 2 >= max(1, (rows[r] ?? [:]).count) && texts >= min(2, widest)
            } ?? numbers[0]
        }
        let headerCells = rows[header] ?? [:]
        var columns = Set(headerCells.keys)
        for r in numbers where r > header { columns.formUnion(rows[r]!.keys) }
        columnNumbers = columns.sorted()
        func text(_ cell: XLSX.Raw?) -> String {
            switch cell {
            case .text(let s): return s.trimmingCharacters(in: .whitespacesAndNewlines)
            case .number(let v, _): return v == v.rounded() ? String(Int64(v)) : "\(v)"
            case nil: return ""
            }
        }
        var labels = columnNumbers.map { text(headerCells[$0]) }
        // A second header row: under a header merged across columns, text in the row below.
        var dataStart = header + 1
        let grouped = sheet.merges.filter { $0.r1 == header && $0.c2 > $0.c1 }
        if !grouped.isEmpty, let below = rows[header + 1],
           grouped.allSatisfy({ m in (m.c1...m.c2).allSatisfy { below[$0].map(isText) ?? false } }) {
            for (i, c) in columnNumbers.enumerated() {
                let sub = text(below[c])
                let spansDown = sheet.merges.contains { $0.r1 == header && $0.r2 > header && $0.c1 <= c && c <= $0.c2 }
                if !sub.isEmpty && !spansDown && sub != labels[i] { labels[i] = labels[i].isEmpty ? sub : labels[i] + " " + sub }
            }
            dataStart = header + 2
        }
        headers = labels
        headerRowNumber = header
        rowNumbers = numbers.filter { $0 >= dataStart }
        rowCount = rowNumbers.count
        var byColumn: [[SourceCell]] = []
        var units: [Field.Unit?] = []
        for c in columnNumbers {
            var percent = 0, numbers = 0
            let cells = rowNumbers.map { r -> SourceCell in
                switch rows[r]?[c] {
                case nil: return .empty
                case .text(let s): return .text(s)
                case .number(let v, let style):
                    let kind = style < styles.count ? styles[style] : .plain
                    switch kind {
                    case .date: return .text(XLSX.isoDate(v))
                    case .percent:
                        percent += 1; numbers += 1
                        // The number the sheet shows (98.4 for 98,40%), exact to what it stores.
                        return .number((v * 100 * 1e9).rounded() / 1e9)
                    case .plain:
                        numbers += 1
                        return .number(v)
                    }
                }
            }
            byColumn.append(cells)
            units.append(numbers > 0 && percent * 2 > numbers ? .percent : nil)
        }
        cellsByColumn = byColumn
        self.units = units
    }

    func cells(ofColumn column: Int) -> [SourceCell] { cellsByColumn[column] }

    func place(row: Int, column: Int) -> String {
        let r = row >= 0 && row < rowNumbers.count ? rowNumbers[row] : headerRowNumber
        return "\(sheetName)!\(XLSX.columnLetters(columnNumbers[column]))\(r)"
    }

    func unit(ofColumn column: Int) -> Field.Unit? { units[column] }
}
