import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

/// Script tests that state their own expectations, in the manner of craftinginterpreters:
/// each `.lkq` file under `Tests/LKQTests/Cases` and `Examples` says what it must print with
/// `# expect: ` lines (a query's CSV: header, then rows) and `# expect-error: KIND LINE:COL`
/// lines. The harness runs the file in one session and compares, statement by statement.
enum ScriptCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func files(in folder: String) -> [String] {
        let dir = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".lkq") }.sorted().map { "\(folder)/\($0)" }
    }

    /// What the file says it must print.
    static func expectations(_ text: String) -> [String] {
        var out: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix("# expect: ") { out.append(String(t.dropFirst("# expect: ".count))) }
            else if t == "# expect:" { out.append("") }
            else if t.hasPrefix("# expect-error: ") { out.append("error: " + t.dropFirst("# expect-error: ".count)) }
        }
        return out
    }

    /// What running the file prints, in the same shape.
    static func actual(_ text: String, name: String, engine: Engine = Engine()) -> [String] {
        var out: [String] = []
        var session = engine.makeSession()
        session.execute(text, sourceName: name) { outcome in
            switch outcome {
            case .result(let r):
                out.append(r.fields.map { csv($0.name) }.joined(separator: ","))
                for row in r.rows { out.append(row.map { $0 == .null ? "" : csv($0.description) }.joined(separator: ",")) }
            case .bound: break
            case .failed(let e):
                out.append("error: \(e.kind.rawValue) \(e.line ?? 0):\(e.column ?? 0)")
            }
            return true
        }
        return out
    }

    static func csv(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

@Test("script case", arguments: ScriptCase.files(in: "Tests/LKQTests/Cases") + ScriptCase.files(in: "Examples"))
func scriptCase(_ path: String) throws {
    let text = try String(contentsOf: ScriptCase.root.appendingPathComponent(path), encoding: .utf8)
    let expected = ScriptCase.expectations(text)
    #expect(!expected.isEmpty, "\(path) states no expectations")
    let actual = ScriptCase.actual(text, name: path)
    #expect(actual == expected, "\(path)\n--- expected\n\(expected.joined(separator: "\n"))\n--- actual\n\(actual.joined(separator: "\n"))")
}
