import Foundation
import Testing

/// The stages of the library depend one way: the syntax (source text, lexer, parser, AST and
/// its printer, diagnostics) knows nothing of values, tables, plans or the public error type,
/// so that it can be reused by an editor, a formatter or a SQL compiler on its own. This test
/// reads the syntax folders and fails when one of them names a type of a later stage.
@Suite struct LayerTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func syntaxKnowsNothingOfValuesTablesOrPlans() throws {
        let syntaxFolders = ["Sources/LKQ/Source", "Sources/LKQ/Lexer", "Sources/LKQ/Parser", "Sources/LKQ/AST"]
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
