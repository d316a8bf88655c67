import Foundation
import CLKQScan
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// A growable block of output bytes that numbers and text are formatted into directly, so
/// writing a cell allocates nothing: `csv` and `json` output of millions of rows go through it.
struct OutputBytes {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        base = .allocate(capacity: self.capacity)
    }

    /// Frees the block; the value must not be used after.
    func deallocate() { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Forgets what was written, keeping the block.
    mutating func removeAll() { count = 0 }

    /// Makes room for `n` more bytes.
    ///
    /// The slow paths here return a new value rather than mutate `self` out of line: a writer's
    /// `OutputBytes` then never has its address taken, so it stays in registers through the row
    /// loop instead of being reloaded after every byte stored (a store through a byte pointer
    /// may alias anything in memory).
    @inline(__always) mutating func reserve(_ n: Int) {
        if count + n > capacity { self = grown(n) }
    }

    /// A copy with room for `n` more bytes; this value's block is freed, so the caller must
    /// replace this value with the copy.
    @inline(never) private func grown(_ n: Int) -> OutputBytes {
        var size = capacity * 2
        while count + n > size { size *= 2 }
        var bigger = self
        bigger.base = .allocate(capacity: size)
        bigger.base.update(from: base, count: count)
        base.deallocate()
        bigger.capacity = size
        return bigger
    }

    @inline(__always) mutating func byte(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    @inline(__always) mutating func append(_ p: UnsafeRawBufferPointer) {
        guard let start = p.baseAddress, p.count > 0 else { return }
        reserve(p.count)
        UnsafeMutableRawPointer(base + count).copyMemory(from: start, byteCount: p.count)
        count += p.count
    }

    /// Appends `n` bytes from `start`, which may be read 16 bytes past them: short text (a
    /// kode, a name) is copied as one 16-byte block, not through `memcpy`.
    @inline(__always) mutating func append(paddedFrom start: UnsafePointer<UInt8>, count n: Int) {
        reserve(n + 16)
        if n <= 16 {
            UnsafeMutableRawPointer(base + count).storeBytes(
                of: UnsafeRawPointer(start).loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
        } else {
            (base + count).update(from: start, count: n)
        }
        count += n
    }

    @inline(__always) mutating func append(_ s: String) { self = appending(s) }

    @inline(never) private func appending(_ s: String) -> OutputBytes {
        var out = self
        var s = s
        s.withUTF8 { out.append(UnsafeRawBufferPointer($0)) }
        return out
    }

    /// Two ASCII digits for each of 0...99, so integers are written two digits at a time.
    private static let digitPairs: StaticString =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// `v` as `String(v)` writes it.
    @inline(__always) mutating func int(_ v: Int64) {
        reserve(20)
        if v < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var m = v.magnitude
        let digits = Self.digitCount(m)
        let pairs = Self.digitPairs.utf8Start
        var at = count + digits
        while m >= 100 {
            let r = Int(m % 100)
            m /= 100
            at -= 2
            base[at] = pairs[2 * r]
            base[at + 1] = pairs[2 * r + 1]
        }
        if m >= 10 {
            at -= 2
            base[at] = pairs[2 * Int(m)]
            base[at + 1] = pairs[2 * Int(m) + 1]
        } else {
            base[at - 1] = UInt8(ascii: "0") + UInt8(m)
        }
        count += digits
    }

    /// How many decimal digits `m` has (1 for 0), from its bit length and one comparison, not
    /// a division per digit: a number of `b` bits has ⌊b·log10 2⌋ digits or one more.
    @inline(__always) static func digitCount(_ m: UInt64) -> Int {
        let n = m | 1
        let t = ((64 - n.leadingZeroBitCount) &* 1233) &>> 12
        return t &+ (n >= powerOfTen(t) ? 1 : 0)
    }

    /// 10^k for k in 0...19, the powers a UInt64 can hold (a table in C: see lkq_digits.h).
    @inline(__always) static func powerOfTen(_ k: Int) -> UInt64 {
        lkq_power_of_ten(k)
    }

    /// A finite double as ``Value/format(_:)`` writes it: whole values below 10^15 as integers,
    /// others as Swift's shortest text that reads back as the same double.
    @inline(__always) mutating func plainDouble(_ d: Double) {
        if Value.printsWhole(d) {
            int(Int64(d))
        } else if !fewDecimals(d) {
            self = appending(Value.format(d))
        }
    }

    /// Writes `d` when it is a value with 1 to 6 decimals between 0.001 and 10^9 (percentages,
    /// amounts with cents), from its digits rather than through a `String`. The decimal with
    /// the fewest decimals that reads back as `d` is then Swift's shortest text for it: there
    /// the spacing of such decimals (10^-6 at least) is wider than the doubles that read back
    /// as `d` (under 1.2 × 10^-7), so one decimal is the closest as well as the shortest.
    ///
    /// One test at 6 decimals stands for all six: if `d` reads back from k decimals, m/10^k,
    /// then d × 10^6 is within 0.13 of m × 10^(6-k) (both errors are under 0.07 below 10^15),
    /// so it rounds to that integer, which reads back as `d` too; the zeros it ends with give k.
    @inline(__always) private mutating func fewDecimals(_ d: Double) -> Bool {
        let a = abs(d)
        guard a >= 1e-3 && a < 1e9 else { return false }
        let m = (a * 1e6).rounded()
        guard m / 1e6 == a else { return false }
        var units = UInt64(m)
        var k = 6
        while k > 0 && units % 10 == 0 { units /= 10; k -= 1 }
        // A whole value is written as an integer before this is called.
        guard k > 0 else { return false }
        if d < 0 { byte(UInt8(ascii: "-")) }
        let p = Self.powerOfTen(k)
        int(Int64(units / p))
        units %= p
        reserve(k + 1)
        base[count] = UInt8(ascii: ".")
        var at = count + k
        for _ in 0..<k {
            base[at] = UInt8(ascii: "0") + UInt8(units % 10)
            units /= 10
            at -= 1
        }
        count += k + 1
        return true
    }
}

/// Each dictionary entry of a text column as it is written in one output format, in one
/// block, so that a row's text is copied without looking at the string again.
final class EncodedDictionary {
    let bytes: UnsafeMutablePointer<UInt8>
    /// Entry `i` is `bytes[starts[i]..<starts[i + 1]]`.
    let starts: UnsafeMutablePointer<Int>

    init(_ dictionary: [String], _ encode: (String) -> String) {
        var all: [UInt8] = []
        starts = .allocate(capacity: dictionary.count + 1)
        starts[0] = 0
        for (i, s) in dictionary.enumerated() {
            all.append(contentsOf: encode(s).utf8)
            starts[i + 1] = all.count
        }
        // Room for ``OutputBytes/append(paddedFrom:count:)`` to read 16 bytes past any entry.
        bytes = .allocate(capacity: all.count + 16)
        bytes.initialize(from: all, count: all.count)
        (bytes + all.count).initialize(repeating: 0, count: 16)
    }

    deinit {
        bytes.deallocate()
        starts.deallocate()
    }
}

/// Writes `csv` and `json` straight from a result's columns into ``OutputBytes``, handing on
/// a piece whenever about `chunk` bytes are ready.
struct MachineWriter {
    let result: QueryResult
    let chunk: Int

    /// Writes the whole result in `format` (`.csv` or `.json`) to `sink`, which returns false
    /// to stop; returns whether everything was written.
    func write(_ format: OutputFormat, to sink: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        var out = OutputBytes(capacity: chunk + chunk / 4)
        defer { out.deallocate() }
        let json = format == .json
        let columns = result.columns
        let rows = result.rowCount
        // A dictionary bigger than the rows (the few rows a `limit` kept) is written per row.
        let encoded: [EncodedDictionary?] = columns.map { column in
            guard case .text(_, let dictionary) = column.storage, dictionary.count <= rows else { return nil }
            return EncodedDictionary(dictionary) { json ? JSONText.string($0) : CSVText.cell($0) }
        }
        let keys = result.fields.map { JSONText.string($0.name) + ":" }
        if json {
            if rows == 0 { out.append("[]\n") } else { out.append("[\n") }
        } else {
            out.append(result.fields.map { CSVText.field($0.name) }.joined(separator: ",") + "\n")
        }
        // Raw pointers into the result's columns, which `result` keeps alive: reading a cell
        // then copies no buffer and so retains nothing.
        let cells = columns.indices.map { CellPointers(columns[$0], encoded[$0]) }
        defer { withExtendedLifetime(encoded) {} }
        if rows >= 1 << 18 && Parallel.cores > 1 {
            // Two cores format the next two blocks of rows, each into its own bytes, which are
            // then handed on in order; blocks are large so the cores seldom wait for each other.
            let block = 1 << 16
            guard sink(out.bytes) else { return false }
            let parts = UnsafeMutablePointer<OutputBytes>.allocate(capacity: 2)
            parts.initialize(to: OutputBytes(capacity: chunk))
            (parts + 1).initialize(to: OutputBytes(capacity: chunk))
            defer { parts[0].deallocate(); parts[1].deallocate(); parts.deallocate() }
            let shared = UnsafeSendable((self, cells, keys, parts))
            var start = 0
            while start < rows {
                let middle = min(rows, start + block), end = min(rows, middle + block)
                let halves = (start..<middle, middle..<end)
                DispatchQueue.concurrentPerform(iterations: 2) { i in
                    let (writer, cells, keys, parts) = shared.value
                    parts[i].removeAll()
                    writer.formatRows(i == 0 ? halves.0 : halves.1, of: rows, cells, keys, json, into: &parts[i])
                }
                for i in 0..<2 where parts[i].count > 0 {
                    guard sink(parts[i].bytes) else { return false }
                }
                start = end
            }
            return !json || sink(UnsafeRawBufferPointer(start: Self.jsonEnd.utf8Start, count: Self.jsonEnd.utf8CodeUnitCount))
        }
        let block = 1 << 14
        var start = 0
        while start < rows {
            let end = min(rows, start + block)
            formatRows(start..<end, of: rows, cells, keys, json, into: &out)
            if out.count >= chunk {
                guard sink(out.bytes) else { return false }
                out.removeAll()
            }
            start = end
        }
        if json && rows > 0 { out.append("]\n") }
        return out.count == 0 || sink(out.bytes)
    }

    /// What ends a `json` array of rows.
    private static let jsonEnd: StaticString = "]\n"

    /// Appends `range`, rows of a result of `rows`, to `out`.
    private func formatRows(_ range: Range<Int>, of rows: Int, _ cells: [CellPointers], _ keys: [String], _ json: Bool,
                        into target: inout OutputBytes) {
        // A local copy, kept in registers (see ``OutputBytes/reserve(_:)``).
        var out = target
        defer { target = out }
        for r in range {
            if json { out.byte(UInt8(ascii: "{")) }
            for c in cells.indices {
                if json {
                    if c > 0 { out.byte(UInt8(ascii: ",")) }
                    out.append(keys[c])
                } else if c > 0 {
                    out.byte(UInt8(ascii: ","))
                }
                let cell = cells[c]
                if let nulls = cell.nulls, (nulls[r >> 6] >> UInt64(r & 63)) & 1 == 1 {
                    if json { out.append("null") }
                    continue
                }
                switch cell.values {
                case .int(let v):
                    out.int(v[r])
                case .double(let v):
                    // A NaN or an infinity reads as null, as ``Column/value(at:)`` has it.
                    if v[r].isFinite { out.plainDouble(v[r]) } else if json { out.append("null") }
                case .encoded(let codes, let bytes, let starts):
                    let code = Int(codes[r])
                    out.append(paddedFrom: bytes + starts[code], count: starts[code + 1] - starts[code])
                case .text(let codes):
                    let code = Int(codes[r])
                    if case .text(_, let dictionary) = result.columns[c].storage {
                        out.append(json ? JSONText.string(dictionary[code]) : CSVText.cell(dictionary[code]))
                    }
                }
            }
            if json { out.append(r == rows - 1 ? "}\n" : "},\n") } else { out.byte(10) }
        }
    }
}

/// Where a column's values and null bits are, without the buffers that own them.
private struct CellPointers {
    enum Values {
        case int(UnsafePointer<Int64>)
        case double(UnsafePointer<Double>)
        case text(UnsafePointer<Int32>)
        /// Codes, and their entries as written (``EncodedDictionary``).
        case encoded(UnsafePointer<Int32>, UnsafePointer<UInt8>, UnsafePointer<Int>)
    }
    let values: Values
    let nulls: UnsafePointer<UInt64>?

    init(_ column: Column, _ encoded: EncodedDictionary?) {
        switch column.storage {
        case .int(let b): values = .int(b.base)
        case .double(let b): values = .double(b.base)
        case .text(let codes, _):
            if let encoded { values = .encoded(codes.base, encoded.bytes, encoded.starts) } else { values = .text(codes.base) }
        }
        nulls = column.nulls?.words.base
    }
}

/// RFC 4180 fields.
enum CSVText {
    /// A text cell: the empty string is quoted so that it reads back differently from null.
    static func cell(_ s: String) -> String { s.isEmpty ? "\"\"" : field(s) }

    /// `s`, quoted when it holds a comma, a quote or a line break.
    static func field(_ s: String) -> String {
        let needsQuotes = s.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needsQuotes else { return s }
        return "\"" + s.replacing("\"", with: "\"\"") + "\""
    }
}
