import Foundation

/// Expressions: one ``Bound`` to SQL text over the columns of the relation it reads.
extension SQLCompiler {
    /// The characters LKQ's `trim` removes: the tab and Unicode's space separators.
    static let trimmed = "\t \u{A0}\u{1680}\u{2000}\u{2001}\u{2002}\u{2003}\u{2004}\u{2005}\u{2006}\u{2007}\u{2008}\u{2009}\u{200A}\u{202F}\u{205F}\u{3000}"

    /// SQL for `b`; binary operations come parenthesised (``top(_:)`` strips the outermost).
    /// `columns` names the input columns, `keys` the SQL of the enclosing group's keys.
    /// `typedNull` casts a bare null to the expression's type, for an output column.
    func sql(_ b: Bound, _ columns: [String], keys: [String] = [], typedNull: Bool = false) throws(Diagnostic) -> String {
        func go(_ x: Bound) throws(Diagnostic) -> String { try sql(x, columns, keys: keys) }
        // An operand of arithmetic: a bare null gets the operation's type, since `- NULL` and
        // `NULL + NULL` have no type in SQL.
        func operand(_ x: Bound, _ type: ValueType) throws(Diagnostic) -> String {
            if x.type == .null, case .literal = x.kind, parameterName(x) == nil { return "CAST(NULL AS \(dialect.sqlType(type)))" }
            return try go(x)
        }
        switch b.kind {
        case .literal(let v):
            if let name = parameterName(b) { return "CAST(\(SQLCompiler.parameterToken(name)) AS \(dialect.sqlType(b.type)))" }
            if v == .null && typedNull { return "CAST(NULL AS \(dialect.sqlType(b.type)))" }
            return literal(v)
        case .column(let c):
            return dialect.quote(columns[c])
        case .groupKey(let k):
            return keys[k]
        case .negate(let e):
            return "(- \(try operand(e, b.type)))"
        case .arithmetic(let op, let l, let r):
            var left = try operand(l, b.type), right = try operand(r, b.type)
            if op == .divide {
                // LKQ divides as decimals, and a division by zero is null.
                if l.type != .double { left = "CAST(\(top(left)) AS \(dialect.doubleType))" }
                if r.type != .double { right = "CAST(\(top(right)) AS \(dialect.doubleType))" }
                return "(\(left) / NULLIF(\(right), 0))"
            }
            // Integer literals are 32-bit in SQL; two of them must be 64-bit as in LKQ.
            if l.type == .int && r.type == .int && !l.readsColumns && !r.readsColumns {
                left = "CAST(\(top(left)) AS \(dialect.bigintType))"
            }
            return "(\(left) \(op.rawValue) \(right))"
        case .compare(.contains, let l, let r):
            return try contains(l, r, columns, keys)
        case .compare(let op, let l, let r):
            var left = try go(l)
            let symbol = op == .notEqual ? "<>" : op.rawValue
            if op != .equal && op != .notEqual && (l.type == .text || r.type == .text), let c = dialect.binaryCollation {
                left = "\(left) COLLATE \(c)"
            }
            return "(\(left) \(symbol) \(try go(r)))"
        case .and(let l, let r):
            return "(\(try go(l)) AND \(try go(r)))"
        case .or(let l, let r):
            return "(\(try go(l)) OR \(try go(r)))"
        case .not(let c):
            // LKQ's conditions hold or not: `not c` holds wherever c does not, null c included.
            return "(NOT COALESCE(\(top(try go(c))), FALSE))"
        case .isNull(let e, let negated):
            return "(\(try go(e)) IS \(negated ? "NOT " : "")NULL)"
        case .inList(let e, let list, let negated):
            var items: [String] = []
            for x in list { items.append(top(try go(x))) }
            return "(\(try go(e)) \(negated ? "NOT IN" : "IN") (\(items.joined(separator: ", "))))"
        case .caseWhen(let branches, let otherwise):
            var parts = ["CASE"]
            for br in branches { parts.append("WHEN \(top(try go(br.condition))) THEN \(top(try go(br.value)))") }
            if let o = otherwise { parts.append("ELSE \(top(try go(o)))") }
            parts.append("END")
            let text = parts.joined(separator: " ")
            return b.type == .null || typedNull && b.type != .condition ? "CAST(\(text) AS \(dialect.sqlType(b.type)))" : text
        case .call(let fn, let args):
            return try call(fn, args, b, columns, keys)
        case .aggregate(let fn, let args):
            return try aggregate(fn, args, over: nil, b, columns, keys)
        case .window(let w):
            return try window(w, b, columns)
        }
    }

    static func parameterToken(_ name: String) -> String { "\u{1}\(name)\u{1}" }

    /// The parameter a literal was read from, if it came from a `param` name.
    private func parameterName(_ b: Bound) -> String? {
        let text = source.slice(b.range)
        return parameterNames[text]
    }

    func literal(_ v: Value) -> String {
        switch v {
        case .null: return "NULL"
        case .int(let i): return i < 0 ? "(\(i))" : String(i)
        case .double(let d): return d < 0 ? "(\(dialect.double(d)))" : dialect.double(d)
        case .text(let s): return dialect.string(s)
        }
    }

    /// `l ~ r`: case-insensitive contains, LIKE's `%` and `_` (and the escape `!`) taken literally.
    private func contains(_ l: Bound, _ r: Bound, _ columns: [String], _ keys: [String]) throws(Diagnostic) -> String {
        let left = top(try sql(l, columns, keys: keys))
        let pattern: String
        if case .literal(.text(let s)) = r.kind, parameterName(r) == nil {
            var escaped = ""
            for c in s {
                if c == "!" || c == "%" || c == "_" { escaped.append("!") }
                escaped.append(c)
            }
            pattern = dialect.string("%" + escaped + "%")
        } else {
            let needle = top(try sql(r, columns, keys: keys))
            // `||`, not CONCAT: a null needle must leave the pattern null (no match), not '%%'.
            pattern = "('%' || REPLACE(REPLACE(REPLACE(\(needle), '!', '!!'), '%', '!%'), '_', '!_') || '%')"
        }
        return "(\(left) ILIKE \(pattern) ESCAPE '!')"
    }

    /// Text of a value as LKQ writes it: a whole decimal without `.0`.
    private func text(_ x: String, _ type: ValueType) -> String {
        switch type {
        case .text, .null, .condition: return top(x)
        case .int: return "CAST(\(top(x)) AS \(dialect.textType))"
        case .double:
            return "CASE WHEN \(x) = FLOOR(\(x)) AND ABS(\(x)) < 1e15 THEN CAST(CAST(\(x) AS \(dialect.bigintType)) AS \(dialect.textType)) ELSE CAST(\(x) AS \(dialect.textType)) END"
        }
    }

    private func double(_ x: String, _ type: ValueType) -> String {
        type == .double ? x : "CAST(\(top(x)) AS \(dialect.doubleType))"
    }

    /// A whole number of positions from a number, truncated as LKQ does.
    private func position(_ x: String, _ type: ValueType) -> String {
        // Spark's cast truncates, and its TRUNC is for dates; the others round when they cast.
        type == .double && !dialect.castTruncates ? "CAST(TRUNC(\(top(x))) AS \(dialect.integerType))" : "CAST(\(top(x)) AS \(dialect.integerType))"
    }

    private func call(_ fn: ScalarFunction, _ args: [Bound], _ b: Bound, _ columns: [String], _ keys: [String]) throws(Diagnostic) -> String {
        var a: [String] = []
        for x in args { a.append(try sql(x, columns, keys: keys)) }
        switch fn {
        case .round:
            var digits: Int64 = 0
            if args.count == 2, case .literal(.int(let d)) = args[1].kind { digits = d }
            if args[0].type == .int && digits >= 0 { return a[0] }
            // Half away from zero on the scaled double, as LKQ rounds.
            let scale = dialect.double(pow(10.0, Double(digits)))
            let y = "(\(double(a[0], args[0].type)) * \(scale))"
            return "(SIGN(\(y)) * FLOOR(ABS(\(y)) + 0.5) / \(scale))"
        case .abs: return "ABS(\(top(a[0])))"
        case .lower: return "LOWER(\(top(a[0])))"
        case .upper: return "UPPER(\(top(a[0])))"
        case .coalesce:
            let joined = a.map(top).joined(separator: ", ")
            return b.type == .double ? "CAST(COALESCE(\(joined)) AS \(dialect.doubleType))" : "COALESCE(\(joined))"
        case .kategori:
            let x = a[0]
            var parts = ["CASE"]
            for (atLeast, nama) in Kinerja.kategoriSkala where atLeast.isFinite {
                parts.append("WHEN \(x) >= \(Int(atLeast)) THEN \(dialect.string(nama))")
            }
            parts.append("WHEN \(x) IS NOT NULL THEN \(dialect.string(Kinerja.kategoriSkala.last!.nama)) END")
            return parts.joined(separator: " ")
        case .hitung_capaian:
            let r = double(a[0], args[0].type), t = double(a[1], args[1].type)
            let positif = "\(r) * 100 / \(t)"
            var rumus = Kinerja.RumusNegatif.selisih
            if args.count == 4, case .literal(.text(let s)) = args[3].kind, let parsed = Kinerja.RumusNegatif(rawValue: s.lowercased()) {
                rumus = parsed
            }
            let negatif = rumus == .selisih ? "(2 * \(t) - \(r)) * 100 / \(t)" : "CASE WHEN \(r) > 0 THEN \(t) * 100 / \(r) END"
            var value = positif
            if args.count >= 3 {
                let p = "LOWER(\(dialect.trim(top(a[2]), dialect.string(SQLCompiler.trimmed))))"
                value = "CASE WHEN \(a[2]) IS NULL OR \(p) = 'positif' THEN \(positif) WHEN \(p) = 'negatif' THEN \(negatif) END"
            }
            return "CASE WHEN \(t) > 0 AND \(r) IS NOT NULL THEN \(value) END"
        case .length:
            return "CAST(LENGTH(\(top(a[0]))) AS \(dialect.bigintType))"
        case .trim:
            return dialect.trim(top(a[0]), dialect.string(SQLCompiler.trimmed))
        case .substr:
            let s = top(a[0]), start = position(a[1], args[1].type)
            let from = "GREATEST(\(start), 1)"
            if args.count == 2 {
                return "CASE WHEN \(start) IS NOT NULL THEN SUBSTR(\(s), \(from)) END"
            }
            // Positions before the first still count, as in SQL: (start, len) covers
            // [start, start + len) clipped to the text.
            let len = position(a[2], args[2].type)
            return "CASE WHEN \(start) IS NOT NULL AND \(len) IS NOT NULL THEN SUBSTR(\(s), \(from), GREATEST(\(start) + GREATEST(\(len), 0), 1) - \(from)) END"
        case .replace:
            let s = top(a[0])
            if case .literal(.text(let f)) = args[1].kind, !f.isEmpty, parameterName(args[1]) == nil {
                return "REPLACE(\(s), \(top(a[1])), \(top(a[2])))"
            }
            return "CASE WHEN \(a[1]) = '' THEN \(s) ELSE REPLACE(\(s), \(top(a[1])), \(top(a[2]))) END"
        case .split_part:
            let n = position(a[2], args[2].type)
            return "CASE WHEN \(n) = 0 THEN '' ELSE SPLIT_PART(\(top(a[0])), \(top(a[1])), \(n)) END"
        case .starts_with:
            return "(SUBSTR(\(top(a[0])), 1, LENGTH(\(top(a[1])))) = \(a[1]))"
        case .ends_with:
            return "(RIGHT(\(top(a[0])), LENGTH(\(top(a[1])))) = \(a[1]))"
        case .concat:
            let parts = zip(a, args).map { x, arg in "COALESCE(\(text(x, arg.type)), '')" }
            return "CONCAT(\(parts.joined(separator: ", ")))"
        case .text:
            return text(a[0], args[0].type)
        case .number:
            guard args[0].type != .text else {
                throw unsupported("number() of text", hint: "the Indonesian number reading has no SQL form yet; convert the column in the database, or run the query in LKQ", b.range)
            }
            return double(a[0], args[0].type)
        }
    }

    /// An aggregate, plain or with an OVER clause.
    private func aggregate(_ fn: AggregateFunction, _ args: [Bound], over: String?, _ b: Bound, _ columns: [String], _ keys: [String]) throws(Diagnostic) -> String {
        var a: [String] = []
        for x in args { a.append(top(try sql(x, columns, keys: keys))) }
        let window = over.map { " OVER \($0)" } ?? ""
        switch fn {
        case .count:
            return a.isEmpty ? "COUNT(*)\(window)" : "COUNT(\(a[0]))\(window)"
        case .sum, .sum_if:
            let x = fn == .sum ? a[0] : "CASE WHEN \(a[1]) THEN \(a[0]) END"
            // SUM of BIGINT is wider than BIGINT on every target: cast back so a total that
            // does not fit is an error, as in LKQ.
            if args[0].type == .double {
                // Decimals with cents add up exactly in LKQ: in an exact type where the target has one.
                guard over == nil, let exact = dialect.exactDecimal else { return "SUM(\(x))\(window)" }
                return "CAST(SUM(CAST(\(x) AS \(exact))) AS \(dialect.doubleType))"
            }
            return "CAST(SUM(\(x))\(window) AS \(dialect.bigintType))"
        case .avg:
            if args[0].type == .double {
                guard over == nil, let exact = dialect.exactDecimal else { return "AVG(\(a[0]))\(window)" }
                return "CAST(AVG(CAST(\(a[0]) AS \(exact))) AS \(dialect.doubleType))"
            }
            switch dialect.integerMean {
            case .average: return "CAST(AVG(\(a[0]))\(window) AS \(dialect.doubleType))"
            case .decimalSum:
                return "CAST(SUM(CAST(\(a[0]) AS DECIMAL(38, 0)))\(window) AS \(dialect.doubleType)) / NULLIF(COUNT(\(a[0]))\(window), 0)"
            }
        case .min, .max:
            let collate = args[0].type == .text ? dialect.binaryCollation.map { " COLLATE \($0)" } ?? "" : ""
            return "\(fn == .min ? "MIN" : "MAX")(\(a[0])\(collate))\(window)"
        case .count_distinct:
            if over != nil && !dialect.distinctInWindow {
                throw unsupported("count_distinct with over", hint: "\(dialect.title) has no DISTINCT in a window; group by the window's keys and join the counts back", b.range)
            }
            return "COUNT(DISTINCT \(a[0]))\(window)"
        case .count_if:
            return "COUNT(CASE WHEN \(a[0]) THEN 1 END)\(window)"
        case .median:
            let x = args[0].type == .double ? a[0] : "CAST(\(a[0]) AS \(dialect.doubleType))"
            switch dialect.median {
            case .percentileCont:
                if over != nil {
                    throw unsupported("median with over", hint: "\(dialect.title) has no median as a window function; group by the window's keys and join the medians back", b.range)
                }
                return "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY \(x))"
            case .quantileCont: return "QUANTILE_CONT(\(x), 0.5)\(window)"
            case .percentile: return "PERCENTILE(\(x), 0.5)\(window)"
            }
        }
    }

    private func window(_ w: WindowCall, _ b: Bound, _ columns: [String]) throws(Diagnostic) -> String {
        var clause: [String] = []
        if !w.partition.isEmpty {
            var parts: [String] = []
            for p in w.partition { parts.append(top(try sql(p, columns))) }
            clause.append("PARTITION BY " + parts.joined(separator: ", "))
        }
        var order: [String] = []
        for k in w.order {
            if case .literal = k.key.kind { continue }
            var s = top(try sql(k.key, columns))
            if k.key.type == .text, let c = dialect.binaryCollation { s += " COLLATE \(c)" }
            order.append(s + (k.descending ? " DESC" : " ASC") + " NULLS LAST")
        }
        if !order.isEmpty { clause.append("ORDER BY " + order.joined(separator: ", ")) }
        let over = "(" + clause.joined(separator: " ") + ")"
        switch w.function {
        case .aggregate(let fn):
            return try aggregate(fn, w.arguments, over: over, b, columns, [])
        case .window(let fn):
            var a: [String] = []
            for x in w.arguments {
                // A bare string literal has no type in PostgreSQL, which LAG and FIRST_VALUE need.
                if case .literal(.text) = x.kind { a.append("CAST(\(top(try sql(x, columns))) AS \(dialect.textType))"); continue }
                a.append(top(try sql(x, columns)))
            }
            switch fn {
            case .row_number: return "ROW_NUMBER() OVER \(over)"
            case .rank: return "RANK() OVER \(over)"
            case .dense_rank: return "DENSE_RANK() OVER \(over)"
            case .lag, .lead:
                let name = fn == .lag ? "LAG" : "LEAD"
                return "\(name)(\(a.joined(separator: ", "))) OVER \(over)"
            case .first, .last:
                guard !order.isEmpty else {
                    throw unsupported("\(fn.rawValue) without sort", hint: "a database's rows have no order of their own; say which row is \(fn.rawValue), as in over (by KEY sort KEY)", b.range)
                }
                return "\(fn == .first ? "FIRST_VALUE" : "LAST_VALUE")(\(a[0])) OVER \(over)"
            }
        }
    }
}

extension Bound {
    /// Whether the expression reads a column (or a group's rows), rather than being constant.
    var readsColumns: Bool {
        var set = Set<Int>()
        collectColumns(into: &set)
        if !set.isEmpty { return true }
        switch kind {
        case .groupKey, .aggregate, .window: return true
        case .negate(let e): return e.readsColumns
        case .arithmetic(_, let l, let r): return l.readsColumns || r.readsColumns
        case .call(_, let args): return args.contains(where: \.readsColumns)
        default: return false
        }
    }
}
