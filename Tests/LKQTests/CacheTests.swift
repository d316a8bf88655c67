import Foundation
import Testing
@testable import LKQ
@testable import LKQSyntax

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
        var o = CSVOptions(locale: locale, skipBadRows: skip, useCache: true, cacheDirectory: cache, onWarning: onWarning)
        // The files are written just before: cache them all the same.
        o.settleTime = 0
        return o
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
        #expect(names == ["meta", "c1"])
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
        text += "x\n"
        let f = CacheFixture(text)
        let s = try f.source()
        #expect(s.schema.types == [.int])
        #expect(try s.load([0]).columns[0]!.type == .text)
        let s2 = try f.source()
        #expect(s2.schema.types == [.text])
        #expect(try s2.load([0]).columns[0]!.value(at: 30_000) == .text("x"))
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
        var o = CSVOptions(useCache: true, cacheDirectory: dir + "/cache")
        o.settleTime = 0
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

    // MARK: Issue 14: a cache that cannot lie

    /// An edit that keeps size and mtime, in the 96% of a big file the old sampled hash never
    /// read, is seen: the key is the file's identity, and any write changes its ctime.
    @Test func editOutsideTheOldSamplesIsSeen() throws {
        var text = "level,n\n"
        while text.utf8.count < 1_500_000 { text += "desa,1\n" }
        let f = CacheFixture(text)
        #expect(try f.source().load([0]).count > 0)
        // Byte 200,000 lies after the first 64 KiB and before the first sample at size/9.
        var bytes = Array(text.utf8)
        let at = bytes[200_000...].firstIndex(of: UInt8(ascii: "d"))!
        bytes.replaceSubrange(at..<(at + 4), with: Array("kota".utf8))
        f.rewrite(String(decoding: bytes, as: UTF8.self), keepMtime: true)
        let s = try f.source()
        #expect(!s.openedFromCache)
        let levels = try s.load([0]).columns[0]!
        #expect((0..<levels.count).contains { levels.value(at: $0) == .text("kota") })
    }

    /// A file rewritten in place between open and read (`cp -p`: same size, mtime put back) is
    /// an error, not rows stored under the key of the file as it was opened; the next open
    /// reads the file as it is.
    @Test func fileRewrittenAfterOpenIsNotCachedUnderTheOldKey() throws {
        let f = CacheFixture("a\n1\n2\n3\n")
        let s = try f.source()
        let old = f.mtime()
        // Written in place, as `cp -p` and `rsync --inplace -t` do: same inode, same size.
        let fd = open(f.path, O_WRONLY)
        #expect(fd >= 0)
        _ = "a\n7\n8\n9\n".withCString { write(fd, $0, 8) }
        close(fd)
        f.setMtime(old)
        #expect(throws: Diagnostic.self) { try s.load([0]) }
        // Back to the first content, again with the times restored: nothing poisoned.
        let fd2 = open(f.path, O_WRONLY)
        _ = "a\n1\n2\n3\n".withCString { write(fd2, $0, 8) }
        close(fd2)
        f.setMtime(old)
        let again = try f.source()
        #expect(values(try again.load([0]).columns[0]!) == [.int(1), .int(2), .int(3)])
    }

    /// A file written less than a clock tick before it was read may be written again without its
    /// times changing: with the default settle time it is read but not cached.
    @Test func justWrittenFileIsNotCached() throws {
        let f = CacheFixture()
        var o = f.options()
        o.settleTime = CSVCache.racyWindow
        _ = try f.source(o).load([0])
        #expect(try !f.source(o).openedFromCache)
    }

    /// A cache folder that is a symbolic link is refused with a warning: nothing where it
    /// points is removed or written.
    @Test func symlinkedCacheFolderIsRefused() throws {
        let f = CacheFixture()
        let target = makeTempDir()
        let decoys = ["meta", "c0", "c1", "cfg"].map { writeFile(target, $0, "keep me") }
        #expect(symlink(target, f.cache) == 0)
        let sink = WarningSink()
        let s = try f.source(f.options(onWarning: sink.add))
        #expect(try s.load([0, 1, 2]).count == 3)
        #expect(try f.source(f.options(onWarning: sink.add)).load([0]).count == 3)
        for d in decoys { #expect(try String(contentsOfFile: d, encoding: .utf8) == "keep me") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: target).sorted() == ["c0", "c1", "cfg", "meta"])
        #expect(sink.items.count == 1)
        #expect(sink.items.first?.isWarning == true)
        #expect(sink.items.first?.message.contains("symbolic link") == true)
    }

    /// A cache folder others may write to could hold forged values: refused, with a warning.
    @Test func sharedCacheFolderIsRefused() throws {
        let f = CacheFixture()
        _ = try f.source().load([0])
        #expect(chmod(f.cache, 0o777) == 0)
        let sink = WarningSink()
        let s = try f.source(f.options(onWarning: sink.add))
        #expect(!s.openedFromCache)
        #expect(try s.load([0]).count == 3)
        #expect(sink.items.first?.message.contains("chmod 700") == true)
    }

    /// A cache folder of another user's is refused (the test can hand one over only as root).
    @Test(.enabled(if: geteuid() == 0)) func foreignCacheFolderIsRefused() throws {
        let f = CacheFixture()
        _ = try f.source().load([0])
        #expect(chown(f.cache, 4242, 4242) == 0)
        let sink = WarningSink()
        let s = try f.source(f.options(onWarning: sink.add))
        #expect(!s.openedFromCache)
        #expect(sink.items.first?.message.contains("another user") == true)
    }

    /// The cache of a private CSV is as private: folders 0700, files 0600, whatever the umask.
    @Test func cacheFilesArePrivate() throws {
        let f = CacheFixture()
        #expect(chmod(f.path, 0o600) == 0)
        _ = try f.source().load([0, 1, 2])
        func mode(_ p: String) -> mode_t { var st = stat(); lstat(p, &st); return st.st_mode & 0o777 }
        #expect(mode(f.cache) == 0o700)
        #expect(mode(f.folder) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: f.folder)
        #expect(files.sorted() == ["c0", "c1", "c2", "meta"])
        for file in files { #expect(mode(f.folder + "/" + file) == 0o600, "\(file)") }
    }

    /// A cached column cut short by another program while in use is not mapped: no SIGBUS, the
    /// values read stay intact.
    @Test func truncatedCacheFileWhileInUse() throws {
        let f = CacheFixture()
        _ = try f.source().load([0, 1, 2])
        let s = try f.source()
        let warm = try s.load([0, 1, 2])
        #expect(s.scans == 0)
        for c in 0..<3 { #expect(truncate(f.folder + "/c\(c)", 0) == 0) }
        #expect(values(warm.columns[0]!) == [.int(1), .int(2), .int(3)])
        #expect(values(warm.columns[1]!) == [.text("x"), .text("y"), .text("x")])
    }

    /// Least recently used entries go first once the cache is over its size, and entries unused
    /// for `maxAge` go whatever the size; files LKQ did not write are left, with their folder.
    @Test func evictionBySizeAndAge() throws {
        let fixtures = (0..<4).map { _ in CacheFixture() }
        let cache = fixtures[0].cache
        var folders: [String] = []
        for (i, f) in fixtures.enumerated() {
            var o = f.options()
            o.cacheDirectory = cache
            _ = try CSVSource(path: f.path, options: o).load([0, 1, 2])
            let folder = CSVCache.folder(forSource: CSVCache.absolutePath(f.path), in: cache)
            folders.append(folder)
            // Used 1, 2, 3 and 4 days ago, the first least recently.
            var t = [timespec(tv_sec: time(nil) - (4 - i) * 86400, tv_nsec: 0), timespec(tv_sec: time(nil) - (4 - i) * 86400, tv_nsec: 0)]
            #expect(utimensat(AT_FDCWD, folder + "/meta", &t, 0) == 0)
        }
        _ = writeFile(folders[1], "notes.txt", "not lkq's")
        let root = try CSVCache.openRoot(cache, create: false).get()
        let name = { (folder: String) in (folder as NSString).lastPathComponent }
        // Everything fits: only age matters, and nothing is 30 days old.
        #expect(CSVCache.evict(in: root, limit: 1 << 40, keep: nil, force: true).isEmpty)
        // Room for one entry: the oldest go, the newest stays.
        var oneEntry = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: folders[3]) {
            var st = stat()
            lstat(folders[3] + "/" + file, &st)
            oneEntry += Int(st.st_blocks) * 512
        }
        let removed = CSVCache.evict(in: root, limit: oneEntry, keep: nil, force: true)
        #expect(removed.count == 3)
        #expect(removed.prefix(2) == [name(folders[0]), name(folders[1])])
        #expect(!FileManager.default.fileExists(atPath: folders[0]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folders[1]) == ["notes.txt"])
        #expect(FileManager.default.fileExists(atPath: folders[3] + "/meta"))
        // Age: as if 40 days had passed, everything LKQ wrote goes.
        _ = CSVCache.evict(in: root, limit: 1 << 40, keep: nil, now: Int(time(nil)) + 40 * 86400, force: true)
        #expect(!FileManager.default.fileExists(atPath: folders[3]))
        #expect(CSVCache.parseSize("500M") == 500 << 20)
        #expect(CSVCache.parseSize("2g") == 2 << 30)
        #expect(CSVCache.parseSize("12345") == 12345)
        #expect(CSVCache.parseSize("lots") == nil)
    }

    /// Columns already in memory do not answer for a file changed since: every query checks.
    @Test func fileChangedDuringSessionIsNoticedByEveryQuery() throws {
        let dir = makeTempDir()
        let path = writeFile(dir, "t.csv", "a,b\n1,2\n3,4\n")
        var session = try Engine(tables: []).loadingCSV(at: path).makeSession()
        #expect(try session.run("t | sum a").last?[0, 0] == .int(4))
        _ = writeFile(dir, "t.csv", "a,b\n10,2\n30,4\n")
        #expect(throws: LKQError.self) { try session.run("t | sum a") }
        let error = try #require(diagnostic { _ = try session.run("t | count") })
        #expect(error.message.contains("changed after it was opened"))
    }

    /// A FIFO named as a CSV file is refused at once, not waited on for ever.
    @Test func fifoIsRefusedWithoutBlocking() throws {
        let dir = makeTempDir()
        let fifo = dir + "/pipe.csv"
        #expect(mkfifo(fifo, 0o600) == 0)
        final class Outcome: @unchecked Sendable { var error: Diagnostic? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            outcome.error = diagnostic { _ = try CSVSource(path: fifo, options: CSVOptions()) }
            done.signal()
        }
        let finished = done.wait(timeout: .now() + 20) == .success
        #expect(finished, "opening a FIFO blocked")
        if finished { #expect(outcome.error?.message.contains("pipe") == true) }
    }
}
