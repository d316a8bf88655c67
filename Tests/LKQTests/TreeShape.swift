@testable import LKQ
@testable import LKQSyntax

/// A parsed tree written out in full with its source ranges left out, so that two trees compare
/// equal exactly when they have the same shape and values. Doubles are written by their bits:
/// `-0.0` and `0.0` differ.
///
/// Every switch covers each kind of node without `default:`, like the printer's.
enum TreeShape {
    static func of(_ statement: Statement) -> String {
        switch statement.kind {
        case .query(let q): return of(q)
        case .bind(let name, let q): return "(let \(name.text) \(of(q)))"
        case .bindValue(let name, let e): return "(let-value \(name.text) \(of(e)))"
        case .param(let name, let e): return "(param \(name.text) \(e.map(of) ?? "-"))"
        }
    }

    static func of(_ query: Query) -> String {
        let source: String
        switch query.source {
        case .table(let name): source = "(table \(name.text))"
        case .audit(let all, _): source = all ? "(audit all)" : "(audit)"
        }
        return "(query \(source)" + query.stages.map { " " + of($0) }.joined() + ")"
    }

    static func of(_ stage: Stage) -> String {
        switch stage.kind {
        case .filter(let e): return "(where \(of(e)))"
        case .select(let items): return "(select" + items.map { " " + of($0) }.joined() + ")"
        case .sort(let keys): return "(sort" + keys.map { " (\(of($0.expr)) \($0.descending ? "desc" : "asc"))" }.joined() + ")"
        case .limit(let n): return "(limit \(n))"
        case .aggregate(let a, let args): return "(\(a.rawValue)" + args.map { " " + of($0) }.joined() + ")"
        case .extend(let items): return "(extend" + items.map { " " + of($0) }.joined() + ")"
        case .distinct(let names): return "(distinct" + names.map { " " + $0.text }.joined() + ")"
        case .group(let keys, let items):
            return "(group (keys" + keys.map { " " + of($0) }.joined() + ") (items" + items.map { " " + of($0) }.joined() + "))"
        case .join(let j):
            let keys = j.keys.map { " (\($0.left.text) \($0.right.text))" }.joined()
            return "(\(j.keepUnmatched ? "left-join" : "join") \(of(j.right))\(keys))"
        case .bar(let label, let measure):
            return "(bar \(label.map(of) ?? "-") \(measure.map(of) ?? "-"))"
        case .spark(let measure, let year):
            return "(spark \(measure.map(of) ?? "-") \(year.map(of) ?? "-"))"
        }
    }

    static func of(_ item: Item) -> String {
        "(item \(of(item.expr))" + (item.alias.map { " \($0.text)" } ?? "") + ")"
    }

    static func of(_ e: Expr) -> String {
        switch e.kind {
        case .int(let v): return "\(v)"
        case .double(let v): return "\(v)d\(String(v.bitPattern, radix: 16))"
        case .string(let s): return "\(s.unicodeScalars.map { String($0.value, radix: 16) })"
        case .null: return "null"
        case .column(let c): return "$\(c)"
        case .defaultMeasure: return "<measure>"
        case .negate(let x): return "(neg \(of(x)))"
        case .not(let x): return "(not \(of(x)))"
        case .binary(let op, let l, let r): return "(\(op.rawValue) \(of(l)) \(of(r)))"
        case .isNull(let x, let negated): return "(\(negated ? "is-not-null" : "is-null") \(of(x)))"
        case .call(let name, let args): return "(call \(name.text)" + args.map { " " + of($0) }.joined() + ")"
        case .inList(let x, let list, let negated):
            return "(\(negated ? "not-in" : "in") \(of(x))" + list.map { " " + of($0) }.joined() + ")"
        case .between(let x, let lo, let hi, let negated):
            return "(\(negated ? "not-between" : "between") \(of(x)) \(of(lo)) \(of(hi)))"
        case .caseWhen(let branches, let otherwise):
            return "(case" + branches.map { " (when \(of($0.condition)) \(of($0.value)))" }.joined() + " (else \(otherwise.map(of) ?? "-")))"
        case .window(let name, let args, let w):
            return "(window \(name.text)" + args.map { " " + of($0) }.joined() + " (by" + w.partition.map { " " + of($0) }.joined()
                + ") (sort" + w.order.map { " (\(of($0.expr)) \($0.descending ? "desc" : "asc"))" }.joined() + "))"
        }
    }
}
