import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// How a ``QueryResult`` is written out.
public enum OutputFormat: String, Sendable, CaseIterable {
    /// Aligned columns for people at a terminal: thousands separators, long text cut to fit.
    case table
    /// RFC 4180 comma-separated values with a header row, numbers printed plainly.
    case csv
    /// An array of row objects keyed by column name, one object per line.
    case json
    /// A GitHub-flavoured Markdown table.
    case markdown
}

/// Renders query results as text in one of the ``OutputFormat``s.
///
/// ```swift
/// let text = ResultFormatter(format: .table, width: 100).render(result)
/// ```
///
/// Numbers in `table` and `markdown` output are for reading: integers get thousands
/// separators (`9,051,591,780`) and each column of doubles is shown with the same number
/// of decimals, the fewest (at most two) that keep every value in it as printed once
/// rounded to hundredths, so `83.33` and `100.00` line up; a column of whole doubles has
/// none. A non-zero value too small to show in two decimals gets two significant digits
/// instead (`0.0042`). `csv` and `json` print every number in full, with no separators.
///
/// With ``locale`` `.indonesian`, `table` and `markdown` write numbers the Indonesian way:
/// `1.476`, `98,40`, and `Rp9.051.591.780` in rupiah columns (``Field/isRupiah``); `csv` and
/// `json` stay as they are, for programs to read.
///
/// A result with a ``QueryResult/chart`` (from `bar` or `spark`) is drawn in the `table`
/// format; the other formats print its columns.
public struct ResultFormatter: Sendable {
    /// How `table` and `markdown` output write numbers.
    public enum Locale: String, Sendable, CaseIterable {
        /// `1,476` and `98.40`: the default.
        case english = "en"
        /// `1.476`, `98,40` and, in rupiah columns, `Rp9.051.591.780`.
        case indonesian = "id"
    }

    /// The format to write.
    public var format: OutputFormat
    /// The terminal width `table` output is fitted to by cutting long text and, when there are
    /// too many columns even so, leaving the last ones out (named under the table); `nil`
    /// never cuts.
    public var width: Int?
    /// Whether `table` output may use ANSI styles (bold headers, dim nulls).
    public var color: Bool
    /// Whether `table` output may draw with Unicode (`─` rules, `…`, block characters in charts);
    /// without it only ASCII is written (`-`, `~`, `#`).
    public var unicode: Bool
    /// How `table` and `markdown` output write numbers.
    public var locale: Locale

    /// A formatter for `format`; `width`, `color` and `unicode` affect only the `table` format,
    /// `locale` the `table` and `markdown` formats.
    public init(format: OutputFormat = .table, width: Int? = nil, color: Bool = false,
                unicode: Bool = true, locale: Locale = .english) {
        self.format = format
        self.width = width
        self.color = color
        self.unicode = unicode
        self.locale = locale
    }

    /// The whole result as text, ending in a newline.
    public func render(_ result: QueryResult) -> String {
        switch format {
        case .table:
            if let chart = result.chart, !result.fields.isEmpty {
                return ChartRenderer(result: result, chart: chart, width: width, color: color, unicode: unicode, locale: locale).render()
            }
            return TableRenderer(result: result, width: width, color: color, unicode: unicode, locale: locale).render()
        case .csv, .json: return renderMachine(result)
        case .markdown: return renderMarkdown(result)
        }
    }

    /// Writes the result in pieces of about `chunk` bytes to `sink`, which returns false to
    /// stop (Ctrl-C, a closed reader); returns whether everything was written. The bytes are
    /// those of ``render(_:)``; `csv` and `json` are written from the columns straight into the
    /// pieces, never as one string.
    public func write(_ result: QueryResult, chunk: Int = 1 << 20, to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        switch format {
        case .csv, .json:
            return MachineWriter(result: result, chunk: max(1, chunk)).write(format, to: sink)
        case .table, .markdown:
            var text = render(result)
            return text.withUTF8 { all in
                var start = 0
                while start < all.count {
                    let end = min(all.count, start + max(1, chunk))
                    guard sink(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: all[start..<end]))) else { return false }
                    start = end
                }
                return true
            }
        }
    }

    private func renderMachine(_ result: QueryResult) -> String {
        var bytes: [UInt8] = []
        _ = MachineWriter(result: result, chunk: 1 << 20).write(format) { piece in
            bytes.append(contentsOf: piece)
            return true
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Markdown

    private func renderMarkdown(_ result: QueryResult) -> String {
        let numeric = result.fields.map { $0.type != .text }
        let display = DisplayColumns(result, locale: locale)
        func cell(_ s: String) -> String {
            var t = s.replacing("\\", with: "\\\\").replacing("|", with: "\\|")
            t = t.replacing("\r\n", with: "<br>").replacing("\n", with: "<br>").replacing("\r", with: "<br>")
            return t
        }
        var out = "| " + result.fields.map { cell($0.name) }.joined(separator: " | ") + " |\n"
        out += "|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
        for r in 0..<result.rowCount {
            out += "| " + result.fields.indices.map { cell(display.text(row: r, column: $0)) }.joined(separator: " | ") + " |\n"
        }
        return out
    }
}

/// Plain number text for machine formats: full precision, `.` decimal point, no separators.
enum PlainNumber {
    static func text(_ v: Value) -> String {
        switch v {
        case .int(let i): return String(i)
        case .double(let d): return Value.format(d)
        case .null: return ""
        case .text(let s): return s
        }
    }
}

/// JSON string escaping, by hand so output is the same on every platform.
enum JSONText {
    static func string(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                // Line and paragraph separators are legal JSON but break JavaScript readers.
                if u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

/// Human-readable cell text shared by `table` and `markdown`: separators and per-column decimals.
struct DisplayColumns {
    let result: QueryResult
    /// Decimals to show for each double column (nil for other types).
    let decimals: [Int?]
    /// Integer columns that name things rather than count them (a year, a number in a list),
    /// shown without thousands separators: `2023`, not `2,023`.
    let plain: [Bool]
    let locale: ResultFormatter.Locale

    /// Column names whose integers are labels, not quantities.
    static func isLabel(_ name: String) -> Bool {
        ["tahun", "year", "no", "nomor", "id", "kode"].contains(name)
            || name.hasPrefix("tahun_") || name.hasSuffix("_tahun") || name.hasSuffix("_id") || name.hasPrefix("kode_")
    }

    init(_ result: QueryResult, locale: ResultFormatter.Locale = .english) {
        self.result = result
        self.locale = locale
        plain = result.fields.map { $0.type == .int && DisplayColumns.isLabel($0.name) }
        decimals = result.fields.indices.map { c in
            guard result.fields[c].type == .double else { return nil }
            var most = 0
            for r in 0..<result.rowCount {
                if case .double(let d) = result[r, c] { most = max(most, DisplayNumbers.decimalsNeeded(d)) }
            }
            return most
        }
    }

    func text(row: Int, column: Int) -> String {
        switch result[row, column] {
        case .null: return "null"
        case .int(let i):
            if plain[column] { return String(i) }
            let text = DisplayNumbers.grouped(i, locale)
            guard locale == .indonesian, result.fields[column].isRupiah else { return text }
            return i < 0 ? "-Rp" + text.dropFirst() : "Rp" + text
        case .double(let d): return DisplayNumbers.grouped(d, decimals: decimals[column] ?? DisplayNumbers.decimalsNeeded(d), locale)
        case .text(let s): return s
        }
    }
}

/// Thousands separators and decimal rounding for display.
enum DisplayNumbers {
    /// The most decimals shown for a value too small for two decimals.
    static let maxDecimals = 10

    /// Decimals a value needs once rounded to hundredths (0, 1 or 2); more for tiny non-zero values.
    static func decimalsNeeded(_ d: Double) -> Int {
        guard d.isFinite, d != 0 else { return 0 }
        let hundredths = (abs(d) * 100).rounded()
        if hundredths == 0 {
            // Two significant digits: 0.0042 needs 4 decimals.
            let firstDigit = Int((-log10(abs(d))).rounded(.down)) + 1
            return min(maxDecimals, firstDigit + 1)
        }
        if hundredths.truncatingRemainder(dividingBy: 100) == 0 { return 0 }
        if hundredths.truncatingRemainder(dividingBy: 10) == 0 { return 1 }
        return 2
    }

    static func grouped(_ i: Int64, _ locale: ResultFormatter.Locale = .english) -> String {
        let digits = String(i.magnitude)
        return (i < 0 ? "-" : "") + group(Substring(digits), locale)
    }

    static func grouped(_ d: Double, decimals: Int, _ locale: ResultFormatter.Locale = .english) -> String {
        guard d.isFinite else { return d.isNaN ? "NaN" : (d < 0 ? "-inf" : "inf") }
        // Past 10^18 grouping digits would pretend to a precision the double does not have.
        guard abs(d) < 1e18 else { return locale == .indonesian ? Value.format(d).replacing(".", with: ",") : Value.format(d) }
        // Beyond 2^53 doubles have no fraction left to show; print the digits they hold.
        let places = abs(d) >= 1e15 ? 0 : decimals
        let text = fixed(abs(d), places)
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let isZero = text.allSatisfy { $0 == "0" || $0 == "." }
        var out = (d < 0 && !isZero ? "-" : "") + group(parts[0], locale)
        if parts.count > 1 { out += (locale == .indonesian ? "," : ".") + parts[1] }
        return out
    }

    /// `v` (non-negative, finite) with exactly `places` decimals, rounded half away from zero.
    private static func fixed(_ v: Double, _ places: Int) -> String {
        if places == 0 {
            return String(UInt64(v.rounded()))
        }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (v * scale).rounded()
        guard scaled < 9e18 else { return String(UInt64(v.rounded())) }
        let digits = String(UInt64(scaled))
        let padded = String(repeating: "0", count: max(0, places + 1 - digits.count)) + digits
        return String(padded.dropLast(places)) + "." + String(padded.suffix(places))
    }

    private static func group(_ digits: Substring, _ locale: ResultFormatter.Locale) -> String {
        // By bytes, counted once: a table of a million numbers groups a million of them.
        let bytes = Array(digits.utf8)
        let n = bytes.count
        guard n > 3, bytes.allSatisfy({ $0 < 0x80 }) else { return String(digits) }
        let separator = locale == .indonesian ? UInt8(ascii: ".") : UInt8(ascii: ",")
        var out = [UInt8]()
        out.reserveCapacity(n + n / 3)
        for (i, b) in bytes.enumerated() {
            if i > 0 && (n - i) % 3 == 0 { out.append(separator) }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Lays out the `table` format: widths, cutting, alignment, styles.
struct TableRenderer {
    let result: QueryResult
    let width: Int?
    let color: Bool
    var unicode = true
    var locale = ResultFormatter.Locale.english

    /// Text columns are never cut narrower than this (or their natural width, if smaller).
    static let minimumTextWidth = 6
    static let gap = "  "

    func render() -> String {
        let fields = result.fields
        let rows = result.rowCount
        let footer = TableRenderer.footer(rows, locale)
        guard !fields.isEmpty else { return footer }

        let display = DisplayColumns(result, locale: locale)
        let numeric = fields.map { $0.type != .text }
        // The header as the file wrote it (`Pagu (Rp)`) when the column has one.
        let headers = fields.map { TerminalText.sanitize($0.displayName) }
        var cells: [[String]] = Array(repeating: [], count: fields.count)
        var natural = headers.map { TerminalText.width($0) }
        for c in fields.indices {
            cells[c].reserveCapacity(rows)
            for r in 0..<rows {
                let text = TerminalText.sanitize(display.text(row: r, column: c))
                natural[c] = max(natural[c], TerminalText.width(text))
                cells[c].append(text)
            }
        }
        // Too many columns for the width even with text cut short: show the leading columns
        // that fit at a readable width, and name the rest under the table.
        let shown = visibleColumns(natural, numeric: numeric)
        let hidden = fields.indices.filter { !shown.contains($0) }
        let widths = fit(shown.map { natural[$0] }, numeric: shown.map { numeric[$0] })
        var note = ""
        if !hidden.isEmpty {
            let names = hidden.map { headers[$0] }.joined(separator: ", ")
            let text = "\(hidden.count) more column\(hidden.count == 1 ? "" : "s") (select them, or use csv): \(names)"
            note = TerminalText.cut(text, to: max(20, width ?? text.count), ellipsis: ellipsis) + "\n"
        }

        let bold = color ? "\u{1B}[1m" : "", dim = color ? "\u{1B}[2m" : "", reset = color ? "\u{1B}[0m" : ""
        func line(_ parts: [String]) -> String {
            var s = parts.joined(separator: Self.gap)
            // Trailing blanks from a left-aligned last column are noise in copied output.
            while s.hasSuffix(" ") { s.removeLast() }
            return s + "\n"
        }
        var out = line(shown.indices.map { i in
            let c = shown[i]
            return bold + TerminalText.pad(TerminalText.cut(headers[c], to: widths[i], ellipsis: ellipsis), to: widths[i], right: numeric[c]) + reset
        })
        out += line(widths.map { String(repeating: unicode ? "─" : "-", count: $0) })
        for r in 0..<rows {
            out += line(shown.indices.map { i in
                let c = shown[i]
                let text = TerminalText.pad(TerminalText.cut(cells[c][r], to: widths[i], ellipsis: ellipsis), to: widths[i], right: numeric[c])
                if case .null = result[r, c] { return dim + text + reset }
                return text
            })
        }
        return out + footer + note
    }

    /// What marks text cut short.
    var ellipsis: String { unicode ? "…" : "~" }

    /// `(1 row)`, `(1,234 rows)`.
    static func footer(_ rows: Int, _ locale: ResultFormatter.Locale) -> String {
        rows == 1 ? "(1 row)\n" : "(\(DisplayNumbers.grouped(Int64(rows), locale)) rows)\n"
    }

    /// Text shown this narrow is still worth reading; narrower, a column is better left out.
    static let readableTextWidth = 16

    /// All columns when they fit the width with text cut to ``minimumTextWidth``; otherwise the
    /// leading columns that fit with text at ``readableTextWidth`` (at least the first).
    func visibleColumns(_ natural: [Int], numeric: [Bool]) -> [Int] {
        let all = Array(natural.indices)
        guard let width else { return all }
        func total(_ columns: [Int], textWidth: Int) -> Int {
            var sum: Int = Self.gap.count * max(0, columns.count - 1)
            for c in columns {
                let w: Int = numeric[c] ? natural[c] : min(natural[c], textWidth)
                sum += w
            }
            return sum
        }
        if total(all, textWidth: Self.minimumTextWidth) <= width { return all }
        var shown: [Int] = []
        for c in all {
            if !shown.isEmpty && total(shown + [c], textWidth: Self.readableTextWidth) > width { break }
            shown.append(c)
        }
        return shown
    }

    /// Shrinks the widest text columns, one character at a time, until the row fits `width`;
    /// columns of equal width shrink in turn, so the space is shared fairly.
    func fit(_ natural: [Int], numeric: [Bool]) -> [Int] {
        var widths = natural
        guard let width else { return widths }
        var excess = widths.reduce(0, +) + Self.gap.count * (widths.count - 1) - width
        while excess > 0 {
            var widest: Int?
            for c in widths.indices where !numeric[c] && widths[c] > min(natural[c], Self.minimumTextWidth) {
                if widest == nil || widths[c] > widths[widest!] { widest = c }
            }
            guard let c = widest else { break }
            widths[c] -= 1
            excess -= 1
        }
        return widths
    }
}

/// Terminal text measurement: display columns, cutting with an ellipsis, padding.
enum TerminalText {
    /// Control characters would move the cursor or inject escapes; show them harmlessly.
    static func sanitize(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u {
            case "\t": out.append(" ")
            case "\n", "\r": out.append("↵")
            case _ where u.value < 0x20 || u.value == 0x7F: out.append("\u{FFFD}")
            default: out.append(u)
            }
        }
        return String(out)
    }

    /// Columns a string takes on a terminal: combining marks none, East Asian wide two.
    static func width(_ s: String) -> Int {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s.utf8.count }
        return s.unicodeScalars.reduce(0) { $0 + width($1) }
    }

    static func width(_ u: Unicode.Scalar) -> Int {
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        switch u.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// `s` cut to at most `columns` display columns, ending in `ellipsis` (one column wide) when
    /// anything was removed.
    static func cut(_ s: String, to columns: Int, ellipsis: String = "…") -> String {
        guard width(s) > columns else { return s }
        guard columns > 0 else { return "" }
        var out = ""
        var used = 0
        for ch in s {
            let w = width(String(ch))
            if used + w > columns - 1 { break }
            out.append(ch)
            used += w
        }
        return out + ellipsis
    }

    static func pad(_ s: String, to columns: Int, right: Bool) -> String {
        let fill = String(repeating: " ", count: max(0, columns - width(s)))
        return right ? fill + s : s + fill
    }
}

extension QueryResult {
    /// A result built from Swift values, for printing host data with a ``ResultFormatter``.
    /// Every column must have the same number of rows, and decimals must be finite; `rupiah` names integer columns of amounts.
    public init(columns: [(String, Table.Values)], rupiah: Set<String> = []) throws(LKQError) {
        let table = try Table(name: "result", columns: columns, rupiah: rupiah)
        let loaded: (count: Int, columns: [Column])
        do { loaded = try table.store.load(Array(table.fields.indices)) } catch { throw LKQError(error) }
        self.init(fields: table.fields, columns: loaded.columns, measure: nil)
    }
}
