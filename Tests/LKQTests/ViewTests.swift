import LKQ
import Testing

/// Views (the built-in `efisiensi`, or ``Engine/addingView(named:query:)``) follow the tables
/// they read: replacing one of them never leaves the view answering from the old rows.
@Suite struct ViewTests {
    /// The built-in `anggaran` with every realisasi halved (integer division), as a user's CSV
    /// of the same name would replace it.
    func halvedAnggaran(_ engine: Engine) throws -> Table {
        let rows = try #require(try engine.run("anggaran").last)
        let fields = try #require(engine.table(named: "anggaran")).fields
        let columns: [(String, Table.Values)] = fields.enumerated().map { i, f in
            let values = rows.rows.map { $0[i] }
            switch f.type {
            case .int:
                return (f.name, .int(values.map { v in
                    guard case .int(let x) = v else { return nil }
                    return f.name == "realisasi" ? x / 2 : x
                }))
            case .double:
                return (f.name, .double(values.map { v in if case .double(let x) = v { x } else { nil } }))
            case .text:
                return (f.name, .text(values.map { v in if case .text(let x) = v { x } else { nil } }))
            }
        }
        return try Table(name: "anggaran", columns: columns, origin: "test")
    }

    func column(_ engine: Engine, _ query: String) throws -> [Value] {
        try #require(try engine.run(query).last).rows.map { $0[0] }
    }

    @Test func efisiensiFollowsAReplacedAnggaran() throws {
        let builtin = Engine()
        let replaced = builtin.adding(try halvedAnggaran(builtin))
        let query = "efisiensi | select realisasi_anggaran | sort realisasi_anggaran desc | limit 3"
        let before = try column(builtin, query)
        let after = try column(replaced, query)
        #expect(before.count == 3 && after.count == 3)
        #expect(after == before.map { v in if case .int(let x) = v { .int(x / 2) } else { v } },
                "efisiensi still answers from the built-in anggaran: \(after)")
        // The same answer as the view's own query run over the new table.
        let direct = "kegiatan | join anggaran on kode | select anggaran_realisasi as r | sort r desc | limit 3"
        #expect(after == (try column(replaced, direct)))
        // The engine it was made from is untouched.
        #expect(try column(builtin, query) == before)
    }

    @Test func aViewThatNoLongerResolvesIsRemoved() throws {
        let kegiatan = try Table(name: "kegiatan", columns: [("kode", .text(["x"]))], origin: "test")
        let engine = Engine().adding(kegiatan)
        #expect(engine.table(named: "efisiensi") == nil)
        #expect(throws: LKQError.self) { try engine.run("efisiensi | count") }
    }

    @Test func aTableInAViewsPlaceEndsTheView() throws {
        let mine = try Table(name: "efisiensi", columns: [("n", .int([7]))], origin: "test")
        let engine = Engine().adding(mine)
        let later = engine.adding(try halvedAnggaran(engine))
        #expect(try column(later, "efisiensi | select n") == [.int(7)])
    }
}
