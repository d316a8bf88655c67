import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The command under the faults of issue 14: data that must not be lost or replaced, inputs that
/// must not hang, history shared by shells.
@Suite struct FaultTests {
    /// Both `--data` files load; the built-in `capaian` does not answer for the first.
    @Test func everyDataOptionIsKept() throws {
        let dir = TempDir()
        let capaian = dir.write("capaian.csv", "no,capaian\n1,90\n2,80\n3,70\n")
        let anggaran = dir.write("anggaran.csv", "kode,pagu\na,100\nb,200\n")
        let run = try lkq(["--no-cache", "--data", capaian, "--data", anggaran,
                           "-e", "capaian | count", "-e", "anggaran | sum pagu"])
        #expect(run.stdout == "count\n3\n\nsum_pagu\n300\n", "\(run.stderr)")
        #expect(run.status == 0)
    }

    /// A `.load` that fails stops its script: the statements after it would read the built-in
    /// table of that name.
    @Test func failedLoadStopsTheScript() throws {
        let dir = TempDir()
        dir.write("laporan.lkq", "# data\n.load missing.csv as capaian\ncapaian | count\n")
        let run = try lkq(["laporan.lkq"], cwd: dir.path)
        #expect(run.status == 1)
        #expect(run.stdout == "")
        #expect(run.stderr.hasPrefix("laporan.lkq:2:1: error: no such file 'missing.csv'"), "\(run.stderr)")
    }

    /// The default cache folder is under `$HOME`, and one that is a symbolic link is refused
    /// with a warning rather than followed.
    @Test func defaultCacheIsUnderHomeAndNotFollowedThroughALink() throws {
        let home = TempDir(), elsewhere = TempDir()
        elsewhere.write("meta", "keep")
        try FileManager.default.createDirectory(atPath: home.path + "/.cache", withIntermediateDirectories: true)
        #expect(symlink(elsewhere.path, home.path + "/.cache/lkq") == 0)
        let csv = home.write("t.csv", "a\n1\n2\n")
        let run = try lkq(["--data", csv, "-e", "t | sum a"],
                          environment: ["HOME": home.path, "LKQ_CACHE_DIR": "", "XDG_CACHE_HOME": ""])
        #expect(run.stdout == "sum_a\n3\n")
        #expect(run.stderr.contains("warning: the cache folder '\(home.path)/.cache/lkq' is a symbolic link"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path) == ["meta"])
    }

    /// A FIFO given to `--data`, alone or among the CSV files of a folder, is an error at once.
    @Test func fifoDataIsRefusedAtOnce() throws {
        let dir = TempDir()
        dir.write("a.csv", "x\n1\n")
        #expect(mkfifo(dir.path + "/b.csv", 0o600) == 0)
        for data in [dir.path + "/b.csv", dir.path] {
            let run = try lkq(["--no-cache", "--data", data, "-e", "a | count"], timeout: 20)
            #expect(run.status == 1, "\(data): \(run.stderr)")
            #expect(run.stderr.contains("b.csv': it is a pipe (FIFO)"), "\(run.stderr)")
        }
    }

    /// Standard input runs statement by statement: a result is printed while the input is still
    /// open, not after it ends.
    @Test func standardInputStreams() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binary.path)
        process.environment = ["NO_COLOR": "1", "LKQ_CACHE_DIR": testCacheDirectory.path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { try? input.fileHandleForWriting.close(); process.waitUntilExit() }
        // Two statements: the first is complete once the second starts.
        input.fileHandleForWriting.write(Data("capaian | count\ndesa | count\n".utf8))
        let reader = output.fileHandleForReading.fileDescriptor
        var seen = ""
        let deadline = Date().addingTimeInterval(20)
        while !seen.contains("count\n9\n") && Date() < deadline {
            var ready = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 200) > 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            seen += String(decoding: buffer[0..<n], as: UTF8.self)
        }
        #expect(seen.hasPrefix("count\n9\n"), "nothing printed while the input was open: \(seen)")
    }

    /// An input that is one endless line ends with a located error, not exhausted memory.
    @Test func endlessLineIsAnError() throws {
        let run = try lkq(["/dev/zero"], timeout: 60)
        #expect(run.status == 1)
        #expect(run.stderr.hasPrefix("/dev/zero:1:1: error: line is longer than 256 MB"), "\(run.stderr)")
    }

    /// Scripts reading each other in a loop end at the limit on all reads, not after 2^16.
    @Test func readFanOutIsLimited() throws {
        let dir = TempDir()
        dir.write("a.lkq", ".read a.lkq\n.read a.lkq\n")
        let run = try lkq(["a.lkq"], cwd: dir.path, timeout: 60)
        #expect(run.status == 1)
        #expect(run.stderr.contains("more than 10000 '.read' commands in one run"), "\(run.stderr.suffix(300))")
        #expect(run.stderr.components(separatedBy: "more than 10000").count == 2)
    }

    /// Shells sharing a history file keep each other's entries: each statement is appended,
    /// never written over the others.
    @Test func shellsSharingHistoryKeepEveryEntry() throws {
        let home = TempDir()
        let env = ["HOME": home.path, "LKQ_HISTORY": home.path + "/history", "NO_COLOR": "1"]
        let a = try Terminal(environment: env), b = try Terminal(environment: env)
        #expect(a.waitFor("lkq> ") && b.waitFor("lkq> "))
        for (t, text) in [(a, "capaian | count"), (b, "desa | count"), (a, "tren | count")] {
            t.type(text + "\r")
            #expect(t.waitFor("(1 row)"), "\(t.screen)")
            #expect(t.waitFor("lkq> "))
        }
        a.type(".quit\r")
        b.type(".quit\r")
        #expect(a.exitStatus() == 0 && b.exitStatus() == 0)
        let file = try String(contentsOfFile: home.path + "/history", encoding: .utf8)
        let lines = file.split(separator: "\n")
        #expect(lines.first == "_HiStOrY_V2_")
        for entry in ["capaian\\040|\\040count", "desa\\040|\\040count", "tren\\040|\\040count"] {
            #expect(lines.contains(Substring(entry)), "\(entry) missing from \(file)")
        }
        var st = stat()
        stat(home.path + "/history", &st)
        #expect(st.st_mode & 0o777 == 0o600)
    }
}
