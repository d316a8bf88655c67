import Foundation
#if canImport(Glibc)
import Glibc
#endif
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// Limits a host sets on every query of a ``Session``: a query that passes one stops with an
/// ``LKQError`` of kind ``LKQError/Kind/limit`` that says which.
///
/// ```swift
/// var session = Engine().makeSession()
/// session.budget = QueryBudget(maxRowsScanned: 10_000_000, maxRowsProduced: 100_000, timeLimit: .seconds(2))
/// ```
///
/// Time, memory and cancellation are checked between stages and every 65,536 rows (or
/// comparisons) inside filters, group by, sorts, joins and running windows, so a limit holds
/// within a fraction of a second of work.
public struct QueryBudget: Sendable, Equatable {
    /// Most rows a statement may read from tables, counting every table it reads (a join reads two).
    public var maxRowsScanned: Int?
    /// Most rows any stage of a statement may produce, including the result and a join's rows.
    public var maxRowsProduced: Int?
    /// Longest a statement may run.
    public var timeLimit: Duration?
    /// Most memory, in bytes, the process may hold while a statement runs (its resident set,
    /// as the operating system counts it): a join that multiplies rows or a group by with
    /// millions of keys stops with a located error instead of exhausting the machine.
    public var maxMemory: Int?
    /// Most rows a join may produce: a key shared by many rows on both sides multiplies them
    /// (100,000 by 100,000 is ten billion), and the error says so within a second instead of
    /// after the memory runs out.
    public var maxJoinRows: Int?

    /// A budget; `nil` leaves that limit off.
    public init(maxRowsScanned: Int? = nil, maxRowsProduced: Int? = nil, timeLimit: Duration? = nil,
                maxMemory: Int? = nil, maxJoinRows: Int? = nil) {
        self.maxRowsScanned = maxRowsScanned
        self.maxRowsProduced = maxRowsProduced
        self.timeLimit = timeLimit
        self.maxMemory = maxMemory
        self.maxJoinRows = maxJoinRows
    }

    /// The memory of this machine, in bytes (0 when it cannot be read).
    public static var physicalMemory: Int {
        Int(ProcessInfo.processInfo.physicalMemory)
    }

    /// The resident memory of this process, in bytes, read at most every 10 ms: the checks
    /// inside operators ask often, and reading /proc costs a few system calls.
    static func recentResidentMemory() -> Int {
        let now = ContinuousClock.now
        residentLock.lock()
        defer { residentLock.unlock() }
        if let (at, bytes) = lastResident, now - at < .milliseconds(10) { return bytes }
        let bytes = residentMemory()
        lastResident = (now, bytes)
        return bytes
    }

    private static let residentLock = NSLock()
    nonisolated(unsafe) private static var lastResident: (ContinuousClock.Instant, Int)?

    /// The resident memory of this process now, in bytes (from /proc/self/statm; 0 elsewhere).
    public static func residentMemory() -> Int {
        guard let f = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(f) }
        var size = 0, resident = 0
        guard withUnsafeMutablePointer(to: &size, { s in withUnsafeMutablePointer(to: &resident) { r in
            fscanf_statm(f, s, r)
        } }) else { return 0 }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// No limits (the default).
    public static let unlimited = QueryBudget()
}

/// Reads the first two numbers of /proc/self/statm (total and resident pages).
private func fscanf_statm(_ f: UnsafeMutablePointer<FILE>, _ size: UnsafeMutablePointer<Int>, _ resident: UnsafeMutablePointer<Int>) -> Bool {
    var line = [CChar](repeating: 0, count: 128)
    guard fgets(&line, Int32(line.count), f) != nil else { return false }
    let fields = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.split(separator: " ")
    guard fields.count >= 2, let a = Int(fields[0]), let b = Int(fields[1]) else { return false }
    size.pointee = a
    resident.pointee = b
    return true
}
