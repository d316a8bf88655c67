import Foundation
import Testing
@testable import LKQ

/// A CSV file and its own cache folder.
struct CacheFixture {
    let dir: String
    let cache: String
    let path: String

    init(_ text: String = "a,b,c\n1,x,2.5\n2,y,\n3,x,4\n") {
        dir = makeTempDir()
        cache = dir + "/cache"
        path = writeFile(dir, "data.csv", text)
    }

    func options(skip: Bool = false, locale: CSVOptions.Locale = .auto, onWarning: (@Sendable (LKQError) -> Void)? = nil) -> CSVOptions {
        CSVOptions(locale: locale, skipBadRows: skip, useCache: true, cacheDirectory: cache, onWarning: onWarning)
    }

    func source(_ o: CSVOptions? = nil) throws -> CSVSource { try CSVSource(path: path, options: o ?? options()) }

    var folder: String { CSVCache.folder(forSource: CSVCache.absolutePath(path), in: cache) }

    func mtime() -> timespec {
        var st = stat()
        stat(path, &st)
        return st.st_mtim
    }

    func setMtime(_ t: timespec) {
        var times = [t, t]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }

    /// Rewrites the file, keeping or not its modification time.
    func rewrite(_ text: String, keepMtime: Bool) {
        let old = mtime()
        _ = writeFile(dir, "data.csv", text)
        if keepMtime { setMtime(old) }
    }
}

func allValues(_ r: (count: Int, columns: [Int: Column])) -> [[Value]] {
    r.columns.keys.sorted().map { values(r.columns[$0]!) }
}

@Suite struct CacheTests {
    @Test func secondOpenIsServedFromCache() throws {
        let f = CacheFixture()
        let first = try f.source()
        #expect(!first.openedFromCache)
        let cold = try first.load([0, 1, 2])
        #expect(first.scans == 1)
        let second = try f.source()
        #expect(second.openedFromCache)
        let warm = try second.load([0, 1, 2])
        #expect(second.scans == 0)
        #expect(warm.count == 3)
        #expect(allValues(warm) == allValues(cold))
        #expect(values(warm.columns[2]!) == [.double(2.5), .null, .double(4)])
        // Counting needs nothing at all.
        let third = try f.source()
        #expect(try third.load([]).count == 3)
        #expect(third.scans == 0)
    }

    @Test func rowCountAloneIsCached() throws {
        let f = CacheFixture()
        let first = try f.source()
        #expect(try first.load([]).count == 3)
        #expect(first.scans == 1)
        let second = try f.source()
        #expect(second.openedFromCache)
        #expect(try second.load([]).count == 3)
        #expect(second.scans == 0)
    }

    @Test func columnsAreAddedAsQueriesNeedThem() throws {
        let f = CacheFixture()
        _ = try f.source().load([1])
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: f.folder))
        #expect(names == ["meta", "c1", "x-schema.json"])
        let s = try f.source()
        #expect(s.openedFromCache)
        #expect(values(try s.load([1]).columns[1]!) == [.text("x"), .text("y"), .text("x")])
        #expect(s.scans == 0)
        _ = try s.load([0])
        #expect(s.scans == 1)
        let s2 = try f.source()
        _ = try s2.load([0, 1])
        #expect(s2.scans == 0)
    }

    @Test func widenedTypesAreRemembered() throws {
        var text = "a\n"
        for i in 0..<30_000 { text += "\(i)\n" }
        text += "1e999\n"
        let f = CacheFixture(text)
        let s = try f.source()
        #expect(s.schema.types == [.int])
        #expect(try s.load([0]).columns[0]!.type == .text)
        let s2 = try f.source()
        #expect(s2.schema.types == [.text])
        #expect(try s2.load([0]).columns[0]!.value(at: 30_000) == .text("1e999"))
        #expect(s2.scans == 0)
    }

    @Test func contentChangeWithSameSizeAndMtime() throws {
        let f = CacheFixture()
        _ = try f.source().load([0])
        f.rewrite("a,b,c\n7,x,2.5\n2,y,\n3,x,4\n", keepMtime: true)
        let s = try f.source()
        #expect(!s.openedFromCache)
        #expect(values(try s.load([0]).columns[0]!) == [.int(7), .int(2), .int(3)])
        #expect(s.scans == 1)
    }

    @Test func sizeChange() throws {
        let f = CacheFixture()
        _ = try f.source().load([0])
        f.rewrite("a,b,c\n1,x,2.5\n2,y,\n3,x,4\n4,z,1\n", keepMtime: true)
        let s = try f.source()
        #expect(!s.openedFromCache)
        #expect(try s.load([0]).count == 4)
    }

    @Test func mtimeChange() throws {
        let f = CacheFixture()
        _ = try f.source().load([0])
        var t = f.mtime()
        t.tv_sec += 10
        f.setMtime(t)
        #expect(try !f.source().openedFromCache)
    }

    @Test func optionsThatChangeParsing() throws {
        let f = CacheFixture()
        _ = try f.source().load([0])
        #expect(try !f.source(f.options(locale: .c)).openedFromCache)
        #expect(try !f.source(f.options(skip: true)).openedFromCache)
        #expect(try f.source().openedFromCache)
    }

    @Test func damagedMetaIsIgnored() throws {
        let f = CacheFixture()
        let cold = try f.source().load([0, 1, 2])
        let metaPath = f.folder + "/meta"
        var bytes = [UInt8](FileManager.default.contents(atPath: metaPath)!)
        bytes[bytes.count - 3] ^= 0x55
        FileManager.default.createFile(atPath: metaPath, contents: Data(bytes))
        let s = try f.source()
        #expect(!s.openedFromCache)
        #expect(allValues(try s.load([0, 1, 2])) == allValues(cold))
        // Rebuilt: the next open uses it again.
        #expect(try f.source().openedFromCache)
        // Truncated and foreign metas.
        for junk in [Array(bytes.prefix(20)), [UInt8](), Array("LKQCMETA not really a cache".utf8)] {
            FileManager.default.createFile(atPath: metaPath, contents: Data(junk))
            let s = try f.source()
            #expect(!s.openedFromCache)
            #expect(allValues(try s.load([0, 1, 2])) == allValues(cold))
        }
    }

    @Test func damagedColumnFilesAreIgnored() throws {
        let f = CacheFixture()
        let cold = try f.source().load([0, 1, 2])
        let c1 = f.folder + "/c1", c2 = f.folder + "/c2"
        // Truncated text column, garbage double column.
        let data = FileManager.default.contents(atPath: c1)!
        FileManager.default.createFile(atPath: c1, contents: data.prefix(data.count - 3))
        FileManager.default.createFile(atPath: c2, contents: Data(repeating: 0xAB, count: 200))
        let s = try f.source()
        #expect(s.openedFromCache)
        #expect(allValues(try s.load([0, 1, 2])) == allValues(cold))
        #expect(s.scans == 1)
        // Repaired: served from the cache again.
        let s2 = try f.source()
        _ = try s2.load([0, 1, 2])
        #expect(s2.scans == 0)
    }

    /// A cache whose checksums agree but whose row count is absurd (written by hand, not by LKQ)
    /// gives an error, not a crash in the arithmetic that sizes the column files.
    @Test func forgedRowCountIsRefused() throws {
        let f = CacheFixture()
        _ = try f.source().load([0, 1, 2])
        var meta = try #require(CSVCache.readMeta(folder: f.folder, sourcePath: f.path))
        let huge = 1 << 61
        meta.rowCount = huge
        #expect(CSVCache.writeMeta(meta, folder: f.folder))
        for c in 0..<3 {
            let file = f.folder + "/c\(c)"
            var bytes = [UInt8](FileManager.default.contents(atPath: file)!)
            withUnsafeBytes(of: UInt64(huge).littleEndian) { for i in 0..<8 { bytes[32 + i] = $0[i] } }
            let sum = bytes.withUnsafeBufferPointer { csvHashBytes($0.baseAddress!, 56) }
            withUnsafeBytes(of: sum.littleEndian) { for i in 0..<8 { bytes[56 + i] = $0[i] } }
            #expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
        }
        let s = try f.source()
        #expect(s.openedFromCache)
        #expect(throws: Diagnostic.self) { try s.load([0, 1, 2]) }
    }

    @Test func codesOutsideTheDictionaryAreCaught() throws {
        let f = CacheFixture()
        let cold = try f.source().load([1])
        let c1 = f.folder + "/c1"
        var bytes = [UInt8](FileManager.default.contents(atPath: c1)!)
        bytes[CSVCache.columnHeaderSize] = 99  // first code → 99, dictionary has 2 entries
        FileManager.default.createFile(atPath: c1, contents: Data(bytes))
        let s = try f.source()
        #expect(allValues(try s.load([1])) == allValues(cold))
        #expect(s.scans == 1)
    }

    @Test func foreignColumnFileIsIgnored() throws {
        let f = CacheFixture()
        let g = CacheFixture("a,b,c\n5,q,1\n6,r,2\n7,s,3\n")
        _ = try f.source().load([0])
        _ = try g.source().load([0])
        // Same shape, another file's generation.
        try FileManager.default.removeItem(atPath: f.folder + "/c0")
        try FileManager.default.copyItem(atPath: g.folder + "/c0", toPath: f.folder + "/c0")
        let s = try f.source()
        #expect(values(try s.load([0]).columns[0]!) == [.int(1), .int(2), .int(3)])
        #expect(s.scans == 1)
    }

    @Test func unwritableCacheIsSkipped() throws {
        let f = CacheFixture()
        let blocker = writeFile(f.dir, "not-a-folder", "x")
        var o = f.options()
        o.cacheDirectory = blocker + "/sub"
        let s = try CSVSource(path: f.path, options: o)
        #expect(try s.load([0, 1, 2]).count == 3)
        let s2 = try CSVSource(path: f.path, options: o)
        #expect(!s2.openedFromCache)
        #expect(try s2.load([0]).count == 3)
    }

    @Test func cacheOffWritesNothing() throws {
        let f = CacheFixture()
        var o = f.options()
        o.useCache = false
        _ = try CSVSource(path: f.path, options: o).load([0])
        #expect(!FileManager.default.fileExists(atPath: f.cache))
    }

    @Test func skippedRowWarningsComeBackFromCache() throws {
        var text = "a,b\n"
        for i in 0..<25_000 { text += "\(i),\(i)\n" }
        text += "1,2,3\nx,5\n"
        let f = CacheFixture(text)
        let sink1 = WarningSink(), sink2 = WarningSink()
        let cold = try f.source(f.options(skip: true, onWarning: sink1.add)).load([0])
        let s = try f.source(f.options(skip: true, onWarning: sink2.add))
        #expect(s.openedFromCache)
        let warm = try s.load([0])
        #expect(s.scans == 0)
        #expect(warm.count == cold.count && warm.count == 25_000)
        #expect(sink1.items.count == 2)
        #expect(sink2.items.map(\.description) == sink1.items.map(\.description))
        #expect(sink2.items.map(\.line) == [25_002, 25_003])
    }

    @Test func bigFileRoundTrip() throws {
        let dir = makeTempDir()
        let path = makeBigCSV(dir, rows: 50_000)
        let o = CSVOptions(useCache: true, cacheDirectory: dir + "/cache")
        let cold = try CSVSource(path: path, options: o)
        let a = try cold.load([0, 1, 2, 3, 4, 5])
        let warm = try CSVSource(path: path, options: o)
        let b = try warm.load([0, 1, 2, 3, 4, 5])
        #expect(warm.scans == 0)
        #expect(a.count == b.count)
        for c in 0..<6 {
            var same = true
            for r in 0..<a.count where a.columns[c]!.value(at: r) != b.columns[c]!.value(at: r) { same = false; break }
            #expect(same, "column \(c)")
        }
    }
}
