import Testing
@testable import LKQ

/// The bit-mask splitter (`lkqscan_plain_rows`, C) must read exactly what the tokenizer alone
/// reads: the same rows, lines, values, warnings and errors, on every kind of row it takes
/// (plain, quoted, doubled quotes, CRLF, UTF-8) and every kind it must leave to the tokenizer
/// (lone CR, line ends inside quotes, a quote inside a field, NUL, bad UTF-8, blank lines,
/// wrong field counts, rows longer than its 4 KB window), whole or cut anywhere.
@Suite struct PlainRowsTests {
    static let pieces: [String] = ["", "a", "12", "-7", "98,40", "1.476", "Desa", "pagu 2023", " x ", "-", "é", "Ñusa",
                                   "“kutip”", "a\"b", "\"\"", "x\ty"]

    /// One field: mostly plain, sometimes quoted (with separators, doubled quotes, line ends
    /// inside), sometimes odd.
    static func field(_ sep: Character, _ rng: inout SplitMix64) -> String {
        let text = pieces.randomElement(using: &rng)!
        switch Int.random(in: 0..<250, using: &rng) {
        case 0..<200: return text
        case 200..<240: return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\(sep) q\""
        case 240: return "\"a\nb\""
        case 241: return "\"a\r\nb\""
        case 242: return String(repeating: "panjang ", count: Int.random(in: 100...700, using: &rng))
        case 243: return "ab\u{0}c"
        case 244: return "\"unclosed"
        case 245: return "\"x\"y"
        case 246: return "k\"v\(sep)w\""
        default: return text + "z"
        }
    }

    static func file(seed: UInt64, columns: Int, sep: Character) -> [UInt8] {
        var rng = SplitMix64(state: seed)
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 1...300, using: &rng) {
            var n = columns
            switch Int.random(in: 0..<60, using: &rng) {
            case 0: n = columns + 1
            case 1: n = max(1, columns - 1)
            case 2: n = 0
            default: break
            }
            let row = (0..<n).map { _ in field(sep, &rng) }.joined(separator: String(sep))
            bytes += Array(row.utf8)
            switch Int.random(in: 0..<50, using: &rng) {
            case 0: bytes += [13]
            case 1..<8: bytes += [13, 10]
            default: bytes += [10]
            }
            if Int.random(in: 0..<400, using: &rng) == 0 { bytes += [0xC3, 0x28] }
            if Int.random(in: 0..<400, using: &rng) == 0 { bytes += [0xFF] }
        }
        if Int.random(in: 0..<3, using: &rng) == 0 { bytes.removeLast() }
        return bytes
    }

    struct Reading: Equatable {
        var stops: [Int]
        var rows: Int
        var lines: Int
        var error: String?
        var warnings: [String]
        var values: [[String]]
        /// Not compared: how many rows the splitter took.
        var plainRows = 0

        static func == (a: Reading, b: Reading) -> Bool {
            (a.stops, a.rows, a.lines, a.error, a.warnings) == (b.stops, b.rows, b.lines, b.error, b.warnings)
                && a.values == b.values
        }
    }

    /// Reads `bytes` in one go or cut at `cut` (first part not final), as `CSVSource` does.
    static func read(_ bytes: [UInt8], columns: Int, sep: UInt8, wanted: [Int], skipBadRows: Bool, cut: Int?,
                     plain: Bool) -> Reading {
        let names = (0..<columns).map { "c\($0)" }
        let parser = ChunkParser(separator: sep, names: names, types: Array(repeating: .text, count: columns),
                                 locales: Array(repeating: .c, count: columns), wanted: wanted, policy: .strict,
                                 skipBadRows: skipBadRows)
        parser.splitsPlainRows = plain
        var stops: [Int] = []
        bytes.withUnsafeBufferPointer { buf in
            let b = buf.baseAddress!
            var from = 0
            if let cut {
                let (pos, status) = parser.run(b, from: 0, bufEnd: cut, stopAt: Int.max, final: false)
                stops.append(pos)
                if status == .failed { return }
                from = pos
            }
            let (pos, _) = parser.run(b, from: from, bufEnd: bytes.count, stopAt: Int.max, final: true)
            stops.append(pos)
        }
        let values = parser.builders.map { builder -> [String] in
            let column = ColumnBuilder.merge([builder])
            return (0..<column.count).map { "\(column.value(at: $0))" }
        }
        func said(_ i: ChunkIssue) -> String { "\(i.line):\(i.column) \(i.kind)" }
        return Reading(stops: stops, rows: parser.rows, lines: parser.lines, error: parser.error.map(said),
                       warnings: parser.warnings.map(said), values: values, plainRows: parser.plainRows)
    }

    @Test(arguments: 0..<8)
    func sameAsTheTokenizerAlone(batch: Int) {
        var taken = 0, rows = 0
        for k in 0..<40 {
            let seed = UInt64(batch * 1_000 + k)
            var rng = SplitMix64(state: seed ^ 0xABCD)
            let columns = Int.random(in: 1...12, using: &rng)
            let sep: Character = [",", ";", "\t", "|"].randomElement(using: &rng)!
            let bytes = Self.file(seed: seed, columns: columns, sep: sep)
            let wanted = (0..<columns).filter { _ in Bool.random(using: &rng) }
            let skip = Bool.random(using: &rng)
            let cut: Int? = bytes.isEmpty || Bool.random(using: &rng) ? nil : Int.random(in: 0..<bytes.count, using: &rng)
            let s = sep.asciiValue!
            let alone = Self.read(bytes, columns: columns, sep: s, wanted: wanted, skipBadRows: skip, cut: cut, plain: false)
            let split = Self.read(bytes, columns: columns, sep: s, wanted: wanted, skipBadRows: skip, cut: cut, plain: true)
            let what = "seed \(seed): \(columns) columns, wanted \(wanted), skip \(skip), cut \(String(describing: cut))"
            #expect(split.stops == alone.stops, "\(what)")
            #expect(split.rows == alone.rows && split.lines == alone.lines, "\(what)")
            #expect(split.error == alone.error, "\(what)")
            #expect(split.warnings == alone.warnings, "\(what)")
            let sameValues = split.values == alone.values
            #expect(sameValues, "\(what): values differ")
            taken += split.plainRows
            rows += split.rows
        }
        // Most generated rows are ones the splitter takes, so it is what these files test.
        #expect(taken * 2 > rows, "the splitter took \(taken) of \(rows) rows")
    }

    /// Plain files, the splitter's own case: every row must be taken by it, and still read right.
    @Test func plainFileReadWhole() {
        var text = "2023,Kab. Kupang,\"Dinas PMD, NTT\",1.476,98,40\r\n"
        for i in 0..<5_000 { text += "\(2000 + i % 30),Kab. \(i),\"Dinas \"\"\(i)\"\"\",\(i * 7),x\(i % 3),\(i)\n" }
        let bytes = Array(text.utf8)
        let alone = Self.read(bytes, columns: 6, sep: 44, wanted: [0, 2, 5], skipBadRows: false, cut: nil, plain: false)
        let split = Self.read(bytes, columns: 6, sep: 44, wanted: [0, 2, 5], skipBadRows: false, cut: nil, plain: true)
        #expect(split == alone)
        #expect(split.rows == 5_001 && split.error == nil)
        #expect(split.plainRows == 5_001 && alone.plainRows == 0)
        #expect(split.values[1][1] == "Dinas \"0\"")
    }
}
