import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// Wraps a value that is shared across `concurrentPerform` workers which only read it, or
/// write disjoint parts of it.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

enum Parallel {
    /// Work over fewer rows than this stays on one core: splitting costs more than it saves.
    static let threshold = 1 << 18
    static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// Runs `body` over consecutive slices of `0..<n`, one per core when `n` is large, and
    /// returns the slices' results in order.
    static func map<T>(_ n: Int, _ body: (Range<Int>) -> T) -> [T] {
        let chunks = n >= threshold ? cores : 1
        if chunks == 1 { return [body(0..<n)] }
        return withoutActuallyEscaping(body) { body in
            let work = UnsafeSendable(body)
            let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: chunks)
            results.initialize(repeating: nil)
            // Deinitialize as well as deallocate: the slices' results (arrays) must be released.
            defer { _ = results.deinitialize(); results.deallocate() }
            let out = UnsafeSendable(results)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                out.value[c] = work.value((n * c / chunks)..<(n * (c + 1) / chunks))
            }
            return results.map { $0! }
        }
    }
}

extension Frame {
    /// Every column's visible rows (``visible(_:)``), copied on all cores when a selection
    /// of many rows has to be gathered: after a sort of millions of rows each column is a
    /// long copy of scattered reads, and the columns are independent.
    func visibleColumns() -> [Column] {
        let all = Array(fields.indices)
        guard let selection, selection.count >= Parallel.threshold, all.count > 1, Parallel.cores > 1 else {
            return all.map { visible($0) }
        }
        let slots = UnsafeMutableBufferPointer<Column?>.allocate(capacity: all.count)
        slots.initialize(repeating: nil)
        defer { _ = slots.deinitialize(); slots.deallocate() }
        let out = UnsafeSendable(slots)
        let frame = UnsafeSendable(self)
        DispatchQueue.concurrentPerform(iterations: all.count) { c in
            out.value[c] = frame.value.visible(c)
        }
        return slots.map { $0! }
    }
}
