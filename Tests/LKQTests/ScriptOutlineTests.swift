import Testing
import LKQ

/// ScriptOutline: the parse-only view of a script the language server builds on.
@Suite struct ScriptOutlineTests {
    @Test func statementsBindingsAndSources() {
        let script = "let lemah = capaian where < 80\nlemah | count; audit"
        let outline = ScriptOutline(script)
        #expect(outline.errors.isEmpty)
        #expect(outline.statements.count == 3)
        let bytes = Array(script.utf8)
        func text(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
        #expect(outline.statements[0].binding == ScriptOutline.Name(name: "lemah", range: 4..<9))
        #expect(outline.statements[0].source?.name == "capaian")
        #expect(text(outline.statements[0].range) == "let lemah = capaian where < 80")
        #expect(outline.statements[1].binding == nil)
        #expect(outline.statements[1].source.map { text($0.range) } == "lemah")
        #expect(outline.statements[2].source == nil)
    }

    @Test func eachBrokenStatementHasItsErrorAndTheOthersStillParse() {
        let outline = ScriptOutline("capaian where sasaran = = 2\nanggaran | count\ndesa | sort", sourceName: "s.lkq")
        #expect(outline.statements.map { $0.source?.name } == ["anggaran"])
        #expect(outline.errors.count == 2)
        #expect(outline.errors.map(\.kind) == [.syntax, .syntax])
        #expect(outline.errors.map(\.line) == [1, 3])
        #expect(outline.errors[0].sourceName == "s.lkq")
    }

    @Test func namesAreLowerCasedWithTheirPlaceInUTF8() {
        // "# é\n" is 5 bytes, "Été" 5 bytes.
        let outline = ScriptOutline("# é\nLET Été = CAPAIAN")
        #expect(outline.statements.first?.binding == ScriptOutline.Name(name: "été", range: 9..<14))
        #expect(outline.statements.first?.source == ScriptOutline.Name(name: "capaian", range: 17..<24))
    }

    @Test func checkedOutlineKnowsTheColumnsOfEachLetAndReportsWhatCheckReports() {
        let script = "let lemah = capaian where < 80 | select no, capaian - target as selisih\nlemah where indikator ~ 'x'\nlet b = 5"
        let outline = ScriptOutline(script, sourceName: "s.lkq", checkingAgainst: Engine())
        #expect(outline.statements[0].columns?.map(\.name) == ["no", "selisih"])
        #expect(outline.statements[2].columns == nil)
        #expect(outline.errors.map { $0.rendered() } == Engine().makeSession().check(script, sourceName: "s.lkq").map { $0.rendered() })
        #expect(outline.errors.map(\.line) == [2])
    }
}
