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
        // Sasaran 1's best capaian, 104, is one row: its ties at 100 do not change first().
        #expect(try warnings("capaian | select first(no) over (by sasaran sort capaian desc) as terbaik").isEmpty)
        // last() of the sort key itself is the same whichever tied row comes last.
        #expect(try warnings("capaian | select last(capaian) over (by sasaran sort capaian) as c").isEmpty)
    }

    @Test func lastOfAnotherColumnOverTiesIsWarnedOf() throws {
        // Indicators 4 and 5 both reach 100: which no comes last among them is table order.
        let w = try warnings("capaian | select last(no) over (by sasaran sort capaian) as n")
        #expect(w.count == 1 && w[0].contains("last()"), "\(w)")
    }
}
