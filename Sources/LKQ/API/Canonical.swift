#if canImport(LKQSyntax)
import LKQSyntax
#endif

extension Engine {
    /// The statements of `script` in canonical form, one per line: lower-case keywords, single
    /// spaces, ` | ` between stages and only the parentheses that precedence needs. Comments and
    /// blank statements are left out. Running the canonical text gives the same results.
    ///
    /// ```swift
    /// try Engine.canonical("CAPAIAN where (sasaran=2) AND <75")
    /// // "capaian where sasaran = 2 and < 75"
    /// ```
    ///
    /// - Throws: the first syntax error of the script, located in `sourceName`.
    public static func canonical(_ script: String, sourceName: String = "<input>") throws(LKQError) -> String {
        var lines: [String] = []
        for parsed in Parser.parseScript(SourceFile(name: sourceName, text: script)) {
            switch parsed {
            case .success(let statement): lines.append(statement.canonical)
            case .failure(let diagnostic): throw LKQError(diagnostic)
            }
        }
        return lines.joined(separator: "\n")
    }
}
