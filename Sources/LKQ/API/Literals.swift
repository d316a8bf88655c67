/// Numbers typed in a query that an Indonesian reader may mean otherwise.
///
/// A query always writes numbers the language's way: `.` is the decimal point, so `6.652` is six
/// and a bit. With Indonesian output (`--locale id`) the table shows six thousand as `6.652`, and
/// the same digits typed back into a query would silently mean a thousandth of that; each such
/// literal draws a warning that shows both readings.
public enum IndonesianLiterals {
    /// A warning for each number literal of `text` written as `d{1,3}.ddd` (`6.652`, `1.500`),
    /// located at the literal, saying it is read as a decimal and how to write the thousands.
    public static func warnings(in text: String, sourceName: String) -> [LKQError] {
        let source = SourceFile(name: sourceName, text: text)
        let bytes = source.bytes
        var out: [LKQError] = []
        for token in Lexer.tokenize(source).tokens {
            guard case .double = token.kind else { continue }
            let literal = Array(bytes[token.range.start..<token.range.end])
            guard let dot = literal.firstIndex(of: UInt8(ascii: ".")), (1...3).contains(dot), literal.count == dot + 4,
                  literal.allSatisfy({ $0 == UInt8(ascii: ".") || ($0 >= 48 && $0 <= 57) }) else { continue }
            let written = String(decoding: literal, as: UTF8.self)
            let thousands = written.replacingOccurrences(of: ".", with: "")
            let decimal = Double(written).map { Value.format($0) } ?? written
            out.append(LKQError(Diagnostic(.ambiguousLiteral(written, decimal: decimal, thousands: thousands),
                                           in: source, at: token.range)))
        }
        return out
    }
}
