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
    /// When the next step joins a query over the same file that starts row by row as well (a
    /// self-join: this year against last), that query's first steps run on the same stretches,
    /// so the file is read once for both sides; what they give waits in `joined` for the join
    /// (``executeRight(_:)``). Not for what ``streamed(_:table:read:at:)`` takes (an aggregate
    /// right after the row-by-row steps).
    func collected(_ plan: QueryPlan, table: Table, read: [Int]?, at range: SourceRange,
                   joined: JoinedSide? = nil) throws(Diagnostic) -> (Frame, Int)? {
        let end = Interpreter.rowLocalSteps(plan.steps)
        guard end > 0 else { return nil }
        let wanted = read ?? Array(table.fields.indices)
        guard !wanted.isEmpty else { return nil }
        var sides = [CollectedSide(steps: Array(plan.steps[..<end]), wanted: wanted)]
        var right: (plan: QueryPlan, end: Int)?
        if joined != nil, end < plan.steps.count, case .join(let join) = plan.steps[end].kind,
           case .table(let other, let otherRead) = join.right.source, other.store === table.store,
           case let rightEnd = Interpreter.rowLocalSteps(join.right.steps), rightEnd > 0,
           case let rightWanted = otherRead ?? Array(other.fields.indices), !rightWanted.isEmpty {
            sides.append(CollectedSide(steps: Array(join.right.steps[..<rightEnd]), wanted: rightWanted))
            right = (join.right, rightEnd)
        }
        let frames = try collected(sides, table: table, at: range)
        if let right, let frame = frames[1] {
            joined?.put(frame, next: right.end, for: right.plan.sourceRange)
        }
        return frames[0].map { ($0, end) }
    }

    /// Runs each side's steps over the same stretches of `table`, read once for the union of the
    /// columns they want; per side, what its steps give over every row, or nil where that side
    /// gave up (text with nearly one value per row) and is read whole instead. When the read
    /// itself gives up (a column wider than its head said, ``CSVSource/stream(_:_:)``), every
    /// side is nil.
    private func collected(_ sides: [CollectedSide], table: Table, at range: SourceRange) throws(Diagnostic) -> [Frame?] {
        var parts = [[StretchColumns?]](repeating: [], count: sides.count)
        var outFields = [[Field]](repeating: [], count: sides.count)
        var measures = [String?](repeating: nil, count: sides.count)
        var totals = [Int](repeating: 0, count: sides.count)
        var alive = [Bool](repeating: true, count: sides.count)
        var handedOver = false
        defer {
            if !handedOver { for i in parts.indices { for j in parts[i].indices { parts[i][j]?.release() } } }
        }
        func drop(_ side: Int) {
            alive[side] = false
            for j in parts[side].indices { parts[side][j]?.release() }
            parts[side] = []
        }
        let rows = try streamSteps(sides, table: table, at: range) { side, out, _ throws(Diagnostic) in
            guard alive[side] else { return false }
            if parts[side].isEmpty {
                outFields[side] = out.fields
                measures[side] = out.measure
                // A column the query never reads stays absent.
                parts[side] = out.fields.indices.map { out.columns[$0] == nil ? nil : StretchColumns(type: out.fields[$0].type) }
            }
            guard out.fields == outFields[side] else { drop(side); return false }
            totals[side] += out.rowCount
            for j in parts[side].indices {
                guard parts[side][j] != nil else { continue }
                guard out.columns[j] != nil, parts[side][j]!.append(out.visible(j)) else { drop(side); return false }
            }
            return true
        }
        guard rows != nil else { return sides.map { _ in nil } }
        handedOver = true
        return sides.indices.map { i in
            guard alive[i], !parts[i].isEmpty else {
                for j in parts[i].indices { parts[i][j]?.release() }
                return nil
            }
            let columns: [Column?] = parts[i].indices.map { parts[i][$0]?.column() }
            return Frame(tableName: table.name, fields: outFields[i], columns: columns, baseCount: totals[i],
                         selection: nil, measure: measures[i])
        }
    }
}

/// The first steps of one query over a streamed file, and the columns it reads.
struct CollectedSide {
    var steps: [PlanStep]
    var wanted: [Int]
}

/// What the joined query of a self-join gave when its first steps ran on the pipeline's read
/// of the file, kept until the join takes it (once, so its columns are freed with the join's).
final class JoinedSide {
    private var waiting: (range: SourceRange, frame: Frame, next: Int)?

    func put(_ frame: Frame, next: Int, for range: SourceRange) {
        waiting = (range, frame, next)
    }

    /// The frame kept for the query at `range`, and the number of its next step.
    func take(for range: SourceRange) -> (Frame, Int)? {
        guard let w = waiting, w.range == range else { return nil }
        waiting = nil
        return (w.frame, w.next)
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
