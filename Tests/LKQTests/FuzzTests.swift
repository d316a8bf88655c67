import Testing
@testable import LKQ
@testable import LKQSyntax

/// Random statements built from LKQ's own words over the built-in tables: whatever comes out,
/// running it gives a result or an `LKQError`, never a crash or a hang.
@Suite struct FuzzTests {
    static let words = [
        "capaian", "anggaran", "desa", "tren", "kegiatan", "belanja", "where", "|", "select", "sort", "desc",
        "limit", "group", "by", "count", "sum", "avg", "min", "max", "count()", "sum(", "avg(", "and", "or", "not",
        "is", "null", "(", ")", ",", "=", "!=", "<", ">=", "~", "+", "-", "*", "/", "as", "x", "sasaran",
        "capaian", "pagu", "realisasi", "persen", "uraian", "kode", "level", "jumlah", "tahun", "indikator",
        "round(", "abs(", "lower(", "upper(", "coalesce(", "0", "1", "2.5", "-3", "9223372036854775807",
        "'desa'", "\"program\"", "\n", ";", "let", "t", "t", "capaian_2018", "1e308", "0.0",
    ]

    @Test func randomStatementsNeverCrash() {
        var state: UInt64 = 0x5EED
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        var outcomes = [0, 0]
        for _ in 0..<4_000 {
            var text = Self.words[next(6)]
            for _ in 0..<next(14) { text += " " + Self.words[next(Self.words.count)] }
            var session = Engine().makeSession()
            session.execute(text) { outcome in
                if case .failed = outcome { outcomes[1] += 1 } else { outcomes[0] += 1 }
                return true
            }
        }
        // Both kinds occur, so the generator is exercising the evaluator, not just the parser.
        #expect(outcomes[0] > 100)
        #expect(outcomes[1] > 100)
    }

    /// Well-formed pipelines with random expressions, so that most reach the evaluator.
    @Test func randomPipelinesGiveResultsOrErrors() {
        var state: UInt64 = 0xC0FFEE
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        func pick(_ xs: [String]) -> String { xs[next(xs.count)] }
        let columns = ["sasaran", "capaian", "target", "realisasi", "indikator", "pagu", "persen", "uraian", "level",
                       "jumlah", "desa", "tahun", "capaian_2018", "no", "kode"]
        func expr(_ depth: Int) -> String {
            switch depth > 3 ? next(3) : next(8) {
            case 0: return pick(columns)
            case 1: return pick(["0", "1", "-7", "2.5", "100", "1e300", "'desa'", "null"])
            case 2: return pick(columns)
            case 3: return "(\(expr(depth + 1)) \(pick(["+", "-", "*", "/"])) \(expr(depth + 1)))"
            case 4: return "\(pick(["round", "abs", "lower", "upper"]))(\(expr(depth + 1)))"
            case 5: return "coalesce(\(expr(depth + 1)), \(expr(depth + 1)))"
            case 6: return "-\(expr(depth + 1))"
            default: return "round(\(expr(depth + 1)), \(next(4)))"
            }
        }
        func condition(_ depth: Int) -> String {
            switch depth > 2 ? 0 : next(5) {
            case 0: return "\(expr(depth)) \(pick(["=", "!=", "<", "<=", ">", ">=", "~"])) \(expr(depth))"
            case 1: return "\(pick(["<", ">="])) \(expr(depth))"
            case 2: return "\(expr(depth)) is \(pick(["", "not "]))null"
            case 3: return "not (\(condition(depth + 1)))"
            default: return "(\(condition(depth + 1)) \(pick(["and", "or"])) \(condition(depth + 1)))"
            }
        }
        func stage() -> String {
            switch next(7) {
            case 0: return "where \(condition(0))"
            case 1: return "select \(expr(0)) as a, \(expr(0)) as b"
            case 2: return "sort \(expr(0)) \(pick(["asc", "desc"])) | limit \(next(5))"
            case 3: return "group by \(expr(1)) as k \(pick(["count()", "sum", "avg", "min", "max"]))(\(expr(1))) as v"
            case 4: return "\(pick(["count", "sum", "avg", "min", "max"])) \(expr(1))"
            case 5: return "limit \(next(3))"
            default: return "sort \(pick(columns))"
            }
        }
        var results = 0
        for _ in 0..<3_000 {
            var text = pick(["capaian", "anggaran", "desa", "tren", "kegiatan", "belanja"])
            if next(2) == 0 { text += " where \(condition(0))" }
            for _ in 0..<next(4) { text += " | " + stage() }
            var session = Engine().makeSession()
            session.execute(text) { outcome in
                if case .result = outcome { results += 1 }
                return true
            }
        }
        #expect(results > 300)
    }
}
