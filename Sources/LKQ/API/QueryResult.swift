#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// The answer to a query: named, typed columns and their rows.
///
/// Encodes to JSON as an array of row objects keyed by column name, in column order.
public struct QueryResult: Sendable, Encodable {
    /// The result's columns, in order.
    public let fields: [Field]
    let columns: [Column]
    /// The default measure carried over from the table, when its column survived.
    public let measure: String?
    /// How the `table` format draws the rows, when a `bar` or `spark` stage asked for a picture;
    /// the other formats print the columns.
    public let chart: Chart?
    /// What the query did that may not be what was meant (a sum over several budget levels,
    /// a text `=` that matches only with case ignored), each located in the query.
    public let warnings: [LKQError]

    init(fields: [Field], columns: [Column], measure: String?, chart: Chart? = nil, warnings: [LKQError] = []) {
        self.fields = fields
        self.columns = columns
        self.measure = measure
        self.chart = chart
        self.warnings = warnings
    }

    /// Number of rows.
    public var rowCount: Int { columns.first?.count ?? 0 }

    /// The value in `row` of column number `column`.
    public subscript(row: Int, column: Int) -> Value { columns[column].value(at: row) }

    /// The value in `row` of the column called `name`, or `nil` if there is no such column.
    public subscript(row: Int, name: String) -> Value? {
        guard let i = fields.firstIndex(where: { $0.name == name.lowercased() }) else { return nil }
        return columns[i].value(at: row)
    }

    /// All rows as arrays of values; convenient for small results.
    public var rows: [[Value]] {
        (0..<rowCount).map { r in columns.map { $0.value(at: r) } }
    }

    /// The result as a table, for binding with `let` or handing back to an engine.
    public func asTable(named name: String) -> Table {
        Table(name: name, fields: fields, measure: measure, origin: "let \(name)",
              store: ColumnStore(count: rowCount, columns: columns))
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Encodes as `[{"col": value, ...}, ...]`.
    public func encode(to encoder: any Encoder) throws {
        var array = encoder.unkeyedContainer()
        for r in 0..<rowCount {
            var object = array.nestedContainer(keyedBy: Key.self)
            for (i, f) in fields.enumerated() {
                try object.encode(columns[i].value(at: r), forKey: Key(stringValue: f.name))
            }
        }
    }
}

/// A picture of a result for a terminal: what the `bar` and `spark` stages ask for. It only
/// says how to draw the result's own columns, which stay the data.
public enum Chart: Sendable, Equatable {
    /// A horizontal bar per row: the column numbers of the label and of the measure, and where a
    /// marker stands on the scale (100 for a capaian), if anywhere.
    case bar(label: Int, measure: Int, target: Double?)
    /// A sparkline per row across the `years` columns (in order, each named by its year),
    /// labelled by the `labels` columns.
    case spark(labels: [Int], years: [Int])
}
