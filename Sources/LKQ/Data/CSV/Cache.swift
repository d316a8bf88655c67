import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The binary columnar cache of CSV files.
///
/// The cache folder (``directory()``) must be a real folder, not a symbolic link, owned by the
/// user running LKQ and writable by no one else: any other is refused with a warning (someone
/// who can write there could make LKQ answer with numbers of their choosing), and one only
/// readable by others is made private. Folders are created 0700 and files 0600, whatever the
/// source file's mode, since a cache holds the values of the file it copies.
///
/// For a CSV file at absolute path P the cache keeps a folder `<cache dir>/<hash of P>/` with
/// - `meta`: magic, format version, a checksum of the rest; then P, the source's identity (device,
///   inode, size, modification and change times in ns), the options that change how it is read
///   (locale, skip-bad-rows, separator override), the schema (separator, names, types, number
///   styles, where the data starts), the row count, the skipped-row warnings, which columns are
///   stored, and a random generation number;
/// - `c<N>`: column N as written in memory: a 64-byte header (magic, version, type, generation,
///   column, rows, dictionary sizes, header checksum), then the values, null bits and for text
///   the dictionary; each section 8-byte aligned.
///
/// The identity is the whole key. Any write to the file changes its change time (ctime), which no
/// program can set back, so a file rewritten in place with its size and mtime restored (`cp -p`,
/// `rsync --inplace -t`) is still seen as changed; a full hash of the content would say the same
/// but costs a read of the whole file on every use (see Benchmarks/README.md, "cache key"). The
/// identity is checked before and after every scan: rows read while the file changed are an
/// error, never stored. A file changed less than ``racyWindow`` before its scan ended is not
/// stored either, because a second write within the clock tick of the first leaves every time
/// as it was.
///
/// Only columns some query converted are stored; later queries add theirs. Every file is written
/// to a temporary name, flushed to disk and renamed; files are opened without following symbolic
/// links, and only files that carry LKQ's magic are ever removed. Anything that does not check out
/// (magic, version, checksum, lengths, generation, codes within the dictionary) is ignored and
/// rewritten; an unwritable cache folder is skipped. Columns are read into memory rather than
/// mapped, so a cache file cut short by another program while in use cannot crash LKQ.
///
/// Entries are evicted, least recently used first, when the cache grows past ``maxBytes()``
/// (`$LKQ_CACHE_MAX`) or were last used more than ``maxAge`` seconds ago.
enum CSVCache {
    /// Bumped whenever the layout or the way a CSV is read changes (separator detection, type
    /// inference, number rules), so a cache written by an older lkq is rebuilt, never trusted.
    /// 2: separator chosen by how many head rows agree, not by all of them agreeing.
    /// 3: whole numbers beyond 64 bits and decimals beyond a Double's range are text, not
    ///    rounded decimals or infinity; a NUL byte is an error.
    /// 4: keyed by the file's identity (device, inode, size, mtime, ctime), not a sampled hash.
    static let version: UInt32 = 4
    static let metaMagic: [UInt8] = Array("LKQCMETA".utf8)
    static let columnMagic: [UInt8] = Array("LKQCCOL1".utf8)
    static let columnHeaderSize = 64
    /// Nanoseconds: a file changed this recently is read but not cached (file times advance in
    /// clock ticks of a few milliseconds; a second is far beyond any tick, NFS included).
    static let racyWindow: Int64 = 1_000_000_000
    /// Seconds after its last use that an entry is evicted: 30 days.
    static let maxAge = 30 * 24 * 3600
    /// The default ``maxBytes()``: 4 GiB.
    static let defaultMaxBytes = 4 << 30

    /// `$LKQ_CACHE_DIR`, else `$XDG_CACHE_HOME/lkq`, else `$HOME/.cache/lkq` (the home of the
    /// environment, as every other program uses; the password database's only without `$HOME`).
    static func directory() -> String {
        let env = ProcessInfo.processInfo.environment
        if let d = env["LKQ_CACHE_DIR"], !d.isEmpty { return d }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/lkq" }
        if let h = env["HOME"], !h.isEmpty { return h + "/.cache/lkq" }
        return NSHomeDirectory() + "/.cache/lkq"
    }

    /// `$LKQ_CACHE_MAX` in bytes (a number, optionally followed by K, M, G or T), else 4 GiB.
    static func maxBytes() -> Int {
        guard let text = ProcessInfo.processInfo.environment["LKQ_CACHE_MAX"] else { return defaultMaxBytes }
        return parseSize(text) ?? defaultMaxBytes
    }

    /// `500M`, `2G`, `1048576`: bytes, or nil when it is not a size.
    static func parseSize(_ text: String) -> Int? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        if digits.hasSuffix("B") { digits.removeLast() }
        var shift = 0
        if let last = digits.last, let i = "KMGT".firstIndex(of: last) {
            shift = 10 * ("KMGT".distance(from: "KMGT".startIndex, to: i) + 1)
            digits.removeLast()
        }
        guard let n = Int(digits), n >= 0, n <= Int.max >> shift else { return nil }
        return n << shift
    }

    /// The name of the cache entry for a source file.
    static func entryName(forSource absolutePath: String) -> String {
        let bytes = Array(absolutePath.utf8)
        let h = bytes.withUnsafeBufferPointer { csvHashBytes($0.baseAddress ?? UnsafePointer(bitPattern: 8)!, $0.count) }
        return String(h, radix: 16)
    }

    /// The cache folder for a source file.
    static func folder(forSource absolutePath: String, in directory: String = directory()) -> String {
        directory + "/" + entryName(forSource: absolutePath)
    }

    /// The absolute, symlink-free path of a file.
    static func absolutePath(_ path: String) -> String {
        if let r = realpath(path, nil) {
            defer { free(r) }
            return String(cString: r)
        }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    // MARK: Identity

    /// What the cache key checks of a source file: any write changes `ctime` at least.
    struct Identity: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int
        var mtime: Int64
        var ctime: Int64

        init(device: UInt64, inode: UInt64, size: Int, mtime: Int64, ctime: Int64) {
            self.device = device; self.inode = inode; self.size = size; self.mtime = mtime; self.ctime = ctime
        }

        init(_ st: Glibc.stat) {
            self.init(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int(st.st_size),
                      mtime: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                      ctime: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
        }

        /// Of an open file; nil if it cannot be had.
        static func of(fd: Int32) -> Identity? {
            var st = Glibc.stat()
            return fstat(fd, &st) == 0 ? Identity(st) : nil
        }

        /// Of the file a path names now (following symbolic links, as opening it does).
        static func of(path: String) -> Identity? {
            var st = Glibc.stat()
            return stat(path, &st) == 0 ? Identity(st) : nil
        }

        /// Whether the file changed less than `window` ns ago: too recently for its times to
        /// prove a later write.
        func isRacy(window: Int64) -> Bool {
            var now = timespec()
            clock_gettime(CLOCK_REALTIME, &now)
            let ns = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
            return ns - max(mtime, ctime) < window
        }
    }

    // MARK: Folders

    /// An open cache folder, checked to be the user's own; every file in it is reached through
    /// this descriptor, so a folder swapped for a link after the check changes nothing.
    final class Folder: @unchecked Sendable {
        let fd: Int32
        let path: String
        init(fd: Int32, path: String) { self.fd = fd; self.path = path }
        deinit { close(fd) }
    }

    /// Why a cache folder is not used.
    enum Refusal: Error, Equatable {
        /// Missing (when not asked to create it) or not creatable: no cache, silently.
        case unavailable
        /// Not safe to use; the message says why and what to do.
        case unsafe(String)
    }

    /// Opens (and with `create`, makes, 0700) the cache folder at `path`, refusing one that is a
    /// symbolic link, belongs to another user or that others may write to.
    static func openRoot(_ path: String, create: Bool) -> Result<Folder, Refusal> {
        if create {
            var partial = path.hasPrefix("/") ? "" : "."
            for part in path.split(separator: "/") {
                partial += "/" + part
                if mkdir(partial, 0o700) != 0 && errno != EEXIST { return .failure(.unavailable) }
            }
        }
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 {
            var st = Glibc.stat()
            if lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK {
                return .failure(.unsafe("the cache folder '\(path)' is a symbolic link, which LKQ does not follow; "
                                        + "set LKQ_CACHE_DIR to the folder itself, or remove the link"))
            }
            return .failure(.unavailable)
        }
        let folder = Folder(fd: fd, path: path)
        if let reason = unsafe(fd: fd, what: "the cache folder '\(path)'") { return .failure(.unsafe(reason)) }
        return .success(folder)
    }

    /// Why the folder open at `fd` cannot be trusted, if it cannot; tightens a private folder
    /// that others may read.
    private static func unsafe(fd: Int32, what: String) -> String? {
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0 else { return "\(what) cannot be examined" }
        if st.st_uid != geteuid() {
            return "\(what) belongs to another user (uid \(st.st_uid)), who could change the answers of your queries; "
                + "set LKQ_CACHE_DIR to a folder of your own, or use --no-cache"
        }
        if st.st_mode & 0o022 != 0 {
            return "\(what) may be written by other users (mode \(String(st.st_mode & 0o777, radix: 8))), who could change "
                + "the answers of your queries; make it private with 'chmod 700', or set LKQ_CACHE_DIR to another folder"
        }
        if st.st_mode & 0o077 != 0 { _ = fchmod(fd, 0o700) }
        return nil
    }

    /// Opens the entry `name` in `root`, creating it (0700) if asked.
    static func openEntry(_ name: String, in root: Folder, create: Bool) -> Folder? {
        if create && mkdirat(root.fd, name, 0o700) != 0 && errno != EEXIST { return nil }
        let fd = openat(root.fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 { return nil }
        let folder = Folder(fd: fd, path: root.path + "/" + name)
        return unsafe(fd: fd, what: folder.path) == nil ? folder : nil
    }

    /// The file `name` in `folder`, opened for reading if it is a regular file of this user's
    /// (never through a symbolic link); its descriptor and size.
    static func openOwnFile(_ name: String, in folder: Folder) -> (fd: Int32, size: Int)? {
        let fd = openat(folder.fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 { return nil }
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_uid == geteuid() else {
            close(fd)
            return nil
        }
        return (fd, Int(st.st_size))
    }

    /// Reads `count` bytes at `offset` into `into`; false if the file ended first or failed.
    static func readFully(_ fd: Int32, into: UnsafeMutableRawPointer, count: Int, offset: Int = 0) -> Bool {
        var got = 0
        while got < count {
            let r = pread(fd, into + got, count - got, off_t(offset + got))
            if r < 0 && errno == EINTR { continue }
            if r <= 0 { return false }
            got += r
        }
        return true
    }

    /// Warnings about refused folders, said once per folder and process.
    private static let warned = WarnedFolders()

    /// Says why `path` was refused through `onWarning`, the first time only.
    static func warnOnce(_ reason: String, folder path: String, onWarning: (@Sendable (LKQError) -> Void)?) {
        guard let onWarning, warned.insert(path) else { return }
        onWarning(LKQError(Diagnostic(.cacheRefused(reason), .none)))
    }

    // MARK: Meta

    struct Meta: Equatable {
        var generation: UInt64
        var source: String
        var identity: Identity
        var locale: UInt8
        var skipBadRows: Bool
        var separatorOverride: UInt8
        var schema: CSVSchema
        var rowCount: Int
        var present: [Bool]
        var warnings: [Diagnostic]

        static func == (a: Meta, b: Meta) -> Bool {
            a.generation == b.generation && a.source == b.source && a.identity == b.identity
                && a.locale == b.locale && a.skipBadRows == b.skipBadRows
                && a.separatorOverride == b.separatorOverride && a.schema == b.schema && a.rowCount == b.rowCount
                && a.present == b.present && a.warnings.count == b.warnings.count
        }
    }

    static func encode(_ m: Meta) -> [UInt8] {
        var w = ByteWriter()
        w.u64(m.generation); w.string(m.source)
        let id = m.identity
        w.u64(id.device); w.u64(id.inode); w.u64(UInt64(id.size))
        w.u64(UInt64(bitPattern: id.mtime)); w.u64(UInt64(bitPattern: id.ctime))
        w.u8(m.locale); w.u8(m.skipBadRows ? 1 : 0); w.u8(m.separatorOverride)
        let s = m.schema
        w.u8(s.separator); w.u64(UInt64(s.dataStart)); w.u64(UInt64(s.headerLines))
        w.u64(UInt64(s.names.count))
        for i in s.names.indices {
            w.string(s.names[i]); w.u8(typeCode(s.types[i])); w.u8(s.locales[i].rawValue); w.u8(m.present[i] ? 1 : 0)
        }
        w.u64(UInt64(m.rowCount))
        w.u64(UInt64(m.warnings.count))
        for d in m.warnings {
            guard case .file(_, let line, let column) = d.location, case .csvRowSkipped(let reason) = d.kind else { continue }
            w.u64(UInt64(line)); w.u64(UInt64(column))
            switch reason {
            case .csvFieldCount(let expected, let got):
                w.u8(0); w.u64(UInt64(expected)); w.u64(UInt64(got))
            case .csvBadValue(let column, let type, let text):
                w.u8(1); w.string(column); w.string(type); w.string(text)
            default:
                w.u8(2)
            }
        }
        var out = metaMagic
        var head = ByteWriter()
        head.u32(version)
        head.u64(UInt64(w.bytes.count))
        head.u64(w.bytes.withUnsafeBufferPointer { csvHashBytes($0.baseAddress!, $0.count) })
        out += head.bytes
        out += w.bytes
        return out
    }

    static func decode(_ bytes: [UInt8], path: String) -> Meta? {
        guard bytes.count >= 28, Array(bytes[0..<8]) == metaMagic else { return nil }
        var h = ByteReader(bytes: bytes, at: 8)
        guard let v = h.u32(), v == version, let len = h.u64(), let sum = h.u64(),
              Int(clamping: len) == bytes.count - 28 else { return nil }
        let body = Array(bytes[28...])
        guard body.withUnsafeBufferPointer({ csvHashBytes($0.baseAddress ?? UnsafePointer(bitPattern: 8)!, $0.count) }) == sum else { return nil }
        var r = ByteReader(bytes: body, at: 0)
        guard let gen = r.u64(), let source = r.string(), let device = r.u64(), let inode = r.u64(), let size = r.u64(),
              let mtime = r.u64(), let ctime = r.u64(), let locale = r.u8(), let skip = r.u8(), let sepOverride = r.u8(),
              let sep = r.u8(), let dataStart = r.u64(), let headerLines = r.u64(), let n = r.u64(), n < 1_000_000
        else { return nil }
        var names: [String] = [], types: [ColumnType] = [], locales: [NumberLocale] = [], present: [Bool] = []
        for _ in 0..<Int(n) {
            guard let name = r.string(), let t = r.u8(), let type = columnType(t), let l = r.u8(),
                  let loc = NumberLocale(rawValue: l), let p = r.u8() else { return nil }
            names.append(name); types.append(type); locales.append(loc); present.append(p == 1)
        }
        guard let rows = r.u64(), let wc = r.u64(), wc < 100_000_000 else { return nil }
        var warnings: [Diagnostic] = []
        for _ in 0..<Int(wc) {
            guard let line = r.u64(), let column = r.u64(), let k = r.u8() else { return nil }
            let reason: DiagnosticKind
            switch k {
            case 0:
                guard let e = r.u64(), let g = r.u64() else { return nil }
                reason = .csvFieldCount(expected: Int(clamping: e), got: Int(clamping: g))
            case 1:
                guard let c = r.string(), let t = r.string(), let x = r.string() else { return nil }
                reason = .csvBadValue(column: c, type: t, text: x)
            default:
                return nil
            }
            warnings.append(Diagnostic(.csvRowSkipped(because: reason),
                                       .file(path: path, line: Int(clamping: line), column: Int(clamping: column))))
        }
        guard r.atEnd else { return nil }
        let schema = CSVSchema(separator: sep, names: names, types: types, locales: locales,
                               dataStart: Int(clamping: dataStart), headerLines: Int(clamping: headerLines))
        let identity = Identity(device: device, inode: inode, size: Int(clamping: size),
                                mtime: Int64(bitPattern: mtime), ctime: Int64(bitPattern: ctime))
        return Meta(generation: gen, source: source, identity: identity, locale: locale, skipBadRows: skip == 1,
                    separatorOverride: sepOverride, schema: schema, rowCount: Int(clamping: rows), present: present,
                    warnings: warnings)
    }

    static func typeCode(_ t: ColumnType) -> UInt8 {
        switch t { case .int: return 0; case .double: return 1; case .text: return 2 }
    }

    static func columnType(_ c: UInt8) -> ColumnType? {
        switch c { case 0: return .int; case 1: return .double; case 2: return .text; default: return nil }
    }

    static func localeCode(_ l: CSVOptions.Locale) -> UInt8 {
        switch l { case .auto: return 0; case .indonesian: return 1; case .c: return 2 }
    }

    /// The stored meta, if it is intact. With `touch`, its modification time is set to now: the
    /// entry's last use, for eviction.
    static func readMeta(in folder: Folder, sourcePath: String, touch: Bool = false) -> Meta? {
        guard let (fd, size) = openOwnFile("meta", in: folder) else { return nil }
        defer { close(fd) }
        guard size < 1 << 30 else { return nil }
        var bytes = [UInt8](repeating: 0, count: size)
        guard bytes.withUnsafeMutableBytes({ readFully(fd, into: $0.baseAddress!, count: size) }) || size == 0 else { return nil }
        let meta = decode(bytes, path: sourcePath)
        if meta != nil && touch { _ = futimens(fd, nil) }
        return meta
    }

    /// ``readMeta(in:sourcePath:touch:)`` by path, for tests.
    static func readMeta(folder: String, sourcePath: String) -> Meta? {
        let fd = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        return readMeta(in: Folder(fd: fd, path: folder), sourcePath: sourcePath)
    }

    // MARK: Writing

    /// Writes `parts` as the file `name` in `folder`: to a new temporary file (0600), flushed
    /// to disk, then renamed over `name`, so a reader sees the old file or the whole new one and
    /// a crash leaves no half-written file under the real name. False on any failure.
    @discardableResult
    static func writeAtomically(_ name: String, in folder: Folder, _ parts: [UnsafeRawBufferPointer]) -> Bool {
        let tmp = name + ".tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let fd = openat(folder.fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 { return false }
        var ok = true
        outer: for part in parts where part.count > 0 {
            var done = 0
            while done < part.count {
                let r = write(fd, part.baseAddress! + done, part.count - done)
                if r < 0 && errno == EINTR { continue }
                if r <= 0 { ok = false; break outer }
                done += r
            }
        }
        if ok && fsync(fd) != 0 { ok = false }
        if close(fd) != 0 { ok = false }
        if ok && renameat(folder.fd, tmp, folder.fd, name) == 0 { return true }
        unlinkat(folder.fd, tmp, 0)
        return false
    }

    static func writeMeta(_ meta: Meta, in folder: Folder) -> Bool {
        let bytes = encode(meta)
        let ok = bytes.withUnsafeBytes { writeAtomically("meta", in: folder, [$0]) }
        // The renames are only durable once the folder itself is flushed.
        return ok && fsync(folder.fd) == 0
    }

    /// ``writeMeta(_:in:)`` by path, for tests.
    static func writeMeta(_ meta: Meta, folder: String) -> Bool {
        let fd = Glibc.open(folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        return writeMeta(meta, in: Folder(fd: fd, path: folder))
    }

    /// Writes one column's file. False on any failure.
    static func writeColumn(_ column: Column, index: Int, generation: UInt64, in folder: Folder) -> Bool {
        let rows = column.count
        var header = ByteWriter()
        header.bytes = columnMagic
        header.u32(version)
        header.u8(typeCode(column.type)); header.u8(column.nulls == nil ? 0 : 1); header.u8(0); header.u8(0)
        header.u64(generation); header.u64(UInt64(index)); header.u64(UInt64(rows))
        var dictOffsets: [UInt64] = [0]
        var dictBytes: [UInt8] = []
        if case .text(_, let dictionary) = column.storage {
            for s in dictionary { dictBytes += Array(s.utf8); dictOffsets.append(UInt64(dictBytes.count)) }
        }
        header.u64(UInt64(dictOffsets.count - 1)); header.u64(UInt64(dictBytes.count))
        header.u64(header.bytes.withUnsafeBufferPointer { csvHashBytes($0.baseAddress!, $0.count) })
        precondition(header.bytes.count == columnHeaderSize)
        let zeros = [UInt8](repeating: 0, count: 8)
        return header.bytes.withUnsafeBytes { h in
            dictOffsets.withUnsafeBytes { offs in
                dictBytes.withUnsafeBytes { db in
                    zeros.withUnsafeBytes { z in
                        var parts: [UnsafeRawBufferPointer] = [h]
                        switch column.storage {
                        case .int(let b): parts.append(UnsafeRawBufferPointer(b.pointer))
                        case .double(let b): parts.append(UnsafeRawBufferPointer(b.pointer))
                        case .text(let codes, _):
                            parts.append(UnsafeRawBufferPointer(codes.pointer))
                            if (rows * 4) % 8 != 0 { parts.append(UnsafeRawBufferPointer(rebasing: z[0..<4])) }
                        }
                        if let nulls = column.nulls {
                            parts.append(UnsafeRawBufferPointer(UnsafeBufferPointer(start: nulls.words.base, count: NullMask.wordCount(rows: rows))))
                        }
                        if case .text = column.storage { parts.append(offs); parts.append(db) }
                        return writeAtomically("c\(index)", in: folder, parts)
                    }
                }
            }
        }
    }

    /// Whether `name` is one of the files LKQ writes in an entry: `meta`, `c<N>`, or a temporary
    /// one of theirs.
    static func isCacheFileName(_ name: String) -> Bool {
        let base = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        if name != base && !name.hasPrefix(base + ".tmp.") { return false }
        if base == "meta" { return true }
        return base.count > 1 && base.first == "c" && base.dropFirst().allSatisfy(\.isASCII) && Int(base.dropFirst()) != nil
    }

    /// Removes the file `name` from `folder` if LKQ wrote it: one of its names, a regular file of
    /// this user's, and (unless temporary, perhaps cut short) starting with LKQ's magic.
    @discardableResult
    static func removeOwnFile(_ name: String, in folder: Folder) -> Bool {
        guard isCacheFileName(name), let (fd, size) = openOwnFile(name, in: folder) else { return false }
        var magic = [UInt8](repeating: 0, count: 8)
        let read = size >= 8 && magic.withUnsafeMutableBytes { readFully(fd, into: $0.baseAddress!, count: 8) }
        close(fd)
        guard name.contains(".tmp.") || (read && (magic == metaMagic || magic == columnMagic)) else { return false }
        return unlinkat(folder.fd, name, 0) == 0
    }

    /// The names in a folder.
    static func names(in folder: Folder) -> [String] {
        let copy = dup(folder.fd)
        guard copy >= 0, let dir = fdopendir(copy) else { if copy >= 0 { close(copy) }; return [] }
        defer { closedir(dir) }
        rewinddir(dir)
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { out.append(name) }
        }
        return out
    }

    // MARK: Eviction

    /// Evictions already done by this process: one walk of the cache per process is enough.
    private static let evicted = WarnedFolders()

    /// Removes entries last used more than ``maxAge`` seconds ago, then the least recently used
    /// until the cache holds at most `limit` bytes, never the entry `keep`. Only entries and
    /// files LKQ wrote are touched. Returns the entries removed.
    @discardableResult
    static func evict(in root: Folder, limit: Int, keep: String?, now: Int = Int(time(nil)), force: Bool = false) -> [String] {
        if !force && !evicted.insert(root.path) { return [] }
        var entries: [(name: String, used: Int, bytes: Int)] = []
        var total = 0
        for name in names(in: root) where !name.isEmpty && name.count <= 16 && name.allSatisfy(\.isHexDigit) {
            guard let entry = openEntry(name, in: root, create: false) else { continue }
            var used = 0, bytes = 0
            for file in names(in: entry) where isCacheFileName(file) {
                var st = Glibc.stat()
                guard fstatat(entry.fd, file, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFREG else { continue }
                bytes += Int(st.st_blocks) * 512
                if file == "meta" { used = Int(st.st_mtim.tv_sec) }
            }
            entries.append((name, used, bytes))
            total += bytes
        }
        var removed: [String] = []
        for e in entries.sorted(by: { $0.used < $1.used }) where e.name != keep {
            guard now - e.used > maxAge || total > limit else { break }
            guard let entry = openEntry(e.name, in: root, create: false) else { continue }
            for file in names(in: entry) { removeOwnFile(file, in: entry) }
            // Fails, leaving the folder, if anything LKQ did not write is in it.
            _ = unlinkat(root.fd, e.name, AT_REMOVEDIR)
            total -= e.bytes
            removed.append(e.name)
        }
        return removed
    }

    // MARK: Reading columns

    /// Reads column `index`'s file into memory, or `nil` if it is missing, foreign or damaged.
    ///
    /// Read, not mapped: a mapped file that another program truncates kills the process with
    /// SIGBUS on the next access, and nothing can stop another program of the same user from
    /// doing that. Reading costs a copy from the page cache, well under the cost of the query.
    static func readColumn(in folder: Folder, index: Int, generation: UInt64, rows: Int, type: ColumnType) -> Column? {
        guard let (fd, length) = openOwnFile("c\(index)", in: folder) else { return nil }
        defer { close(fd) }
        guard length >= columnHeaderSize else { return nil }
        let memory = Allocation(bytes: length, alignment: 16)
        guard readFully(fd, into: memory.pointer, count: length) else { return nil }
        let b = UnsafeRawPointer(memory.pointer)
        let header = UnsafeRawBufferPointer(start: b, count: columnHeaderSize)
        guard Array(header[0..<8]) == columnMagic,
              b.loadUnaligned(fromByteOffset: 8, as: UInt32.self) == version,
              csvHashBytes(b.assumingMemoryBound(to: UInt8.self), 56) == b.loadUnaligned(fromByteOffset: 56, as: UInt64.self),
              b.load(fromByteOffset: 12, as: UInt8.self) == typeCode(type),
              b.loadUnaligned(fromByteOffset: 16, as: UInt64.self) == generation,
              b.loadUnaligned(fromByteOffset: 24, as: UInt64.self) == UInt64(index),
              b.loadUnaligned(fromByteOffset: 32, as: UInt64.self) == UInt64(rows)
        else { return nil }
        let hasNulls = b.load(fromByteOffset: 13, as: UInt8.self) == 1
        let dictCount = b.loadUnaligned(fromByteOffset: 40, as: UInt64.self)
        let dictBytes = b.loadUnaligned(fromByteOffset: 48, as: UInt64.self)
        // A row count the file cannot hold (a hand-made cache) would overflow the sizes below.
        guard dictCount < UInt64(Int32.max), dictBytes < UInt64(length), rows >= 0, rows <= length / 4 else { return nil }
        var offset = columnHeaderSize
        let valueBytes = type == .text ? (rows * 4 + 7) / 8 * 8 : rows * 8
        let valuesAt = offset
        offset += valueBytes
        let nullsAt = offset
        if hasNulls { offset += NullMask.wordCount(rows: rows) * 8 }
        let offsetsAt = offset
        if type == .text { offset += (Int(dictCount) + 1) * 8 + Int(dictBytes) }
        guard offset == length else { return nil }
        let nulls = hasNulls
            ? NullMask(words: Buffer(base: (b + nullsAt).assumingMemoryBound(to: UInt64.self),
                                     count: NullMask.wordCount(rows: rows), owner: memory))
            : nil
        switch type {
        case .int:
            return Column(storage: .int(Buffer(base: (b + valuesAt).assumingMemoryBound(to: Int64.self), count: rows, owner: memory)), nulls: nulls)
        case .double:
            return Column(storage: .double(Buffer(base: (b + valuesAt).assumingMemoryBound(to: Double.self), count: rows, owner: memory)), nulls: nulls)
        case .text:
            let offs = (b + offsetsAt).assumingMemoryBound(to: UInt64.self)
            let bytesAt = b.assumingMemoryBound(to: UInt8.self) + offsetsAt + (Int(dictCount) + 1) * 8
            var dictionary: [String] = []
            dictionary.reserveCapacity(Int(dictCount))
            guard offs[0] == 0 else { return nil }
            for i in 0..<Int(dictCount) {
                let s = offs[i], e = offs[i + 1]
                guard s <= e, e <= dictBytes else { return nil }
                dictionary.append(String(decoding: UnsafeBufferPointer(start: bytesAt + Int(s), count: Int(e - s)), as: UTF8.self))
            }
            guard offs[Int(dictCount)] == dictBytes else { return nil }
            let codes = (b + valuesAt).assumingMemoryBound(to: Int32.self)
            // A code outside the dictionary would crash a query: check them all.
            var bad: UInt32 = 0
            let limit = UInt32(dictCount)
            for i in 0..<rows where UInt32(bitPattern: codes[i]) >= limit { bad |= 1 }
            if bad != 0 && !(dictCount == 0 && (0..<rows).allSatisfy { nulls?.isNull($0) ?? false }) { return nil }
            return Column(storage: .text(codes: Buffer(base: codes, count: rows, owner: memory), dictionary: dictionary), nulls: nulls)
        }
    }
}

/// A set of folder paths shared by every thread of the process.
final class WarnedFolders: @unchecked Sendable {
    private let lock = NSLock()
    private var paths = Set<String>()
    /// Adds `path`; false if it was there already.
    func insert(_ path: String) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return paths.insert(path).inserted
    }
}

/// Little-endian serialization of the meta file.
struct ByteWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func string(_ s: String) { let u = Array(s.utf8); u64(UInt64(u.count)); bytes += u }
}

/// Reads what ``ByteWriter`` wrote; every read checks the length left.
struct ByteReader {
    let bytes: [UInt8]
    var at: Int
    var atEnd: Bool { at == bytes.count }
    mutating func u8() -> UInt8? {
        guard at < bytes.count else { return nil }
        at += 1
        return bytes[at - 1]
    }
    mutating func u32() -> UInt32? {
        guard bytes.count - at >= 4 else { return nil }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[at + i]) << (8 * UInt32(i)) }
        at += 4
        return v
    }
    mutating func u64() -> UInt64? {
        guard bytes.count - at >= 8 else { return nil }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        at += 8
        return v
    }
    mutating func string() -> String? {
        guard let n = u64(), n <= UInt64(bytes.count - at) else { return nil }
        let s = String(decoding: bytes[at..<at + Int(n)], as: UTF8.self)
        at += Int(n)
        return s
    }
}
