import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// `audit [all]`: every claim of the report (table `klaim`) recomputed by its own query and
/// compared with the value the report states.
///
/// A claim agrees when the two differ by no more than rounding of the printed value: half a
/// unit of its last printed decimal (`desimal`). The checks are the queries in the table, so a
/// user can read and rerun each one.
extension Interpreter {
    /// Status of a claim in the audit's `status` column.
    enum ClaimStatus: String {
        /// The recomputed value rounds to the stated one.
        case sesuai
        /// It does not: the report contradicts its own rows.
        case berbeda
        /// The claim's query failed or did not give one number.
        case galat
    }

    func audit(all: Bool, range: SourceRange) throws(Diagnostic) -> Table {
        if insideAudit { throw Diagnostic(.auditInsideAudit, in: source, at: range) }
        guard let claims = session.engine.table(named: "klaim") else {
            throw Diagnostic(.auditNeedsClaims(missing: "there is none"), in: source, at: range)
        }
        let wanted: [(String, Set<ColumnType>)] = [
            ("id", [.text, .int]), ("klaim", [.text]), ("sumber", [.text]), ("nilai", [.int, .double]),
            ("desimal", [.int]), ("query", [.text]),
        ]
        var indexes: [Int] = []
        for (name, types) in wanted {
            guard let i = claims.fieldIndex(name), types.contains(claims.fields[i].type) else {
                throw Diagnostic(.auditNeedsClaims(missing: "'\(name)' is missing or of another type"), in: source, at: range)
            }
            indexes.append(i)
        }
        let (count, columns) = try claims.store.load(indexes)
        let id = columns[0], klaim = columns[1], sumber = columns[2], nilai = columns[3], desimal = columns[4], query = columns[5]

        var ids: [String?] = [], texts: [String?] = [], places: [String?] = []
        var stated: [Double?] = [], recomputed: [Double?] = [], differences: [Double?] = []
        var statuses: [String?] = [], notes: [String?] = []
        for row in 0..<count {
            try evaluator.checkCancelled()
            let claimID = id.value(at: row).description
            var value: Double?
            var status = ClaimStatus.galat
            var note: String?
            let statedValue = Operand.column(nilai).isNull(row) ? nil : Operand.column(nilai).double(row)
            switch try runClaim(named: "klaim \(claimID)", query.isNull(row) ? "" : Operand.column(query).text(row)) {
            case .success(let v): value = v
            case .failure(let failure): note = failure.message
            }
            var difference: Double?
            if let value, let statedValue {
                let places = desimal.isNull(row) ? 0 : Int(max(0, min(12, Operand.column(desimal).int(row))))
                let d = value - statedValue
                // Shown to 6 places so binary noise (0.1 + 0.2) does not read as a difference.
                difference = (d * 1e6).rounded() / 1e6
                status = abs(d) <= 0.5 * pow(10, -Double(places)) + 1e-9 ? .sesuai : .berbeda
            } else if value != nil {
                note = "the claim states no value"
            }
            if !all && status == .sesuai { continue }
            ids.append(claimID)
            texts.append(klaim.value(at: row).textValue)
            places.append(sumber.value(at: row).textValue)
            stated.append(statedValue)
            recomputed.append(value)
            differences.append(difference)
            statuses.append(status.rawValue)
            notes.append(note)
        }
        let out: [Column] = [.texts(ids), .texts(texts), .texts(places), .doubles(stated), .doubles(recomputed),
                             .doubles(differences), .texts(statuses), .texts(notes)]
        let names = ["id", "klaim", "sumber", "dinyatakan", "dihitung", "selisih", "status", "catatan"]
        return Table(name: "audit", fields: zip(names, out).map { Field(name: $0, type: $1.type) }, measure: "selisih",
                     origin: "audit of table klaim", store: ColumnStore(count: ids.count, columns: out))
    }

    /// Runs one claim's query; it must be a single query giving one row whose last column is a
    /// number. A cancelled or over-budget query stops the whole audit.
    private func runClaim(named name: String, _ text: String) throws(Diagnostic) -> Result<Double, ClaimFailure> {
        let file = SourceFile(name: name, text: text)
        let parsed = Parser.parseScript(file)
        guard parsed.count == 1 else {
            return .failure(ClaimFailure("\(name): needs exactly one query, found \(parsed.count) statements"))
        }
        do throws(Diagnostic) {
            let statement = try parsed[0].get()
            guard case .query(let query) = statement.kind else {
                return .failure(ClaimFailure("\(name): needs a query, not a let"))
            }
            var nested = Interpreter(session: session, source: file, control: control)
            nested.insideAudit = true
            let result = try nested.execute(query)
            guard result.rowCount == 1, let last = result.columns.last, last.type != .text else {
                return .failure(ClaimFailure("\(name): needs one row ending in a number, got \(result.rowCount) rows"))
            }
            switch last.value(at: 0) {
            case .int(let v): return .success(Double(v))
            case .double(let v) where v.isFinite: return .success(v)
            default: return .failure(ClaimFailure("\(name): the value is null"))
            }
        } catch {
            switch error.kind {
            case .cancelled, .budgetExceeded: throw error
            default: break
            }
            let at = error.location
            if case .source(let f, let r) = at {
                let (line, column) = f.location(of: r.start)
                return .failure(ClaimFailure("\(f.name):\(line):\(column): \(error.message)"))
            }
            return .failure(ClaimFailure(error.message))
        }
    }

    struct ClaimFailure: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }
}

private extension Value {
    var textValue: String? {
        if case .null = self { return nil }
        return description
    }
}
