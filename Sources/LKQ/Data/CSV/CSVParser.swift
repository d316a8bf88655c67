import CLKQScan
import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// Splits CSV bytes into rows and fields (RFC 4180: doubled quotes, separators and newlines
/// inside quotes; LF, CRLF or CR alone as line ends) and checks that the bytes are UTF-8 with no NUL (a NUL
/// byte means UTF-16 or a binary file, never CSV text). Works on raw bytes:
/// it records where each field starts and ends and never builds a string.
///
/// A struct of pointers, so the row loop pays no reference counting; whoever makes one calls
/// `deallocate()`.
struct RowTokenizer {
    enum SyntaxError {
        case unterminatedQuote, characterAfterQuote, invalidUTF8, nulByte

        var kind: DiagnosticKind {
            switch self {
            case .unterminatedQuote: return .csvUnterminatedQuote
            case .characterAfterQuote: return .csvCharacterAfterQuote
            case .invalidUTF8: return .csvInvalidUTF8
            case .nulByte: return .csvNulByte
            }
        }
    }

    let separator: UInt8
    /// How many fields of a row are recorded; further ones are only counted.
    let capacity: Int
    let starts: UnsafeMutablePointer<Int>
    let ends: UnsafeMutablePointer<Int>
    /// Bit 0: the field was quoted; bit 1: it holds doubled quotes to unescape.
    let flags: UnsafeMutablePointer<UInt8>
    /// 0 for bytes that need no attention in an unquoted field.
    private let classes: UnsafeMutablePointer<UInt8>

    /// Results of the last `tokenize`, kept behind a pointer so that writing them in the hot
    /// loop costs no exclusivity checks.
    struct Results {
        var fieldCount = 0
        var newlines = 0
        var contentEnd = 0
        var extraStart = -1
        var error = SyntaxError.invalidUTF8
        var errorAt = 0
    }
    private let results: UnsafeMutablePointer<Results>
    var fieldCount: Int { get { results.pointee.fieldCount } nonmutating set { results.pointee.fieldCount = newValue } }
    var newlines: Int { get { results.pointee.newlines } nonmutating set { results.pointee.newlines = newValue } }
    var contentEnd: Int { get { results.pointee.contentEnd } nonmutating set { results.pointee.contentEnd = newValue } }
    var extraStart: Int { get { results.pointee.extraStart } nonmutating set { results.pointee.extraStart = newValue } }
    var error: SyntaxError { get { results.pointee.error } nonmutating set { results.pointee.error = newValue } }
    var errorAt: Int { get { results.pointee.errorAt } nonmutating set { results.pointee.errorAt = newValue } }

    init(separator: UInt8, capacity: Int) {
        self.separator = separator
        self.capacity = capacity
        starts = .allocate(capacity: capacity + 1)
        ends = .allocate(capacity: capacity + 1)
        flags = .allocate(capacity: capacity + 1)
        classes = .allocate(capacity: 256)
        results = .allocate(capacity: 1)
        results.initialize(to: Results())
        for c in 0..<256 { classes[c] = c >= 0x80 ? 2 : 0 }
        for c in [separator, 34, 10, 13, 0] { classes[Int(c)] = 1 }
    }

    func deallocate() {
        starts.deallocate(); ends.deallocate(); flags.deallocate(); classes.deallocate(); results.deallocate()
    }

    /// Whether the last row was an empty line.
    @inline(__always) var isBlank: Bool { fieldCount == 1 && flags[0] == 0 && starts[0] == ends[0] }

    /// High bit set in each byte of `x` that is zero (exact for the lowest one).
    @inline(__always) static func zeroBytes(_ x: UInt64) -> UInt64 {
        (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

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
        let raw = UnsafeRawPointer(b)
        let sepBytes = 0x0101_0101_0101_0101 &* UInt64(sep)
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
                        if c <= 13 {
                            if c == 10 {
                                newlines &+= 1
                            } else if c == 13 {
                                // A CR alone is a line end of its own (old Mac files).
                                if p &+ 1 < end && b[p &+ 1] != 10 { newlines &+= 1 }
                            } else if c == 0 { error = .nulByte; errorAt = p; return -2 }
                        }
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
                    fieldCount = f; contentEnd = p
                    return b[p &+ 1] == 10 ? p &+ 2 : p &+ 1
                }
                error = .characterAfterQuote; errorAt = p; return -2
            }
            while p < end {
                if p &+ 8 <= end {
                    // Eight bytes at a time: find the first that is a separator, quote, control
                    // byte below 14 (NUL, LF, CR; a tab is let through below) or non-ASCII (the
                    // lowest flagged byte is exact; flags above it may not be).
                    let w = raw.loadUnaligned(fromByteOffset: p, as: UInt64.self)
                    let m = RowTokenizer.zeroBytes(w ^ sepBytes) | RowTokenizer.zeroBytes(w ^ 0x2222_2222_2222_2222)
                        | ((w &- 0x0E0E_0E0E_0E0E_0E0E) & ~w & 0x8080_8080_8080_8080) | (w & 0x8080_8080_8080_8080)
                    if m == 0 { p &+= 8; continue }
                    p &+= m.trailingZeroBitCount &>> 3
                }
                let c = b[p]
                if cls[Int(c)] == 0 { p &+= 1; continue }
                if c == sep || c == 10 { break }
                if c == 13 {
                    // CRLF, or a CR alone ("CSV (Macintosh)" from Excel for Mac): both end the row.
                    if p &+ 1 >= end && !final { return -1 }
                    break
                }
                if c == 34 { p &+= 1; continue }  // a quote inside an unquoted field is kept as it is
                if c == 0 { error = .nulByte; errorAt = p; return -2 }
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
    /// `wanted` and `builders` as raw pointers for the row loop (no retain/release per value).
    private let wantedColumns: UnsafeMutablePointer<Int>
    /// How many of `wanted` are number columns (they come first).
    private let numericCount: Int
    private let batch: Batch
    /// What the memory touches read, kept so they are not optimized away.
    private var touched: UInt64 = 0
    private let builderRefs: UnsafeMutablePointer<UnsafeMutablePointer<ColumnBuilder.State>>
    private let scratch: UnsafeMutablePointer<UInt8>
    private let unescapedBuffer: UnsafeMutablePointer<GrowBuffer<UInt8>>
    private var unescaped: GrowBuffer<UInt8> {
        get { unescapedBuffer.pointee } set { unescapedBuffer.pointee = newValue }
    }
    private let counters: UnsafeMutablePointer<Int>
    /// The plain-row splitter's view of this parser: per field, its entry among `wanted`, and
    /// the batch it writes into.
    private let plainSlots: UnsafeMutablePointer<Int32>
    private let plain: UnsafeMutablePointer<lkqscan_rows>

    /// Rows kept so far.
    var rows: Int { get { counters[0] } set { counters[0] = newValue } }
    /// Physical lines consumed so far (rows, their inner newlines, blank and skipped lines).
    var lines: Int { get { counters[1] } set { counters[1] = newValue } }
    private(set) var error: ChunkIssue?
    private(set) var warnings: [ChunkIssue] = []
    /// Whether a number cell that is not a number becomes null with a warning (the builders'
    /// policy is `.lenient`) rather than failing or skipping its row.
    let lenient: Bool
    /// Per entry of `wanted`: how many cells were not numbers, and where the first few are.
    private(set) var badCounts: [Int]
    private(set) var badCells: [[ChunkIssue]]
    /// Cells that are not numbers remembered per column and stretch of the file.
    static let badCellsKept = 10

    /// Where the file's byte `0` is in the buffers handed to `run` (set by whoever reads the file).
    var fileOffset = 0
    /// A sparse index of the rows read, one entry per batch: the rows and lines before it (counted
    /// from this stretch's start) and the file offset where its first row (or blank lines
    /// before it) starts. Kept when `indexRows` is set, so a few rows can be read again later.
    var indexRows = false
    /// Whether plain rows go through the bit-mask splitter (`lkqscan_plain_rows`) before the
    /// tokenizer; off only in tests that compare the two.
    var splitsPlainRows = true
    /// Rows the splitter took (the rest went through the tokenizer).
    private(set) var plainRows = 0
    private(set) var rowIndex: [(row: Int, line: Int, offset: Int)] = []

    /// Makes room for `rows` rows in every column (memory is only reserved; pages not written
    /// cost nothing), so the columns do not grow by copying as the stretch is read.
    func reserve(rows: Int) {
        for b in builders { b.reserve(rows: rows) }
    }

    /// Stops at the row being read, which is longer than `limit` bytes: no CSV row is, and
    /// reading on would hold the rest of the file in memory.
    func rowTooLong(limit: Int) {
        error = ChunkIssue(kind: .fileUnreadable("", reason: "a row is longer than \(limit >> 20) MB; is this a CSV file?"),
                           line: lines + 1, column: 1)
    }

    init(separator: UInt8, names: [String], types: [ColumnType], locales: [NumberLocale],
         wanted: [Int], policy: ColumnBuilder.Policy, skipBadRows: Bool) {
        columnCount = names.count
        self.names = names
        tokenizer = RowTokenizer(separator: separator, capacity: names.count)
        let order = wanted.filter { types[$0] != .text } + wanted.filter { types[$0] == .text }
        self.wanted = order
        builders = order.map { ColumnBuilder(type: types[$0], locale: locales[$0], policy: policy) }
        self.skipBadRows = skipBadRows
        lenient = policy == .lenient && !skipBadRows
        badCounts = Array(repeating: 0, count: order.count)
        badCells = Array(repeating: [], count: order.count)
        numericCount = wanted.filter { types[$0] != .text }.count
        batch = Batch(columns: order.count)
        wantedColumns = .allocate(capacity: max(1, order.count))
        wantedColumns.initialize(from: order, count: order.count)
        builderRefs = .allocate(capacity: max(1, order.count))
        for (j, b) in builders.enumerated() { (builderRefs + j).initialize(to: b.state) }
        scratch = .allocate(capacity: 512)
        unescapedBuffer = .allocate(capacity: 1)
        unescapedBuffer.initialize(to: GrowBuffer<UInt8>(capacity: 256))
        counters = .allocate(capacity: 2)
        counters.initialize(repeating: 0, count: 2)
        plainSlots = .allocate(capacity: max(1, names.count))
        plainSlots.initialize(repeating: -1, count: max(1, names.count))
        for (j, col) in order.enumerated() { plainSlots[col] = Int32(j) }
        plain = .allocate(capacity: 1)
        plain.initialize(to: lkqscan_rows(
            bytes: nil, end: 0, stop_at: 0, separator: separator, columns: names.count,
            slot: UnsafePointer(plainSlots), wanted: order.count, starts: batch.starts, ends: batch.ends,
            flags: batch.flags, row_start: batch.rowStart, lines_before: batch.linesBefore,
            last_wanted: order.max() ?? -1, changed: 1, window: lkqscan_window_new()))
    }

    deinit {
        tokenizer.deallocate()
        batch.deallocate()
        wantedColumns.deallocate()
        builderRefs.deallocate()
        scratch.deallocate()
        unescapedBuffer.pointee.release()
        unescapedBuffer.deallocate()
        counters.deallocate()
        plainSlots.deallocate()
        lkqscan_window_free(plain.pointee.window)
        plain.deallocate()
    }

    /// Reads rows that start before `stopAt` from `b[from..<bufEnd]`. `final` says no bytes follow
    /// `bufEnd`. Returns where it stopped: past the last complete row read.
    func run(_ b: UnsafePointer<UInt8>, from: Int, bufEnd: Int, stopAt: Int, final: Bool) -> (Int, Status) {
        var pos = from
        let tok = tokenizer
        let ncols = columnCount
        let nWanted = wanted.count
        let wanted = self.wantedColumns
        let batch = self.batch
        let cap = ChunkParser.batchRows
        let plain = self.plain
        plain.pointee.bytes = b
        plain.pointee.end = bufEnd
        plain.pointee.stop_at = stopAt
        plain.pointee.changed = 1
        // Rows until the plain splitter is tried again, after it could not split one: none after
        // a first miss, then twice as many after each miss in a row (up to 63), so a file whose
        // every row needs the tokenizer pays little, and one odd row among plain ones nothing.
        var plainWait = splitsPlainRows ? 0 : Int.max
        var plainMisses = 0
        while true {
            // Split up to `batchRows` rows, noting where the wanted fields are.
            var rowsIn = 0
            var status: Status?
            var pending: (kind: DiagnosticKind, rowStart: Int, at: Int)?
            if indexRows && pos < bufEnd && pos < stopAt { rowIndex.append((rows, lines, fileOffset &+ pos)) }
            while rowsIn < cap {
                // Plain rows (the right field count, no line end inside quotes, no CR alone, no
                // NUL or bad UTF-8) are split by bit masks; a row that is not is read below by
                // the full tokenizer, which has every rule and error.
                if plainWait == 0 {
                    var next = pos
                    let got = lkqscan_plain_rows(plain, pos, rowsIn, cap &- rowsIn, lines, &next)
                    if got > 0 {
                        rowsIn &+= got; lines &+= got; pos = next; plainRows &+= got
                        plainMisses = 0
                        if rowsIn == cap { break }
                    } else {
                        plainWait = (1 &<< min(plainMisses, 6)) &- 1
                        plainMisses &+= 1
                    }
                } else {
                    plainWait &-= 1
                }
                if pos >= stopAt { status = .done; break }
                if pos >= bufEnd { status = final ? .done : .needMore; break }
                let next = tok.tokenize(b, pos, bufEnd, final)
                if next < 0 {
                    if next == -1 { status = .needMore; break }
                    pending = (tok.error.kind, pos, tok.errorAt)
                    break
                }
                if tok.fieldCount != ncols {
                    if tok.isBlank { lines &+= 1; pos = next; continue }
                    let at = tok.fieldCount > ncols ? tok.extraStart : tok.contentEnd
                    let kind = DiagnosticKind.csvFieldCount(expected: ncols, got: tok.fieldCount)
                    if !skipBadRows { pending = (kind, pos, at); break }
                    issue(.csvRowSkipped(because: kind), b, rowStart: pos, at: at, linesBefore: lines, fatal: false)
                    lines &+= 1 &+ tok.newlines
                    pos = next
                    continue
                }
                batch.rowStart[rowsIn] = pos
                batch.linesBefore[rowsIn] = lines
                let base = rowsIn &* nWanted
                for j in 0..<nWanted {
                    let col = wanted[j]
                    batch.starts[base &+ j] = tok.starts[col]
                    batch.ends[base &+ j] = tok.ends[col]
                    batch.flags[base &+ j] = tok.flags[col]
                }
                rowsIn &+= 1
                lines &+= 1 &+ tok.newlines
                pos = next
            }
            // Rows before a fatal problem may hold an earlier one: convert them first.
            if rowsIn > 0 && !convert(b, rows: rowsIn, readable: bufEnd) { return (pos, .failed) }
            if let pending {
                issue(pending.kind, b, rowStart: pending.rowStart, at: pending.at, linesBefore: lines, fatal: true)
                return (pos, .failed)
            }
            if let status { return (pos, status) }
        }
    }

    /// Rows split at a time before their values are converted.
    static let batchRows = 64

    /// Where the wanted fields of a batch of rows are.
    struct Batch {
        let starts: UnsafeMutablePointer<Int>
        let ends: UnsafeMutablePointer<Int>
        let flags: UnsafeMutablePointer<UInt8>
        let hashes: UnsafeMutablePointer<UInt64>
        let rowStart: UnsafeMutablePointer<Int>
        let linesBefore: UnsafeMutablePointer<Int>
        let skipped: UnsafeMutablePointer<Bool>

        init(columns: Int) {
            let n = ChunkParser.batchRows * max(1, columns)
            starts = .allocate(capacity: n); ends = .allocate(capacity: n); flags = .allocate(capacity: n)
            hashes = .allocate(capacity: ChunkParser.batchRows)
            rowStart = .allocate(capacity: ChunkParser.batchRows)
            linesBefore = .allocate(capacity: ChunkParser.batchRows)
            skipped = .allocate(capacity: ChunkParser.batchRows)
        }

        func deallocate() {
            starts.deallocate(); ends.deallocate(); flags.deallocate(); hashes.deallocate()
            rowStart.deallocate(); linesBefore.deallocate(); skipped.deallocate()
        }
    }

    /// Converts a batch: number columns row by row (a bad value fails or skips its row), then
    /// each text column in two passes: hash every value (and, once the dictionary outgrows the
    /// cache, touch its slot), then look them up with the memory already on its way
    /// (high-cardinality columns are bound by cache misses).
    ///
    /// `readable`: bytes of `b` before it may be read, beyond the fields themselves (whole words
    /// of digits are read at a time).
    private func convert(_ b: UnsafePointer<UInt8>, rows count: Int, readable: Int) -> Bool {
        let nWanted = wanted.count
        let builders = self.builderRefs
        let batch = self.batch
        let numeric = numericCount
        for r in 0..<count {
            batch.skipped[r] = false
            var j = 0
            let base = r &* nWanted
            while j < numeric {
                let builder = builders[j]
                var s = batch.starts[base &+ j]
                let fl = batch.flags[base &+ j]
                var n = batch.ends[base &+ j] &- s
                var p = b + s
                if fl & 2 != 0 {
                    unescape(p, n)
                    p = UnsafePointer(unescaped.base); n = unescaped.count
                }
                // Plain digits in an integer column (most amounts) are read eight at a time.
                if fl & 2 == 0 && n > 0 && n <= 16 && s &+ max(n, 8) <= readable && (p[0] != 48 || n == 1)
                    && builder.pointee.kind == .int && builder.pointee.locale == .c,
                   let v = CSVNumbers.parseDigits(p, n) {
                    ColumnBuilder.appendInt(builder, v)
                } else if n == 0 {
                    ColumnBuilder.appendNull(builder)
                } else if !ColumnBuilder.appendNumber(builder, p, n, scratch: scratch) {
                    s = fl & 1 != 0 ? s &- 1 : s
                    let col = wanted[j]
                    let text = String(decoding: UnsafeBufferPointer(start: p, count: min(n, 60)), as: UTF8.self)
                        .trimmingCharacters(in: .whitespaces)
                    if lenient {
                        // The column stays numeric: this cell is null, and said where it is.
                        badCounts[j] += 1
                        if badCells[j].count < ChunkParser.badCellsKept {
                            let (delta, column) = RowTokenizer.locate(b, rowStart: batch.rowStart[r], at: s)
                            badCells[j].append(ChunkIssue(kind: .csvNotANumber(column: names[col], text: text),
                                                          line: batch.linesBefore[r] + 1 + delta, column: column))
                        }
                        ColumnBuilder.appendNull(builder)
                        j &+= 1
                        continue
                    }
                    let type: ColumnType = builder.pointee.kind == .int ? .int : .double
                    let kind = DiagnosticKind.csvBadValue(column: names[col], type: type.article, text: text)
                    if skipBadRows {
                        for k in 0..<j { self.builders[k].dropLast() }
                        issue(.csvRowSkipped(because: kind), b, rowStart: batch.rowStart[r], at: s,
                              linesBefore: batch.linesBefore[r], fatal: false)
                        batch.skipped[r] = true
                        break
                    }
                    issue(kind, b, rowStart: batch.rowStart[r], at: s, linesBefore: batch.linesBefore[r], fatal: true)
                    return false
                }
                j &+= 1
            }
            if !batch.skipped[r] { rows &+= 1 }
        }
        var sink: UInt64 = 0
        for j in numeric..<nWanted {
            let builder = builders[j]
            let dict = builder.pointee.dictionary.unsafelyUnwrapped
            // A table that fits in the core's cache needs no touching ahead (32,768 slots: 512 KB).
            let ahead = dict.pointee.mask >= 32_767
            for r in 0..<count {
                let k = r &* nWanted &+ j
                var s = batch.starts[k], e = batch.ends[k]
                // Text is kept without the blanks around it, and "no value" marks are null.
                if e > s && (csvIsSpace(b[s]) || csvIsSpace(b[e &- 1])) {
                    while e > s && csvIsSpace(b[s]) { s &+= 1 }
                    while e > s && csvIsSpace(b[e &- 1]) { e &-= 1 }
                    batch.starts[k] = s; batch.ends[k] = e
                }
                let n = e &- s
                if n > 0 && n <= 4 && CSVNumbers.isNullMark(b + s, n) {
                    batch.ends[k] = s; batch.flags[k] = 0
                    continue
                }
                if batch.flags[k] & 2 == 0 && n > 0 {
                    let h = csvHashBytes(b + s, n)
                    batch.hashes[r] = h
                    if ahead { sink &+= ByteDictionary.touch(dict, hash: h) }
                }
            }
            for r in 0..<count where !batch.skipped[r] {
                let k = r &* nWanted &+ j
                let s = batch.starts[k], fl = batch.flags[k], n = batch.ends[k] &- s
                if fl & 2 != 0 {
                    unescape(b + s, n)
                    var from = 0, to = unescaped.count
                    let u = unescaped.base
                    while to > from && csvIsSpace(u[from]) { from &+= 1 }
                    while to > from && csvIsSpace(u[to &- 1]) { to &-= 1 }
                    ColumnBuilder.appendText(builder, UnsafePointer(u + from), to &- from)
                } else if n > 0 {
                    ColumnBuilder.appendText(builder, b + s, n, hash: batch.hashes[r])
                } else if fl == 0 {
                    ColumnBuilder.appendNull(builder)
                } else {
                    ColumnBuilder.appendText(builder, b + s, 0)
                }
            }
        }
        touched &+= sink
        return true
    }

    private func unescape(_ p: UnsafePointer<UInt8>, _ n: Int) {
        let u = unescapedBuffer
        u.pointee.count = 0
        u.pointee.reserve(n)
        var i = 0
        while i < n {
            let c = p[i]
            u.pointee.base[u.pointee.count] = c
            u.pointee.count &+= 1
            i &+= (c == 34 && i &+ 1 < n && p[i &+ 1] == 34) ? 2 : 1
        }
    }

    private func issue(_ kind: DiagnosticKind, _ b: UnsafePointer<UInt8>, rowStart: Int, at: Int, linesBefore: Int, fatal: Bool) {
        let (delta, column) = RowTokenizer.locate(b, rowStart: rowStart, at: at)
        let found = ChunkIssue(kind: kind, line: linesBefore + 1 + delta, column: column)
        if fatal { error = found } else { warnings.append(found) }
    }
}
