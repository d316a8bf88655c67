import Foundation

/// Compiles resolved plans (``QueryPlan``) to SQL text for one ``SQLDialect``.
///
/// Each plan step either adds a clause to the SELECT being built (a `where` after a table read,
/// a `select` after a `where`) or closes it as a named CTE (`step_1`) and starts a new SELECT
/// over it, so the text reads top to bottom in the order of the LKQ pipeline.
///
/// LKQ's rules are spelled out wherever a target's defaults differ: `/` divides as decimals
/// and gives null for 0; nulls sort last in both directions; integer `sum` is cast back to
/// BIGINT so an overflow is an error; text sorts by code point; `not c` holds wherever `c`
/// does not (a null `c` included); `~` escapes LIKE's wildcards. A plan the target cannot
/// run with LKQ's meaning is refused with a located ``DiagnosticKind/sqlUnsupported(_:target:hint:)``.
///
/// SQL rows have no order of their own, so row order is carried explicitly: after `sort`,
/// `group` (key order) or `distinct`, the relation remembers its order keys, and a step that
/// drops their columns keeps them as hidden columns (`__lkq_o1`) until the final ORDER BY.
struct SQLCompiler {
    let dialect: SQLDialect
    let source: SourceFile
    /// `param` names and the `let` names that only rename one: a literal read from one of them
    /// becomes a bound parameter, never text in the SQL.
    let parameterNames: [String: String]
    /// The `let` results compiled so far, by name.
    let lets: [String: LetResult]

    /// The CTEs the statement needs, in order.
    private(set) var ctes: [(name: String, body: [String])] = []
    /// `let` results the statement reads, in the order their CTEs must appear.
    private(set) var usedLets: [String] = []
    /// Whether the statement's rows come in a defined order.
    private(set) var isOrdered = false
    private var stepCounter = 0
    private var hiddenCounter = 0
    /// Prefix of this statement's CTE names (the `let` name when compiling a `let`).
    private let prefix: String

    init(dialect: SQLDialect, source: SourceFile, parameterNames: [String: String], lets: [String: LetResult], prefix: String) {
        self.dialect = dialect
        self.source = source
        self.parameterNames = parameterNames
        self.lets = lets
        self.prefix = prefix
    }

    /// A key that orders rows: SQL over the relation's columns.
    struct OrderKey: Sendable {
        var sql: String
        var descending: Bool
        var isText: Bool
    }

    /// A compiled `let` result: its CTEs (the last one named after the `let`), and the order
    /// its rows had, kept in hidden columns.
    struct LetResult: Sendable {
        var name: String
        var ctes: [(name: String, body: [String])]
        var visible: [String]
        var hidden: [String]
        var order: [OrderKey]?
        var dependsOn: [String]
    }

    /// The SELECT being built, and what its output looks like.
    struct Relation {
        var from: String
        /// Whether the output is the input's columns as they are (`SELECT *`).
        var star = true
        var columns: [String] = []
        var distinct = false
        var wheres: [String] = []
        var groupBy: [String] = []
        var grouped = false
        var limit: Int?
        /// Whether FROM is a table or CTE name alone.
        var bare = true
        /// `JOIN ... ON ...` lines after FROM.
        var joins: [String] = []
        var visible: [String]
        var hidden: [String] = []
        /// The row order, over the output columns; nil when the rows have none.
        var order: [OrderKey]?

        /// Whether another clause can be added without changing what the earlier ones mean.
        var open: Bool { star && !distinct && !grouped && limit == nil }
    }

    func fail(_ kind: DiagnosticKind, _ range: SourceRange) -> Diagnostic {
        Diagnostic(kind, in: source, at: range)
    }

    func unsupported(_ what: String, hint: String, _ range: SourceRange) -> Diagnostic {
        fail(.sqlUnsupported(what, target: dialect.title, hint: hint), range)
    }

    // MARK: Plans

    /// The SQL of a whole query: its CTEs and the final SELECT, as lines.
    mutating func statement(_ plan: QueryPlan) throws(Diagnostic) -> [String] {
        var rel = try relation(plan)
        isOrdered = rel.order != nil
        // A projection, group or distinct can take the final ORDER BY itself when its keys are
        // output columns named bare (a collation would make them expressions over the input).
        let fusable = rel.hidden.isEmpty && rel.limit == nil && (rel.order ?? []).allSatisfy { k in
            rel.visible.contains { dialect.quote($0) == k.sql } && !(k.isText && dialect.binaryCollation != nil)
        }
        if !(rel.star && !rel.distinct && !rel.grouped) && !fusable {
            close(&rel)
        }
        let columns: String
        if rel.star {
            columns = rel.hidden.isEmpty ? "*" : rel.visible.map(dialect.quote).joined(separator: ", ")
        } else {
            columns = rel.columns.joined(separator: ", ")
        }
        let lines = render(rel, columns: columns, final: true)
        var out: [String] = []
        // The `let` results it reads come first, each once.
        var all: [(name: String, body: [String])] = []
        for name in usedLets {
            for cte in lets[name]?.ctes ?? [] where !all.contains(where: { $0.name == cte.name }) { all.append(cte) }
        }
        let ctes = all + self.ctes
        if !ctes.isEmpty {
            out.append("WITH")
            for (i, cte) in ctes.enumerated() {
                out.append("  \(cte.name) AS (")
                out += cte.body.map { "    " + $0 }
                out.append(i == ctes.count - 1 ? "  )" : "  ),")
            }
        }
        return out + lines
    }

    /// A `let` result: its CTE chain, named after it.
    mutating func letResult(_ plan: QueryPlan, name: String) throws(Diagnostic) -> LetResult {
        let rel = try relation(plan)
        let body = render(rel, columns: rel.star ? "*" : rel.columns.joined(separator: ", "), final: false)
        ctes.append((dialect.quote(name), body))
        return LetResult(name: name, ctes: ctes, visible: rel.visible, hidden: rel.hidden, order: rel.order,
                         dependsOn: usedLets)
    }

    /// The relation of a plan, with every step applied.
    mutating func relation(_ plan: QueryPlan) throws(Diagnostic) -> Relation {
        if let stage = plan.tail.first {
            throw unsupported("charts (bar, spark)", hint: "run the query without the chart, or chart it in LKQ", stage.range)
        }
        var rel: Relation
        switch plan.source {
        case .audit:
            throw unsupported("audit", hint: "audit recomputes the report's claims in LKQ; run it there", plan.sourceRange)
        case .table(let table, _):
            if let result = lets[table.name] {
                use(result)
                rel = Relation(from: dialect.quote(table.name), visible: result.visible)
                rel.hidden = result.hidden
                rel.order = result.order
            } else {
                rel = Relation(from: dialect.quote(table.name), visible: table.fields.map(\.name))
            }
        }
        for step in plan.steps {
            try apply(step, to: &rel)
        }
        return rel
    }

    private mutating func use(_ result: LetResult) {
        for d in result.dependsOn where !usedLets.contains(d) {
            if let r = lets[d] { use(r) }
        }
        guard !usedLets.contains(result.name) else { return }
        usedLets.append(result.name)
    }

    private mutating func apply(_ step: PlanStep, to rel: inout Relation) throws(Diagnostic) {
        switch step.kind {
        case .filter(let condition):
            if !rel.open { close(&rel) }
            rel.wheres.append(top(try sql(condition, rel.visible)))
        case .project(let projections):
            if !rel.open { close(&rel) }
            var items: [String] = []
            for (i, p) in projections.enumerated() {
                let name = step.output.fields[i].name
                switch p {
                case .input(let c):
                    items.append(rel.visible[c] == name ? dialect.quote(name) : "\(dialect.quote(rel.visible[c])) AS \(dialect.quote(name))")
                case .computed(let b):
                    items.append("\(top(try sql(b, rel.visible, typedNull: true))) AS \(dialect.quote(name))")
                }
            }
            let (hiddenItems, hidden, order) = keepOrder(rel)
            rel.columns = items + hiddenItems
            rel.star = false
            rel.visible = step.output.fields.map(\.name)
            rel.hidden = hidden
            rel.order = order
        case .sort(let keys, let limit):
            if !rel.open { close(&rel) }
            var order: [OrderKey] = []
            for key in keys {
                // LKQ skips a constant key; SQL would read `ORDER BY 5` as the fifth column.
                if case .literal = key.key.kind { continue }
                order.append(OrderKey(sql: top(try sql(key.key, rel.visible)), descending: key.descending,
                                      isText: key.key.type == .text))
            }
            // A stable sort: rows that tie keep the order they had. A key already sorted on
            // decides nothing among the rows it ties, so it is written once.
            var seen = Set<String>()
            rel.order = (order + (rel.order ?? [])).filter { seen.insert($0.sql).inserted }
            if let limit { rel.limit = limit }
        case .limit(let n):
            guard rel.order != nil else {
                throw unsupported("limit on rows in no order", hint: "a database returns rows in no set order; sort first, as in | sort KEY | limit \(n)", step.range)
            }
            if !rel.open { close(&rel) }
            rel.limit = n
        case .distinct(let columns):
            if !rel.open { close(&rel) }
            let names = columns.map { rel.visible[$0] }
            rel.columns = zip(names, step.output.fields).map { n, f in
                n == f.name ? dialect.quote(n) : "\(dialect.quote(n)) AS \(dialect.quote(f.name))"
            }
            rel.star = false
            rel.distinct = true
            rel.hidden = []
            rel.visible = step.output.fields.map(\.name)
            // Distinct rows come out in the order of their values, as groups do.
            rel.order = zip(columns, rel.visible).map { c, n in
                OrderKey(sql: dialect.quote(n), descending: false, isText: step.output.fields[rel.visible.firstIndex(of: n)!].type == .text)
            }
        case .group(let keys, let items):
            if !rel.open { close(&rel) }
            var keySQL: [String] = []
            for k in keys {
                // A literal in GROUP BY would be read as a column number.
                if case .literal(let v) = k.kind, v != .null {
                    keySQL.append("CAST(\(try sql(k, rel.visible)) AS \(dialect.sqlType(k.type)))")
                } else {
                    keySQL.append(top(try sql(k, rel.visible)))
                }
            }
            var columns: [String] = []
            for (i, k) in keySQL.enumerated() {
                let name = dialect.quote(step.output.fields[i].name)
                columns.append(k == name ? k : "\(k) AS \(name)")
            }
            for (j, item) in items.enumerated() {
                let name = step.output.fields[keys.count + j].name
                columns.append("\(top(try sql(item, rel.visible, keys: keySQL, typedNull: true))) AS \(dialect.quote(name))")
            }
            rel.columns = columns
            rel.groupBy = keySQL
            rel.star = false
            rel.grouped = true
            rel.hidden = []
            rel.visible = step.output.fields.map(\.name)
            // Groups come out in key order, nulls last.
            rel.order = keys.indices.map { i in
                OrderKey(sql: dialect.quote(rel.visible[i]), descending: false, isText: keys[i].type == .text)
            }
        case .aggregate(let items):
            if !rel.open { close(&rel) }
            var columns: [String] = []
            for (j, item) in items.enumerated() {
                columns.append("\(top(try sql(item, rel.visible, typedNull: true))) AS \(dialect.quote(step.output.fields[j].name))")
            }
            rel.columns = columns
            rel.star = false
            rel.grouped = true
            rel.hidden = []
            rel.visible = step.output.fields.map(\.name)
            rel.order = []
        case .join(let join):
            if !(rel.open && rel.bare && rel.wheres.isEmpty) { close(&rel) }
            var right = try relation(join.right)
            if !(right.open && right.bare && right.wheres.isEmpty && right.hidden.isEmpty) { close(&right) }
            let on = join.keys.map { k in
                "l.\(dialect.quote(rel.visible[k.left])) = r.\(dialect.quote(right.visible[k.right]))"
            }.joined(separator: " AND ")
            var columns = ["l.*"]
            for (n, c) in join.rightColumns.enumerated() {
                let name = step.output.fields[rel.visible.count + n].name
                let original = right.visible[c]
                columns.append(original == name ? "r.\(dialect.quote(name))" : "r.\(dialect.quote(original)) AS \(dialect.quote(name))")
            }
            let kind = join.keepUnmatched ? "LEFT JOIN" : "JOIN"
            rel.from = "\(rel.from) AS l"
            rel.joins = ["\(kind) \(right.from) AS r ON \(on)"]
            rel.bare = false
            rel.columns = columns
            rel.star = false
            rel.visible = step.output.fields.map(\.name)
        }
    }

    /// The order keys of `rel` as hidden columns of a projection, so that the order survives
    /// the columns it was computed from.
    private mutating func keepOrder(_ rel: Relation) -> (items: [String], hidden: [String], order: [OrderKey]?) {
        guard let order = rel.order else { return ([], [], nil) }
        var items: [String] = []
        var hidden: [String] = []
        var kept: [OrderKey] = []
        for key in order {
            if let h = rel.hidden.first(where: { dialect.quote($0) == key.sql }) {
                if !hidden.contains(h) { items.append(key.sql); hidden.append(h) }
                kept.append(key)
                continue
            }
            hiddenCounter += 1
            let h = "__lkq_o\(hiddenCounter)"
            items.append("\(key.sql) AS \(dialect.quote(h))")
            hidden.append(h)
            kept.append(OrderKey(sql: dialect.quote(h), descending: key.descending, isText: key.isText))
        }
        return (items, hidden, kept)
    }

    /// Ends the SELECT being built as a CTE and starts a new one over it.
    private mutating func close(_ rel: inout Relation) {
        stepCounter += 1
        let name = prefix.isEmpty ? "step_\(stepCounter)" : dialect.quote("\(prefix)_\(stepCounter)")
        let columns = rel.star ? "*" : rel.columns.joined(separator: ", ")
        ctes.append((name, render(rel, columns: columns, final: false)))
        rel = Relation(from: name, visible: rel.visible, hidden: rel.hidden, order: rel.order)
    }

    /// The SELECT's lines. Inside a CTE the order is given only when a LIMIT needs it.
    private func render(_ rel: Relation, columns: String, final: Bool) -> [String] {
        let select = "SELECT \(rel.distinct ? "DISTINCT " : "")"
        var lines: [String]
        let items = rel.star && columns == "*" ? ["*"] : (columns == rel.columns.joined(separator: ", ") ? rel.columns : [columns])
        if items.count > 1 && columns.count > 80 {
            // One column a line when they do not fit on one.
            lines = [select.trimmingCharacters(in: .whitespaces)] + items.enumerated().map { i, c in
                "  " + c + (i == items.count - 1 ? "" : ",")
            }
        } else {
            lines = [select + columns]
        }
        lines.append("FROM \(rel.from)")
        lines += rel.joins
        if !rel.wheres.isEmpty {
            lines.append("WHERE " + rel.wheres.map { rel.wheres.count > 1 ? "(\($0))" : $0 }.joined(separator: " AND "))
        }
        if !rel.groupBy.isEmpty { lines.append("GROUP BY " + rel.groupBy.joined(separator: ", ")) }
        if let order = rel.order, !order.isEmpty, final || rel.limit != nil {
            lines.append("ORDER BY " + order.map(orderText).joined(separator: ", "))
        }
        if let limit = rel.limit { lines.append("LIMIT \(limit)") }
        return lines
    }

    private func orderText(_ key: OrderKey) -> String {
        var s = key.sql
        if key.isText, let c = dialect.binaryCollation { s += " COLLATE \(c)" }
        return s + (key.descending ? " DESC" : " ASC") + " NULLS LAST"
    }

    /// `s` without parentheses around the whole of it.
    func top(_ s: String) -> String {
        guard s.hasPrefix("("), s.hasSuffix(")") else { return s }
        var depth = 0
        var inString = false
        for (i, c) in s.enumerated() {
            if c == "'" { inString.toggle() }
            if inString { continue }
            if c == "(" { depth += 1 }
            if c == ")" { depth -= 1; if depth == 0 && i != s.count - 1 { return s } }
        }
        return String(s.dropFirst().dropLast())
    }
}
