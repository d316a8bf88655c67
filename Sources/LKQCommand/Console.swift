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

    /// Whether `TERM` names a terminal that understands escape sequences (not unset, not `dumb`).
    static let colorAllowedByTerminal: Bool = {
        guard let term = getenv("TERM") else { return false }
        let name = String(cString: term)
        return !name.isEmpty && name != "dumb"
    }()

    /// A terminal that shows colours: ANSI escape sequences understood, and colour not turned
    /// off by `NO_COLOR`.
    static var colorTerminal: Bool { colorAllowed && colorAllowedByTerminal }
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

    /// The width of the terminal on standard error, for the progress line.
    static func errWidth() -> Int? {
        let w = Int(lkq_terminal_width(STDERR_FILENO))
        return w > 0 ? w : nil
    }

    static func out(_ text: String) {
        if !write(text, to: STDOUT_FILENO) { outputFailed(errno) }
    }

    /// Messages: a failure to write one has nowhere left to be reported (the exit status still
    /// tells of any failure it was about).
    static func err(_ text: String) {
        _ = write(text, to: STDERR_FILENO)
    }

    /// Writes everything, unbuffered, so stdout and stderr interleave in the order written and
    /// no error hides in a buffer; false (with `errno` set) when the bytes could not be written.
    private static func write(_ text: String, to fd: Int32) -> Bool {
        var text = text
        return text.withUTF8 { write(UnsafeRawBufferPointer($0), to: fd) }
    }

    /// Bytes of output as they are, for results written in large pieces.
    static func out(bytes: UnsafeRawBufferPointer) {
        if !write(bytes, to: STDOUT_FILENO) { outputFailed(errno) }
    }

    private static func write(_ buffer: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                // A stream left non-blocking by whoever started us: wait until it takes more.
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, -1)
                    continue
                }
                return false
            }
            offset += n
        }
        return true
    }

    /// Ends the process after output could not be written. A reader that went away (`lkq ... |
    /// head -1`) is its own choice: lkq then ends quietly, by SIGPIPE as `cat` and `grep` do
    /// (status 141 in a shell). Anything else (a closed stdout, a full disk) is an error said
    /// on stderr, with exit status 1: results that were not written must not look delivered.
    static func outputFailed(_ code: Int32) -> Never {
        if code == EPIPE {
            signal(SIGPIPE, SIG_DFL)
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_UNBLOCK, &pipeSignal, nil)
            raise(SIGPIPE)
            _exit(128 + SIGPIPE)
        }
        let reason = code == EBADF ? "standard output is closed" : String(cString: strerror(code))
        err(Runner.errorLine("cannot write the results: \(reason)"))
        exit(ExitStatus.failed)
    }

    /// Called first thing. SIGPIPE gets its default action whatever the parent left (so `|
    /// head` ends lkq the same way every time), and a standard stream that is closed is held by
    /// /dev/null opened read-only: otherwise the next file opened (a CSV, a cache file being
    /// written) would become fd 1 and receive the results, while writes to it now fail with
    /// EBADF and are reported.
    static func prepareStandardStreams() {
        signal(SIGPIPE, SIG_DFL)
        for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] where fcntl(fd, F_GETFD) < 0 && errno == EBADF {
            let held = open("/dev/null", O_RDONLY)
            if held >= 0 && held != fd {
                dup2(held, fd)
                close(held)
            }
        }
    }

    /// Why a file could not be read.
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
