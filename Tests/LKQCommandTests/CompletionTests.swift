import Testing
@testable import LKQCommand
import LKQ

/// Tab completion, from the text before the cursor.
@Suite struct CompletionTests {
    let completer = Completer(
        tables: ["capaian": ["sasaran", "indikator", "target", "realisasi", "capaian"], "anggaran": ["kode", "pagu"]],
        lets: ["rendah": ["indikator", "selisih"]])

    func candidates(_ text: String) -> [String] { completer.complete(text).candidates }

    @Test func tablesAtStatementStart() {
        #expect(candidates("ca") == ["capaian"])
        #expect(candidates("") == ["anggaran", "audit", "capaian", "from", "let", "rendah"])
        #expect(candidates("capaian | count; ang") == ["anggaran"])
        #expect(candidates("let x = re") == ["rendah"])
        #expect(candidates("from an") == ["anggaran"])
        #expect(candidates("let ") == [])
    }

    @Test func columnsOfTheStatementsTable() {
        #expect(candidates("capaian where sa") == ["sasaran"])
        #expect(candidates("capaian | select ind") == ["indikator"])
        #expect(candidates("anggaran | sort pa") == ["pagu"])
        #expect(candidates("rendah | sort sel") == ["selisih"])
        #expect(candidates("capaian | group by sasaran av") == ["avg"])
        #expect(candidates("capaian | select realisasi - target as selisih | sort se") == ["selisih"])
        #expect(candidates("let x = capaian where tar") == ["target"])
        #expect(candidates("capaian |\nsort rea") == ["realisasi"])
    }

    @Test func stagesAfterPipeAndKeywords() {
        #expect(candidates("capaian | gr") == ["group"])
        #expect(candidates("capaian | group ") == ["by"])
        #expect(candidates("capaian wh") == ["where"])
        #expect(candidates("capaian where sasaran = 2 a") == ["and"])
        #expect(candidates("capaian | select ro") == ["round", "row_number"])
        #expect(candidates("capaian | b") == ["bar"])
        #expect(candidates("capaian | sp") == ["spark"])
        #expect(candidates("capaian | bar ind") == ["indikator"])
        #expect(candidates("capaian | bar indikator cap") == ["capaian"])
        #expect(candidates("capaian | spark capaian b") == ["by"])
        #expect(candidates("capaian | spark capaian by sa") == ["sasaran"])
    }

    @Test func joins() {
        #expect(candidates("capaian | jo") == ["join"])
        #expect(candidates("capaian | join an") == ["anggaran"])
        #expect(candidates("capaian | left j") == ["join"])
        #expect(candidates("capaian | join anggaran ") == ["on"])
        #expect(candidates("capaian | join anggaran on sas") == ["sasaran"])
    }

    @Test func nothingInsideStringsOrComments() {
        #expect(candidates("capaian where indikator ~ \"sa") == [])
        #expect(candidates("capaian # sa") == [])
        #expect(candidates("capaian where x = 1") == [])
    }

    @Test func dotCommands() {
        #expect(candidates(".sc") == [".schema"])
        #expect(candidates(".schema cap") == ["capaian"])
        #expect(candidates(".mode j") == ["json"])
        #expect(candidates(".timer o") == ["off", "on"])
        #expect(candidates(".lo") == [".load", ".locale"])
        #expect(candidates(".locale ") == ["en", "id"])
        #expect(candidates(".help gr") == ["group"])
    }

    @Test func pathsAfterReadAndLoad() throws {
        let dir = TempDir()
        dir.write("laporan.lkq", "")
        dir.write("data.csv", "a\n1\n")
        dir.write("catatan.txt", "")
        #expect(candidates(".read \(dir.path)/") == ["\(dir.path)/laporan.lkq"])
        #expect(candidates(".load \(dir.path)/") == ["\(dir.path)/data.csv"])
        let c = completer.complete(".read \(dir.path.dropLast(3))")
        #expect(c.candidates.contains { $0.hasSuffix("/") })
    }

    @Test func continuationNeedsMore() {
        #expect(REPL.needsMore("capaian |"))
        #expect(REPL.needsMore("capaian |  # lalu hitung"))
        #expect(REPL.needsMore("capaian where (sasaran = 1"))
        #expect(REPL.needsMore("capaian where indikator ~ \"desa"))
        #expect(!REPL.needsMore("capaian where indikator ~ \"a|\""))
        #expect(!REPL.needsMore("capaian | count"))
        #expect(!REPL.needsMore("capaian where x = 1)"))
        #expect(!REPL.needsMore("capaian # (|"))
    }
}

/// Every `.help` example must run on the built-in data.
@Suite struct HelpTests {
    @Test func languageExamplesRun() throws {
        for topic in Help.topics where !topic.example.hasPrefix(".") {
            var session = Engine().makeSession()
            #expect(throws: Never.self, "\(topic.name)") { _ = try session.run(topic.example, sourceName: "help") }
        }
    }

    /// Examples are written the way the printer writes statements, so help reads as one style;
    /// but the topic on numbers shows how they may be spelled (`1m`), which the printer does not keep.
    @Test func languageExamplesAreCanonical() throws {
        for topic in Help.topics where !topic.example.hasPrefix(".") && topic.name != "numbers" {
            #expect(try Engine.canonical(topic.example) == topic.example, "\(topic.name)")
        }
    }

    @Test func everyTopicAndAliasHasText() {
        for name in Help.topicNames + ["sum", "exit", ".tables"] {
            #expect(Help.topic(name) != nil, "\(name)")
        }
        #expect(Help.topic("nonsense") == nil)
    }
}
