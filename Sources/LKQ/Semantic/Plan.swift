#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// The typed logical plan: what the resolver makes of a query, and the one thing the executor
/// (and a SQL compiler) consume. Every name in it is settled to a column number, every
/// expression has a type, and every output column its name and rupiah flag.

/// The type of a value in a plan. A condition is a type of its own: it can be tested (after
/// `where`, in `case when`, in `count_if`) but is never a column.
enum ValueType: Sendable, Equatable {
    case int, double, text
    /// The literal `null`, which fits anywhere.
    case null
    case condition

    init(_ column: ColumnType) {
        switch column {
        case .int: self = .int
        case .double: self = .double
        case .text: self = .text
        }
    }

    var isNumeric: Bool { self == .int || self == .double || self == .null }
    var isText: Bool { self == .text || self == .null }

    /// The column type that holds values of this type (text for an all-null column).
    var columnType: ColumnType {
        switch self {
        case .int, .null, .condition: return .int
        case .double: return .double
        case .text: return .text
        }
    }

    /// How messages name it.
    var name: String {
        switch self {
        case .int: return "an integer"
        case .double: return "a number"
        case .text: return "text"
        case .null: return "null"
        case .condition: return "a condition"
        }
    }

    /// The type both `a` and `b` fit in (for `case`, `coalesce`, `in`), if any.
    static func common(_ a: ValueType, _ b: ValueType) -> ValueType? {
        if a == b { return a }
        if a == .null { return b }
        if b == .null { return a }
        if a.isNumeric && b.isNumeric { return .double }
        return nil
    }
}

/// An expression with its names resolved and its type known.
struct Bound: Sendable {
    indirect enum Kind: Sendable {
        case literal(Value)
        /// A column of the stage's input, by number.
        case column(Int)
        /// A key of the enclosing `group by`, by number (only inside its items).
        case groupKey(Int)
        case negate(Bound)
        case arithmetic(BinaryOperator, Bound, Bound)
        /// `= != < <= > >=` and `~`.
        case compare(BinaryOperator, Bound, Bound)
        case and(Bound, Bound)
        case or(Bound, Bound)
        case not(Bound)
        case isNull(Bound, negated: Bool)
        case inList(Bound, [Bound], negated: Bool)
        case caseWhen([(condition: Bound, value: Bound)], otherwise: Bound?)
        case call(ScalarFunction, [Bound])
        /// An aggregate over the rows of a group (or of the whole input).
        case aggregate(AggregateFunction, [Bound])
        case window(WindowCall)
    }
    var kind: Kind
    var type: ValueType
    var range: SourceRange
    var isRupiah = false

    var isCondition: Bool { type == .condition }
}

/// A window function or an aggregate with `over (by ... sort ...)`.
struct WindowCall: Sendable {
    enum Function: Sendable {
        case window(WindowFunction)
        case aggregate(AggregateFunction)
    }
    var function: Function
    var arguments: [Bound]
    var partition: [Bound]
    var order: [(key: Bound, descending: Bool)]
}

/// One column a `select` or `extend` produces: a column of the input kept as it is, or a value
/// computed for every row.
enum Projection: Sendable {
    case input(Int)
    case computed(Bound)
}

/// One step of a plan, with the columns it produces.
struct PlanStep: Sendable {
    enum Kind: Sendable {
        case filter(Bound)
        case project([Projection])
        case sort([(key: Bound, descending: Bool)], limit: Int?)
        case limit(Int)
        /// Distinct rows of these input columns (every column of the output).
        case distinct([Int])
        /// One row per distinct key, in key order; `items` are bound in the group's context.
        case group(keys: [Bound], items: [Bound])
        /// One row: each item an aggregate (or arithmetic over aggregates) of every input row.
        case aggregate([Bound])
        case join(JoinPlan)
    }
    var kind: Kind
    var range: SourceRange
    /// The columns after this step.
    var output: Schema
}

/// The right-hand side of a join and how its columns line up.
struct JoinPlan: Sendable {
    var right: QueryPlan
    var rightName: String
    var keepUnmatched: Bool
    /// Input column and right-hand column of each key pair.
    var keys: [(left: Int, right: Int)]
    /// The right-hand columns that follow the input's, by number (keys are not repeated).
    var rightColumns: [Int]
}

/// The columns of a relation between steps, with its default measure.
struct Schema: Sendable {
    var tableName: String
    var fields: [Field]
    var measure: String?

    func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }
}

/// Where a plan's rows come from.
enum PlanSource: Sendable {
    /// A table, view or `let` result, with the columns to read (every column when nil).
    case table(Table, read: [Int]?)
    /// `audit [all]`; its rows are made when it runs.
    case audit(all: Bool)
}

/// A resolved query: its source, its steps, and the stages after a chart, which are resolved
/// once the chart's columns (which depend on the data) are known.
struct QueryPlan: Sendable {
    var source: PlanSource
    var sourceRange: SourceRange
    var input: Schema
    var steps: [PlanStep]
    /// `bar` or `spark` and what follows it; empty for most queries.
    var tail: ArraySlice<Stage>
    var output: Schema { steps.last?.output ?? input }
}
