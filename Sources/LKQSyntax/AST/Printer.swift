import Foundation

/// The canonical text of a parsed statement: lower-case keywords, single spaces, ` | ` between
/// stages and only the parentheses that precedence needs. Parsing the canonical text gives the
/// same tree again (ranges aside), and printing that tree gives the same text.
///
/// Every switch below covers each kind of node without `default:`, so a new node cannot be
/// added without saying how it is written.
extension Statement {
    public var canonical: String {
        switch kind {
        case .query(let query): return query.canonical
        case .bind(let name, let query): return "let \(Expr.name(name.text)) = \(query.canonical)"
        case .bindValue(let name, let value): return "let \(Expr.name(name.text)) = \(value.canonical(at: .expr))"
        case .param(let name, let value):
            return "param \(Expr.name(name.text))" + (value.map { " = " + $0.canonical(at: .expr) } ?? "")
        }
    }
}

extension Query {
    public var canonical: String {
        var text: String
        switch source {
        case .table(let name):
            // A bare `audit` is the claims audit; a table of that name needs `from`.
            text = name.text == "audit" ? "from audit" : name.text
        case .audit(let all, _):
            text = all ? "audit all" : "audit"
        }
        for (i, stage) in stages.enumerated() {
            // A leading filter is the `where` right after the source; the parser keeps it as the
            // first stage, so `t where c` and `t | where c` are the same query.
            if i == 0, case .filter(let condition) = stage.kind {
                text += " where " + condition.canonical(at: .condition)
            } else {
                text += " | " + stage.canonical
            }
        }
        return text
    }
}

extension Stage {
    public var canonical: String {
        switch kind {
        case .filter(let condition):
            return "where " + condition.canonical(at: .condition)
        case .select(let items):
            return "select " + items.map(\.canonical).joined(separator: ", ")
        case .extend(let items):
            return "extend " + items.map(\.canonical).joined(separator: ", ")
        case .distinct(let names):
            return names.isEmpty ? "distinct" : "distinct " + names.map { Expr.name($0.text) }.joined(separator: ", ")
        case .sort(let keys):
            return "sort " + keys.map { $0.expr.canonical(at: .expr) + ($0.descending ? " desc" : "") }
                .joined(separator: ", ")
        case .limit(let n):
            return "limit \(n)"
        case .aggregate(let aggregate, let arguments):
            if arguments.isEmpty { return aggregate.rawValue }
            // `sum (a) + b` would end the stage at `)`: an argument that opens with a
            // parenthesis, or several arguments, go inside the aggregate's own parentheses.
            let texts = arguments.map { $0.canonical(at: .condition) }
            if texts.count == 1, !texts[0].hasPrefix("("), arguments[0].canonical(at: .expr) == texts[0] {
                return "\(aggregate.rawValue) \(texts[0])"
            }
            return "\(aggregate.rawValue)(" + texts.joined(separator: ", ") + ")"
        case .group(let keys, let items):
            // Keys, then the aggregates after a space, as in `group by sasaran avg(capaian)`;
            // a ',' where the first aggregate opens with `-` or `(`, which would otherwise carry
            // on the last key.
            let keyText = keys.map(\.canonical).joined(separator: ", ")
            let itemText = items.map(\.canonical).joined(separator: ", ")
            guard !keyText.isEmpty, !itemText.isEmpty else { return "group by " + keyText + itemText }
            let separator = itemText.hasPrefix("-") || itemText.hasPrefix("(") ? ", " : " "
            return "group by " + keyText + separator + itemText
        case .join(let join):
            var text = join.keepUnmatched ? "left join " : "join "
            if join.right.stages.isEmpty, case .table(let name) = join.right.source {
                text += name.text
            } else {
                text += "(\(join.right.canonical))"
            }
            text += " on " + join.keys.map { $0.left.text == $0.right.text ? $0.left.text : "\($0.left.text) = \($0.right.text)" }
                .joined(separator: ", ")
            return text
        case .bar(let label, let measure):
            // A lone expression is written as the label; the evaluator reads a number there as
            // the measure, so a measure alone is written the same way. Label and measure are
            // apart, as in `bar indikator capaian`, with a ',' where the measure opens with `-`
            // or `(`, which would otherwise carry on the label.
            let parts = [label, measure].compactMap { $0?.canonical(at: .expr) }
            guard let first = parts.first else { return "bar" }
            guard parts.count == 2 else { return "bar " + first }
            return "bar " + first + (parts[1].hasPrefix("-") || parts[1].hasPrefix("(") ? ", " : " ") + parts[1]
        case .spark(let measure, let year):
            var text = "spark"
            if let measure { text += " " + measure.canonical(at: .expr) }
            if let year { text += " by " + year.canonical(at: .expr) }
            return text
        }
    }
}

extension Item {
    public var canonical: String {
        expr.canonical(at: .expr) + (alias.map { " as \($0.text)" } ?? "")
    }
}

extension Expr {
    /// How tightly a form binds, loosest first; the levels of `Grammar/lkq.ebnf`, with
    /// `Parser.binaryLevels` for the binary operators.
    public enum Precedence: Int, Comparable {
        case condition = 1  // or
        case conjunction    // and
        case negation       // not
        case predicate      // comparisons, ~, is [not] null: not chained
        case expr           // + -
        case term           // * /
        case factor         // prefix -, and negative numbers
        case primary

        public static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }

        /// The next level in.
        public var tighter: Precedence { Precedence(rawValue: rawValue + 1) ?? .primary }
    }

    /// The canonical text, without parentheses of its own.
    public var canonical: String { canonical(at: .condition) }

    /// The text where the grammar expects at least `context`: parenthesised if this
    /// expression binds more loosely.
    public func canonical(at context: Precedence) -> String {
        let (text, precedence) = printed
        return precedence < context ? "(\(text))" : text
    }

    private var printed: (String, Precedence) {
        switch kind {
        case .int(let v):
            // Parsing folds `-5` into a number; Int64.min has no literal (its digits overflow).
            if v == .min { return ("(-9223372036854775807 - 1)", .primary) }
            return ("\(v)", v < 0 ? .factor : .primary)
        case .double(let v):
            // Swift's description is the shortest text that reads back as the same double, and
            // always has a `.` or an exponent, so it lexes as a decimal, never as an integer.
            return (v.description, v.sign == .minus ? .factor : .primary)
        case .string(let s):
            return (Expr.quoted(s), .primary)
        case .null:
            return ("null", .primary)
        case .column(let name):
            return (Expr.name(name), .primary)
        case .defaultMeasure:
            // Only ever the left side of a bare comparison, which prints nothing for it.
            return ("", .primary)
        case .negate(let inner):
            let operand = inner.canonical(at: .factor)
            // `- -x`, not `--x`: easier to read, and the same tokens.
            return ("-" + (operand.hasPrefix("-") ? " " : "") + operand, .factor)
        case .not(let inner):
            return ("not " + inner.canonical(at: .negation), .negation)
        case .isNull(let inner, let negated):
            return (inner.canonical(at: .expr) + (negated ? " is not null" : " is null"), .predicate)
        case .call(let name, let arguments):
            return ("\(name.text)(" + arguments.map { $0.canonical(at: .condition) }.joined(separator: ", ") + ")", .primary)
        case .window(let name, let arguments, let window):
            var over: [String] = []
            if !window.partition.isEmpty { over.append("by " + window.partition.map { $0.canonical(at: .expr) }.joined(separator: ", ")) }
            if !window.order.isEmpty {
                over.append("sort " + window.order.map { $0.expr.canonical(at: .expr) + ($0.descending ? " desc" : "") }.joined(separator: ", "))
            }
            return ("\(name.text)(" + arguments.map { $0.canonical(at: .condition) }.joined(separator: ", ") + ") over (" + over.joined(separator: " ") + ")", .primary)
        case .inList(let inner, let list, let negated):
            return (inner.canonical(at: .expr) + (negated ? " not in (" : " in (") + list.map { $0.canonical(at: .expr) }.joined(separator: ", ") + ")", .predicate)
        case .between(let inner, let low, let high, let negated):
            return (inner.canonical(at: .expr) + (negated ? " not between " : " between ") + low.canonical(at: .expr) + " and " + high.canonical(at: .expr), .predicate)
        case .caseWhen(let branches, let otherwise):
            var text = "case"
            for b in branches { text += " when " + b.condition.canonical(at: .condition) + " then " + b.value.canonical(at: .expr) }
            if let otherwise { text += " else " + otherwise.canonical(at: .expr) }
            return (text + " end", .primary)
        case .binary(let op, let left, let right):
            let level = Expr.precedence(of: op)
            let symbol = op.rawValue
            if level == .predicate {
                // Both sides of a comparison are plain expressions: comparisons do not chain.
                let right = right.canonical(at: .expr)
                if case .defaultMeasure = left.kind { return ("\(symbol) \(right)", level) }
                return ("\(left.canonical(at: .expr)) \(symbol) \(right)", level)
            }
            // Left-associative: the right operand at the same level needs parentheses.
            return ("\(left.canonical(at: level)) \(symbol) \(right.canonical(at: level.tighter))", level)
        }
    }

    public static func precedence(of op: BinaryOperator) -> Precedence {
        switch op {
        case .or: return .condition
        case .and: return .conjunction
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual, .contains: return .predicate
        case .add, .subtract: return .expr
        case .multiply, .divide: return .term
        }
    }

    /// A name as it must be typed: as it is when it lexes as that name, else in backquotes.
    public static func name(_ n: String) -> String {
        var bytes = Array(n.utf8)
        let plain = !bytes.isEmpty && Keyword(rawValue: n) == nil && n == n.lowercased() && {
            guard let first = bytes.first, first == 95 || (first >= 97 && first <= 122) || first >= 0xC0 else { return false }
            bytes.removeFirst()
            return n.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
        }()
        if plain { return n }
        return "`" + n.replacingOccurrences(of: "`", with: "``") + "`"
    }

    /// `s` in double quotes, escaped so that the lexer reads back exactly `s`.
    public static func quoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
