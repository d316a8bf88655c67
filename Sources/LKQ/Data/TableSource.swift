import Foundation

/// One cell as a format other than CSV hands it over.
public enum SourceCell: Sendable, Equatable {
    case empty
    /// A number the format stores as a number (an Excel numeric cell).
    case number(Double)
    /// Text, to be read with the same inference as a CSV field: "no value" marks, numbers stored
    /// as text (`1.500`, `98,40%`, `Rp 1.476`), codes (`01`).
    case text(String)
}

/// A table of cells in memory from any format (a sheet of a workbook): headers, cells by column,
/// where each cell is (for messages) and what the format says about a column's unit.
/// ``Table/inferring(from:name:origin:path:options:)`` reads it with the inference CSV files get;
/// CSV files have a streaming reader of their own (``CSVReader``) that shares that inference
/// (`CSVReader.ColumnStats`, `CSVNumbers`, ``Field/identifiers(forHeaders:)``).
public protocol TableSource {
    /// The headers as written; identifiers are made from them.
    var headers: [String] { get }
    /// Rows of data.
    var rowCount: Int { get }
    /// The cells of column `column`, `rowCount` of them, top to bottom.
    func cells(ofColumn column: Int) -> [SourceCell]
    /// Where a cell is, as the format names it (`Rekap!D17`).
    func place(row: Int, column: Int) -> String
    /// The unit the format marks a column with (a percent number format), if any.
    func unit(ofColumn column: Int) -> Field.Unit?
}

extension Table {
    /// A table from a ``TableSource``, read as CSV files are: identifiers from the headers (the
    /// headers kept as labels), "no value" marks null in any column, numbers stored as text
    /// read with the number style the column's values (and the other columns') show, codes kept
    /// as text, a numeric column keeping its type past a few cells that are not numbers (each
    /// null, with a warning at its cell to `options.onWarning`; `options.strict` makes the first
    /// an error), text trimmed and in NFC.
    ///
    /// - Parameters:
    ///   - origin: where the table came from, shown by `.tables` (`book.xlsx (Rekap)`).
    ///   - path: the file named in messages before the cell's place; `origin` when `nil`.
    public static func inferring(from source: some TableSource, name: String, origin: String, path: String? = nil,
                                 options: CSVOptions = .init()) throws(LKQError) -> Table {
        let file = path ?? origin
        let (names, renamed) = Field.identifiers(forHeaders: source.headers)
        let columns = source.headers.indices.map { source.cells(ofColumn: $0) }
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 512)
        defer { scratch.deallocate() }
        var stats = [CSVReader.ColumnStats](repeating: CSVReader.ColumnStats(), count: names.count)
        for (c, cells) in columns.enumerated() {
            for cell in cells {
                switch cell {
                case .empty: continue
                case .number(let v): stats[c].sawNumber(isWhole: v == v.rounded() && Swift.abs(v) < 9.0e15)
                case .text(let s):
                    var bytes = Array(s.utf8)
                    while let f = bytes.first, csvIsSpace(f) || f == 10 || f == 13 { bytes.removeFirst() }
                    while let l = bytes.last, csvIsSpace(l) || l == 10 || l == 13 { bytes.removeLast() }
                    if bytes.count > 200 { stats[c].sawText(); continue }
                    bytes.withUnsafeBufferPointer { b in
                        stats[c].see(b.baseAddress ?? UnsafePointer(scratch), b.count, scratch)
                    }
                }
            }
        }
        // A comma in a cell is never a separator here: `1,234` counts as a decimal comma.
        let evidence = CSVReader.FileEvidence(stats: stats, names: names, separator: 59)
        var fields: [Field] = []
        var built: [Column] = []
        for (c, cells) in columns.enumerated() {
            var decision = stats[c].decide(options.locale, separator: 59, name: names[c], file: evidence)
            if let warning = decision.warning, let handler = options.onWarning {
                handler(LKQError(Diagnostic(.dataNote(warning), .cell(path: file, place: source.place(row: 0, column: c)))))
            }
            let formatUnit = source.unit(ofColumn: c)
            if decision.type != .text, let formatUnit, decision.unit == nil {
                decision.unit = formatUnit
                decision.notes.append(formatUnit == .percent ? "percentages: a percent format in the workbook" : "rupiah")
            }
            let (column, badNote) = try convert(cells, decision: decision, column: c, name: names[c], source: source,
                                                file: file, options: options, scratch: scratch)
            let rupiah = decision.unit == .rupiah || (decision.unit == nil && Field.looksLikeRupiah(names[c], besides: names))
            var notes = (badNote.map { [$0] } ?? []) + decision.notes
            if column.type == .text { notes.append("text: blanks around values taken off") }
            fields.append(Field(name: names[c], type: column.type, isRupiah: rupiah, label: source.headers[c],
                                unit: decision.unit ?? (rupiah && column.type == .int ? .rupiah : nil), notes: notes))
            built.append(column)
        }
        if let handler = options.onWarning {
            for note in renamed { handler(LKQError(Diagnostic(.dataNote(note), .cell(path: file, place: source.place(row: -1, column: 0))))) }
        }
        return Table(name: name.lowercased(), fields: fields, measure: nil, origin: origin,
                     store: ColumnStore(count: source.rowCount, columns: built))
    }

    private static func convert(_ cells: [SourceCell], decision: CSVReader.ColumnStats.Decision, column c: Int, name: String,
                                source: some TableSource, file: String, options: CSVOptions,
                                scratch: UnsafeMutablePointer<UInt8>) throws(LKQError) -> (Column, String?) {
        if decision.type == .text {
            return (Column.texts(cells.map { cell -> String? in
                switch cell {
                case .empty: return nil
                case .number(let v): return v == v.rounded() && Swift.abs(v) < 9.0e15 ? String(Int64(v)) : "\(v)"
                case .text(let s):
                    // Trimmed only when it needs it: Foundation's trimming costs a microsecond a cell.
                    let t = s.first.map { $0.isWhitespace } == true || s.last.map { $0.isWhitespace } == true
                        ? s.trimmingCharacters(in: .whitespacesAndNewlines) : s
                    if t.isEmpty { return nil }
                    if t.utf8.count <= 4 {
                        let isMark = Array(t.utf8).withUnsafeBufferPointer { CSVNumbers.isNullMark($0.baseAddress!, $0.count) }
                        if isMark { return nil }
                    }
                    return t
                }
            }).nfcText(), nil)
        }
        var values = [Double?](repeating: nil, count: cells.count)
        var bad = 0
        var reported: [Diagnostic] = []
        for (r, cell) in cells.enumerated() {
            switch cell {
            case .empty: continue
            case .number(let v): values[r] = v
            case .text(let s):
                var bytes = Array(s.utf8)
                let parsed: Double?? = bytes.withUnsafeMutableBufferPointer { b -> Double?? in
                    guard let p = b.baseAddress, b.count > 0 else { return .some(nil) }
                    if CSVNumbers.isNullMark(p, b.count) { return .some(nil) }
                    var affixes = CSVNumbers.Affixes()
                    let (start, count) = CSVNumbers.stripAffixes(p, b.count, &affixes)
                    if count == 0 { return .some(nil) }
                    var q = UnsafePointer(p + start), m = count
                    if decision.locale == .indonesian {
                        var flags = CSVNumbers.IndoFlags()
                        m = CSVNumbers.normalizeIndonesian(q, m, scratch, 256, &flags)
                        if m < 0 { return nil }
                        q = UnsafePointer(scratch)
                    }
                    guard let v = CSVNumbers.parseDouble(q, m) else { return nil }
                    return .some(v)
                }
                switch parsed {
                case .some(let v): values[r] = v
                case .none:
                    let text = s.trimmingCharacters(in: .whitespacesAndNewlines)
                    let place = Diagnostic(.csvNotANumber(column: name, text: text), .cell(path: file, place: source.place(row: r, column: c)))
                    if options.strict {
                        throw LKQError(Diagnostic(.csvBadValue(column: name, type: decision.type.article, text: text), place.location))
                    }
                    bad += 1
                    if reported.count < CSVReader.BadCells.kept { reported.append(place) }
                }
            }
        }
        if let handler = options.onWarning {
            let summary = CSVReader.BadCells(count: bad, first: reported)
            for w in summary.warnings { handler(LKQError(w)) }
        }
        var note: String?
        if bad > 0, let first = reported.first, case .cell(_, let place) = first.location,
           case .csvNotANumber(_, let text) = first.kind {
            note = "\(bad) \(bad == 1 ? "cell" : "cells") not a number, read as null; the first: '\(text)' at \(place)"
        }
        let whole = values.allSatisfy { v in v.map { $0 == $0.rounded() && Swift.abs($0) < 9.0e15 } ?? true }
        if decision.type == .int && whole { return (.ints(values.map { $0.map { Int64($0) } }), note) }
        return (.doubles(values), note)
    }
}
