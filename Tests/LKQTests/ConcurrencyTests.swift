import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

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
        defer { _ = results.value.deinitialize(); results.value.deallocate() }
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

    /// Scripts for ``thousandConcurrentScriptsMatchOneByOne()``: each runs in a session of its
    /// own. Several bind the same `let` name to different tables, which must not meet.
    static let scripts = [
        "capaian where sasaran = 2 and < 75 | select no, indikator, capaian",
        "anggaran where level = 'kegiatan' | group by induk as program sum(pagu) as pagu, sum(realisasi) as realisasi, round(sum(realisasi) * 100 / sum(pagu), 2) as serapan | sort serapan",
        "desa | sort jumlah desc, kabupaten | limit 5",
        "tren | group by tahun count() as n, avg(capaian) as rata, min(capaian), max(capaian) | sort tahun",
        "anggaran where level = 'subkegiatan' and realisasi * 2 < pagu | sort persen | limit 3",
        "let t = capaian where < 80\nt | select no, capaian_2022, capaian, capaian - capaian_2022 as selisih | sort selisih",
        "let t = anggaran where level = 'program'\nt | sum pagu\nt | count",
        "let t = desa where kelurahan > 10\nlet u = t | group by kecamatan as kec count() as n\nu | sort n desc, kec",
        "belanja | group by kelompok sum(pagu) as pagu | sort pagu desc",
        "kegiatan where indikator ~ 'desa' | select program, no, capaian | sort capaian desc, no",
        "realisasi | group by pemda sum(pagu) as total, count() as n | sort total desc | limit 4",
        "realisasi where pagu > 10000000 | count",
        "realisasi | avg pagu",
        // Errors of each kind, with a good statement after them that must still run.
        "capaian where sasran = 2\ncapaian | count",
        "capaian where indikator > 5",
        "capaian | filter sasaran = 1",
        "capaian where sasaran @ 1",
        "let t = kegiatan\nt | sum indikator",
        "capaian | select sum(pagu)",
        "capaan | count",
        "anggaran | sum pagu * 9223372036854775807",
    ]

    /// Over a table big enough for the multi-core paths: slow in a debug build, so run 8 times
    /// among the 1,000 rather than once in every ``scripts``-many.
    static let heavyScript = "besar where v < 1000 | group by k sum(v) as s, count() as n | sort s desc | limit 3"

    /// Everything a script gives, statement by statement, in a form that compares exactly.
    static func outcome(of script: String, on engine: Engine) -> String {
        var session = engine.makeSession()
        var lines: [String] = []
        let csv = ResultFormatter(format: .csv)
        session.execute(script) { outcome in
            switch outcome {
            case .result(let result):
                lines.append(result.fields.map { "\($0.name):\($0.type)" }.joined(separator: ","))
                lines.append(csv.render(result))
            case .bound(let name):
                lines.append("let \(name)")
            case .failed(let error):
                lines.append("error \(error.kind) \(error.line ?? 0):\(error.column ?? 0) \(error.message)")
            }
            return true
        }
        return lines.joined(separator: "\n")
    }

    /// An engine over the built-in data, a CSV read on first use, and an in-memory table big
    /// enough for the multi-core paths, so that concurrent queries also meet lazy loading and
    /// work split across cores.
    static func engine(csv path: String) throws -> Engine {
        let n = Parallel.threshold + 1_000
        let big = try Table(name: "besar", columns: [
            ("k", .int((0..<n).map { Int64($0 % 101) })),
            ("v", .double((0..<n).map { $0 % 13 == 0 ? nil : Double($0 % 5_000) / 4 })),
        ])
        return try Engine().adding(big).loadingCSV(at: path, options: CSVOptions(useCache: false))
    }

    /// 1,000 scripts on one engine from a task group give exactly what they give one by one.
    @Test func thousandConcurrentScriptsMatchOneByOne() async throws {
        let dir = makeTempDir()
        var csv = "pemda,pagu\n"
        for i in 0..<20_000 { csv += "p\(i % 37),\(i * 1000)\n" }
        let path = writeFile(dir, "realisasi.csv", csv)
        let runs = 1_000
        let jobs = (0..<runs).map { $0 % 125 == 124 ? Self.heavyScript : Self.scripts[$0 % Self.scripts.count] }
        let serialEngine = try Self.engine(csv: path)
        var expected: [String: String] = [:]
        for script in jobs where expected[script] == nil { expected[script] = Self.outcome(of: script, on: serialEngine) }
        // Both kinds of outcome occur, so the comparison covers errors as well as results.
        #expect(expected.values.filter { $0.contains("error ") }.count >= 7)
        #expect(expected.values.filter { !$0.hasPrefix("error ") }.count >= 15)

        // A fresh engine, so that the CSV is first read by concurrent queries.
        let shared = try Self.engine(csv: path)
        let got = await withTaskGroup(of: (Int, String).self) { group in
            for i in 0..<runs {
                group.addTask { (i, Self.outcome(of: jobs[i], on: shared)) }
            }
            var got = [String?](repeating: nil, count: runs)
            for await (i, text) in group { got[i] = text }
            return got
        }
        for i in 0..<runs {
            #expect(got[i] == expected[jobs[i]], "run \(i): \(jobs[i])")
        }
    }

    /// `Parallel.map` keeps no slice result once it returns (it used to leak every one of them).
    @Test func parallelMapReleasesSliceResults() {
        final class Slice: Sendable {}
        struct Weak { weak var slice: Slice? }
        var weak: [Weak] = []
        do {
            let slices = Parallel.map(Parallel.threshold) { _ in Slice() }
            #expect(slices.count == Parallel.cores)
            weak = slices.map { Weak(slice: $0) }
        }
        #expect(weak.allSatisfy { $0.slice == nil })
    }
}
