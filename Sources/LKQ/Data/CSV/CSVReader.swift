import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif
#if canImport(Glibc)
import Glibc
#endif

/// What the header and the head of a CSV file say about it.
struct CSVSchema: Sendable, Equatable {
    var separator: UInt8
    var names: [String]
    var types: [ColumnType]
    var locales: [NumberLocale]
    /// Byte offset of the first data row.
    var dataStart: Int
    /// Lines before the first data row (blank lines, the header and newlines inside it).
    var headerLines: Int
}

/// Reads CSV: built-in data held in memory with a declared schema (``parse(_:path:fields:)``),
/// and user files opened lazily with inferred types (``open(path:name:options:)``).
///
/// Everything works on bytes: rows are split by ``RowTokenizer`` and values converted straight
/// into column buffers (``ColumnBuilder``); no `String` is made per field. Big files are read by
/// all cores at once, each taking a stretch of the file that starts after a newline; since such
/// a newline may be inside a quoted field, each stretch's start is checked against where the
/// stretch before it really ended, and a stretch that started wrongly is read again.
enum CSVReader {
    /// Rows of the head used to infer separator and types.
    static let sampleRows = 20_000
    /// Bytes of the head used to infer separator and types.
    static let sampleBytes = 1 << 20
    /// Bytes read at a time by each reader of a big file.
    static let window = 4 << 20
    /// The longest header row read (the head of the file is read until the header ends).
    static let maxHeaderBytes = 4 << 20
    /// The longest row read: fields of many megabytes are read, a file with no line break is not.
    static let maxRowBytes = 256 << 20
    /// Files with at least this many bytes are read by several threads.
    static let parallelThreshold = 8 << 20

    // MARK: In memory, declared schema

    /// Parses CSV held in memory whose header must name `fields` in order (case-insensitively,
    /// blanks trimmed). Values must fit the declared types; an empty field is null; numbers use
    /// `.` as decimal point. Errors point at `path:line:column`.
    static func parse(_ bytes: [UInt8], path: String, fields: [Field]) throws(Diagnostic) -> (count: Int, columns: [Column]) {
        let result: Result<(count: Int, columns: [Column]), Diagnostic> = bytes.withUnsafeBufferPointer { buf in
            do throws(Diagnostic) {
                return .success(try parse(buf, path: path, fields: fields))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func parse(_ buf: UnsafeBufferPointer<UInt8>, path: String, fields: [Field]) throws(Diagnostic) -> (count: Int, columns: [Column]) {
        guard let b = buf.baseAddress, buf.count > 0 else { throw Diagnostic(.csvEmpty, .file(path: path, line: 1, column: 1)) }
        let header = try readHeader(b, count: buf.count, final: true, separator: 44, path: path)
        guard let header else { throw Diagnostic(.csvEmpty, .file(path: path, line: 1, column: 1)) }
        for (i, field) in fields.enumerated() {
            let found = i < header.names.count ? header.names[i] : ""
            if found != field.name.lowercased() {
                let column = i < header.columns.count ? header.columns[i] : header.endColumn
                throw Diagnostic(.csvHeaderMismatch(position: i + 1, expected: field.name, found: found),
                                 .file(path: path, line: header.lines, column: column))
            }
        }
        if header.names.count > fields.count {
            throw Diagnostic(.csvFieldCount(expected: fields.count, got: header.names.count),
                             .file(path: path, line: header.lines, column: header.columns[fields.count]))
        }
        let parser = ChunkParser(separator: 44, names: header.names, types: fields.map(\.type),
                                 locales: fields.map { _ in .c }, wanted: Array(fields.indices),
                                 policy: .strict, skipBadRows: false)
        _ = parser.run(b, from: header.end, bufEnd: buf.count, stopAt: Int.max, final: true)
        if let e = parser.error {
            throw Diagnostic(e.kind, .file(path: path, line: header.lines + e.line, column: e.column))
        }
        var byColumn: [Int: Column] = [:]
        for (j, col) in parser.wanted.enumerated() { byColumn[col] = ColumnBuilder.merge([parser.builders[j]]).nfcText() }
        return (parser.rows, fields.indices.map { byColumn[$0]! })
    }

    // MARK: Header

    struct Header {
        var names: [String]
        /// Column (in characters) where each name starts, for messages.
        var columns: [Int]
        var endColumn: Int
        /// Offset just past the header row.
        var end: Int
        /// Lines up to and including the header.
        var lines: Int
    }

    /// Reads the header row (after a BOM and blank lines). `nil` if there is none (empty file);
    /// throws `needMoreSignal` (as `nil` header with `end == -1`) is avoided by returning
    /// `.some` only for complete rows: the caller reads more when this returns `incomplete`.
    static func readHeader(_ b: UnsafePointer<UInt8>, count: Int, final: Bool, separator: UInt8,
                           path: String) throws(Diagnostic) -> Header? {
        var pos = 0
        if count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { pos = 3 }
        let tok = RowTokenizer(separator: separator, capacity: 16_384)
        defer { tok.deallocate() }
        var lines = 0
        while true {
            if pos >= count { return nil }
            let rowStart = pos
            let next = tok.tokenize(b, pos, count, final)
            if next == -1 { throw incomplete }
            if next == -2 {
                let (delta, column) = RowTokenizer.locate(b, rowStart: rowStart, at: tok.errorAt)
                throw Diagnostic(tok.error.kind, .file(path: path, line: lines + 1 + delta, column: column))
            }
            lines += 1 + tok.newlines
            pos = next
            if tok.isBlank { continue }
            if tok.fieldCount > tok.capacity {
                throw Diagnostic(.csvFieldCount(expected: tok.capacity, got: tok.fieldCount),
                                 .file(path: path, line: lines, column: 1))
            }
            var names: [String] = [], columns: [Int] = []
            var seen = Set<String>()
            // Columns are counted on from the field before, not from the row's start for each
            // field: a header of many fields would cost fields × length.
            var counted = rowStart, column = 1
            func columnAt(_ offset: Int) -> Int {
                while counted < offset {
                    if b[counted] == 10 { column = 1 } else if b[counted] & 0xC0 != 0x80 { column += 1 }
                    counted += 1
                }
                return column
            }
            for i in 0..<tok.fieldCount {
                let s = tok.starts[i], e = tok.ends[i]
                var text = String(decoding: UnsafeBufferPointer(start: b + s, count: e - s), as: UTF8.self)
                if tok.flags[i] & 2 != 0 { text = text.replacingOccurrences(of: "\"\"", with: "\"") }
                var name = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
                if name.isEmpty { name = "column\(i + 1)" }
                let column = columnAt(tok.flags[i] & 1 != 0 ? s - 1 : s)
                if !seen.insert(name).inserted {
                    throw Diagnostic(.csvDuplicateHeader(name), .file(path: path, line: lines - tok.newlines, column: column))
                }
                names.append(name)
                columns.append(column)
            }
            let endColumn = RowTokenizer.locate(b, rowStart: rowStart, at: tok.contentEnd).column
            return Header(names: names, columns: columns, endColumn: endColumn, end: pos, lines: lines)
        }
    }

    /// Thrown by `readHeader` when the header row does not end within the bytes given.
    static let incomplete = Diagnostic(.csvEmpty, .none, notes: ["incomplete"])

    // MARK: Opening a file

    /// The default table name for a file: its name without extension, lower-cased, with
    /// anything but letters, digits and `_` replaced by `_` (and `_` before a leading digit).
    static func tableName(forFile path: String) -> String {
        var base = (path as NSString).lastPathComponent
        if let dot = base.lastIndex(of: "."), dot != base.startIndex { base = String(base[..<dot]) }
        var out = String(base.lowercased().map { c -> Character in
            (c.isASCII && (c.isLetter || c.isNumber)) || c == "_" ? c : "_"
        })
        if out.isEmpty { out = "_" }
        if out.first!.isNumber { out = "_" + out }
        return out
    }

    /// Opens the CSV file at `path` as a table that reads its rows on first use.
    ///
    /// Now: the header and up to 1 MiB / 20,000 rows of the head are read to find
    /// - the separator (`,` `;` or tab, unless `options.separator` says): the one that splits the
    ///   header and first rows into the same number (> 1) of fields;
    /// - column names: trimmed, lower-cased, `columnN` when empty; a name twice is an error;
    /// - column types: int if every non-blank sample value is an integer, else double if every
    ///   one is a number, else text (a column with no values in the head is int). A whole number
    ///   beyond 64 bits, `NaN`, `inf` and `1e999` are not numbers (see
    ///   ``CSVNumbers/parseDouble(_:_:)``): no number type holds them as written;
    /// - number style per column (see ``CSVOptions/Locale``): with `.auto` a column is Indonesian
    ///   only if every sample value reads as an Indonesian number and one at least is
    ///   unmistakable: an `Rp` prefix, two or more thousands dots (`1.234.567`), thousands dots
    ///   with a decimal comma (`1.234,5`), or a decimal comma followed by other than three
    ///   digits (`98,40`), or by three when the separator is not a comma (`1,234` in a `;` file).
    ///   Otherwise `1.476` is the number 1.476. `.indonesian` reads every number column that way,
    ///   `.c` never.
    ///
    /// On first use the table's loader reads the whole file (in parallel for big files), checks
    /// its structure (field counts, quotes, UTF-8; errors at `file.csv:LINE:COL`, nothing half
    /// loaded) and converts only the columns asked for; later uses convert further columns, or
    /// map them from the cache (``CSVCache``). The head's types are held, never silently wrong:
    /// a later value that does not fit widens an int column to double, or a number column to
    /// text (that column is read again as text). `Table.fields` shows the head's types (or, when
    /// opened from the cache, the types found by earlier reads); a loaded ``Column``'s `type` is
    /// authoritative. With `options.skipBadRows` types are not widened: rows that do not fit are
    /// left out and reported to `options.onWarning`, and the first use reads every column.
    ///
    /// Blank lines are ignored; an empty unquoted field is null (a quoted empty field is the empty
    /// text in a text column, null in a number column); blanks around numbers are allowed; a
    /// quote inside an unquoted field is kept as it is.
    static func open(path: String, name: String, options: CSVOptions) throws(Diagnostic) -> Table {
        let source = try CSVSource(path: path, options: options)
        let schema = source.schema
        let fields = zip(schema.names, schema.types).map {
            Field(name: $0, type: $1, isRupiah: Field.looksLikeRupiah($0, besides: schema.names))
        }
        var measure: String?
        if let m = options.measure?.lowercased() {
            guard schema.names.contains(m) else {
                throw Diagnostic(.unknownColumn(m, table: name.lowercased(), suggestion: nil), .none)
            }
            measure = m
        }
        let store = ColumnStore(columnCount: fields.count, check: { () throws(Diagnostic) in try source.verify() }) { wanted throws(Diagnostic) in
            try source.load(wanted)
        }
        return Table(name: name.lowercased(), fields: fields, measure: measure, origin: path, store: store)
    }

    /// Finds separator, header, column types and number styles from the head of a file.
    static func inferSchema(fd: Int32, size: Int, path: String, options: CSVOptions) throws(Diagnostic) -> CSVSchema {
        var want = min(size, sampleBytes)
        while true {
            let head = try readBytes(fd: fd, offset: 0, count: want, path: path)
            let final = head.count >= size
            let outcome: Result<CSVSchema, Diagnostic> = head.withUnsafeBufferPointer { buf in
                do throws(Diagnostic) {
                    return .success(try inferSchema(buf.baseAddress!, count: buf.count, final: final, path: path, options: options))
                } catch {
                    return .failure(error)
                }
            }
            switch outcome {
            case .success(let s): return s
            case .failure(let d):
                if d.notes == ["incomplete"] && !final {
                    // A header row this long is not a header: stop before reading (and holding)
                    // a whole file of gigabytes that has no line break.
                    if want >= maxHeaderBytes {
                        throw Diagnostic(.fileUnreadable(path, reason: "the header row is longer than \(maxHeaderBytes >> 20) MB; "
                                                         + "is this a CSV file? a header names the columns on one line"),
                                         .file(path: path, line: 1, column: 1))
                    }
                    want = min(size, want * 4)
                    continue
                }
                if d.notes == ["incomplete"] { throw Diagnostic(.csvEmpty, .file(path: path, line: 1, column: 1)) }
                throw d
            }
        }
    }

    private static func inferSchema(_ b: UnsafePointer<UInt8>, count: Int, final: Bool, path: String,
                                    options: CSVOptions) throws(Diagnostic) -> CSVSchema {
        let separator = options.separator ?? detectSeparator(b, count: count, final: final)
        guard let header = try readHeader(b, count: count, final: final, separator: separator, path: path) else {
            throw Diagnostic(.csvEmpty, .file(path: path, line: 1, column: 1))
        }
        let n = header.names.count
        var stats = [ColumnStats](repeating: ColumnStats(), count: n)
        let tok = RowTokenizer(separator: separator, capacity: n)
        defer { tok.deallocate() }
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 512)
        defer { scratch.deallocate() }
        var pos = header.end, rows = 0
        while pos < count && rows < sampleRows {
            let next = tok.tokenize(b, pos, count, final)
            if next < 0 { break }
            defer { pos = next }
            if tok.fieldCount != n { continue }
            rows += 1
            for c in 0..<n {
                if tok.flags[c] & 2 != 0 { stats[c].sawOther(); continue }
                stats[c].see(b + tok.starts[c], tok.ends[c] - tok.starts[c], scratch)
            }
        }
        var types: [ColumnType] = [], locales: [NumberLocale] = []
        for s in stats {
            let (t, l) = s.decide(options.locale, separator: separator)
            types.append(t); locales.append(l)
        }
        return CSVSchema(separator: separator, names: header.names, types: types, locales: locales,
                         dataStart: header.end, headerLines: header.lines)
    }

    /// What the sample shows about one column.
    struct ColumnStats {
        var nonNull = 0
        var cInt = true, cDouble = true
        var indo = true
        var indoFlags = CSVNumbers.IndoFlags()

        mutating func sawOther() { nonNull += 1; cInt = false; cDouble = false; indo = false }

        mutating func see(_ p: UnsafePointer<UInt8>, _ n: Int, _ scratch: UnsafeMutablePointer<UInt8>) {
            var blank = true
            for i in 0..<n where !csvIsSpace(p[i]) { blank = false; break }
            if blank { return }
            nonNull += 1
            if cInt && CSVNumbers.parseInt(p, n) == nil { cInt = false }
            if cDouble && !cInt && CSVNumbers.parseDouble(p, n) == nil { cDouble = false }
            if indo {
                var f = CSVNumbers.IndoFlags()
                let len = CSVNumbers.normalizeIndonesian(p, n, scratch, 256, &f)
                if len < 0 || CSVNumbers.parseDouble(scratch, len) == nil { indo = false } else { indoFlags.formUnion(f) }
            }
        }

        func decide(_ locale: CSVOptions.Locale, separator: UInt8) -> (ColumnType, NumberLocale) {
            let indoType: ColumnType = indoFlags.contains(.decimal) ? .double : .int
            let cType: ColumnType = cInt ? .int : cDouble ? .double : .text
            switch locale {
            case .c:
                return (nonNull == 0 ? .int : cType, .c)
            case .indonesian:
                if nonNull == 0 { return (.int, .indonesian) }
                return indo ? (indoType, .indonesian) : (.text, .c)
            case .auto:
                if nonNull == 0 { return (.int, .c) }
                let clear = indoFlags.contains(.clear) || (indoFlags.contains(.commaThree) && separator != 44)
                if indo && clear { return (indoType, .indonesian) }
                return (cType, .c)
            }
        }
    }

    /// `,`, `;` or tab: the one that splits the header and the first rows into the same number
    /// (more than one) of fields, preferring more fields; `,` when nothing fits.
    static func detectSeparator(_ b: UnsafePointer<UInt8>, count: Int, final: Bool) -> UInt8 {
        var start = 0
        if count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { start = 3 }
        // The separator that splits the header into several fields and most of the following
        // rows into as many; one malformed row in the head must not tip the choice (its error
        // is then reported where it is), so rows are counted, not required to agree.
        var best: UInt8 = 44, bestScore = -1
        for sep: UInt8 in [44, 59, 9] {
            let tok = RowTokenizer(separator: sep, capacity: 4096)
            defer { tok.deallocate() }
            var pos = start, header = -1, rows = 0, agreeing = 0
            while pos < count && rows < 50 {
                let next = tok.tokenize(b, pos, count, final)
                if next < 0 { break }
                pos = next
                if tok.isBlank { continue }
                if header < 0 { header = tok.fieldCount; continue }
                rows += 1
                if tok.fieldCount == header { agreeing += 1 }
            }
            guard header > 1 else { continue }
            let score = (rows == 0 ? 1000 : agreeing * 1000 / rows) * 1000 + header
            if score > bestScore { best = sep; bestScore = score }
        }
        return best
    }

    // MARK: Reading a whole file

    /// Result of reading a file's rows for some columns.
    struct ScanOutput {
        var count: Int
        var columns: [Int: Column]
        /// Columns holding a value their type cannot take; to be read again as text.
        var failed: [Int]
        var warnings: [Diagnostic]
    }

    static func readBytes(fd: Int32, offset: Int, count: Int, path: String) throws(Diagnostic) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        let failure: Int32 = out.withUnsafeMutableBytes { raw in
            while got < count {
                let r = pread(fd, raw.baseAddress! + got, count - got, off_t(offset + got))
                if r < 0 { if errno == EINTR { continue }; return errno }
                if r == 0 { break }
                got += r
            }
            return 0
        }
        if failure != 0 { throw Diagnostic(.fileUnreadable(path, reason: String(cString: strerror(failure))), .none) }
        out.removeLast(count - got)
        return out
    }

    /// Reads rows starting in `[start, limit)` of the file (the last row may run past `limit`).
    /// Returns the offset just past the last row read, or an I/O error's text.
    static func scanRange(fd: Int32, fileSize: Int, start: Int, limit: Int, parser: ChunkParser) -> (end: Int, ioError: String?) {
        if start >= limit || start >= fileSize { return (start, nil) }
        var capacity = min(window, fileSize - start + 1)
        var buf = malloc(capacity)!.assumingMemoryBound(to: UInt8.self)
        defer { free(buf) }
        var bufOffset = start, filled = 0, pos = 0
        var eof = false
        while true {
            while filled < capacity && bufOffset + filled < fileSize {
                let r = pread(fd, buf + filled, min(capacity - filled, fileSize - bufOffset - filled), off_t(bufOffset + filled))
                if r < 0 { if errno == EINTR { continue }; return (bufOffset + pos, String(cString: strerror(errno))) }
                if r == 0 { eof = true; break }
                filled += r
            }
            let final = eof || bufOffset + filled >= fileSize
            let (next, status) = parser.run(buf, from: pos, bufEnd: filled, stopAt: limit - bufOffset, final: final)
            pos = next
            switch status {
            case .done, .failed:
                return (bufOffset + pos, nil)
            case .needMore:
                if final { return (bufOffset + pos, nil) }
                if pos > 0 {
                    memmove(buf, buf + pos, filled - pos)
                    bufOffset += pos
                    filled -= pos
                    pos = 0
                } else if filled == capacity {
                    if capacity >= maxRowBytes {
                        parser.rowTooLong(limit: maxRowBytes)
                        return (bufOffset + pos, nil)
                    }
                    capacity *= 2
                    buf = realloc(buf, capacity)!.assumingMemoryBound(to: UInt8.self)
                }
            }
        }
    }

    /// The offset just after the first newline at or after `offset` (or `fileSize`).
    static func rowBoundary(fd: Int32, after offset: Int, fileSize: Int) -> Int {
        var at = offset
        var block = [UInt8](repeating: 0, count: 1 << 16)
        while at < fileSize {
            let r = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, off_t(at)) }
            if r <= 0 { return fileSize }
            if let i = block[0..<r].firstIndex(of: 10) { return at + (i - 0) + 1 }
            at += r
        }
        return fileSize
    }

    /// Reads every row of the file, converting the `wanted` columns with the given types.
    /// Uses several threads for big files. Errors are thrown located; with `skipBadRows` the
    /// skipped rows come back as warnings.
    static func scanFile(fd: Int32, fileSize: Int, path: String, schema: CSVSchema, types: [ColumnType],
                         wanted: [Int], skipBadRows: Bool, threads: Int? = nil) throws(Diagnostic) -> ScanOutput {
        let policy: ColumnBuilder.Policy = skipBadRows ? .strict : .widen
        func makeParser() -> ChunkParser {
            ChunkParser(separator: schema.separator, names: schema.names, types: types, locales: schema.locales,
                        wanted: wanted, policy: policy, skipBadRows: skipBadRows)
        }
        let body = fileSize - schema.dataStart
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        let n = threads ?? (body >= parallelThreshold ? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 16)) : 1)
        var starts = [schema.dataStart]
        for i in 1..<max(1, n) {
            let nominal = schema.dataStart + body / n * i
            starts.append(max(starts.last!, rowBoundary(fd: fd, after: nominal, fileSize: fileSize)))
        }
        let limits = Array(starts.dropFirst()) + [fileSize]
        let parsers = starts.indices.map { _ in makeParser() }
        let jobs = ScanJobs(starts: starts, limits: limits, parsers: parsers)
        if starts.count == 1 {
            jobs.run(0, fd: fd, fileSize: fileSize)
        } else {
            DispatchQueue.concurrentPerform(iterations: starts.count) { i in jobs.run(i, fd: fd, fileSize: fileSize) }
        }
        let results = jobs.results
        // Check each stretch began where the one before it really ended; read again if not.
        var chain: [ChunkParser] = []
        var warnings: [Diagnostic] = []
        var lineBase = schema.headerLines
        var expected = schema.dataStart
        for i in starts.indices {
            var parser = parsers[i]
            var result = results[i]
            if starts[i] != expected {
                parser = makeParser()
                result = scanRange(fd: fd, fileSize: fileSize, start: expected, limit: max(expected, limits[i]), parser: parser)
            }
            if let io = result.ioError { throw Diagnostic(.fileUnreadable(path, reason: io), .none) }
            // Rows skipped for their field count are found before those of the same batch
            // skipped for a value: put them back in file order.
            for w in parser.warnings.sorted(by: { ($0.line, $0.column) < ($1.line, $1.column) }) {
                warnings.append(Diagnostic(w.kind, .file(path: path, line: lineBase + w.line, column: w.column)))
            }
            if let e = parser.error {
                var kind = e.kind
                if case .fileUnreadable(_, let reason) = kind { kind = .fileUnreadable(path, reason: reason) }
                throw Diagnostic(kind, .file(path: path, line: lineBase + e.line, column: e.column))
            }
            lineBase += parser.lines
            expected = result.end
            chain.append(parser)
        }
        var columns: [Int: Column] = [:]
        var failed: [Int] = []
        var merging: [(column: Int, parts: [ColumnBuilder])] = []
        for (j, col) in chain[0].wanted.enumerated() {
            let parts = chain.map { $0.builders[j] }
            if parts.contains(where: { $0.kind == .failed }) { failed.append(col); continue }
            if parts.contains(where: { $0.kind == .double }) { parts.forEach { $0.widenToDouble() } }
            merging.append((col, parts))
        }
        // Columns are independent: finish them on all cores.
        let merged = ParallelMerge(merging.map(\.parts))
        if merging.count > 1 && chain.reduce(0, { $0 + $1.rows }) > 100_000 {
            DispatchQueue.concurrentPerform(iterations: merging.count) { merged.run($0) }
        } else {
            for i in merging.indices { merged.run(i) }
        }
        // Text in NFC, so equal text is equal bytes (Data/Text.swift).
        for (i, m) in merging.enumerated() { columns[m.column] = merged.result(i).nfcText() }
        return ScanOutput(count: chain.reduce(0) { $0 + $1.rows }, columns: columns, failed: failed.sorted(), warnings: warnings)
    }
}

/// Columns finished in parallel; each thread writes only its own slot.
final class ParallelMerge: @unchecked Sendable {
    let parts: [[ColumnBuilder]]
    private let slots: UnsafeMutablePointer<Column?>
    init(_ parts: [[ColumnBuilder]]) {
        self.parts = parts
        slots = .allocate(capacity: max(1, parts.count))
        slots.initialize(repeating: nil, count: max(1, parts.count))
    }
    deinit { slots.deinitialize(count: max(1, parts.count)); slots.deallocate() }
    func run(_ i: Int) { slots[i] = ColumnBuilder.merge(parts[i]) }
    func result(_ i: Int) -> Column { slots[i]! }
}

/// The stretches of a file read in parallel; each thread writes only its own slot.
final class ScanJobs: @unchecked Sendable {
    let starts: [Int], limits: [Int]
    let parsers: [ChunkParser]
    private let slots: UnsafeMutablePointer<(end: Int, ioError: String?)>
    init(starts: [Int], limits: [Int], parsers: [ChunkParser]) {
        self.starts = starts; self.limits = limits; self.parsers = parsers
        slots = .allocate(capacity: starts.count)
        slots.initialize(repeating: (0, nil), count: starts.count)
    }
    deinit { slots.deinitialize(count: starts.count); slots.deallocate() }
    func run(_ i: Int, fd: Int32, fileSize: Int) {
        slots[i] = CSVReader.scanRange(fd: fd, fileSize: fileSize, start: starts[i], limit: limits[i], parser: parsers[i])
    }
    var results: [(end: Int, ioError: String?)] { Array(UnsafeBufferPointer(start: slots, count: starts.count)) }
}

/// An opened CSV file behind a lazily loaded table. Called only under the table's store lock.
final class CSVSource: @unchecked Sendable {
    let path: String
    let options: CSVOptions
    private(set) var schema: CSVSchema
    /// Types of the columns as read so far (wider than the head suggested when a value needed it).
    private(set) var types: [ColumnType]
    /// The file as it was opened: every read checks it is still that file, unchanged.
    let identity: CSVCache.Identity
    var size: Int { identity.size }
    private var rowCount: Int?
    private var warningsReported = false
    /// Cache state: the folder, the entry's name, the meta as last read or written (nil:
    /// nothing valid yet).
    private let cacheRoot: String?
    private let entryName: String
    private let absolutePath: String
    private var meta: CSVCache.Meta?
    /// Whether a valid cache was found when the file was opened (for tests).
    let openedFromCache: Bool
    /// How many times the rows were read (for tests).
    private(set) var scans = 0

    init(path: String, options: CSVOptions) throws(Diagnostic) {
        self.path = path
        self.options = options
        let fd = try CSVSource.openFile(path)
        defer { close(fd) }
        guard let identity = CSVCache.Identity.of(fd: fd) else {
            throw Diagnostic(.fileUnreadable(path, reason: String(cString: strerror(errno))), .none)
        }
        self.identity = identity
        if identity.size == 0 { throw Diagnostic(.csvEmpty, .file(path: path, line: 1, column: 1)) }
        absolutePath = CSVCache.absolutePath(path)
        entryName = CSVCache.entryName(forSource: absolutePath)
        if options.useCache {
            let root = options.cacheDirectory ?? CSVCache.directory()
            cacheRoot = root
            if let entry = CSVSource.openEntry(root: root, name: entryName, create: false, options: options),
               let m = CSVCache.readMeta(in: entry, sourcePath: path, touch: true), m.source == absolutePath,
               m.identity == identity, m.locale == CSVCache.localeCode(options.locale),
               m.skipBadRows == options.skipBadRows, m.separatorOverride == (options.separator ?? 0),
               m.schema.names.count == m.present.count {
                meta = m
                schema = m.schema
                types = m.schema.types
                rowCount = m.rowCount
                openedFromCache = true
                return
            }
        } else {
            cacheRoot = nil
        }
        openedFromCache = false
        schema = try CSVReader.inferSchema(fd: fd, size: identity.size, path: path, options: options)
        types = schema.types
    }

    /// The cache entry folder, after checking the cache folder is safe (a refusal is said once).
    private static func openEntry(root: String, name: String, create: Bool, options: CSVOptions) -> CSVCache.Folder? {
        switch CSVCache.openRoot(root, create: create) {
        case .success(let folder):
            return CSVCache.openEntry(name, in: folder, create: create)
        case .failure(.unsafe(let reason)):
            CSVCache.warnOnce(reason, folder: root, onWarning: options.onWarning)
            return nil
        case .failure(.unavailable):
            return nil
        }
    }

    /// Opens a CSV file for reading. Only a regular file: a FIFO or a device would block the
    /// open (no writer) or the reads (no end), and neither has a size to split the work by.
    static func openFile(_ path: String) throws(Diagnostic) -> Int32 {
        // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
        let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw Diagnostic(.fileNotFound(path), .none) }
            throw Diagnostic(.fileUnreadable(path, reason: String(cString: strerror(e))), .none)
        }
        var st = Glibc.stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) != S_IFREG {
            close(fd)
            let what: String
            switch st.st_mode & S_IFMT {
            case S_IFDIR: what = "it is a folder"
            case S_IFIFO: what = "it is a pipe (FIFO), not a file; save what it carries to a file and load that"
            default: what = "it is not a regular file; save its contents to a file and load that"
            }
            throw Diagnostic(.fileUnreadable(path, reason: what), .none)
        }
        // Reads of a regular file never block anyway; clear the flag all the same.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    private func changed() -> Diagnostic {
        Diagnostic(.fileUnreadable(path, reason: "it changed after it was opened; load it again"), .none)
    }

    /// Throws if the file at `path` is no longer the file opened: replaced, or written to. Called
    /// for every query that reads the table, so columns already in memory never answer for a
    /// file that has changed since.
    func verify() throws(Diagnostic) {
        guard CSVCache.Identity.of(path: path) == identity else { throw changed() }
    }

    /// Reads the asked-for columns: from the cache when it has them, else by reading the rows
    /// (every column the first time when bad rows are skipped, so the kept rows never depend on
    /// the columns asked for).
    func load(_ wanted: [Int]) throws(Diagnostic) -> (count: Int, columns: [Int: Column]) {
        try verify()
        var columns: [Int: Column] = [:]
        var missing = wanted
        if let meta, let root = cacheRoot {
            missing = []
            let entry = wanted.contains(where: { meta.present[$0] })
                ? CSVSource.openEntry(root: root, name: entryName, create: false, options: options) : nil
            for c in wanted {
                if meta.present[c], let entry, let col = CSVCache.readColumn(in: entry, index: c, generation: meta.generation,
                                                                             rows: meta.rowCount, type: types[c]) {
                    columns[c] = col
                } else {
                    missing.append(c)
                }
            }
            if missing.isEmpty {
                report(meta.warnings)
                return (meta.rowCount, columns)
            }
        }
        if options.skipBadRows && rowCount == nil { missing = Array(schema.names.indices) }
        let fd = try CSVSource.openFile(path)
        defer { close(fd) }
        // The file must be the one opened before the scan and still after it: rows read while
        // it was being written are neither used nor cached.
        guard CSVCache.Identity.of(fd: fd) == identity else { throw changed() }
        scans += 1
        var out = try CSVReader.scanFile(fd: fd, fileSize: size, path: path, schema: schema, types: types,
                                         wanted: missing, skipBadRows: options.skipBadRows)
        if !out.failed.isEmpty {
            var textTypes = types
            for c in out.failed { textTypes[c] = .text }
            let again = try CSVReader.scanFile(fd: fd, fileSize: size, path: path, schema: schema, types: textTypes,
                                               wanted: out.failed, skipBadRows: false)
            for (c, column) in again.columns { out.columns[c] = column }
        }
        guard CSVCache.Identity.of(fd: fd) == identity, CSVCache.Identity.of(path: path) == identity else { throw changed() }
        if let known = rowCount, known != out.count { throw changed() }
        rowCount = out.count
        for (c, column) in out.columns {
            types[c] = column.type
            columns[c] = column
        }
        report(out.warnings)
        store(out.columns, count: out.count, warnings: out.warnings)
        return (out.count, columns)
    }

    private func report(_ warnings: [Diagnostic]) {
        if warningsReported { return }
        warningsReported = true
        if let handler = options.onWarning { for w in warnings { handler(LKQError(w)) } }
    }

    /// Adds newly read columns to the cache; any failure just leaves the cache as it was.
    private func store(_ new: [Int: Column], count: Int, warnings: [Diagnostic]) {
        // With no new columns the meta alone is still worth writing: it holds the row count,
        // so a later `count` needs no scan. A file written within the last clock ticks could be
        // written again without its times changing: it is not cached until it has settled.
        guard let root = cacheRoot, !(new.isEmpty && meta != nil), !identity.isRacy(window: options.settleTime),
              case .success(let rootFolder) = CSVCache.openRoot(root, create: true),
              let folder = CSVCache.openEntry(entryName, in: rootFolder, create: true) else { return }
        var m: CSVCache.Meta
        if let meta {
            m = meta
        } else {
            // A new generation: column files of an older one are foreign now; remove them.
            for f in CSVCache.names(in: folder) where f != "meta" { CSVCache.removeOwnFile(f, in: folder) }
            m = CSVCache.Meta(generation: UInt64.random(in: 1...UInt64.max), source: absolutePath, identity: identity,
                              locale: CSVCache.localeCode(options.locale),
                              skipBadRows: options.skipBadRows, separatorOverride: options.separator ?? 0,
                              schema: schema, rowCount: count, present: Array(repeating: false, count: schema.names.count),
                              warnings: warnings)
        }
        for (c, column) in new.sorted(by: { $0.key < $1.key }) {
            if CSVCache.writeColumn(column, index: c, generation: m.generation, in: folder) { m.present[c] = true }
        }
        m.schema.types = types
        if CSVCache.writeMeta(m, in: folder) { meta = m }
        CSVCache.evict(in: rootFolder, limit: CSVCache.maxBytes(), keep: entryName)
    }
}
