import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The binary columnar cache of CSV files.
///
/// For a CSV file at absolute path P the cache keeps a folder `<cache dir>/<hash of P>/` with
/// - `meta`: magic, format version, a checksum of the rest; then P, the source's size, mtime (ns)
///   and a content check (a hash of its first and last 64 KiB and 8 blocks of 4 KiB spread
///   through it), the options that change how it is read (locale, skip-bad-rows, separator
///   override), the schema (separator, names, types, number styles, where the data starts), the
///   row count, the skipped-row warnings, which columns are stored, and a random generation
///   number;
/// - `c<N>`: column N as written in memory: a 64-byte header (magic, version, type, generation,
///   column, rows, dictionary sizes, header checksum), then the values, null bits and for text
///   the dictionary; each section 8-byte aligned so the file can be mapped and used in place.
///
/// Only columns some query converted are stored; later queries add theirs. Every file is written
/// to a temporary name and renamed. Anything that does not check out (magic, version, checksum,
/// lengths, generation, codes within the dictionary) is ignored and rewritten; an unwritable cache
/// folder is skipped. Values are not checksummed: the mapped columns are used without reading
/// them all (text codes are range-checked, so a damaged file cannot crash a query).
enum CSVCache {
    /// Bumped whenever the layout or the way a CSV is read changes (separator detection, type
    /// inference, number rules), so a cache written by an older lkq is rebuilt, never trusted.
    /// 2: separator chosen by how many head rows agree, not by all of them agreeing.
    /// 3: whole numbers beyond 64 bits and decimals beyond a Double's range are text, not
    ///    rounded decimals or infinity; a NUL byte is an error.
    /// 4: text trimmed and in NFC, "no value" marks null, a few words in a numeric column null
    ///    (the column stays numeric), codes with leading zeros text, identifiers for headers.
    static let version: UInt32 = 4
    static let metaMagic: [UInt8] = Array("LKQCMETA".utf8)
    static let columnMagic: [UInt8] = Array("LKQCCOL1".utf8)
    static let columnHeaderSize = 64

    /// `$LKQ_CACHE_DIR`, else `$XDG_CACHE_HOME/lkq`, else `~/.cache/lkq`.
    static func directory() -> String {
        let env = ProcessInfo.processInfo.environment
        if let d = env["LKQ_CACHE_DIR"], !d.isEmpty { return d }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/lkq" }
        return NSHomeDirectory() + "/.cache/lkq"
    }

    /// The cache folder for a source file.
    static func folder(forSource absolutePath: String, in directory: String = directory()) -> String {
        let bytes = Array(absolutePath.utf8)
        let h = bytes.withUnsafeBufferPointer { csvHashBytes($0.baseAddress ?? UnsafePointer(bitPattern: 8)!, $0.count) }
        return directory + "/" + String(h, radix: 16)
    }

    /// The absolute, symlink-free path of a file.
    static func absolutePath(_ path: String) -> String {
        if let r = realpath(path, nil) {
            defer { free(r) }
            return String(cString: r)
        }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// A hash of the source's size, its first and last 64 KiB and 8 blocks of 4 KiB spread
    /// evenly through it: catches an edit that keeps size and mtime unless it falls only
    /// outside all of these.
    static func contentCheck(fd: Int32, size: Int) -> UInt64? {
        var ranges: [(Int, Int)] = [(0, min(size, 65536)), (max(0, size - 65536), min(size, 65536))]
        for i in 1...8 { let at = size / 9 * i; ranges.append((at, min(4096, size - at))) }
        var h: UInt64 = UInt64(truncatingIfNeeded: size) &* 0x9E37_79B9_7F4A_7C15
        var buf = [UInt8](repeating: 0, count: 65536)
        for (offset, count) in ranges where count > 0 {
            var got = 0
            while got < count {
                let r = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + got, count - got, off_t(offset + got)) }
                if r < 0 && errno == EINTR { continue }
                if r <= 0 { return nil }
                got += r
            }
            h = (h ^ buf.withUnsafeBufferPointer { csvHashBytes($0.baseAddress!, count) }) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 31
        }
        return h
    }

    // MARK: Meta

    struct Meta: Equatable {
        var generation: UInt64
        var source: String
        var size: Int
        var mtime: Int64
        var content: UInt64
        var locale: UInt8
        var skipBadRows: Bool
        var separatorOverride: UInt8
        var schema: CSVSchema
        var rowCount: Int
        var present: [Bool]
        var warnings: [Diagnostic]

        static func == (a: Meta, b: Meta) -> Bool {
            a.generation == b.generation && a.source == b.source && a.size == b.size && a.mtime == b.mtime
                && a.content == b.content && a.locale == b.locale && a.skipBadRows == b.skipBadRows
                && a.separatorOverride == b.separatorOverride && a.schema == b.schema && a.rowCount == b.rowCount
                && a.present == b.present && a.warnings.count == b.warnings.count
        }
    }

    static func encode(_ m: Meta) -> [UInt8] {
        var w = ByteWriter()
        w.u64(m.generation); w.string(m.source); w.u64(UInt64(m.size)); w.u64(UInt64(bitPattern: m.mtime))
        w.u64(m.content); w.u8(m.locale); w.u8(m.skipBadRows ? 1 : 0); w.u8(m.separatorOverride)
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
        guard let gen = r.u64(), let source = r.string(), let size = r.u64(), let mtime = r.u64(),
              let content = r.u64(), let locale = r.u8(), let skip = r.u8(), let sepOverride = r.u8(),
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
        return Meta(generation: gen, source: source, size: Int(clamping: size), mtime: Int64(bitPattern: mtime),
                    content: content, locale: locale, skipBadRows: skip == 1, separatorOverride: sepOverride,
                    schema: schema, rowCount: Int(clamping: rows), present: present, warnings: warnings)
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

    /// The stored meta, if it is intact.
    static func readMeta(folder: String, sourcePath: String) -> Meta? {
        guard let data = FileManager.default.contents(atPath: folder + "/meta"), data.count < 1 << 30 else { return nil }
        return decode([UInt8](data), path: sourcePath)
    }

    // MARK: Writing

    /// Writes `bytes` to `path` through a temporary file and a rename. False on any failure.
    @discardableResult
    static func writeAtomically(_ path: String, _ parts: [UnsafeRawBufferPointer]) -> Bool {
        let tmp = path + ".tmp.\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let fd = Glibc.open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
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
        if close(fd) != 0 { ok = false }
        if ok && rename(tmp, path) == 0 { return true }
        unlink(tmp)
        return false
    }

    static func writeMeta(_ meta: Meta, folder: String) -> Bool {
        let bytes = encode(meta)
        return bytes.withUnsafeBytes { writeAtomically(folder + "/meta", [$0]) }
    }

    /// Writes one column's file. False on any failure.
    static func writeColumn(_ column: Column, index: Int, generation: UInt64, folder: String) -> Bool {
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
        let path = folder + "/c\(index)"
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
                        return writeAtomically(path, parts)
                    }
                }
            }
        }
    }

    // MARK: Reading columns

    /// A mapped file, unmapped when the last buffer pointing into it goes.
    final class Mapping: @unchecked Sendable {
        let base: UnsafeMutableRawPointer
        let length: Int
        init(base: UnsafeMutableRawPointer, length: Int) { self.base = base; self.length = length }
        deinit { munmap(base, length) }
    }

    /// Maps column `index`'s file, or `nil` if it is missing, foreign or damaged.
    static func mapColumn(folder: String, index: Int, generation: UInt64, rows: Int, type: ColumnType) -> Column? {
        let fd = Glibc.open(folder + "/c\(index)", O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var st = Glibc.stat()
        guard fstat(fd, &st) == 0, st.st_size >= columnHeaderSize else { return nil }
        let length = Int(st.st_size)
        guard let raw = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0), raw != MAP_FAILED else { return nil }
        let mapping = Mapping(base: raw, length: length)
        let b = UnsafeRawPointer(raw)
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
                                     count: NullMask.wordCount(rows: rows), owner: mapping))
            : nil
        switch type {
        case .int:
            return Column(storage: .int(Buffer(base: (b + valuesAt).assumingMemoryBound(to: Int64.self), count: rows, owner: mapping)), nulls: nulls)
        case .double:
            return Column(storage: .double(Buffer(base: (b + valuesAt).assumingMemoryBound(to: Double.self), count: rows, owner: mapping)), nulls: nulls)
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
            return Column(storage: .text(codes: Buffer(base: codes, count: rows, owner: mapping), dictionary: dictionary), nulls: nulls)
        }
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
