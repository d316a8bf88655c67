import CExpat
import CMinizip
import Foundation
import LKQ

/// Reads `.xlsx` workbooks (Office Open XML spreadsheets): minizip opens the zip container and
/// expat streams each XML part; this file knows what the parts mean.
///
/// What is read: every worksheet's cells (numbers, shared and inline strings, booleans as
/// `TRUE`/`FALSE`, formula results as cached in the file, error values such as `#N/A` as text,
/// which the inference treats as "no value"), merged ranges, and the number format of each
/// cell, which decides two things:
/// - a date or time format makes the cell ISO text (`2023-12-31`, or `2023-12-31 08:30` with
///   a time), which sorts in time order and compares with a quoted date; LKQ has no date type;
/// - a percent format (`0.00%`) makes the cell the number shown: the stored 0.984 is 98.4, as
///   `98,40%` in a CSV file is, and the column's unit is percent.
enum XLSX {
    /// One cell as stored.
    enum Raw {
        case number(Double, style: Int)
        case text(String)
    }

    struct Sheet {
        var name: String
        /// Row number (1-based, as Excel shows it) to column number (1-based) to cell.
        var rows: [Int: [Int: Raw]] = [:]
        /// Merged ranges: first and last row and column, 1-based.
        var merges: [(r1: Int, c1: Int, r2: Int, c2: Int)] = []
    }

    /// What a cell style's number format means for its value.
    enum StyleKind { case plain, date, percent }

    struct Book {
        var sheets: [Sheet]
        var styles: [StyleKind]
    }

    static func fail(_ path: String, _ reason: String) -> LKQError {
        LKQError(fileUnreadable: path, reason: reason)
    }

    /// Reads the whole workbook at `path`.
    static func read(path: String) throws(LKQError) -> Book {
        guard FileManager.default.fileExists(atPath: path) else { throw LKQError(fileNotFound: path) }
        guard let zip = unzOpen64(path) else { throw fail(path, "it is not an .xlsx workbook (not a zip file)") }
        defer { unzClose(zip) }
        func part(_ name: String) throws(LKQError) -> [UInt8]? {
            guard unzLocateFile(zip, name, 2) == UNZ_OK else { return nil }
            guard unzOpenCurrentFile(zip) == UNZ_OK else { throw fail(path, "cannot open its part \(name)") }
            defer { unzCloseCurrentFile(zip) }
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { unzReadCurrentFile(zip, $0.baseAddress, UInt32($0.count)) }
                if n < 0 { throw fail(path, "its part \(name) is damaged") }
                if n == 0 { break }
                out.append(contentsOf: buffer[0..<Int(n)])
            }
            return out
        }
        guard let workbook = try part("xl/workbook.xml") else {
            throw fail(path, "it has no xl/workbook.xml; is it an .xlsx workbook (not .xls or .ods)?")
        }
        // Sheets in workbook order, with the relationship that names their part.
        var sheetRefs: [(name: String, rel: String)] = []
        try parse(workbook, path: path) { name, attrs in
            if name == "sheet", let n = attrs["name"], let rel = attrs["r:id"] ?? attrs.first(endingWith: ":id") {
                sheetRefs.append((n, rel))
            }
        }
        var targets: [String: String] = [:]
        if let rels = try part("xl/_rels/workbook.xml.rels") {
            try parse(rels, path: path) { name, attrs in
                if name == "Relationship", let id = attrs["Id"], let target = attrs["Target"] { targets[id] = target }
            }
        }
        var shared: [String] = []
        if let strings = try part("xl/sharedStrings.xml") {
            var current = ""
            var inText = false, phonetic = false
            try parse(strings, path: path, start: { name, _ in
                if name == "si" { current = "" } else if name == "t" { inText = !phonetic } else if name == "rPh" { phonetic = true }
            }, end: { name in
                if name == "si" { shared.append(current) } else if name == "t" { inText = false } else if name == "rPh" { phonetic = false }
            }, text: { if inText { current += $0 } })
        }
        let styles = try part("xl/styles.xml").map { bytes throws(LKQError) in try readStyles(bytes, path: path) } ?? []
        var sheets: [Sheet] = []
        for ref in sheetRefs {
            guard var target = targets[ref.rel] else { continue }
            if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
            guard let bytes = try part(target) else { throw fail(path, "sheet '\(ref.name)' has no part \(target)") }
            sheets.append(try readSheet(bytes, name: ref.name, shared: shared, path: path))
        }
        return Book(sheets: sheets, styles: styles)
    }

    /// The kind of each cell style (`cellXfs`), from its number format.
    static func readStyles(_ bytes: [UInt8], path: String) throws(LKQError) -> [StyleKind] {
        var codes: [Int: String] = [:]
        var formats: [Int] = []
        var inCellXfs = false
        try parse(bytes, path: path, start: { name, attrs in
            if name == "numFmt", let id = attrs["numFmtId"].flatMap({ Int($0) }) { codes[id] = attrs["formatCode"] ?? "" }
            if name == "cellXfs" { inCellXfs = true }
            if name == "xf" && inCellXfs { formats.append(attrs["numFmtId"].flatMap { Int($0) } ?? 0) }
        }, end: { name in if name == "cellXfs" { inCellXfs = false } }, text: { _ in })
        return formats.map { id in
            if [9, 10].contains(id) { return .percent }
            if (14...22).contains(id) || (45...47).contains(id) { return .date }
            guard let code = codes[id] else { return .plain }
            // What the format shows, without quoted text, escapes and [colour] or [$-421] parts.
            var shown = ""
            var quoted = false, bracket = false, escaped = false
            for ch in code.lowercased() {
                if escaped { escaped = false; continue }
                if ch == "\\" { escaped = true; continue }
                if ch == "\"" { quoted.toggle(); continue }
                if quoted { continue }
                if ch == "[" { bracket = true; continue }
                if ch == "]" { bracket = false; continue }
                if !bracket { shown.append(ch) }
            }
            if shown.contains("%") { return .percent }
            if shown.contains("y") || shown.contains("d") || (shown.contains("m") && !shown.contains("0") && !shown.contains("#")) {
                return .date
            }
            return .plain
        }
    }

    /// The cells and merged ranges of one worksheet part.
    static func readSheet(_ bytes: [UInt8], name: String, shared: [String], path: String) throws(LKQError) -> Sheet {
        var sheet = Sheet(name: name)
        var row = 0, nextColumn = 1
        var column = 0, type = "", style = 0
        var value = "", inValue = false, inInline = false
        try parse(bytes, path: path, start: { tag, attrs in
            switch tag {
            case "row":
                row = attrs["r"].flatMap { Int($0) } ?? row + 1
                nextColumn = 1
            case "c":
                if let ref = attrs["r"], let (r, c) = cellReference(ref) { row = r; column = c } else { column = nextColumn }
                nextColumn = column + 1
                type = attrs["t"] ?? "n"
                style = attrs["s"].flatMap { Int($0) } ?? 0
                value = ""
            case "v": inValue = true
            case "is": inInline = true
            case "t": if inInline { inValue = true }
            case "mergeCell":
                if let ref = attrs["ref"] {
                    let ends = ref.split(separator: ":").map(String.init)
                    if ends.count == 2, let a = cellReference(ends[0]), let b = cellReference(ends[1]) {
                        sheet.merges.append((a.row, a.column, b.row, b.column))
                    }
                }
            default: break
            }
        }, end: { tag in
            switch tag {
            case "v", "t": inValue = false
            case "is": inInline = false
            case "c":
                let cell: Raw?
                switch type {
                case "s": cell = Int(value).flatMap { $0 >= 0 && $0 < shared.count ? .text(shared[$0]) : nil }
                case "inlineStr", "str", "e": cell = value.isEmpty ? nil : .text(value)
                case "b": cell = .text(value == "1" ? "TRUE" : "FALSE")
                default: cell = Double(value.trimmingCharacters(in: .whitespaces)).map { .number($0, style: style) }
                }
                if let cell { sheet.rows[row, default: [:]][column] = cell }
            default: break
            }
        }, text: { if inValue { value += $0 } })
        return sheet
    }

    /// `D17` as row 17, column 4.
    static func cellReference(_ ref: String) -> (row: Int, column: Int)? {
        var column = 0, row = 0, sawDigit = false
        for u in ref.utf8 {
            if u >= 65 && u <= 90 && !sawDigit { column = column * 26 + Int(u - 64) }
            else if u >= 97 && u <= 122 && !sawDigit { column = column * 26 + Int(u - 96) }
            else if u >= 48 && u <= 57 { sawDigit = true; row = row * 10 + Int(u - 48) }
            else if u != 36 { return nil }
        }
        return column > 0 && row > 0 ? (row, column) : nil
    }

    /// Column letters for a 1-based column number (`4` is `D`).
    static func columnLetters(_ column: Int) -> String {
        var n = column, out = ""
        while n > 0 {
            let r = (n - 1) % 26
            out = String(UnicodeScalar(UInt8(65 + r))) + out
            n = (n - 1) / 26
        }
        return out
    }

    /// An Excel date serial (days since 1899-12-30) as ISO text.
    static func isoDate(_ serial: Double) -> String {
        let days = serial.rounded(.down)
        let seconds = Int(((serial - days) * 86_400).rounded())
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = Int(days) - 25_569 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        var text = String(format: "%04d-%02d-%02d", y, m, d)
        if seconds > 0 && seconds < 86_400 { text += String(format: " %02d:%02d", seconds / 3600, seconds / 60 % 60) }
        return text
    }

    // MARK: XML

    /// Streams `bytes` through expat, calling `start` for each element (name without namespace
    /// prefix; attributes looked up by their names as written).
    static func parse(_ bytes: [UInt8], path: String, _ start: @escaping (String, XMLAttributes) -> Void) throws(LKQError) {
        try parse(bytes, path: path, start: start, end: { _ in }, text: { _ in })
    }

    static func parse(_ bytes: [UInt8], path: String, start: @escaping (String, XMLAttributes) -> Void,
                      end: @escaping (String) -> Void, text: @escaping (String) -> Void) throws(LKQError) {
        let handler = XMLHandler(start: start, end: end, text: text)
        guard let parser = XML_ParserCreate("UTF-8") else { throw fail(path, "out of memory for its XML") }
        defer { XML_ParserFree(parser) }
        let context = Unmanaged.passUnretained(handler).toOpaque()
        XML_SetUserData(parser, context)
        XML_SetElementHandler(parser, { data, name, attributes in
            let h = Unmanaged<XMLHandler>.fromOpaque(data!).takeUnretainedValue()
            h.start(XMLHandler.local(name!), XMLAttributes(pairs: attributes))
        }, { data, name in
            let h = Unmanaged<XMLHandler>.fromOpaque(data!).takeUnretainedValue()
            h.end(XMLHandler.local(name!))
        })
        XML_SetCharacterDataHandler(parser, { data, s, len in
            let h = Unmanaged<XMLHandler>.fromOpaque(data!).takeUnretainedValue()
            let text = s!.withMemoryRebound(to: UInt8.self, capacity: Int(len)) {
                String(decoding: UnsafeBufferPointer(start: $0, count: Int(len)), as: UTF8.self)
            }
            h.text(text)
        })
        let ok = bytes.withUnsafeBufferPointer { b in
            b.baseAddress!.withMemoryRebound(to: CChar.self, capacity: b.count) { XML_Parse(parser, $0, Int32(b.count), 1) }
        }
        withExtendedLifetime(handler) {}
        if ok != XML_STATUS_OK {
            let reason = String(cString: XML_ErrorString(XML_GetErrorCode(parser)))
            throw fail(path, "its XML is damaged (\(reason), line \(XML_GetCurrentLineNumber(parser)))")
        }
    }
}

/// An element's attributes as expat hands them over (name, value, name, value, ..., NULL),
/// looked up by name without building a dictionary: a sheet has an element per cell.
struct XMLAttributes {
    let pairs: UnsafeMutablePointer<UnsafePointer<XML_Char>?>?

    subscript(_ key: String) -> String? {
        guard var p = pairs else { return nil }
        return key.withCString { wanted in
            while let name = p.pointee, let value = (p + 1).pointee {
                if strcmp(name, wanted) == 0 { return String(cString: value) }
                p += 2
            }
            return nil
        }
    }

    /// The value of the first attribute whose name ends with `suffix` (`r:id` under any prefix).
    func first(endingWith suffix: String) -> String? {
        guard var p = pairs else { return nil }
        while let name = p.pointee, let value = (p + 1).pointee {
            if String(cString: name).hasSuffix(suffix) { return String(cString: value) }
            p += 2
        }
        return nil
    }
}

/// The callbacks expat calls, reached through its user-data pointer.
final class XMLHandler {
    let start: (String, XMLAttributes) -> Void
    let end: (String) -> Void
    let text: (String) -> Void
    init(start: @escaping (String, XMLAttributes) -> Void, end: @escaping (String) -> Void, text: @escaping (String) -> Void) {
        self.start = start; self.end = end; self.text = text
    }

    /// An element's name without its namespace prefix (`x:c` is `c`).
    static func local(_ name: UnsafePointer<CChar>) -> String {
        let s = String(cString: name)
        if let colon = s.lastIndex(of: ":") { return String(s[s.index(after: colon)...]) }
        return s
    }
}
