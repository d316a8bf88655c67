import Foundation
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
/// through a temporary copy, and the file itself is rewritten cleanly (``compact(_:)``).
/// Entries are appended one at a time (``append(_:to:)``), never by rewriting the file.
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

    // MARK: Writing

    /// Appends one entry line (already in libedit's encoding, without its newline) to the
    /// history file, creating it (0600) with libedit's cookie if it is missing. Nothing is ever
    /// rewritten in place: a shell killed a moment after Enter loses at most the entry being
    /// written, and shells sharing the file add to it rather than overwrite each other's
    /// entries. Once the file passes ``maxBytes`` it is compacted to its newest entries through
    /// a temporary file and a rename. False when the file cannot be written or is not an lkq
    /// history (any more).
    static func append(_ line: [UInt8], to path: String) -> Bool {
        for _ in 0..<8 {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return false }
            defer { close(fd) }
            // Appends and compactions of every shell take turns.
            while flock(fd, LOCK_EX) != 0 { if errno != EINTR { return false } }
            var mine = stat(), named = stat()
            guard fstat(fd, &mine) == 0, mine.st_mode & S_IFMT == S_IFREG else { return false }
            // Another shell compacted the file while this one waited: write to the new one.
            guard stat(path, &named) == 0, named.st_ino == mine.st_ino, named.st_dev == mine.st_dev else { continue }
            if mine.st_size > 0 {
                let reader = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
                guard reader >= 0 else { return false }
                let head = readBytes(reader, at: 0, count: cookie.count)
                close(reader)
                guard head == cookie else { return false }
            }
            var bytes = mine.st_size == 0 ? cookie : []
            bytes += line
            bytes.append(10)
            guard writeAll(fd, bytes) else { return false }
            if Int(mine.st_size) + bytes.count > maxBytes { _ = compact(path) }
            return true
        }
        return false
    }

    /// Rewrites the history file with only what ``read(_:)`` keeps of it (its newest entries,
    /// without damaged lines): to a temporary file, flushed, then renamed over it. The caller
    /// holds the file's lock, or has just read it.
    @discardableResult
    static func compact(_ path: String) -> Bool {
        guard case .cleaned(var kept, _) = read(path) else { return false }
        // Keep half the limit, so that appends run for a while before the next compaction.
        if kept.count > maxBytes / 2 {
            var body = kept[(kept.count - maxBytes / 2)...]
            if let newline = body.firstIndex(of: 10) { body = body[(newline + 1)...] }
            kept = cookie + body
        }
        let temporary = path + ".tmp.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        let ok = writeAll(fd, kept) && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else { unlink(temporary); return false }
        let folder = (path as NSString).deletingLastPathComponent
        let dir = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { _ = fsync(dir); close(dir) }
        return true
    }

    /// Rewrites a history file that ``read(_:)`` found damaged or too big, under its lock.
    static func rewriteCleanly(_ path: String) {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 { if errno != EINTR { return } }
        compact(path)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
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
