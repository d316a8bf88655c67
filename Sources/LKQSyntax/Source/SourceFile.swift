/// A piece of LKQ text with the name it is reported under (a file path, `-e`, `<repl>`).
///
/// Positions inside it are UTF-8 offsets everywhere in LKQ; line and column are computed
/// here and only here, when a diagnostic is printed.
public final class SourceFile: Sendable {
    /// The name used in diagnostics, as in `report.lkq:3:17`.
    public let name: String
    /// The text itself.
    public let text: String
    public let bytes: [UInt8]
    /// Offsets at which each line starts; the first is 0.
    private let lineStarts: [Int]
    /// The line number of the text's first line, less one: a piece of a longer script (read a
    /// statement at a time) reports the lines of the whole.
    private let linesBefore: Int

    /// Wraps `text` for lexing and error reporting under `name`; its first line is `firstLine`.
    public init(name: String, text: String, firstLine: Int = 1) {
        self.name = name
        self.text = text
        self.linesBefore = max(0, firstLine - 1)
        let bytes = Array(text.utf8)
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
            starts.append(i + 1)
        }
        self.lineStarts = starts
    }

    /// One-based line and column (counted in characters, not bytes) of a UTF-8 offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        let (line, column) = localLocation(of: offset)
        return (line + linesBefore, column)
    }

    /// Line (within this text) and column of a UTF-8 offset.
    private func localLocation(of offset: Int) -> (line: Int, column: Int) {
        let offset = max(0, min(offset, bytes.count))
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        let prefix = String(decoding: bytes[start..<offset], as: UTF8.self)
        return (lo + 1, prefix.count + 1)
    }

    /// The offset at which the line holding `offset` starts.
    public func lineStart(containing offset: Int) -> Int {
        lineStarts[localLocation(of: offset).line - 1]
    }

    /// The text of the line holding `offset`, without its line break.
    public func lineText(containing offset: Int) -> String {
        let (line, _) = localLocation(of: offset)
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    /// The text covered by a range of offsets.
    public func slice(_ range: SourceRange) -> String {
        let lo = max(0, min(range.start, bytes.count))
        let hi = max(lo, min(range.end, bytes.count))
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }
}

/// A half-open range of UTF-8 offsets into a ``SourceFile``.
public struct SourceRange: Sendable, Hashable {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = max(start, end)
    }
    /// The smallest range covering both.
    public func to(_ other: SourceRange) -> SourceRange {
        SourceRange(min(start, other.start), max(end, other.end))
    }
}
