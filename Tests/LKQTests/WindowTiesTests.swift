import LKQ
import Testing

/// A window function that tells tied rows apart (`row_number`, `lag`, `lead`, `first`, `last`)
/// answers by their order, which LKQ defines (table order) and a database does not: LKQ warns
/// at the function when the rows it ran over tie.
@Suite struct WindowTiesTests {
    func warnings(_ query: String) throws -> [String] {
        try #require(try Engine().run(query).last).warnings.map(\.message)
    }

    @Test func tiedRowsAreWarnedOf() throws {
        // Every tahun has several indikator: lag over tahun alone meets ties.
        let w = try warnings("tren | extend lag(capaian) over (sort tahun) as sebelumnya")
        #expect(w.count == 1 && w[0].contains("rows tie on the window's sort keys, so lag() depends on their order"), "\(w)")
        #expect(try warnings("tren | extend row_number() over (sort tahun) as n").count == 1)
    }

    @Test func untiedOrTieSafeWindowsAreNot() throws {
        #expect(try warnings("tren | extend lag(capaian) over (by indikator sort tahun) as sebelumnya").isEmpty)
        // rank and aggregates give tied rows one answer.
        #expect(try warnings("tren | extend rank() over (sort tahun) as r, sum(capaian) over (sort tahun) as s").isEmpty)
    }
}
