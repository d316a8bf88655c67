#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// A column prepared for ordering rows: numbers as they are, text as the rank of each
/// dictionary entry, so comparing two rows never touches a string.
struct SortColumn {
    private enum Keys {
        case int(Buffer<Int64>)
        case double(Buffer<Double>)
        case rank(codes: Buffer<Int32>, rank: [Int32])
    }
    private let keys: Keys
    private let nulls: NullMask?
    let descending: Bool

    init(_ column: Column, descending: Bool) {
        self.descending = descending
        self.nulls = column.nulls
        switch column.storage {
        case .int(let b): keys = .int(b)
        case .double(let b): keys = .double(b)
        case .text(let codes, let dict):
            keys = .rank(codes: codes, rank: SortColumn.ranks(of: dict))
        }
    }

    /// The rank of each dictionary entry in ascending order, dense from 0. Entries that are
    /// equal as text (one spelled NFC, one NFD: `==` says equal) share a rank, so they tie and
    /// later keys order them, as `=` and `group by` treat them.
    static func ranks(of dict: [String]) -> [Int32] {
        var rank = [Int32](repeating: 0, count: dict.count)
        var r: Int32 = -1
        var previous: String?
        for i in dict.indices.sorted(by: { dict[$0] < dict[$1] }) {
            if previous != dict[i] { r += 1; previous = dict[i] }
            rank[i] = r
        }
        return rank
    }

    @inline(__always) func isNull(_ row: Int) -> Bool { nulls?.isNull(row) ?? false }

    /// An unsigned integer that orders non-null rows as ``compare(_:_:)`` does (direction
    /// included): integers with the sign bit flipped, doubles by their IEEE bits made
    /// monotonic, text by rank.
    @inline(__always) func orderKey(_ row: Int) -> UInt64 {
        var k: UInt64
        switch keys {
        case .int(let v): k = UInt64(bitPattern: v[row]) ^ (1 << 63)
        case .double(let v):
            let bits = (v[row] == 0 ? 0.0 : v[row]).bitPattern
            k = bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
        case .rank(let codes, let rank): k = UInt64(rank[Int(codes[row])])
        }
        return descending ? ~k : k
    }

    /// For rows `0..<n`: a dense rank per row that orders them as ``compare(_:_:)`` does
    /// (ascending; rows that tie share a rank, nulls last), and how many ranks there are.
    func denseRanks(rows n: Int, control: RunControl?) throws(Diagnostic) -> (ranks: [UInt32], count: Int) {
        var ranks = [UInt32](repeating: 0, count: n)
        var count = 0
        switch keys {
        case .rank(let codes, let rank):
            // The dictionary's ranks are dense already: no sort of the rows is needed.
            let top = (rank.max() ?? -1) + 1
            for k in 0..<n { ranks[k] = isNull(k) ? UInt32(top) : UInt32(rank[Int(codes[k])]) }
            count = Int(top) + 1
        case .int, .double:
            var values = [UInt64]()
            values.reserveCapacity(n)
            for k in 0..<n where !isNull(k) { values.append(orderKey(k)) }
            try RadixSort.sort(&values, control: control) { $0 }
            var distinct = 0
            for v in values where distinct == 0 || values[distinct - 1] != v {
                values[distinct] = v
                distinct += 1
            }
            values.removeLast(values.count - distinct)
            values.withUnsafeBufferPointer { sorted in
                for k in 0..<n {
                    if k & 0xFFFF == 0, control?.shouldStop == true { return }
                    if isNull(k) { ranks[k] = UInt32(distinct); continue }
                    let v = orderKey(k)
                    var lo = 0, hi = distinct
                    while lo < hi {
                        let mid = (lo + hi) >> 1
                        if sorted[mid] < v { lo = mid + 1 } else { hi = mid }
                    }
                    ranks[k] = UInt32(lo)
                }
            }
            try control?.check()
            count = distinct + 1
        }
        if descending { for k in 0..<n where !isNull(k) { ranks[k] = UInt32(count - 2) - ranks[k] } }
        return (ranks, count)
    }

    /// Negative, zero or positive as row `a` sorts before, with or after row `b`.
    /// Nulls sort last in either direction.
    @inline(__always) func compare(_ a: Int, _ b: Int) -> Int {
        let na = nulls?.isNull(a) ?? false, nb = nulls?.isNull(b) ?? false
        if na || nb { return na == nb ? 0 : (na ? 1 : -1) }
        var c: Int
        switch keys {
        case .int(let v): c = v[a] < v[b] ? -1 : (v[a] > v[b] ? 1 : 0)
        case .double(let v): c = v[a] < v[b] ? -1 : (v[a] > v[b] ? 1 : 0)
        case .rank(let codes, let rank):
            let x = rank[Int(codes[a])], y = rank[Int(codes[b])]
            c = x < y ? -1 : (x > y ? 1 : 0)
        }
        return descending ? -c : c
    }
}

extension Evaluator {
    /// Positions `0..<n` in sorted order; ties keep their original order. With `limit`,
    /// only the first `limit` are found, with a bounded heap instead of a full sort.
    func order(_ keys: [SortColumn], rows n: Int, limit: Int?) throws(Diagnostic) -> [Int32] {
        guard let first = keys.first else { return Array(0..<Int32(min(n, limit ?? n))) }
        let rest = Array(keys.dropFirst())
        if let limit, limit < n / 8 {
            return try topN(limit, first: first, rest: rest, rows: n)
        }
        try checkCancelled()
        // The first key as one order-preserving integer per row, sorted by radix: ties keep
        // table order because each pass is stable. Only rows tied on it look at the other keys.
        // A null row has no key (its text code may point past the dictionary, all-null text):
        // nulls go last, in table order.
        var entries = [RadixEntry]()
        entries.reserveCapacity(n)
        var nulls = [Int32]()
        for row in 0..<n {
            if row & 0xFFFFF == 0 { try checkCancelled() }
            if first.isNull(row) { nulls.append(Int32(row)) } else {
                entries.append(RadixEntry(key: first.orderKey(row), position: Int32(row)))
            }
        }
        try RadixSort.sort(&entries, control: control) { $0.key }
        let count = min(n, limit ?? n)
        var positions = [Int32]()
        positions.reserveCapacity(n)
        for e in entries { positions.append(e.position) }
        positions.append(contentsOf: nulls)
        guard !rest.isEmpty else {
            positions.removeLast(positions.count - count)
            return positions
        }
        // Runs of rows tied on the first key, ordered by the rest; the null rows are one run.
        let poll = StopPoll(control)
        func sortRun(_ range: Range<Int>) {
            guard range.count > 1 else { return }
            positions[range].sort { a, b in
                if poll.shouldStop() { return a < b }
                for key in rest {
                    let c = key.compare(Int(a), Int(b))
                    if c != 0 { return c < 0 }
                }
                return a < b
            }
        }
        var start = 0
        while start < entries.count {
            if start >= count { break }
            var end = start + 1
            while end < entries.count && entries[end].key == entries[start].key { end += 1 }
            sortRun(start..<end)
            try poll.check()
            start = end
        }
        if entries.count < count { sortRun(entries.count..<n) }
        try poll.check()
        positions.removeLast(positions.count - count)
        return positions
    }

    /// The first `k` positions in sorted order, kept in a max-heap whose root is the worst of
    /// the best so far; a row that cannot enter costs one integer compare with the root.
    private func topN(_ k: Int, first: SortColumn, rest: [SortColumn], rows n: Int) throws(Diagnostic) -> [Int32] {
        guard k > 0, n > 0 else { return [] }
        /// Nulls last, then the first key, then the others, then table order.
        @inline(__always) func before(_ a: HeapEntry, _ b: HeapEntry) -> Bool {
            if a.isNull != b.isNull { return b.isNull }
            if a.key != b.key { return a.key < b.key }
            for key in rest {
                let c = key.compare(Int(a.position), Int(b.position))
                if c != 0 { return c < 0 }
            }
            return a.position < b.position
        }
        var heap: [HeapEntry] = []
        heap.reserveCapacity(k)
        func siftDown() {
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var worst = i
                if l < heap.count && before(heap[worst], heap[l]) { worst = l }
                if r < heap.count && before(heap[worst], heap[r]) { worst = r }
                if worst == i { return }
                heap.swapAt(i, worst)
                i = worst
            }
        }
        for row in 0..<n {
            if row & 0xFFFF == 0 { try checkCancelled() }
            let isNull = first.isNull(row)
            let entry = HeapEntry(key: isNull ? 0 : first.orderKey(row), isNull: isNull, position: Int32(row))
            if heap.count < k {
                heap.append(entry)
                var i = heap.count - 1
                while i > 0 {
                    let parent = (i - 1) / 2
                    guard before(heap[parent], heap[i]) else { break }
                    heap.swapAt(parent, i)
                    i = parent
                }
                continue
            }
            let root = heap[0]
            // Rows come in table order, so a row tied with the root on every key sorts after it.
            if !root.isNull && (isNull || entry.key > root.key) { continue }
            if rest.isEmpty && !isNull && entry.key == root.key { continue }
            if before(entry, root) {
                heap[0] = entry
                siftDown()
            }
        }
        return heap.sorted(by: before).map(\.position)
    }
}

/// One non-null row in a full sort: its first key and where the row is.
private struct RadixEntry {
    var key: UInt64
    var position: Int32
}

/// One row in a top-N heap: its first key, whether that key is null, and where the row is.
private struct HeapEntry {
    var key: UInt64
    var isNull: Bool
    var position: Int32
}

/// A stable sort by an unsigned integer key: least-significant-byte-first counting passes,
/// where a byte that is the same in every key (the high bytes of amounts) costs no pass. It
/// asks `control` every million elements whether to stop: a comparison sort of millions of
/// values runs for most of a second with no place to ask.
enum RadixSort {
    static func sort<T: BitwiseCopyable>(_ items: inout [T], control: RunControl?,
                                         key: (T) -> UInt64) throws(Diagnostic) {
        let n = items.count
        guard n > 1 else { return }
        var counts = [Int](repeating: 0, count: 8 * 256)
        items.withUnsafeBufferPointer { e in
            counts.withUnsafeMutableBufferPointer { c in
                for i in 0..<n {
                    let k = key(e[i])
                    for b in 0..<8 { c[b << 8 | Int(truncatingIfNeeded: k >> UInt64(8 * b)) & 0xFF] += 1 }
                }
            }
        }
        try control?.check()
        var other = items
        for b in 0..<8 {
            let histogram = counts[(b << 8)..<((b + 1) << 8)]
            if histogram.contains(n) { continue }
            var offsets = [Int](repeating: 0, count: 256)
            var sum = 0
            for d in 0..<256 { offsets[d] = sum; sum += histogram[(b << 8) + d] }
            let shift = UInt64(8 * b)
            var start = 0
            while start < n {
                let end = min(n, start + (1 << 20))
                items.withUnsafeBufferPointer { src in
                    other.withUnsafeMutableBufferPointer { dst in
                        offsets.withUnsafeMutableBufferPointer { o in
                            for i in start..<end {
                                let d = Int(truncatingIfNeeded: key(src[i]) >> shift) & 0xFF
                                dst[o[d]] = src[i]
                                o[d] += 1
                            }
                        }
                    }
                }
                try control?.check()
                start = end
            }
            swap(&items, &other)
        }
    }
}
