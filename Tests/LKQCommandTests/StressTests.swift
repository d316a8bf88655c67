import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Runs a bash script with `$LKQ` set to the built binary (for pipes and redirections that
/// only a shell sets up).
func shell(_ script: String, cwd: String? = nil) throws -> Run {
    try runProgram("/bin/bash", ["-c", script], cwd: cwd, environment: ["LKQ": Binary.path])
}

/// The command where its input is not UTF-8 and where its output goes nowhere.
@Suite struct StressTests {
    static let latin1Script: [UInt8] = Array("capaian | count\ncapaian where indikator ~ \"caf".utf8) + [0xE9] + Array("\" | count\n".utf8)

    /// A script that is not UTF-8 runs not even its good statements: nothing runs half-decoded.
    @Test func scriptThatIsNotUTF8RunsNothing() throws {
        let dir = TempDir()
        dir.write("bad.lkq", bytes: Self.latin1Script)
        let run = try lkq(["bad.lkq"], cwd: dir.path)
        #expect(run.status == 1)
        #expect(run.stdout == "")
        #expect(run.stderr.hasPrefix("bad.lkq:2:31: error: not valid UTF-8 here"), "\(run.stderr)")
        #expect(run.stderr.contains("\n    capaian where indikator ~ \"caf�\" | count\n                                  ^\n"), "\(run.stderr)")
        // Any other script on the same command line does not run either.
        dir.write("good.lkq", "desa | count\n")
        let both = try lkq(["good.lkq", "bad.lkq"], cwd: dir.path)
        #expect(both.stdout == "")
        #expect(both.status == 1)
    }

    @Test func standardInputThatIsNotUTF8RunsNothing() throws {
        let dir = TempDir()
        dir.write("bad.lkq", bytes: Self.latin1Script)
        let run = try shell(#""$LKQ" < bad.lkq; echo "status=$?""#, cwd: dir.path)
        #expect(run.stdout == "status=1\n")
        #expect(run.stderr.hasPrefix("<stdin>:2:31: error: not valid UTF-8 here"), "\(run.stderr)")
        let dash = try shell(#""$LKQ" -e 'desa | count' - < bad.lkq; echo "status=$?""#, cwd: dir.path)
        #expect(dash.stdout == "status=1\n")
        #expect(dash.stderr.hasPrefix("<stdin>:2:31:"), "\(dash.stderr)")
    }

    @Test func commandLineTextThatIsNotUTF8IsLocated() throws {
        let run = try shell(#"q=$(printf 'capaian where indikator ~ "caf\351"'); "$LKQ" -e "$q"; echo "status=$?""#)
        #expect(run.stdout == "status=1\n")
        #expect(run.stderr.hasPrefix("-e:1:31: error: not valid UTF-8 here"), "\(run.stderr)")
    }

    /// `.read` of such a file fails at its place; the statements around it still run.
    @Test func readingAFileThatIsNotUTF8FailsAlone() throws {
        let dir = TempDir()
        dir.write("bad.lkq", bytes: Self.latin1Script)
        dir.write("outer.lkq", "capaian | count\n.read bad.lkq\ndesa | count\n")
        let run = try lkq(["outer.lkq"], cwd: dir.path)
        #expect(run.stdout == "count\n9\ncount\n22\n", "\(run.stdout)")
        #expect(run.stderr.hasPrefix("bad.lkq:2:31: error: not valid UTF-8 here"), "\(run.stderr)")
        #expect(run.status == 1)
    }

    /// A script saved by Notepad starts with a byte order mark; it is not part of the text.
    @Test func byteOrderMarkBeforeAScriptIsSkipped() throws {
        let dir = TempDir()
        dir.write("bom.lkq", bytes: [0xEF, 0xBB, 0xBF] + Array("capaian | count\ncapaian | limit lima\n".utf8))
        let run = try lkq(["bom.lkq"], cwd: dir.path)
        #expect(run.stdout == "count\n9\n")
        #expect(run.stderr.hasPrefix("bom.lkq:2:17: error:"), "\(run.stderr)")
    }

    static func bigTable(_ dir: TempDir) {
        var csv = "id,teks\n"
        for i in 0..<100_000 { csv += "\(i),baris nomor \(i) dari laporan\n" }
        dir.write("besar.csv", csv)
    }

    /// `lkq ... | head -1`: lkq ends at once and says nothing, killed by SIGPIPE as `cat`
    /// is (status 141), even when its parent left SIGPIPE ignored.
    @Test(arguments: ["", "trap '' PIPE; "])
    func readerThatGoesAwayEndsItQuietly(_ prelude: String) throws {
        let dir = TempDir()
        Self.bigTable(dir)
        let run = try shell(prelude + #""$LKQ" --no-cache --data . -e 'besar' -e 'besar' | head -1; echo "lkq=${PIPESTATUS[0]}""#,
                            cwd: dir.path)
        #expect(run.stdout == "id,teks\nlkq=141\n", "\(run.stdout)")
        #expect(run.stderr == "")
    }

    /// Results that could not be written are an error, never a silent success.
    @Test(arguments: [(">&-", "standard output is closed"), ("> /dev/full", "No space left on device")])
    func outputThatCannotBeWrittenIsAnError(_ redirect: String, _ reason: String) throws {
        let run = try shell(#""$LKQ" -e 'capaian | count' "# + redirect + #"; echo "lkq=$?""#)
        #expect(run.stdout == "lkq=1\n")
        #expect(run.stderr == "lkq: error: cannot write the results: \(reason)\n")
        // With nothing to write there is nothing to report.
        let quiet = try shell(#""$LKQ" -e 'let x = capaian' "# + redirect + #"; echo "lkq=$?""#)
        #expect(quiet.stdout == "lkq=0\n")
        #expect(quiet.stderr == "")
    }
}
