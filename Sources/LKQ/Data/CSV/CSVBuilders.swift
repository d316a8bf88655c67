import Foundation

/// Memory from `malloc`, freed when the last `Buffer` using it goes.
final class MallocBlock: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
    deinit { free(pointer) }
}

/// A growable run of plain values in `malloc`ed memory; handed over to a `Buffer` without copying.
struct GrowBuffer<T: BitwiseCopyable> {
    var base: UnsafeMutablePointer<T>
    var count = 0
    var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(16, capacity)
        base = malloc(self.capacity * MemoryLayout<T>.stride)!.assumingMemoryBound(to: T.self)
    }

    mutating func reserve(_ n: Int) {
        if n <= capacity { return }
        var c = capacity
        while c < n { c = c &* 2 }
        base = realloc(base, c * MemoryLayout<T>.stride)!.assumingMemoryBound(to: T.self)
        capacity = c
    }

    @inline(__always) mutating func append(_ v: T) {
        if count == capacity { reserve(count &+ 1) }
        base[count] = v
        count &+= 1
    }

    /// Frees the memory; the buffer must not be used again.
    func release() { free(base) }

    /// Gives the memory to a `Buffer` (shrunk to fit); the grow buffer must not be used again.
    func take() -> Buffer<T> { take(as: T.self) }

    /// Gives the memory to a `Buffer` of another type of the same size.
    func take<U: BitwiseCopyable>(as: U.Type) -> Buffer<U> {
        precondition(MemoryLayout<U>.stride == MemoryLayout<T>.stride)
        let bytes = max(1, count) * MemoryLayout<T>.stride
        let p = realloc(base, bytes)!
        return Buffer(base: UnsafePointer(p.assumingMemoryBound(to: U.self)), count: count, owner: MallocBlock(p))
    }
}

/// Distinct byte strings with dense codes, found through an open-addressing hash table.
final class ByteDictionary {
    private(set) var arena = GrowBuffer<UInt8>(capacity: 4096)
    /// `starts[i]..<starts[i+1]` are the bytes of entry `i`.
    private(set) var starts = GrowBuffer<Int>(capacity: 256)
    private var hashes = GrowBuffer<UInt64>(capacity: 256)
    private var slots: UnsafeMutablePointer<Int32>
    private var mask: Int
    private var lastCode: Int32 = -1

    var count: Int { hashes.count }

    init() {
        mask = 255
        slots = .allocate(capacity: mask + 1)
        slots.initialize(repeating: -1, count: mask + 1)
        starts.append(0)
    }

    deinit {
        arena.release(); starts.release(); hashes.release()
        slots.deallocate()
    }

    @inline(__always) func bytes(of code: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: arena.base + starts.base[code], count: starts.base[code &+ 1] &- starts.base[code])
    }

    /// The code of these bytes, adding them if new.
    @inline(__always)
    func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
        // Runs of equal values are common (sorted exports): compare with the last one first.
        if lastCode >= 0 {
            let a = starts.base[Int(lastCode)], len = starts.base[Int(lastCode) &+ 1] &- a
            if len == n && memcmp(arena.base + a, p, n) == 0 { return lastCode }
        }
        let h = csvHashBytes(p, n)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let c = slots[s]
            if c < 0 { break }
            if hashes.base[Int(c)] == h {
                let a = starts.base[Int(c)], len = starts.base[Int(c) &+ 1] &- a
                if len == n && memcmp(arena.base + a, p, n) == 0 { lastCode = c; return c }
            }
            s = (s &+ 1) & mask
        }
        let code = Int32(hashes.count)
        arena.reserve(arena.count &+ n)
        if n > 0 { (arena.base + arena.count).update(from: p, count: n) }
        arena.count &+= n
        starts.append(arena.count)
        hashes.append(h)
        slots[s] = code
        if hashes.count &* 2 > mask { grow() }
        lastCode = code
        return code
    }

    private func grow() {
        let newMask = (mask &+ 1) &* 2 &- 1
        let newSlots = UnsafeMutablePointer<Int32>.allocate(capacity: newMask + 1)
        newSlots.initialize(repeating: -1, count: newMask + 1)
        for c in 0..<hashes.count {
            var s = Int(truncatingIfNeeded: hashes.base[c]) & newMask
            while newSlots[s] >= 0 { s = (s &+ 1) & newMask }
            newSlots[s] = Int32(c)
        }
        slots.deallocate()
        slots = newSlots
        mask = newMask
    }

    /// The entries as Swift strings (the bytes were checked to be UTF-8 while reading).
    func strings() -> [String] {
        var out: [String] = []
        out.reserveCapacity(count)
        for c in 0..<count { out.append(String(decoding: bytes(of: c), as: UTF8.self)) }
        return out
    }
}

/// One column being read from CSV text: typed values, nulls, and for text a dictionary.
final class ColumnBuilder {
    enum Kind: UInt8 { case int, double, text, failed }

    /// What to do with a value that does not fit the column's type.
    enum Policy { case strict, widen }

    private(set) var kind: Kind
    let locale: NumberLocale
    let policy: Policy
    /// Row count so far.
    private(set) var count = 0
    /// Int64 or Double bit patterns (both 8 bytes, so int→double widens in place).
    private var words: GrowBuffer<UInt64>
    private var codes: GrowBuffer<Int32>
    private var nullWords = GrowBuffer<UInt64>(capacity: 64)
    private(set) var hasNull = false
    let dictionary: ByteDictionary?
    private var handedOver = false

    init(type: ColumnType, locale: NumberLocale, policy: Policy) {
        switch type {
        case .int: kind = .int
        case .double: kind = .double
        case .text: kind = .text
        }
        self.locale = locale
        self.policy = policy
        words = GrowBuffer(capacity: type == .text ? 16 : 4096)
        codes = GrowBuffer(capacity: type == .text ? 4096 : 16)
        dictionary = type == .text ? ByteDictionary() : nil
    }

    deinit {
        if !handedOver { words.release(); codes.release(); nullWords.release() }
    }

    @inline(__always) private func markNull(_ row: Int) {
        let w = row >> 6
        if w >= nullWords.count {
            nullWords.reserve(w &+ 1)
            while nullWords.count <= w { nullWords.base[nullWords.count] = 0; nullWords.count &+= 1 }
        }
        nullWords.base[w] |= 1 << UInt64(row & 63)
        hasNull = true
    }

    @inline(__always) func appendNull() {
        switch kind {
        case .int, .double: words.append(0)
        case .text: codes.append(0)
        case .failed: break
        }
        markNull(count)
        count &+= 1
    }

    /// Removes the last row (a row skipped after this column took its value).
    func dropLast() {
        count -= 1
        switch kind {
        case .int, .double: words.count -= 1
        case .text: codes.count -= 1
        case .failed: break
        }
        let w = count >> 6
        if w < nullWords.count { nullWords.base[w] &= ~(1 << UInt64(count & 63)) }
    }

    /// Appends a text value (already unescaped). Text columns take anything.
    @inline(__always) func appendText(_ p: UnsafePointer<UInt8>, _ n: Int) {
        codes.append(dictionary!.intern(p, n))
        count &+= 1
    }

    /// Appends a number column's value. Returns false when the value does not fit and the policy
    /// is strict; with `.widen` an int column becomes double, and a column that cannot hold the
    /// value becomes `.failed` (it must be read again as text).
    @inline(__always)
    func appendNumber(_ p: UnsafePointer<UInt8>, _ n: Int, scratch: UnsafeMutablePointer<UInt8>) -> Bool {
        var q = p, m = n
        if locale == .indonesian {
            var flags = CSVNumbers.IndoFlags()
            let len = CSVNumbers.normalizeIndonesian(p, n, scratch, 256, &flags)
            if len < 0 { return misfit(p, n) }
            q = UnsafePointer(scratch); m = len
        }
        if kind == .int {
            if let v = CSVNumbers.parseInt(q, m) {
                words.append(UInt64(bitPattern: v)); count &+= 1; return true
            }
            return misfit(p, n)
        }
        if kind == .double {
            if let v = CSVNumbers.parseDouble(q, m) {
                words.append(v.bitPattern); count &+= 1; return true
            }
            return misfit(p, n)
        }
        if kind == .failed { count &+= 1; return true }
        return false
    }

    private func misfit(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        if policy == .strict { return false }
        if kind == .int {
            var q = p, m = n
            var buffer = [UInt8](repeating: 0, count: 256)
            return buffer.withUnsafeMutableBufferPointer { scratch in
                if locale == .indonesian {
                    var flags = CSVNumbers.IndoFlags()
                    let len = CSVNumbers.normalizeIndonesian(p, n, scratch.baseAddress!, 256, &flags)
                    if len < 0 { fail(); return true }
                    q = UnsafePointer(scratch.baseAddress!); m = len
                }
                guard let v = CSVNumbers.parseDouble(q, m) else { fail(); return true }
                for i in 0..<words.count {
                    words.base[i] = Double(Int64(bitPattern: words.base[i])).bitPattern
                }
                kind = .double
                words.append(v.bitPattern)
                count &+= 1
                return true
            }
        }
        fail()
        return true
    }

    private func fail() {
        kind = .failed
        words.count = 0
        count &+= 1
    }

    /// Changes an int column to double (when another chunk of the file widened it).
    func widenToDouble() {
        guard kind == .int else { return }
        for i in 0..<words.count { words.base[i] = Double(Int64(bitPattern: words.base[i])).bitPattern }
        kind = .double
    }

    // MARK: Finishing

    /// Builds the column from the parts read by several chunks, in order, freeing them as it goes.
    static func merge(_ parts: [ColumnBuilder]) -> Column {
        precondition(!parts.isEmpty)
        let total = parts.reduce(0) { $0 + $1.count }
        var nulls: NullMask?
        if parts.contains(where: { $0.hasNull }) {
            let wc = NullMask.wordCount(rows: total)
            let buf = Buffer<UInt64>.make(count: wc) { out in
                out.initialize(repeating: 0)
                var offset = 0
                for part in parts {
                    for w in 0..<min(part.nullWords.count, NullMask.wordCount(rows: part.count)) {
                        var bits = part.nullWords.base[w]
                        while bits != 0 {
                            let b = bits.trailingZeroBitCount
                            bits &= bits &- 1
                            let row = offset &+ (w << 6) &+ b
                            if row < offset &+ part.count { out[row >> 6] |= 1 << UInt64(row & 63) }
                        }
                    }
                    offset &+= part.count
                }
            }
            nulls = NullMask(words: buf)
        }
        for p in parts { p.nullWords.release() }
        let kind = parts[0].kind
        if kind == .text {
            let first = parts[0]
            let dict = first.dictionary!
            var codes = first.codes
            codes.reserve(total)
            for part in parts.dropFirst() {
                let pd = part.dictionary!
                var map = [Int32](repeating: 0, count: pd.count)
                for c in 0..<pd.count {
                    let b = pd.bytes(of: c)
                    map[c] = dict.intern(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, b.count)
                }
                map.withUnsafeBufferPointer { m in
                    let src = part.codes.base
                    let dst = codes.base + codes.count
                    for i in 0..<part.codes.count { dst[i] = m[Int(src[i])] }
                }
                codes.count &+= part.codes.count
                part.codes.release(); part.words.release(); part.handedOver = true
            }
            first.words.release(); first.handedOver = true
            return Column(storage: .text(codes: codes.take(), dictionary: dict.strings()), nulls: nulls)
        }
        let first = parts[0]
        var words = first.words
        words.reserve(total)
        for part in parts.dropFirst() {
            (words.base + words.count).update(from: part.words.base, count: part.words.count)
            words.count &+= part.words.count
            part.words.release(); part.codes.release(); part.handedOver = true
        }
        first.codes.release(); first.handedOver = true
        if kind == .int { return Column(storage: .int(words.take(as: Int64.self)), nulls: nulls) }
        return Column(storage: .double(words.take(as: Double.self)), nulls: nulls)
    }
}
