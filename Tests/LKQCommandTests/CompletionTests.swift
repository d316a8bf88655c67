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

    /// The library decides where a statement ends, from its own parser.
    @Test(arguments: [
        "capaian |", "capaian |  # lalu hitung", "capaian where (sasaran = 1", "capaian where indikator ~ \"desa",
        "capaian | select no,", "capaian where sasaran = 2 and", "capaian where sasaran = 2 or", "capaian where capaian >",
        "capaian | select target *", "capaian | select round(capaian,", "let rendah =", "capaian where", "capaian |\n\n",
        "anggaran where level = \"kegiatan\"\n  | group by induk as program sum(pagu) as pagu,",
        "anggaran | group by case when persen >= 90 then \"a\"", "capaian where capaian between 50 and",
        "capaian where sasaran in (1,",
    ])
    func incompleteText(_ text: String) {
        #expect(!StatementText.isComplete(text))
    }

    @Test(arguments: [
        "capaian where indikator ~ \"a|\"", "capaian | count", "capaian where x = 1)", "capaian # (|",
        "capaian | limit lima", "capaian |;", "", "capaian | count; desa | count", "capaian |\n| count",
        "capaian | select no,\n indikator", "capaian where sasaran = 2 and < 75",
        "anggaran | group by case when persen >= 90 then \"a\" else \"b\" end as k count()",
        "capaian where capaian between 50 and 75", "capaian where sasaran in (1, 2)",
    ])
    func completeText(_ text: String) {
        #expect(StatementText.isComplete(text))
    }

    @Test func spansNameWhatIsTyped() {
        let text = "capaian where sasaran = 2 and indikator ~ \"desa\" | limit x"
        let spans = StatementText.spans(text)
        let bytes = Array(text.utf8)
        func word(_ s: StatementText.Span) -> String { String(decoding: bytes[s.range], as: UTF8.self) }
        #expect(spans.filter { $0.role == .keyword }.map(word) == ["where", "and", "limit"])
        #expect(spans.filter { $0.role == .number }.map(word) == ["2"])
        #expect(spans.filter { $0.role == .string }.map(word) == ["\"desa\""])
        #expect(spans.filter { $0.role == .name }.map(word) == ["capaian", "sasaran", "indikator"])
        #expect(spans.filter { $0.role == .error }.map(word) == ["x"])
        #expect(!StatementText.spans("capaian |").contains { $0.role == .error })
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
