import Foundation
import Testing
@testable import LKQCommand
import LKQ

/// The registry (`Sources/LKQSyntax/Registry.swift`) is the one list of the language's words;
/// these tests fail when a place that shows or documents the words misses one: Tab completion,
/// `.help`, the grammar and the fuzz dictionary. (The grammar generator's vocabulary is checked
/// where it lives, in `GrammarRoundTripTests.generatorCoversTheGrammar`.)
@Suite struct RegistryConsumersTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let completer = Completer(tables: ["capaian": ["sasaran", "capaian"]], lets: [:])

    static func candidates(_ text: String) -> Set<String> { Set(completer.complete(text).candidates) }

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    /// Whether `word` stands in `text` as a word of its own, not inside a longer name.
    static func mentions(_ text: String, _ word: String) -> Bool {
        var rest = text[...]
        while let r = rest.range(of: word) {
            let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
            let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
            let isNamePart = { (c: Character?) in c.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false }
            if !isNamePart(before) && !isNamePart(after) { return true }
            rest = text[r.upperBound...]
        }
        return false
    }

    // MARK: Tab completion

    @Test func completionOffersEveryStageAndAggregateAfterAPipe() {
        let offered = Self.candidates("capaian | ")
        for name in Registry.stageNames { #expect(offered.contains(name), "'capaian | ' does not offer \(name)") }
    }

    @Test func completionOffersEveryFunctionInSelectAndExtend() {
        for stage in ["select", "extend"] {
            let offered = Self.candidates("capaian | \(stage) ")
            for name in Registry.functionNames { #expect(offered.contains(name), "'\(stage) ' does not offer \(name)") }
        }
        let inWhere = Self.candidates("capaian where ")
        for word in Registry.functions { #expect(inWhere.contains(word.name), "'where ' does not offer \(word.name)") }
    }

    /// A word of the language right before the cursor is not a finished operand: what follows
    /// it is offered (columns after `| median `, not nothing).
    @Test func completionAfterEveryStageAndKeywordOffersWhatFollows() {
        for name in Registry.aggregates.map(\.name) + ["distinct", "extend", "select", "sort", "bar", "spark"] {
            #expect(Self.candidates("capaian | \(name) ").contains("sasaran"), "'capaian | \(name) ' does not offer the columns")
        }
        for keyword in ["in (", "between", "not", "and", "or", "case when", "then", "else"] {
            #expect(Self.candidates("capaian where capaian \(keyword) ").contains("sasaran"), "'where capaian \(keyword) ' does not offer the columns")
        }
    }

    @Test func completionOffersEveryDotCommand() {
        let offered = Set(Self.completer.complete(".").candidates)
        for word in Registry.dotCommands { #expect(offered.contains(word.name), "'.' does not offer \(word.name)") }
    }

    // MARK: .help

    @Test func helpDocumentsEveryFunctionAggregateAndWindowFunction() {
        let texts = Help.topics.map { $0.summary + "\n" + $0.text + "\n" + $0.example }
        for word in Registry.functions + Registry.aggregates + Registry.windowFunctions {
            #expect(texts.contains { $0.contains(word.syntax) }, "no .help topic shows \(word.syntax)")
            #expect(Help.topic(word.name) != nil || texts.contains { Self.mentions($0, word.name) }, "\(word.name) has no .help topic")
        }
    }

    @Test func helpHasATopicForEveryStageStatementWordAndDotCommand() {
        for word in Registry.stages + Registry.statementWords + Registry.dotCommands {
            #expect(Help.topic(word.name) != nil, ".help \(word.name) finds no topic")
        }
    }

    @Test func helpMentionsEveryKeyword() {
        let texts = Help.topics.map { $0.summary + "\n" + $0.text + "\n" + $0.example }
        for keyword in Registry.keywords {
            #expect(Help.topic(keyword) != nil || texts.contains { Self.mentions($0, keyword) }, "no .help topic mentions \(keyword)")
        }
    }

    // MARK: The grammar and the fuzz dictionary

    @Test func grammarNamesEveryWord() throws {
        let grammar = try Self.read("Grammar/lkq.ebnf")
        for keyword in Registry.keywords {
            #expect(grammar.contains("\"\(keyword)\""), "Grammar/lkq.ebnf has no terminal \"\(keyword)\"")
        }
        for name in Registry.functionNames + Registry.stages.map(\.name) + Registry.statementWords.map(\.name) {
            #expect(Self.mentions(grammar, name), "Grammar/lkq.ebnf does not mention \(name)")
        }
    }

    @Test func fuzzDictionaryHoldsEveryWord() throws {
        let entries = Set(try Self.read("Fuzz/lkq.dict").split(separator: "\n").map(String.init))
        let words = Registry.keywords + Registry.functionNames + Registry.stageNames
            + Registry.statementWords.map(\.name) + Registry.dotCommands.map(\.name)
        for word in words { #expect(entries.contains("\"\(word)\""), "Fuzz/lkq.dict has no \"\(word)\"") }
        for name in Registry.functionNames { #expect(entries.contains("\"\(name)(\""), "Fuzz/lkq.dict has no \"\(name)(\"") }
    }
}
