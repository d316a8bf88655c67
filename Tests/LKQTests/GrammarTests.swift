import Foundation
import Testing

/// The grammar is written twice, whole in `Grammar/lkq.ebnf` and rule by rule in the doc
/// comments of the parser's functions; this keeps the two copies the same.
@Suite struct GrammarTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `name = body ;` rules of the EBNF file, comments removed, whitespace collapsed.
    static func ebnfRules() throws -> [String: String] {
        var text = try String(contentsOf: root.appendingPathComponent("Grammar/lkq.ebnf"), encoding: .utf8)
        while let open = text.range(of: "(*"), let close = text.range(of: "*)", range: open.upperBound..<text.endIndex) {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
        var rules: [String: String] = [:]
        for rule in text.components(separatedBy: ";\n") {
            let flat = rule.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            guard let eq = flat.range(of: " = ") else { continue }
            rules[String(flat[..<eq.lowerBound])] = flat + " ;"
        }
        return rules
    }

    @Test func parserDocCommentsRepeatTheGrammar() throws {
        let rules = try Self.ebnfRules()
        let parser = try String(contentsOf: Self.root.appendingPathComponent("Sources/LKQSyntax/Parser/Parser.swift"), encoding: .utf8)
        let documented = parser.components(separatedBy: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("/// `") && $0.hasSuffix(";`") }
            .map { String($0.dropFirst(5).dropLast()) }
        let mustHave = ["script", "statement", "let_statement", "query", "source", "stage", "join_stage", "join_source", "join_key", "select_stage", "item", "sort_stage",
                        "sort_key", "limit_stage", "group_stage", "aggregate_stage", "bar_stage", "spark_stage", "condition", "disjunction",
                        "conjunction", "negation", "predicate", "expr", "term", "factor", "primary",
                        "let_value", "param_statement", "extend_stage", "distinct_stage", "window", "case_expr"]
        for name in mustHave {
            let rule = try #require(rules[name], "rule \(name) missing from lkq.ebnf")
            #expect(documented.contains(rule), "parser doc comment differs from lkq.ebnf for \(name):\n\(rule)")
        }
        #expect(documented.count >= mustHave.count)
        for line in documented {
            let name = String(line.prefix { $0 != " " })
            #expect(rules[name] == line, "doc comment rule not in lkq.ebnf: \(line)")
        }
    }
}
