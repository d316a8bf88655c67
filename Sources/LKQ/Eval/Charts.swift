#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// The chart stages, `bar` and `spark`. Each reshapes the rows into the data its picture shows
/// (which csv and json print as they are) and records a ``Chart`` for the `table` format.
extension Interpreter {
    /// Measures whose names say they are a percentage of a target, drawn against a marker at 100.
    static let targetWords = ["capaian", "persen", "serapan"]

    var resolver: Resolver { Resolver(source: source, session: session) }

    /// An expression of a chart stage, resolved against the rows it is drawn from (a chart's
    /// expressions are resolved when it runs, as its columns depend on the data).
    func bind(_ e: Expr, _ frame: Frame) throws(Diagnostic) -> Bound {
        var r = resolver
        return try r.value(e, frame.schema, .row)
    }

    func exprValue(_ e: Expr, _ frame: Frame) throws(Diagnostic) -> Operand {
        try evaluator.value(try bind(e, frame), frame)
    }

    /// The most year columns `spark` makes; more distinct values mean the wrong column.
    static let maxSparkYears = 100

    /// `bar [label [measure]]`: the label and measure columns of every row.
    func bar(_ frame: Frame, label: Expr?, measure: Expr?, at range: SourceRange) throws(Diagnostic) -> Frame {
        var labelExpr = label, measureExpr = measure
        // One expression alone is the measure when its values are numbers.
        if let only = label, measure == nil, try bind(only, frame).type != .text {
            labelExpr = nil
            measureExpr = only
        }
        var fields: [Field] = []
        var columns: [Column] = []
        if let labelExpr {
            let column = try exprValue(labelExpr, frame).materialize(count: frame.rowCount)
            fields.append(Field(name: try resolver.outputName(Item(expr: labelExpr, alias: nil), fields), type: column.type))
            columns.append(column)
        } else {
            // The first text column that tells the rows apart, words before codes (kode, no),
            // else the first text column; of those the query has read, as others are not loaded.
            let texts = frame.fields.indices.filter { frame.fields[$0].type == .text && frame.columns[$0] != nil }
            guard let first = texts.first else {
                throw Diagnostic(.noLabelColumn(table: frame.tableName), in: source, at: range)
            }
            let distinct = texts.filter { Self.isDistinct(frame.visible($0)) }
            let i = distinct.first { !DisplayColumns.isLabel(frame.fields[$0].name) } ?? distinct.first ?? first
            fields.append(frame.fields[i])
            columns.append(frame.visible(i))
        }
        let value: Operand
        let name: String
        var rupiah = false
        if let measureExpr {
            value = try exprValue(measureExpr, frame)
            name = try resolver.outputName(Item(expr: measureExpr, alias: nil), fields)
            rupiah = try bind(measureExpr, frame).isRupiah
        } else {
            let m = try measureIndex(frame, besides: fields[0].name, at: range)
            value = .column(frame.visible(m))
            name = frame.fields[m].name
            rupiah = frame.fields[m].isRupiah
            if fields[0].name == name { throw Diagnostic(.duplicateColumn(name), in: source, at: range) }
        }
        guard value.isNumeric else {
            throw Diagnostic(.notNumeric(operation: "bar", type: value.typeName), in: source, at: measureExpr?.range ?? range)
        }
        let column = value.materialize(count: frame.rowCount)
        fields.append(Field(name: name, type: column.type, isRupiah: rupiah))
        columns.append(column)
        let target: Double? = Self.targetWords.contains { name.contains($0) } ? 100 : nil
        var out = Frame(tableName: frame.tableName, fields: fields, columns: columns, baseCount: frame.rowCount,
                        selection: nil, measure: name)
        out.chart = .bar(label: 0, measure: 1, target: target)
        return out
    }

    /// The default measure; for a table that names none (a CSV file), its one number column
    /// other than `besides` and columns that name things (`tahun`, `no`, `kode`).
    func measureIndex(_ frame: Frame, besides: String, at range: SourceRange) throws(Diagnostic) -> Int {
        if frame.measure != nil { return try resolver.measure(frame.schema, range) }
        let numbers = frame.fields.indices.filter {
            let f = frame.fields[$0]
            return f.type != .text && frame.columns[$0] != nil && f.name != besides && !DisplayColumns.isLabel(f.name)
        }
        guard numbers.count == 1 else { throw Diagnostic(.noDefaultMeasure(table: frame.tableName), in: source, at: range) }
        return numbers[0]
    }

    /// Whether no two rows of a text column hold the same text.
    static func isDistinct(_ column: Column) -> Bool {
        guard case .text(let codes, let dictionary) = column.storage, column.nulls == nil,
              dictionary.count >= column.count else { return false }
        var seen = [Bool](repeating: false, count: dictionary.count)
        for k in 0..<column.count {
            if seen[Int(codes[k])] { return false }
            seen[Int(codes[k])] = true
        }
        return true
    }

    /// `spark [measure] [by year]`: one row per series (the distinct values of the other text
    /// and non-rupiah integer columns, in order of first appearance), then one column per year,
    /// in ascending order, holding the measure (null where a series has no value for a year).
    func spark(_ frame: Frame, measure: Expr?, year: Expr?, at range: SourceRange) throws(Diagnostic) -> Frame {
        let ev = evaluator
        let n = frame.rowCount
        // Columns that the measure and the year are made of are not series labels.
        var used = Set<String>()
        var usesMeasure = false
        let value: Operand
        var rupiah = false
        if let measure {
            value = try exprValue(measure, frame)
            measure.collectColumns(into: &used, measure: &usesMeasure)
            rupiah = try bind(measure, frame).isRupiah
        } else {
            // (`tahun` and `year` are never taken for the measure; another year column may be.)
            let byColumn: String? = year.flatMap { if case .column(let c) = $0.kind { return c }; return nil }
            let m = try measureIndex(frame, besides: byColumn ?? "", at: range)
            value = .column(frame.visible(m))
            used.insert(frame.fields[m].name)
            rupiah = frame.fields[m].isRupiah
        }
        if usesMeasure, let m = frame.measure { used.insert(m) }
        guard value.isNumeric else {
            throw Diagnostic(.notNumeric(operation: "spark", type: value.typeName), in: source, at: measure?.range ?? range)
        }
        let yearName: String
        let years: Column
        if let year {
            years = try exprValue(year, frame).materialize(count: n)
            year.collectColumns(into: &used, measure: &usesMeasure)
            yearName = Resolver.normalized(source.slice(year.range))
        } else {
            guard let i = frame.fields.indices.first(where: {
                ["tahun", "year"].contains(frame.fields[$0].name) && frame.fields[$0].type == .int && frame.columns[$0] != nil
            }) else {
                throw Diagnostic(.noYearColumn(table: frame.tableName), in: source, at: range)
            }
            years = frame.visible(i)
            yearName = frame.fields[i].name
            used.insert(yearName)
        }

        // The distinct years, ascending, each with its column number.
        var yearIndex: [Value: Int] = [:]
        var yearValues: [Value] = []
        var yearOf = [Int](repeating: -1, count: n)
        for k in 0..<n where !years.isNull(k) {
            let y = years.value(at: k)
            if let j = yearIndex[y] { yearOf[k] = j; continue }
            if yearValues.count == Self.maxSparkYears {
                let distinct = Set((0..<n).map { years.value(at: $0) }).subtracting([.null]).count
                throw Diagnostic(.tooManyYears(column: yearName, count: distinct, limit: Self.maxSparkYears),
                                 in: source, at: year?.range ?? range)
            }
            yearIndex[y] = yearValues.count
            yearOf[k] = yearValues.count
            yearValues.append(y)
        }
        let order = SortColumn(Column.from(yearValues), descending: false)
        let sortedYears = yearValues.indices.sorted { order.compare($0, $1) < 0 }
        var place = [Int](repeating: 0, count: yearValues.count)
        for (p, j) in sortedYears.enumerated() { place[j] = p }

        // The series, numbered in order of first appearance.
        let labels = frame.fields.indices.filter { i in
            let f = frame.fields[i]
            return frame.columns[i] != nil && !used.contains(f.name) && (f.type == .text || (f.type == .int && !f.isRupiah))
        }
        let labelColumns = labels.map { frame.visible($0) }
        let grouping = try ev.group(labelColumns.map { .column($0) }, rows: n)
        // With no rows there are no series, even when there are no label columns to group by.
        let count = n == 0 ? 0 : grouping.count
        let byAppearance = (0..<count).sorted { grouping.first[$0] < grouping.first[$1] }
        var series = [Int](repeating: 0, count: count)
        for (s, g) in byAppearance.enumerated() { series[g] = s }
        let firstRows = byAppearance.map { grouping.first[$0] }

        // The row that holds each series' value for each year (-1 for none).
        let yearCount = yearValues.count
        var cellRow = [Int32](repeating: -1, count: count * yearCount)
        for k in 0..<n where yearOf[k] >= 0 {
            let cell = series[Int(grouping.ids[k])] * yearCount + place[yearOf[k]]
            if cellRow[cell] >= 0 {
                let what = labelColumns.isEmpty ? frame.tableName
                    : "'" + labelColumns.map { $0.value(at: k).description }.joined(separator: " / ") + "'"
                throw Diagnostic(.duplicateYear(series: what, year: yearValues[yearOf[k]].description),
                                 in: source, at: range)
            }
            cellRow[cell] = Int32(k)
        }

        let values = value.materialize(count: n)
        var fields = labels.map { frame.fields[$0] }
        var columns = labelColumns.map { $0.gather(firstRows) }
        for (p, j) in sortedYears.enumerated() {
            let rows = (0..<count).map { cellRow[$0 * yearCount + p] }
            var column = values.gather(rows.map { max($0, 0) })
            column.nulls = NullMask.from(rows.map { $0 < 0 || values.isNull(Int($0)) })
            fields.append(Field(name: yearValues[j].description, type: column.type, isRupiah: rupiah))
            columns.append(column)
        }
        var out = Frame(tableName: frame.tableName, fields: fields, columns: columns, baseCount: count,
                        selection: nil, measure: nil)
        out.chart = .spark(labels: Array(labels.indices), years: Array(labels.count..<fields.count))
        return out
    }
}

extension Column {
    /// A column of boxed values, all of one type (or null).
    static func from(_ values: [Value]) -> Column {
        if values.contains(where: { if case .text = $0 { return true }; return false }) { return of(values, type: .text) }
        if values.contains(where: { if case .double = $0 { return true }; return false }) { return of(values, type: .double) }
        return of(values, type: .int)
    }

    /// A column of boxed values as a column of `type` (an integer widens to a decimal; any
    /// value of another type is null).
    static func of(_ values: [Value], type: ColumnType) -> Column {
        switch type {
        case .int: return .ints(values.map { if case .int(let i) = $0 { return i }; return nil })
        case .double: return .doubles(values.map {
            switch $0 {
            case .double(let d): return d
            case .int(let i): return Double(i)
            default: return nil
            }
        })
        case .text: return .texts(values.map { if case .text(let t) = $0 { return t }; return nil })
        }
    }
}
