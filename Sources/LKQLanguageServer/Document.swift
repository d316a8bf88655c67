import Foundation

/// An open `.lkq` document: its text, where its lines start, and conversions between the UTF-8
/// offsets LKQ reports and the positions the protocol speaks (line, UTF-16 code unit).
struct Document {
    let uri: String
    let text: String
    let bytes: [UInt8]
    private let lineStarts: [Int]

    init(uri: String, text: String) {
        self.uri = uri
        self.text = text
        bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        lineStarts = starts
    }

    /// The (zero-based) line and UTF-16 column of a UTF-8 offset.
    func position(of offset: Int) -> (line: Int, character: Int) {
        let offset = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        let prefix = String(decoding: bytes[lineStarts[lo]..<offset], as: UTF8.self)
        return (lo, prefix.utf16.count)
    }

    /// The UTF-8 offset of a protocol position; past the end of its line means the line's end.
    func offset(line: Int, character: Int) -> Int {
        guard line >= 0 else { return 0 }
        guard line < lineStarts.count else { return bytes.count }
        var end = line + 1 < lineStarts.count ? lineStarts[line + 1] - 1 : bytes.count
        if end > lineStarts[line], bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        let lineText = String(decoding: bytes[lineStarts[line]..<end], as: UTF8.self)
        var units = 0
        var offset = lineStarts[line]
        for scalar in lineText.unicodeScalars {
            if units >= character { break }
            units += scalar.utf16.count
            offset += scalar.utf8.count
        }
        return offset
    }

    /// The text covered by UTF-8 offsets.
    func slice(_ range: Range<Int>) -> String {
        String(decoding: bytes[max(0, range.lowerBound)..<min(bytes.count, range.upperBound)], as: UTF8.self)
    }

    /// The text with every line that holds a dot-command (`.load x.csv`) blanked to spaces,
    /// byte for byte, so the parser sees only LKQ and every offset stays where it was.
    var lkqText: String {
        var out = bytes
        for token in Scanner.tokens(of: bytes) where token.kind == .dotCommand {
            for i in token.range where out[i] != UInt8(ascii: "\n") { out[i] = UInt8(ascii: " ") }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A light scan of LKQ text into words, strings, comments and punctuation. It is not the parser:
/// it must make sense of half-typed text (the parser rightly rejects `capaian where `), and it
/// never fails.
enum Scanner {
    struct Token: Equatable {
        enum Kind: Equatable {
            /// A name or keyword, lower-cased in `text`.
            case word
            case number
            case string
            case comment
            /// A whole line that starts with `.` (a shell dot-command), to its end.
            case dotCommand
            /// A line break that ends a statement (not one inside parentheses or before `|`).
            case newline
            /// Punctuation: `|`, `(`, `)`, `,`, `;`, `=`, `<`, ...
            case symbol
        }
        var kind: Kind
        var text: String
        var range: Range<Int>
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "_") || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
            || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
            || b >= 0x80
    }

    static func tokens(of bytes: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        var atLineStart = true
        func text(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") {
                tokens.append(Token(kind: .newline, text: "\n", range: i..<(i + 1)))
                i += 1
                atLineStart = true
                continue
            }
            if b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\r") { i += 1; continue }
            let start = i
            if atLineStart && b == UInt8(ascii: ".") {
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                tokens.append(Token(kind: .dotCommand, text: text(start..<i), range: start..<i))
                continue
            }
            atLineStart = false
            if b == UInt8(ascii: "#") {
                while i < bytes.count, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                tokens.append(Token(kind: .comment, text: text(start..<i), range: start..<i))
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                i += 1
                while i < bytes.count, bytes[i] != b, bytes[i] != UInt8(ascii: "\n") { i += 1 }
                if i < bytes.count, bytes[i] == b { i += 1 }
                tokens.append(Token(kind: .string, text: text(start..<i), range: start..<i))
            } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                while i < bytes.count, isWordByte(bytes[i]) || bytes[i] == UInt8(ascii: ".") { i += 1 }
                tokens.append(Token(kind: .number, text: text(start..<i), range: start..<i))
            } else if isWordByte(b) {
                while i < bytes.count, isWordByte(bytes[i]) { i += 1 }
                tokens.append(Token(kind: .word, text: text(start..<i).lowercased(), range: start..<i))
            } else {
                let two = i + 1 < bytes.count ? text(i..<(i + 2)) : ""
                let width = ["<=", ">=", "!="].contains(two) ? 2 : 1
                i += width
                tokens.append(Token(kind: .symbol, text: text(start..<i), range: start..<i))
            }
        }
        return joiningContinuations(tokens)
    }

    /// Drops the line breaks that do not end a statement: inside parentheses, after `|`, or
    /// before a line that starts with `|`; comments go too, as they never matter to a statement.
    private static func joiningContinuations(_ tokens: [Token]) -> [Token] {
        var out: [Token] = []
        var depth = 0
        for (i, token) in tokens.enumerated() {
            switch (token.kind, token.text) {
            case (.symbol, "("): depth += 1
            case (.symbol, ")"): depth = max(0, depth - 1)
            case (.newline, _):
                let next = tokens[(i + 1)...].first { $0.kind != .newline && $0.kind != .comment }
                let previous = out.last { $0.kind != .comment }
                if depth > 0 || previous?.text == "|" || next?.text == "|" { continue }
            default: break
            }
            out.append(token)
        }
        return out
    }

    /// The tokens of the statement that holds `offset`, up to `offset`: what comes before the cursor.
    static func statementPrefix(_ tokens: [Token], before offset: Int) -> [Token] {
        var statement: [Token] = []
        for token in tokens {
            if token.range.lowerBound >= offset { break }
            if token.kind == .newline || token.text == ";" || token.kind == .dotCommand {
                statement = []
            } else if token.kind != .comment {
                statement.append(token)
            }
        }
        return statement
    }
}
