import Foundation

/// Evaluates expressions a column at a time over a ``Frame``.
struct Evaluator {
    let source: SourceFile
    let control: RunControl?

    static let functions = ["round", "abs", "lower", "upper", "coalesce", "kategori", "hitung_capaian"]

    func fail(_ kind: DiagnosticKind, _ range: SourceRange) -> Diagnostic {
        Diagnostic(kind, in: source, at: range)
    }

    func checkCancelled() throws(Diagnostic) {
        try control?.check()
    }

    // MARK: Names

    func columnIndex(_ name: String, in frame: Frame, at range: SourceRange) throws(Diagnostic) -> Int {
        if let i = frame.index(of: name) { return i }
        let suggestion = nearestName(to: name, in: frame.fields.map(\.name))
        throw fail(.unknownColumn(name, table: frame.tableName, suggestion: suggestion), range)
    }

    func measureIndex(in frame: Frame, at range: SourceRange) throws(Diagnostic) -> Int {
        guard let m = frame.measure, let i = frame.index(of: m) else {
            throw fail(.noDefaultMeasure(table: frame.tableName), range)
        }
        return i
    }

    // MARK: Values

    /// The value of `expr` for every visible row of `frame`.
    func value(_ expr: Expr, _ frame: Frame) throws(Diagnostic) -> Operand {
        switch expr.kind {
        case .int(let v): return .constant(.int(v))
        case .double(let v): return .constant(.double(v))
        case .string(let s): return .constant(.text(s))
        case .null: return .constant(.null)
        case .column(let name):
            return .column(frame.visible(try columnIndex(name, in: frame, at: expr.range)))
        case .defaultMeasure:
            return .column(frame.visible(try measureIndex(in: frame, at: expr.range)))
        case .negate(let inner):
            let v = try value(inner, frame)
            return try arithmetic(.subtract, .constant(.int(0)), v, count: frame.rowCount, range: expr.range)
        case .binary(let op, let l, let r) where !op.isComparison && op != .contains && op != .and && op != .or:
            let left = try value(l, frame)
            let right = try value(r, frame)
            return try arithmetic(op, left, right, count: frame.rowCount, range: expr.range)
        case .binary, .not, .isNull:
            throw fail(.conditionAsValue, expr.range)
        case .call(let name, let args):
            if Aggregate(rawValue: name.text) != nil {
                throw fail(.aggregateOutsideGroup(name.text), name.range)
            }
            let values = try args.map { (a: Expr) throws(Diagnostic) -> Operand in try value(a, frame) }
            return try call(name, values, args: args, count: frame.rowCount, range: expr.range)
        }
    }

    /// `+ - * /` on numbers. Integers stay exact (overflow is an error, never a wrap);
    /// `/` always gives a decimal, and dividing by zero gives null. A decimal result beyond
    /// the range of a `Double` is an error too, so no infinity or NaN ever reaches a result.
    func arithmetic(_ op: BinaryOperator, _ l: Operand, _ r: Operand, count: Int, range: SourceRange) throws(Diagnostic) -> Operand {
        guard l.isNumeric, r.isNumeric else {
            throw fail(.typeMismatch(operation: op.rawValue, left: l.typeName, right: r.typeName), range)
        }
        if case .constant(let a) = l, case .constant(let b) = r {
            let v = try fold(op, a, b, range: range)
            // `0/0` is a null decimal, not an untyped null (which reads as an integer).
            if v == .null && (op == .divide || l.type == .double || r.type == .double) {
                return .column(.doubles([Double?](repeating: nil, count: count)))
            }
            return .constant(v)
        }
        let n = count
        var nulls = [Bool](repeating: false, count: n)
        var anyNull = false
        if op == .divide || l.type == .double || r.type == .double {
            var overflow = false
            let out = Buffer<Double>.make(count: n) { out in
                for i in 0..<n {
                    if l.isNull(i) || r.isNull(i) { nulls[i] = true; anyNull = true; out[i] = 0; continue }
                    let a = l.double(i), b = r.double(i)
                    switch op {
                    case .add: out[i] = a + b
                    case .subtract: out[i] = a - b
                    case .multiply: out[i] = a * b
                    default:
                        if b == 0 { nulls[i] = true; anyNull = true; out[i] = 0 } else { out[i] = a / b }
                    }
                    if !out[i].isFinite { overflow = true }
                }
            }
            let column = Column(storage: .double(out), nulls: anyNull ? NullMask.from(nulls) : nil)
            for i in 0..<n where !column.isNull(i) && !out[i].isFinite {
                throw fail(.decimalOverflow(operation: op.rawValue), range)
            }
            return .column(column)
        }
        var overflow = false
        let out = Buffer<Int64>.make(count: n) { out in
            for i in 0..<n {
                if l.isNull(i) || r.isNull(i) { nulls[i] = true; anyNull = true; out[i] = 0; continue }
                let a = l.int(i), b = r.int(i)
                let (v, o): (Int64, Bool)
                switch op {
                case .add: (v, o) = a.addingReportingOverflow(b)
                case .subtract: (v, o) = a.subtractingReportingOverflow(b)
                default: (v, o) = a.multipliedReportingOverflow(by: b)
                }
                overflow = overflow || o
                out[i] = v
            }
        }
        if overflow { throw fail(.integerOverflow(operation: op.rawValue), range) }
        return .column(Column(storage: .int(out), nulls: anyNull ? NullMask.from(nulls) : nil))
    }

    private func fold(_ op: BinaryOperator, _ a: Value, _ b: Value, range: SourceRange) throws(Diagnostic) -> Value {
        if a == .null || b == .null { return .null }
        if case .int(let x) = a, case .int(let y) = b, op != .divide {
            let (v, o): (Int64, Bool)
            switch op {
            case .add: (v, o) = x.addingReportingOverflow(y)
            case .subtract: (v, o) = x.subtractingReportingOverflow(y)
            default: (v, o) = x.multipliedReportingOverflow(by: y)
            }
            if o { throw fail(.integerOverflow(operation: op.rawValue), range) }
            return .int(v)
        }
        let x = Operand.constant(a).double(0), y = Operand.constant(b).double(0)
        let v: Double
        switch op {
        case .add: v = x + y
        case .subtract: v = x - y
        case .multiply: v = x * y
        default:
            if y == 0 { return .null }
            v = x / y
        }
        guard v.isFinite else { throw fail(.decimalOverflow(operation: op.rawValue), range) }
        return .double(v)
    }

    // MARK: Functions

    func call(_ name: Name, _ values: [Operand], args: [Expr], count: Int, range: SourceRange) throws(Diagnostic) -> Operand {
        func arity(_ expected: String, _ ok: Bool) throws(Diagnostic) {
            if !ok { throw fail(.wrongArgumentCount(function: name.text, expected: expected, got: values.count), range) }
        }
        switch name.text {
        case "round":
            try arity("1 or 2 arguments", values.count == 1 || values.count == 2)
            var digits = 0
            if values.count == 2 {
                guard case .constant(.int(let d)) = values[1], (-18...18).contains(d) else {
                    throw fail(.expected("a whole number of digits between -18 and 18", found: source.slice(args[1].range)), args[1].range)
                }
                digits = Int(d)
            }
            return try round(values[0], digits: digits, count: count, range: args[0].range)
        case "abs":
            try arity("1 argument", values.count == 1)
            guard values[0].isNumeric else { throw fail(.notNumeric(operation: "abs", type: values[0].typeName), args[0].range) }
            if values[0].type == .int {
                return try mapInt(values[0], count: count, range: range) { (v: Int64) -> Int64? in v == .min ? nil : Swift.abs(v) }
            }
            return mapDouble(values[0], count: count) { Swift.abs($0) }
        case "lower", "upper":
            try arity("1 argument", values.count == 1)
            let upper = name.text == "upper"
            return try mapText(values[0], count: count, range: args[0].range, name: name.text) { upper ? $0.uppercased() : $0.lowercased() }
        case "coalesce":
            try arity("at least 1 argument", !values.isEmpty)
            return try coalesce(values, args: args, count: count)
        case "kategori":
            try arity("1 argument", values.count == 1)
            guard values[0].isNumeric else { throw fail(.notNumeric(operation: "kategori", type: values[0].typeName), args[0].range) }
            return mapToText(values[0], count: count) { Kinerja.kategori($0) }
        case "hitung_capaian":
            try arity("2 to 4 arguments (realisasi, target [, polaritas [, rumus]])", (2...4).contains(values.count))
            return try hitungCapaian(values, args: args, count: count)
        default:
            let suggestion = nearestName(to: name.text, in: Evaluator.functions + Aggregate.allCases.map(\.rawValue))
            throw fail(.unknownFunction(name.text, suggestion: suggestion), name.range)
        }
    }

    /// A text column from a number column through `f`, one dictionary entry per distinct result.
    private func mapToText(_ v: Operand, count: Int, _ f: (Double) -> String?) -> Operand {
        if case .constant(let c) = v {
            // Typed as text even when every value is null, so `~` and text stages still apply.
            if c == .null { return .column(Column.allNull(.text, count: count)) }
            return .constant(f(v.double(0)).map(Value.text) ?? .null)
        }
        var index: [String: Int32] = [:]
        var dictionary: [String] = []
        var nulls = [Bool](repeating: false, count: count)
        var anyNull = false
        let codes = Buffer<Int32>.make(count: count) { out in
            for i in 0..<count {
                guard !v.isNull(i), let s = f(v.double(i)) else { nulls[i] = true; anyNull = true; out[i] = 0; continue }
                if let c = index[s] { out[i] = c; continue }
                let c = Int32(dictionary.count)
                index[s] = c
                dictionary.append(s)
                out[i] = c
            }
        }
        return .column(Column(storage: .text(codes: codes, dictionary: dictionary), nulls: anyNull ? NullMask.from(nulls) : nil))
    }

    /// `hitung_capaian(realisasi, target [, polaritas [, rumus]])`: see ``Kinerja/capaian(target:realisasi:polaritas:rumus:)``.
    /// polaritas is 'positif' (or null) or 'negatif'; rumus is 'selisih' (default) or 'rasio'.
    private func hitungCapaian(_ values: [Operand], args: [Expr], count: Int) throws(Diagnostic) -> Operand {
        for i in 0..<2 where !values[i].isNumeric {
            throw fail(.notNumeric(operation: "hitung_capaian", type: values[i].typeName), args[i].range)
        }
        for i in 2..<values.count where values[i].type == .int || values[i].type == .double {
            throw fail(.typeMismatch(operation: "hitung_capaian", left: "text", right: values[i].typeName), args[i].range)
        }
        var rumus = Kinerja.RumusNegatif.selisih
        if values.count == 4 {
            guard case .constant(.text(let r)) = values[3], let parsed = Kinerja.RumusNegatif(rawValue: r.lowercased()) else {
                throw fail(.expected("'selisih' or 'rasio'", found: source.slice(args[3].range)), args[3].range)
            }
            rumus = parsed
        }
        // An unknown polaritas text gives null rather than a guess.
        func polaritas(_ i: Int) -> Kinerja.Polaritas? {
            guard values.count > 2, !values[2].isNull(i) else { return .positif }
            return Kinerja.Polaritas(rawValue: values[2].text(i).lowercased().trimmingCharacters(in: .whitespaces))
        }
        var out = [Double?](repeating: nil, count: count)
        for i in 0..<count where !values[0].isNull(i) && !values[1].isNull(i) {
            guard let p = polaritas(i) else { continue }
            out[i] = Kinerja.capaian(target: values[1].double(i), realisasi: values[0].double(i), polaritas: p, rumus: rumus)
        }
        if values.allSatisfy({ if case .constant = $0 { return true } else { return false } }) {
            return .constant(out.first.flatMap { $0 }.map(Value.double) ?? .null)
        }
        return .column(.doubles(out))
    }

    private func round(_ v: Operand, digits: Int, count: Int, range: SourceRange) throws(Diagnostic) -> Operand {
        guard v.isNumeric else { throw fail(.notNumeric(operation: "round", type: v.typeName), range) }
        if v.type == .int && digits >= 0 { return v }
        let scale = pow(10.0, Double(digits))
        func r(_ x: Double) -> Double {
            let scaled = (x * scale).rounded(.toNearestOrAwayFromZero) / scale
            return scaled.isFinite ? scaled : x
        }
        return mapDouble(v, count: count, r)
    }

    private func mapDouble(_ v: Operand, count: Int, _ f: (Double) -> Double) -> Operand {
        switch v {
        case .constant(.null): return v
        case .constant: return .constant(.double(f(v.double(0))))
        case .column(let c):
            let out = Buffer<Double>.make(count: count) { out in
                for i in 0..<count { out[i] = c.isNull(i) ? 0 : f(v.double(i)) }
            }
            return .column(Column(storage: .double(out), nulls: c.nulls))
        }
    }

    private func mapInt(_ v: Operand, count: Int, range: SourceRange, _ f: (Int64) -> Int64?) throws(Diagnostic) -> Operand {
        var overflow = false
        switch v {
        case .constant(.int(let x)):
            guard let y = f(x) else { throw fail(.integerOverflow(operation: "abs"), range) }
            return .constant(.int(y))
        case .column(let c):
            let out = Buffer<Int64>.make(count: count) { out in
                for i in 0..<count {
                    if c.isNull(i) { out[i] = 0; continue }
                    if let y = f(v.int(i)) { out[i] = y } else { overflow = true; out[i] = 0 }
                }
            }
            if overflow { throw fail(.integerOverflow(operation: "abs"), range) }
            return .column(Column(storage: .int(out), nulls: c.nulls))
        default: return v
        }
    }

    /// Applies `f` to each distinct string once, through the dictionary, then merges entries
    /// that became equal so the dictionary stays free of duplicates.
    private func mapText(_ v: Operand, count: Int, range: SourceRange, name: String, _ f: (String) -> String) throws(Diagnostic) -> Operand {
        guard v.type == .text || v.type == nil else {
            throw fail(.typeMismatch(operation: name, left: v.typeName, right: "text"), range)
        }
        switch v {
        case .constant(.text(let s)): return .constant(.text(f(s)))
        // `lower(null)` is a null text, not an untyped null (which reads as an integer).
        case .constant(.null): return .column(.texts([String?](repeating: nil, count: count)))
        case .column(let c):
            guard case .text(let codes, let dict) = c.storage else { return v }
            var index: [String: Int32] = [:]
            var newDict: [String] = []
            var remap = [Int32](repeating: 0, count: dict.count)
            for (i, s) in dict.enumerated() {
                let t = f(s)
                if let existing = index[t] { remap[i] = existing; continue }
                index[t] = Int32(newDict.count)
                remap[i] = Int32(newDict.count)
                newDict.append(t)
            }
            let out = Buffer<Int32>.make(count: codes.count) { out in
                for i in 0..<codes.count { out[i] = remap.isEmpty ? 0 : remap[Int(codes[i])] }
            }
            return .column(Column(storage: .text(codes: out, dictionary: newDict), nulls: c.nulls))
        default: return v
        }
    }

    private func coalesce(_ values: [Operand], args: [Expr], count: Int) throws(Diagnostic) -> Operand {
        let types = Set(values.compactMap(\.type))
        let resultType: ColumnType?
        if types.isEmpty { resultType = nil }
        else if types == [.text] { resultType = .text }
        else if types.isSubset(of: [.int, .double]) { resultType = types.contains(.double) ? .double : .int }
        else {
            let i = values.firstIndex { $0.type == .text }!
            throw fail(.typeMismatch(operation: "coalesce", left: values[0].typeName, right: values[i].typeName), args[i].range)
        }
        guard let resultType else { return .constant(.null) }
        var out: [Value] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            var v = Value.null
            for op in values where !op.isNull(i) {
                switch resultType {
                case .int: v = .int(op.int(i))
                case .double: v = .double(op.double(i))
                case .text: v = .text(op.text(i))
                }
                break
            }
            out.append(v)
        }
        switch resultType {
        case .int: return .column(.ints(out.map { if case .int(let x) = $0 { return x } else { return nil } }))
        case .double: return .column(.doubles(out.map { if case .double(let x) = $0 { return x } else { return nil } }))
        case .text: return .column(.texts(out.map { if case .text(let x) = $0 { return x } else { return nil } }))
        }
    }
}
