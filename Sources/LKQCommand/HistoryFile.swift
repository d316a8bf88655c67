#if canImport(Glibc)
import Glibc
#endif

/// Looks at the history file before libedit reads it, so that a damaged, huge or foreign file
/// costs one warning and never a hang, a crash or someone else's file overwritten.
///
/// libedit's format is a `_HiStOrY_V2_` line, then one entry a line, encoded with `strvis`:
/// blanks, control characters and bytes that are not text in the locale are written as
/// escapes, so a line of libedit's own is printable UTF-8. A line that is not (binary garbage,
/// invalid UTF-8) or is absurdly long is damage and left out; what is left is handed to libedit
/// through a temporary copy, and the file itself is rewritten cleanly the next time history is
/// saved.
enum HistoryFile {
    /// What to do with the file.
    enum Reading: Equatable {
        /// Nothing there yet, or a clean file of reasonable size: libedit reads and writes it
        /// as it is.
        case asIs
        /// Load these bytes (the cookie and the entries kept) instead of the file; save to it.
        case cleaned([UInt8], warning: String?)
        /// Neither read nor write the file (with no warning for /dev/null, the usual way to
        /// keep no history).
        case refused(warning: String?)
    }

    static let cookie = Array("_HiStOrY_V2_\n".utf8)
    /// Bytes read from the end of a big file: the newest entries, far more than the
    /// `LineEditor.historySize` kept of ordinary length. A 50 MB file costs no more than this.
    static let maxBytes = 1 << 20
    /// Longest entry kept, as typed; an encoded line may be up to four times longer.
    static let maxEntryBytes = 64 << 10
    static let maxLineBytes = 4 * maxEntryBytes

    static func read(_ path: String) -> Reading {
        var info = stat()
        if stat(path, &info) != 0 {
            // Missing: the first session creates it. Anything else shows when saving.
            return .asIs
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            break
        case S_IFDIR:
            return .refused(warning: "history file '\(path)' is a folder; history will not be kept")
        default:
            // Reading /dev/zero never ends and opening a FIFO waits for a writer: only regular
            // files are read or written.
            var null = stat()
            if stat("/dev/null", &null) == 0 && info.st_rdev == null.st_rdev && info.st_mode & S_IFMT == S_IFCHR {
                return .refused(warning: nil)
            }
            return .refused(warning: "history file '\(path)' is not a regular file; history will not be kept")
        }
        if info.st_size == 0 { return .asIs }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            return .refused(warning: "cannot read history file '\(path)': \(String(cString: strerror(errno))); history will not be kept")
        }
        defer { close(fd) }
        let size = Int(info.st_size)
        let head = readBytes(fd, at: 0, count: min(size, cookie.count))
        guard head == cookie || (size == cookie.count - 1 && head == Array(cookie.dropLast())) else {
            return .refused(warning: "'\(path)' is not an lkq history file; it is left as it is and history will not be kept")
        }
        let start = max(cookie.count, size - maxBytes)
        var body = readBytes(fd, at: start, count: size - start)
        // Reading from the middle of the file: the first line is only the end of an entry.
        if start > cookie.count, let newline = body.firstIndex(of: 10) { body.removeSubrange(0...newline) }
        var kept = cookie
        var damaged = 0
        for line in body.split(separator: 10, omittingEmptySubsequences: true) {
            if isEntry(line) {
                kept.append(contentsOf: line)
                kept.append(10)
            } else {
                damaged += 1
            }
        }
        if damaged == 0 && start == cookie.count { return .asIs }
        let warning = damaged == 0 ? nil
            : "left out \(damaged) damaged line\(damaged == 1 ? "" : "s") of history file '\(path)'"
        return .cleaned(kept, warning: warning)
    }

    /// Whether a line is one libedit could have written: printable UTF-8 of a sane length.
    static func isEntry(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.count <= maxLineBytes else { return false }
        var ascii = true
        for byte in line {
            if byte < 0x20 || byte == 0x7F { return false }
            if byte >= 0x80 { ascii = false }
        }
        return ascii || String(validating: line, as: UTF8.self) != nil
    }

    private static func readBytes(_ fd: Int32, at offset: Int, count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        out.withUnsafeMutableBytes { raw in
            while got < count {
                let n = pread(fd, raw.baseAddress! + got, count - got, off_t(offset + got))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                got += n
            }
        }
        out.removeLast(count - got)
        return out
    }
}
