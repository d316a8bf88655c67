#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CEditLine
import LKQ

/// The process's standard streams and what is known about them.
enum Console {
    static let stdinIsTerminal = isatty(STDIN_FILENO) == 1
    static let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1
    static let stderrIsTerminal = isatty(STDERR_FILENO) == 1

    /// `NO_COLOR` set to anything non-empty turns colour off everywhere (no-color.org).
    static let colorAllowed: Bool = {
        if let v = getenv("NO_COLOR"), v.pointee != 0 { return false }
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        return true
    }()

    /// Whether the terminal can show Unicode (rules, `…`, chart blocks): not when `TERM` is
    /// `dumb`, nor when the locale in force (`LC_ALL`, else `LC_CTYPE`, else `LANG`) is set to one
    /// that is not UTF-8 (`C`, `POSIX`, `id_ID.ISO-8859-1`). With none set, UTF-8 is assumed.
    static let unicode: Bool = {
        if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
        for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
            guard let v = getenv(name), v.pointee != 0 else { continue }
            let value = String(cString: v).lowercased()
            return value.contains("utf-8") || value.contains("utf8")
        }
        return true
    }()

    static var colorOut: Bool { colorAllowed && stdoutIsTerminal }
    static var colorErr: Bool { colorAllowed && stderrIsTerminal }

    /// The width to fit tables to: the terminal's, else `$COLUMNS`, else none.
    static func width() -> Int? {
        if stdoutIsTerminal {
            let w = Int(lkq_terminal_width(STDOUT_FILENO))
            if w > 0 { return w }
        }
        if let text = getenv("COLUMNS"), let w = Int(String(cString: text)), w > 0 { return w }
        return nil
    }

    static func out(_ text: String) {
        write(text, to: STDOUT_FILENO)
    }

    static func err(_ text: String) {
        write(text, to: STDERR_FILENO)
    }

    /// Writes everything, unbuffered, so stdout and stderr interleave in the order written.
    private static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    // A closed pipe (`lkq ... | head`) is the reader's choice, not an error to report.
                    return
                }
                offset += n
            }
        }
    }

    /// Reads a whole stream; nil if it cannot be read.
    static func readAll(fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return bytes }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// The contents of a file as text, or why it cannot be read.
    static func readFile(_ path: String) -> Result<String, FileProblem> {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return .failure(FileProblem(path: path, reason: String(cString: strerror(errno)))) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            return .failure(FileProblem(path: path, reason: "it is a directory"))
        }
        guard let bytes = readAll(fd: fd) else {
            return .failure(FileProblem(path: path, reason: String(cString: strerror(errno))))
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    struct FileProblem: Error {
        let path: String
        let reason: String
        var message: String { "cannot read '\(path)': \(reason)" }
    }

    /// Monotonic seconds, for `.timer`.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
