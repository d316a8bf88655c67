import Foundation

/// Splits CSV bytes into rows and fields (RFC 4180: doubled quotes, separators and newlines
/// inside quotes, LF or CRLF line ends) and checks that the bytes are UTF-8. Works on raw bytes:
/// it records where each field starts and ends and never builds a string.
final class RowTokenizer {
    enum SyntaxError { case unterminatedQuote, characterAfterQuote, invalidUTF8 }

    let separator: UInt8
    /// How many fields of a row are recorded; further ones are only counted.
    let capacity: Int
    let starts: UnsafeMutablePointer<Int>
    let ends: UnsafeMutablePointer<Int>
    /// Bit 0: the field was quoted; bit 1: it holds doubled quotes to unescape.
    let flags: UnsafeMutablePointer<UInt8>
    /// 0 for bytes that need no attention in an unquoted field.
    private let classes: UnsafeMutablePointer<UInt8>

    /// Results of the last `tokenize`.
    var fieldCount = 0
    var newlines = 0
    var contentEnd = 0
    var extraStart = -1
    var error = SyntaxError.invalidUTF8
    var errorAt = 0

    init(separator: UInt8, capacity: Int) {
        self.separator = separator
        self.capacity = capacity
        starts = .allocate(capacity: capacity + 1)
        ends = .allocate(capacity: capacity + 1)
        flags = .allocate(capacity: capacity + 1)
        classes = .allocate(capacity: 256)
        for c in 0..<256 { classes[c] = c >= 0x80 ? 2 : 0 }
        for c in [separator, 34, 10, 13] { classes[Int(c)] = 1 }
    }

    deinit {
        starts.deallocate(); ends.deallocate(); flags.deallocate(); classes.deallocate()
    }

    /// Whether the last row was an empty line.
    @inline(__always) var isBlank: Bool { fieldCount == 1 && flags[0] == 0 && starts[0] == ends[0] }

    /// Length of the valid UTF-8 sequence at `p` (2...4), 0 if invalid, -1 if it runs past `end`.
    @inline(__always)
    static func utf8Length(_ b: UnsafePointer<UInt8>, _ p: Int, _ end: Int, _ final: Bool) -> Int {
        let c0 = b[p]
        let len: Int
        if c0 < 0xC2 { return 0 } else if c0 < 0xE0 { len = 2 } else if c0 < 0xF0 { len = 3 } else if c0 < 0xF5 { len = 4 } else { return 0 }
        if p &+ len > end {
            // Check what is there, so a bad byte is reported where it is.
            var q = p &+ 1
            while q < end { if b[q] & 0xC0 != 0x80 { return 0 }; q &+= 1 }
            return final ? 0 : -1
        }
        let c1 = b[p &+ 1]
        switch c0 {
        case 0xE0: if c1 < 0xA0 || c1 > 0xBF { return 0 }
        case 0xED: if c1 < 0x80 || c1 > 0x9F { return 0 }
        case 0xF0: if c1 < 0x90 || c1 > 0xBF { return 0 }
        case 0xF4: if c1 < 0x80 || c1 > 0x8F { return 0 }
        default: if c1 & 0xC0 != 0x80 { return 0 }
        }
        if len >= 3 && b[p &+ 2] & 0xC0 != 0x80 { return 0 }
        if len == 4 && b[p &+ 3] & 0xC0 != 0x80 { return 0 }
        return len
    }

    /// Reads one row starting at `start`. Returns the offset just past its line end, -1 when the
    /// row is not complete before `end` and more bytes may follow (`final` false), or -2 on a
    /// syntax error (`error`, `errorAt`).
    @inline(__always)
    func tokenize(_ b: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ final: Bool) -> Int {
        var p = start
        var f = 0
        newlines = 0
        extraStart = -1
        let sep = separator, cls = classes, cap = capacity
        while true {
            let fs = p
            if p < end && b[p] == 34 {
                p &+= 1
                var fl: UInt8 = 1
                while true {
                    if p >= end {
                        if final { error = .unterminatedQuote; errorAt = fs; return -2 }
                        return -1
                    }
                    let c = b[p]
                    if c == 34 {
                        if p &+ 1 >= end { if !final { return -1 }; break }
                        if b[p &+ 1] == 34 { fl |= 2; p &+= 2; continue }
                        break
                    }
                    if c < 0x80 {
                        if c == 10 { newlines &+= 1 }
                        p &+= 1
                        continue
                    }
                    let l = RowTokenizer.utf8Length(b, p, end, final)
                    if l > 0 { p &+= l; continue }
                    if l < 0 { return -1 }
                    error = .invalidUTF8; errorAt = p; return -2
                }
                if f < cap { starts[f] = fs &+ 1; ends[f] = p; flags[f] = fl } else if f == cap { extraStart = fs }
                f &+= 1
                p &+= 1
                if p >= end {
                    if !final { return -1 }
                    fieldCount = f; contentEnd = p; return p
                }
                let c = b[p]
                if c == sep { p &+= 1; continue }
                if c == 10 { fieldCount = f; contentEnd = p; return p &+ 1 }
                if c == 13 {
                    if p &+ 1 >= end {
                        if !final { return -1 }
                        fieldCount = f; contentEnd = p; return p &+ 1
                    }
                    if b[p &+ 1] == 10 { fieldCount = f; contentEnd = p; return p &+ 2 }
                }
                error = .characterAfterQuote; errorAt = p; return -2
            }
            while p < end {
                let c = b[p]
                if cls[Int(c)] == 0 { p &+= 1; continue }
                if c == sep || c == 10 { break }
                if c == 13 {
                    if p &+ 1 >= end { if !final { return -1 }; break }
                    if b[p &+ 1] == 10 { break }
                    p &+= 1
                    continue
                }
                if c == 34 { p &+= 1; continue }  // a quote inside an unquoted field is kept as it is
                let l = RowTokenizer.utf8Length(b, p, end, final)
                if l > 0 { p &+= l; continue }
                if l < 0 { return -1 }
                error = .invalidUTF8; errorAt = p; return -2
            }
            if f < cap { starts[f] = fs; ends[f] = p; flags[f] = 0 } else if f == cap { extraStart = fs }
            f &+= 1
            if p >= end {
                if !final { return -1 }
                fieldCount = f; contentEnd = p; return p
            }
            let c = b[p]
            if c == sep { p &+= 1; continue }
            fieldCount = f
            contentEnd = p
            if c == 10 { return p &+ 1 }
            return p &+ 1 < end && b[p &+ 1] == 10 ? p &+ 2 : p &+ 1
        }
    }

    /// One-based line offset (0 = the row's first line) and column, in characters, of `at`
    /// within the row starting at `rowStart`.
    static func locate(_ b: UnsafePointer<UInt8>, rowStart: Int, at: Int) -> (lineDelta: Int, column: Int) {
        var lineStart = rowStart, delta = 0
        var q = rowStart
        while q < at { if b[q] == 10 { delta += 1; lineStart = q + 1 }; q += 1 }
        var column = 1
        q = lineStart
        while q < at { if b[q] & 0xC0 != 0x80 { column += 1 }; q += 1 }
        return (delta, column)
    }
}

/// A problem found by a chunk, with a line counted from the chunk's start.
struct ChunkIssue {
    var kind: DiagnosticKind
    var line: Int
    var column: Int
}

/// Reads the rows of one stretch of a CSV file into column builders.
final class ChunkParser {
    enum Status { case done, needMore, failed }

    let tokenizer: RowTokenizer
    let columnCount: Int
    let names: [String]
    /// Columns converted, in the order they are converted (numbers before text, so a row
    /// dropped for a bad number never leaves a new word in a dictionary).
    let wanted: [Int]
    let builders: [ColumnBuilder]
    let skipBadRows: Bool
    private let scratch: UnsafeMutablePointer<UInt8>
    private var unescaped = GrowBuffer<UInt8>(capacity: 256)

    /// Rows kept so far.
    private(set) var rows = 0
    /// Physical lines consumed so far (rows, their inner newlines, blank and skipped lines).
    private(set) var lines = 0
    private(set) var error: ChunkIssue?
    private(set) var warnings: [ChunkIssue] = []

    init(separator: UInt8, names: [String], types: [ColumnType], locales: [NumberLocale],
         wanted: [Int], policy: ColumnBuilder.Policy, skipBadRows: Bool) {
        columnCount = names.count
        self.names = names
        tokenizer = RowTokenizer(separator: separator, capacity: names.count)
        let order = wanted.filter { types[$0] != .text } + wanted.filter { types[$0] == .text }
        self.wanted = order
        builders = order.map { ColumnBuilder(type: types[$0], locale: locales[$0], policy: policy) }
        self.skipBadRows = skipBadRows
        scratch = .allocate(capacity: 512)
    }

    deinit {
        scratch.deallocate()
        unescaped.release()
    }

    /// Reads rows that start before `stopAt` from `b[from..<bufEnd]`. `final` says no bytes follow
    /// `bufEnd`. Returns where it stopped: past the last complete row read.
    func run(_ b: UnsafePointer<UInt8>, from: Int, bufEnd: Int, stopAt: Int, final: Bool) -> (Int, Status) {
        var pos = from
        let tok = tokenizer
        let ncols = columnCount
        let nWanted = wanted.count
        while pos < stopAt {
            if pos >= bufEnd { return (pos, final ? .done : .needMore) }
            let next = tok.tokenize(b, pos, bufEnd, final)
            if next < 0 {
                if next == -1 { return (pos, .needMore) }
                let kind: DiagnosticKind
                switch tok.error {
                case .unterminatedQuote: kind = .csvUnterminatedQuote
                case .characterAfterQuote: kind = .csvCharacterAfterQuote
                case .invalidUTF8: kind = .csvInvalidUTF8
                }
                issue(kind, b, rowStart: pos, at: tok.errorAt, fatal: true)
                return (pos, .failed)
            }
            if tok.fieldCount != ncols {
                if tok.isBlank { lines &+= 1; pos = next; continue }
                let at = tok.fieldCount > ncols ? tok.extraStart : tok.contentEnd
                let kind = DiagnosticKind.csvFieldCount(expected: ncols, got: tok.fieldCount)
                if skipBadRows {
                    issue(.csvRowSkipped(because: kind), b, rowStart: pos, at: at, fatal: false)
                    lines &+= 1 &+ tok.newlines
                    pos = next
                    continue
                }
                issue(kind, b, rowStart: pos, at: at, fatal: true)
                return (pos, .failed)
            }
            var j = 0
            while j < nWanted {
                let col = wanted[j]
                let builder = builders[j]
                var s = tok.starts[col]
                let fl = tok.flags[col]
                var n = tok.ends[col] &- s
                var p = b + s
                if fl & 2 != 0 {
                    unescape(p, n)
                    p = UnsafePointer(unescaped.base); n = unescaped.count
                }
                if builder.kind == .text {
                    if n == 0 && fl == 0 { builder.appendNull() } else { builder.appendText(p, n) }
                } else if n == 0 {
                    builder.appendNull()
                } else if !builder.appendNumber(p, n, scratch: scratch) {
                    if isBlank(p, n) { builder.appendNull(); j &+= 1; continue }
                    s = fl & 1 != 0 ? s &- 1 : s
                    let text = String(decoding: UnsafeBufferPointer(start: p, count: min(n, 60)), as: UTF8.self)
                    let type: ColumnType = builder.kind == .int ? .int : .double
                    let kind = DiagnosticKind.csvBadValue(column: names[col], type: type.article, text: text)
                    if skipBadRows {
                        for k in 0..<j { builders[k].dropLast() }
                        issue(.csvRowSkipped(because: kind), b, rowStart: pos, at: s, fatal: false)
                        break
                    }
                    issue(kind, b, rowStart: pos, at: s, fatal: true)
                    return (pos, .failed)
                }
                j &+= 1
            }
            if j == nWanted { rows &+= 1 }
            lines &+= 1 &+ tok.newlines
            pos = next
        }
        return (pos, .done)
    }

    @inline(__always) private func isBlank(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        for i in 0..<n where !csvIsSpace(p[i]) { return false }
        return true
    }

    private func unescape(_ p: UnsafePointer<UInt8>, _ n: Int) {
        unescaped.count = 0
        unescaped.reserve(n)
        var i = 0
        while i < n {
            let c = p[i]
            unescaped.base[unescaped.count] = c
            unescaped.count &+= 1
            i &+= (c == 34 && i &+ 1 < n && p[i &+ 1] == 34) ? 2 : 1
        }
    }

    private func issue(_ kind: DiagnosticKind, _ b: UnsafePointer<UInt8>, rowStart: Int, at: Int, fatal: Bool) {
        let (delta, column) = RowTokenizer.locate(b, rowStart: rowStart, at: at)
        let found = ChunkIssue(kind: kind, line: lines + 1 + delta, column: column)
        if fatal { error = found } else { warnings.append(found) }
    }
}
