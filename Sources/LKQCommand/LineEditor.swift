#if canImport(Glibc)
import Glibc
#endif
import CEditLine
import LKQ

/// Line editing and history on a terminal, through libedit. The only type that touches it.
final class LineEditor {
    /// What one call to ``readLine(prompt:)`` got.
    enum Input: Equatable {
        /// A line, without its line break.
        case line(String)
        /// Ctrl-C: the half-typed line is gone.
        case interrupted
        /// Ctrl-D on an empty line, or the terminal went away.
        case endOfInput
        /// Text pasted with bracketed paste that holds a line break, and what was typed on the
        /// line before it.
        case paste(typed: String, pasted: String)
    }

    /// Given the text before the cursor, the candidates and how much of the text they replace.
    typealias Completer = (_ textBeforeCursor: String) -> Completion

    private let el: OpaquePointer
    private let history: OpaquePointer
    /// Where history is saved; nil when it is not kept (no path, or a file left alone).
    private let historyPath: String?
    private var historyWarned = false
    private let completer: Completer
    /// The prompt libedit shows, kept as C text for as long as libedit may read it.
    private var promptText: UnsafeMutablePointer<CChar> = strdup("> ")

    /// Most history entries kept, in memory and on disk.
    static let historySize: Int32 = 1000

    /// Starts editing on the terminal; nil if libedit cannot start.
    init?(historyPath: String?, highlight: Bool = false, completer: @escaping Completer) {
        guard let el = lkq_el_init("lkq"), let history = history_init() else { return nil }
        self.el = el
        self.history = history
        self.completer = completer

        lkq_history_setsize(history, Self.historySize)
        lkq_history_setunique(history, 1)
        self.historyPath = Self.loadHistory(history, from: historyPath)
        lkq_el_set_history(el, history)
        lkq_el_set_editor(el, "emacs")
        lkq_el_bind(el, "^R", "em-inc-search-prev")
        lkq_el_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        lkq_el_set_prompt_function(el) { el in
            guard let el, let data = lkq_el_get_clientdata(el) else { return nil }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().promptText
        }
        lkq_el_bind_function(el, "lkq-complete", "Complete LKQ names", { el, _ in
            guard let el, let data = lkq_el_get_clientdata(el) else { return UInt8(CC_ERROR) }
            return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().complete()
        }, "^I")
        // Last, so the user's ~/.editrc can change any binding above.
        el_source(el, nil)
        lkq_install_sigint()
        if highlight {
            lkq_set_idle_function { el in
                guard let el, let data = lkq_el_get_clientdata(el) else { return }
                Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().highlight()
            }
        }
    }

    /// Loads the history file as ``HistoryFile`` advises, warning once about any trouble;
    /// returns the path to save history to, if any.
    private static func loadHistory(_ history: OpaquePointer, from path: String?) -> String? {
        guard let path else { return nil }
        switch HistoryFile.read(path) {
        case .asIs:
            lkq_history_load(history, path)
            return path
        case .refused(let warning):
            if let warning { Console.err("lkq: warning: \(warning)\n") }
            return nil
        case .cleaned(let bytes, let warning):
            if let warning { Console.err("lkq: warning: \(warning)\n") }
            HistoryFile.rewriteCleanly(path)
            // libedit reads history only from a named file: hand it the cleaned copy through a
            // private temporary one, removed at once.
            let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
            var template = Array("\(folder)/lkq-history-XXXXXX".utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { return path }
            let copy = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            defer { unlink(copy); close(fd) }
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written == bytes.count { lkq_history_load(history, copy) }
            return path
        }
    }

    deinit {
        el_end(el)
        history_end(history)
        free(promptText)
    }

    /// Whether Ctrl-C was pressed since the last call (clears the flag).
    static func takeInterrupt() -> Bool { lkq_take_interrupt() != 0 }

    /// Whether a line starting with `|` has already arrived (pasted, or typed ahead), so the
    /// statement just read goes on.
    func typeaheadStartsWithPipe() -> Bool { lkq_typeahead_starts_with_pipe() != 0 }

    /// Asks the terminal to mark pasted text (bracketed paste), or to stop.
    func bracketedPaste(_ on: Bool) {
        if Console.stdoutIsTerminal && Console.colorAllowedByTerminal { lkq_bracketed_paste(on ? 1 : 0) }
    }

    /// Shows `prompt` and reads one line, with editing.
    func readLine(prompt: String) -> Input {
        free(promptText)
        promptText = strdup(prompt)
        _ = lkq_take_interrupt()
        var count: Int32 = 0
        let line = el_gets(el, &count)
        if lkq_take_interrupt() != 0 {
            Console.out("\n")
            return .interrupted
        }
        guard let line, count > 0 else { return .endOfInput }
        var text = String(cString: line)
        if text.hasSuffix("\n") { text.removeLast() }
        if let pasted = lkq_take_paste() {
            defer { free(pasted) }
            return .paste(typed: text, pasted: String(cString: pasted))
        }
        return .line(text)
    }

    // MARK: Highlighting

    /// Colours by ``StatementText/Role``: keywords bold, names, numbers and strings in colours
    /// of their own, an error underlined in red.
    static func color(_ role: StatementText.Role) -> String {
        switch role {
        case .keyword: return "\u{1B}[1;35m"
        case .name: return "\u{1B}[34m"
        case .number: return "\u{1B}[36m"
        case .string: return "\u{1B}[32m"
        case .punctuation: return ""
        case .error: return "\u{1B}[4;31m"
        }
    }

    /// Repaints the line libedit has just drawn, in colour: the same characters in the same
    /// places, so libedit's idea of the screen stays true. Only a line that fits on one row
    /// of the terminal is repainted; a longer one stays plain.
    private func highlight() {
        guard let info = el_line(el)?.pointee, let start = info.buffer, let end = info.lastchar,
              let cursor = info.cursor, end > start else { return }
        let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(start).assumingMemoryBound(to: UInt8.self),
                                              count: end - start))
        guard !bytes.contains(where: { $0 < 0x20 }) else { return }
        let text = String(decoding: bytes, as: UTF8.self)
        let prompt = String(cString: promptText)
        func columns(_ s: Substring.UTF8View.SubSequence) -> Int {
            String(decoding: s, as: UTF8.self).unicodeScalars.reduce(0) { $0 + max(1, Int(lkq_wcwidth(UInt32($1.value)))) }
        }
        let promptColumns = prompt.count
        let lineColumns = columns(text.utf8[...])
        guard promptColumns + lineColumns < (Console.width() ?? 80) else { return }
        var out = "\r" + (promptColumns > 0 ? "\u{1B}[\(promptColumns)C" : "")
        var at = 0
        for span in StatementText.spans(text) where span.role != .punctuation {
            // The word under the cursor is still being typed: no error for it yet.
            if span.role == .error && span.range.upperBound >= bytes.count { continue }
            out += String(decoding: bytes[at..<span.range.lowerBound], as: UTF8.self)
            let upper = min(span.range.upperBound, bytes.count)
            out += Self.color(span.role) + String(decoding: bytes[span.range.lowerBound..<upper], as: UTF8.self) + "\u{1B}[0m"
            at = upper
        }
        out += String(decoding: bytes[at...], as: UTF8.self)
        let cursorColumns = promptColumns + columns(text.utf8.prefix(cursor - start))
        out += "\r" + (cursorColumns > 0 ? "\u{1B}[\(cursorColumns)C" : "")
        Console.out(out)
    }

    /// Adds a whole statement (lines joined) to the history and appends it to the file at once,
    /// so a session that is killed keeps what was typed and other shells keep theirs.
    func remember(_ entry: String) {
        // A statement of megabytes (a paste gone wrong) would bloat every later session.
        guard !entry.allSatisfy(\.isWhitespace), entry.utf8.count <= HistoryFile.maxEntryBytes else { return }
        lkq_history_enter(history, entry)
        guard let historyPath else { return }
        let saved = Self.encoded(entry).map { HistoryFile.append($0, to: historyPath) } ?? false
        if !saved && !historyWarned {
            historyWarned = true
            Console.err("lkq: warning: cannot save history to '\(historyPath)'; history will not be kept\n")
        }
    }

    /// `entry` as libedit writes it in a history file (its own escapes for blanks and control
    /// characters), so the file stays one libedit reads back. libedit only saves whole
    /// histories: a history of this one entry is saved to a private temporary file and read.
    static func encoded(_ entry: String) -> [UInt8]? {
        guard let scratch = history_init() else { return nil }
        defer { history_end(scratch) }
        // A new history keeps no entries until it is given a size.
        lkq_history_setsize(scratch, 1)
        lkq_history_enter(scratch, entry)
        let folder = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(folder)/lkq-entry-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { unlink(path); close(fd) }
        guard lkq_history_save(scratch, path) >= 0 else { return nil }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        guard bytes.starts(with: HistoryFile.cookie) else { return nil }
        var line = Array(bytes.dropFirst(HistoryFile.cookie.count))
        while line.last == 10 { line.removeLast() }
        // One entry is one line; anything else is not what libedit should have written.
        return line.isEmpty || line.contains(10) ? nil : line
    }

    /// The Tab key: insert what all candidates share, or list them when there is nothing to add.
    private func complete() -> UInt8 {
        guard let info = el_line(el)?.pointee, let start = info.buffer, let cursor = info.cursor else {
            return UInt8(CC_ERROR)
        }
        let length = cursor - start
        let before = String(decoding: UnsafeBufferPointer(start: UnsafeRawPointer(start).assumingMemoryBound(to: UInt8.self),
                                                          count: max(0, length)), as: UTF8.self)
        let completion = completer(before)
        if completion.candidates.isEmpty { return UInt8(CC_REFRESH_BEEP) }

        let typed = completion.word
        let shared = Completion.commonPrefix(completion.candidates)
        if completion.candidates.count == 1 {
            replace(typed, with: shared + completion.suffix(for: shared))
            return UInt8(CC_REFRESH)
        }
        if shared.count > typed.count {
            replace(typed, with: shared)
            return UInt8(CC_REFRESH)
        }
        Console.out("\n" + Completion.columns(completion.candidates, width: Console.width() ?? 80))
        return UInt8(CC_REDISPLAY)
    }

    /// Swaps the typed word for `text`; only the missing tail is inserted when the typed word
    /// already matches it exactly, so `CAP` + Tab becomes `capaian`, not `CAPaian`.
    private func replace(_ typed: String, with text: String) {
        if text.hasPrefix(typed) {
            let tail = String(text.dropFirst(typed.count))
            if !tail.isEmpty { el_insertstr(el, tail) }
            return
        }
        el_deletestr(el, Int32(typed.unicodeScalars.count))
        el_insertstr(el, text)
    }
}
