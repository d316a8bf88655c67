import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

extension Operand {
    /// Value `i`, boxed.
    func value(_ i: Int) -> Value {
        switch self {
        case .column(let c): return c.value(at: i)
        case .constant(let v): return v
        }
    }

    /// The operand as a column of `count` rows of the type the plan gave it, so that a column
    /// of nulls is still typed (an all-null text column stays text).
    func materialize(count: Int, as type: ValueType) -> Column {
        if case .constant(.null) = self { return .allNull(type.columnType, count: count) }
        return materialize(count: count)
    }
}

extension Column {
    /// A column of `type` from a value per row; integers widen to decimals in a decimal column.
    static func build(type: ValueType, count: Int, _ value: (Int) -> Value) -> Column {
        switch type.columnType {
        case .int:
            return .ints((0..<count).map { if case .int(let x) = value($0) { return x }; return nil })
        case .double:
            return .doubles((0..<count).map {
                switch value($0) {
                case .double(let d): return d
                case .int(let i): return Double(i)
                default: return nil
                }
            })
        case .text:
            return .texts((0..<count).map { if case .text(let s) = value($0) { return s }; return nil })
        }
    }
}

extension Evaluator {
    /// The text functions and `number`/`text`: a null argument gives null (`concat` reads it
    /// as empty text). A text column whose other arguments are constants is computed once per
    /// distinct text, through its dictionary.
    func textFunction(_ fn: ScalarFunction, _ values: [Operand], count: Int, range: SourceRange) throws(Diagnostic) -> Operand {
        let f: ([Value]) -> Value = { Evaluator.apply(fn, $0) }
        if values.allSatisfy({ if case .constant = $0 { return true }; return false }) {
            return .constant(f(values.map { $0.value(0) }))
        }
        let resultType: ValueType
        switch fn {
        case .length, .starts_with, .ends_with: resultType = .int
        case .number: resultType = .double
        default: resultType = .text
        }
        if case .column(let c) = values[0], case .text(let codes, let dict) = c.storage,
           values.dropFirst().allSatisfy({ if case .constant = $0 { return true }; return false }) {
            let rest = values.dropFirst().map { $0.value(0) }
            let mapped = dict.map { f([.text($0)] + rest) }
            let nullResult = f([.null] + rest)
            return .column(Column.build(type: resultType, count: count) { k in
                c.isNull(k) ? nullResult : mapped[Int(codes[k])]
            })
        }
        return .column(Column.build(type: resultType, count: count) { k in f(values.map { $0.value(k) }) })
    }

    /// One row of a text function. Positions count Unicode scalars, as SQL engines do.
    static func apply(_ fn: ScalarFunction, _ args: [Value]) -> Value {
        func text(_ v: Value) -> String? {
            switch v {
            case .null: return nil
            case .text(let s): return s
            case .int, .double: return v.description
            }
        }
        func int(_ v: Value) -> Int64? {
            switch v {
            case .int(let i): return i
            case .double(let d) where d.isFinite && abs(d) < 9e18: return Int64(d.rounded(.towardZero))
            default: return nil
            }
        }
        switch fn {
        case .concat:
            return .text(args.map { text($0) ?? "" }.joined())
        case .text:
            return text(args[0]).map(Value.text) ?? .null
        case .number:
            guard let s = text(args[0]) else { return .null }
            if case .int(let i) = args[0] { return .double(Double(i)) }
            if case .double = args[0] { return args[0] }
            return IndonesianNumber.read(s).map(Value.double) ?? .null
        default: break
        }
        guard let s = text(args[0]) else { return .null }
        let scalars = Array(s.unicodeScalars)
        switch fn {
        case .length:
            return .int(Int64(scalars.count))
        case .trim:
            // Spaces only, as SQL's trim: a tab or line break inside data is kept where it is.
            return .text(s.trimmingCharacters(in: CharacterSet(charactersIn: " ")))
        case .substr:
            guard let start = int(args[1]) else { return .null }
            var len: Int64? = nil
            if args.count == 3 {
                guard let l = int(args[2]) else { return .null }
                len = l
            }
            // 1-based; a start before the text still counts the positions before it, as in SQL.
            var from = start - 1
            var to = len.map { from.addingReportingOverflow(max(0, $0)).overflow ? Int64.max : from + max(0, $0) } ?? Int64(scalars.count)
            from = max(0, from)
            to = min(Int64(scalars.count), to)
            guard from < to else { return .text("") }
            var out = String.UnicodeScalarView()
            out.append(contentsOf: scalars[Int(from)..<Int(to)])
            return .text(String(out))
        case .replace:
            guard let from = text(args[1]), let to = text(args[2]) else { return .null }
            if from.isEmpty { return .text(s) }
            return .text(s.replacingOccurrences(of: from, with: to, options: .literal))
        case .split_part:
            guard let sep = text(args[1]), let n = int(args[2]) else { return .null }
            let parts: [String] = sep.isEmpty ? [s] : s.components(separatedBy: sep)
            if n > 0, n <= parts.count { return .text(parts[Int(n) - 1]) }
            if n < 0, -n <= Int64(parts.count) { return .text(parts[parts.count + Int(n)]) }
            return .text("")
        case .starts_with, .ends_with:
            guard let p = text(args[1]) else { return .null }
            let hit = fn == .starts_with ? s.unicodeScalars.starts(with: p.unicodeScalars)
                                         : s.unicodeScalars.reversed().starts(with: p.unicodeScalars.reversed())
            return hit ? .int(1) : .null
        default:
            return .null
        }
    }
}

/// Numbers written the way Indonesian offices and English-language exports write them.
enum IndonesianNumber {
    /// `1.476` → 1476, `98,40` → 98.4, `Rp 9.051.591.780` → 9051591780, `1,234.5` → 1234.5,
    /// `12.5%` → 12.5; nil for anything else. A single `.` followed by exactly three digits is
    /// a thousands separator (the Indonesian reading); with one or two digits it is a decimal
    /// point. A single `,` is a decimal comma; several are thousands separators.
    static func read(_ raw: String) -> Double? {
        var s = raw.trimmingCharacters(in: .whitespaces)
        if s.lowercased().hasPrefix("rp") { s = String(s.dropFirst(2)).trimmingCharacters(in: CharacterSet(charactersIn: " .")) }
        if s.hasSuffix("%") { s = String(s.dropLast()).trimmingCharacters(in: .whitespaces) }
        var negative = false
        if s.hasPrefix("-") { negative = true; s.removeFirst() }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }),
              s.first!.isNumber || s.first == "." || s.first == "," else { return nil }
        let dots = s.filter { $0 == "." }.count
        let commas = s.filter { $0 == "," }.count
        var plain: String
        if dots > 0 && commas > 0 {
            // The later separator is the decimal one.
            let lastDot = s.lastIndex(of: ".")!, lastComma = s.lastIndex(of: ",")!
            if lastComma > lastDot {
                guard commas == 1 else { return nil }
                plain = s.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
            } else {
                guard dots == 1 else { return nil }
                plain = s.replacingOccurrences(of: ",", with: "")
            }
        } else if dots > 1 {
            guard groupsOfThree(s, ".") else { return nil }
            plain = s.replacingOccurrences(of: ".", with: "")
        } else if commas > 1 {
            guard groupsOfThree(s, ",") else { return nil }
            plain = s.replacingOccurrences(of: ",", with: "")
        } else if dots == 1 {
            let after = s.split(separator: ".", omittingEmptySubsequences: false)[1]
            plain = after.count == 3 && s.first != "." ? s.replacingOccurrences(of: ".", with: "") : s
        } else if commas == 1 {
            plain = s.replacingOccurrences(of: ",", with: ".")
        } else {
            plain = s
        }
        guard let v = Double(plain), v.isFinite else { return nil }
        return negative ? -v : v
    }

    private static func groupsOfThree(_ s: String, _ sep: Character) -> Bool {
        let parts = s.split(separator: sep, omittingEmptySubsequences: false)
        guard let first = parts.first, (1...3).contains(first.count) else { return false }
        return parts.dropFirst().allSatisfy { $0.count == 3 }
    }
}
