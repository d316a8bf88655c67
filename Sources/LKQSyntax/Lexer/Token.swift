/// The kinds of token LKQ text is made of.
public enum TokenKind: Sendable, Hashable {
    case name(String)          // lower-cased identifier
    case keyword(Keyword)
    case int(Int64)
    case double(Double)
    case string(String)
    case newline
    case semicolon, comma, pipe, leftParen, rightParen
    case plus, minus, star, slash, tilde
    case equal, notEqual, less, lessEqual, greater, greaterEqual
    case end
    /// A lexical error; the lexer keeps its diagnostic.
    case invalid

    /// How the token is named in "expected X, found Y" messages.
    public var description: String {
        switch self {
        case .name(let n): return "name '\(n)'"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .int(let v): return "number \(v)"
        case .double(let v): return "number " + (v == v.rounded() && Swift.abs(v) < 1e15 ? String(Int64(v)) : "\(v)")
        case .string: return "a string"
        case .newline: return "end of line"
        case .semicolon: return "';'"
        case .comma: return "','"
        case .pipe: return "'|'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .tilde: return "'~'"
        case .equal: return "'='"
        case .notEqual: return "'!='"
        case .less: return "'<'"
        case .lessEqual: return "'<='"
        case .greater: return "'>'"
        case .greaterEqual: return "'>='"
        case .end: return "end of input"
        case .invalid: return "an invalid token"
        }
    }
}

/// Reserved words; matched case-insensitively. Aggregate names (count, sum, ...) are not
/// reserved: they are ordinary names that the parser recognises in stage position.
public enum Keyword: String, Sendable, CaseIterable {
    case `let`, from, `where`, select, `as`, sort, asc, desc, limit, group, by, and, or, not, `is`, null
    case `in`, between, `case`, when, then, `else`, end, over
}

/// A token and the UTF-8 range it covers.
public struct Token: Sendable {
    public var kind: TokenKind
    public var range: SourceRange
}
