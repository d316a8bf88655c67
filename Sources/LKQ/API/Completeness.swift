/// Questions a shell asks about LKQ text while it is being typed, answered by the real lexer
/// and parser so the shell never keeps a grammar of its own.
///
/// ```swift
/// StatementText.isComplete("capaian | select no,")   // false: the list goes on
/// StatementText.isComplete("capaian | count")        // true
/// ```
public enum StatementText {
    /// Whether `text` can run as it is, or needs more lines first.
    ///
    /// Text is incomplete when parsing it fails at its very end: the last statement stops
    /// after a `|`, `,`, operator, `and`/`or`, an open parenthesis or a keyword that needs
    /// something after it, or a string is still open. Text that parses, and text with an
    /// error before its end (`capaian | limit lima`), is complete: running it shows the
    /// result or the error. The decision follows the parser's own "found end of input"
    /// errors, so it covers every construct the grammar has, new ones included.
    ///
    /// A complete statement may still be continued by a following line that begins with `|`;
    /// that is for the caller to see (in a script it is simply the next line).
    public static func isComplete(_ text: String) -> Bool {
        let source = SourceFile(name: "<input>", text: text)
        let end = source.bytes.count
        for parsed in Parser.Statements(parser: Parser(source)) {
            guard case .failure(let diagnostic) = parsed else { continue }
            if case .unterminatedString = diagnostic.kind { return false }
            if case .source = diagnostic.location, diagnostic.range.start >= end { return false }
        }
        return true
    }

    /// What a stretch of LKQ text is, for colouring it as it is typed.
    public enum Role: Sendable, Equatable {
        /// A reserved word: `where`, `sort`, `and`...
        case keyword
        /// A table, column or function name.
        case name
        /// A number.
        case number
        /// A quoted string.
        case string
        /// `|`, `,`, parentheses and operators.
        case punctuation
        /// Text the lexer or parser rejects: where the error is.
        case error
    }

    /// One coloured stretch: UTF-8 offsets into the text and what it is.
    public struct Span: Sendable, Equatable {
        /// UTF-8 offsets of the stretch within the text.
        public let range: Range<Int>
        /// What the stretch is.
        public let role: Role
    }

    /// The tokens of `text` by role, in order. The tokens where the first syntax error is
    /// (unless it is simply the end of unfinished text) have the role ``Role/error``. Comments
    /// and blanks have no span.
    public static func spans(_ text: String) -> [Span] {
        let source = SourceFile(name: "<input>", text: text)
        let end = source.bytes.count
        var error: Range<Int>?
        for parsed in Parser.Statements(parser: Parser(source)) {
            guard case .failure(let diagnostic) = parsed, case .source = diagnostic.location else { continue }
            let range = diagnostic.range
            if range.start >= end { continue }
            if case .unterminatedString = diagnostic.kind { continue }
            error = range.start..<max(range.end, range.start + 1)
            break
        }
        var spans: [Span] = []
        for token in Lexer.tokenize(source).tokens {
            var role: Role
            switch token.kind {
            case .keyword: role = .keyword
            case .name: role = .name
            case .int, .double: role = .number
            case .string: role = .string
            case .invalid: role = .error
            case .newline, .end: continue
            default: role = .punctuation
            }
            let range = token.range.start..<token.range.end
            if let error, range.overlaps(error) { role = .error }
            spans.append(Span(range: range, role: role))
        }
        return spans
    }
}
