#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// Draws a result that carries a ``Chart`` in the `table` format: a bar per row, or a sparkline
/// per series. Numbers are written as the table writes them (separators, decimals, locale).
struct ChartRenderer {
    let result: QueryResult
    let chart: Chart
    let width: Int?
    let color: Bool
    let unicode: Bool
    let locale: ResultFormatter.Locale

    /// The width charts are fitted to when the output has none (not a terminal, no `$COLUMNS`).
    static let defaultWidth = 80
    /// The widest a bar gets while the label beside it is being cut.
    static let preferredBarWidth = 40
    static let gap = TableRenderer.gap

    /// Eighths of a cell, for bar ends: `▏` is one eighth, `█` a whole cell.
    static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]
    /// Sparkline levels, lowest to highest.
    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let asciiLevels: [Character] = ["_", ".", "-", "~", "^"]

    func render() -> String {
        let n = result.fields.count
        switch chart {
        case .bar(let label, let measure, let target) where label < n && measure < n && label >= 0 && measure >= 0:
            return bar(label: label, measure: measure, target: target)
        case .spark(let labels, let years) where (labels + years).allSatisfy({ $0 >= 0 && $0 < n }):
            return spark(labels: labels, years: years)
        default:
            return TableRenderer(result: result, width: width, color: color, unicode: unicode, locale: locale).render()
        }
    }

    private var bold: String { color ? "\u{1B}[1m" : "" }
    private var dim: String { color ? "\u{1B}[2m" : "" }
    private var reset: String { color ? "\u{1B}[0m" : "" }
    private var ellipsis: String { unicode ? "…" : "~" }
    private var rule: String { unicode ? "─" : "-" }

    private func line(_ parts: [String]) -> String {
        var s = parts.joined(separator: Self.gap)
        while s.hasSuffix(" ") { s.removeLast() }
        return s + "\n"
    }

    private func cell(_ text: String, _ width: Int, right: Bool) -> String {
        TerminalText.pad(TerminalText.cut(text, to: width, ellipsis: ellipsis), to: width, right: right)
    }

    private func number(_ row: Int, _ column: Int) -> Double? {
        switch result[row, column] {
        case .int(let i): return Double(i)
        case .double(let d): return d.isFinite ? d : nil
        default: return nil
        }
    }

    // MARK: bar

    /// `label  ██████████▌   │   value` per row. The scale runs from the least value (or 0) to the
    /// greatest (or 0, or the target); a marker stands at the target and bars past it cover it.
    private func bar(label l: Int, measure m: Int, target: Double?) -> String {
        let rows = result.rowCount
        let display = DisplayColumns(result, locale: locale)
        let labelHeader = TerminalText.sanitize(result.fields[l].name)
        let valueHeader = TerminalText.sanitize(result.fields[m].name)
        let labels = (0..<rows).map { TerminalText.sanitize(display.text(row: $0, column: l)) }
        let valueTexts = (0..<rows).map { display.text(row: $0, column: m) }
        let values = (0..<rows).map { number($0, m) }
        let labelRight = result.fields[l].type != .text

        let labelNatural = labels.reduce(TerminalText.width(labelHeader)) { max($0, TerminalText.width($1)) }
        let valueWidth = valueTexts.reduce(TerminalText.width(valueHeader)) { max($0, TerminalText.width($1)) }
        let available = (width ?? Self.defaultWidth) - valueWidth - 2 * Self.gap.count
        let barWidth = max(1, available - labelNatural, min(available / 2, Self.preferredBarWidth))
        let labelWidth = max(1, min(labelNatural, available - barWidth))

        // The target needs a cell of its own after a bar that just reaches it.
        let length = max(1, target == nil ? barWidth : barWidth - 1)
        let finite = values.compactMap { $0 }
        let lo = min(0, finite.min() ?? 0)
        let hi = max(0, finite.max() ?? 0, target ?? 0)
        let span = hi > lo ? hi - lo : 1
        // Value per cell; with a target, the target falls on a cell boundary, so that a bar that
        // reaches it exactly ends just before the marker and any more covers the marker.
        var unit = span / Double(length)
        if let target, target > 0, Int(target / unit) >= 1 { unit = target / Double(Int(target / unit)) }
        func cells(_ x: Double) -> Double { x / unit }
        let zero = min(barWidth - 1, Int(cells(-lo).rounded()))
        let marker = target.map { min(barWidth - 1, max(0, zero + Int(cells($0).rounded()))) }
        let full: Character = unicode ? "█" : "#"

        var ruleCells = Array(String(repeating: rule, count: barWidth))
        var headerCells = [Character](repeating: " ", count: barWidth)
        if let t = marker, let target {
            ruleCells[t] = unicode ? "┬" : "+"
            // The target's value over its marker, when it fits.
            let text = Array(DisplayNumbers.grouped(target, decimals: DisplayNumbers.decimalsNeeded(target), locale))
            if text.count <= t + 1 { for (i, c) in text.enumerated() { headerCells[t + 1 - text.count + i] = c } }
        }
        var out = line([bold + cell(labelHeader, labelWidth, right: labelRight) + reset,
                        String(headerCells),
                        bold + TerminalText.pad(valueHeader, to: valueWidth, right: true) + reset])
        out += line([String(repeating: rule, count: labelWidth), String(ruleCells), String(repeating: rule, count: valueWidth)])
        for r in 0..<rows {
            var canvas = [Character](repeating: " ", count: barWidth)
            if let v = values[r] {
                if v >= 0 {
                    if unicode {
                        let e = Int((cells(v) * 8).rounded())
                        for i in 0..<(e / 8) where zero + i < barWidth { canvas[zero + i] = full }
                        if e % 8 > 0, zero + e / 8 < barWidth { canvas[zero + e / 8] = Self.eighths[e % 8 - 1] }
                    } else {
                        for i in 0..<Int(cells(v).rounded()) where zero + i < barWidth { canvas[zero + i] = full }
                    }
                } else {
                    // Bars left of zero are whole cells: block characters fill from the left only.
                    for i in 0..<Int(cells(-v).rounded()) where zero - 1 - i >= 0 { canvas[zero - 1 - i] = full }
                }
            }
            if let t = marker, canvas[t] == " " { canvas[t] = unicode ? "│" : "|" }
            let labelText = cell(labels[r], labelWidth, right: labelRight)
            let valueText = TerminalText.pad(valueTexts[r], to: valueWidth, right: true)
            out += line([result[r, l] == .null ? dim + labelText + reset : labelText,
                         String(canvas),
                         values[r] == nil ? dim + valueText + reset : valueText])
        }
        return out + TableRenderer.footer(rows, locale)
    }

    // MARK: spark

    /// The label columns, then `▁▃█▅` across the years (each line from its own least to its
    /// greatest value; a gap where a year has none), then the first and last values with their years.
    private func spark(labels: [Int], years: [Int]) -> String {
        let rows = result.rowCount
        let display = DisplayColumns(result, locale: locale)
        // One number of decimals across the years, so that first and last line up.
        let decimals = years.compactMap { display.decimals[$0] }.max()
        func valueText(_ r: Int, _ c: Int) -> String {
            if case .double(let d) = result[r, c], let decimals { return DisplayNumbers.grouped(d, decimals: decimals, locale) }
            return display.text(row: r, column: c)
        }
        let yearNames = years.map { TerminalText.sanitize(result.fields[$0].name) }
        let yearWidth = yearNames.map(TerminalText.width).max() ?? 0
        let dash = unicode ? "–" : "-"
        let sparkHeader = yearNames.count > 1 ? yearNames.first! + dash + yearNames.last! : (yearNames.first ?? "")

        var sparks: [String] = []
        var firsts: [(year: String, value: String)?] = []
        var lasts: [(year: String, value: String)?] = []
        for r in 0..<rows {
            let values = years.map { number(r, $0) }
            let finite = values.compactMap { $0 }
            let lo = finite.min() ?? 0, hi = finite.max() ?? 0
            let steps = unicode ? Self.levels : Self.asciiLevels
            sparks.append(String(values.map { v -> Character in
                guard let v else { return " " }
                // A flat line sits in the middle.
                guard hi > lo else { return steps[(steps.count - 1) / 2] }
                return steps[Int(((v - lo) / (hi - lo) * Double(steps.count - 1)).rounded())]
            }))
            let present = years.indices.filter { values[$0] != nil }
            firsts.append(present.first.map { (yearNames[$0], valueText(r, years[$0])) })
            lasts.append(present.last.map { (yearNames[$0], valueText(r, years[$0])) })
        }
        let numberWidth = (firsts + lasts).compactMap { $0.map { TerminalText.width($0.value) } }.max() ?? 0
        func ends(_ e: (year: String, value: String)?) -> String {
            guard let e else { return "null" }
            return TerminalText.pad(e.year, to: yearWidth, right: false) + " " + TerminalText.pad(e.value, to: numberWidth, right: true)
        }

        // Columns: labels (text may be cut), the sparkline, first, last.
        let headers = labels.map { TerminalText.sanitize(result.fields[$0].name) } + [sparkHeader, "first", "last"]
        var cells: [[String]] = labels.map { c in (0..<rows).map { TerminalText.sanitize(display.text(row: $0, column: c)) } }
        cells.append(sparks)
        cells.append(firsts.map(ends))
        cells.append(lasts.map(ends))
        let right = labels.map { result.fields[$0].type != .text } + [false, true, true]
        let fixed = labels.map { result.fields[$0].type != .text } + [true, true, true]
        let isNull: [(Int) -> Bool] = labels.map { c in { result[$0, c] == .null } }
            + [{ _ in false }, { firsts[$0] == nil }, { lasts[$0] == nil }]
        let natural = headers.indices.map { c in cells[c].reduce(TerminalText.width(headers[c])) { max($0, TerminalText.width($1)) } }
        let widths = TableRenderer(result: result, width: width, color: color).fit(natural, numeric: fixed)

        var out = line(headers.indices.map { bold + cell(headers[$0], widths[$0], right: right[$0]) + reset })
        out += line(widths.map { String(repeating: rule, count: $0) })
        for r in 0..<rows {
            out += line(headers.indices.map { c in
                let text = cell(cells[c][r], widths[c], right: right[c])
                return isNull[c](r) ? dim + text + reset : text
            })
        }
        return out + TableRenderer.footer(rows, locale)
    }
}
