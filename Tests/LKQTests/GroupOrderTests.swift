import Foundation
import Testing
@testable import LKQ

/// A group by whose keys are text and integers with few combinations numbers every row's
/// combination at once, in key order (Evaluator.fusedGroups); any other group by numbers each
/// key, combines and sorts the groups. Both must give the same groups in the same order: text
/// equal as Unicode (NFC and NFD) one group, nulls last, negative integers before positive ones.
@Suite struct GroupOrderTests {
    static func makeFile(_ dir: String) throws -> String {
        var rng = SystemRandomNumberGenerator()
        let words = ["Kupang", "kupang", "Belu", "Sabu Raijua", "Ende", "-", "", "Rote", "Alor",
                     "Caf\u{E9}", "Cafe\u{301}", "\u{C9}tat", "zeta", "Zeta"]
        var text = "teks,n,x,tahun\n"
        for _ in 0..<20_000 {
            let teks = words.randomElement(using: &rng)!
            let n = Int.random(in: 0..<12, using: &rng) == 0 ? "" : String(Int.random(in: -40...40, using: &rng))
            let x = String(format: "%.2f", Double.random(in: -100...100, using: &rng))
            text += "\(teks),\(n),\(x),\(Int.random(in: 2019...2024, using: &rng))\n"
        }
        let path = dir + "/kelompok.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: [
        ("t | group by teks count() as c, sum(x) as s", "teks"),
        ("t | group by teks, n count() as c, sum(x) as s", "teks, n"),
        ("t | group by n, teks, tahun count() as c, min(x) as s", "n, teks, tahun"),
        ("t | group by tahun, n count() as c, max(x) as s", "tahun, n"),
    ])
    func sameGroupsInTheSameOrder(query: String, keys: String) throws {
        let dir = makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try Engine(tables: []).loadingCSV(at: try Self.makeFile(dir), as: "t",
                                                       options: CSVOptions(useCache: false))
        let fused = try #require(try engine.run(query).last)
        // A decimal key of one value adds nothing to the groups but takes the general way.
        let general = query.replacingOccurrences(of: "t | group by \(keys)", with: "t | extend 0.5 as satu | group by \(keys), satu")
        #expect(general != query)
        let other = try #require(try engine.run(general + " | select \(keys), c, s").last)
        #expect(fused.rowCount > 1)
        #expect(fused.fields.map(\.name) == other.fields.map(\.name))
        #expect(fused.rows == other.rows)
    }
}
