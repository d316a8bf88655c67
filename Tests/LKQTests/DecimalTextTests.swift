import Testing
@testable import LKQ

/// Decimals written straight from their digits (OutputBytes.fewDecimals) must be the text
/// Value.format gives, which is Swift's shortest: rounded percentages, cents, and doubles of
/// every other kind.
@Suite struct DecimalTextTests {
    func written(_ d: Double) -> String {
        var out = OutputBytes(capacity: 64)
        defer { out.deallocate() }
        out.plainDouble(d)
        return String(decoding: UnsafeBufferPointer(start: out.base, count: out.count), as: UTF8.self)
    }

    @Test func sameAsTheShortestText() {
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0.001, 0.05, -0.5, 1.25, 98.4, 99.99, 100.01, 999_999_999.5, 123_456.789012, 0.1 + 0.2, 1.0 / 3.0,
                                1e-3 - 1e-18, 1e9 - 0.5, -44.415, 5e-4, 2.5e9 + 0.5, 0.000123]
        for _ in 0..<20_000 {
            let x = Double.random(in: -1e9...1e9, using: &rng)
            let digits = Int.random(in: 0...7, using: &rng)
            var p = 1.0
            for _ in 0..<digits { p *= 10 }
            values.append((x * p).rounded() / p)
            values.append(Double.random(in: 0...100, using: &rng))
            values.append((Double.random(in: 0...1, using: &rng) * 10_000).rounded() / 100)
        }
        for v in values where v.isFinite {
            #expect(written(v) == Value.format(v), "\(v)")
        }
    }

    /// Integers are written from their digit count (OutputBytes.digitCount): every power of ten
    /// and its neighbours, the extremes, and random values of every length.
    @Test func integersAsStringWritesThem() {
        var rng = SystemRandomNumberGenerator()
        var values: [Int64] = [0, 1, -1, 9, 10, 11, 99, 100, Int64.max, Int64.min, Int64.min + 1]
        var p: Int64 = 1
        for _ in 0..<18 {
            p *= 10
            values += [p - 1, p, p + 1, -(p - 1), -p, -(p + 1)]
        }
        for _ in 0..<20_000 {
            values.append(Int64.random(in: Int64.min...Int64.max, using: &rng) >> Int64.random(in: 0...63, using: &rng))
        }
        for v in values {
            var out = OutputBytes(capacity: 64)
            defer { out.deallocate() }
            out.int(v)
            #expect(String(decoding: UnsafeBufferPointer(start: out.base, count: out.count), as: UTF8.self) == String(v))
        }
    }

    /// A block that starts small grows as values are written (OutputBytes.grown, which returns a
    /// new value rather than mutating in place), and keeps every byte in order.
    @Test func growingKeepsEveryByte() {
        var out = OutputBytes(capacity: 8)
        defer { out.deallocate() }
        var expected = ""
        let word = Array("Pemberdayaan Masyarakat Desa, ".utf8) + [UInt8](repeating: 0, count: 16)
        for i in 0..<5_000 {
            out.int(Int64(i) * 7_919 - 1_000_000)
            expected += String(Int64(i) * 7_919 - 1_000_000)
            out.plainDouble(Double(i) / 8)
            expected += Value.format(Double(i) / 8)
            out.append(" \(i);")
            expected += " \(i);"
            let n = i % 2 == 0 ? 12 : 30
            word.withUnsafeBufferPointer { out.append(paddedFrom: $0.baseAddress!, count: n) }
            expected += String(decoding: word[0..<n], as: UTF8.self)
            out.byte(10)
            expected += "\n"
        }
        #expect(String(decoding: UnsafeBufferPointer(start: out.base, count: out.count), as: UTF8.self) == expected)
    }
}
