#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// LKQ text that comes from outside as bytes (a script file, standard input) or through a
/// decoder that replaced what it could not read (a terminal, the command line) is checked here
/// before any of it runs: text that is not UTF-8 is an ``LKQError`` (kind `lexical`) at the
/// `name:line:column` of the first bad byte. A script is rejected whole rather than run with
/// its bad bytes turned into `�`, which could quietly change a string it compares with.
public enum ScriptText {
    /// `bytes` as text, without a leading UTF-8 byte order mark; throws at the first byte that
    /// is not UTF-8.
    public static func decode(_ bytes: [UInt8], name: String) throws(LKQError) -> String {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let body = bytes[start...]
        if let text = String(validating: body, as: UTF8.self) { return text }
        let bad = firstInvalidOffset(body)
        let source = SourceFile(name: name, text: String(decoding: body, as: UTF8.self))
        // Up to the bad byte the text is valid, so its offset is the same in the decoded copy.
        throw LKQError(Diagnostic(.invalidUTF8, in: source, at: SourceRange(bad, bad + 1)))
    }

    /// Throws at the first U+FFFD (`�`) in `text`: what a decoder leaves where bytes were not
    /// UTF-8. For text the caller did not decode itself, such as a line typed at a terminal.
    public static func check(_ text: String, name: String) throws(LKQError) {
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        let bytes = Array(text.utf8)
        guard bytes.count >= 3 else { return }
        for i in 0...(bytes.count - 3) where bytes[i] == 0xEF && bytes[i..<(i + 3)].elementsEqual(replacement) {
            let source = SourceFile(name: name, text: text)
            throw LKQError(Diagnostic(.invalidUTF8, in: source, at: SourceRange(i, i + 3)))
        }
    }

    /// Offset, from the start of `bytes`, of the first byte that does not belong to a valid
    /// UTF-8 sequence (the RFC 3629 rules: no overlong forms, surrogates or values past U+10FFFF).
    static func firstInvalidOffset(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBufferPointer { buf -> Int in
            guard let b = buf.baseAddress else { return 0 }
            var p = 0
            while p < buf.count {
                if b[p] < 0x80 { p += 1; continue }
                let length = RowTokenizer.utf8Length(b, p, buf.count, true)
                if length <= 0 { return p }
                p += length
            }
            return buf.count
        }
    }
}
