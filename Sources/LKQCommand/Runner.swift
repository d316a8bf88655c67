#if canImport(Glibc)
import Glibc
#endif
import LKQ

/// Runs LKQ text in one session and prints what comes of it: results to stdout in the
/// chosen format, errors to stderr with their place and caret.
final class Runner: @unchecked Sendable {
    var session: Session
    var format: OutputFormat
    /// When set, results go to this workbook instead of standard output.
    var workbook: WorkbookOutput?
    /// Stop at the first failing statement (`--bail`).
    let bail: Bool
    /// Print how long each query took (`.timer on`).
    var timer = false
    /// How `table` and `markdown` output write numbers (`--locale id`, `.locale`).
    var locale = ResultFormatter.Locale.english
    /// Whether any statement has failed; the exit status reports it.
    private(set) var failed = false
    /// Whether a result has been printed since the last ``startGroup()``, to separate the next.
    private var printedResult = false
    /// At most this many rows of a `table` result are printed, the first and the last with a
    /// marked gap between (`.maxrows`); nil prints every row. Set only for a terminal: scripts
    /// and pipes are never cut.
    var maxRows: Int?
    /// The command results are shown through (`.pager on`), or nil to print them directly.
    var pager: String?
    /// The last query result, for `.last`.
    private(set) var lastResult: QueryResult?
    /// The running statement's cancellation; checked between pieces of output too, so Ctrl-C
    /// stops a long result printing.
    var cancellation: Cancellation?
    /// The progress line to erase before anything is printed.
    var progress: ProgressLine?
    /// Whether Ctrl-C cut the last printing short.
    private(set) var outputStopped = false

    init(session: Session, format: OutputFormat, bail: Bool) {
        self.session = session
        self.format = format
        self.bail = bail
    }

    /// Results printed after this are not separated from earlier ones by a blank line.
    func startGroup() { printedResult = false }

    /// Runs every statement of `text`; returns false when `--bail` says to stop.
    @discardableResult
    func run(_ text: String, sourceName: String, firstLine: Int = 1, cancellation: Cancellation? = nil) -> Bool {
        var keepGoing = true
        if locale == .indonesian {
            // Under Indonesian output `6.652` reads as six thousand; in a query it is not.
            for warning in IndonesianLiterals.warnings(in: text, sourceName: sourceName) {
                Console.err(warning.rendered(color: Console.colorErr) + "\n")
            }
        }
        var started = Console.now()
        self.cancellation = cancellation
        outputStopped = false
        defer { self.cancellation = nil }
        session.execute(text, sourceName: sourceName, firstLine: firstLine, cancellation: cancellation) { outcome in
            let elapsed = Console.now() - started
            switch outcome {
            case .result(let result):
                lastResult = result
                progress?.clear()
                for warning in result.warnings { Console.err(warning.rendered(color: Console.colorErr) + "\n") }
                show(result)
                if timer { Console.out("Run time: \(Self.milliseconds(elapsed))\n") }
            case .bound:
                break
            case .failed(let error):
                report(error)
                if bail { keepGoing = false }
            }
            // Ctrl-C during printing stops the rest of the statements as it stops a query.
            if outputStopped { return false }
            progress?.restart()
            started = Console.now()
            return keepGoing
        }
        return keepGoing
    }

    /// Prints a result: cut to ``maxRows`` unless `full`, through the pager when it is on.
    func show(_ result: QueryResult, full: Bool = false) {
        if let workbook, !full {
            do throws(LKQError) { try workbook.add(result) } catch { report(error) }
            return
        }
        let formatter = ResultFormatter(format: format, width: format == .table ? Console.width() : nil,
                                        color: format == .table && Console.colorOut,
                                        unicode: Console.unicode, locale: locale)
        // Machine formats of any size go out as they are written, a megabyte at a time.
        if format == .csv || format == .json, pager == nil || !Console.stdoutIsTerminal {
            progress?.clear()
            if printedResult { Console.out("\n") }
            printedResult = true
            let complete = formatter.write(result) { piece in
                if cancellation?.isCancelled == true { return false }
                Console.out(bytes: piece)
                return true
            }
            if !complete { stopOutput() }
            return
        }
        var text: String
        if !full, pager == nil, format == .table, result.chart == nil, let maxRows, result.rowCount > maxRows,
           let cut = Self.cut(result, to: maxRows) {
            text = Self.markGap(in: formatter.render(cut.result), afterRow: cut.head, shown: maxRows, total: result.rowCount,
                                unicode: Console.unicode, locale: locale)
        } else {
            text = formatter.render(result)
        }
        if format == .table, let note = LargeNumbers.note(for: result, locale: locale) { text += note }
        progress?.clear()
        emit((printedResult ? "\n" : "") + text)
        printedResult = true
    }

    /// Writes output a piece at a time, stopping when Ctrl-C cancels the statement; through
    /// the pager when it is on and standard output is a terminal.
    private func emit(_ text: String) {
        if let pager, Console.stdoutIsTerminal {
            Pager.show(text, command: pager)
            return
        }
        let piece = 16 * 1024
        var utf8 = text.utf8[...]
        while !utf8.isEmpty {
            if cancellation?.isCancelled == true {
                stopOutput()
                return
            }
            var end = utf8.index(utf8.startIndex, offsetBy: piece, limitedBy: utf8.endIndex) ?? utf8.endIndex
            // Cut between characters, never inside one.
            while end < utf8.endIndex, UTF8.isContinuation(utf8[end]) { end = utf8.index(after: end) }
            Console.out(String(Substring(utf8[utf8.startIndex..<end])))
            utf8 = utf8[end...]
        }
    }

    /// Ctrl-C cut the output short: the line is ended and the stop said.
    private func stopOutput() {
        outputStopped = true
        Console.out("\n")
        Console.err(Self.errorLine("output stopped (Ctrl-C)"))
    }

    /// The first and last rows of `result`, `limit` in all, and how many of them come first.
    static func cut(_ result: QueryResult, to limit: Int) -> (result: QueryResult, head: Int)? {
        let head = (limit + 1) / 2, tail = limit / 2
        let rows = Array(0..<head) + Array((result.rowCount - tail)..<result.rowCount)
        let columns: [(String, Table.Values)] = result.fields.indices.map { c in
            let field = result.fields[c]
            switch field.type {
            case .int:
                return (field.name, .int(rows.map { if case .int(let v) = result[$0, c] { return v } else { return nil } }))
            case .double:
                return (field.name, .double(rows.map { if case .double(let v) = result[$0, c] { return v } else { return nil } }))
            case .text:
                return (field.name, .text(rows.map { if case .text(let v) = result[$0, c] { return v } else { return nil } }))
            }
        }
        let rupiah = Set(result.fields.filter(\.isRupiah).map(\.name))
        guard let cut = try? QueryResult(columns: columns, rupiah: rupiah) else { return nil }
        return (cut, head)
    }

    /// A rendered table of the first `head` and some last rows with a gap row of `⋮` after row
    /// `head`, and a footer with the whole count and how to see every row.
    static func markGap(in table: String, afterRow head: Int, shown: Int, total: Int, unicode: Bool,
                        locale: ResultFormatter.Locale) -> String {
        var lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Header, rule, the rows, the footer: the rule shows where each column starts.
        guard lines.count > shown + 2 else { return table }
        var gap = ""
        var previous: Character = " "
        for c in lines[1] {
            gap.append(c != " " && previous == " " ? (unicode ? "⋮" : ":") : " ")
            previous = c
        }
        while gap.hasSuffix(" ") { gap.removeLast() }
        lines.insert(gap, at: head + 2)
        let footer = shown + 3
        if footer < lines.count, lines[footer].hasPrefix("(") {
            lines[footer] = "(\(grouped(total, locale)) rows, \(shown) shown; .last shows them all, .maxrows changes how many)"
        }
        return lines.joined(separator: "\n")
    }

    /// `1,234,567`, or `1.234.567` in Indonesian.
    static func grouped(_ n: Int, _ locale: ResultFormatter.Locale) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += locale == .indonesian ? "." : "," }
            out.append(d)
        }
        return out
    }

    func report(_ error: LKQError) {
        failed = true
        progress?.clear()
        Console.err(error.rendered(color: Console.colorErr) + "\n")
    }

    /// A failure that is not an LKQ statement's (a script that cannot be read, for instance).
    func fail(_ message: String) {
        failed = true
        Console.err(Self.errorLine(message))
    }

    /// A failure of a dot-command in a script, at `location` (`FILE:LINE:COL`).
    func fail(_ message: String, at location: String) {
        failed = true
        let red = Console.colorErr ? "\u{1B}[1;31m" : "", reset = Console.colorErr ? "\u{1B}[0m" : ""
        Console.err("\(location): \(red)error:\(reset) \(message)\n")
    }

    static func errorLine(_ message: String) -> String {
        let red = Console.colorErr ? "\u{1B}[1;31m" : "", reset = Console.colorErr ? "\u{1B}[0m" : ""
        return "lkq: \(red)error:\(reset) \(message)\n"
    }

    static func milliseconds(_ seconds: Double) -> String {
        let ms = seconds * 1000
        let tenths = Int((ms * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) ms"
    }
}
