import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The shell as analysts use it: pastes of several lines, long statements typed over lines,
/// big results cut to the screen, the pager, a progress line on slow work, Ctrl-C while a
/// result prints, colours while typing; and dot-commands wherever statements go.
@Suite struct ShellTests {
    let home = TempDir()

    func start(_ arguments: [String] = [], _ extra: [String: String] = [:]) throws -> Terminal {
        var env = ["HOME": home.path, "LKQ_HISTORY": home.path + "/history", "NO_COLOR": "1",
                   "LKQ_CACHE_DIR": testCacheDirectory.path]
        for (k, v) in extra { env[k] = v }
        let t = try Terminal(arguments: arguments, environment: env)
        #expect(t.waitFor("lkq> "), "no prompt: \(t.screen)")
        return t
    }

    /// The README's serapan example, pasted whole with bracketed paste: one statement, one
    /// result, one history entry.
    static let serapan = """
        anggaran where level = "kegiatan"
                  | group by induk as program sum(pagu) as pagu, sum(realisasi) as realisasi,
                             round(sum(realisasi) * 100 / sum(pagu), 2) as serapan
                  | sort serapan
        """

    @Test func bracketedPasteOfSeveralLinesRunsAsOneStatement() throws {
        let t = try start()
        #expect(t.screen.contains("\u{1B}[?2004h"), "bracketed paste was not asked for: \(t.screen)")
        let pasted = Self.serapan.replacingOccurrences(of: "\n", with: "\r") + "\r"
        t.type("\u{1B}[200~" + pasted + "\u{1B}[201~")
        #expect(t.waitFor("2.13.04"), "\(t.screen)")
        #expect(t.waitFor("(4 rows)"), "\(t.screen)")
        #expect(t.waitFor("lkq> "))
        #expect(!t.screen.contains("error"), "\(t.screen)")
        // The whole statement is one history entry: Up brings all of it back, and it runs again.
        t.type("\u{1B}[A")
        #expect(t.waitFor("sort serapan"), "\(t.screen)")
        t.type("\r")
        #expect(t.waitFor("(4 rows)"), "\(t.screen)")
        // Part of a line pasted joins the line being typed, to be edited before Enter.
        #expect(t.waitFor("lkq> "))
        let mark = t.mark
        t.type("\u{1B}[200~capaian | select no\u{1B}[201~")
        t.type(", capaian | count\r")
        #expect(t.waitFor("(1 row)"), "\(t.screen)")
        #expect(!t.text(from: mark).contains("...> "), "\(t.text(from: mark))")
        t.type(".quit\r")
        #expect(t.exitStatus() == 0)
        let history = try String(contentsOfFile: home.path + "/history", encoding: .utf8)
        // Every entry of it (it ran twice) holds all four lines.
        let entries = history.split(separator: "\n").filter { $0.contains("anggaran") }
        #expect(!entries.isEmpty && entries.allSatisfy { $0.contains("sort\\040serapan") }, "\(history)")
    }

    /// A long paste into the Ctrl-R history search (each character searches the history and
    /// redraws the pattern in libedit) goes in only as far as a search can use: the shell is
    /// back at once. 100,000 characters took libedit about 35 s before.
    @Test func longPasteIntoHistorySearchDoesNotStallTheShell() throws {
        let t = try start()
        t.type("capaian | count\r")
        #expect(t.waitFor("(1 row)"), "\(t.screen)")
        #expect(t.waitFor("lkq> "))
        t.type("\u{12}")
        t.type("\u{1B}[200~capaian" + String(repeating: "x", count: 100_000) + "\u{1B}[201~", atPrompt: false)
        // Ctrl-E leaves the search (libedit runs it as a command), Ctrl-U empties the line.
        t.type("\u{05}\u{15}desa | count\r", atPrompt: false)
        #expect(t.waitFor("(1 row)", timeout: 10), "\(t.recent.suffix(500))")
    }

    /// A terminal without bracketed paste delivers the lines as if typed fast: a complete line
    /// followed by one starting with `|` still waits for it.
    @Test func pasteWithoutMarkersRunsAsOneStatement() throws {
        let t = try start()
        t.type("capaian\r| select no, capaian\r  | sort capaian desc\r| limit 2\r")
        #expect(t.waitFor("104"), "\(t.screen)")
        #expect(t.waitFor("(2 rows)"), "\(t.screen)")
        #expect(t.waitFor("lkq> "))
        #expect(!t.screen.contains("(9 rows)") && !t.screen.contains("error"), "\(t.screen)")
    }

    @Test func trailingCommaOperatorOrOpenQuoteAsksForMore() throws {
        let t = try start()
        t.type("capaian | select no,\r")
        #expect(t.waitFor("...> "), "\(t.screen)")
        t.type("capaian\r")
        #expect(t.waitFor("(9 rows)"), "\(t.screen)")
        t.type("capaian where sasaran = 2 and\r")
        #expect(t.waitFor("...> "), "\(t.screen)")
        t.type("< 75 | count\r")
        #expect(t.waitFor("2"), "\(t.screen)")
        #expect(t.waitFor("(1 row)"), "\(t.screen)")
        t.type("capaian where indikator ~ \"desa\r")
        #expect(t.waitFor("...> "), "\(t.screen)")
        t.type("\" | count\r")
        #expect(t.waitFor("(1 row)"), "\(t.screen)")
        // `;` ends a statement, finished or not: an unfinished one is an error at its place.
        t.type("capaian |\r")
        #expect(t.waitFor("...> "), "\(t.screen)")
        t.type(";\r")
        #expect(t.waitFor("error: expected a stage"), "\(t.screen)")
        #expect(t.waitFor("lkq> "))
    }

    @Test func bigResultsAreCutToMaxrowsAndLastShowsThemAll() throws {
        let t = try start()
        t.type("tren | select indikator, tahun, capaian\r")
        #expect(t.waitFor("(42 rows, 40 shown; .last shows them all"), "\(t.screen)")
        #expect(t.screen.contains("⋮"), "\(t.screen)")
        #expect(t.waitFor("lkq> "))
        t.type(".last\r")
        #expect(t.waitFor("(42 rows)\r"), "\(t.screen)")
        t.type(".maxrows 4\r")
        #expect(t.waitFor("lkq> "))
        let mark = t.mark
        t.type("tren | select indikator, tahun, capaian\r")
        #expect(t.waitFor("(42 rows, 4 shown;"), "\(t.screen)")
        // Header, rule, two rows, the gap, two rows, the footer.
        let shown = t.text(from: mark).split(whereSeparator: \.isNewline).drop { !$0.contains("indikator") || $0.contains("select") }
        #expect(shown.prefix(7).map { $0.contains("⋮") } == [false, false, false, false, true, false, false], "\(t.text(from: mark))")
        t.type(".maxrows off\r")
        #expect(t.waitFor("lkq> "))
        t.type(".maxrows\r")
        #expect(t.waitFor("off"))
        t.type("tren | count\r")
        #expect(t.waitFor("(1 row)"))
        t.type("tren\r")
        #expect(t.waitFor("(42 rows)\r"), "\(t.screen)")
        t.type(".maxrows lots\r")
        #expect(t.waitFor("use '.maxrows N'"), "\(t.screen)")
    }

    @Test func pagerShowsTheWholeResult() throws {
        let t = try start([], ["PAGER": "cat"])
        t.type(".pager on\r")
        #expect(t.waitFor("lkq> "))
        t.type("tren | select indikator, tahun\r")
        #expect(t.waitFor("(42 rows)\r"), "\(t.screen)")
        #expect(!t.screen.contains("shown;"))
        t.type(".pager\r")
        #expect(t.waitFor("on (cat)"), "\(t.screen)")
        t.type(".pager off\r")
        #expect(t.waitFor("lkq> "))
        t.type("tren\r")
        #expect(t.waitFor("40 shown;"), "\(t.screen)")
    }

    /// Large amounts get a note in words under the table; the cells keep every digit.
    @Test func largeNumbersReadAtAGlance() throws {
        let t = try start(["--locale", "id"])
        t.type("anggaran where level = \"program\" | sum pagu\r")
        #expect(t.waitFor("Rp9.051.591.780"), "\(t.screen)")
        #expect(t.waitFor("≈ sum_pagu hingga Rp9,05 miliar"), "\(t.screen)")
        let piped = try lkq(["--locale", "id", "--format", "table", "-e", "anggaran where level = \"program\" | sum pagu"])
        #expect(!piped.stdout.contains("miliar"), "\(piped.stdout)")
        t.type("capaian | count\r")
        #expect(t.waitFor("(1 row)"))
        #expect(!t.recent.contains("≈") && !t.recent.contains("juta"), "\(t.recent)")
    }

    @Test func ctrlCStopsAHugeResultPrinting() throws {
        let file = home.path + "/cetak.csv"
        writeBigCSV(rows: 200_000, to: file)
        let t = try start(["--data", file])
        t.type(".mode csv\r")
        #expect(t.waitFor("lkq> "))
        t.type("cetak | select kode, nilai\r")
        // Output is under way (the terminal reads only when the test waits, so it is far from done).
        #expect(t.waitFor("\n1000,", timeout: 60), "\(t.screen.suffix(2000))")
        t.type("\u{03}", atPrompt: false)
        #expect(t.waitFor("output stopped (Ctrl-C)", timeout: 30), "\(t.screen.suffix(2000))")
        #expect(t.waitFor("lkq> "))
        #expect(!t.screen.contains("\n199999,"), "everything was printed")
        t.type(".mode table\r")
        t.type("capaian | count\r")
        #expect(t.waitFor("(1 row)"), "\(t.screen.suffix(2000))")
    }

    /// Reading a big file takes seconds: the progress line shows on the terminal, and is
    /// erased before the result. In a pipe there is none.
    @Test func progressLineOnASlowLoad() throws {
        let file = home.path + "/lambat.csv"
        writeBigCSV(rows: 3_000_000, to: file)
        let t = try start(["--no-cache", "--data", file])
        t.type("lambat where nilai > kode | count\r")
        #expect(t.waitFor("running: lambat where nilai > kode | count — 1."), "\(t.screen)")
        // How far the reading of the 55 MB file has come, or that it is done.
        #expect(t.waitFor(" MB; Ctrl-C stops it"), "\(t.screen)")
        #expect(t.screen.contains(" of 55 MB") || t.screen.contains(", read 5"), "\(t.screen)")
        #expect(t.waitFor("\r\u{1B}[K"), "the line was not erased: \(t.screen)")
        #expect(t.waitFor("2,699,994", timeout: 120), "\(t.screen)")
        #expect(t.waitFor("(1 row)"), "\(t.screen)")
        let piped = try lkq(["--no-cache", "--data", file, "-e", "lambat where nilai > kode | count"], timeout: 60)
        #expect(piped.status == 0)
        #expect(piped.stderr == "", "\(piped.stderr)")
    }

    @Test func typedTextIsColouredOnAColourTerminal() throws {
        let t = try start([], ["NO_COLOR": ""])
        t.type("capaian where sasaran = 2 and indikator ~ \"desa\"")
        #expect(t.waitFor("\u{1B}[1;35mwhere\u{1B}[0m"), "\(t.screen)")
        #expect(t.waitFor("\u{1B}[36m2\u{1B}[0m"), "\(t.screen)")
        #expect(t.waitFor("\u{1B}[32m\"desa\"\u{1B}[0m"), "\(t.screen)")
        t.type("\r")
        #expect(t.waitFor("lkq> "))
        // An error before the end is underlined.
        t.type("capaian | limit lima | count")
        #expect(t.waitFor("\u{1B}[4;31mlima\u{1B}[0m"), "\(t.screen)")

        let plain = try start()
        plain.type("capaian where sasaran = 2\r")
        #expect(plain.waitFor("lkq> "))
        #expect(!plain.screen.contains("\u{1B}[1;35m"), "\(plain.screen)")
    }

    @Test func dotCommandsRunFromDashEAndScripts() throws {
        let schema = try lkq(["-e", ".schema capaian"])
        #expect(schema.status == 0, "\(schema.stderr)")
        #expect(schema.stdout.contains("sasaran,int,"), "\(schema.stdout)")
        #expect(schema.stdout.contains("default measure"))
        let tables = try lkq(["-e", ".tables", "-e", "capaian | count"])
        #expect(tables.stdout.hasPrefix("table,rows,source\n"), "\(tables.stdout)")
        #expect(tables.stdout.hasSuffix("count\n9\n"))
        let script = home.write("s.lkq", ".mode json\ncapaian | count\n.schema nothing\n")
        let run = try lkq([script])
        #expect(run.stdout == "[\n{\"count\":9}\n]\n", "\(run.stdout)")
        #expect(run.stderr.contains("s.lkq:3:1: error: unknown table 'nothing'"), "\(run.stderr)")
        #expect(run.status == 1)
    }

    /// The SIGINT flag is one variable in the whole program: a copy per file is what kept
    /// Ctrl-C from cancelling queries in the release build.
    @Test func oneInterruptFlag() throws {
        let nm = try runProgram("/usr/bin/nm", [Binary.path])
        #expect(nm.stdout.split(separator: "\n").filter { $0.hasSuffix(" lkq_interrupted") }.count == 1)
    }
}
