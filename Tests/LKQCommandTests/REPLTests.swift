import Foundation
import Testing

/// The interactive session on a real pseudo-terminal, typed at key by key.
@Suite struct REPLTests {
    let home = TempDir()

    func start(_ extra: [String: String] = [:]) throws -> Terminal {
        var env = ["HOME": home.path, "LKQ_HISTORY": home.path + "/history", "NO_COLOR": "1"]
        for (k, v) in extra { env[k] = v }
        let t = try Terminal(environment: env)
        #expect(t.waitFor("lkq> "), "no prompt: \(t.screen)")
        return t
    }

    @Test func queryPrintsTable() throws {
        let t = try start()
        t.type("capaian | count\r")
        #expect(t.waitFor("count"), "\(t.screen)")
        #expect(t.waitFor("9"))
        #expect(t.waitFor("(1 row)"))
        #expect(t.waitFor("lkq> "))
    }

    @Test func upArrowRecallsHistoryFromEarlierSession() throws {
        // A statement over two lines is one history entry.
        let first = try start()
        first.type("capaian |\r")
        #expect(first.waitFor("...> "))
        first.type("count\r")
        #expect(first.waitFor("lkq> "))
        first.type(".quit\r")
        #expect(first.exitStatus() == 0)

        let second = try start()
        second.type("\u{1B}[A")
        #expect(second.waitFor(".quit"), "\(second.screen)")
        second.type("\u{1B}[A")
        #expect(second.waitFor("capaian |"), "\(second.screen)")
        second.type("\r")
        #expect(second.waitFor("(1 row)"), "\(second.screen)")
    }

    @Test func tabCompletesDotCommandsAndColumns() throws {
        let t = try start()
        t.type(".tab\t")
        #expect(t.waitFor("les"), "\(t.screen)")
        t.type("\u{03}")
        #expect(t.waitFor("lkq> "), "\(t.screen)")
        // sasaran and sasaran_nama share "sasaran": Tab adds what they share.
        t.type("capaian where sasa\t")
        #expect(t.waitFor("ran"), "\(t.screen)")
        t.type(" = 2 and satu\t")
        #expect(t.waitFor("an "), "\(t.screen)")
        t.type("~ \"unit\" | count\r")
        #expect(t.waitFor("(1 row)"), "\(t.screen)")
        #expect(!t.screen.contains("error"))
        // Nothing left to add: Tab lists the candidates, in any case the user typed.
        t.type("CAPAIAN | select capaian_20\t")
        #expect(t.waitFor("capaian_2018"), "\(t.screen)")
        #expect(t.waitFor("capaian_2022"), "\(t.screen)")
    }

    @Test func ctrlCClearsTheLineAndTheSessionGoesOn() throws {
        let t = try start()
        t.type("capaian wher")
        #expect(t.waitFor("wher"))
        t.type("\u{03}")
        #expect(t.waitFor("lkq> "), "\(t.screen)")
        t.type("capaian | count\r")
        #expect(t.waitFor("(1 row)"), "\(t.screen)")
        #expect(!t.screen.contains("error"))
    }

    @Test func ctrlCCancelsARunningQuery() throws {
        // Big enough that loading and filtering it takes well over the moment before Ctrl-C.
        var csv = "id,nilai,teks\n"
        csv.reserveCapacity(30_000_000)
        for i in 0..<1_500_000 { csv += "\(i),\((i &* 7919) % 1_000_003),t\(i % 997)\n" }
        let file = home.write("besar.csv", csv)
        let t = try start()
        t.type(".load \(file) as besar\r")
        #expect(t.waitFor("lkq> "))
        t.type("besar where teks ~ \"9\" | select id * 2 + nilai as x | sort x desc | limit 1\r")
        #expect(t.waitFor("limit 1"))
        usleep(300_000)
        t.type("\u{03}", atPrompt: false)
        #expect(t.waitFor("query cancelled", timeout: 60), "\(t.screen)")
        #expect(t.waitFor("lkq> "))
        t.type("capaian | count\r")
        #expect(t.waitFor("(1 row)"), "\(t.screen)")
    }

    @Test func lineEndingInPipeContinues() throws {
        let t = try start()
        t.type("capaian |\r")
        #expect(t.waitFor("...> "), "\(t.screen)")
        t.type("count\r")
        #expect(t.waitFor("(1 row)"), "\(t.screen)")
        t.type("capaian where (sasaran = 1\r")
        #expect(t.waitFor("...> "), "\(t.screen)")
        t.type(") | count\r")
        #expect(t.waitFor("(1 row)"), "\(t.screen)")
    }

    @Test func errorShowsCaretAndSessionGoesOn() throws {
        let t = try start()
        t.type("capaian | limit lima\r")
        #expect(t.waitFor("<repl>:1:17: error:"), "\(t.screen)")
        #expect(t.waitFor("^^^^"))
        #expect(t.waitFor("lkq> "))
        t.type(".help sort\r")
        #expect(t.waitFor("sort key [asc|desc]"), "\(t.screen)")
    }

    @Test func chartsDrawOnTheTerminal() throws {
        let t = try start()
        t.type("tren | spark\r")
        #expect(t.waitFor("2018–2023"), "\(t.screen)")
        #expect(t.waitFor("██▅▁▃▁     2018 184.58  2023  98.40"), "\(t.screen)")
        #expect(t.waitFor("(9 rows)"), "\(t.screen)")
        #expect(t.waitFor("lkq> "))
        t.type("capaian | bar indikator capaian\r")
        #expect(t.waitFor("100    capaian"), "\(t.screen)")
        #expect(t.waitFor("┬"), "\(t.screen)")
        #expect(t.waitFor("█▍│      98.40"), "\(t.screen)")
        #expect(t.waitFor("▌    104.00"), "\(t.screen)")
        #expect(t.waitFor("(9 rows)"), "\(t.screen)")
        #expect(!t.screen.contains("error"))
    }

    @Test func localeSwitchesNumbers() throws {
        let t = try start()
        t.type(".locale id\r")
        #expect(t.waitFor("lkq> "))
        t.type("anggaran where level = \"program\" | sum pagu\r")
        #expect(t.waitFor("Rp9.051.591.780"), "\(t.screen)")
        t.type(".locale en\r")
        #expect(t.waitFor("lkq> "))
        t.type("anggaran where level = \"program\" | sum pagu\r")
        #expect(t.waitFor("9,051,591,780"), "\(t.screen)")
    }

    @Test func ctrlDLeavesWithStatusZero() throws {
        let t = try start()
        t.type("\u{04}")
        #expect(t.exitStatus() == 0, "\(t.screen)")
    }

    @Test func unwritableHistoryWarnsOnce() throws {
        let t = try start(["LKQ_HISTORY": home.path + "/no/such/folder/history"])
        t.type(".mode csv\r")
        #expect(t.waitFor("cannot save history"), "\(t.screen)")
        t.type(".mode table\r")
        #expect(t.waitFor("lkq> "))
        t.type(".quit\r")
        #expect(t.exitStatus() == 0)
        #expect(t.screen.components(separatedBy: "cannot save history").count == 2)
    }

    @Test func dotCommandsDescribeTables() throws {
        let t = try start()
        t.type(".tables\r")
        #expect(t.waitFor("capaian"), "\(t.screen)")
        #expect(t.waitFor("lkq> "))
        t.type(".schema capaian\r")
        #expect(t.waitFor("default measure"), "\(t.screen)")
        t.type(".bogus\r")
        #expect(t.waitFor("unknown command '.bogus'"))
    }
}
