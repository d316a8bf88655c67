import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

/// Statements made by ``GrammarGenerator`` from `Grammar/lkq.ebnf`: every one parses, runs to a
/// result or a located error, and its canonical text parses back to the same tree.
///
/// The suite makes 20,000 statements; `LKQ_GEN_COUNT=1000000 swift test --filter GrammarRoundTrip`
/// makes more for a long run.
@Suite struct GrammarRoundTripTests {
    static let total = ProcessInfo.processInfo.environment["LKQ_GEN_COUNT"].flatMap(Int.init) ?? 20_000
    static let chunks = 8

    /// What a chunk of generated statements came to.
    struct Tally {
        var statements = 0
        var results = 0
        var errors: [LKQError.Kind: Int] = [:]
        var failures: [String] = []
        /// How often each kind of node turned up in the parsed trees.
        var nodes: [String: Int] = [:]
    }

    static func parse(_ text: String, name: String = "gen") -> [Result<Statement, Diagnostic>] {
        Parser.parseScript(SourceFile(name: name, text: text))
    }

    /// Prints, reparses and prints again: nil when the tree and the text come back the same.
    static func roundTripProblem(_ statement: Statement) -> String? {
        let printed = statement.canonical
        let reparsed = parse(printed, name: "canonical")
        guard reparsed.count == 1, case .success(let again) = reparsed[0] else {
            let why = reparsed.compactMap { if case .failure(let d) = $0 { d.rendered() } else { nil } }
            return "canonical text does not parse as one statement: \(printed)\n\(why.joined(separator: "\n"))"
        }
        if TreeShape.of(again) != TreeShape.of(statement) {
            return "canonical text parses to another tree: \(printed)\n  was:   \(TreeShape.of(statement))\n  now:   \(TreeShape.of(again))"
        }
        if again.canonical != printed {
            return "printing is not idempotent: \(printed) -> \(again.canonical)"
        }
        return nil
    }

    /// A runtime error must say where it is: in its own statement when it is in the script.
    static func isLocated(_ error: LKQError, in statement: Statement, sourceName: String) -> Bool {
        if error.kind == .cancelled || error.kind == .limit { return true }
        guard error.line != nil, error.column != nil else { return false }
        if error.sourceName == sourceName, let range = error.range {
            return range.lowerBound >= statement.range.start && range.upperBound <= statement.range.end
        }
        return true
    }

    static func run(seed: UInt64, statements wanted: Int) -> Tally {
        var generator = GrammarGenerator(seed: seed)
        var tally = Tally()
        var scriptNumber = 0
        while tally.statements < wanted {
            scriptNumber += 1
            let count = min(wanted - tally.statements, 1 + generator.rng.below(5))
            let text = generator.script(statements: count)
            let name = "seed \(seed) script \(scriptNumber)"
            let parsed = parse(text, name: name)
            tally.statements += count
            var statements: [Statement] = []
            for result in parsed {
                switch result {
                case .success(let s): statements.append(s)
                case .failure(let d): tally.failures.append("does not parse:\n\(text)\n\(d.rendered())")
                }
            }
            guard statements.count == parsed.count else { continue }
            guard statements.count == count else {
                tally.failures.append("\(parsed.count) statements parsed, \(count) made:\n\(text)")
                continue
            }
            for s in statements {
                Self.count(s, into: &tally.nodes)
                if let problem = roundTripProblem(s) { tally.failures.append("\(problem)\n  from: \(text)") }
            }
            var session = Engine().makeSession()
            var index = 0
            session.execute(text, sourceName: name) { outcome in
                defer { index += 1 }
                switch outcome {
                case .result: tally.results += 1
                case .bound: tally.results += 1
                case .failed(let e):
                    tally.errors[e.kind, default: 0] += 1
                    if index >= statements.count || !isLocated(e, in: statements[index], sourceName: name) {
                        tally.failures.append("error without a place in its statement: \(e.rendered())\n  in: \(text)")
                    }
                }
                return true
            }
            if index != count { tally.failures.append("\(index) outcomes for \(count) statements:\n\(text)") }
        }
        return tally
    }

    @Test(arguments: 0..<chunks)
    func generatedStatementsParseRunAndPrintBack(chunk: Int) {
        let share = Self.total / Self.chunks + (chunk < Self.total % Self.chunks ? 1 : 0)
        let tally = Self.run(seed: 0x4C4B_5100 + UInt64(chunk), statements: share)
        #expect(tally.statements == share)
        for failure in tally.failures.prefix(10) { Issue.record(Comment(rawValue: failure)) }
        #expect(tally.failures.isEmpty, "\(tally.failures.count) failures in chunk \(chunk)")
        // The generator reaches the evaluator, not just the parser: many statements run.
        #expect(tally.results * 4 > tally.statements, "only \(tally.results) of \(tally.statements) ran")
        if ProcessInfo.processInfo.environment["LKQ_GEN_COUNT"] != nil {
            let errors = tally.errors.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \($0.value)" }
            print("chunk \(chunk): \(tally.statements) statements, \(tally.results) ran, errors: \(errors.joined(separator: ", "))")
        }
    }

    /// Every rule of the grammar, and every kind of node, turns up in what the generator makes.
    @Test func generatorCoversTheGrammar() {
        let tally = Self.run(seed: 7, statements: 3_000)
        let expected = [
            "statement.let", "statement.query", "source.table", "source.audit", "source.audit-all", "source.from-audit",
            "stage.where", "stage.select", "stage.sort", "stage.sort-desc", "stage.limit", "stage.aggregate",
            "stage.aggregate-bare", "stage.group", "stage.group-no-keys", "stage.join", "stage.left-join",
            "stage.bar", "stage.bar-label", "stage.bar-label-measure", "stage.spark", "stage.spark-measure", "stage.spark-by",
            "join.query", "join.two-names", "item.alias",
            "expr.int", "expr.negative-int", "expr.double", "expr.string", "expr.null", "expr.column",
            "expr.measure", "expr.negate", "expr.not", "expr.or", "expr.and", "expr.=", "expr.!=", "expr.<",
            "expr.<=", "expr.>", "expr.>=", "expr.~", "expr.+", "expr.-", "expr.*", "expr./", "expr.is-null",
            "expr.is-not-null", "expr.call", "expr.aggregate-call",
        ]
        for key in expected {
            #expect(tally.nodes[key, default: 0] > 0, "the generator never made \(key)")
        }
        #expect(tally.failures.isEmpty)
    }

    /// The same round trip over every statement of the script cases and the examples.
    @Test(arguments: ScriptCase.files(in: "Tests/LKQTests/Cases") + ScriptCase.files(in: "Examples"))
    func scriptStatementsPrintBack(_ path: String) throws {
        let text = try String(contentsOf: ScriptCase.root.appendingPathComponent(path), encoding: .utf8)
        var checked = 0
        for case .success(let statement) in Self.parse(text, name: path) {
            checked += 1
            if let problem = Self.roundTripProblem(statement) { Issue.record(Comment(rawValue: "\(path): \(problem)")) }
        }
        #expect(checked > 0)
    }

    static func count(_ s: Statement, into nodes: inout [String: Int]) {
        switch s.kind {
        case .query(let q): nodes["statement.query", default: 0] += 1; count(q, into: &nodes)
        case .bind(_, let q): nodes["statement.let", default: 0] += 1; count(q, into: &nodes)
        case .bindValue(_, let e): nodes["statement.let-value", default: 0] += 1; count(e, into: &nodes)
        case .param(_, let e):
            nodes[e == nil ? "statement.param" : "statement.param-default", default: 0] += 1
            if let e { count(e, into: &nodes) }
        }
    }

    static func count(_ q: Query, into nodes: inout [String: Int]) {
        switch q.source {
        case .table(let n): nodes[n.text == "audit" ? "source.from-audit" : "source.table", default: 0] += 1
        case .audit(let all, _): nodes[all ? "source.audit-all" : "source.audit", default: 0] += 1
        }
        for stage in q.stages {
            switch stage.kind {
            case .filter(let e): nodes["stage.where", default: 0] += 1; count(e, into: &nodes)
            case .select(let items): nodes["stage.select", default: 0] += 1; count(items, into: &nodes)
            case .sort(let keys):
                nodes["stage.sort", default: 0] += 1
                if keys.contains(where: \.descending) { nodes["stage.sort-desc", default: 0] += 1 }
                for k in keys { count(k.expr, into: &nodes) }
            case .limit: nodes["stage.limit", default: 0] += 1
            case .aggregate(_, let args):
                nodes[args.isEmpty ? "stage.aggregate-bare" : "stage.aggregate", default: 0] += 1
                for e in args { count(e, into: &nodes) }
            case .extend(let items): nodes["stage.extend", default: 0] += 1; count(items, into: &nodes)
            case .distinct(let names): nodes[names.isEmpty ? "stage.distinct" : "stage.distinct-columns", default: 0] += 1
            case .group(let keys, let items):
                nodes[keys.isEmpty ? "stage.group-no-keys" : "stage.group", default: 0] += 1
                count(keys + items, into: &nodes)
            case .join(let j):
                nodes[j.keepUnmatched ? "stage.left-join" : "stage.join", default: 0] += 1
                if !j.right.stages.isEmpty { nodes["join.query", default: 0] += 1 }
                if j.keys.contains(where: { $0.left.text != $0.right.text }) { nodes["join.two-names", default: 0] += 1 }
                count(j.right, into: &nodes)
            case .bar(let label, let measure):
                nodes[["stage.bar", "stage.bar-label", "stage.bar-label-measure"][[label, measure].compactMap { $0 }.count], default: 0] += 1
                for e in [label, measure].compactMap({ $0 }) { count(e, into: &nodes) }
            case .spark(let measure, let year):
                nodes[measure == nil ? "stage.spark" : "stage.spark-measure", default: 0] += 1
                if year != nil { nodes["stage.spark-by", default: 0] += 1 }
                for e in [measure, year].compactMap({ $0 }) { count(e, into: &nodes) }
            }
        }
    }

    static func count(_ items: [Item], into nodes: inout [String: Int]) {
        for item in items {
            if item.alias != nil { nodes["item.alias", default: 0] += 1 }
            count(item.expr, into: &nodes)
        }
    }

    static func count(_ e: Expr, into nodes: inout [String: Int]) {
        let key: String
        switch e.kind {
        case .int(let v): key = v < 0 ? "expr.negative-int" : "expr.int"
        case .double: key = "expr.double"
        case .string: key = "expr.string"
        case .null: key = "expr.null"
        case .column: key = "expr.column"
        case .defaultMeasure: key = "expr.measure"
        case .negate(let x): key = "expr.negate"; count(x, into: &nodes)
        case .not(let x): key = "expr.not"; count(x, into: &nodes)
        case .binary(let op, let l, let r): key = "expr.\(op.rawValue)"; count(l, into: &nodes); count(r, into: &nodes)
        case .isNull(let x, let negated): key = negated ? "expr.is-not-null" : "expr.is-null"; count(x, into: &nodes)
        case .call(let name, let args):
            key = Aggregate(rawValue: name.text) != nil ? "expr.aggregate-call" : "expr.call"
            for a in args { count(a, into: &nodes) }
        case .inList(_, _, let negated): key = negated ? "expr.not-in" : "expr.in"; for c in e.children { count(c, into: &nodes) }
        case .between(_, _, _, let negated): key = negated ? "expr.not-between" : "expr.between"; for c in e.children { count(c, into: &nodes) }
        case .caseWhen(_, let otherwise): key = otherwise == nil ? "expr.case" : "expr.case-else"; for c in e.children { count(c, into: &nodes) }
        case .window(let name, _, let w):
            key = Aggregate(rawValue: name.text) != nil ? "expr.window-aggregate" : (w.order.isEmpty ? "expr.window" : "expr.window-sorted")
            for c in e.children { count(c, into: &nodes) }
        }
        nodes[key, default: 0] += 1
    }
}

/// What the generator found, kept as plain regression tests.
@Suite struct GeneratorFindings {
    /// A select stage ended at its last expression, leaving a last `as NAME` outside the
    /// statement, so the error for a repeated column pointed past the statement's end.
    @Test func selectStageCoversItsLastAlias() throws {
        let text = "capaian | select no as a, indikator as a"
        let parsed = GrammarRoundTripTests.parse(text)
        guard parsed.count == 1, case .success(let statement) = parsed[0] else {
            Issue.record("does not parse")
            return
        }
        #expect(statement.range.end == text.utf8.count)
        let error = #expect(throws: LKQError.self) { try Engine().run(text, sourceName: "gen") }
        #expect(error?.column == 40)
        if let error { #expect(GrammarRoundTripTests.isLocated(error, in: statement, sourceName: "gen")) }
    }
}

/// The canonical text of hand-written statements.
@Suite struct PrinterTests {
    static func canonical(_ text: String) throws -> String {
        let parsed = Parser.parseScript(SourceFile(name: "t", text: text))
        guard parsed.count == 1, case .success(let s) = parsed[0] else { throw ParseFailure(text: text) }
        return s.canonical
    }

    struct ParseFailure: Error { var text: String }

    @Test(arguments: [
        ("CAPAIAN WHERE (sasaran=2) AND <75", "capaian where sasaran = 2 and < 75"),
        ("t | where a", "t where a"),
        ("t where a | where b", "t where a | where b"),
        ("from t where a <> 1", "t where a != 1"),
        ("t where a == 1 or b >= 2 and not c ~ 'x'", "t where a = 1 or b >= 2 and not c ~ \"x\""),
        ("t where (a or b) and (c or d)", "t where (a or b) and (c or d)"),
        ("t where (a and b) or c", "t where a and b or c"),
        ("t where a or (b or c)", "t where a or (b or c)"),
        ("t where (a or b) or c", "t where a or b or c"),
        ("t where not (a and b) and not not c", "t where not (a and b) and not not c"),
        ("t where (not a) = b", "t where (not a) = b"),
        ("t where (a = b) = c", "t where (a = b) = c"),
        ("t where (a is null) is not null", "t where (a is null) is not null"),
        ("t where not a is null", "t where not a is null"),
        ("t | select a - (b - c), (a - b) - c, a * (b + c), (a * b) + c, a / (b * c)",
         "t | select a - (b - c), a - b - c, a * (b + c), a * b + c, a / (b * c)"),
        ("t | select -(a + b), -(-a), - - a, -(a), -round(a)", "t | select -(a + b), - -a, - -a, -a, -round(a)"),
        ("t | select -5, - -5, -(5), 2 * -3, 1 - -2.5, -(-(5))", "t | select -5, 5, -5, 2 * -3, 1 - -2.5, 5"),
        ("t | select (a = b), (x is null) + 1, (a > 1) * 2", "t | select (a = b), (x is null) + 1, (a > 1) * 2"),
        ("t | select 1.5m, 100JT, 2rb, 1e3, .5, 007, 9223372036854775807, -9223372036854775807, 9223372036854775808.0, -0.0, 1e-5, 1.25e300",
         "t | select 1500000000, 100000000, 2000, 1000.0, 0.5, 7, 9223372036854775807, -9223372036854775807, 9.223372036854776e+18, -0.0, 1e-05, 1.25e+300"),
        (#"t where a = 'it''s "x"\n\t\\ ok'"#, #"t where a = "it's \"x\"\n\t\\ ok""#),
        (#"t where a = "a""b\c""#, #"t where a = "a\"bc""#),
        ("t | select coalesce(a, 'kabupatén ✓') AS k, round(b,2) as r", #"t | select coalesce(a, "kabupatén ✓") as k, round(b, 2) as r"#),
        ("t | sort a ASC, b DESC, -c", "t | sort a, b desc, -c"),
        ("t | limit 007", "t | limit 7"),
        ("t | count() | count | sum(pagu) | avg pagu", "t | count | count | sum pagu | avg pagu"),
        ("t | sum((a + b) * 2) | max (a) | min -a", "t | sum((a + b) * 2) | max a | min -a"),
        ("t | group by a as x sum(b) count()", "t | group by a as x sum(b), count()"),
        ("t | group by a, b, sum(b) as s, count()", "t | group by a, b sum(b) as s, count()"),
        ("t | group by count() | group by a b", "t | group by count() | group by a, b"),
        ("t | group by a, -sum(b) (count())", "t | group by a, -sum(b), count()"),
        ("t | group by a, (sum(b) + 1) * 2", "t | group by a, (sum(b) + 1) * 2"),
        ("t | group by a (sum(b) + 1) * 2", "t | group by a(sum(b) + 1) * 2"),
        ("t | group by a 'x' + max(b)", #"t | group by a "x" + max(b)"#),
        ("audit", "audit"),
        ("AUDIT ALL | where status = 'berbeda'", #"audit all where status = "berbeda""#),
        ("from audit", "from audit"),
        ("from AUDIT | count", "from audit | count"),
        ("t | join (u) on k", "t | join u on k"),
        ("t | join (from u) on k = k", "t | join u on k"),
        ("t | join (u | limit 1) on a = b, c = c", "t | join (u | limit 1) on a = b, c"),
        ("t | LEFT JOIN (audit) on id", "t | left join (audit) on id"),
        ("t | join audit on id", "t | join audit on id"),
        ("t | join (from audit where x) on id", "t | join (from audit where x) on id"),
        ("t | join (u where a | join (v) on b) on c", "t | join (u where a | join v on b) on c"),
        ("t | bar | bar indikator | bar indikator capaian | bar (a), -b", "t | bar | bar indikator | bar indikator capaian | bar a, -b"),
        ("t | spark | spark capaian | spark by tahun | spark (capaian) BY -tahun", "t | spark | spark capaian | spark by tahun | spark capaian by -tahun"),
        ("let x = t where a\n", "let x = t where a"),
        ("t # comment\n | select\n a,\n b", "t | select a, b"),
    ])
    func canonicalText(_ input: String, _ expected: String) throws {
        let printed = try Self.canonical(input)
        #expect(printed == expected)
        #expect(try Self.canonical(printed) == expected, "not idempotent")
    }

    /// Doubles at the edges of what a literal can write still read back as the same bits.
    @Test(arguments: [Double.leastNonzeroMagnitude, Double.leastNormalMagnitude, Double.greatestFiniteMagnitude, 0.1, 1.0 / 3, 123456789.125, 1e16, 1e-7])
    func doublesReadBack(_ value: Double) throws {
        for v in [value, -value] {
            let expr = Expr(kind: .double(v), range: SourceRange(0, 0))
            let printed = try Self.canonical("t | select \(expr.canonical)")
            #expect(printed == "t | select \(expr.canonical)")
            let parsed = Parser.parseScript(SourceFile(name: "t", text: printed))
            guard case .success(let s) = parsed.first, case .query(let q) = s.kind, case .select(let items) = q.stages[0].kind,
                  case .double(let back) = items[0].expr.kind else {
                Issue.record("\(printed) is not a double")
                continue
            }
            #expect(back.bitPattern == v.bitPattern, "\(printed)")
        }
    }

    @Test func stringsReadBack() throws {
        let hard = "\"'\\\n\t\r\u{0}#|;é日本🙂\u{301}"
        let expr = Expr(kind: .string(hard), range: SourceRange(0, 0))
        let tokens = Lexer.tokenize(SourceFile(name: "t", text: expr.canonical)).tokens.map(\.kind)
        #expect(tokens == [.string(hard), .end])
    }

    @Test func publicEntryPointFormatsAScript() throws {
        let script = "# rendah\nlet R = CAPAIAN where <75;R|count\n\n  capaian\n  | SORT capaian DESC # akhir\n"
        #expect(try Engine.canonical(script) == "let r = capaian where < 75\nr | count\ncapaian | sort capaian desc")
        #expect(try Engine.canonical("") == "")
        let error = #expect(throws: LKQError.self) { try Engine.canonical("capaian\ncapaian where (", sourceName: "x.lkq") }
        #expect(error?.kind == .syntax)
        #expect(error?.sourceName == "x.lkq")
        #expect(error?.line == 2)
    }
}
