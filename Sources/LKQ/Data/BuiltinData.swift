import Foundation

/// The built-in dataset: the LKIP 2023 of Dinas Pemberdayaan Masyarakat dan Desa, Provinsi
/// NTT. The CSV files and manifest in `Data/LKIP2023` are compiled into the library as
/// strings (``BuiltinSources``), so `lkq` needs no files beside it at run time.
enum BuiltinData {
    /// Parsed once, on first use.
    static let tables: [Table] = {
        do {
            return try Manifest.parse(BuiltinSources.manifest).map { (entry: Manifest) throws(Diagnostic) -> Table in
                guard let text = BuiltinSources.files[entry.file] else {
                    throw Diagnostic(.fileNotFound(entry.file), .none)
                }
                let (count, columns) = try CSVReader.parse(Array(text.utf8), path: entry.file, fields: entry.fields)
                return Table(name: entry.name, fields: entry.fields, measure: entry.measure, origin: entry.source,
                             store: ColumnStore(count: count, columns: columns))
            }
        } catch {
            // The data ships with the library and is checked by the test suite, so this
            // only fires on a broken build.
            fatalError("built-in data is damaged: \(error)")
        }
    }()
}

/// One `[table]` section of `manifest.txt`.
struct Manifest {
    var name: String
    var file = ""
    var source = ""
    var measure: String?
    var fields: [Field] = []

    /// Reads the manifest: `[name]` sections of `key = value` lines; `#` starts a comment.
    static func parse(_ text: String) throws(Diagnostic) -> [Manifest] {
        var entries: [Manifest] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                entries.append(Manifest(name: String(line.dropFirst().dropLast())))
                continue
            }
            guard let eq = line.firstIndex(of: "="), !entries.isEmpty else {
                throw Diagnostic(.expected("'[table]' or 'key = value'", found: line), .file(path: "manifest.txt", line: number + 1, column: 1))
            }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "file": entries[entries.count - 1].file = value
            case "source": entries[entries.count - 1].source = value
            case "measure": entries[entries.count - 1].measure = value
            case "columns":
                for spec in value.split(separator: " ") {
                    let parts = spec.split(separator: ":")
                    guard parts.count == 2, let type = ColumnType(rawValue: String(parts[1])) else {
                        throw Diagnostic(.expected("name:type", found: String(spec)), .file(path: "manifest.txt", line: number + 1, column: 1))
                    }
                    entries[entries.count - 1].fields.append(Field(name: String(parts[0]), type: type))
                }
            default:
                throw Diagnostic(.expected("file, source, measure or columns", found: key), .file(path: "manifest.txt", line: number + 1, column: 1))
            }
        }
        return entries
    }
}
