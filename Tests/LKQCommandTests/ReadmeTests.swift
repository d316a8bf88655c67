import Foundation
import Testing

/// Every `$ lkq ...` example in README.md is run, and its output must be the one printed
/// there, so the tour never goes stale. The README shows what a terminal shows (the `table`
/// format, 100 columns wide); here output is a pipe, so `-f table` is added where the example
/// names no format. The `--db` examples need a server: EsakipDatabaseTests runs them against
/// one holding Examples/esakip.
@Suite struct ReadmeTests {
    struct Example: CustomStringConvertible {
        var command: String
        var expected: String
        var description: String { command }
    }

    /// The README's examples that run without a server.
    static func examples() -> [Example] { allExamples().filter { !$0.command.contains("--db") } }

    /// Every `$ lkq` example of the README, with the output printed under it.
    static func allExamples() -> [Example] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        guard let text = try? String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8) else { return [] }
        // Code blocks whose first line is a `$ lkq` command.
        var blocks: [[String]] = []
        var inBlock = false
        var current: [String] = []
        for line in text.components(separatedBy: "\n") {
            if line.hasPrefix("```") {
                if inBlock { blocks.append(current) }
                inBlock.toggle()
                current = []
                continue
            }
            if inBlock { current.append(line) }
        }
        var examples: [Example] = []
        for block in blocks where block.first?.hasPrefix("$ lkq") == true {
            var lines = block
            while !lines.isEmpty {
                guard lines[0].hasPrefix("$ ") else { lines.removeFirst(); continue }
                var command = String(lines.removeFirst().dropFirst(2))
                // A command runs on while a quote is open or a line ends with a backslash.
                while !lines.isEmpty && (command.filter { $0 == "'" }.count % 2 == 1 || command.hasSuffix("\\")) {
                    command += "\n" + lines.removeFirst()
                }
                var output: [String] = []
                while !lines.isEmpty && !lines[0].hasPrefix("$ ") { output.append(lines.removeFirst()) }
                while output.last == "" { output.removeLast() }
                examples.append(Example(command: command, expected: output.joined(separator: "\n")))
            }
        }
        return examples
    }

    @Test func readmeHasExamples() {
        #expect(Self.examples().count >= 8)
    }

    @Test(arguments: examples())
    func readmeExampleOutput(_ example: Example) throws {
        let text = try Self.output(of: example.command)
        #expect(text == example.expected, "\(example.command)\n--- got\n\(text)")
    }

    /// What `command` prints, as a terminal 100 columns wide would show it.
    static func output(of example: String) throws -> String {
        var command = example
        if !command.contains("| lkq") && !command.contains("-f ") && !command.contains("--format") {
            command = command.replacingOccurrences(of: "lkq ", with: "lkq -f table ", options: [], range: command.range(of: "lkq "))
        }
        // A terminal 100 columns wide that shows Unicode.
        var env = ["COLUMNS": "100", "LANG": "C.UTF-8", "LC_ALL": "", "LC_CTYPE": "", "TERM": "xterm"]
        env["PATH"] = URL(fileURLWithPath: Binary.path).deletingLastPathComponent().path + ":"
            + (ProcessInfo.processInfo.environment["PATH"] ?? "")
        let run = try runProgram("/bin/bash", ["-c", command + " 2>&1"], environment: env)
        var text = run.stdout
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
