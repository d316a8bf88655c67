import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// Runs statements: the ``Resolver`` makes each query a ``QueryPlan``, and the plan's steps
/// are applied one by one to a ``Frame``. Nothing here looks a name up or works a type out:
/// the plan says it all.
struct Interpreter {
    let session: Session
    let source: SourceFile
    let control: RunControl?
    /// Set while running a claim's query for `audit`, which may not start another audit.
    var insideAudit = false
    /// The joined query's rows of a self-join whose two sides were read in one pass
    /// (``collected(_:table:read:at:joined:)``).
    var joined: JoinedSide?

    var evaluator: Evaluator { Evaluator(source: source, control: control) }

    func run(_ statement: Statement, into session: inout Session) throws(Diagnostic) -> Session.Outcome {
        switch statement.kind {
        case .query(let query):
            return .result(try execute(query))
        case .bind(let name, let query):
            if session.engine.table(named: name.text) != nil {
                throw Diagnostic(.cannotRedefineTable(name.text), in: source, at: name.range)
            }
            // `let b = batas` names a value again when batas is a value, not a table.
            if query.stages.isEmpty, case .table(let other) = query.source, self.session.bindings[other.text] == nil,
               self.session.engine.table(named: other.text) == nil, let v = self.session.values[other.text] {
                session.bindings[name.text] = nil
                session.values[name.text] = v
                return .bound(name.text)
            }
            let result = try execute(query)
            session.values[name.text] = nil
            session.bindings[name.text] = result.asTable(named: name.text)
            return .bound(name.text)
        case .bindValue(let name, let expr):
            if session.engine.table(named: name.text) != nil {
                throw Diagnostic(.cannotRedefineTable(name.text), in: source, at: name.range)
            }
            session.bindings[name.text] = nil
            session.values[name.text] = try constant(expr)
            return .bound(name.text)
        case .param(let name, let fallback):
            if session.engine.table(named: name.text) != nil {
                throw Diagnostic(.cannotRedefineTable(name.text), in: source, at: name.range)
            }
            let value: Value
            if let given = session.parameters[name.text] {
                value = Interpreter.parameterValue(given)
                if let fallback, case let d = try constant(fallback), d != .null, (d.isNumber != value.isNumber) {
                    throw Diagnostic(.parameterType(name.text, given: given, expected: d.isNumber ? "a number" : "text"),
                                     in: source, at: name.range)
                }
            } else if let fallback {
                value = try constant(fallback)
            } else {
                throw Diagnostic(.parameterMissing(name.text), in: source, at: name.range)
            }
            session.bindings[name.text] = nil
            session.values[name.text] = value
            return .bound(name.text)
        }
    }

    /// A value given on the command line: a number when it reads as one in LKQ's own syntax
    /// (`90`, `12.5`, `-3`), else the text as written.
    static func parameterValue(_ text: String) -> Value {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let i = Int64(trimmed) { return .int(i) }
        if trimmed.contains(where: { $0.isNumber }), !trimmed.contains(","), let d = Double(trimmed), d.isFinite { return .double(d) }
        return .text(text)
    }

    /// The value of an expression that reads no column (`let batas = 75 * 2`).
    private func constant(_ expr: Expr) throws(Diagnostic) -> Value {
        var resolver = Resolver(source: source, session: session)
        let empty = Schema(tableName: "a value", fields: [], measure: nil)
        let bound = try resolver.value(expr, empty, .row)
        control?.warn(resolver.warnings)
        let frame = Frame(tableName: "a value", fields: [], columns: [], baseCount: 1, selection: nil, measure: nil)
        return try evaluator.value(bound, frame).materialize(count: 1).value(at: 0)
    }

    /// Runs one query to a result.
    func execute(_ query: Query) throws(Diagnostic) -> QueryResult {
        var resolver = Resolver(source: source, session: session)
        var plan = try resolver.resolve(query)
        control?.warn(resolver.warnings)
        // A query over database tables runs inside the database.
        if let result = try runInDatabase(plan, query) { return result }
        var frame: Frame
        var runner = self
        switch plan.source {
        case .audit(let all):
            frame = try frameOf(audit(all: all, range: plan.sourceRange), read: nil)
        case .table(let table, let read):
            if let (done, next) = try streamed(plan, table: table, read: read, at: query.range) {
                // Streamed only while every column kept the type the plan was made with.
                frame = done
                plan.steps = Array(plan.steps[next...])
                break
            }
            // The joined side of a self-join may be read with this side, even when this side
            // is then read whole.
            let joined = JoinedSide()
            runner.joined = joined
            if let (done, next) = try collected(plan, table: table, read: read, at: query.range, joined: joined) {
                try control?.produce(done.rowCount, at: .source(source, plan.steps[next - 1].range))
                frame = done
                plan.steps = Array(plan.steps[next...])
                break
            }
            if let top = try topRowsFirst(plan, table: table, read: read, at: query.range) {
                frame = top
            } else {
                frame = try frameOf(table, read: read, at: query.range)
            }
            // A CSV column guessed from the file's head may have widened once read in full;
            // the plan is made again over the types the file really has.
            if frame.fields != table.fields {
                let loaded = Table(name: table.name, fields: frame.fields, measure: table.measure,
                                   origin: table.origin, store: table.store)
                var again = Resolver(source: source, session: session)
                plan = try again.resolve(query, over: loaded)
            }
        }
        frame = try runner.run(plan.steps, on: frame)
        var tail = plan.tail
        while let stage = tail.first {
            try evaluator.checkCancelled()
            switch stage.kind {
            case .bar(let label, let measure):
                frame = try bar(frame, label: label, measure: measure, at: stage.range)
                tail = tail.dropFirst()
            case .spark(let measure, let year):
                frame = try spark(frame, measure: measure, year: year, at: stage.range)
                tail = tail.dropFirst()
            default:
                break
            }
            try control?.produce(frame.rowCount, at: .source(source, stage.range))
            // What follows a chart is resolved now that the chart's columns are known.
            var late = Resolver(source: source, session: session)
            let (steps, rest) = try late.resolveStages(tail, from: frame.schema)
            control?.warn(late.warnings)
            let chart = frame.chart
            frame = try run(steps, on: frame)
            if frame.chart == nil, steps.allSatisfy(\.keepsRows) { frame.chart = chart }
            tail = rest
        }
        let columns = frame.visibleColumns()
        return QueryResult(fields: frame.fields, columns: columns, measure: frame.measure, chart: frame.chart,
                           warnings: control?.takeWarnings() ?? [])
    }

    func run(_ steps: [PlanStep], on input: Frame) throws(Diagnostic) -> Frame {
        var frame = input
        for step in steps {
            do {
                try evaluator.checkCancelled()
                frame = try applyStep(step, to: frame)
            } catch {
                // A limit reached inside a step is reported at the step.
                if case .budgetExceeded = error.kind, case .none = error.location {
                    throw Diagnostic(error.kind, in: source, at: step.range)
                }
                throw error
            }
            try control?.produce(frame.rowCount, at: .source(source, step.range))
        }
        return frame
    }

    /// Reads the `wanted` columns of `table` a stretch at a time (``ColumnStore/stream(_:_:)``),
    /// runs `steps` on each stretch and hands the result to `body` with the stretch's rows,
    /// which returns false to give up. Returns the rows read, or nil when the stream gave up or
    /// could not start.
    func streamSteps(_ steps: [PlanStep], table: Table, wanted: [Int], at range: SourceRange,
                     _ body: (_ out: Frame, _ rows: Int) throws(Diagnostic) -> Bool) throws(Diagnostic) -> Int? {
        try streamSteps([CollectedSide(steps: steps, wanted: wanted)], table: table, at: range) { _, out, rows throws(Diagnostic) in
            try body(out, rows)
        }
    }

    /// As above for several sides over one read of the union of their columns: each stretch
    /// goes through every side's steps, each side seeing only its own columns. `body` returning
    /// false drops that side; the stream gives up (nil) once every side is dropped.
    func streamSteps(_ sides: [CollectedSide], table: Table, at range: SourceRange,
                     _ body: (_ side: Int, _ out: Frame, _ rows: Int) throws(Diagnostic) -> Bool) throws(Diagnostic) -> Int? {
        let fields = table.fields
        var union: [Int] = []
        for side in sides { for c in side.wanted where !union.contains(c) { union.append(c) } }
        var alive = [Bool](repeating: true, count: sides.count)
        return try table.store.stream(union) { count, loaded throws(Diagnostic) in
            try evaluator.checkCancelled()
            try control?.scan(count, at: .source(source, range))
            for (i, side) in sides.enumerated() where alive[i] {
                var columns = [Column?](repeating: nil, count: fields.count)
                for c in side.wanted { columns[c] = loaded[c] }
                let stretch = Frame(tableName: table.name, fields: fields, columns: columns, baseCount: count,
                                    selection: nil, measure: table.measure)
                alive[i] = try body(i, try run(side.steps, on: stretch), count)
            }
            return alive.contains(true)
        }
    }

    /// How many of `steps`, from the first, filter or compute columns row by row (no window
    /// function, no text `=`, whose warning about case looks at every row): the steps a stretch
    /// of a file can go through on its own.
    static func rowLocalSteps(_ steps: [PlanStep]) -> Int {
        var end = 0
        scan: while end < steps.count {
            switch steps[end].kind {
            case .filter(let condition):
                guard condition.isRowLocal, !condition.comparesTextForEquality else { break scan }
            case .project(let projections):
                for case .computed(let b) in projections where !b.isRowLocal || b.comparesTextForEquality { break scan }
            case .aggregate, .group, .sort, .limit, .distinct, .join:
                break scan
            }
            end += 1
        }
        return end
    }

    /// Most rows the partial answers of a streamed query may add up to before the file is read
    /// whole instead (a `group by` with nearly as many groups as rows gains nothing from it).
    static let streamedPartialRows = 1_000_000

    /// For a plan that filters (and computes columns) row by row and then counts, sums or takes
    /// extremes, over a file that may stream (``CSVSource/stream(_:_:)``): runs the steps up
    /// to that aggregate on each stretch of the file, keeps each stretch's partial answer (a
    /// count, an integer sum, a min or max, by group), and combines them, so no column is held
    /// whole. Returns the frame after the aggregate step and the number of the next step; nil
    /// when the plan or the file does not allow it, and the caller reads the columns whole.
    ///
    /// Left to the whole read: sums of decimals (their exact sum is made over every value at
    /// once), `avg`, `median` and `count_distinct`, window functions, a text `=` (whose warning
    /// about case looks at every row), and sums over a text `level` (whose warning does too).
    private func streamed(_ plan: QueryPlan, table: Table, read: [Int]?, at range: SourceRange) throws(Diagnostic) -> (Frame, Int)? {
        let sink = Interpreter.rowLocalSteps(plan.steps)
        guard sink < plan.steps.count else { return nil }
        let step = plan.steps[sink]
        let keys: [Bound]?, items: [Bound]
        switch step.kind {
        case .aggregate(let i): keys = nil; items = i
        case .group(let k, let i): keys = k; items = i
        default: return nil
        }
        if let keys, !keys.allSatisfy({ $0.isRowLocal && !$0.comparesTextForEquality }) { return nil }
        let wanted = read ?? Array(table.fields.indices)
        // A count of every row holds no column anyway.
        guard !wanted.isEmpty else { return nil }
        if let li = table.fieldIndex("level"), table.fields[li].type == .text, wanted.contains(li),
           items.contains(where: \.addsUp) { return nil }
        let nk = keys?.count ?? 0
        // Each aggregate becomes a partial one per stretch and a merging one over the partials.
        var partials: [Bound] = []
        func merging(_ b: Bound) -> Bound? {
            switch b.kind {
            case .literal, .groupKey:
                return b
            case .aggregate(let fn, _):
                let merge: AggregateFunction
                switch fn {
                case .count, .count_if: merge = .sum
                case .sum, .sum_if: guard b.type == .int else { return nil }; merge = .sum
                case .min: merge = .min
                case .max: merge = .max
                case .avg, .median, .count_distinct: return nil
                }
                partials.append(b)
                return b.with(.aggregate(merge, [b.with(.column(nk + partials.count - 1))]))
            case .negate(let x):
                return merging(x).map { b.with(.negate($0)) }
            case .not(let x):
                return merging(x).map { b.with(.not($0)) }
            case .isNull(let x, let negated):
                return merging(x).map { b.with(.isNull($0, negated: negated)) }
            case .arithmetic(let op, let l, let r):
                guard let l = merging(l), let r = merging(r) else { return nil }
                return b.with(.arithmetic(op, l, r))
            case .compare(let op, let l, let r):
                guard let l = merging(l), let r = merging(r) else { return nil }
                return b.with(.compare(op, l, r))
            case .and(let l, let r):
                guard let l = merging(l), let r = merging(r) else { return nil }
                return b.with(.and(l, r))
            case .or(let l, let r):
                guard let l = merging(l), let r = merging(r) else { return nil }
                return b.with(.or(l, r))
            case .call(let fn, let args):
                var out: [Bound] = []
                for a in args { guard let m = merging(a) else { return nil }; out.append(m) }
                return b.with(.call(fn, out))
            case .inList, .caseWhen, .column, .window:
                return nil
            }
        }
        var merged: [Bound] = []
        for item in items {
            guard let m = merging(item) else { return nil }
            merged.append(m)
        }
        guard nk + partials.count > 0 else { return nil }
        let keyFields = Array(step.output.fields.prefix(nk))
        let partialFields = partials.indices.map { Field(name: "partial_\($0)", type: partials[$0].type.columnType) }
        let partialStep = PlanStep(kind: keys.map { .group(keys: $0, items: partials) } ?? .aggregate(partials), range: step.range,
                                   output: Schema(tableName: step.output.tableName, fields: keyFields + partialFields, measure: nil))
        let prefix = Array(plan.steps[..<sink])
        var values = [[Value]](repeating: [], count: nk + partials.count)
        let rows = try streamSteps(prefix, table: table, wanted: wanted, at: range) { out, count throws(Diagnostic) in
            let partial = try applyStep(partialStep, to: out)
            for j in values.indices {
                let column = partial.visible(j)
                for r in 0..<partial.rowCount { values[j].append(column.value(at: r)) }
            }
            // Groups nearly as many as the rows: partial answers would be as big as the columns.
            return values[0].count <= Interpreter.streamedPartialRows && partial.rowCount * 4 <= max(count, 4_096)
        }
        guard rows != nil else { return nil }
        let types = keyFields.map(\.type) + partialFields.map(\.type)
        let columns = zip(values, types).map { Column.of($0, type: $1) }
        let partialFrame = Frame(tableName: step.output.tableName, fields: keyFields + partialFields, columns: columns,
                                 baseCount: values[0].count, selection: nil, measure: nil)
        let finalKeys = keyFields.indices.map { k in
            Bound(kind: .column(k), type: ValueType(keyFields[k].type), range: keys![k].range, isRupiah: keys![k].isRupiah)
        }
        let finalStep = PlanStep(kind: keys == nil ? .aggregate(merged) : .group(keys: finalKeys, items: merged),
                                 range: step.range, output: step.output)
        let done = try applyStep(finalStep, to: partialFrame)
        try control?.produce(done.rowCount, at: .source(source, step.range))
        return (done, sink + 1)
    }

    /// The most rows `sort … | limit n` may keep (and read again) before the file's columns are
    /// read whole instead.
    static let topRowsLimit = 10_000

    /// For a plan that starts with `sort k … | limit n` over a file not yet read, with `k` a
    /// number column: reads `k` whole, finds the rows that can be in the first `n` (those at
    /// least as far up as the `n`-th by `k`, and every null), and reads the other columns for
    /// those rows only. The plan's sort then runs over them as it would over every row, with
    /// the rows in table order so ties keep it. Nil when that does not apply; the caller then
    /// reads the columns whole.
    private func topRowsFirst(_ plan: QueryPlan, table: Table, read: [Int]?, at range: SourceRange) throws(Diagnostic) -> Frame? {
        guard let step = plan.steps.first, case .sort(let keys, let limit?) = step.kind, limit > 0,
              limit <= Interpreter.topRowsLimit, let first = keys.first, case .column(let k) = first.key.kind,
              table.fields[k].type != .text else { return nil }
        let wanted = read ?? Array(table.fields.indices)
        guard wanted.contains(where: { $0 != k && !table.store.holds($0) }) else { return nil }
        let (count, loaded) = try table.store.load([k])
        guard count > 2 * Interpreter.topRowsLimit else { return nil }
        let column = loaded[0]
        let order = try evaluator.order([SortColumn(column, descending: first.descending)], rows: count, limit: limit)
        guard order.count == limit, let last = order.last, !column.isNull(Int(last)) else { return nil }
        // Every row as far up as the n-th by `k`, or unordered by it (null, NaN).
        func candidates<T: Comparable>(_ values: Buffer<T>, unordered: (T) -> Bool) -> [Int]? {
            let v = values[Int(last)]
            if unordered(v) { return nil }
            var rows: [Int] = []
            for r in 0..<count where column.isNull(r) || unordered(values[r]) || (first.descending ? values[r] >= v : values[r] <= v) {
                rows.append(r)
                if rows.count > Interpreter.topRowsLimit { return nil }
            }
            return rows
        }
        let found: [Int]?
        switch column.storage {
        case .int(let values): found = candidates(values) { _ in false }
        case .double(let values): found = candidates(values) { $0.isNaN }
        case .text: found = nil
        }
        guard let rows = found else { return nil }
        try evaluator.checkCancelled()
        guard let got = try table.store.rows(rows, columns: wanted) else { return nil }
        try control?.scan(count, at: .source(source, range))
        var columns = [Column?](repeating: nil, count: table.fields.count)
        var fields = table.fields
        for (i, c) in zip(wanted, got) {
            columns[i] = c
            fields[i] = fields[i].with(type: c.type)
        }
        return Frame(tableName: table.name, fields: fields, columns: columns, baseCount: rows.count,
                     selection: nil, measure: table.measure)
    }

    /// The table's rows with the columns the plan reads (all when `read` is nil).
    func frameOf(_ table: Table, read: [Int]?, at range: SourceRange? = nil) throws(Diagnostic) -> Frame {
        let wanted = read ?? Array(table.fields.indices)
        let (count, loaded) = try table.store.load(wanted)
        try control?.scan(count, at: range.map { .source(source, $0) } ?? .none)
        var columns = [Column?](repeating: nil, count: table.fields.count)
        var fields = table.fields
        for (i, c) in zip(wanted, loaded) {
            columns[i] = c
            fields[i] = fields[i].with(type: c.type)
        }
        return Frame(tableName: table.name, fields: fields, columns: columns, baseCount: count,
                     selection: nil, measure: table.measure)
    }

    func applyStep(_ step: PlanStep, to frame: Frame) throws(Diagnostic) -> Frame {
        let ev = evaluator
        switch step.kind {
        case .filter(let condition):
            var out = frame
            out.selection = try ev.filter(condition, frame)
            return out
        case .limit(let n):
            var out = frame
            out.selection = (0..<min(n, frame.rowCount)).map { Int32(frame.row($0)) }
            return out
        case .sort(let keys, let limit):
            var columns: [SortColumn] = []
            for key in keys {
                let v = try ev.value(key.key, frame)
                if case .constant = v { continue }
                columns.append(SortColumn(v.materialize(count: frame.rowCount), descending: key.descending))
            }
            let positions = try ev.order(columns, rows: frame.rowCount, limit: limit)
            var out = frame
            out.selection = positions.map { Int32(frame.row(Int($0))) }
            return out
        case .project(let projections):
            var columns: [Column] = []
            for p in projections {
                switch p {
                case .input(let c): columns.append(frame.visible(c))
                case .computed(let b): columns.append(try ev.value(b, frame).materialize(count: frame.rowCount, as: b.type))
                }
            }
            return derived(frame, step.output, columns)
        case .distinct(let indexes):
            let keys = indexes.map { Operand.column(frame.visible($0)) }
            let grouping = try ev.group(keys, rows: frame.rowCount)
            let first = frame.rowCount == 0 ? [] : grouping.first
            return derived(frame, step.output, keys.map { $0.gather(first) })
        case .group(let keys, let items):
            let keyValues = try keys.map { (k: Bound) throws(Diagnostic) -> Operand in try ev.value(k, frame) }
            let grouping = try ev.group(keyValues, rows: frame.rowCount)
            try checkLevels(items, frame, keys: keys, grouping: grouping, at: step.range)
            try ev.checkCancelled()
            var columns: [Column] = []
            for (value, key) in zip(keyValues, keys) {
                if case .constant(.null) = value {
                    columns.append(Column.allNull(key.type.columnType, count: grouping.first.count))
                } else {
                    columns.append(value.gather(grouping.first, control: control))
                }
                try ev.checkCancelled()
            }
            for item in items {
                try ev.checkCancelled()
                let v = try ev.groupValue(item, frame, grouping, keys: columns)
                columns.append(v.materialize(count: grouping.count, as: item.type))
            }
            return derived(frame, step.output, columns)
        case .aggregate(let items):
            try checkLevels(items, frame, keys: [], grouping: nil, at: step.range)
            var columns: [Column] = []
            for item in items {
                columns.append(try ev.groupValue(item, frame, nil, keys: []).materialize(count: 1, as: item.type))
            }
            return derived(frame, step.output, columns)
        case .join(let plan):
            return try join(frame, plan, output: step.output, range: step.range)
        }
    }

    /// A frame of freshly computed columns with the plan's fields and measure.
    private func derived(_ frame: Frame, _ schema: Schema, _ columns: [Column]) -> Frame {
        // A CSV column read in full may be wider than the plan's guess: the column's type wins.
        let fields = zip(schema.fields, columns).map { f, c in
            f.type == c.type ? f : f.with(type: c.type)
        }
        return Frame(tableName: frame.tableName, fields: fields, columns: columns,
                     baseCount: columns.first?.count ?? 0, selection: nil, measure: schema.measure)
    }

    /// Summing or averaging over rows of more than one budget `level` (urusan, program,
    /// kegiatan, ...) counts each amount once per level above it: warn, naming the levels.
    /// With `group by`, only a group that holds several levels double-counts.
    private func checkLevels(_ items: [Bound], _ frame: Frame, keys: [Bound], grouping: Grouping?, at range: SourceRange) throws(Diagnostic) {
        guard let li = frame.index(of: "level"), frame.fields[li].type == .text, frame.columns[li] != nil,
              let item = items.first(where: \.addsUp) else { return }
        if keys.contains(where: { if case .column(li) = $0.kind { return true }; return false }) { return }
        let column = frame.visible(li)
        guard case .text(let codes, let dict) = column.storage else { return }
        if let grouping {
            // The level code each group has shown so far; -1 before its first non-null level.
            var groupLevel = [Int32](repeating: -1, count: grouping.count)
            var mixed = false
            for k in 0..<column.count where !column.isNull(k) {
                let g = Int(grouping.ids[k])
                if groupLevel[g] == -1 { groupLevel[g] = Int32(codes[k]) }
                else if groupLevel[g] != Int32(codes[k]) { mixed = true; break }
            }
            guard mixed else { return }
        }
        var seen = [Int](repeating: 0, count: dict.count)
        for k in 0..<column.count where !column.isNull(k) { seen[Int(codes[k])] += 1 }
        let levels = dict.indices.filter { seen[$0] > 0 }
        guard levels.count > 1 else { return }
        // The finest level is the one with the most rows: that is what adds up to the rest.
        let finest = levels.max { seen[$0] < seen[$1] }!
        control?.warn([Diagnostic(.mixedLevels(levels: levels.map { dict[$0] }, suggestion: dict[finest]),
                                  in: source, at: item.range.start < range.start ? range : item.range)])
    }
}

extension Bound {
    /// The same expression's type, range and rupiah mark over another kind.
    func with(_ kind: Kind) -> Bound {
        var out = self
        out.kind = kind
        return out
    }

    /// The expressions directly inside this one.
    var children: [Bound] {
        switch kind {
        case .literal, .column, .groupKey: return []
        case .negate(let x), .not(let x), .isNull(let x, _): return [x]
        case .arithmetic(_, let l, let r), .compare(_, let l, let r), .and(let l, let r), .or(let l, let r): return [l, r]
        case .inList(let x, let list, _): return [x] + list
        case .caseWhen(let arms, let otherwise): return arms.flatMap { [$0.condition, $0.value] } + (otherwise.map { [$0] } ?? [])
        case .call(_, let args), .aggregate(_, let args): return args
        case .window(let w): return w.arguments + w.partition + w.order.map(\.key)
        }
    }

    /// Whether the value is computed from its own row alone (no aggregate, window or group key).
    var isRowLocal: Bool {
        switch kind {
        case .groupKey, .aggregate, .window: return false
        default: return children.allSatisfy(\.isRowLocal)
        }
    }

    /// Whether it holds a text `=` or `in` (whose warning about case looks at every row at once).
    var comparesTextForEquality: Bool {
        switch kind {
        case .window: return true
        case .compare(.equal, let l, let r) where l.type == .text || r.type == .text: return true
        case .inList(let x, _, _) where x.type == .text: return true
        default: return children.contains(where: \.comparesTextForEquality)
        }
    }
}

extension PlanStep {
    /// Whether the step only picks or orders rows, leaving the columns as they are.
    var keepsRows: Bool {
        switch kind {
        case .filter, .sort, .limit: return true
        case .project, .distinct, .group, .aggregate, .join: return false
        }
    }
}

extension Frame {
    /// The frame's columns as a schema, for resolving the stages that follow a chart.
    var schema: Schema { Schema(tableName: tableName, fields: fields, measure: measure) }
}

extension Value {
    var isNumber: Bool {
        switch self {
        case .int, .double: return true
        case .null, .text: return false
        }
    }
}

extension Resolver {
    /// The plan of `query` over `table` in place of the table it names (after a load widened
    /// a column's type).
    mutating func resolve(_ query: Query, over table: Table) throws(Diagnostic) -> QueryPlan {
        let input = Schema(tableName: table.name, fields: table.fields, measure: table.measure)
        let (steps, tail) = try resolveStages(query.stages[...], from: input)
        var plan = try resolve(query)
        plan.input = input
        plan.steps = steps
        plan.tail = tail
        if case .table(_, let read) = plan.source { plan.source = .table(table, read: read) }
        return plan
    }
}
