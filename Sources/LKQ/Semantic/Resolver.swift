#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// Turns a parsed query into a ``QueryPlan``: tables and columns looked up, expressions typed,
/// the default measure applied, functions checked against their signatures, output names and
/// rupiah flags decided, and the columns the source must read worked out. Every name and type
/// error is raised here, at its place, before a row is read.
struct Resolver {
    let source: SourceFile
    /// Tables by name: `let` results first, then the engine's.
    let lookupTable: (String) -> Table?
    /// Every table name, for suggestions.
    let tableNames: () -> [String]
    /// Values named by `let NAME = value` and `param`.
    let values: [String: Value]
    /// Warnings found while resolving (a column that hides a value of the same name, ...).
    private(set) var warnings: [Diagnostic] = []

    init(source: SourceFile, session: Session) {
        self.source = source
        let bindings = session.bindings
        let engine = session.engine
        lookupTable = { bindings[$0] ?? engine.table(named: $0) }
        tableNames = { engine.tables.map(\.name) + bindings.keys.sorted() }
        values = session.values
    }

    func fail(_ kind: DiagnosticKind, _ range: SourceRange) -> Diagnostic {
        Diagnostic(kind, in: source, at: range)
    }

    // MARK: Queries

    mutating func resolve(_ query: Query) throws(Diagnostic) -> QueryPlan {
        switch query.source {
        case .audit(let all, let range):
            // The audit's rows are made by running the claims; its stages are resolved then.
            let schema = Schema(tableName: "audit", fields: [], measure: nil)
            return QueryPlan(source: .audit(all: all), sourceRange: range, input: schema, steps: [],
                             tail: query.stages[...])
        case .table(let name):
            guard let table = lookupTable(name.text) else {
                if values[name.text] != nil {
                    throw fail(.valueAsTable(name.text), name.range)
                }
                throw fail(.unknownTable(name.text, suggestion: nearestName(to: name.text, in: tableNames())), name.range)
            }
            let input = Schema(tableName: table.name, fields: table.fields, measure: table.measure)
            let (steps, tail) = try resolveStages(query.stages[...], from: input)
            let read = tail.isEmpty ? columnsRead(steps, input: input) : nil
            return QueryPlan(source: .table(table, read: read), sourceRange: name.range, input: input,
                             steps: steps, tail: tail)
        }
    }

    /// Plans `stages` over rows of `input`, up to the first chart stage; the chart and what
    /// follows it come back as the tail.
    mutating func resolveStages(_ stages: ArraySlice<Stage>, from input: Schema) throws(Diagnostic) -> ([PlanStep], ArraySlice<Stage>) {
        var steps: [PlanStep] = []
        var schema = input
        var i = stages.startIndex
        while i < stages.endIndex {
            let stage = stages[i]
            switch stage.kind {
            case .bar, .spark:
                return (steps, stages[i...])
            case .sort(let keys):
                // `sort … | limit N` keeps only N rows while sorting.
                var limit: Int?
                if i + 1 < stages.endIndex, case .limit(let n) = stages[i + 1].kind { limit = n; i += 1 }
                let bound = try keys.map { (k: SortKey) throws(Diagnostic) in
                    (key: try value(k.expr, schema, .row), descending: k.descending)
                }
                steps.append(PlanStep(kind: .sort(bound, limit: limit), range: stage.range, output: schema))
            case .limit(let n):
                if i + 1 < stages.endIndex, case .sort = stages[i + 1].kind {
                    warnings.append(fail(.limitBeforeSort, stage.range))
                }
                steps.append(PlanStep(kind: .limit(n), range: stage.range, output: schema))
            default:
                let step = try resolve(stage, schema)
                steps.append(step)
                schema = step.output
            }
            i += 1
        }
        return (steps, stages[stages.endIndex...])
    }

    private mutating func resolve(_ stage: Stage, _ schema: Schema) throws(Diagnostic) -> PlanStep {
        func step(_ kind: PlanStep.Kind, _ output: Schema) -> PlanStep {
            PlanStep(kind: kind, range: stage.range, output: output)
        }
        switch stage.kind {
        case .filter(let e):
            return step(.filter(try condition(e, schema)), schema)
        case .select(let items):
            var fields: [Field] = []
            var projections: [Projection] = []
            for item in items {
                let b = try value(item.expr, schema, .projection)
                fields.append(Field(name: try outputName(item, fields), type: b.type.columnType, isRupiah: b.isRupiah))
                if case .column(let c) = b.kind { projections.append(.input(c)) } else { projections.append(.computed(b)) }
            }
            return step(.project(projections), derived(schema, fields))
        case .extend(let items):
            var fields = schema.fields
            var projections = schema.fields.indices.map { Projection.input($0) }
            var added = Set<String>()
            for item in items {
                let b = try value(item.expr, schema, .projection)
                let name = try outputName(item, [])
                guard added.insert(name).inserted else {
                    throw fail(.duplicateColumn(name), item.alias?.range ?? item.expr.range)
                }
                let field = Field(name: name, type: b.type.columnType, isRupiah: b.isRupiah)
                let projection: Projection
                if case .column(let c) = b.kind { projection = .input(c) } else { projection = .computed(b) }
                if let existing = fields.firstIndex(where: { $0.name == name }) {
                    fields[existing] = field
                    projections[existing] = projection
                } else {
                    fields.append(field)
                    projections.append(projection)
                }
            }
            var out = schema
            out.fields = fields
            return step(.project(projections), out)
        case .distinct(let names):
            var columns: [Int] = []
            for n in names {
                let c = try column(n.text, schema, n.range)
                if columns.contains(c) { throw fail(.duplicateColumn(n.text), n.range) }
                columns.append(c)
            }
            if columns.isEmpty { columns = Array(schema.fields.indices) }
            return step(.distinct(columns), derived(schema, columns.map { schema.fields[$0] }))
        case .group(let keyItems, let items):
            var fields: [Field] = []
            var keys: [Bound] = []
            for item in keyItems {
                let b = try value(item.expr, schema, .row)
                keys.append(b)
                fields.append(Field(name: try outputName(item, fields), type: b.type.columnType, isRupiah: b.isRupiah))
            }
            let keyNames = Dictionary(fields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
            var bound: [Bound] = []
            for item in items {
                let b = try value(item.expr, schema, .group(keyNames, keys))
                bound.append(b)
                fields.append(Field(name: try outputName(item, fields), type: b.type.columnType, isRupiah: b.isRupiah))
            }
            return step(.group(keys: keys, items: bound), derived(schema, fields))
        case .aggregate(let fn, let args):
            let call: Bound
            var name = fn.rawValue
            if args.isEmpty && fn.usesDefaultMeasure {
                let m = try measure(schema, stage.range)
                let arg = Bound(kind: .column(m), type: ValueType(schema.fields[m].type), range: stage.range,
                                isRupiah: schema.fields[m].isRupiah)
                call = try aggregate(fn, [arg], range: stage.range)
                name += "_" + schema.fields[m].name
            } else {
                let bound = try args.map { (a: Expr) throws(Diagnostic) in try bindArgument(a, schema, .aggregateArgument) }
                call = try aggregate(fn, bound, range: stage.range)
                if args.count == 1, case .column(let c) = args[0].kind { name += "_" + c }
            }
            let field = Field(name: name, type: call.type.columnType, isRupiah: call.isRupiah)
            return step(.aggregate([call]), derived(schema, [field]))
        case .join(let spec):
            var rightResolver = self
            let right = try rightResolver.resolve(spec.right)
            warnings += rightResolver.warnings
            let rightName: String
            switch spec.right.source {
            case .table(let n): rightName = n.text
            case .audit: rightName = "audit"
            }
            guard right.tail.isEmpty else {
                throw fail(.expected("a query without bar or spark to join", found: "a chart"), spec.right.range)
            }
            let rightSchema = right.output
            var keys: [(left: Int, right: Int)] = []
            for key in spec.keys {
                let l = try column(key.left.text, schema, key.left.range)
                guard let r = rightSchema.index(of: key.right.text) else {
                    let suggestion = nearestName(to: key.right.text, in: rightSchema.fields.map(\.name))
                    throw fail(.unknownColumn(key.right.text, table: rightName, suggestion: suggestion), key.right.range)
                }
                let lt = schema.fields[l].type, rt = rightSchema.fields[r].type
                if (lt == .text) != (rt == .text) {
                    throw fail(.typeMismatch(operation: "join", left: lt.article, right: rt.article), key.right.range)
                }
                keys.append((l, r))
            }
            var fields = schema.fields
            var rightColumns: [Int] = []
            for (i, field) in rightSchema.fields.enumerated() where !keys.contains(where: { $0.right == i }) {
                var name = field.name
                if fields.contains(where: { $0.name == name }) { name = "\(rightName)_\(field.name)" }
                if fields.contains(where: { $0.name == name }) { throw fail(.duplicateColumn(name), stage.range) }
                fields.append(Field(name: name, type: field.type, isRupiah: field.isRupiah))
                rightColumns.append(i)
            }
            var out = schema
            out.fields = fields
            let plan = JoinPlan(right: right, rightName: rightName, keepUnmatched: spec.keepUnmatched,
                                keys: keys, rightColumns: rightColumns)
            return step(.join(plan), out)
        case .sort, .limit, .bar, .spark:
            preconditionFailure("handled by resolveStages")
        }
    }

    /// A schema of new columns; the default measure survives if its column does.
    private func derived(_ schema: Schema, _ fields: [Field]) -> Schema {
        let measure = schema.measure.flatMap { m in fields.contains { $0.name == m } ? m : nil }
        return Schema(tableName: schema.tableName, fields: fields, measure: measure)
    }

    /// The input columns the plan reads, so that a file loads only those; nil for all.
    private func columnsRead(_ steps: [PlanStep], input: Schema) -> [Int]? {
        var used = Set<Int>()
        for step in steps {
            switch step.kind {
            case .filter(let b): b.collectColumns(into: &used)
            case .sort(let keys, _): for k in keys { k.key.collectColumns(into: &used) }
            case .limit: break
            case .join(let j): for k in j.keys { used.insert(k.left) }
            case .project(let ps):
                for p in ps {
                    switch p {
                    case .input(let c): used.insert(c)
                    case .computed(let b): b.collectColumns(into: &used)
                    }
                }
                return finish(used, input)
            case .distinct(let cs):
                used.formUnion(cs)
                return finish(used, input)
            case .group(let keys, let items):
                for b in keys + items { b.collectColumns(into: &used) }
                if let level = input.index(of: "level"), items.contains(where: \.addsUp) { used.insert(level) }
                return finish(used, input)
            case .aggregate(let items):
                for b in items { b.collectColumns(into: &used) }
                if let level = input.index(of: "level"), items.contains(where: \.addsUp) { used.insert(level) }
                return finish(used, input)
            }
        }
        return nil
    }

    /// Joins append their columns after the input's, so numbers below the input's count
    /// still name input columns after a join.
    private func finish(_ used: Set<Int>, _ input: Schema) -> [Int] {
        var read = used.filter { $0 < input.fields.count }
        if let m = input.measure.flatMap(input.index(of:)) { read.insert(m) }
        return read.sorted()
    }

    // MARK: Names

    /// The column `name` in `schema`: by its name, or by the identifier a backquoted header
    /// becomes (`` `Pagu (Rp)` `` is `pagu_rp`).
    func column(_ name: String, _ schema: Schema, _ range: SourceRange) throws(Diagnostic) -> Int {
        if let i = schema.index(of: name) { return i }
        let identifier = Resolver.identifier(name)
        if let i = schema.index(of: identifier) { return i }
        let suggestion = nearestName(to: name, in: schema.fields.map(\.name))
        throw fail(.unknownColumn(name, table: schema.tableName, suggestion: suggestion), range)
    }

    func measure(_ schema: Schema, _ range: SourceRange) throws(Diagnostic) -> Int {
        guard let m = schema.measure, let i = schema.index(of: m) else {
            throw fail(.noDefaultMeasure(table: schema.tableName), range)
        }
        return i
    }

    /// A header as a name one can type: lower case, runs of other characters as `_`.
    static func identifier(_ text: String) -> String {
        var out = ""
        var pendingUnderscore = false
        for c in text.lowercased() {
            if c.isLetter || c.isNumber || c == "_" {
                if pendingUnderscore && !out.isEmpty { out.append("_") }
                pendingUnderscore = false
                out.append(c)
            } else {
                pendingUnderscore = true
            }
        }
        return out
    }

    /// The column name an item gets: its alias, the column it names, `avg_capaian` for an
    /// aggregate of a column, or else the expression's text.
    func outputName(_ item: Item, _ existing: [Field]) throws(Diagnostic) -> String {
        let name: String
        if let alias = item.alias {
            name = alias.text
        } else {
            switch item.expr.kind {
            case .column(let c): name = c
            case .call(let f, let args) where Aggregate(rawValue: f.text) != nil:
                if args.isEmpty { name = f.text }
                else if args.count == 1, case .column(let c) = args[0].kind { name = "\(f.text)_\(c)" }
                else { name = Resolver.normalized(source.slice(item.expr.range)) }
            default: name = Resolver.normalized(source.slice(item.expr.range))
            }
        }
        if existing.contains(where: { $0.name == name }) {
            throw fail(.duplicateColumn(name), item.alias?.range ?? item.expr.range)
        }
        return name
    }

    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ").lowercased()
    }

    // MARK: Expressions

    /// Where an expression stands, which decides what it may hold.
    enum Context {
        /// A row's value: where, sort, group keys, join sides.
        case row
        /// A `select` or `extend` item: window functions allowed.
        case projection
        /// An item of `group by`: aggregates over the group, and the keys by name.
        case group([String: Int], [Bound])
        /// The argument of an aggregate: a row's value, no aggregate inside.
        case aggregateArgument
    }

    /// An expression that must be a value (not a condition).
    mutating func value(_ e: Expr, _ schema: Schema, _ context: Context) throws(Diagnostic) -> Bound {
        let b = try bind(e, schema, context)
        if b.isCondition { throw fail(.conditionAsValue, e.range) }
        return b
    }

    /// An expression that must be a condition.
    mutating func condition(_ e: Expr, _ schema: Schema, _ context: Context = .row) throws(Diagnostic) -> Bound {
        let b = try bind(e, schema, context)
        if !b.isCondition { throw fail(.valueAsCondition(source.slice(e.range)), e.range) }
        return b
    }

    private mutating func bindArgument(_ e: Expr, _ schema: Schema, _ context: Context) throws(Diagnostic) -> Bound {
        try bind(e, schema, context)
    }

    mutating func bind(_ e: Expr, _ schema: Schema, _ context: Context) throws(Diagnostic) -> Bound {
        let r = e.range
        switch e.kind {
        case .int(let v): return Bound(kind: .literal(.int(v)), type: .int, range: r)
        case .double(let v): return Bound(kind: .literal(.double(v)), type: .double, range: r)
        case .string(let s): return Bound(kind: .literal(.text(s)), type: .text, range: r)
        case .null: return Bound(kind: .literal(.null), type: .null, range: r)
        case .column(let name):
            if case .group(let keys, let keyBounds) = context {
                if let k = keys[name] {
                    return Bound(kind: .groupKey(k), type: keyBounds[k].type, range: r, isRupiah: keyBounds[k].isRupiah)
                }
                if schema.index(of: name) == nil, let v = values[name] { return literal(v, r) }
                _ = try column(name, schema, r)
                throw fail(.notInGroup(name), r)
            }
            if schema.index(of: name) == nil, values[name] != nil, schema.index(of: Resolver.identifier(name)) == nil {
                return literal(values[name]!, r)
            }
            let c = try column(name, schema, r)
            if values[name] != nil { warnings.append(fail(.columnHidesValue(name), r)) }
            let f = schema.fields[c]
            return Bound(kind: .column(c), type: ValueType(f.type), range: r, isRupiah: f.isRupiah)
        case .defaultMeasure:
            let c = try measure(schema, r)
            if case .group = context { throw fail(.notInGroup(schema.fields[c].name), r) }
            let f = schema.fields[c]
            return Bound(kind: .column(c), type: ValueType(f.type), range: r, isRupiah: f.isRupiah)
        case .negate(let inner):
            let v = try value(inner, schema, context)
            guard v.type.isNumeric else { throw fail(.typeMismatch(operation: "-", left: "an integer", right: v.type.name), r) }
            return Bound(kind: .negate(v), type: v.type == .null ? .int : v.type, range: r, isRupiah: v.isRupiah)
        case .not(let inner):
            return Bound(kind: .not(try condition(inner, schema, context)), type: .condition, range: r)
        case .binary(.and, let a, let b):
            return Bound(kind: .and(try condition(a, schema, context), try condition(b, schema, context)), type: .condition, range: r)
        case .binary(.or, let a, let b):
            return Bound(kind: .or(try condition(a, schema, context), try condition(b, schema, context)), type: .condition, range: r)
        case .binary(let op, let a, let b) where op.isComparison || op == .contains:
            let left = try value(a, schema, context)
            let right = try value(b, schema, context)
            try checkComparable(op, left, right, r)
            return Bound(kind: .compare(op, left, right), type: .condition, range: r)
        case .binary(let op, let a, let b):
            let left = try value(a, schema, context)
            let right = try value(b, schema, context)
            guard left.type.isNumeric, right.type.isNumeric else {
                throw fail(.typeMismatch(operation: op.rawValue, left: left.type.name, right: right.type.name), r)
            }
            let type: ValueType = op == .divide || left.type == .double || right.type == .double ? .double : .int
            var rupiah = false
            if op == .add || op == .subtract {
                func whole(_ x: Bound) -> Bool { if case .literal(.int) = x.kind { return true }; return false }
                rupiah = (left.isRupiah || whole(left)) && (right.isRupiah || whole(right)) && (left.isRupiah || right.isRupiah)
            }
            return Bound(kind: .arithmetic(op, left, right), type: type, range: r, isRupiah: rupiah)
        case .isNull(let inner, let negated):
            return Bound(kind: .isNull(try value(inner, schema, context), negated: negated), type: .condition, range: r)
        case .inList(let inner, let list, let negated):
            let v = try value(inner, schema, context)
            var items: [Bound] = []
            for item in list {
                let b = try value(item, schema, context)
                try checkComparable(.equal, v, b, b.range)
                items.append(b)
            }
            return Bound(kind: .inList(v, items, negated: negated), type: .condition, range: r)
        case .between(let inner, let low, let high, let negated):
            let v = try value(inner, schema, context)
            let lo = try value(low, schema, context)
            let hi = try value(high, schema, context)
            try checkComparable(.greaterEqual, v, lo, lo.range)
            try checkComparable(.lessEqual, v, hi, hi.range)
            // `not between` is outside the range; either way a null is in no range.
            if negated {
                return Bound(kind: .or(Bound(kind: .compare(.less, v, lo), type: .condition, range: r),
                                       Bound(kind: .compare(.greater, v, hi), type: .condition, range: r)),
                             type: .condition, range: r)
            }
            return Bound(kind: .and(Bound(kind: .compare(.greaterEqual, v, lo), type: .condition, range: r),
                                    Bound(kind: .compare(.lessEqual, v, hi), type: .condition, range: r)),
                         type: .condition, range: r)
        case .caseWhen(let branches, let otherwise):
            var bound: [(condition: Bound, value: Bound)] = []
            var type = ValueType.null
            var rupiah = true
            for branch in branches {
                let c = try condition(branch.condition, schema, context)
                let v = try value(branch.value, schema, context)
                guard let t = ValueType.common(type, v.type) else {
                    throw fail(.typeMismatch(operation: "case", left: type.name, right: v.type.name), branch.value.range)
                }
                type = t
                rupiah = rupiah && (v.isRupiah || v.type == .null)
                bound.append((c, v))
            }
            var other: Bound?
            if let otherwise {
                let v = try value(otherwise, schema, context)
                guard let t = ValueType.common(type, v.type) else {
                    throw fail(.typeMismatch(operation: "case", left: type.name, right: v.type.name), otherwise.range)
                }
                type = t
                rupiah = rupiah && (v.isRupiah || v.type == .null)
                other = v
            }
            return Bound(kind: .caseWhen(bound, otherwise: other), type: type, range: r, isRupiah: rupiah && type == .int)
        case .call(let name, let args):
            if let fn = AggregateFunction(rawValue: name.text) {
                switch context {
                case .group(_, _):
                    let bound = try args.map { (a: Expr) throws(Diagnostic) in try bindArgument(a, schema, .aggregateArgument) }
                    return try aggregate(fn, bound, range: r)
                case .aggregateArgument:
                    throw fail(.aggregateInsideAggregate(name.text), name.range)
                case .row, .projection:
                    throw fail(.aggregateOutsideGroup(name.text), name.range)
                }
            }
            if WindowFunction(rawValue: name.text) != nil {
                throw fail(.windowNeedsOver(name.text), r)
            }
            guard let fn = ScalarFunction(rawValue: name.text) else {
                if let habit = Parser.sqlHabits[name.text] {
                    throw fail(.sqlHabit(name.text, write: habit), name.range)
                }
                throw fail(.unknownFunction(name.text, suggestion: nearestName(to: name.text, in: Registry.functionNames)), name.range)
            }
            let bound = try args.map { (a: Expr) throws(Diagnostic) in try bind(a, schema, context) }
            return try scalar(fn, bound, args, range: r)
        case .window(let name, let args, let window):
            guard case .projection = context else { throw fail(.windowOutsideProjection(name.text), r) }
            let bound = try args.map { (a: Expr) throws(Diagnostic) in try bindArgument(a, schema, .aggregateArgument) }
            let partition = try window.partition.map { (p: Expr) throws(Diagnostic) in try value(p, schema, .row) }
            let order = try window.order.map { (k: SortKey) throws(Diagnostic) in
                (key: try value(k.expr, schema, .row), descending: k.descending)
            }
            if let fn = WindowFunction(rawValue: name.text) {
                guard fn.arity.contains(args.count) else {
                    throw fail(.wrongArgumentCount(function: fn.rawValue, expected: Resolver.arityText(fn.arity), got: args.count), r)
                }
                if fn.needsOrder && order.isEmpty { throw fail(.windowNeedsOrder(fn.rawValue), window.range) }
                let type: ValueType
                var rupiah = false
                switch fn {
                case .row_number, .rank, .dense_rank: type = .int
                case .lag, .lead, .first, .last:
                    type = bound[0].type == .null ? .int : bound[0].type
                    rupiah = bound[0].isRupiah
                    if bound[0].isCondition { throw fail(.conditionAsValue, bound[0].range) }
                    if bound.count == 2 {
                        guard case .literal(.int(let n)) = bound[1].kind, n >= 0 else {
                            throw fail(.expected("a whole number of rows, 0 or more", found: source.slice(bound[1].range)), bound[1].range)
                        }
                    }
                }
                let call = WindowCall(function: .window(fn), arguments: bound, partition: partition, order: order)
                return Bound(kind: .window(call), type: type, range: r, isRupiah: rupiah)
            }
            if let fn = AggregateFunction(rawValue: name.text) {
                let typed = try aggregate(fn, bound, range: r)
                let call = WindowCall(function: .aggregate(fn), arguments: bound, partition: partition, order: order)
                return Bound(kind: .window(call), type: typed.type, range: r, isRupiah: typed.isRupiah)
            }
            throw fail(.unknownFunction(name.text, suggestion: nearestName(to: name.text, in: Registry.windowFunctions.map(\.name) + Registry.aggregates.map(\.name))), name.range)
        }
    }

    private func literal(_ v: Value, _ r: SourceRange) -> Bound {
        switch v {
        case .int: return Bound(kind: .literal(v), type: .int, range: r)
        case .double: return Bound(kind: .literal(v), type: .double, range: r)
        case .text: return Bound(kind: .literal(v), type: .text, range: r)
        case .null: return Bound(kind: .literal(v), type: .null, range: r)
        }
    }

    private func checkComparable(_ op: BinaryOperator, _ l: Bound, _ r: Bound, _ range: SourceRange) throws(Diagnostic) {
        let symbol = op == .contains ? "~" : op.rawValue
        if op == .contains {
            guard l.type.isText, r.type.isText else {
                throw fail(.typeMismatch(operation: symbol, left: l.type.name, right: r.type.name), range)
            }
            return
        }
        if (l.type == .text && r.type.isNumeric && r.type != .null) || (r.type == .text && l.type.isNumeric && l.type != .null) {
            throw fail(.typeMismatch(operation: symbol, left: l.type.name, right: r.type.name), range)
        }
    }

    static func arityText(_ arity: ClosedRange<Int>) -> String {
        func n(_ k: Int) -> String { k == 1 ? "1 argument" : "\(k) arguments" }
        if arity.upperBound == Int.max { return "at least " + n(arity.lowerBound) }
        if arity.lowerBound == arity.upperBound { return n(arity.lowerBound) }
        return "\(arity.lowerBound) to " + n(arity.upperBound)
    }

    /// An aggregate call, type-checked.
    private func aggregate(_ fn: AggregateFunction, _ args: [Bound], range: SourceRange) throws(Diagnostic) -> Bound {
        guard fn.arity.contains(args.count) else {
            throw fail(.wrongArgumentCount(function: fn.rawValue, expected: Resolver.arityText(fn.arity), got: args.count), range)
        }
        for (i, a) in args.enumerated() {
            let kind = fn.parameters[min(i, fn.parameters.count - 1)]
            try check(a, is: kind, function: fn.rawValue)
        }
        let type: ValueType
        var rupiah = false
        switch fn {
        case .count, .count_distinct, .count_if: type = .int
        case .sum, .sum_if:
            type = args[0].type == .double ? .double : .int
            rupiah = args[0].isRupiah
        case .avg, .median: type = .double
        case .min, .max:
            type = args[0].type == .null ? .int : args[0].type
            rupiah = args[0].isRupiah
        }
        return Bound(kind: .aggregate(fn, args), type: type, range: range, isRupiah: rupiah)
    }

    private func check(_ b: Bound, is kind: Registry.ArgumentKind, function: String) throws(Diagnostic) {
        switch kind {
        case .number:
            if b.isCondition { throw fail(.conditionAsValue, b.range) }
            guard b.type.isNumeric else { throw fail(.notNumeric(operation: function, type: b.type.name), b.range) }
        case .text:
            if b.isCondition { throw fail(.conditionAsValue, b.range) }
            guard b.type.isText else { throw fail(.typeMismatch(operation: function, left: b.type.name, right: "text"), b.range) }
        case .any:
            if b.isCondition { throw fail(.conditionAsValue, b.range) }
        case .condition:
            guard b.isCondition else { throw fail(.valueAsCondition(source.slice(b.range)), b.range) }
        }
    }

    /// A scalar function call, type-checked.
    private func scalar(_ fn: ScalarFunction, _ args: [Bound], _ exprs: [Expr], range: SourceRange) throws(Diagnostic) -> Bound {
        guard fn.arity.contains(args.count) else {
            throw fail(.wrongArgumentCount(function: fn.rawValue, expected: Resolver.arityText(fn.arity), got: args.count), range)
        }
        for (i, a) in args.enumerated() {
            try check(a, is: fn.parameters[min(i, fn.parameters.count - 1)], function: fn.rawValue)
        }
        for c in fn.constantArguments where c.position < args.count {
            guard case .literal(let v) = args[c.position].kind, c.accepts(v) else {
                let r = exprs[c.position].range
                throw fail(.expected(c.expected, found: source.slice(r)), r)
            }
        }
        let constants = args.map { (a: Bound) -> Value? in if case .literal(let v) = a.kind { return v }; return nil }
        guard let (type, keepsRupiah) = fn.result(args.map(\.type), constants: constants) else {
            let bad = args.first { ValueType.common(args[0].type, $0.type) == nil } ?? args[0]
            throw fail(.typeMismatch(operation: fn.rawValue, left: args[0].type.name, right: bad.type.name), bad.range)
        }
        let rupiah = keepsRupiah && args.contains(where: \.isRupiah) && args.allSatisfy { $0.isRupiah || $0.type == .null }
        return Bound(kind: .call(fn, args), type: type, range: range, isRupiah: rupiah && type == .int)
    }
}

extension Bound {
    /// Every input column the expression reads.
    func collectColumns(into set: inout Set<Int>) {
        switch kind {
        case .literal, .groupKey: break
        case .column(let c): set.insert(c)
        case .negate(let e), .not(let e), .isNull(let e, _): e.collectColumns(into: &set)
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            a.collectColumns(into: &set); b.collectColumns(into: &set)
        case .inList(let e, let list, _): for x in [e] + list { x.collectColumns(into: &set) }
        case .caseWhen(let branches, let otherwise):
            for b in branches { b.condition.collectColumns(into: &set); b.value.collectColumns(into: &set) }
            otherwise?.collectColumns(into: &set)
        case .call(_, let args), .aggregate(_, let args): for a in args { a.collectColumns(into: &set) }
        case .window(let w):
            for a in w.arguments + w.partition + w.order.map(\.key) { a.collectColumns(into: &set) }
        }
    }

    /// Whether the expression adds values up across rows (sum, avg, median and their `_if`s),
    /// which double-counts over rows of more than one budget level.
    var addsUp: Bool {
        switch kind {
        case .aggregate(let fn, let args):
            return [.sum, .avg, .median, .sum_if].contains(fn) || args.contains(where: \.addsUp)
        case .literal, .column, .groupKey, .window: return false
        case .negate(let e), .not(let e), .isNull(let e, _): return e.addsUp
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            return a.addsUp || b.addsUp
        case .inList(let e, let list, _): return ([e] + list).contains(where: \.addsUp)
        case .caseWhen(let branches, let otherwise):
            return branches.contains { $0.condition.addsUp || $0.value.addsUp } || (otherwise?.addsUp ?? false)
        case .call(_, let args): return args.contains(where: \.addsUp)
        }
    }
}
