import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

/// Script tests that state their own expectations, in the manner of craftinginterpreters:
/// each `.lkq` file under `Tests/LKQTests/Cases` and `Examples` says what it must print with
/// `# expect: ` lines (a query's CSV: header, then rows), `# expect-error: KIND LINE:COL` lines
/// and, after a result's rows, `# expect-warning: NAME LINE:COL` lines for its warnings (NAME is
/// the diagnostic's case, as `mixedLevels`, finer than the error kind, which all warnings share).
/// `# param: NAME=VALUE` lines set parameters as `--param` does. The harness runs the file in
/// one session and compares, statement by statement.
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
            else if t.hasPrefix("# expect-warning: ") { out.append("warning: " + t.dropFirst("# expect-warning: ".count)) }
        }
        return out
    }

    /// The `# param: NAME=VALUE` lines, as the command line's `--param NAME=VALUE` would give them.
    static func parameters(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("# param: ") else { continue }
            let pair = t.dropFirst("# param: ".count)
            guard let eq = pair.firstIndex(of: "=") else { continue }
            out[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        return out
    }

    /// What running the file prints, in the same shape.
    static func actual(_ text: String, name: String, engine: Engine = Engine()) -> [String] {
        var out: [String] = []
        var session = engine.makeSession()
        session.parameters = parameters(text)
        session.execute(text, sourceName: name) { outcome in
            switch outcome {
            case .result(let r):
                out.append(r.fields.map { csv($0.name) }.joined(separator: ","))
                for row in r.rows { out.append(row.map { $0 == .null ? "" : csv($0.description) }.joined(separator: ",")) }
                for w in r.warnings { out.append("warning: \(warningName(w)) \(w.line ?? 0):\(w.column ?? 0)") }
            case .bound: break
            case .failed(let e):
                out.append("error: \(e.kind.rawValue) \(e.line ?? 0):\(e.column ?? 0)")
            }
            return true
        }
        return out
    }

    /// The diagnostic's case name: `mixedLevels` for `mixedLevels(levels: ..., suggestion: ...)`.
    static func warningName(_ w: LKQError) -> String {
        String(String(describing: w.diagnostic.kind).prefix { $0 != "(" })
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
