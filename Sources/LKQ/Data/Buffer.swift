import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// Immutable, contiguous elements owned either by a heap allocation or by a mapped cache file.
///
/// Columns are built on this rather than on `Array` so that a column read from the binary
/// cache can point straight into the mapped file without copying.
struct Buffer<Element: BitwiseCopyable>: @unchecked Sendable {
    let base: UnsafePointer<Element>
    let count: Int
    /// Keeps the memory alive; never read.
    private let owner: AnyObject

    init(base: UnsafePointer<Element>, count: Int, owner: AnyObject) {
        self.base = base
        self.count = count
        self.owner = owner
    }

    /// Copies `array` into memory owned by the buffer.
    init(_ array: [Element]) {
        let allocation = Allocation(bytes: max(1, array.count) * MemoryLayout<Element>.stride,
                                    alignment: MemoryLayout<Element>.alignment)
        let typed = allocation.pointer.bindMemory(to: Element.self, capacity: max(1, array.count))
        array.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { typed.update(from: s, count: array.count) }
        }
        self.init(base: UnsafePointer(typed), count: array.count, owner: allocation)
    }

    /// Takes over memory that `fill` writes in full; avoids building an `Array` first.
    static func make(count: Int, _ fill: (UnsafeMutableBufferPointer<Element>) throws -> Void) rethrows -> Buffer {
        let allocation = Allocation(bytes: max(1, count) * MemoryLayout<Element>.stride,
                                    alignment: MemoryLayout<Element>.alignment)
        let typed = allocation.pointer.bindMemory(to: Element.self, capacity: max(1, count))
        try fill(UnsafeMutableBufferPointer(start: typed, count: count))
        return Buffer(base: UnsafePointer(typed), count: count, owner: allocation)
    }

    @inline(__always) subscript(i: Int) -> Element { base[i] }

    var pointer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }
}

/// Raw heap memory released when the last buffer using it goes.
final class Allocation: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    init(bytes: Int, alignment: Int) {
        pointer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: max(alignment, 16))
    }
    deinit { pointer.deallocate() }
}

/// One bit per row; a set bit marks a null. Absent (`nil` in a column) when nothing is null.
struct NullMask: Sendable {
    let words: Buffer<UInt64>
    @inline(__always) func isNull(_ row: Int) -> Bool {
        (words[row >> 6] >> UInt64(row & 63)) & 1 == 1
    }
    static func wordCount(rows: Int) -> Int { (rows + 63) / 64 }
    /// Builds a mask from per-row flags, or `nil` when no row is null.
    static func from(_ isNull: [Bool]) -> NullMask? {
        guard isNull.contains(true) else { return nil }
        var words = [UInt64](repeating: 0, count: wordCount(rows: isNull.count))
        for (i, n) in isNull.enumerated() where n { words[i >> 6] |= 1 << UInt64(i & 63) }
        return NullMask(words: Buffer(words))
    }
}
