import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The optimised `lkq`, the one people run, named by `LKQ_RELEASE_BINARY`: `.ci/run` builds it
/// (`swift build -c release --product lkq`) and runs this suite. A debug build cannot show
/// what broke Ctrl-C before: cross-file inlining, which only the optimiser does.
enum ReleaseBinary {
    static let path = ProcessInfo.processInfo.environment["LKQ_RELEASE_BINARY"]
}

@Suite(.serialized, .enabled(if: ReleaseBinary.path != nil, "set LKQ_RELEASE_BINARY to a release build of lkq (.ci/run does)"))
struct ReleaseTests {
    let home = TempDir()

    /// 3,000,000 rows and 200,000 kode: grouping by kode and nilai makes 3,000,000 groups,
    /// which takes seconds even optimised.
    func start() throws -> Terminal {
        let file = home.path + "/besar.csv"
        writeBigCSV(rows: 3_000_000, to: file)
        let t = try Terminal(arguments: ["--data", file],
                             environment: ["HOME": home.path, "LKQ_HISTORY": home.path + "/history", "NO_COLOR": "1",
                                           "LKQ_CACHE_DIR": testCacheDirectory.path],
                             binary: ReleaseBinary.path!)
        #expect(t.waitFor("lkq> "), "no prompt: \(t.screen)")
        // Read the columns first, so what Ctrl-C stops is the query itself.
        t.type("besar where nilai > kode | count\r")
        #expect(t.waitFor("(1 row)", timeout: 60), "\(t.screen)")
        #expect(t.waitFor("lkq> "))
        return t
    }

    /// Types `query`, waits until the progress line shows it has run a second, presses Ctrl-C
    /// and returns the seconds until the shell says it stopped.
    func cancelLatency(_ t: Terminal, _ query: String) -> Double? {
        t.type(query + "\r")
        guard t.waitFor("running: ", timeout: 30) else { return nil }
        let pressed = Date()
        t.type("\u{03}", atPrompt: false)
        guard t.waitFor("query cancelled", timeout: 60) else { return nil }
        let latency = Date().timeIntervalSince(pressed)
        #expect(t.waitFor("lkq> "))
        // The session goes on, with nothing of the stopped query left.
        t.type("capaian | count\r")
        #expect(t.waitFor("(1 row)"), "\(t.screen)")
        return latency
    }

    /// The optimiser must not have given any file a copy of the SIGINT flag of its own.
    @Test func oneInterruptFlag() throws {
        let nm = try runProgram("/usr/bin/nm", [ReleaseBinary.path!])
        #expect(nm.stdout.split(separator: "\n").filter { $0.hasSuffix(" lkq_interrupted") }.count == 1)
    }

    /// A second where a tenth is the aim: room for a loaded machine, yet far below the
    /// seconds the query would go on for.
    static let margin = 1.0

    /// Each kode is in 15 rows: the join makes 45,000,000, for over ten seconds.
    @Test func ctrlCStopsALongJoinWithinASecond() throws {
        let t = try start()
        let latency = cancelLatency(t, "besar | join besar on kode | count")
        #expect(latency != nil, "\(t.screen)")
        // Pairing checks every 65,536 rows, and gathering the 45,000,000 output rows into
        // columns checks every million rows of each column.
        #expect((latency ?? 99) < Self.margin, "cancelled after \(latency ?? -1) s")
    }

    @Test func ctrlCStopsALongGroupByWithinASecond() throws {
        let t = try start()
        let latency = cancelLatency(t, "besar | group by kode, nilai count() as n, sum(nilai) as s, avg(nilai) as a | count")
        #expect(latency != nil, "\(t.screen)")
        // Hashing the keys, each aggregate, and gathering the group keys check as they go.
        #expect((latency ?? 99) < Self.margin, "cancelled after \(latency ?? -1) s")
    }
}
