/// A name as written, lower-cased, with where it was written.
struct Name: Sendable, Equatable {
    var text: String
    var range: SourceRange
}

/// One statement of a script.
struct Statement: Sendable {
    enum Kind: Sendable {
        /// A query whose result is printed.
        case query(Query)
        /// `let NAME = query`: the result is kept under a name.
        case bind(Name, Query)
    }
    var kind: Kind
    var range: SourceRange
}

/// `TABLE [where COND] { | STAGE }`; the leading `where` is kept as the first stage.
struct Query: Sendable {
    /// Where the rows come from.
    enum Source: Sendable {
        /// A table, view or `let` name.
        case table(Name)
        /// `audit [all]`: the report's claims, each recomputed.
        case audit(all: Bool, range: SourceRange)
    }
    var source: Source
    var stages: [Stage]
    var range: SourceRange
}

/// `join [left] SOURCE on KEY {, KEY}`: rows of the pipeline matched with rows of another query.
struct Join: Sendable {
    /// Keep pipeline rows without a match (their right-hand columns are null).
    var keepUnmatched: Bool
    /// The right-hand rows: a table name or a parenthesised query.
    var right: Query
    /// Pairs of equal columns, pipeline side first.
    var keys: [(left: Name, right: Name)]
}

/// One stage of a pipeline.
struct Stage: Sendable {
    enum Kind: Sendable {
        case filter(Expr)
        case select([Item])
        case sort([SortKey])
        case limit(Int)
        /// A whole-table aggregate; no argument means the default measure.
        case aggregate(Aggregate, Expr?)
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
    var kind: Kind
    var range: SourceRange
}

/// An expression with an optional `as` name.
struct Item: Sendable {
    var expr: Expr
    var alias: Name?
}

/// A sort key and its direction.
struct SortKey: Sendable {
    var expr: Expr
    var descending: Bool
}

/// The aggregate functions.
enum Aggregate: String, Sendable, CaseIterable {
    case count, sum, avg, min, max
}

/// Binary operators, arithmetic, comparison and logical.
enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/"
    case equal = "=", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case contains = "~"
    case and, or

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
        default: return false
        }
    }
}

/// An expression: a range in the source and what it is.
struct Expr: Sendable {
    indirect enum Kind: Sendable {
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
    }
    var kind: Kind
    var range: SourceRange

    /// Every column name the expression reads, plus whether it reads the default measure.
    func collectColumns(into names: inout Set<String>, measure: inout Bool) {
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
        }
    }

    /// Whether an aggregate call appears anywhere inside.
    var containsAggregate: Bool {
        switch kind {
        case .int, .double, .string, .null, .column, .defaultMeasure: return false
        case .negate(let e), .not(let e), .isNull(let e, _): return e.containsAggregate
        case .binary(_, let l, let r): return l.containsAggregate || r.containsAggregate
        case .call(let name, let args):
            return Aggregate(rawValue: name.text) != nil || args.contains { $0.containsAggregate }
        }
    }
}
