import Foundation
import Testing

/// The stages of the library depend one way: the syntax (source text, lexer, parser, AST and
/// its printer, diagnostics, the registry of words) is the target LKQSyntax, which depends on
/// nothing and knows nothing of values, tables, plans or the public error type, so that an
/// editor, a formatter or a SQL compiler can use it on its own. The compiler holds the target
/// to that; this test holds the package to it (no dependency slips in) and names any type of a
/// later stage that a syntax file mentions, even in a comment-free line of code.
@Suite struct LayerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func syntaxKnowsNothingOfValuesTablesOrPlans() throws {
        let package = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        #expect(package.contains(".target(name: \"LKQSyntax\")"), "LKQSyntax must be a target without dependencies")
        let syntaxFolders = ["Sources/LKQSyntax", "Sources/LKQSyntax/Source", "Sources/LKQSyntax/Lexer",
                             "Sources/LKQSyntax/Parser", "Sources/LKQSyntax/AST", "Sources/LKQSyntax/Diagnostics"]
        let laterTypes = ["Value", "Table", "Column", "Frame", "Field", "LKQError", "Engine", "Session", "Bound",
                          "QueryPlan", "PlanStep", "Resolver", "Evaluator", "Interpreter", "QueryResult", "Operand"]
        var checked = 0
        for folder in syntaxFolders {
            let dir = Self.root.appendingPathComponent(folder)
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".swift") {
                let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
                checked += 1
                for (number, line) in text.components(separatedBy: "\n").enumerated() {
                    let code = line.components(separatedBy: "//").first ?? ""
                    for type in laterTypes where code.range(of: "\\b\(type)\\b", options: .regularExpression) != nil {
                        Issue.record("\(folder)/\(name):\(number + 1) names \(type): \(line.trimmingCharacters(in: .whitespaces))")
                    }
                }
            }
        }
        #expect(checked >= 5)
    }
}
