import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// What may stop a running query: the caller's ``Cancellation``, and the ``QueryBudget`` of
/// its session (rows scanned, rows produced, time). One per statement; shared by the
/// statement's subqueries (a join's right side, the claims an audit runs) so that they spend
/// the same budget.
final class RunControl: @unchecked Sendable {
    let cancellation: Cancellation?
    let budget: QueryBudget
    private let deadline: ContinuousClock.Instant?
    private let lock = NSLock()
    private var scanned = 0
    private var warnings: [Diagnostic] = []

    init(cancellation: Cancellation?, budget: QueryBudget) {
        self.cancellation = cancellation
        self.budget = budget
        deadline = budget.timeLimit.map { ContinuousClock.now + $0 }
    }

    /// Keeps warnings for the statement's result (each one once).
    func warn(_ found: [Diagnostic]) {
        guard !found.isEmpty else { return }
        lock.lock()
        for d in found where !warnings.contains(where: { $0.message == d.message && $0.range == d.range }) {
            warnings.append(d)
        }
        lock.unlock()
    }

    /// The warnings so far, kept.
    var pendingWarnings: [Diagnostic] {
        lock.lock()
        defer { lock.unlock() }
        return warnings
    }

    /// The warnings so far, which are then forgotten.
    func takeWarnings() -> [LKQError] {
        lock.lock()
        defer { warnings = []; lock.unlock() }
        return warnings.map(LKQError.init)
    }

    /// Throws when the query was cancelled or ran out of time.
    func check() throws(Diagnostic) {
        if cancellation?.isCancelled == true { throw Diagnostic(.cancelled, .none) }
        if let limit = budget.maxMemory, QueryBudget.recentResidentMemory() > limit {
            throw Diagnostic(.budgetExceeded(what: "MB of memory", limit: limit >> 20), .none)
        }
        if let deadline, ContinuousClock.now > deadline, let limit = budget.timeLimit {
            let ms = limit.components.seconds * 1000 + limit.components.attoseconds / 1_000_000_000_000_000
            throw Diagnostic(.budgetExceeded(what: "milliseconds", limit: Int(ms)), .none)
        }
    }

    /// Whether the query should stop (cancelled or out of time), for loops on other cores
    /// that cannot throw: they end early and the caller then calls ``check()``.
    var shouldStop: Bool {
        do { try check(); return false } catch { return true }
    }

    /// Counts rows read from a table; throws past the budget.
    func scan(_ rows: Int, at location: DiagnosticLocation) throws(Diagnostic) {
        guard let limit = budget.maxRowsScanned else { return }
        lock.lock()
        scanned += rows
        let total = scanned
        lock.unlock()
        if total > limit { throw Diagnostic(.budgetExceeded(what: "rows scanned", limit: limit), location) }
    }

    /// Checks the size of a result or of rows in the making; throws past the budget.
    func produce(_ rows: Int, at location: DiagnosticLocation) throws(Diagnostic) {
        if let limit = budget.maxRowsProduced, rows > limit {
            throw Diagnostic(.budgetExceeded(what: "rows produced", limit: limit), location)
        }
    }
}

/// Asks the run control every 65,536 calls whether to stop, for loops that cannot throw (a
/// sort's comparator, a slice on another core). Once told to stop it stays stopped, so the
/// loop can hurry to its end; the caller then calls ``check()`` to throw.
final class StopPoll: @unchecked Sendable {
    private let control: RunControl?
    private var calls = 0
    private(set) var stopped = false

    init(_ control: RunControl?) { self.control = control }

    /// Whether the loop should stop; cheap on all but one call in 65,536.
    @inline(__always) func shouldStop() -> Bool {
        guard let control, !stopped else { return stopped }
        calls &+= 1
        if calls & 0xFFFF == 0 {
            do { try control.check() } catch { stopped = true }
        }
        return stopped
    }

    /// Throws the reason the loop stopped, if it did.
    func check() throws(Diagnostic) {
        if stopped { try control?.check() }
    }
}
