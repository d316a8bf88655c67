/// A name as written, lower-cased, with where it was written.
public struct Name: Sendable, Equatable {
    public var text: String
    public var range: SourceRange
    public init(text: String, range: SourceRange) { self.text = text; self.range = range }
}

/// One statement of a script.
public struct Statement: Sendable {
    public enum Kind: Sendable {
        /// A query whose result is printed.
        case query(Query)
        /// `let NAME = query`: the result is kept under a name.
        case bind(Name, Query)
        /// `let NAME = value`: a single value kept under a name, for later expressions.
        case bindValue(Name, Expr)
        /// `param NAME [= default]`: a value the caller may set (`--param NAME=VALUE`).
        case param(Name, default: Expr?)
    }
    public var kind: Kind
    public var range: SourceRange
}

/// `TABLE [where COND] { | STAGE }`; the leading `where` is kept as the first stage.
public struct Query: Sendable {
    /// Where the rows come from.
    public enum Source: Sendable {
        /// A table, view or `let` name.
        case table(Name)
        /// `audit [all]`: the report's claims, each recomputed.
        case audit(all: Bool, range: SourceRange)
    }
    public var source: Source
    public var stages: [Stage]
    public var range: SourceRange
}

/// `join [left] SOURCE on KEY {, KEY}`: rows of the pipeline matched with rows of another query.
public struct Join: Sendable {
    /// Keep pipeline rows without a match (their right-hand columns are null).
    public var keepUnmatched: Bool
    /// The right-hand rows: a table name or a parenthesised query.
    public var right: Query
    /// Pairs of equal columns, pipeline side first.
    public var keys: [(left: Name, right: Name)]
}

/// One stage of a pipeline.
public struct Stage: Sendable {
    public enum Kind: Sendable {
        case filter(Expr)
        case select([Item])
        /// `extend`: computed columns added to (or replacing, by name) the existing ones.
        case extend([Item])
        /// `distinct [col, ...]`: one row per distinct combination (of all columns when empty).
        case distinct([Name])
        case sort([SortKey])
        case limit(Int)
        /// A whole-table aggregate; no argument means the default measure.
        case aggregate(Aggregate, [Expr])
        /// `group by` keys, then the items computed for each group.
        case group(keys: [Item], items: [Item])
        /// Rows matched with another query's rows on equal keys.
        case join(Join)
        /// `bar [label [measure]]`: a bar per row. `nil` is a text column that tells the rows apart,
        /// or the default measure; a single expression is the label when it is text, else the measure.
        case bar(label: Expr?, measure: Expr?)
        /// `spark [measure] [by year]`: one row per series, one column per year.
        case spark(measure: Expr?, year: Expr?)
    }
    public var kind: Kind
    public var range: SourceRange
}

/// An expression with an optional `as` name.
public struct Item: Sendable {
    public var expr: Expr
    public var alias: Name?
    public init(expr: Expr, alias: Name?) { self.expr = expr; self.alias = alias }
}

/// A sort key and its direction.
public struct SortKey: Sendable {
    public var expr: Expr
    public var descending: Bool
    public init(expr: Expr, descending: Bool) { self.expr = expr; self.descending = descending }
}

/// The aggregate functions (their signatures are in ``Registry``).
public typealias Aggregate = AggregateFunction

/// `over (by KEY, ... sort KEY [desc], ...)`: the rows a window function sees.
public struct Window: Sendable {
    public var partition: [Expr]
    public var order: [SortKey]
    public var range: SourceRange
}

/// Binary operators, arithmetic, comparison and logical.
public enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"
    case equal = "=", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case contains = "~"
    case and, or

    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
        default: return false
        }
    }
}

/// An expression: a range in the source and what it is.
public struct Expr: Sendable {
    public indirect enum Kind: Sendable {
        case int(Int64)
        case double(Double)
        case string(String)
        case null
        case column(String)
        /// The left side of a bare comparison (`< 75`): the table's default measure.
        case defaultMeasure
        case negate(Expr)
        case not(Expr)
        case binary(BinaryOperator, Expr, Expr)
        case isNull(Expr, negated: Bool)
        /// A function or aggregate call; `name` is lower-cased.
        case call(Name, [Expr])
        /// `x [not] in (a, b, ...)`.
        case inList(Expr, [Expr], negated: Bool)
        /// `x [not] between low and high`, both ends included.
        case between(Expr, Expr, Expr, negated: Bool)
        /// `case when C then V ... [else V] end`.
        case caseWhen([(condition: Expr, value: Expr)], otherwise: Expr?)
        /// `f(args) over (...)`: a window function or an aggregate over a window.
        case window(Name, [Expr], Window)
    }
    public var kind: Kind
    public var range: SourceRange

    /// Every column name the expression reads, plus whether it reads the default measure.
    public func collectColumns(into names: inout Set<String>, measure: inout Bool) {
        switch kind {
        case .int, .double, .string, .null: break
        case .column(let n): names.insert(n)
        case .defaultMeasure: measure = true
        case .negate(let e), .not(let e), .isNull(let e, _): e.collectColumns(into: &names, measure: &measure)
        case .binary(_, let l, let r):
            l.collectColumns(into: &names, measure: &measure)
            r.collectColumns(into: &names, measure: &measure)
        case .call(_, let args):
            for a in args { a.collectColumns(into: &names, measure: &measure) }
        case .inList(let e, let list, _):
            for a in [e] + list { a.collectColumns(into: &names, measure: &measure) }
        case .between(let e, let lo, let hi, _):
            for a in [e, lo, hi] { a.collectColumns(into: &names, measure: &measure) }
        case .caseWhen(let branches, let otherwise):
            for b in branches {
                b.condition.collectColumns(into: &names, measure: &measure)
                b.value.collectColumns(into: &names, measure: &measure)
            }
            otherwise?.collectColumns(into: &names, measure: &measure)
        case .window(_, let args, let w):
            for a in args + w.partition + w.order.map(\.expr) { a.collectColumns(into: &names, measure: &measure) }
        }
    }

    /// The sub-expressions directly inside this one.
    public var children: [Expr] {
        switch kind {
        case .int, .double, .string, .null, .column, .defaultMeasure: return []
        case .negate(let e), .not(let e), .isNull(let e, _): return [e]
        case .binary(_, let l, let r): return [l, r]
        case .call(_, let args): return args
        case .inList(let e, let list, _): return [e] + list
        case .between(let e, let lo, let hi, _): return [e, lo, hi]
        case .caseWhen(let branches, let otherwise):
            return branches.flatMap { [$0.condition, $0.value] } + (otherwise.map { [$0] } ?? [])
        case .window(_, let args, let w): return args + w.partition + w.order.map(\.expr)
        }
    }

    /// Whether a window (`over`) appears anywhere inside.
    public var containsWindow: Bool {
        if case .window = kind { return true }
        return children.contains { $0.containsWindow }
    }

    /// Whether an aggregate call appears anywhere inside.
    /// (An aggregate with `over` is a window, not an aggregate of the group.)
    public var containsAggregate: Bool {
        switch kind {
        case .call(let name, let args):
            return Aggregate(rawValue: name.text) != nil || args.contains { $0.containsAggregate }
        case .window: return false
        default: return children.contains { $0.containsAggregate }
        }
    }
}
