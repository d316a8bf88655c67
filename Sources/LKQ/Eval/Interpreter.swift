/// Runs parsed statements: resolves the table, loads the columns the query reads, and
/// applies the stages one by one to a ``Frame``.
struct Interpreter {
    let session: Session
    let source: SourceFile
    let control: RunControl?
    /// Set while running a claim's query for `audit`, which may not start another audit.
    var insideAudit = false

    var evaluator: Evaluator { Evaluator(source: source, control: control) }

    func run(_ statement: Statement, into session: inout Session) throws(Diagnostic) -> Session.Outcome {
        switch statement.kind {
        case .query(let query):
            return .result(try execute(query))
        case .bind(let name, let query):
            if session.engine.table(named: name.text) != nil {
                throw Diagnostic(.cannotRedefineTable(name.text), in: source, at: name.range)
            }
            let result = try execute(query)
            session.bindings[name.text] = result.asTable(named: name.text)
            return .bound(name.text)
        }
    }

    /// Runs one query to a result.
    func execute(_ query: Query) throws(Diagnostic) -> QueryResult {
        let table: Table
        switch query.source {
        case .table(let name): table = try resolve(name)
        case .audit(let all, let range): table = try audit(all: all, range: range)
        }
        var frame = try load(table, for: query)
        let stages = query.stages
        var i = 0
        while i < stages.count {
            try evaluator.checkCancelled()
            let stage = stages[i]
            // `sort … | limit N` keeps only N rows while sorting.
            if case .sort(let keys) = stage.kind, i + 1 < stages.count, case .limit(let n) = stages[i + 1].kind {
                frame = try sort(frame, keys, limit: n)
                try control?.produce(frame.rowCount, at: .source(source, stage.range))
                i += 2
                continue
            }
            frame = try apply(stage, to: frame)
            try control?.produce(frame.rowCount, at: .source(source, stage.range))
            i += 1
        }
        let columns = frame.fields.indices.map { frame.visible($0) }
        return QueryResult(fields: frame.fields, columns: columns, measure: frame.measure, chart: frame.chart)
    }

    private func resolve(_ name: Name) throws(Diagnostic) -> Table {
        if let t = session.bindings[name.text] ?? session.engine.table(named: name.text) { return t }
        let names = session.engine.tables.map(\.name) + session.bindings.keys.sorted()
        throw Diagnostic(.unknownTable(name.text, suggestion: nearestName(to: name.text, in: names)), in: source, at: name.range)
    }

    /// Reads only the columns the query can see before it reshapes its rows; a query that
    /// never reshapes (no select, group or aggregate) returns every column.
    private func load(_ table: Table, for query: Query) throws(Diagnostic) -> Frame {
        var names = Set<String>()
        var usesMeasure = false
        var reshapes = false
        scan: for stage in query.stages {
            switch stage.kind {
            case .filter(let e): e.collectColumns(into: &names, measure: &usesMeasure)
            case .sort(let keys): for k in keys { k.expr.collectColumns(into: &names, measure: &usesMeasure) }
            case .limit: break
            case .join(let j): for k in j.keys { names.insert(k.left.text) }
            case .select(let items):
                for it in items { it.expr.collectColumns(into: &names, measure: &usesMeasure) }
                reshapes = true
            case .group(let keys, let items):
                for it in keys + items { it.expr.collectColumns(into: &names, measure: &usesMeasure) }
                reshapes = true
            case .aggregate(_, let e):
                if let e { e.collectColumns(into: &names, measure: &usesMeasure) } else { usesMeasure = true }
                reshapes = true
            case .bar(let label, let measure):
                label?.collectColumns(into: &names, measure: &usesMeasure)
                measure?.collectColumns(into: &names, measure: &usesMeasure)
                if label == nil || measure == nil {
                    usesMeasure = true
                    // Label candidates, and measure candidates when the table names no measure.
                    for f in table.fields where f.type == .text || table.measure == nil { names.insert(f.name) }
                }
                reshapes = true
            case .spark:
                // Every other column may tell the series apart, so every column is read.
                break scan
            }
            if reshapes { break }
        }
        if usesMeasure, let m = table.measure { names.insert(m) }
        let wanted = reshapes ? table.fields.indices.filter { names.contains(table.fields[$0].name) }
                              : Array(table.fields.indices)
        let (count, loaded) = try table.store.load(wanted)
        try control?.scan(count, at: .source(source, query.range))
        var columns = [Column?](repeating: nil, count: table.fields.count)
        var fields = table.fields
        for (i, c) in zip(wanted, loaded) {
            columns[i] = c
            // A CSV column guessed from the file's head may have widened once read in full.
            fields[i] = Field(name: fields[i].name, type: c.type, isRupiah: fields[i].isRupiah)
        }
        return Frame(tableName: table.name, fields: fields, columns: columns, baseCount: count,
                     selection: nil, measure: table.measure)
    }

    private func apply(_ stage: Stage, to frame: Frame) throws(Diagnostic) -> Frame {
        let ev = evaluator
        switch stage.kind {
        case .filter(let condition):
            var out = frame
            out.selection = try ev.filter(condition, frame)
            return out
        case .limit(let n):
            var out = frame
            out.selection = (0..<min(n, frame.rowCount)).map { Int32(frame.row($0)) }
            return out
        case .sort(let keys):
            return try sort(frame, keys, limit: nil)
        case .select(let items):
            var fields: [Field] = []
            var columns: [Column] = []
            for item in items {
                let column = try ev.value(item.expr, frame).materialize(count: frame.rowCount)
                fields.append(Field(name: try outputName(item, fields), type: column.type, isRupiah: frame.isRupiah(item.expr)))
                columns.append(column)
            }
            return derived(frame, fields, columns)
        case .aggregate(let fn, let arg):
            let operand: Operand?
            var name = fn.rawValue
            var rupiah = false
            if let arg {
                operand = try ev.value(arg, frame)
                rupiah = frame.isRupiah(arg)
                if case .column(let c) = arg.kind { name += "_" + c }
            } else if fn == .count {
                operand = nil
            } else {
                let m = try ev.measureIndex(in: frame, at: stage.range)
                operand = .column(frame.visible(m))
                name += "_" + frame.fields[m].name
                rupiah = frame.fields[m].isRupiah
            }
            let column = try ev.aggregate(fn, operand, rows: frame.rowCount, groups: nil, range: stage.range)
            let amount = rupiah && [.sum, .min, .max].contains(fn)
            return derived(frame, [Field(name: name, type: column.type, isRupiah: amount)], [column])
        case .group(let keys, let items):
            return try group(frame, keys: keys, items: items)
        case .join(let spec):
            return try join(frame, spec, range: stage.range)
        case .bar(let label, let measure):
            return try bar(frame, label: label, measure: measure, at: stage.range)
        case .spark(let measure, let year):
            return try spark(frame, measure: measure, year: year, at: stage.range)
        }
    }

    private func sort(_ frame: Frame, _ keys: [SortKey], limit: Int?) throws(Diagnostic) -> Frame {
        let ev = evaluator
        var columns: [SortColumn] = []
        for key in keys {
            let v = try ev.value(key.expr, frame)
            if case .constant = v { continue }
            columns.append(SortColumn(v.materialize(count: frame.rowCount), descending: key.descending))
        }
        let positions = try ev.order(columns, rows: frame.rowCount, limit: limit)
        var out = frame
        out.selection = positions.map { Int32(frame.row(Int($0))) }
        return out
    }

    private func group(_ frame: Frame, keys: [Item], items: [Item]) throws(Diagnostic) -> Frame {
        let ev = evaluator
        let n = frame.rowCount
        let keyValues = try keys.map { (k: Item) throws(Diagnostic) -> Operand in try ev.value(k.expr, frame) }
        let grouping = ev.group(keyValues, rows: n)
        var fields: [Field] = []
        var columns: [Column] = []
        var keyColumns: [String: Column] = [:]
        for (item, value) in zip(keys, keyValues) {
            let column = value.gather(grouping.first)
            let name = try outputName(item, fields)
            fields.append(Field(name: name, type: column.type, isRupiah: frame.isRupiah(item.expr)))
            columns.append(column)
            keyColumns[name] = column
        }
        for item in items {
            let v = try groupValue(item.expr, frame, grouping, keyColumns)
            let column = v.materialize(count: grouping.count)
            fields.append(Field(name: try outputName(item, fields), type: column.type, isRupiah: frame.isRupiah(item.expr)))
            columns.append(column)
        }
        return derived(frame, fields, columns)
    }

    /// Evaluates an item of `group by` once per group: aggregate calls over the group's rows,
    /// key columns by name, and arithmetic or functions over those.
    private func groupValue(_ e: Expr, _ frame: Frame, _ grouping: Grouping, _ keys: [String: Column]) throws(Diagnostic) -> Operand {
        let ev = evaluator
        switch e.kind {
        case .int, .double, .string, .null: return try ev.value(e, frame)
        case .column(let name):
            if let c = keys[name] { return .column(c) }
            _ = try ev.columnIndex(name, in: frame, at: e.range)
            throw Diagnostic(.notInGroup(name), in: source, at: e.range)
        case .defaultMeasure, .not, .isNull, .binary(.and, _, _), .binary(.or, _, _):
            throw Diagnostic(.conditionAsValue, in: source, at: e.range)
        case .negate(let inner):
            let v = try groupValue(inner, frame, grouping, keys)
            return try ev.arithmetic(.subtract, .constant(.int(0)), v, count: grouping.count, range: e.range)
        case .binary(let op, let l, let r):
            if op.isComparison || op == .contains { throw Diagnostic(.conditionAsValue, in: source, at: e.range) }
            let left = try groupValue(l, frame, grouping, keys)
            let right = try groupValue(r, frame, grouping, keys)
            return try ev.arithmetic(op, left, right, count: grouping.count, range: e.range)
        case .call(let name, let args):
            if let fn = Aggregate(rawValue: name.text) {
                guard args.count <= 1, fn == .count || args.count == 1 else {
                    throw Diagnostic(.wrongArgumentCount(function: fn.rawValue, expected: fn == .count ? "0 or 1 argument" : "1 argument", got: args.count),
                                     in: source, at: e.range)
                }
                if let arg = args.first, arg.containsAggregate {
                    throw Diagnostic(.aggregateOutsideGroup(name.text), in: source, at: arg.range)
                }
                let operand = try args.first.map { (a: Expr) throws(Diagnostic) -> Operand in try ev.value(a, frame) }
                return .column(try ev.aggregate(fn, operand, rows: frame.rowCount, groups: grouping, range: e.range))
            }
            let values = try args.map { (a: Expr) throws(Diagnostic) -> Operand in try groupValue(a, frame, grouping, keys) }
            return try ev.call(name, values, args: args, count: grouping.count, range: e.range)
        }
    }

    /// A frame of freshly computed columns; the default measure survives if its column does.
    private func derived(_ frame: Frame, _ fields: [Field], _ columns: [Column]) -> Frame {
        let measure = frame.measure.flatMap { m in fields.contains { $0.name == m } ? m : nil }
        return Frame(tableName: frame.tableName, fields: fields, columns: columns,
                     baseCount: columns.first?.count ?? 0, selection: nil, measure: measure)
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
                else { name = Interpreter.normalized(source.slice(item.expr.range)) }
            default: name = Interpreter.normalized(source.slice(item.expr.range))
            }
        }
        if existing.contains(where: { $0.name == name }) {
            throw Diagnostic(.duplicateColumn(name), in: source, at: item.alias?.range ?? item.expr.range)
        }
        return name
    }

    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ").lowercased()
    }
}
