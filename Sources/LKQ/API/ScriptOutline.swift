/// The shape of a script without running any of it: each statement's place, the name a `let`
/// binds, the table a query starts from, and the syntax error of each statement that has one.
/// Parsing only, so it is cheap enough to redo on every keystroke (the language server does).
///
/// ```swift
/// let outline = ScriptOutline("let lemah = capaian where < 80\nlemah | count")
/// outline.statements[0].binding?.name   // "lemah"
/// outline.statements[1].source?.name    // "lemah"
/// ```
public struct ScriptOutline: Sendable {
    /// A name as written (lower-cased, as LKQ compares names) and its UTF-8 range in the script.
    public struct Name: Sendable, Equatable {
        /// The name, lower-cased.
        public var name: String
        /// UTF-8 offsets of the name in the script.
        public var range: Range<Int>

        /// A name at a place (for comparing with what an outline found).
        public init(name: String, range: Range<Int>) {
            self.name = name
            self.range = range
        }
    }

    /// One statement that parsed.
    public struct Statement: Sendable {
        /// UTF-8 offsets of the whole statement in the script.
        public var range: Range<Int>
        /// The name a `let` statement binds; `nil` for a plain query.
        public var binding: Name?
        /// The table, view or `let` name the query reads first; `nil` for `audit`.
        public var source: Name?
    }

    /// The statements that parsed, in order.
    public var statements: [Statement] = []
    /// The syntax error of each statement that did not parse (the others still parse).
    public var errors: [LKQError] = []

    /// Parses `script`, reporting errors under `sourceName`.
    public init(_ script: String, sourceName: String = "<input>") {
        for parsed in Parser.parseScript(SourceFile(name: sourceName, text: script)) {
            switch parsed {
            case .failure(let diagnostic):
                errors.append(LKQError(diagnostic))
            case .success(let statement):
                let binding: Name?
                let query: Query
                switch statement.kind {
                case .query(let q):
                    binding = nil
                    query = q
                case .bind(let name, let q):
                    binding = Name(name: name.text, range: name.range.start..<name.range.end)
                    query = q
                }
                var source: Name?
                if case .table(let name) = query.source {
                    source = Name(name: name.text, range: name.range.start..<name.range.end)
                }
                statements.append(Statement(range: statement.range.start..<statement.range.end,
                                            binding: binding, source: source))
            }
        }
    }
}
