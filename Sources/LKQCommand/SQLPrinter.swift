#if canImport(Glibc)
import Glibc
#endif
import LKQ

/// `lkq --sql`: each query's SQL, as `prqlc compile` prints it, with its bound parameters in a
/// comment above it.
enum SQLPrinter {
    /// The whole text of a script, or an exit after saying why it cannot be read.
    static func readAll(_ reader: ScriptReader) -> String {
        var lines: [String] = []
        while true {
            switch reader.next() {
            case .text(let line): lines.append(line)
            case .end: return lines.joined(separator: "\n")
            case .failed(let error):
                Console.err(error.rendered(color: Console.colorErr) + "\n")
                exit(ExitStatus.failed)
            case .unreadable(let reason):
                Console.err("lkq: cannot read \(reader.name): \(reason)\n")
                exit(ExitStatus.failed)
            case .tooLong(let line):
                Console.err("lkq: \(reader.name): line \(line) is longer than a statement can be\n")
                exit(ExitStatus.failed)
            }
        }
    }

    /// Prints the SQL of every query in `sources`; the exit status.
    static func print(_ sources: [(text: String, name: String)], engine: Engine, dialect: SQLDialect,
                      parameters: [String: String]) -> Int32 {
        // The `-e` statements of one command line are one script, as when they run.
        var scripts: [(text: String, name: String)] = []
        for source in sources {
            if source.name == "-e", let last = scripts.last, last.name == "-e" {
                scripts[scripts.count - 1].text += "\n" + source.text
            } else {
                scripts.append(source)
            }
        }
        var first = true
        for source in scripts {
            do throws(LKQError) {
                for statement in try engine.sql(for: source.text, dialect: dialect, parameters: parameters, sourceName: source.name) {
                    var text = first ? "" : "\n"
                    first = false
                    text += "-- \(source.name):\(statement.line)\n"
                    for (i, p) in statement.parameters.enumerated() {
                        let placeholder = dialect.name == "spark" ? ":\(p.name)" : "$\(i + 1)"
                        text += "-- \(placeholder) = \(p.name) = \(p.value)\n"
                    }
                    for line in statement.preamble { text += line + ";\n" }
                    text += statement.text + ";\n"
                    Console.out(text)
                }
            } catch {
                Console.err(error.rendered(color: Console.colorErr) + "\n")
                return ExitStatus.failed
            }
        }
        return ExitStatus.ok
    }
}
