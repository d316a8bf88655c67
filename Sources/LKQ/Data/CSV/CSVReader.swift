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
    /// The headers as written (see ``Field/label``); empty when not known (a schema from an old
    /// cache, or declared).
    var labels: [String] = []
    /// Units the numbers were marked with, per column.
    var units: [Field.Unit?] = []
    /// What inference decided per column, for `.schema`.
    var notes: [[String]] = []
    /// Said when the file is opened: columns renamed, readings chosen between two.
    var openWarnings: [String] = []
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
        /// Identifiers for the columns (``Field/identifiers(forHeaders:)``).
        var names: [String]
        /// The headers as written, blanks around them taken off.
        var labels: [String]
        /// Columns renamed because their identifier was taken.
        var notes: [String]
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
                           path: String, skipRows: Int = 0) throws(Diagnostic) -> Header? {
        var toSkip = skipRows
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
            if toSkip > 0 { toSkip -= 1; continue }
            if tok.fieldCount > tok.capacity {
                throw Diagnostic(.csvFieldCount(expected: tok.capacity, got: tok.fieldCount),
                                 .file(path: path, line: lines, column: 1))
            }
            var labels: [String] = [], columns: [Int] = []
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
                // A header broken over lines inside quotes is one label.
                let label = text.split(whereSeparator: { $0.isNewline }).joined(separator: " ")
                    .trimmingCharacters(in: .whitespaces).nfc
                labels.append(label)
                columns.append(columnAt(tok.flags[i] & 1 != 0 ? s - 1 : s))
            }
            let (names, notes) = Field.identifiers(forHeaders: labels)
            let endColumn = RowTokenizer.locate(b, rowStart: rowStart, at: tok.contentEnd).column
            return Header(names: names, labels: labels, notes: notes, columns: columns, endColumn: endColumn,
                          end: pos, lines: lines)
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
    /// - column names: an identifier per header (``Field/identifiers(forHeaders:)``: `Pagu (Rp)`
    ///   is `pagu_rp`, a second `nilai` is `nilai_2`, with a note), the header kept as label;
    /// - column types, from the values other than blanks and "no value" marks (`-`, `–`, `—`,
    ///   `n/a`, `NA`, `null`, `#N/A`, which are null in any column): text when a value is a code
    ///   (`01`, `1.02.01`, or dotted values with varying decimals and trailing zeros like `2.10`);
    ///   else int or double when the values other than numbers are few (see `mostlyNumbers`; they become null,
    ///   each with a located warning, when the rows are read), else text (a column with no
    ///   values in the head is int). `Rp` before and `%` after a number are taken off, and the
    ///   field's ``Field/unit`` remembers them. A whole number beyond 64 bits, `NaN`, `inf` and
    ///   `1e999` are not numbers (see ``CSVNumbers/parseDouble(_:_:)``);
    /// - number style per column (see ``CSVOptions/Locale``): with `.auto` a column is Indonesian
    ///   when its numbers show it unmistakably (an `Rp` prefix, two or more thousands dots
    ///   `1.234.567`, thousands dots with a decimal comma `1.234,5`, a decimal comma followed by
    ///   other than three digits `98,40`, or by three when the separator is not a comma). Values
    ///   that read both ways (`1.500`) are settled by evidence: the column's own (`873` beside
    ///   `1.500` and no value of four digits without a dot: thousands; `1500` beside it: a
    ///   decimal point), then the other columns of the file; when nothing settles it they are
    ///   read with a decimal point and a warning says how to read them the other way.
    ///   `.indonesian` reads every number column that way, `.c` never.
    ///
    /// On first use the table's loader reads the whole file (in parallel for big files), checks
    /// its structure (field counts, quotes, UTF-8; errors at `file.csv:LINE:COL`, nothing half
    /// loaded) and converts only the columns asked for; later uses convert further columns, or
    /// map them from the cache (``CSVCache``). The head's types are held, never silently wrong:
    /// a later decimal widens an int column to double, a code (`01`) makes it text, and a value
    /// that is not a number is null with a warning, unless they are not few (`mostlyNumbers`)
    /// of the column, which is then read again as text (`options.strict` makes them errors). `Table.fields` shows the head's types (or, when
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
        let fields = schema.names.indices.map { i -> Field in
            let name = schema.names[i], type = schema.types[i]
            let marked = i < schema.units.count ? schema.units[i] : nil
            let rupiah = marked == .rupiah || (marked == nil && Field.looksLikeRupiah(name, besides: schema.names))
            var notes = i < schema.notes.count ? schema.notes[i] : []
            if type == .text { notes.append("text: blanks around values taken off") }
            return Field(name: name, type: type, isRupiah: rupiah, label: i < schema.labels.count ? schema.labels[i] : nil,
                         unit: marked ?? (rupiah && type == .int ? .rupiah : nil), notes: notes)
        }
        if let handler = options.onWarning {
            for w in schema.openWarnings {
                handler(LKQError(Diagnostic(.dataNote(w), .file(path: path, line: schema.headerLines, column: 1))))
            }
        }
        var measure: String?
        if let m = options.measure?.lowercased() {
            guard schema.names.contains(m) else {
                throw Diagnostic(.unknownColumn(m, table: name.lowercased(), suggestion: nil), .none)
            }
            measure = m
        }
        let store = ColumnStore(columnCount: fields.count, check: { () throws(Diagnostic) in try source.verify() }, loader: { wanted throws(Diagnostic) in
            try source.load(wanted)
        }, badCells: { source.badCellSummary() }, rowReader: { rows, wanted throws(Diagnostic) in
            try source.readRows(rows, columns: wanted)
        }, streamer: { wanted, body throws(Diagnostic) in
            try source.stream(wanted, body)
        })
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
        var separator = options.separator ?? detectSeparator(b, count: count, final: final)
        if options.separator == nil && options.skipRows > 0 {
            // Title rows above the header have one field; find the separator after them.
            var start = 0, rows = 0
            while start < count && rows < options.skipRows {
                guard let nl = UnsafeBufferPointer(start: b + start, count: count - start).firstIndex(where: { $0 == 10 || $0 == 13 })
                else { break }
                start += nl + 1
                if b[start - 1] == 13 && start < count && b[start] == 10 { start += 1 }
                rows += 1
            }
            separator = detectSeparator(b + start, count: count - start, final: final)
        }
        guard let header = try readHeader(b, count: count, final: final, separator: separator, path: path,
                                          skipRows: options.skipRows) else {
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
                var start = tok.starts[c], length = tok.ends[c] - tok.starts[c]
                if tok.flags[c] & 2 != 0 {
                    // Doubled quotes: never part of a number, so this is text.
                    stats[c].sawText()
                    continue
                }
                if length > 0 {
                    while length > 0 && csvIsSpace(b[start]) { start += 1; length -= 1 }
                    while length > 0 && csvIsSpace(b[start + length - 1]) { length -= 1 }
                }
                stats[c].see(b + start, length, scratch)
            }
        }
        let file = FileEvidence(stats: stats, names: header.names, separator: separator)
        var types: [ColumnType] = [], locales: [NumberLocale] = [], units: [Field.Unit?] = []
        var notes: [[String]] = [], warnings: [String] = []
        for (c, st) in stats.enumerated() {
            let d = st.decide(options.locale, separator: separator, name: header.names[c], file: file)
            types.append(d.type); locales.append(d.locale); units.append(d.unit)
            notes.append(d.notes)
            if let w = d.warning { warnings.append(w) }
        }
        return CSVSchema(separator: separator, names: header.names, types: types, locales: locales,
                         dataStart: header.end, headerLines: header.lines, labels: header.labels,
                         units: units, notes: notes, openWarnings: header.notes + warnings)
    }

    /// Whether a column with this many numbers and other values (neither blank nor a "no value"
    /// mark) is numeric, its other values null with a warning each: when they are at most one
    /// in ten, or, in a small table, at most three and a third of the numbers or fewer (one
    /// `WTP` among five indicators).
    static func mostlyNumbers(numbers: Int, others: Int) -> Bool {
        others * 10 <= numbers + others || (others <= 3 && numbers >= 3 * others)
    }

    /// Number style shown by the columns of a file as a whole, for columns that alone could be
    /// read two ways.
    struct FileEvidence {
        /// A column whose numbers are unmistakably Indonesian (`98,40`, `1.234.567`, `Rp`).
        var indonesian: String?
        /// A column whose numbers are unmistakably written with a decimal point (`98.4`).
        var decimalPoint: String?

        init(stats: [ColumnStats], names: [String], separator: UInt8) {
            for (c, s) in stats.enumerated() where s.numberCount > 0 && !s.isCode {
                if indonesian == nil && s.indonesianIsClear(separator: separator) && !s.pointIsClear { indonesian = names[c] }
                if decimalPoint == nil && s.pointIsClear && !s.indonesianIsClear(separator: separator) { decimalPoint = names[c] }
            }
        }
    }

    /// What the sample shows about one column.
    struct ColumnStats {
        /// Cells with something in them other than a "no value" mark.
        var nonNull = 0
        /// Of these: numbers in C style, numbers in Indonesian style, numbers in either.
        var cNumbers = 0, idNumbers = 0, numberCount = 0
        var cInt = true
        var idFlags = CSVNumbers.IndoFlags()
        /// A C-style number with a point that the Indonesian reading rejects (`98.4`, `1476.25`).
        var pointIsClear = false
        /// Values of the form `d{1,3}.ddd` (thousands or three decimals) and values with no point
        /// or comma at all, the longest of those in digits.
        var dotThree = 0, plain = 0, plainDigits = 0
        /// A value `1.500` to quote in a note.
        var dotThreeExample: String?
        /// Codes: `01`, `1.02.01`; or all values dotted with varying decimals and a trailing zero
        /// (`2.10` beside `2.9`), as section numbers are.
        var leadingZero: String?, multiDot: String?
        var allDotted = true, trailingZero: String?
        /// Bit k set when a dotted value has k decimals (k up to 63).
        var fractionLengths: UInt64 = 0
        var percents = 0, rupiahs = 0
        /// A value that is not a number in either style, to quote.
        var textExample: String?

        var isCode: Bool { leadingZero != nil || multiDot != nil || (allDotted && trailingZero != nil && fractionLengths.nonzeroBitCount > 1) }

        /// A value the format stores as a number (an Excel numeric cell): a number in either style.
        mutating func sawNumber(isWhole: Bool) {
            nonNull += 1; numberCount += 1; cNumbers += 1; idNumbers += 1; allDotted = false
            if !isWhole { cInt = false; idFlags.insert(.decimal) }
        }

        mutating func sawText() { nonNull += 1; allDotted = false; if textExample == nil { textExample = "…" } }

        /// Looks at one value, blanks around it already taken off.
        mutating func see(_ p: UnsafePointer<UInt8>, _ n: Int, _ scratch: UnsafeMutablePointer<UInt8>) {
            if n == 0 || CSVNumbers.isNullMark(p, n) { return }
            nonNull += 1
            var affixes = CSVNumbers.Affixes()
            let (start, m) = CSVNumbers.stripAffixes(p, n, &affixes)
            let q = p + start
            func text() -> String { String(decoding: UnsafeBufferPointer(start: p, count: min(n, 40)), as: UTF8.self) }
            var digitsOnly = m > 0, dots = 0, commas = 0, dotAt = -1
            // `-Rp 2.500`: the sign stays before `Rp`, which the Indonesian reading takes off.
            let signedRupiah = affixes.contains(.rupiah) && m > 0 && q[0] == 45
            for i in 0..<m {
                let c = q[i]
                if c == 46 { dots += 1; if dotAt < 0 { dotAt = i } } else if c == 44 { commas += 1 } else if c &- 48 > 9 { digitsOnly = false }
                if c == 46 || c == 44 { digitsOnly = false }
                // A character no number has (a letter other than an exponent's): text, read no further.
                if !signedRupiah && c != 43 && c != 45 && c != 46 && c != 44 && c != 101 && c != 69 && c != 32 && c &- 48 > 9 {
                    allDotted = false
                    if textExample == nil { textExample = text() }
                    return
                }
            }
            if digitsOnly && m > 1 && q[0] == 48 && leadingZero == nil { leadingZero = text() }
            let cValue = m > 0 ? CSVNumbers.parseDouble(q, m) : nil
            var f = CSVNumbers.IndoFlags()
            let len = m > 0 ? CSVNumbers.normalizeIndonesian(q, m, scratch, 256, &f) : -1
            let idValue = len >= 0 ? CSVNumbers.parseDouble(scratch, len) : nil
            if cValue == nil && idValue == nil {
                if dots >= 2 && commas == 0 && multiDot == nil { multiDot = text() }
                allDotted = false
                if textExample == nil { textExample = text() }
                return
            }
            numberCount += 1
            if affixes.contains(.percent) { percents += 1 }
            if affixes.contains(.rupiah) { rupiahs += 1; f.insert(.clear) }
            if cValue != nil {
                cNumbers += 1
                if cInt && CSVNumbers.parseInt(q, m) == nil { cInt = false }
            }
            if idValue != nil { idNumbers += 1; idFlags.formUnion(f) }
            if dots == 0 && commas == 0 {
                plain += 1
                plainDigits = max(plainDigits, m - (q[0] == 45 || q[0] == 43 ? 1 : 0))
                allDotted = false
            } else if dots == 1 && commas == 0 && cValue != nil {
                let fraction = m - dotAt - 1
                fractionLengths |= 1 << UInt64(min(fraction, 63))
                // A code is digits and points only: a sign or an exponent (`-2.5e+300`) says number.
                var plainDigits = true
                for i in 0..<m where q[i] != 46 && q[i] &- 48 > 9 { plainDigits = false; break }
                if !plainDigits { allDotted = false }
                // `2.10`: a trailing zero after other decimals, which a program printing a number
                // at its shortest never writes and one printing fixed decimals writes in every value.
                if plainDigits && fraction >= 2 && q[m - 1] == 48 && trailingZero == nil { trailingZero = text() }
                if idValue != nil {
                    dotThree += 1
                    if dotThreeExample == nil { dotThreeExample = text() }
                } else {
                    pointIsClear = true
                }
            } else {
                allDotted = false
                if cValue != nil && idValue == nil { pointIsClear = true }
            }
        }

        func indonesianIsClear(separator: UInt8) -> Bool {
            idFlags.contains(.clear) || (idFlags.contains(.commaThree) && separator != 44)
        }

        /// What the column is read as.
        struct Decision {
            var type: ColumnType
            var locale: NumberLocale
            var unit: Field.Unit?
            /// Said in `.schema`.
            var notes: [String]
            /// Said when the file is opened: a reading chosen between two.
            var warning: String?
        }

        func decide(_ locale: CSVOptions.Locale, separator: UInt8, name: String, file: FileEvidence) -> Decision {
            if nonNull == 0 { return Decision(type: .int, locale: locale == .indonesian ? .indonesian : .c, notes: []) }
            if let code = leadingZero ?? multiDot {
                return Decision(type: .text, locale: .c, notes: ["text: '\(code)' is a code, kept as written"])
            }
            if isCode, let example = trailingZero {
                return Decision(type: .text, locale: .c,
                                notes: ["text: values such as '\(example)' have varying decimals with trailing zeros, as codes do; kept as written"])
            }
            var notes: [String] = []
            var warning: String?
            var chosen: NumberLocale
            let idClear = indonesianIsClear(separator: separator)
            switch locale {
            case .c: chosen = .c
            case .indonesian: chosen = .indonesian
            case .auto:
                if idClear && (!pointIsClear || idNumbers >= cNumbers) {
                    chosen = .indonesian
                    notes.append("numbers written the Indonesian way (thousands '.', decimal ',')")
                } else if pointIsClear || dotThree == 0 {
                    chosen = .c
                } else if plain > 0 && plainDigits <= 3 {
                    // Thousands dots used throughout: nothing of four digits or more without one.
                    chosen = .indonesian
                    notes.append("'\(dotThreeExample ?? "")' read as thousands: no value of 1000 or more is written without a dot")
                } else if plain > 0 {
                    chosen = .c
                    notes.append("'\(dotThreeExample ?? "")' read with a decimal point: values of four digits are written without a dot")
                } else if let other = file.indonesian {
                    chosen = .indonesian
                    notes.append("'\(dotThreeExample ?? "")' read as thousands, as column '\(other)' of this file writes numbers the Indonesian way")
                } else if let other = file.decimalPoint {
                    chosen = .c
                    notes.append("'\(dotThreeExample ?? "")' read with a decimal point, as column '\(other)' of this file has decimal points")
                } else {
                    chosen = .c
                    let example = dotThreeExample ?? ""
                    let thousands = example.replacingOccurrences(of: ".", with: "")
                    let decimal = Double(example).map { "\($0)" } ?? example
                    warning = "column '\(name)': '\(example)' could be \(thousands) (Indonesian thousands) or \(decimal) (decimal point); read as \(decimal). If the dots group thousands, load the file with --locale id (.load FILE --locale id, or --data FILE:locale=id)"
                    notes.append("'\(example)' read as \(decimal); the file could be read either way (--locale id reads it as \(thousands))")
                }
            }
            let numbers = chosen == .indonesian ? idNumbers : cNumbers
            let others = nonNull - numbers
            // Numeric when the values that are not numbers are few (`mostlyNumbers`); they become null, each
            // with a warning, when the rows are read.
            if numbers == 0 || !CSVReader.mostlyNumbers(numbers: numbers, others: others) {
                if numbers > 0 {
                    notes = ["text: \(others) of \(nonNull) values in the head of the file are not numbers (such as '\(textExample ?? "")')"]
                }
                return Decision(type: .text, locale: .c, notes: notes, warning: nil)
            }
            let type: ColumnType
            if chosen == .indonesian { type = idFlags.contains(.decimal) ? .double : .int } else { type = cInt ? .int : .double }
            var unit: Field.Unit?
            if percents * 2 > numbers { unit = .percent; notes.append("percentages: '%' after the numbers") }
            else if rupiahs * 2 > numbers { unit = .rupiah; notes.append("rupiah: 'Rp' before the numbers") }
            return Decision(type: type, locale: chosen, unit: unit, notes: notes, warning: warning)
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
        /// Per numeric column read, the cells that were not numbers (now null).
        var badCells: [Int: BadCells] = [:]
        /// Per batch of rows: rows before it, its line (1-based lines before it) and byte offset
        /// (see ``ChunkParser/rowIndex``); empty when rows were skipped.
        var rowIndex: [(row: Int, line: Int, offset: Int)] = []
        /// Just past the last row read, and the lines read (rows, blank lines, lines inside rows).
        var end = 0
        var lines = 0
    }

    /// The cells of a numeric column that were not numbers: how many, and the first few, each
    /// as a located warning.
    struct BadCells: Sendable, Equatable, Codable {
        static let kept = 10
        var count: Int
        var first: [Diagnostic]

        static func == (a: BadCells, b: BadCells) -> Bool { a.count == b.count && a.first.count == b.first.count }

        enum CodingKeys: String, CodingKey { case count, cells }
        struct Cell: Codable { var line: Int; var column: Int; var name: String; var text: String; var path: String }
        init(count: Int, first: [Diagnostic]) { self.count = count; self.first = first }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            count = try c.decode(Int.self, forKey: .count)
            first = try c.decode([Cell].self, forKey: .cells).map {
                Diagnostic(.csvNotANumber(column: $0.name, text: $0.text), .file(path: $0.path, line: $0.line, column: $0.column))
            }
        }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(count, forKey: .count)
            try c.encode(first.compactMap { d -> Cell? in
                guard case .file(let path, let line, let column) = d.location,
                      case .csvNotANumber(let name, let text) = d.kind else { return nil }
                return Cell(line: line, column: column, name: name, text: text, path: path)
            }, forKey: .cells)
        }

        /// The warnings to print: the first cells, then how many more.
        var warnings: [Diagnostic] {
            guard let last = first.last, case .csvNotANumber(let name, _) = last.kind else { return first }
            return first + (count > first.count ? [Diagnostic(.csvMoreNotNumbers(column: name, count: count - first.count), last.location)] : [])
        }
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
    ///
    /// After the first window the parser's columns are sized for `presizeBytes` bytes of rows at
    /// the density seen so far (by default the stretch itself), so they rarely grow by copying.
    static func scanRange(fd: Int32, fileSize: Int, start: Int, limit: Int, parser: ChunkParser,
                          presizeBytes: Int? = nil, progress: LoadProgress? = nil) -> (end: Int, ioError: String?) {
        var reported = start
        var presized = false
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
            parser.fileOffset = bufOffset
            let (next, status) = parser.run(buf, from: pos, bufEnd: filled, stopAt: limit - bufOffset, final: final)
            pos = next
            if !presized && status == .needMore && parser.rows > 0 {
                presized = true
                let seen = bufOffset + pos - start
                let bytes = presizeBytes ?? (min(limit, fileSize) - start)
                parser.reserve(rows: Int(Double(bytes) * Double(parser.rows) / Double(max(1, seen)) * 1.04) + 1024)
            }
            if let progress, bufOffset + pos > reported {
                progress.add(bytes: bufOffset + pos - reported)
                reported = bufOffset + pos
            }
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
                         wanted: [Int], skipBadRows: Bool, strict: Bool = false, threads: Int? = nil,
                         progress: LoadProgress? = nil, from: Int? = nil, to: Int? = nil,
                         firstLine: Int? = nil) throws(Diagnostic) -> ScanOutput {
        // By default every row; else the rows starting in `from..<to`, `from` a row's start
        // and `firstLine` the lines before it (a stretch of a file read as a stream).
        let begin = from ?? schema.dataStart, end = min(fileSize, to ?? fileSize)
        let policy: ColumnBuilder.Policy = skipBadRows || strict ? .strict : .lenient
        func makeParser() -> ChunkParser {
            let parser = ChunkParser(separator: schema.separator, names: schema.names, types: types, locales: schema.locales,
                                     wanted: wanted, policy: policy, skipBadRows: skipBadRows)
            // Rows are found again by number only where every row read is kept.
            parser.indexRows = !skipBadRows
            return parser
        }
        let body = end - begin
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        let n = threads ?? (body >= parallelThreshold ? max(1, min(ProcessInfo.processInfo.activeProcessorCount, 16)) : 1)
        var starts = [begin]
        for i in 1..<max(1, n) {
            let nominal = begin + body / n * i
            starts.append(min(end, max(starts.last!, rowBoundary(fd: fd, after: nominal, fileSize: fileSize))))
        }
        let limits = Array(starts.dropFirst()) + [end]
        let parsers = starts.indices.map { _ in makeParser() }
        let jobs = ScanJobs(starts: starts, limits: limits, parsers: parsers, progress: progress)
        if starts.count == 1 {
            jobs.run(0, fd: fd, fileSize: fileSize)
        } else {
            DispatchQueue.concurrentPerform(iterations: starts.count) { i in jobs.run(i, fd: fd, fileSize: fileSize) }
        }
        let results = jobs.results
        // Check each stretch began where the one before it really ended; read again if not.
        var chain: [ChunkParser] = []
        var rowIndex: [(row: Int, line: Int, offset: Int)] = []
        var warnings: [Diagnostic] = []
        let firstLine = firstLine ?? schema.headerLines
        var lineBase = firstLine
        var expected = begin
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
            let rowBase = chain.reduce(0) { $0 + $1.rows }
            for e in parser.rowIndex { rowIndex.append((rowBase + e.row, lineBase + e.line, e.offset)) }
            lineBase += parser.lines
            expected = result.end
            chain.append(parser)
        }
        var columns: [Int: Column] = [:]
        var failed: [Int] = []
        var merging: [(column: Int, parts: [ColumnBuilder])] = []
        var bad: [Int: BadCells] = [:]
        for (j, col) in chain[0].wanted.enumerated() {
            let parts = chain.map { $0.builders[j] }
            if parts.contains(where: { $0.kind == .failed }) { failed.append(col); continue }
            if parts.contains(where: { $0.kind == .double }) { parts.forEach { $0.widenToDouble() } }
            let count = chain.reduce(0) { $0 + $1.badCounts[j] }
            if count > 0 {
                var cells: [Diagnostic] = []
                var base = firstLine
                for parser in chain {
                    for c in parser.badCells[j] where cells.count < BadCells.kept {
                        cells.append(Diagnostic(c.kind, .file(path: path, line: base + c.line, column: c.column)))
                    }
                    base += parser.lines
                }
                bad[col] = BadCells(count: count, first: cells)
            }
            merging.append((col, parts))
        }
        // Columns are independent: finish them on all cores.
        let merged = ParallelMerge(merging.map(\.parts))
        if merging.count > 1 && chain.reduce(0, { $0 + $1.rows }) > 100_000 {
            DispatchQueue.concurrentPerform(iterations: merging.count) { merged.run($0) }
        } else {
            for i in merging.indices { merged.run(i) }
        }
        for (i, m) in merging.enumerated() {
            let column = merged.result(i)
            // Numeric while the cells that are not numbers are few (`mostlyNumbers`), as
            // inference decides from the head; past that the column is read again as text.
            if let b = bad[m.column] {
                let numbers = column.count - column.nullCount
                if !CSVReader.mostlyNumbers(numbers: numbers, others: b.count) {
                    failed.append(m.column)
                    bad[m.column] = nil
                    continue
                }
            }
            // Text in NFC, so equal text is equal bytes (Data/Text.swift).
            columns[m.column] = column.nfcText()
        }
        return ScanOutput(count: chain.reduce(0) { $0 + $1.rows }, columns: columns, failed: failed.sorted(),
                          warnings: warnings, badCells: bad, rowIndex: skipBadRows ? [] : rowIndex,
                          end: expected, lines: lineBase - firstLine)
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
    let progress: LoadProgress?
    private let slots: UnsafeMutablePointer<(end: Int, ioError: String?)>
    init(starts: [Int], limits: [Int], parsers: [ChunkParser], progress: LoadProgress? = nil) {
        self.starts = starts; self.limits = limits; self.parsers = parsers; self.progress = progress
        slots = .allocate(capacity: starts.count)
        slots.initialize(repeating: (0, nil), count: starts.count)
    }
    deinit { slots.deinitialize(count: starts.count); slots.deallocate() }
    func run(_ i: Int, fd: Int32, fileSize: Int) {
        // The first stretch's columns become the merged ones: size them for the whole file.
        slots[i] = CSVReader.scanRange(fd: fd, fileSize: fileSize, start: starts[i], limit: limits[i], parser: parsers[i],
                                       presizeBytes: i == 0 ? limits[limits.count - 1] - starts[0] : nil, progress: progress)
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
    /// Per numeric column read so far, the cells that were not numbers.
    private(set) var badCells: [Int: CSVReader.BadCells] = [:]
    /// Columns whose bad cells have been reported.
    private var reportedColumns = Set<Int>()
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
        // A strict read must see every cell itself: a cache written by a lenient one has its
        // bad cells already made null.
        if options.useCache && !options.strict {
            let root = options.cacheDirectory ?? CSVCache.directory()
            cacheRoot = root
            if let entry = CSVSource.openEntry(root: root, name: entryName, create: false, options: options),
               let m = CSVCache.readMeta(in: entry, sourcePath: path, touch: true), m.source == absolutePath,
               m.identity == identity, m.locale == CSVCache.localeCode(options.locale),
               m.skipBadRows == options.skipBadRows, m.separatorOverride == (options.separator ?? 0),
               m.schema.names.count == m.present.count,
               // What the meta does not hold (headers as written, units, notes) comes from the
               // head again; it must find the header where the meta's rows start (`skipRows`).
               let head = try? CSVReader.inferSchema(fd: fd, size: identity.size, path: path, options: options),
               head.names == m.schema.names, head.dataStart == m.schema.dataStart {
                meta = m
                schema = m.schema
                schema.labels = head.labels
                schema.units = head.units
                schema.notes = head.notes
                schema.openWarnings = head.openWarnings
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
                reportBadCells(wanted)
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
        let progress = options.onProgress.map { LoadProgress(path: path, total: size - schema.dataStart, report: $0) }
        var out = try CSVReader.scanFile(fd: fd, fileSize: size, path: path, schema: schema, types: types,
                                         wanted: missing, skipBadRows: options.skipBadRows, strict: options.strict,
                                         progress: progress)
        progress?.finish()
        for (c, b) in out.badCells { badCells[c] = b }
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
        if !out.rowIndex.isEmpty { rowIndex = out.rowIndex }
        for (c, column) in out.columns {
            types[c] = column.type
            columns[c] = column
        }
        report(out.warnings)
        reportBadCells(wanted)
        store(out.columns, count: out.count, warnings: out.warnings)
        return (out.count, columns)
    }

    /// Whether ``stream(_:_:)`` may read this file: the columns are not to be kept
    /// (no cache), bad rows are not skipped, and the file is big enough to gain from it.
    var canStream: Bool {
        !options.useCache && !options.skipBadRows && !options.strict && size >= 2 * options.streamSegmentBytes
    }

    /// Reads the `wanted` columns one stretch of ``CSVOptions/streamSegmentBytes`` at a time, handing each
    /// stretch's rows to `body` and keeping none of them: for a query whose answer is built as it
    /// goes (a filter and a count, sums by group). Returns the row count, or nil when the file
    /// turns out not to be what its head said (a column wider than inferred, or mostly not
    /// numbers): the caller then reads the columns whole, which decides such a column once for
    /// every row. Cells that are not numbers are said once, as a full read says them.
    func stream(_ wanted: [Int], _ body: (_ count: Int, _ columns: [Int: Column]) throws(Diagnostic) -> Bool) throws(Diagnostic) -> Int? {
        guard canStream else { return nil }
        try verify()
        let fd = try CSVSource.openFile(path)
        defer { close(fd) }
        guard CSVCache.Identity.of(fd: fd) == identity else { throw changed() }
        var start = schema.dataStart, line = schema.headerLines, rows = 0
        var bad: [Int: CSVReader.BadCells] = [:]
        var nulls: [Int: Int] = [:]
        let (size, path, schema, types, segment) = (self.size, self.path, self.schema, self.types, options.streamSegmentBytes)
        func scan(from start: Int, line: Int) -> PendingScan {
            PendingScan { () throws(Diagnostic) in
                try CSVReader.scanFile(fd: fd, fileSize: size, path: path, schema: schema, types: types, wanted: wanted,
                                       skipBadRows: false, from: start, to: start + segment, firstLine: line)
            }
        }
        // The next stretch is read while `body` works on this one; none is left reading the
        // file when this returns (it closes the file).
        var pending: PendingScan? = scan(from: start, line: line)
        defer { pending?.join() }
        while let current = pending {
            pending = nil
            let out = try current.wait()
            if !out.failed.isEmpty || out.columns.contains(where: { $0.value.type != types[$0.key] }) { return nil }
            for (c, b) in out.badCells {
                var all = bad[c] ?? CSVReader.BadCells(count: 0, first: [])
                all.count += b.count
                all.first += b.first.prefix(CSVReader.BadCells.kept - all.first.count)
                bad[c] = all
            }
            for (c, column) in out.columns { nulls[c, default: 0] += column.nullCount }
            rows += out.count
            line += out.lines
            guard out.end > start || out.end >= size else { return nil }
            start = out.end
            if start < size { pending = scan(from: start, line: line) }
            if try !body(out.count, out.columns) { return nil }
        }
        // The rule a full read applies to the whole column, applied to the whole column.
        for (c, b) in bad where !CSVReader.mostlyNumbers(numbers: rows - (nulls[c] ?? 0), others: b.count) { return nil }
        guard CSVCache.Identity.of(fd: fd) == identity, CSVCache.Identity.of(path: path) == identity else { throw changed() }
        if let known = rowCount, known != rows { throw changed() }
        rowCount = rows
        for (c, b) in bad { badCells[c] = b }
        reportBadCells(wanted)
        return rows
    }

    /// Per batch of rows of the last full read, where it starts (``ScanOutput/rowIndex``).
    private var rowIndex: [(row: Int, line: Int, offset: Int)] = []

    /// Whether ``readRows(_:columns:)`` can answer: the rows were read once, none skipped.
    var canReadRows: Bool { !rowIndex.isEmpty && !options.skipBadRows && !options.strict }

    /// The columns `wanted` of the given rows only (row numbers ascending), read again from the
    /// file at the places the last full read noted: for `sort … | limit`, which needs the other
    /// columns of a few rows. Cells that are not numbers are said at their `file:line:col`, as a
    /// full read says them. Nil when it cannot answer (no full read yet, or a value that would
    /// turn a column to text): the caller then reads the columns whole.
    func readRows(_ rows: [Int], columns wanted: [Int]) throws(Diagnostic) -> [Int: Column]? {
        guard canReadRows, !rows.isEmpty else { return nil }
        try verify()
        let fd = try CSVSource.openFile(path)
        defer { close(fd) }
        guard CSVCache.Identity.of(fd: fd) == identity else { throw changed() }
        let ncols = schema.names.count
        let tok = RowTokenizer(separator: schema.separator, capacity: ncols)
        defer { tok.deallocate() }
        // The rows' bytes one after another, each with its line in the file and in `bytes`.
        var bytes: [UInt8] = []
        var fileLines: [Int] = [], byteLines: [Int] = []
        var linesInBytes = 0
        // A cursor through the file: the bytes read from `chunkStart`, and the row at `pos` in
        // them with the lines before it. Rows come in order, so near ones share one read.
        var chunk: [UInt8] = []
        var chunkStart = -1, pos = 0, row = 0, line = 0
        for r in rows {
            var lo = 0, hi = rowIndex.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if rowIndex[mid].row <= r { lo = mid } else { hi = mid - 1 }
            }
            let entry = rowIndex[lo]
            guard entry.row <= r else { return nil }
            if chunkStart < 0 || row > r || row < entry.row {
                chunk = []
                chunkStart = entry.offset; pos = 0; row = entry.row; line = entry.line
            }
            var want = 1 << 16
            while true {
                if pos >= chunk.count {
                    // Read on from the cursor, more each time a row does not fit.
                    let from = chunkStart + pos
                    chunk = try CSVReader.readBytes(fd: fd, offset: from, count: min(want, size - from), path: path)
                    chunkStart = from; pos = 0
                }
                let final = chunkStart + chunk.count >= size
                enum Walk { case found(end: Int, newlines: Int), more, fail }
                let walk: Walk = chunk.withUnsafeBufferPointer { buf in
                    while pos < buf.count {
                        let next = tok.tokenize(buf.baseAddress!, pos, buf.count, final)
                        if next == -1 { return .more }
                        if next < 0 { return .fail }
                        if tok.fieldCount != ncols {
                            if tok.isBlank { line += 1; pos = next; continue }
                            return .fail
                        }
                        if row == r { return .found(end: next, newlines: tok.newlines) }
                        row += 1; line += 1 + tok.newlines; pos = next
                    }
                    return final ? .fail : .more
                }
                switch walk {
                case .found(let end, let newlines):
                    fileLines.append(line + 1)
                    byteLines.append(linesInBytes)
                    bytes += chunk[pos..<end]
                    if let last = bytes.last, last != 10 && last != 13 { bytes.append(10) }
                    linesInBytes += 1 + newlines
                    row += 1; line += 1 + newlines; pos = end
                case .fail:
                    return nil
                case .more:
                    if want >= CSVReader.maxRowBytes * 2 || chunkStart + chunk.count >= size { return nil }
                    want = max(want, chunk.count - pos) * 4
                    chunk = []
                    continue
                }
                break
            }
        }
        let parser = ChunkParser(separator: schema.separator, names: schema.names, types: types, locales: schema.locales,
                                 wanted: wanted, policy: .lenient, skipBadRows: false)
        let (_, status) = bytes.withUnsafeBufferPointer { buf in
            parser.run(buf.baseAddress!, from: 0, bufEnd: buf.count, stopAt: buf.count, final: true)
        }
        guard status == .done, parser.error == nil, parser.rows == rows.count,
              !parser.builders.contains(where: { $0.kind == .failed }) else { return nil }
        var out: [Int: Column] = [:]
        for (j, c) in parser.wanted.enumerated() {
            out[c] = ColumnBuilder.merge([parser.builders[j]]).nfcText()
            guard let handler = options.onWarning else { continue }
            for cell in parser.badCells[j] {
                // The cell's line in `bytes`, back to its row and the row's line in the file.
                var i = 0
                while i + 1 < byteLines.count && byteLines[i + 1] <= cell.line - 1 { i += 1 }
                let line = fileLines[i] + (cell.line - 1 - byteLines[i])
                handler(LKQError(Diagnostic(cell.kind, .file(path: path, line: line, column: cell.column))))
            }
        }
        return out
    }

    /// Said once per column, when it is first read: each cell that was not a number (up to
    /// ``CSVReader/BadCells/kept``), then how many more.
    private func reportBadCells(_ wanted: [Int]) {
        for c in wanted.sorted() where !reportedColumns.contains(c) {
            reportedColumns.insert(c)
            guard let bad = badCells[c], let handler = options.onWarning else { continue }
            for w in bad.warnings { handler(LKQError(w)) }
        }
    }

    /// What a `.schema` shows beyond the fields: per column read so far, the cells that were not
    /// numbers.
    func badCellSummary() -> [Int: CSVReader.BadCells] { badCells }

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
        // A column with cells that were not numbers is not cached: the meta cannot hold its
        // warnings, and reading it again says them again.
        for (c, column) in new.sorted(by: { $0.key < $1.key }) where badCells[c] == nil {
            if CSVCache.writeColumn(column, index: c, generation: m.generation, in: folder) { m.present[c] = true }
        }
        m.schema.types = types
        if CSVCache.writeMeta(m, in: folder) { meta = m }
        CSVCache.evict(in: rootFolder, limit: CSVCache.maxBytes(), keep: entryName)
    }
}

/// A stretch of a file being read on another thread (``CSVSource/stream(_:_:)``).
final class PendingScan: @unchecked Sendable {
    private let finished = DispatchSemaphore(value: 0)
    private var result: Result<CSVReader.ScanOutput, Diagnostic>?
    private var joined = false

    init(_ work: @escaping @Sendable () throws(Diagnostic) -> CSVReader.ScanOutput) {
        DispatchQueue.global().async { [self] in
            do throws(Diagnostic) {
                result = .success(try work())
            } catch {
                result = .failure(error)
            }
            finished.signal()
        }
    }

    /// Waits for the stretch; its columns, or the error reading it.
    func wait() throws(Diagnostic) -> CSVReader.ScanOutput {
        join()
        return try result!.get()
    }

    /// Waits for the reading to end, whatever it gave.
    func join() {
        if joined { return }
        finished.wait()
        joined = true
    }
}

/// Bytes of a file read so far, from every thread reading it, handed to
/// ``CSVOptions/onProgress``.
final class LoadProgress: @unchecked Sendable {
    let path: String
    let total: Int
    private let report: @Sendable (CSVOptions.Progress) -> Void
    private let lock = NSLock()
    private var done = 0

    init(path: String, total: Int, report: @escaping @Sendable (CSVOptions.Progress) -> Void) {
        self.path = path
        self.total = max(0, total)
        self.report = report
    }

    func add(bytes: Int) {
        lock.lock()
        done += bytes
        let now = min(done, total)
        lock.unlock()
        report(CSVOptions.Progress(path: path, bytesRead: now, totalBytes: total, finished: false))
    }

    func finish() {
        report(CSVOptions.Progress(path: path, bytesRead: total, totalBytes: total, finished: true))
    }
}
