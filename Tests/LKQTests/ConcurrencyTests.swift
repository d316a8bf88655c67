import Foundation
import Testing
@testable import LKQ

/// One engine, many threads: the built-in tables and a lazily loaded CSV give every thread the
/// same answers as a single thread does.
@Suite struct ConcurrencyTests {
    @Test func engineIsSharedSafelyAcrossThreads() throws {
        let dir = makeTempDir()
        var csv = "pemda,pagu\n"
        for i in 0..<20_000 { csv += "p\(i % 37),\(i * 1000)\n" }
        let path = writeFile(dir, "realisasi.csv", csv)
        let options = CSVOptions(useCache: false)
        let engine = try Engine().loadingCSV(at: path, options: options)
        let queries = [
            "capaian where sasaran = 2 and < 75 | count",
            "anggaran where level = 'program' | sum pagu",
            "realisasi | group by pemda sum(pagu) as total | sort total desc | limit 3",
            "realisasi where pemda = 'p5' | count",
        ]
        let expected = try queries.map { try engine.run($0).last!.rows }
        let results = UnsafeSendable(UnsafeMutableBufferPointer<[[Value]]?>.allocate(capacity: 64))
        results.value.initialize(repeating: nil)
        defer { results.value.deallocate() }
        // A second engine over the same file, first touched by many threads at once.
        let fresh = try Engine().loadingCSV(at: path, options: options)
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let e = i % 2 == 0 ? engine : fresh
            results.value[i] = try? e.run(queries[i % queries.count]).last!.rows
        }
        for i in 0..<64 {
            #expect(results.value[i] == expected[i % queries.count], "thread \(i)")
        }
    }
}
