import LKQ
import LKQExcel

/// Results written to an `.xlsx` workbook instead of printed (`--format xlsx --output FILE`,
/// `.mode xlsx FILE`): one sheet per result, the workbook written again after each, so the file
/// is complete whenever lkq stops.
final class WorkbookOutput {
    let path: String
    private var sheets: [(name: String, result: QueryResult)] = []

    init(path: String) { self.path = path }

    /// Adds `result` as the next sheet (`Hasil 1`, `Hasil 2`, ...) and writes the workbook.
    func add(_ result: QueryResult) throws(LKQError) {
        sheets.append(("Hasil \(sheets.count + 1)", result))
        try WorkbookWriter.write(sheets, to: path)
    }

    /// Whether `path` names a workbook (ends in `.xlsx`).
    static func isWorkbook(_ path: String) -> Bool { path.lowercased().hasSuffix(".xlsx") }
}
