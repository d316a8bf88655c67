/// Turns LKQ text into tokens. Works on UTF-8 bytes; never fails part-way: a bad character
/// or an unterminated string is reported as a diagnostic with its range.
public struct Lexer {
    public let source: SourceFile
    private let bytes: [UInt8]
    private var pos = 0

    public init(_ source: SourceFile) {
        self.source = source
        self.bytes = source.bytes
    }

    /// All tokens up to and including `.end`. A lexical error becomes an `.invalid` token whose
    /// diagnostic is kept in `errors` under the token's index, so that only the statement
    /// holding it fails; lexing goes on after the bad character.
    public static func tokenize(_ source: SourceFile) -> (tokens: [Token], errors: [Int: Diagnostic]) {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        var errors: [Int: Diagnostic] = [:]
        while true {
            do {
                let t = try lexer.next()
                tokens.append(t)
                if t.kind == .end { return (tokens, errors) }
            } catch {
                errors[tokens.count] = error
                tokens.append(Token(kind: .invalid, range: error.range))
                if case .unterminatedString = error.kind { lexer.pos = lexer.bytes.count }
            }
        }
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        pos + ahead < bytes.count ? bytes[pos + ahead] : nil
    }

    public mutating func next() throws(Diagnostic) -> Token {
        skipSpaceAndComments()
        let start = pos
        guard let c = peek() else { return Token(kind: .end, range: SourceRange(pos, pos)) }
        func single(_ kind: TokenKind, _ length: Int = 1) -> Token {
            pos += length
            return Token(kind: kind, range: SourceRange(start, pos))
        }
        switch c {
        case UInt8(ascii: "\n"): return single(.newline)
        case UInt8(ascii: ";"): return single(.semicolon)
        case UInt8(ascii: ","): return single(.comma)
        case UInt8(ascii: "|"): return single(.pipe)
        case UInt8(ascii: "("): return single(.leftParen)
        case UInt8(ascii: ")"): return single(.rightParen)
        case UInt8(ascii: "+"): return single(.plus)
        case UInt8(ascii: "-"): return single(.minus)
        case UInt8(ascii: "*"): return single(.star)
        case UInt8(ascii: "/"): return single(.slash)
        case UInt8(ascii: "~"): return single(.tilde)
        case UInt8(ascii: "="): return single(.equal, peek(1) == UInt8(ascii: "=") ? 2 : 1)
        case UInt8(ascii: "!"):
            if peek(1) == UInt8(ascii: "=") { return single(.notEqual, 2) }
        case UInt8(ascii: "<"):
            if peek(1) == UInt8(ascii: "=") { return single(.lessEqual, 2) }
            if peek(1) == UInt8(ascii: ">") { return single(.notEqual, 2) }
            return single(.less)
        case UInt8(ascii: ">"):
            if peek(1) == UInt8(ascii: "=") { return single(.greaterEqual, 2) }
            return single(.greater)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            return try string(quote: c)
        case UInt8(ascii: "`"):
            return try quotedName()
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number()
        case UInt8(ascii: "."):
            if let d = peek(1), isDigit(d) { return try number() }
        default:
            if isNameStart(c) { return name() }
        }
        // Report one whole character, not a byte of it.
        let length = Lexer.scalarLength(c)
        pos = min(bytes.count, start + length)
        let text = source.slice(SourceRange(start, pos))
        throw Diagnostic(.unexpectedCharacter(text), in: source, at: SourceRange(start, start + length))
    }

    private mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
                pos += 1
            } else if c == UInt8(ascii: "#") {
                while let d = peek(), d != UInt8(ascii: "\n") { pos += 1 }
            } else {
                return
            }
        }
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }

    /// ASCII letters and `_`; beyond ASCII, any alphabetic character (so `kabupatén` is a
    /// name but `→` is not).
    private func isNameStart(_ c: UInt8) -> Bool {
        (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || (c >= 0xC0 && letterAt(pos))
    }

    private func isNamePart(_ c: UInt8) -> Bool {
        isNameStart(c) || isDigit(c) || (c >= 0x80 && c < 0xC0)
    }

    /// Whether the multi-byte character starting at `offset` is a letter.
    private func letterAt(_ offset: Int) -> Bool {
        let length = Lexer.scalarLength(bytes[offset])
        guard offset + length <= bytes.count else { return false }
        let text = String(decoding: bytes[offset..<offset + length], as: UTF8.self)
        guard let scalar = text.unicodeScalars.first, text.unicodeScalars.count == 1 else { return false }
        return scalar.properties.isAlphabetic
    }

    public static func scalarLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: return 4
        case 0xE0...: return 3
        case 0xC0...: return 2
        default: return 1
        }
    }

    private mutating func name() -> Token {
        let start = pos
        while let c = peek(), isNamePart(c) { pos += 1 }
        let text = source.slice(SourceRange(start, pos)).lowercased()
        let range = SourceRange(start, pos)
        if let k = Keyword(rawValue: text) { return Token(kind: .keyword(k), range: range) }
        return Token(kind: .name(text), range: range)
    }

    /// `` `Pagu (Rp)` ``: a column name that is not an identifier, lower-cased like every name.
    /// A backquote inside is written twice.
    private mutating func quotedName() throws(Diagnostic) -> Token {
        let start = pos
        pos += 1
        var text: [UInt8] = []
        while let c = peek() {
            if c == UInt8(ascii: "\n") { break }
            pos += 1
            if c == UInt8(ascii: "`") {
                if peek() == UInt8(ascii: "`") { text.append(c); pos += 1; continue }
                let name = String(decoding: text, as: UTF8.self).lowercased()
                guard !name.isEmpty else {
                    throw Diagnostic(.expected("a name between the backquotes", found: "``"), in: source, at: SourceRange(start, pos))
                }
                return Token(kind: .name(name), range: SourceRange(start, pos))
            }
            text.append(c)
        }
        throw Diagnostic(.unterminatedName, in: source, at: SourceRange(start, pos))
    }

    /// Digits with an optional fraction and exponent. `1.476` is the decimal 1.476 here:
    /// LKQ text uses `.` as the decimal point; Indonesian notation belongs in data files.
    private mutating func number() throws(Diagnostic) -> Token {
        let start = pos
        var isInteger = true
        while let c = peek(), isDigit(c) { pos += 1 }
        if peek() == UInt8(ascii: "."), let d = peek(1), isDigit(d) {
            isInteger = false
            pos += 1
            while let c = peek(), isDigit(c) { pos += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var ahead = 1
            if let s = peek(1), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { ahead = 2 }
            if let d = peek(ahead), isDigit(d) {
                isInteger = false
                pos += ahead
                while let c = peek(), isDigit(c) { pos += 1 }
            }
        }
        let digitsEnd = pos
        // A name glued to a number is an Indonesian magnitude (`100jt`, `1.5m`) or a typo
        // (`12abc`), never two tokens.
        if let c = peek(), isNameStart(c) {
            let suffixStart = pos
            while let c = peek(), isNamePart(c) { pos += 1 }
            let suffix = source.slice(SourceRange(suffixStart, pos)).lowercased()
            let text = source.slice(SourceRange(start, digitsEnd))
            guard let zeros = Lexer.magnitudes[suffix], let kind = Lexer.scaled(text, zeros: zeros) else {
                throw Diagnostic(.invalidNumber(source.slice(SourceRange(start, pos))), in: source, at: SourceRange(start, pos))
            }
            return Token(kind: kind, range: SourceRange(start, pos))
        }
        let range = SourceRange(start, pos)
        let text = source.slice(range)
        if isInteger {
            // Never rounded into a decimal: a 20-digit code would silently lose digits.
            guard let v = Int64(text) else { throw Diagnostic(.integerTooLarge(text), in: source, at: range) }
            return Token(kind: .int(v), range: range)
        }
        guard let v = Double(text), v.isFinite else {
            throw Diagnostic(.invalidNumber(text), in: source, at: range)
        }
        return Token(kind: .double(v), range: range)
    }

    /// Indonesian magnitude suffixes and the power of ten each stands for: ribu (thousand),
    /// juta (million), miliar (10^9; `m` is miliar, as in Indonesian budgets), triliun (10^12).
    public static let magnitudes: [String: Int] = [
        "rb": 3, "ribu": 3,
        "jt": 6, "juta": 6,
        "m": 9, "miliar": 9, "milyar": 9,
        "t": 12, "triliun": 12,
    ]

    /// `digits` (with an optional fraction, no exponent) times 10^zeros, computed on the decimal
    /// text so that `1.5m` is exactly the integer 1500000000. A result with a fraction left over
    /// is a decimal; `nil` when the text has an exponent or the value does not fit.
    public static func scaled(_ digits: String, zeros: Int) -> TokenKind? {
        guard !digits.contains(where: { $0 == "e" || $0 == "E" }) else { return nil }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0])
        var fraction = parts.count > 1 ? String(parts[1]) : ""
        while fraction.hasSuffix("0") { fraction.removeLast() }
        if fraction.count <= zeros {
            let text = whole + fraction + String(repeating: "0", count: zeros - fraction.count)
            if let v = Int64(text) { return .int(v) }
            return nil
        }
        let shifted = whole + fraction.prefix(zeros) + "." + fraction.dropFirst(zeros)
        guard let v = Double(shifted), v.isFinite else { return nil }
        return .double(v)
    }

    /// A string in single or double quotes; the quote is written twice, or with a backslash,
    /// to include it. Strings may span lines.
    private mutating func string(quote: UInt8) throws(Diagnostic) -> Token {
        let start = pos
        pos += 1
        var value: [UInt8] = []
        while let c = peek() {
            if c == quote {
                if peek(1) == quote { value.append(quote); pos += 2; continue }
                pos += 1
                // In NFC, as all text in LKQ (Data/Text.swift).
                return Token(kind: .string(String(decoding: value, as: UTF8.self).nfc), range: SourceRange(start, pos))
            }
            if c == UInt8(ascii: "\\"), let n = peek(1) {
                switch n {
                case UInt8(ascii: "n"): value.append(10)
                case UInt8(ascii: "t"): value.append(9)
                default: value.append(n)
                }
                pos += 2
                continue
            }
            value.append(c)
            pos += 1
        }
        throw Diagnostic(.unterminatedString, in: source, at: SourceRange(start, start + 1))
    }
}
