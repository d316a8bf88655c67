#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// The rows flowing between pipeline stages: base columns plus a selection of row numbers.
///
/// Filters never copy columns: they narrow `selection`. Stages that compute new columns
/// (select, group by, aggregates) produce a frame whose columns are exactly its rows.
struct Frame {
    /// The table's name, for messages.
    var tableName: String
    var fields: [Field]
    /// Columns of `baseCount` rows each; `nil` for a column the query never reads.
    var columns: [Column?]
    var baseCount: Int
    /// Rows in order, by number; `nil` means every row in order.
    var selection: [Int32]?
    var measure: String?
    /// The picture a chart stage asked for; stages that only pick rows keep it.
    var chart: Chart? = nil

    var rowCount: Int { selection?.count ?? baseCount }

    func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }

    /// Row number in the base columns of the `i`-th visible row.
    @inline(__always) func row(_ i: Int) -> Int {
        if let selection { return Int(selection[i]) }
        return i
    }

    /// The visible rows of column `i`, as a column of exactly `rowCount` rows.
    func visible(_ i: Int) -> Column {
        let column = columns[i]!
        guard let selection else { return column }
        return column.gather(selection)
    }
}

extension Column {
    /// The rows listed in `rows`, in that order, as a new column.
    ///
    /// With a `control`, the copy asks it between slices of a million rows whether to stop: a
    /// join's output can be tens of millions of rows per column, seconds of copying that Ctrl-C
    /// must be able to cut short. A copy cut short is incomplete: the caller checks the control
    /// right after and throws, so it is never used.
    func gather(_ rows: [Int32], control: RunControl? = nil) -> Column {
        var nullFlags: [Bool]?
        if let nulls {
            nullFlags = rows.map { nulls.isNull(Int($0)) }
        }
        let mask = nullFlags.flatMap(NullMask.from)
        switch storage {
        case .int(let b):
            return Column(storage: .int(Column.gathered(b, rows, control)), nulls: mask)
        case .double(let b):
            return Column(storage: .double(Column.gathered(b, rows, control)), nulls: mask)
        case .text(let codes, let dict):
            return Column(storage: .text(codes: Column.gathered(codes, rows, control), dictionary: dict), nulls: mask)
        }
    }

    private static func gathered<T>(_ b: Buffer<T>, _ rows: [Int32], _ control: RunControl?) -> Buffer<T> {
        Buffer.make(count: rows.count) { out in
            var start = 0
            while start < rows.count {
                let end = min(rows.count, start + 1 << 20)
                for i in start..<end { out[i] = b[Int(rows[i])] }
                start = end
                if control?.shouldStop == true { return }
            }
        }
    }
}
