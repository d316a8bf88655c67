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
/// Time and cancellation are checked between stages, before each condition of a filter, and
/// every 65,536 rows inside sorts and joins; a single filter, group by or first read of a large
/// CSV file runs to its end before the check.
public struct QueryBudget: Sendable, Equatable {
    /// Most rows a statement may read from tables, counting every table it reads (a join reads two).
    public var maxRowsScanned: Int?
    /// Most rows any stage of a statement may produce, including the result and a join's rows.
    public var maxRowsProduced: Int?
    /// Longest a statement may run.
    public var timeLimit: Duration?

    /// A budget; `nil` leaves that limit off.
    public init(maxRowsScanned: Int? = nil, maxRowsProduced: Int? = nil, timeLimit: Duration? = nil) {
        self.maxRowsScanned = maxRowsScanned
        self.maxRowsProduced = maxRowsProduced
        self.timeLimit = timeLimit
    }

    /// No limits (the default).
    public static let unlimited = QueryBudget()
}
