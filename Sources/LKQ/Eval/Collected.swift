#if canImport(LKQSyntax)
import LKQSyntax
#endif

extension Interpreter {
    /// For a plan that starts by filtering and computing columns row by row over a file that
    /// may stream (``CSVSource/stream(_:_:)``): runs those steps on each stretch of the file and
    /// keeps only what they give, so the file's columns are never held whole (a `select` of
    /// three computed columns over 10M rows holds those three, not the columns they are made
    /// of as well). Returns the frame after those steps and the number of the next step; nil when
    /// the plan or the file does not allow it, and the caller reads the columns whole.
    ///
    /// Each side of a join streams on its own: a self-join reads the file twice, which costs
    /// less than holding every column it reads (the 10M-row self-join of the benchmarks). Not
    /// for what ``streamed(_:table:read:at:)`` takes (an aggregate right after the row-by-row
    /// steps).
    func collected(_ plan: QueryPlan, table: Table, read: [Int]?, at range: SourceRange) throws(Diagnostic) -> (Frame, Int)? {
        let end = Interpreter.rowLocalSteps(plan.steps)
        guard end > 0 else { return nil }
        let wanted = read ?? Array(table.fields.indices)
        guard !wanted.isEmpty else { return nil }
        let prefix = Array(plan.steps[..<end])
        var parts: [StretchColumns?] = []
        var outFields: [Field] = []
        var measure: String?
        var total = 0
        var handedOver = false
        defer { if !handedOver { for j in parts.indices { parts[j]?.release() } } }
        let rows = try streamSteps(prefix, table: table, wanted: wanted, at: range) { out, _ throws(Diagnostic) in
            if parts.isEmpty {
                outFields = out.fields
                measure = out.measure
                // A column the query never reads stays absent.
                parts = out.fields.indices.map { out.columns[$0] == nil ? nil : StretchColumns(type: out.fields[$0].type) }
            }
            guard out.fields == outFields else { return false }
            total += out.rowCount
            for j in parts.indices {
                guard parts[j] != nil else { continue }
                guard out.columns[j] != nil, parts[j]!.append(out.visible(j)) else { return false }
            }
            return true
        }
        guard rows != nil, !parts.isEmpty else { return nil }
        handedOver = true
        let columns: [Column?] = parts.indices.map { parts[$0]?.column() }
        return (Frame(tableName: table.name, fields: outFields, columns: columns, baseCount: total,
                      selection: nil, measure: measure), end)
    }
}

/// One column of a result that arrives a stretch at a time, appended to memory that grows in
/// place (``GrowBuffer``): text codes are translated into one dictionary as each stretch comes,
/// and the whole is handed to a column at the end without a copy. Whoever makes one calls
/// `column()` or `release()`.
struct StretchColumns {
    let type: ColumnType
    /// Integers and decimals as their 64 bits, or text codes.
    private var words: GrowBuffer<UInt64>?
    private var codes: GrowBuffer<Int32>?
    /// Null bits, kept from the first null on.
    private var nullWords: GrowBuffer<UInt64>?
    private(set) var count = 0
    private var dictionary: [String] = []
    /// Entries by their bytes: text is NFC already, and two spellings stay two entries, as a
    /// whole read keeps them.
    private var index: [[UInt8]: Int32] = [:]

    init(type: ColumnType) {
        self.type = type
        if type == .text { codes = GrowBuffer(capacity: 1 << 16) } else { words = GrowBuffer(capacity: 1 << 16) }
    }

    /// Adds a stretch's rows; false when its type differs from the others', or when its text
    /// has nearly a distinct value per row (one dictionary for all would cost more than the
    /// whole read it saves).
    mutating func append(_ column: Column) -> Bool {
        guard column.type == type else { return false }
        let n = column.count
        switch column.storage {
        case .int(let b):
            b.base.withMemoryRebound(to: UInt64.self, capacity: max(1, n)) { append(words: $0, n) }
        case .double(let b):
            b.base.withMemoryRebound(to: UInt64.self, capacity: max(1, n)) { append(words: $0, n) }
        case .text(let stretchCodes, let dict):
            if dict.count > 4_096 && dict.count * 4 > n { return false }
            var map = [Int32](repeating: 0, count: dict.count)
            for (i, s) in dict.enumerated() {
                let key = Array(s.utf8)
                if let k = index[key] { map[i] = k; continue }
                let k = Int32(dictionary.count)
                index[key] = k
                dictionary.append(s)
                map[i] = k
            }
            codes!.reserve(count + n)
            let out = codes!.base + count
            // A null row's code may be anything, even past the dictionary.
            for r in 0..<n {
                let code = Int(stretchCodes[r])
                out[r] = code < map.count ? map[code] : 0
            }
            codes!.count += n
        }
        if let nulls = column.nulls {
            if nullWords == nil {
                nullWords = GrowBuffer(capacity: NullMask.wordCount(rows: count + n))
                nullWords!.reserve(NullMask.wordCount(rows: count))
                nullWords!.base.initialize(repeating: 0, count: NullMask.wordCount(rows: count))
                nullWords!.count = NullMask.wordCount(rows: count)
            }
            let words = NullMask.wordCount(rows: count + n)
            nullWords!.reserve(words)
            while nullWords!.count < words { nullWords!.base[nullWords!.count] = 0; nullWords!.count += 1 }
            for r in 0..<n where nulls.isNull(r) {
                let row = count + r
                nullWords!.base[row >> 6] |= 1 << UInt64(row & 63)
            }
        } else if nullWords != nil {
            let words = NullMask.wordCount(rows: count + n)
            nullWords!.reserve(words)
            while nullWords!.count < words { nullWords!.base[nullWords!.count] = 0; nullWords!.count += 1 }
        }
        count += n
        return true
    }

    private mutating func append(words source: UnsafePointer<UInt64>, _ n: Int) {
        words!.reserve(count + n)
        if n > 0 { (words!.base + count).update(from: source, count: n) }
        words!.count += n
    }

    /// The rows of every stretch, in order; this must not be used again.
    mutating func column() -> Column {
        let nulls = nullWords.map { NullMask(words: $0.take()) }
        nullWords = nil
        defer { words = nil; codes = nil }
        switch type {
        case .int: return Column(storage: .int(words!.take(as: Int64.self)), nulls: nulls)
        case .double: return Column(storage: .double(words!.take(as: Double.self)), nulls: nulls)
        case .text: return Column(storage: .text(codes: codes!.take(), dictionary: dictionary), nulls: nulls)
        }
    }

    /// Frees what was appended, for a stream that gave up; this must not be used again.
    mutating func release() {
        words?.release(); codes?.release(); nullWords?.release()
        words = nil; codes = nil; nullWords = nil
    }
}
