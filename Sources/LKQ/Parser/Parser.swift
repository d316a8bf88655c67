enum Statement: Sendable {}
enum Parser {
    static func parseScript(_ source: SourceFile) -> [Result<Statement, Diagnostic>] { [] }
}
