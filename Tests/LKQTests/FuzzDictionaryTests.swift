import Foundation
import Testing
@testable import LKQ

/// `Fuzz/lkq.dict`, the lkq-fuzz target's libFuzzer dictionary, holds the language's words as the
/// registry lists them: its part between the two marker lines is written by ``registryPart``.
/// The test fails when the file's part differs, so a word added to the registry (or a table or
/// column to the built-in data) is not missing from the fuzzer's words;
/// `LKQ_WRITE_FUZZ_DICT=1 swift test --filter FuzzDictionary` rewrites the part in place.
@Suite struct FuzzDictionaryTests {
    static let path = ScriptCase.root.appendingPathComponent("Fuzz/lkq.dict")
    static let begin = "# --- from the registry and the built-in tables: written by Tests/LKQTests/FuzzDictionaryTests.swift"
    static let end = "# --- end of the registry's words"

    /// A libFuzzer dictionary entry: the text in double quotes, `"` and `\` escaped.
    static func entry(_ word: String) -> String {
        "\"" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static var registryPart: String {
        var lines = [begin]
        // A word listed twice (where is a keyword and a stage) is one entry, in its first section.
        var seen = Set<String>()
        func section(_ title: String, _ words: [String]) {
            lines.append("")
            lines.append("# " + title)
            for w in words where seen.insert(w).inserted { lines.append(entry(w)) }
        }
        section("keywords", Registry.keywords)
        section("statement words", Registry.statementWords.map(\.name))
        section("stages", Registry.stages.map(\.name) + ["left", "on", "all"])
        section("functions", Registry.functions.flatMap { [$0.name, $0.name + "("] })
        section("aggregates (stages, calls and windows)", Registry.aggregates.flatMap { [$0.name, $0.name + "("] })
        section("window functions", Registry.windowFunctions.flatMap { [$0.name, $0.name + "("] } + ["over (", "over ()"])
        section("SQL habits, which have errors of their own", Parser.sqlHabits.keys.sorted() + ["order by", "partition by", "count(*)"])
        section("dot-commands (the shell's, not the library's; here for inputs pasted from a session)", Registry.dotCommands.map(\.name))
        let tables = Engine().tables
        section("tables and views", tables.map(\.name))
        section("columns", tables.flatMap { $0.fields.map(\.name) })
        lines.append("")
        lines.append(end)
        return lines.joined(separator: "\n")
    }

    /// The file's text between the markers, markers included.
    static func filePart(_ text: String) -> Range<String.Index>? {
        guard let b = text.range(of: begin), let e = text.range(of: end, range: b.upperBound..<text.endIndex) else { return nil }
        return b.lowerBound..<e.upperBound
    }

    @Test func dictionaryHoldsEveryRegisteredWord() throws {
        var text = try String(contentsOf: Self.path, encoding: .utf8)
        guard let part = Self.filePart(text) else {
            Issue.record("Fuzz/lkq.dict has no part between '\(Self.begin)' and '\(Self.end)'")
            return
        }
        if ProcessInfo.processInfo.environment["LKQ_WRITE_FUZZ_DICT"] == "1" {
            text.replaceSubrange(part, with: Self.registryPart)
            try text.write(to: Self.path, atomically: true, encoding: .utf8)
            return
        }
        #expect(String(text[part]) == Self.registryPart,
                "Fuzz/lkq.dict is not in step with the registry; LKQ_WRITE_FUZZ_DICT=1 swift test --filter FuzzDictionary rewrites it")
    }

    /// Every line of the dictionary is an entry libFuzzer reads: a comment, blank, or a quoted
    /// string with only the escapes it knows.
    @Test func everyLineIsAnEntry() throws {
        let text = try String(contentsOf: Self.path, encoding: .utf8)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty && !line.hasPrefix("#") {
            let ok = line.wholeMatch(of: /"([^"\\]|\\[\\"]|\\x[0-9a-fA-F]{2})*"/) != nil
            #expect(ok, "not a dictionary entry: \(line)")
        }
    }
}
