import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

/// One text spelled two ways, NFC ("é" as one code point) and NFD ("e" and a combining accent),
/// read from a CSV so the column's dictionary holds both byte strings. `=` finds them equal;
/// `group by` and `sort` must too (found by Tests/Differential).
@Suite struct TextEquivalence {
    let engine: Engine

    init() throws {
        let dir = makeTempDir()
        let path = writeFile(dir, "t.csv", "id,s\n1,\u{E9}\n2,e\u{301}\n3,\u{E9}\n4,a\n")
        engine = try Engine(tables: []).loadingCSV(at: path, options: opts())
    }

    func rows(_ query: String) throws -> [[Value]] {
        try engine.run(query).last!.rows
    }

    @Test func groupByPutsBothSpellingsInOneGroup() throws {
        #expect(try rows("t | group by s count()").map { $0[1] } == [.int(1), .int(3)])
    }

    @Test func sortTiesBothSpellingsSoLaterKeysDecide() throws {
        // By s, then id descending: the three é rows tie on s, so id orders them all.
        #expect(try rows("t | sort s, id desc | select id").map { $0[0] } == [.int(4), .int(3), .int(2), .int(1)])
    }

    @Test func equalityAgrees() throws {
        #expect(try rows("t where s = \"e\u{301}\" | count") == [[.int(3)]])
    }
}
