import CLKQScan
import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// Memory from `malloc`, freed when the last `Buffer` using it goes.
final class MallocBlock: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
    deinit { free(pointer) }
}

/// Anonymous mapped memory, unmapped when the last `Buffer` using it goes.
final class MappedBlock: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let bytes: Int
    init(_ pointer: UnsafeMutableRawPointer, bytes: Int) { self.pointer = pointer; self.bytes = bytes }
    deinit { munmap(pointer, bytes) }
}

/// A growable run of plain values; handed over to a `Buffer` without copying.
///
/// Small runs live in `malloc` memory; from 1 MiB on they live in their own anonymous mappings
/// (moved to a larger place by the kernel each time it grows, or where it cannot, a new one
/// twice the size with the old one unmapped), so growing a
/// column never leaves freed copies resident in the heap (glibc keeps blocks up to 32 MiB in
/// the heap, where old copies stay in RSS).
struct GrowBuffer<T: BitwiseCopyable> {
    var base: UnsafeMutablePointer<T>
    var count = 0
    var capacity: Int
    /// Bytes mapped, or 0 while in `malloc` memory.
    private var mapped = 0

    static var mapThreshold: Int { 1 << 20 }

    init(capacity: Int = 1024) {
        self.capacity = max(16, capacity)
        base = malloc(self.capacity * MemoryLayout<T>.stride)!.assumingMemoryBound(to: T.self)
    }

    mutating func reserve(_ n: Int, exactly: Bool = false) {
        if n <= capacity { return }
        var c = capacity
        if exactly { c = n } else { while c < n { c = c &* 2 } }
        let bytes = c * MemoryLayout<T>.stride
        if mapped > 0, let moved = lkqscan_remap(base, mapped, bytes) {
            // The pages move with the mapping: nothing is copied, and no copy is resident twice.
            base = moved.assumingMemoryBound(to: T.self)
            mapped = bytes
        } else if bytes < GrowBuffer.mapThreshold {
            base = realloc(base, bytes)!.assumingMemoryBound(to: T.self)
        } else {
            guard let m = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), m != MAP_FAILED
            else { fatalError("out of memory growing a column to \(bytes) bytes") }
            let typed = m.assumingMemoryBound(to: T.self)
            typed.update(from: base, count: count)
            release()
            base = typed
            mapped = bytes
        }
        capacity = c
    }

    @inline(__always) mutating func append(_ v: T) {
        if count == capacity { reserve(count &+ 1) }
        base[count] = v
        count &+= 1
    }

    /// Copies the values to `dst` (through `map` when given: values are then Int32 codes to
    /// translate) and frees the memory as it goes, so that moving a column into its final place
    /// needs no extra memory. The grow buffer must not be used again.
    func moveAll(to dst: UnsafeMutablePointer<T>, map: UnsafePointer<Int32>? = nil) {
        let chunk = (4 << 20) / MemoryLayout<T>.stride
        var i = 0, freed = 0
        while i < count {
            let n = min(chunk, count - i)
            if let map {
                let src = UnsafeRawPointer(base + i).assumingMemoryBound(to: Int32.self)
                let out = UnsafeMutableRawPointer(dst + i).assumingMemoryBound(to: Int32.self)
                for k in 0..<n { out[k] = map[Int(src[k])] }
            } else {
                (dst + i).update(from: base + i, count: n)
            }
            i += n
            if mapped > 0 && n == chunk && i < count {
                munmap(UnsafeMutableRawPointer(base) + freed, chunk * MemoryLayout<T>.stride)
                freed += chunk * MemoryLayout<T>.stride
            }
        }
        if mapped > 0 { munmap(UnsafeMutableRawPointer(base) + freed, mapped - freed) } else { free(base) }
    }

    /// A buffer of `count` values filled by `fill`, in its own mapping when large.
    static func makeBuffer<U: BitwiseCopyable>(_: U.Type, count: Int, _ fill: (UnsafeMutablePointer<U>) -> Void) -> Buffer<U> {
        let bytes = max(1, count) * MemoryLayout<U>.stride
        if bytes >= mapThreshold {
            guard let m = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), m != MAP_FAILED
            else { fatalError("out of memory for a column of \(bytes) bytes") }
            let typed = m.assumingMemoryBound(to: U.self)
            fill(typed)
            return Buffer(base: UnsafePointer(typed), count: count, owner: MappedBlock(m, bytes: bytes))
        }
        let m = malloc(bytes)!
        let typed = m.assumingMemoryBound(to: U.self)
        fill(typed)
        return Buffer(base: UnsafePointer(typed), count: count, owner: MallocBlock(m))
    }

    /// Frees the memory; the buffer must not be used again.
    func release() {
        if mapped > 0 { munmap(base, mapped) } else { free(base) }
    }

    /// Gives the memory to a `Buffer` (shrunk to fit); the grow buffer must not be used again.
    func take() -> Buffer<T> { take(as: T.self) }

    /// Gives the memory to a `Buffer` of another type of the same size.
    func take<U: BitwiseCopyable>(as: U.Type) -> Buffer<U> {
        precondition(MemoryLayout<U>.stride == MemoryLayout<T>.stride)
        let bytes = max(1, count) * MemoryLayout<T>.stride
        if mapped > 0 {
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            let keep = (bytes + page - 1) / page * page
            let p = UnsafeMutableRawPointer(base)
            var size = mapped
            if keep < mapped && munmap(p + keep, mapped - keep) == 0 { size = keep }
            return Buffer(base: UnsafePointer(p.assumingMemoryBound(to: U.self)), count: count, owner: MappedBlock(p, bytes: size))
        }
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

/// Distinct byte strings with dense codes, found through an open-addressing hash table.
///
/// Each 16-byte slot holds the code, 32 bits of the hash, and where the bytes are in the arena
/// with their length, so a lookup touches one slot and, on a tag match, the bytes themselves:
/// two cache misses for a value not seen recently, which is what high-cardinality columns cost.
final class ByteDictionary {
    struct Slot {
        /// High 32 bits: hash tag; low 32: code + 1 (0 = empty slot).
        var key: UInt64
        /// High 40 bits: arena offset; low 24: length (0xFFFFFF: look it up in `starts`).
        var place: UInt64
    }
    struct State {
        var arena = GrowBuffer<UInt8>(capacity: 4096)
        /// `starts[i]..<starts[i+1]` are the bytes of entry `i`.
        var starts = GrowBuffer<Int>(capacity: 256)
        var slots: UnsafeMutablePointer<Slot>
        var mask: Int
        var lastCode: Int = -1
        var lastOffset = 0
        var lastLength = 0
    }
    /// Behind a pointer: no exclusivity checks or reference counting in the hot loop.
    let s: UnsafeMutablePointer<State>

    var count: Int { s.pointee.starts.count &- 1 }

    init() {
        let mask = 255
        let slots = UnsafeMutablePointer<Slot>.allocate(capacity: mask + 1)
        slots.initialize(repeating: Slot(key: 0, place: 0), count: mask + 1)
        s = .allocate(capacity: 1)
        s.initialize(to: State(slots: slots, mask: mask))
        s.pointee.starts.append(0)
    }

    private var released = false

    deinit {
        releaseStorage()
        s.deallocate()
    }

    /// Frees the entries and table early (after a merge); the dictionary must not be used again.
    func releaseStorage() {
        if released { return }
        released = true
        s.pointee.arena.release(); s.pointee.starts.release()
        s.pointee.slots.deallocate()
    }

    @inline(__always) func bytes(of code: Int) -> UnsafeBufferPointer<UInt8> {
        let st = s.pointee.starts.base
        return UnsafeBufferPointer(start: s.pointee.arena.base + st[code], count: st[code &+ 1] &- st[code])
    }

    @inline(__always) static func place(offset: Int, length: Int) -> UInt64 {
        (UInt64(truncatingIfNeeded: offset) << 24) | UInt64(truncatingIfNeeded: min(length, 0xFF_FFFF))
    }

    /// The code of these bytes, adding them if new.
    @inline(__always)
    func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32 { ByteDictionary.intern(s, p, n) }

    @inline(__always)
    static func intern(_ s: UnsafeMutablePointer<State>, _ p: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
        // Runs of equal values are common (sorted exports): compare with the last one first.
        let last = s.pointee.lastCode
        if last >= 0 && s.pointee.lastLength == n && csvBytesEqual(s.pointee.arena.base + s.pointee.lastOffset, p, n) {
            return Int32(truncatingIfNeeded: last)
        }
        return intern(s, p, n, hash: csvHashBytes(p, n))
    }

    /// Reads the slot (and, if its tag matches, the bytes) that looking up `h` will read, so a
    /// batch of lookups waits for memory once rather than once each; returns what it read.
    @inline(__always)
    static func touch(_ s: UnsafeMutablePointer<State>, hash h: UInt64) -> UInt64 {
        let slot = s.pointee.slots[Int(truncatingIfNeeded: h) & s.pointee.mask]
        if slot.key & 0xFFFF_FFFF_0000_0000 == h & 0xFFFF_FFFF_0000_0000 && slot.key != 0 {
            let offset = Int(truncatingIfNeeded: slot.place >> 24)
            if offset < s.pointee.arena.count { return slot.key &+ UInt64(s.pointee.arena.base[offset]) }
        }
        return slot.key
    }

    /// `intern` with the hash of the bytes already computed (`csvHashBytes`).
    @inline(__always)
    static func intern(_ s: UnsafeMutablePointer<State>, _ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64) -> Int32 {
        let last = s.pointee.lastCode
        if last >= 0 && s.pointee.lastLength == n && csvBytesEqual(s.pointee.arena.base + s.pointee.lastOffset, p, n) {
            return Int32(truncatingIfNeeded: last)
        }
        let tag = h & 0xFFFF_FFFF_0000_0000
        let slots = s.pointee.slots, mask = s.pointee.mask
        let wantedLength = UInt64(truncatingIfNeeded: min(n, 0xFF_FFFF))
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let key = slots[i].key
            if key == 0 { break }
            if key & 0xFFFF_FFFF_0000_0000 == tag {
                let place = slots[i].place
                if place & 0xFF_FFFF == wantedLength {
                    let c = Int(truncatingIfNeeded: key & 0xFFFF_FFFF) &- 1
                    let offset = Int(truncatingIfNeeded: place >> 24)
                    if (n < 0xFF_FFFF || s.pointee.starts.base[c &+ 1] &- s.pointee.starts.base[c] == n) && csvBytesEqual(s.pointee.arena.base + offset, p, n) {
                        s.pointee.lastCode = c
                        s.pointee.lastOffset = offset
                        s.pointee.lastLength = n
                        return Int32(truncatingIfNeeded: c)
                    }
                }
            }
            i = (i &+ 1) & mask
        }
        let code = s.pointee.starts.count &- 1
        let offset = s.pointee.arena.count
        s.pointee.arena.reserve(offset &+ n)
        if n > 0 { (s.pointee.arena.base + offset).update(from: p, count: n) }
        s.pointee.arena.count &+= n
        s.pointee.starts.append(s.pointee.arena.count)
        slots[i] = Slot(key: tag | UInt64(code &+ 1), place: ByteDictionary.place(offset: offset, length: n))
        if (code &+ 1) &* 2 > mask { grow(s) }
        s.pointee.lastCode = code
        s.pointee.lastOffset = offset
        s.pointee.lastLength = n
        return Int32(truncatingIfNeeded: code)
    }

    private static func grow(_ s: UnsafeMutablePointer<State>) {
        let newMask = (s.pointee.mask &+ 1) &* 2 &- 1
        let newSlots = UnsafeMutablePointer<Slot>.allocate(capacity: newMask + 1)
        newSlots.initialize(repeating: Slot(key: 0, place: 0), count: newMask + 1)
        // Hashes are not kept (8 bytes an entry); computing them again is cheap next to the misses.
        let st = s.pointee.starts.base, arena = s.pointee.arena.base
        for c in 0..<(s.pointee.starts.count &- 1) {
            let h = csvHashBytes(arena + st[c], st[c &+ 1] &- st[c])
            var i = Int(truncatingIfNeeded: h) & newMask
            while newSlots[i].key != 0 { i = (i &+ 1) & newMask }
            newSlots[i] = Slot(key: (h & 0xFFFF_FFFF_0000_0000) | UInt64(c &+ 1),
                               place: ByteDictionary.place(offset: st[c], length: st[c &+ 1] &- st[c]))
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

    /// What to do with a value that does not fit the column's type: `.strict` refuses it (an
    /// error, or the row skipped); `.widen` turns the column into one that holds it (int to
    /// double, else text); `.lenient` widens int to double, and refuses anything else so the
    /// reader can make that cell null with a warning while the column stays numeric.
    enum Policy { case strict, widen, lenient }

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
        let locale: NumberLocale
        let policy: Policy
        /// The dictionary's state, for text columns.
        let dictionary: UnsafeMutablePointer<ByteDictionary.State>?
    }
    /// Behind a pointer: no exclusivity checks or reference counting in the hot loop, which
    /// calls the static functions below with it.
    private let s: UnsafeMutablePointer<State>
    var state: UnsafeMutablePointer<State> { s }
    var locale: NumberLocale { s.pointee.locale }
    var policy: Policy { s.pointee.policy }
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
        let dictionary = type == .text ? ByteDictionary() : nil
        self.dictionary = dictionary
        s = .allocate(capacity: 1)
        s.initialize(to: State(kind: kind, words: GrowBuffer(capacity: type == .text ? 16 : 4096),
                               codes: GrowBuffer(capacity: type == .text ? 4096 : 16),
                               locale: locale, policy: policy, dictionary: dictionary?.s))
    }

    deinit {
        if !s.pointee.handedOver { s.pointee.words.release(); s.pointee.codes.release(); s.pointee.nullWords.release() }
        s.deallocate()
    }

    @inline(__always) private static func markNull(_ s: UnsafeMutablePointer<State>, _ row: Int) {
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

    func appendNull() { ColumnBuilder.appendNull(s) }

    @inline(__always) static func appendNull(_ s: UnsafeMutablePointer<State>) {
        switch s.pointee.kind {
        case .int, .double: s.pointee.words.append(0)
        case .text: s.pointee.codes.append(0)
        case .failed: break
        }
        markNull(s, s.pointee.count)
        s.pointee.count &+= 1
    }

    /// Makes room for `rows` values (see ``ChunkParser/reserve(rows:)``).
    func reserve(rows: Int) {
        switch s.pointee.kind {
        case .int, .double: s.pointee.words.reserve(rows, exactly: true)
        case .text: s.pointee.codes.reserve(rows, exactly: true)
        case .failed: break
        }
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

    /// Appends a text value whose hash is known.
    @inline(__always) static func appendText(_ s: UnsafeMutablePointer<State>, _ p: UnsafePointer<UInt8>, _ n: Int, hash: UInt64) {
        let code = ByteDictionary.intern(s.pointee.dictionary.unsafelyUnwrapped, p, n, hash: hash)
        s.pointee.codes.append(code)
        s.pointee.count &+= 1
    }

    /// Appends a text value (already unescaped). Text columns take anything.
    @inline(__always) static func appendText(_ s: UnsafeMutablePointer<State>, _ p: UnsafePointer<UInt8>, _ n: Int) {
        let code = ByteDictionary.intern(s.pointee.dictionary.unsafelyUnwrapped, p, n)
        s.pointee.codes.append(code)
        s.pointee.count &+= 1
    }

    /// Appends an integer already read, to an integer column.
    @inline(__always) static func appendInt(_ s: UnsafeMutablePointer<State>, _ v: Int64) {
        s.pointee.words.append(UInt64(bitPattern: v))
        s.pointee.count &+= 1
    }

    /// Appends a number column's value. Blank values and "no value" marks (`-`, `n/a`, ...; see
    /// ``CSVNumbers/isNullMark(_:_:)``) are null; `Rp` before and `%` after a number are taken off.
    /// Returns false when the value does not fit and the policy is `.strict` or `.lenient` (the
    /// caller fails, skips the row, or records the cell and appends a null); with `.widen` a
    /// column that cannot hold the value becomes `.failed` (it must be read again as text).
    /// Except under `.strict`, an int column widens to double for a decimal, and a whole number
    /// written with a leading zero (`01`, a code) fails the column: it is read again as text.
    @inline(__always)
    static func appendNumber(_ s: UnsafeMutablePointer<State>, _ p: UnsafePointer<UInt8>, _ n: Int,
                             scratch: UnsafeMutablePointer<UInt8>) -> Bool {
        // The common case first, small enough to inline: a bare number in C style that fits.
        if s.pointee.locale == .c && !CSVNumbers.mayHaveAffix(p, n) {
            let kind = s.pointee.kind
            if kind == .int, let v = CSVNumbers.parseInt(p, n), p[0] != 48 || n == 1 {
                s.pointee.words.append(UInt64(bitPattern: v)); s.pointee.count &+= 1; return true
            }
            if kind == .double, let v = CSVNumbers.parsePlainDecimal(p, n) ?? CSVNumbers.parseDouble(p, n) {
                s.pointee.words.append(v.bitPattern); s.pointee.count &+= 1; return true
            }
        }
        return appendNumberSlowly(s, p, n, scratch: scratch)
    }

    /// ``appendNumber(_:_:_:scratch:)`` for everything but a bare C-style number that fits.
    @inline(never)
    static func appendNumberSlowly(_ s: UnsafeMutablePointer<State>, _ p: UnsafePointer<UInt8>, _ n: Int,
                                   scratch: UnsafeMutablePointer<UInt8>) -> Bool {
        var q = p, m = n
        if CSVNumbers.mayHaveAffix(p, n) {
            var affixes = CSVNumbers.Affixes()
            let (start, count) = CSVNumbers.stripAffixes(p, n, &affixes)
            if count == 0 { return misfit(s, p, n, q: p, m: 0) }
            q = p + start; m = count
        }
        if s.pointee.locale == .indonesian {
            var flags = CSVNumbers.IndoFlags()
            let len = CSVNumbers.normalizeIndonesian(q, m, scratch, 256, &flags)
            if len < 0 { return misfit(s, p, n, q: q, m: 0) }
            q = UnsafePointer(scratch); m = len
        }
        let kind = s.pointee.kind
        if kind == .int {
            if let v = CSVNumbers.parseInt(q, m) {
                if q[0] == 48 && m > 1 && s.pointee.policy != .strict { fail(s); return true }
                s.pointee.words.append(UInt64(bitPattern: v)); s.pointee.count &+= 1; return true
            }
            return misfit(s, p, n, q: q, m: m)
        }
        if kind == .double {
            if let v = CSVNumbers.parseDouble(q, m) {
                s.pointee.words.append(v.bitPattern); s.pointee.count &+= 1; return true
            }
            return misfit(s, p, n, q: q, m: m)
        }
        if kind == .failed { s.pointee.count &+= 1; return true }
        return false
    }

    /// A value the fast path did not take: `p`/`n` as written, `q`/`m` the number inside it
    /// (`m` 0 when there is none).
    @inline(never)
    private static func misfit(_ s: UnsafeMutablePointer<State>, _ p: UnsafePointer<UInt8>, _ n: Int,
                               q: UnsafePointer<UInt8>, m: Int) -> Bool {
        var blank = true
        for i in 0..<n where !csvIsSpace(p[i]) { blank = false; break }
        if blank || CSVNumbers.isNullMark(p, n) { appendNull(s); return true }
        if s.pointee.policy == .strict { return false }
        if s.pointee.kind == .int, m > 0, let v = CSVNumbers.parseDouble(q, m) {
            widenToDouble(s)
            s.pointee.words.append(v.bitPattern)
            s.pointee.count &+= 1
            return true
        }
        // A number no type holds as written (a 20-digit code, `1e999`) or a dotted code turns
        // the column to text, as written; only a value that is no number at all (`WTP`) is a
        // cell to make null.
        if s.pointee.policy == .lenient && !CSVNumbers.isNumberShaped(p, n) { return false }
        fail(s)
        return true
    }

    private static func fail(_ s: UnsafeMutablePointer<State>) {
        s.pointee.kind = .failed
        s.pointee.words.count = 0
        s.pointee.count &+= 1
    }

    /// Changes an int column to double (when another chunk of the file widened it).
    func widenToDouble() { ColumnBuilder.widenToDouble(s) }

    static func widenToDouble(_ s: UnsafeMutablePointer<State>) {
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
        for p in parts { p.s.pointee.handedOver = true }
        if kind == .text {
            let dict = parts[0].dictionary!
            var maps: [[Int32]] = []
            for part in parts.dropFirst() {
                let pd = part.dictionary!
                var map = [Int32](repeating: 0, count: pd.count)
                for c in 0..<pd.count {
                    let b = pd.bytes(of: c)
                    map[c] = dict.intern(b.baseAddress!, b.count)
                }
                pd.releaseStorage()
                maps.append(map)
            }
            let strings = dict.strings()
            dict.releaseStorage()
            // The first part's codes stay where they are (its buffer was sized for the whole
            // file); the others are translated into the room after them.
            let first = parts[0].s
            first.pointee.codes.reserve(total)
            var offset = first.pointee.codes.count
            for (i, part) in parts.enumerated() {
                if i > 0 {
                    let n = part.s.pointee.codes.count
                    maps[i - 1].withUnsafeBufferPointer {
                        part.s.pointee.codes.moveAll(to: first.pointee.codes.base + offset, map: $0.baseAddress!)
                    }
                    offset += n
                }
                part.s.pointee.words.release()
            }
            first.pointee.codes.count = total
            return Column(storage: .text(codes: first.pointee.codes.take(), dictionary: strings), nulls: nulls)
        }
        let first = parts[0].s
        first.pointee.words.reserve(total)
        var offset = first.pointee.words.count
        for (i, part) in parts.enumerated() {
            if i > 0 {
                let n = part.s.pointee.words.count
                part.s.pointee.words.moveAll(to: first.pointee.words.base + offset)
                offset += n
            }
            part.s.pointee.codes.release()
        }
        first.pointee.words.count = total
        let words = first.pointee.words.take()
        if kind == .int { return Column(storage: .int(words.reinterpreted(as: Int64.self)), nulls: nulls) }
        return Column(storage: .double(words.reinterpreted(as: Double.self)), nulls: nulls)
    }
}

extension Buffer where Element == UInt64 {
    /// The same memory seen as another 8-byte type (keeps it alive through `self`).
    func reinterpreted<U: BitwiseCopyable>(as: U.Type) -> Buffer<U> {
        precondition(MemoryLayout<U>.stride == 8)
        return Buffer<U>(base: UnsafeRawPointer(base).assumingMemoryBound(to: U.self), count: count, owner: BufferKeeper(self))
    }
}

/// Owns a buffer for another view of the same memory.
final class BufferKeeper<T: BitwiseCopyable>: @unchecked Sendable {
    let buffer: Buffer<T>
    init(_ buffer: Buffer<T>) { self.buffer = buffer }
}
