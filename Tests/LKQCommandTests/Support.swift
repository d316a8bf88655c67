import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where the built `lkq` is: beside the test bundle in the build products folder.
enum Binary {
    static let path: String = {
        if let path = ProcessInfo.processInfo.environment["LKQ_BINARY"] { return path }
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: me).deletingLastPathComponent()
        // On some platforms the test binary sits inside a .xctest bundle folder.
        while folder.path != "/" && !FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("lkq").path) {
            folder = folder.deletingLastPathComponent()
        }
        return folder.appendingPathComponent("lkq").path
    }()
}

/// Where every `lkq` started by the tests keeps its CSV cache.
let testCacheDirectory = TempDir()

/// A temporary folder, removed when the value is dropped.
final class TempDir: Sendable {
    let path: String
    init() {
        var template = Array((NSTemporaryDirectory() + "lkq-test-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) -> String {
        let file = path + "/" + name
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }
}

/// What a finished run of `lkq` printed and how it ended.
struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `lkq` with `arguments`, feeding `input` on stdin; killed after `timeout` seconds.
func lkq(_ arguments: [String], input: String = "", cwd: String? = nil, environment: [String: String] = [:],
         timeout: Double = 20) throws -> Run {
    try runProgram(Binary.path, arguments, input: input, cwd: cwd, environment: environment, timeout: timeout)
}

/// Runs any program as ``lkq(_:input:cwd:environment:timeout:)`` runs `lkq`.
func runProgram(_ path: String, _ arguments: [String], input: String = "", cwd: String? = nil,
                environment: [String: String] = [:], timeout: Double = 20) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    // CSV caches of test runs go to a folder of the tests' own, not the user's ~/.cache.
    env["LKQ_CACHE_DIR"] = testCacheDirectory.path
    for (k, v) in environment { env[k] = v }
    process.environment = env
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    let finished = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in finished.signal() }
    try process.run()

    // Drain both pipes while the child runs, so a large output cannot block it.
    final class Box: @unchecked Sendable { var out = Data(); var err = Data() }
    let box = Box()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) { box.out = stdout.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { box.err = stderr.fileHandleForReading.readDataToEndOfFile() }
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try? stdin.fileHandleForWriting.close()

    if finished.wait(timeout: .now() + timeout) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        finished.wait()
    }
    _ = group.wait(timeout: .now() + 5)
    return Run(status: process.terminationStatus,
               stdout: String(decoding: box.out, as: UTF8.self),
               stderr: String(decoding: box.err, as: UTF8.self))
}

/// `lkq` on a pseudo-terminal: type keys, wait for text on the screen, never hang.
final class Terminal {
    let pid: pid_t
    let master: Int32
    private var output: [UInt8] = []
    /// Bytes of output that earlier waits have matched and moved past.
    private var consumed = 0
    private var reaped = false

    init(arguments: [String] = [], environment: [String: String], binary: String = Binary.path) throws {
        var env = ["TERM": "xterm", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"]
        // Under `make sanitize` the sanitizer's settings (suppressions) reach this `lkq` too.
        for (k, v) in ProcessInfo.processInfo.environment where k.hasSuffix("SAN_OPTIONS") { env[k] = v }
        for (k, v) in environment { env[k] = v }
        // Build every C string before fork: the child may only call execve.
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var size = winsize(ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
        var fd: Int32 = -1
        let pid = forkpty(&fd, nil, nil, &size)
        if pid == 0 {
            // Start the way a shell would: no signals blocked (test threads block them).
            var none = sigset_t()
            sigemptyset(&none)
            sigprocmask(SIG_SETMASK, &none, nil)
            execve(binary, argv, envp)
            _exit(127)
        }
        guard pid > 0 else { throw POSIXError(.EAGAIN) }
        self.pid = pid
        self.master = fd
    }

    deinit {
        if !reaped {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }

    /// Sets the terminal's size, as a window being resized does; the kernel sends the program
    /// SIGWINCH.
    func resize(columns: UInt16, rows: UInt16 = 40) {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    }

    /// Everything the program has written, escape sequences and all.
    var screen: String { String(decoding: output, as: UTF8.self) }

    /// Everything shown since the last successful wait.
    var recent: String { String(decoding: output[consumed...], as: UTF8.self) }

    /// Types `keys` once the program is reading keys one by one. libedit prints its prompt
    /// before it leaves cooked mode, and a key typed in between would be taken by the
    /// terminal's line discipline (Ctrl-D as end of line, say) instead of the editor.
    /// With `atPrompt: false` the keys go at once, as when interrupting a running query.
    func type(_ keys: String, atPrompt: Bool = true) {
        type(bytes: Array(keys.utf8), atPrompt: atPrompt)
    }

    /// Types raw bytes, which need not be UTF-8 (a terminal set to Latin-1, say).
    func type(bytes: [UInt8], atPrompt: Bool = true) {
        let deadline = Date().addingTimeInterval(5)
        var mode = termios()
        while atPrompt && tcgetattr(master, &mode) == 0 && (mode.c_lflag & tcflag_t(ICANON)) != 0 && Date() < deadline {
            readSome(timeout: 0.01)
        }
        var bytes = bytes
        _ = bytes.withUnsafeMutableBytes { Glibc.write(master, $0.baseAddress, $0.count) }
    }

    /// Where the output ends now, to read what comes after it with ``text(from:)``.
    var mark: Int { output.count }

    /// The output from `mark` on, as far as it has been read.
    func text(from mark: Int) -> String { String(decoding: output[min(mark, output.count)...], as: UTF8.self) }

    /// Reads until `text` appears after what earlier waits consumed; false after `timeout`.
    @discardableResult
    func waitFor(_ text: String, timeout: Double = 10) -> Bool {
        let needle = Array(text.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = find(needle) {
                consumed = end
                return true
            }
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            readSome(timeout: min(left, 0.2))
        }
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard !needle.isEmpty, output.count - consumed >= needle.count else { return needle.isEmpty ? consumed : nil }
        for start in consumed...(output.count - needle.count) where output[start] == needle[0] {
            if output[start..<(start + needle.count)].elementsEqual(needle) { return start + needle.count }
        }
        return nil
    }

    private func readSome(timeout: Double) {
        var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&fds, 1, Int32(timeout * 1000)) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
        if n > 0 {
            output.append(contentsOf: buffer[0..<n])
        } else {
            // The child is gone (EIO on Linux); wait a little rather than spin.
            usleep(20_000)
        }
    }

    /// The exit status once the program ends by itself, or nil after `timeout`.
    func exitStatus(timeout: Double = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                reaped = true
                return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
            }
            readSome(timeout: 0.05)
        }
        return nil
    }
}

/// A CSV file of generated rows, `kode,nilai,teks`, big enough that reading and grouping it
/// takes seconds: the slow work Ctrl-C and the progress line are tested on, with no sleeps.
/// `kode` repeats every 200,000 rows; `nilai` is all but unique.
func writeBigCSV(rows: Int, to path: String) {
    guard let file = fopen(path, "w") else { return }
    defer { fclose(file) }
    let header = Array("kode,nilai,teks\n".utf8)
    fwrite(header, 1, header.count, file)
    // Written through a raw buffer: the tests are a debug build, where appending to an array
    // byte by byte would take longer than the work the file is for.
    let size = 1 << 20
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
    defer { buffer.deallocate() }
    var used = 0
    func number(_ value: Int) {
        var n = value, at = used + 20
        let end = at
        repeat { at -= 1; buffer[at] = UInt8(48 + n % 10); n /= 10 } while n > 0
        let digits = end - at
        for k in 0..<digits { buffer[used + k] = buffer[at + k] }
        used += digits
    }
    for i in 0..<rows {
        number(i % 200_000)
        buffer[used] = 44
        used += 1
        number((i &* 7919) % 1_000_003)
        buffer[used] = 44
        buffer[used + 1] = 116
        used += 2
        number(i % 997)
        buffer[used] = 10
        used += 1
        if used > size - 128 {
            fwrite(buffer, 1, used, file)
            used = 0
        }
    }
    fwrite(buffer, 1, used, file)
}
