import Testing
@testable import LKQ
@testable import LKQSyntax

private func kinds(_ text: String) -> [TokenKind] {
    Lexer.tokenize(SourceFile(name: "t", text: text)).tokens.map(\.kind)
}

private func parse(_ text: String) -> [Result<Statement, Diagnostic>] {
    Parser.parseScript(SourceFile(name: "t", text: text))
}

private func firstError(_ text: String) -> Diagnostic? {
    for r in parse(text) { if case .failure(let d) = r { return d } }
    return nil
}

/// An s-expression of a condition, to check precedence without caring about ranges.
private func sexp(_ e: Expr) -> String {
    switch e.kind {
    case .int(let v): return "\(v)"
    case .double(let v): return "\(v)"
    case .string(let s): return "'\(s)'"
    case .null: return "null"
    case .column(let c): return c
    case .defaultMeasure: return "<measure>"
    case .negate(let x): return "(neg \(sexp(x)))"
    case .not(let x): return "(not \(sexp(x)))"
    case .binary(let op, let l, let r): return "(\(op.rawValue) \(sexp(l)) \(sexp(r)))"
    case .isNull(let x, let n): return "(\(n ? "notnull" : "isnull") \(sexp(x)))"
    case .call(let n, let a): return "(\(n.text) \(a.map(sexp).joined(separator: " ")))"
    case .inList(let x, let l, let n): return "(\(n ? "notin" : "in") \(sexp(x)) \(l.map(sexp).joined(separator: " ")))"
    case .between(let x, let a, let b, let n): return "(\(n ? "notbetween" : "between") \(sexp(x)) \(sexp(a)) \(sexp(b)))"
    case .caseWhen(let bs, let o): return "(case " + bs.map { "(\(sexp($0.condition)) \(sexp($0.value)))" }.joined(separator: " ") + " \(o.map(sexp) ?? "-"))"
    case .window(let n, let a, _): return "(over \(n.text) \(a.map(sexp).joined(separator: " ")))"
    }
}

private func condition(_ text: String) throws -> String {
    guard case .success(let s) = parse("t where \(text)").first, case .query(let q) = s.kind,
          case .filter(let e) = q.stages.first?.kind else { throw ParseFailed() }
    return sexp(e)
}

private struct ParseFailed: Error {}

@Suite struct LexerTests {
    @Test func numbersAndNames() {
        #expect(kinds("1.476 98 .5 1e3 Capaian") == [.double(1.476), .int(98), .double(0.5), .double(1000), .name("capaian"), .end])
    }

    @Test func keywordsAreCaseInsensitive() {
        #expect(kinds("WHERE Select") == [.keyword(.where), .keyword(.select), .end])
    }

    @Test func stringsBothQuotesAndEscapes() {
        #expect(kinds(#""a""b" 'it''s' "x\"y""#) == [.string("a\"b"), .string("it's"), .string("x\"y"), .end])
    }

    @Test func operators() {
        #expect(kinds("= == != <> < <= > >= ~ | ;") == [.equal, .equal, .notEqual, .notEqual, .less, .lessEqual,
                                                   .greater, .greaterEqual, .tilde, .pipe, .semicolon, .end])
    }

    @Test func commentsAreSkipped() {
        #expect(kinds("a # note\nb") == [.name("a"), .newline, .name("b"), .end])
    }

    @Test func unterminatedStringPointsAtItsQuote() throws {
        let d = try #require(firstError("capaian where indikator ~ \"desa"))
        #expect(d.kind == .unterminatedString)
        #expect(d.range == SourceRange(26, 27))
    }

    @Test func unexpectedCharacterIsOneWholeCharacter() throws {
        let d = try #require(firstError("capaian where sasaran @ 2"))
        #expect(d.kind == .unexpectedCharacter("@"))
        #expect(d.range == SourceRange(22, 23))
        let e = try #require(firstError("capaian where sasaran → 2"))
        #expect(e.kind == .unexpectedCharacter("→"))
    }

    @Test func numberGluedToName() throws {
        let d = try #require(firstError("capaian | limit 12abc"))
        #expect(d.kind == .invalidNumber("12abc"))
    }
}

@Suite struct ParserTests {
    @Test func precedenceNotOverAndOverOr() throws {
        #expect(try condition("not a = 1 or b = 2 and c = 3") == "(or (not (= a 1)) (and (= b 2) (= c 3)))")
        #expect(try condition("(a = 1 or b = 2) and c = 3") == "(and (or (= a 1) (= b 2)) (= c 3))")
    }

    @Test func arithmeticPrecedence() throws {
        #expect(try condition("a + b * c - -d / 2 > 0") == "(> (- (+ a (* b c)) (/ (neg d) 2)) 0)")
        #expect(try condition("(a + b) * c = 1") == "(= (* (+ a b) c) 1)")
    }

    @Test func bareComparisonUsesTheDefaultMeasure() throws {
        #expect(try condition("sasaran=2 and < 75") == "(and (= sasaran 2) (< <measure> 75))")
    }

    @Test func containsAndNullTests() throws {
        #expect(try condition("uraian ~ 'desa' or x is null or y is not null")
                == "(or (or (~ uraian 'desa') (isnull x)) (notnull y))")
    }

    @Test func groupByKeysThenAggregates() throws {
        guard case .success(let s) = parse("capaian | group by sasaran, satuan avg(capaian) as rata, count()").first,
              case .query(let q) = s.kind, case .group(let keys, let items) = q.stages[0].kind else {
            Issue.record("did not parse"); return
        }
        #expect(keys.map { sexp($0.expr) } == ["sasaran", "satuan"])
        #expect(items.map { sexp($0.expr) } == ["(avg capaian)", "(count )"])
        #expect(items[0].alias?.text == "rata")
    }

    @Test func statementsSplitOnNewlinesAndSemicolons() {
        #expect(parse("capaian; desa\nbelanja\n\n# c\n").count == 3)
    }

    @Test func pipelineContinuesOnTheNextLine() {
        #expect(parse("capaian\n  | where sasaran = 1\n  | count\n").count == 1)
        #expect(parse("capaian |\n count").count == 1)
        #expect(parse("capaian | select (\n sasaran\n )").count == 1)
    }

    @Test func errorFailsOnlyItsStatement() {
        let results = parse("capaian | count\ncapaian | bogus\ndesa | count")
        #expect(results.count == 3)
        if case .failure = results[1] {} else { Issue.record("second statement should fail") }
        if case .success = results[2] {} else { Issue.record("third statement should parse") }
    }

    @Test func missingParenSaysWhatItCloses() throws {
        let d = try #require(firstError("capaian where (sasaran = 1"))
        #expect(d.kind == .expectedClosing(")", opener: "(", line: 1, column: 15))
        #expect(d.range.start == 26)
    }

    @Test func unknownStageIsLocated() throws {
        let d = try #require(firstError("capaian | filter x"))
        #expect(d.range == SourceRange(10, 16))
        let e = try #require(firstError("capaian | selct no"))
        #expect(e.kind == .unknownStage("selct", suggestion: "select"))
    }

    @Test func limitNeedsAWholeNumber() throws {
        #expect(try #require(firstError("capaian | limit -1")).kind == .invalidLimit("-"))
        #expect(try #require(firstError("capaian | limit 2.5")).kind == .invalidLimit("2.5"))
    }

    @Test func deepNestingIsRefusedNotACrash() throws {
        let deep = "capaian where " + String(repeating: "(", count: 100_000) + "1"
        #expect(try #require(firstError(deep)).kind == .nestingTooDeep(limit: Parser.maxDepth))
        let nots = "capaian where " + String(repeating: "not ", count: 50_000) + "a = 1"
        #expect(try #require(firstError(nots)).kind == .nestingTooDeep(limit: Parser.maxDepth))
        let negs = "capaian | select " + String(repeating: "-", count: 50_000) + "a"
        #expect(try #require(firstError(negs)).kind == .nestingTooDeep(limit: Parser.maxDepth))
    }

    @Test func chainsCountTowardTheDepthLimit() throws {
        let fits = "capaian where " + Array(repeating: "sasaran = 1", count: 150).joined(separator: " or ")
        if case .success = parse(fits).first {} else { Issue.record("a chain of 150 should parse") }
        let long = "capaian where " + Array(repeating: "sasaran = 1", count: 50_000).joined(separator: " or ")
        #expect(try #require(firstError(long)).kind == .nestingTooDeep(limit: Parser.maxDepth))
        let sum = "capaian | select " + Array(repeating: "target", count: 50_000).joined(separator: " + ")
        #expect(try #require(firstError(sum)).kind == .nestingTooDeep(limit: Parser.maxDepth))
    }

    @Test func arbitraryBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("capaian where|sasaran()=<>!~\"'#;,\n 12.5 and or not is null group by sort limit select as let x -*/→é")
        for _ in 0..<2_000 {
            let n = Int.random(in: 0..<40, using: &generator)
            let text = String((0..<n).map { _ in alphabet.randomElement(using: &generator)! })
            _ = parse(text)
        }
    }
}
