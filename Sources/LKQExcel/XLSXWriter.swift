import CXLSXWriter
import Foundation
import LKQ

/// Writes query results as an `.xlsx` workbook with libxlsxwriter, one sheet per result.
///
/// Numbers are written as numbers (an integer beyond 2^53 as text, since a cell holds a
/// double and would change it); rupiah with an `Rp` thousands format (`Rp 9,051,591,780` in an
/// English Excel, `Rp 9.051.591.780` in an Indonesian one: the separators are Excel's); columns
/// read as percentages as percentages (98.4 is written 0.984 formatted `0.00%`, so Excel
/// shows 98.40%); text as text; null as an empty cell. The header row is bold and frozen, and
/// each column is as wide as its longest value (at most 60 characters).
public enum WorkbookWriter {
    /// Writes `sheets` (a name and a result each) to `path`, replacing the file.
    public static func write(_ sheets: [(name: String, result: QueryResult)], to path: String) throws(LKQError) {
        guard let book = workbook_new(path) else {
            throw LKQError(fileUnreadable: path, reason: "cannot create the workbook there; is the folder writable?")
        }
        let bold = workbook_add_format(book)
        format_set_bold(bold)
        let rupiah = workbook_add_format(book)
        format_set_num_format(rupiah, "\"Rp\" #,##0")
        let rupiahCents = workbook_add_format(book)
        format_set_num_format(rupiahCents, "\"Rp\" #,##0.00")
        let percent = workbook_add_format(book)
        format_set_num_format(percent, "0.00%")
        var used = Set<String>()
        for (name, result) in sheets {
            let sheet = workbook_add_worksheet(book, sheetName(name, used: &used))
            var widths = result.fields.map { $0.displayName.count }
            for (c, field) in result.fields.enumerated() {
                worksheet_write_string(sheet, 0, lxw_col_t(c), field.displayName, bold)
            }
            for r in 0..<result.rowCount {
                let row = lxw_row_t(r + 1)
                for (c, field) in result.fields.enumerated() {
                    let col = lxw_col_t(c)
                    var shown = 0
                    switch result[r, c] {
                    case .null: break
                    case .text(let s):
                        worksheet_write_string(sheet, row, col, s, nil)
                        shown = s.count
                    case .int(let v):
                        if Swift.abs(v) > 1 << 53 {
                            worksheet_write_string(sheet, row, col, String(v), nil)
                        } else {
                            worksheet_write_number(sheet, row, col, Double(v), field.isRupiah || field.unit == .rupiah ? rupiah : nil)
                        }
                        shown = String(v).count + (field.isRupiah ? String(v).count / 3 + 3 : 0)
                    case .double(let v):
                        if field.unit == .percent {
                            worksheet_write_number(sheet, row, col, v / 100, percent)
                        } else {
                            worksheet_write_number(sheet, row, col, v, field.unit == .rupiah ? rupiahCents : nil)
                        }
                        shown = min(Value.double(v).description.count + 2, 20)
                    }
                    widths[c] = max(widths[c], shown)
                }
            }
            for (c, w) in widths.enumerated() {
                worksheet_set_column(sheet, lxw_col_t(c), lxw_col_t(c), Double(min(max(w, 4), 60) + 2), nil)
            }
            worksheet_freeze_panes(sheet, 1, 0)
        }
        let status = workbook_close(book)
        if status != LXW_NO_ERROR {
            throw LKQError(fileUnreadable: path, reason: "cannot write the workbook: \(String(cString: lxw_strerror(status)))")
        }
    }

    /// A sheet name Excel takes: no `[]:*?/\`, at most 31 characters, not used before.
    static func sheetName(_ name: String, used: inout Set<String>) -> String {
        var base = String(name.map { "[]:*?/\\".contains($0) ? "_" : $0 }.prefix(31))
        if base.isEmpty { base = "Hasil" }
        var chosen = base
        var k = 2
        while used.contains(chosen.lowercased()) {
            let suffix = " (\(k))"
            chosen = String(base.prefix(31 - suffix.count)) + suffix
            k += 1
        }
        used.insert(chosen.lowercased())
        return chosen
    }
}
