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

/// Whether `n` bytes at `a` and `b` are equal; inlined, 8 bytes at a time (fields are short).
@inline(__always)
func csvBytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    if n > 64 { return memcmp(a, b, n) == 0 }
    let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
    var i = 0
    while i &+ 8 <= n {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i &+= 8
    }
    while i < n {
        if a[i] != b[i] { return false }
        i &+= 1
    }
    return true
}

/// Distinct byte strings with dense codes, found through an open-addressing hash table whose
/// slots hold the code and 32 bits of the hash, so a probe usually touches one cache line.
final class ByteDictionary {
    struct State {
        var arena = GrowBuffer<UInt8>(capacity: 4096)
        /// `starts[i]..<starts[i+1]` are the bytes of entry `i`.
        var starts = GrowBuffer<Int>(capacity: 256)
        var hashes = GrowBuffer<UInt64>(capacity: 256)
        /// High 32 bits: hash bits; low 32: code. `UInt64.max` when empty.
        var slots: UnsafeMutablePointer<UInt64>
        var mask: Int
        var lastCode: Int = -1
    }
    /// Behind a pointer: no exclusivity checks in the hot loop.
    private let s: UnsafeMutablePointer<State>

    var count: Int { s.pointee.hashes.count }

    init() {
        let mask = 255
        let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: mask + 1)
        slots.initialize(repeating: .max, count: mask + 1)
        s = .allocate(capacity: 1)
        s.initialize(to: State(slots: slots, mask: mask))
        s.pointee.starts.append(0)
    }

    deinit {
        s.pointee.arena.release(); s.pointee.starts.release(); s.pointee.hashes.release()
        s.pointee.slots.deallocate()
        s.deallocate()
    }

    @inline(__always) func bytes(of code: Int) -> UnsafeBufferPointer<UInt8> {
        let st = s.pointee.starts.base
        return UnsafeBufferPointer(start: s.pointee.arena.base + st[code], count: st[code &+ 1] &- st[code])
    }

    /// The code of these bytes, adding them if new.
    @inline(__always)
    func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
        let s = self.s
        // Runs of equal values are common (sorted exports): compare with the last one first.
        let last = s.pointee.lastCode
        if last >= 0 {
            let st = s.pointee.starts.base
            let a = st[last], len = st[last &+ 1] &- a
            if len == n && csvBytesEqual(s.pointee.arena.base + a, p, n) { return Int32(truncatingIfNeeded: last) }
        }
        let h = csvHashBytes(p, n)
        let tag = h & 0xFFFF_FFFF_0000_0000
        let slots = s.pointee.slots, mask = s.pointee.mask
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let v = slots[i]
            if v == .max { break }
            if v & 0xFFFF_FFFF_0000_0000 == tag {
                let c = Int(truncatingIfNeeded: v & 0xFFFF_FFFF)
                let st = s.pointee.starts.base
                let a = st[c], len = st[c &+ 1] &- a
                if len == n && csvBytesEqual(s.pointee.arena.base + a, p, n) {
                    s.pointee.lastCode = c
                    return Int32(truncatingIfNeeded: c)
                }
            }
            i = (i &+ 1) & mask
        }
        let code = s.pointee.hashes.count
        s.pointee.arena.reserve(s.pointee.arena.count &+ n)
        if n > 0 { (s.pointee.arena.base + s.pointee.arena.count).update(from: p, count: n) }
        s.pointee.arena.count &+= n
        s.pointee.starts.append(s.pointee.arena.count)
        s.pointee.hashes.append(h)
        slots[i] = tag | UInt64(code)
        if (code &+ 1) &* 2 > mask { grow() }
        s.pointee.lastCode = code
        return Int32(truncatingIfNeeded: code)
    }

    private func grow() {
        let newMask = (s.pointee.mask &+ 1) &* 2 &- 1
        let newSlots = UnsafeMutablePointer<UInt64>.allocate(capacity: newMask + 1)
        newSlots.initialize(repeating: .max, count: newMask + 1)
        let hashes = s.pointee.hashes.base
        for c in 0..<s.pointee.hashes.count {
            let h = hashes[c]
            var i = Int(truncatingIfNeeded: h) & newMask
            while newSlots[i] != .max { i = (i &+ 1) & newMask }
            newSlots[i] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(c)
        }
        s.pointee.slots.deallocate()
        s.pointee.slots = newSlots
        s.pointee.mask = newMask
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

    struct State {
        var kind: Kind
        /// Row count so far.
        var count = 0
        /// Int64 or Double bit patterns (both 8 bytes, so int→double widens in place).
        var words: GrowBuffer<UInt64>
        var codes: GrowBuffer<Int32>
        var nullWords = GrowBuffer<UInt64>(capacity: 64)
        var hasNull = false
        var handedOver = false
    }
    /// Behind a pointer: no exclusivity checks in the hot loop.
    private let s: UnsafeMutablePointer<State>
    let locale: NumberLocale
    let policy: Policy
    let dictionary: ByteDictionary?

    var kind: Kind { s.pointee.kind }
    var count: Int { s.pointee.count }
    var hasNull: Bool { s.pointee.hasNull }

    init(type: ColumnType, locale: NumberLocale, policy: Policy) {
        let kind: Kind
        switch type {
        case .int: kind = .int
        case .double: kind = .double
        case .text: kind = .text
        }
        self.locale = locale
        self.policy = policy
        s = .allocate(capacity: 1)
        s.initialize(to: State(kind: kind, words: GrowBuffer(capacity: type == .text ? 16 : 4096),
                               codes: GrowBuffer(capacity: type == .text ? 4096 : 16)))
        dictionary = type == .text ? ByteDictionary() : nil
    }

    deinit {
        if !s.pointee.handedOver { s.pointee.words.release(); s.pointee.codes.release(); s.pointee.nullWords.release() }
        s.deallocate()
    }

    @inline(__always) private func markNull(_ row: Int) {
        let w = row >> 6
        if w >= s.pointee.nullWords.count {
            s.pointee.nullWords.reserve(w &+ 1)
            while s.pointee.nullWords.count <= w {
                s.pointee.nullWords.base[s.pointee.nullWords.count] = 0
                s.pointee.nullWords.count &+= 1
            }
        }
        s.pointee.nullWords.base[w] |= 1 << UInt64(row & 63)
        s.pointee.hasNull = true
    }

    @inline(__always) func appendNull() {
        switch s.pointee.kind {
        case .int, .double: s.pointee.words.append(0)
        case .text: s.pointee.codes.append(0)
        case .failed: break
        }
        markNull(s.pointee.count)
        s.pointee.count &+= 1
    }

    /// Removes the last row (a row skipped after this column took its value).
    func dropLast() {
        s.pointee.count -= 1
        switch s.pointee.kind {
        case .int, .double: s.pointee.words.count -= 1
        case .text: s.pointee.codes.count -= 1
        case .failed: break
        }
        let row = s.pointee.count, w = row >> 6
        if w < s.pointee.nullWords.count { s.pointee.nullWords.base[w] &= ~(1 << UInt64(row & 63)) }
    }

    /// Appends a text value (already unescaped). Text columns take anything.
    @inline(__always) func appendText(_ p: UnsafePointer<UInt8>, _ n: Int) {
        s.pointee.codes.append(dictionary.unsafelyUnwrapped.intern(p, n))
        s.pointee.count &+= 1
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
        let kind = s.pointee.kind
        if kind == .int {
            if let v = CSVNumbers.parseInt(q, m) {
                s.pointee.words.append(UInt64(bitPattern: v)); s.pointee.count &+= 1; return true
            }
            return misfit(p, n)
        }
        if kind == .double {
            if let v = CSVNumbers.parseDouble(q, m) {
                s.pointee.words.append(v.bitPattern); s.pointee.count &+= 1; return true
            }
            return misfit(p, n)
        }
        if kind == .failed { s.pointee.count &+= 1; return true }
        return false
    }

    private func misfit(_ p: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var blank = true
        for i in 0..<n where !csvIsSpace(p[i]) { blank = false; break }
        if blank { appendNull(); return true }
        if policy == .strict { return false }
        if s.pointee.kind == .int {
            var q = p, m = n
            let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
            defer { scratch.deallocate() }
            if locale == .indonesian {
                var flags = CSVNumbers.IndoFlags()
                let len = CSVNumbers.normalizeIndonesian(p, n, scratch, 256, &flags)
                if len < 0 { fail(); return true }
                q = UnsafePointer(scratch); m = len
            }
            guard let v = CSVNumbers.parseDouble(q, m) else { fail(); return true }
            widenToDouble()
            s.pointee.words.append(v.bitPattern)
            s.pointee.count &+= 1
            return true
        }
        fail()
        return true
    }

    private func fail() {
        s.pointee.kind = .failed
        s.pointee.words.count = 0
        s.pointee.count &+= 1
    }

    /// Changes an int column to double (when another chunk of the file widened it).
    func widenToDouble() {
        guard s.pointee.kind == .int else { return }
        let w = s.pointee.words.base
        for i in 0..<s.pointee.words.count { w[i] = Double(Int64(bitPattern: w[i])).bitPattern }
        s.pointee.kind = .double
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
                    for w in 0..<min(part.s.pointee.nullWords.count, NullMask.wordCount(rows: part.count)) {
                        var bits = part.s.pointee.nullWords.base[w]
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
        for p in parts { p.s.pointee.nullWords.release() }
        let kind = parts[0].kind
        if kind == .text {
            let first = parts[0]
            let dict = first.dictionary!
            var codes = first.s.pointee.codes
            codes.reserve(total)
            for part in parts.dropFirst() {
                let pd = part.dictionary!
                var map = [Int32](repeating: 0, count: pd.count)
                for c in 0..<pd.count {
                    let b = pd.bytes(of: c)
                    map[c] = dict.intern(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, b.count)
                }
                map.withUnsafeBufferPointer { m in
                    let src = part.s.pointee.codes.base
                    let dst = codes.base + codes.count
                    for i in 0..<part.s.pointee.codes.count { dst[i] = m[Int(src[i])] }
                }
                codes.count &+= part.s.pointee.codes.count
                part.s.pointee.codes.release(); part.s.pointee.words.release(); part.s.pointee.handedOver = true
            }
            first.s.pointee.words.release(); first.s.pointee.handedOver = true
            return Column(storage: .text(codes: codes.take(), dictionary: dict.strings()), nulls: nulls)
        }
        let first = parts[0]
        var words = first.s.pointee.words
        words.reserve(total)
        for part in parts.dropFirst() {
            (words.base + words.count).update(from: part.s.pointee.words.base, count: part.s.pointee.words.count)
            words.count &+= part.s.pointee.words.count
            part.s.pointee.words.release(); part.s.pointee.codes.release(); part.s.pointee.handedOver = true
        }
        first.s.pointee.codes.release(); first.s.pointee.handedOver = true
        if kind == .int { return Column(storage: .int(words.take(as: Int64.self)), nulls: nulls) }
        return Column(storage: .double(words.take(as: Double.self)), nulls: nulls)
    }
}
