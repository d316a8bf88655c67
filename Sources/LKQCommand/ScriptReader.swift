#if canImport(Glibc)
import Glibc
#endif
import LKQ

/// Reads a script a line at a time, so that statements run as they arrive: `yes 'capaian |
/// count' | lkq` prints a count per line instead of reading for ever first, and memory holds
/// one statement, not the whole input. Each line is checked to be UTF-8 and of a sane length
/// (`lkq /dev/zero` is one endless line: an error once it passes ``maxLineBytes``).
final class ScriptReader {
    /// What one call to ``next()`` got.
    enum Line {
        /// A line, without its line break.
        case text(String)
        /// The end of the input.
        case end
        /// A line that is not UTF-8 or is too long; nothing after it is read.
        case failed(LKQError)
        /// The input could not be read.
        case unreadable(String)
        /// This line is longer than ``maxLineBytes``; nothing after it is read.
        case tooLong(line: Int)
    }

    /// Longest line accepted: far beyond any statement written by hand or by a program (the
    /// limit tests run 10 MB statements), far below what would exhaust memory.
    static let maxLineBytes = 256 << 20

    let name: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    /// Where the unread part of `buffer` starts, and how far it is known to hold no newline.
    private var start = 0
    private var searched = 0
    private var atEnd = false
    private var chunk = [UInt8](repeating: 0, count: 1 << 16)
    /// Lines returned so far: the number of the last one.
    private(set) var lineNumber = 0

    /// Reads from `fd`; closes it at the end when `ownsDescriptor`.
    init(fd: Int32, name: String, ownsDescriptor: Bool) {
        self.fd = fd
        self.name = name
        self.ownsDescriptor = ownsDescriptor
    }

    deinit { if ownsDescriptor { close(fd) } }

    /// Opens a script file: a usage problem (missing, a folder) is found now, before anything
    /// runs.
    static func open(_ path: String) -> Result<ScriptReader, Console.FileProblem> {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Console.FileProblem(path: path, reason: String(cString: strerror(errno)))) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            return .failure(Console.FileProblem(path: path, reason: "it is a directory"))
        }
        return .success(ScriptReader(fd: fd, name: path, ownsDescriptor: true))
    }

    /// Whether the input is a regular file, which can be read twice: checked whole first, so
    /// that a script with a byte that is not UTF-8 runs not at all rather than in part.
    var isRegularFile: Bool {
        var info = stat()
        return fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Reads the whole (regular) file once, checking every line, then goes back to where it
    /// started; the first bad line's error, if any.
    func checkWhole() -> LKQError? {
        // Standard input redirected from a file may start past the file's beginning.
        let origin = lseek(fd, 0, SEEK_CUR)
        defer {
            lseek(fd, max(0, origin), SEEK_SET)
            buffer = []; start = 0; searched = 0; atEnd = false; lineNumber = 0
        }
        while true {
            switch next() {
            case .text: continue
            case .end, .unreadable, .tooLong: return nil
            case .failed(let error): return error
            }
        }
    }

    /// The next line.
    func next() -> Line {
        while true {
            let found = buffer.withUnsafeBufferPointer { b -> Int? in
                guard searched < b.count, let p = memchr(b.baseAddress! + searched, 10, b.count - searched) else { return nil }
                return UnsafePointer<UInt8>(p.assumingMemoryBound(to: UInt8.self)) - b.baseAddress!
            }
            if let newline = found {
                let line = Array(buffer[start..<newline])
                start = newline + 1
                searched = start
                return decoded(line)
            }
            searched = buffer.count
            if buffer.count - start > Self.maxLineBytes { return tooLong() }
            if atEnd {
                if start == buffer.count { return .end }
                let line = Array(buffer[start...])
                start = buffer.count
                searched = start
                return decoded(line)
            }
            // Drop what has been returned before reading more.
            if start > 0 && start >= buffer.count / 2 {
                buffer.removeSubrange(0..<start)
                searched -= start
                start = 0
            }
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return .unreadable(String(cString: strerror(errno)))
            }
            if n == 0 { atEnd = true } else { chunk.withUnsafeBufferPointer { buffer.append(contentsOf: $0[0..<n]) } }
        }
    }

    private func decoded(_ bytes: [UInt8]) -> Line {
        lineNumber += 1
        var bytes = bytes[...]
        if lineNumber == 1 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return .text(text) }
        // Rare: locate the bad byte with the library's decoder, on the line put at its place.
        do throws(LKQError) {
            _ = try ScriptText.decode([UInt8](repeating: 10, count: lineNumber - 1) + bytes, name: name)
            return .text(String(decoding: bytes, as: UTF8.self))
        } catch {
            return .failed(error)
        }
    }

    private func tooLong() -> Line {
        atEnd = true
        buffer = []; start = 0; searched = 0
        return .tooLong(line: lineNumber + 1)
    }
}

/// Follows a script line by line to tell where a statement may end: not while a quote or a
/// parenthesis is open or the last line ends with `|` (the rules of ``REPL/needsMore(_:)``,
/// kept as state so a long statement is not scanned again for each of its lines).
struct StatementScanner {
    private var depth = 0
    private var quote: Character?
    private var escaped = false
    private var last: Character?
    private var startedLine = false

    /// Whether the text so far is an unfinished statement.
    var needsMore: Bool { quote != nil || depth > 0 || last == "|" }

    mutating func reset() { self = StatementScanner() }

    /// Takes one more line (without its line break).
    mutating func feed(_ line: String) {
        // The break before this line: it ends a comment, an escape, and the line's last character.
        if startedLine { escaped = false; last = "\n" }
        startedLine = true
        for c in line {
            if let q = quote {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == q { quote = nil }
                last = c
                continue
            }
            switch c {
            case "\"", "'": quote = c
            case "#": return
            case "(": depth += 1
            case ")": depth -= 1
            default: break
            }
            if !c.isWhitespace { last = c }
        }
    }
}
