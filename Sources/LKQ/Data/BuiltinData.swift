#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// The built-in dataset: the tables described by `BuiltinSources.manifest`, read from the CSV
/// text in `BuiltinSources.files` (generated into BuiltinSources.generated.swift).
///
/// The manifest is INI-like:
///
/// ```
/// # comment
/// [capaian]
/// file = capaian.csv
/// source = LKIP 2023, Tabel 3.1
/// measure = persen
/// columns = sasaran:int indikator:text pagu:rupiah realisasi:rupiah persen:double
/// ```
///
/// `rupiah` is an integer column of amounts in rupiah (``Field/isRupiah``).
/// Each CSV must have exactly the declared columns, in order, as its header; every value must fit
/// its declared type (see ``CSVReader/parse(_:path:fields:)``). Both are checked by the tests, so
/// a mistake here stops the program with the located error rather than giving wrong answers.
enum BuiltinData {
    static let tables: [Table] = {
        do throws(Diagnostic) {
            return try load(manifest: BuiltinSources.manifest) { file in
                BuiltinSources.files[file].map(builtinBytes)
            }
        } catch {
            fatalError("built-in data is broken: \(error.rendered())")
        }
    }()

    /// The built-in views: tables the engine computes from the others with an LKQ query
    /// (a manifest section with `query =` instead of `file =`), in manifest order.
    static let views: [(name: String, query: String)] = {
        do throws(Diagnostic) {
            return try parseManifest(BuiltinSources.manifest).compactMap { e in e.query.map { (e.name, $0) } }
        } catch {
            fatalError("built-in data is broken: \(error.rendered())")
        }
    }()

    /// One `[table]` section of the manifest.
    struct Entry: Equatable {
        var name: String
        var file = ""
        var source = ""
        var measure: String?
        var fields: [Field] = []
        /// For a view: the LKQ query that computes it.
        var query: String?
        var line = 0
    }

    /// Reads the manifest's sections. Errors point at `manifest:LINE:1`.
    static func parseManifest(_ text: String) throws(Diagnostic) -> [Entry] {
        var entries: [Entry] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let at = DiagnosticLocation.file(path: "manifest", line: i + 1, column: 1)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces).lowercased()
                entries.append(Entry(name: name, line: i + 1))
                continue
            }
            guard let eq = line.firstIndex(of: "="), !entries.isEmpty else {
                throw Diagnostic(.fileUnreadable("manifest", reason: "line \(i + 1) is neither '[table]' nor 'key = value'"), at)
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "file": entries[entries.count - 1].file = value
            case "source": entries[entries.count - 1].source = value
            case "query": entries[entries.count - 1].query = value
            case "measure": entries[entries.count - 1].measure = value.isEmpty ? nil : value.lowercased()
            case "columns":
                var fields: [Field] = []
                for item in value.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                    let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
                    guard parts.count == 2, let type = columnType(parts[1]) else {
                        throw Diagnostic(.fileUnreadable("manifest", reason: "'\(item)' on line \(i + 1) is not name:int, name:rupiah, name:double or name:text"), at)
                    }
                    fields.append(Field(name: parts[0].lowercased(), type: type, isRupiah: parts[1].lowercased() == "rupiah"))
                }
                entries[entries.count - 1].fields = fields
            default:
                throw Diagnostic(.fileUnreadable("manifest", reason: "unknown key '\(key)' on line \(i + 1)"), at)
            }
        }
        return entries
    }

    static func columnType(_ name: String) -> ColumnType? {
        switch name.lowercased() {
        case "int", "integer", "rupiah": return .int
        case "double", "number", "float": return .double
        case "text", "string": return .text
        default: return nil
        }
    }

    /// Builds the tables of a manifest, reading each CSV through `file`.
    static func load(manifest: String, file: (String) -> [UInt8]?) throws(Diagnostic) -> [Table] {
        var tables: [Table] = []
        for entry in try parseManifest(manifest) where entry.query == nil {
            let at = DiagnosticLocation.file(path: "manifest", line: entry.line, column: 1)
            guard let bytes = file(entry.file) else { throw Diagnostic(.fileNotFound(entry.file), at) }
            let (count, columns) = try CSVReader.parse(bytes, path: entry.file, fields: entry.fields)
            if let m = entry.measure, !entry.fields.contains(where: { $0.name == m }) {
                throw Diagnostic(.unknownColumn(m, table: entry.name, suggestion: nil), at)
            }
            tables.append(Table(name: entry.name, fields: entry.fields, measure: entry.measure, origin: entry.source,
                                store: ColumnStore(count: count, columns: columns)))
        }
        return tables
    }
}

/// The bytes of a built-in file, whichever way the generator stores it.
func builtinBytes(_ text: String) -> [UInt8] { Array(text.utf8) }
func builtinBytes(_ bytes: [UInt8]) -> [UInt8] { bytes }
func builtinBytes(_ text: StaticString) -> [UInt8] {
    text.withUTF8Buffer { Array($0) }
}
