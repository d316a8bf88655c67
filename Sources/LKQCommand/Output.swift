#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LKQ

/// Results shown through `$PAGER` (`.pager on`).
enum Pager {
    /// `$PAGER`, else `less -S`: chopped long lines suit wide tables better than wrapped ones.
    static var command: String {
        if let p = getenv("PAGER"), p.pointee != 0 { return String(cString: p) }
        return "less -S"
    }

    /// Writes `text` to `command` run by the shell, and waits for it to end.
    static func show(_ text: String, command: String) {
        // A pager left early (`q` in less) closes its input: that must not end lkq by SIGPIPE.
        let previous = signal(SIGPIPE, SIG_IGN)
        defer { signal(SIGPIPE, previous) }
        guard let pipe = popen(command, "w") else {
            Console.err(Runner.errorLine("cannot start the pager '\(command)'; '.pager off' prints directly"))
            Console.out(text)
            return
        }
        _ = text.withCString { fputs($0, pipe) }
        let status = pclose(pipe)
        if status != -1, (status >> 8) & 0xff == 127 {
            Console.err(Runner.errorLine("the pager '\(command)' was not found; set $PAGER, or '.pager off'"))
        }
    }
}

/// A line on standard error while a statement runs longer than a second: what runs, for how
/// long, how much of its data files has been read, and how to stop it. Erased before any output and when the work ends, so it never stays on screen.
/// Only the interactive shell on a terminal uses one.
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let what: String
    /// Bytes of the CSV files the statement names: what a first read of them costs.
    private let fileBytes: Int
    private let bytesAtStart: Int
    private var start = Console.now()
    private var lastDrawn = 0.0
    private var shown = false
    /// Output is being written: no drawing until ``restart()``.
    private var held = false

    /// Work taking at least this long shows the line.
    static let delay = 1.0

    /// - Parameter files: the data files the statement may read (a table's CSV file is read on
    ///   first use); their size says how far the reading has come.
    init(what: String, files: [String] = []) {
        self.what = what.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        fileBytes = files.reduce(0) { total, path in
            var info = stat()
            return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? total + Int(info.st_size) : total
        }
        bytesAtStart = Self.bytesRead() ?? 0
    }

    /// Bytes this process has read from files so far (`rchar` of /proc/self/io): the reading
    /// of a CSV file shows up there as it goes, with no help from the reader.
    static func bytesRead() -> Int? {
        guard let data = FileManager.default.contents(atPath: "/proc/self/io") else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("rchar:") }) else { return nil }
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
    }

    /// `reading 20 of 55 MB`, `read 56 MB`, or nothing before a megabyte. No time left is
    /// guessed from it: parsing and the query go on after the last byte is read, for as long
    /// again or more, and a guess that runs out early is worse than none.
    private func reading() -> String? {
        guard let now = Self.bytesRead() else { return nil }
        let read = now - bytesAtStart
        let mb = 1_000_000
        guard read >= mb else { return nil }
        if fileBytes > read { return "reading \(read / mb) of \((fileBytes + mb / 2) / mb) MB" }
        return "read \(read / mb) MB"
    }

    /// Draws or updates the line once the work has run past ``delay``; call it often.
    func tick() {
        lock.lock()
        defer { lock.unlock() }
        let now = Console.now()
        guard !held, now - start >= Self.delay, now - lastDrawn >= 0.1 else { return }
        lastDrawn = now
        let seconds = now - start
        var tail = " — \(Int(seconds)).\(Int(seconds * 10) % 10) s"
        if let reading = reading() { tail += ", " + reading }
        tail += "; Ctrl-C stops it"
        let width = max(20, (Console.errWidth() ?? 80) - 1)
        let room = max(8, width - tail.count - "running: ".count)
        let shortened = what.count > room ? String(what.prefix(room - 1)) + (Console.unicode ? "…" : "~") : what
        Console.err("\r\u{1B}[K" + "running: " + shortened + tail)
        shown = true
    }

    /// Erases the line and holds it back while output is written.
    func clear() {
        lock.lock()
        defer { lock.unlock() }
        held = true
        erase()
    }

    /// The next statement starts: the line may show again after ``delay``.
    func restart() {
        lock.lock()
        defer { lock.unlock() }
        erase()
        held = false
        start = Console.now()
    }

    /// The work is over: nothing is left on the screen.
    func finish() {
        lock.lock()
        defer { lock.unlock() }
        held = true
        erase()
    }

    private func erase() {
        if shown { Console.err("\r\u{1B}[K") }
        shown = false
    }
}

/// Large amounts read at a glance. The cells keep every digit, as the report prints them and
/// as an analyst checks them against it; a note under a table on a terminal says the largest
/// amount of each rupiah column in words, `≈ pagu hingga Rp9,05 miliar`, the way Indonesian
/// reports write amounts. Counts and other numbers get no note: grouped digits serve them.
enum LargeNumbers {
    /// From a million rupiah on, digits are hard to count at a glance.
    static let threshold = 1_000_000.0

    /// The note for `result`, or nil when no rupiah column holds an amount that large, or when
    /// the output is not for a terminal (scripts and pipes get exactly the rows).
    static func note(for result: QueryResult, locale: ResultFormatter.Locale) -> String? {
        guard Console.stdoutIsTerminal, result.chart == nil, result.rowCount > 0 else { return nil }
        var parts: [String] = []
        for (c, field) in result.fields.enumerated() where field.isRupiah {
            var largest = 0.0
            for r in 0..<result.rowCount {
                switch result[r, c] {
                case .int(let v): largest = max(largest, abs(Double(v)))
                case .double(let v) where v.isFinite: largest = max(largest, abs(v))
                default: break
                }
            }
            guard largest >= threshold else { continue }
            parts.append("\(field.name) \(locale == .indonesian ? "hingga" : "up to") Rp\(words(largest, locale))")
        }
        guard !parts.isEmpty else { return nil }
        return (Console.unicode ? "≈ " : "~ ") + parts.joined(separator: "; ") + "\n"
    }

    /// `9,05 miliar` (Indonesian) or `9.05 billion`.
    static func words(_ value: Double, _ locale: ResultFormatter.Locale) -> String {
        let scales: [(Double, String, String)] = [(1e12, "triliun", "trillion"), (1e9, "miliar", "billion"), (1e6, "juta", "million")]
        for (size, id, en) in scales where value >= size {
            let hundredths = Int((value / size * 100).rounded())
            let text = "\(hundredths / 100)\(locale == .indonesian ? "," : ".")\(String(format: "%02d", hundredths % 100))"
            return "\(text) \(locale == .indonesian ? id : en)"
        }
        return String(value)
    }
}
