import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// How a column's numbers are written.
enum NumberLocale: UInt8, Sendable {
    /// `1476`, `1476.5`, `-1.5e3`.
    case c = 0
    /// `1.476` (thousands dot), `98,40` (decimal comma), `Rp 9.051.591.780,50`.
    case indonesian = 1
}

/// Exact powers of ten that a `Double` holds without rounding (10^0 ... 10^22).
nonisolated(unsafe) let csvPow10: UnsafeMutablePointer<Double> = {
    let p = UnsafeMutablePointer<Double>.allocate(capacity: 23)
    var v = 1.0
    for i in 0...22 { p[i] = v; v *= 10 }
    return p
}()

@inline(__always) func csvIsSpace(_ c: UInt8) -> Bool { c == 32 || c == 9 }

/// Byte-level number parsing; no `String` is built except on the rare slow path of `parseDouble`.
enum CSVNumbers {
    /// An optionally signed decimal integer, surrounding blanks allowed; `nil` when the text is
    /// anything else or does not fit in 64 bits.
    @inline(__always)
    static func parseInt(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        var i = 0, e = n
        while i < e && csvIsSpace(p[i]) { i &+= 1 }
        while e > i && csvIsSpace(p[e &- 1]) { e &-= 1 }
        if i == e { return nil }
        var neg = false
        if p[i] == 45 { neg = true; i &+= 1 } else if p[i] == 43 { i &+= 1 }
        if i == e { return nil }
        var v: UInt64 = 0
        if e &- i <= 18 {
            while i < e {
                let d = p[i] &- 48
                if d > 9 { return nil }
                v = v &* 10 &+ UInt64(d)
                i &+= 1
            }
            return neg ? -Int64(v) : Int64(v)
        }
        while i < e {
            let d = p[i] &- 48
            if d > 9 { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { return nil }
            v = a
            i &+= 1
        }
        if neg { return v <= UInt64(Int64.max) &+ 1 ? Int64(bitPattern: 0 &- v) : nil }
        return v <= UInt64(Int64.max) ? Int64(v) : nil
    }

    /// The whole number written as the `n` ASCII digits at `p` (1 to 16 of them: no sign, blank
    /// or other byte), eight at a time; nil when a byte is not a digit. It reads the 8 bytes at
    /// `p`, and for more than 8 digits those at `p + n - 8`: the caller makes sure they are there.
    @inline(__always)
    static func parseDigits(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        let raw = UnsafeRawPointer(p)
        if n <= 8 {
            guard let v = eightDigits(raw, count: n) else { return nil }
            return Int64(v)
        }
        guard let hi = eightDigits(raw, count: n &- 8), let lo = eightDigits(raw + (n &- 8), count: 8) else { return nil }
        return Int64(hi &* 100_000_000 &+ lo)
    }

    /// The value of the `n` (1...8) digits at `raw`, the first in the lowest byte of the word.
    @inline(__always)
    private static func eightDigits(_ raw: UnsafeRawPointer, count n: Int) -> UInt64? {
        var x = raw.loadUnaligned(as: UInt64.self) ^ 0x3030_3030_3030_3030
        if n < 8 { x &= (1 &<< UInt64(8 &* n)) &- 1 }
        // Each byte now 0...9 for a digit; anything else shows in a high nibble.
        if (x | (x &+ 0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0 != 0 { return nil }
        // Leading zero bytes are leading zero digits; then pairs, fours and eights are combined.
        x = x &<< UInt64(8 &* (8 &- n))
        x = (x &* 10 &+ (x &>> 8)) & 0x00FF_00FF_00FF_00FF
        x = (x &* 100 &+ (x &>> 16)) & 0x0000_FFFF_0000_FFFF
        x = (x &* 10000 &+ (x &>> 32)) & 0xFFFF_FFFF
        return x
    }

    /// The commonest cell of a decimal column (`60.17`, `98.4`, `1250`): 1 to 15 bytes of digits
    /// with at most one point, read in one tight loop; nil for anything else, which then goes
    /// to ``parseDouble(_:_:)``. The same value as there: the digits make an exact integer
    /// (below 10^15 < 2^53), and one division by an exact power of ten rounds it correctly.
    @inline(__always)
    static func parsePlainDecimal(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        guard n > 0 && n <= 15 else { return nil }
        var mant: UInt64 = 0
        var point = -1
        var i = 0
        while i < n {
            let c = p[i]
            let d = c &- 48
            if d <= 9 {
                mant = mant &* 10 &+ UInt64(d)
            } else if c == 46 && point < 0 {
                point = i
            } else {
                return nil
            }
            i &+= 1
        }
        if point < 0 { return Double(mant) }
        // A point alone is no number.
        guard n > 1 else { return nil }
        var scale = 1.0
        for _ in 0..<(n &- point &- 1) { scale *= 10 }
        return Double(mant) / scale
    }

    /// A decimal floating-point number (`-12`, `3.`, `.5`, `1.5e-3`), surrounding blanks allowed.
    /// No `inf`, `nan` or hex forms. The result is exactly what `strtod` gives: up to 15
    /// significant digits with a power of ten up to 22 is computed with one correctly rounded
    /// operation (both operands are exact); anything else goes to the C library's parser.
    ///
    /// `nil` as well for two texts that would read as a number only by changing it: a value
    /// beyond the range of a `Double` (`1e999`, which would be infinity), and a whole number
    /// written without point or exponent that does not fit in 64 bits (a 20-digit code, which
    /// would lose its last digits). Such a column is read as text, exactly as written.
    @inline(__always)
    static func parseDouble(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        var i = 0, e = n
        while i < e && csvIsSpace(p[i]) { i &+= 1 }
        while e > i && csvIsSpace(p[e &- 1]) { e &-= 1 }
        if i == e { return nil }
        let s = i
        var neg = false
        if p[i] == 45 { neg = true; i &+= 1 } else if p[i] == 43 { i &+= 1 }
        var mant: UInt64 = 0
        var sig = 0, digits = 0, scale = 0
        var dropped = false
        while i < e {
            let d = p[i] &- 48
            if d > 9 { break }
            digits &+= 1
            if mant != 0 || d != 0 {
                if sig < 19 { mant = mant &* 10 &+ UInt64(d); sig &+= 1 } else { dropped = true; scale &+= 1 }
            }
            i &+= 1
        }
        // Digits alone, no point or exponent: a whole number as written.
        let whole = i == e
        if i < e && p[i] == 46 {
            i &+= 1
            while i < e {
                let d = p[i] &- 48
                if d > 9 { break }
                digits &+= 1
                if mant != 0 || d != 0 {
                    if sig < 19 { mant = mant &* 10 &+ UInt64(d); sig &+= 1; scale &-= 1 } else { dropped = true }
                } else {
                    scale &-= 1
                }
                i &+= 1
            }
        }
        if digits == 0 { return nil }
        if i < e && (p[i] | 0x20) == 101 {
            i &+= 1
            var eneg = false
            if i < e && (p[i] == 45 || p[i] == 43) { eneg = p[i] == 45; i &+= 1 }
            var ex = 0, ed = 0
            while i < e {
                let d = p[i] &- 48
                if d > 9 { break }
                if ex < 100_000 { ex = ex &* 10 &+ Int(d) }
                ed &+= 1
                i &+= 1
            }
            if ed == 0 { return nil }
            scale &+= eneg ? -ex : ex
        }
        if i != e { return nil }
        if whole && (dropped || sig > 18) && parseInt(p, n) == nil { return nil }
        if !dropped && sig <= 15 {
            if mant == 0 { return neg ? -0.0 : 0.0 }
            let m = Double(mant)
            if scale >= 0 && scale <= 22 {
                let r = m * csvPow10[scale]
                return neg ? -r : r
            }
            if scale < 0 && scale >= -22 {
                let r = m / csvPow10[-scale]
                return neg ? -r : r
            }
        }
        guard let v = Double(String(decoding: UnsafeBufferPointer(start: p + s, count: e &- s), as: UTF8.self)),
              v.isFinite else { return nil }
        return v
    }

    /// Flags from ``normalizeIndonesian``.
    struct IndoFlags: OptionSet {
        let rawValue: UInt8
        /// Has a decimal comma.
        static let decimal = IndoFlags(rawValue: 1)
        /// Unmistakably Indonesian: `Rp`, two or more thousands dots, thousands dots with a
        /// decimal comma, or a decimal comma followed by other than three digits.
        static let clear = IndoFlags(rawValue: 2)
        /// A decimal comma followed by exactly three digits (`1,234`): Indonesian only when the
        /// file's separator is not a comma.
        static let commaThree = IndoFlags(rawValue: 4)
    }

    /// Rewrites an Indonesian-style number into C syntax in `out` (at most `cap` bytes):
    /// `[-][Rp[.]] d{1,3}(.ddd)* [,d+]` or `[-][Rp[.]] d+ [,d+]`. Returns the length written,
    /// or -1 when the text is not such a number.
    @inline(__always)
    static func normalizeIndonesian(_ p: UnsafePointer<UInt8>, _ n: Int, _ out: UnsafeMutablePointer<UInt8>,
                                    _ cap: Int, _ flags: inout IndoFlags) -> Int {
        var i = 0, e = n
        while i < e && csvIsSpace(p[i]) { i &+= 1 }
        while e > i && csvIsSpace(p[e &- 1]) { e &-= 1 }
        if i == e { return -1 }
        var o = 0
        var neg = false
        if p[i] == 45 { neg = true; i &+= 1; while i < e && csvIsSpace(p[i]) { i &+= 1 } }
        if i &+ 1 < e && (p[i] | 0x20) == 114 && (p[i &+ 1] | 0x20) == 112 {
            flags.insert(.clear)
            i &+= 2
            if i < e && p[i] == 46 { i &+= 1 }
            while i < e && csvIsSpace(p[i]) { i &+= 1 }
            if !neg && i < e && p[i] == 45 { neg = true; i &+= 1 }
        }
        if neg { out[o] = 45; o &+= 1 }
        var k = 0
        while i < e && p[i] &- 48 <= 9 {
            if o >= cap { return -1 }
            out[o] = p[i]; o &+= 1; i &+= 1; k &+= 1
        }
        if k == 0 { return -1 }
        var dots = 0
        if i < e && p[i] == 46 {
            if k > 3 { return -1 }
            while i < e && p[i] == 46 {
                if i &+ 3 >= e { return -1 }
                for j in 1...3 {
                    let c = p[i &+ j]
                    if c &- 48 > 9 { return -1 }
                    if o >= cap { return -1 }
                    out[o] = c; o &+= 1
                }
                i &+= 4
                dots &+= 1
            }
            if i < e && p[i] &- 48 <= 9 { return -1 }
        }
        if dots >= 2 { flags.insert(.clear) }
        if i < e && p[i] == 44 {
            i &+= 1
            if o >= cap { return -1 }
            out[o] = 46; o &+= 1
            var f = 0
            while i < e && p[i] &- 48 <= 9 {
                if o >= cap { return -1 }
                out[o] = p[i]; o &+= 1; i &+= 1; f &+= 1
            }
            if f == 0 { return -1 }
            flags.insert(.decimal)
            if dots > 0 || f != 3 { flags.insert(.clear) } else { flags.insert(.commaThree) }
        }
        if i != e { return -1 }
        return o
    }
}

/// A fast 64-bit hash of bytes (not cryptographic).
@inline(__always)
func csvHashBytes(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ (UInt64(truncatingIfNeeded: n) &* 0xC2B2_AE3D_27D4_EB4F)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i &+ 8 <= n {
        let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 29
        i &+= 8
    }
    if i < n {
        var w: UInt64 = 0
        var s: UInt64 = 0
        while i < n { w |= UInt64(p[i]) << s; s &+= 8; i &+= 1 }
        h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 29
    }
    h = h &* 0xC4CE_B9FE_1A85_EC53
    h ^= h >> 32
    return h
}

extension CSVNumbers {
    /// Whether the text (blanks around it aside) is one of the usual ways of writing "no value":
    /// `-`, `–`, `—`, `n/a`, `NA`, `null`, `#N/A` (letters in any case). Such a cell is null in
    /// any column.
    @inline(__always)
    static func isNullMark(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var i = 0, e = n
        while i < e && csvIsSpace(p[i]) { i &+= 1 }
        while e > i && csvIsSpace(p[e &- 1]) { e &-= 1 }
        let m = e &- i
        if m == 0 || m > 4 { return false }
        let q = p + i
        switch m {
        case 1: return q[0] == 45
        case 2: return (q[0] | 0x20) == 110 && (q[1] | 0x20) == 97
        case 3:
            // En dash and em dash are E2 80 93 and E2 80 94 in UTF-8.
            if q[0] == 0xE2 && q[1] == 0x80 && (q[2] == 0x93 || q[2] == 0x94) { return true }
            return (q[0] | 0x20) == 110 && q[1] == 47 && (q[2] | 0x20) == 97
        default:
            if q[0] == 35 { return (q[1] | 0x20) == 110 && q[2] == 47 && (q[3] | 0x20) == 97 }
            return (q[0] | 0x20) == 110 && (q[1] | 0x20) == 117 && (q[2] | 0x20) == 108 && (q[3] | 0x20) == 108
        }
    }

    /// What `stripAffixes` took off a number.
    struct Affixes: OptionSet {
        let rawValue: UInt8
        /// A trailing `%`.
        static let percent = Affixes(rawValue: 1)
        /// A leading `Rp` or `Rp.`.
        static let rupiah = Affixes(rawValue: 2)
    }

    /// Whether the text may carry an affix that `stripAffixes` takes off: its first or last byte
    /// is `R`, `r`, `%` or a blank. A cheap test for the common case of a bare number.
    @inline(__always)
    static func mayHaveAffix(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        let f = p[0] | 0x20, l = p[n &- 1]
        return f == 114 || l == 37 || csvIsSpace(p[0]) || csvIsSpace(l)
    }

    /// The number inside `Rp 1.476` or `98,40 %`: blanks around, a leading `Rp`/`Rp.` and a trailing
    /// `%` taken off (a minus before `Rp` stays, for ``normalizeIndonesian``). Returns the start and
    /// length of what is left.
    @inline(__always)
    static func stripAffixes(_ p: UnsafePointer<UInt8>, _ n: Int, _ found: inout Affixes) -> (start: Int, count: Int) {
        var i = 0, e = n
        while i < e && csvIsSpace(p[i]) { i &+= 1 }
        while e > i && csvIsSpace(p[e &- 1]) { e &-= 1 }
        if e > i && p[e &- 1] == 37 {
            found.insert(.percent)
            e &-= 1
            while e > i && csvIsSpace(p[e &- 1]) { e &-= 1 }
        }
        if e &- i >= 2 && (p[i] | 0x20) == 114 && (p[i &+ 1] | 0x20) == 112 {
            found.insert(.rupiah)
            i &+= 2
            if i < e && p[i] == 46 { i &+= 1 }
            while i < e && csvIsSpace(p[i]) { i &+= 1 }
        } else if e &- i >= 3 && p[i] == 45 && (p[i &+ 1] | 0x20) == 114 && (p[i &+ 2] | 0x20) == 112 {
            found.insert(.rupiah)
        }
        return (i, e &- i)
    }
}

extension CSVNumbers {
    /// Whether the text (blanks, `Rp` and `%` aside) is made of what numbers are made of: digits
    /// with signs, points, commas and exponents, at least one digit. Such a value that is still
    /// not a number of its column (`99999999999999999999`, `1e999`, `1.02.01`) says the column
    /// holds codes or numbers beyond its type, never a stray word.
    static func isNumberShaped(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var affixes = Affixes()
        let (start, count) = stripAffixes(p, n, &affixes)
        var digits = 0
        for i in start..<(start + count) {
            let c = p[i]
            if c &- 48 <= 9 { digits += 1; continue }
            if c == 43 || c == 45 || c == 46 || c == 44 || c == 101 || c == 69 { continue }
            return false
        }
        return digits > 0
    }
}
