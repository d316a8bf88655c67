// libFuzzer target: bytes as a CSV file. Built with the LKQ sources as one module by
// `make fuzz-csv` (see the Makefile), never by SwiftPM.
//
// The reader takes a path, so each input is written to one file in a private folder and opened
// with the cache off (the cache would key on the path and could serve an earlier input's
// columns). Every input is read three ways: automatic number style failing on bad rows,
// Indonesian numbers skipping bad rows, plain C numbers failing on bad rows. When the file
// opens, `| count` runs, then group bys on the first column with aggregates of the second (a
// separate one for sum and avg, which fail on text), and a sort | limit that brings raw values into the formatter. Header names may be anything, not
// only LKQ names, so the queries go through a copy of the table whose columns are called c1,
// c2, ...; the real names are still rendered in the `| count` of the file's own table.

#if canImport(Glibc)
import Glibc
#endif
import Foundation

let csvFuzzFolder: String = {
    let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    let folder = "\(base)/lkq-csv-fuzz-\(getpid())"
    mkdir(folder, 0o700)
    return folder
}()

let csvFuzzPath = csvFuzzFolder + "/input.csv"

let csvFuzzOptions = [
    CSVOptions(locale: .auto, skipBadRows: false, useCache: false),
    CSVOptions(locale: .indonesian, skipBadRows: true, useCache: false, onWarning: { _ = $0.rendered() }),
    CSVOptions(locale: .c, skipBadRows: false, useCache: false),
]

let csvFuzzFormatters: [ResultFormatter] = OutputFormat.allCases.map { ResultFormatter(format: $0) }
    + [ResultFormatter(format: .table, width: 30)]

func csvFuzzWrite(_ data: UnsafePointer<UInt8>?, _ size: Int) {
    let fd = open(csvFuzzPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    precondition(fd >= 0, "cannot write \(csvFuzzPath)")
    var done = 0
    while done < size {
        let n = write(fd, data! + done, size - done)
        precondition(n > 0, "cannot write \(csvFuzzPath)")
        done += n
    }
    close(fd)
}

func csvFuzzRun(_ engine: Engine, _ script: String) {
    var session = engine.makeSession()
    session.execute(script, sourceName: "fuzz.lkq") { outcome in
        switch outcome {
        case .result(let result): for f in csvFuzzFormatters { _ = f.render(result) }
        case .bound: break
        case .failed(let error): _ = error.rendered()
        }
        return true
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func csvFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    csvFuzzWrite(data, size)
    for options in csvFuzzOptions {
        let engine: Engine
        do {
            engine = try Engine(tables: []).loadingCSV(at: csvFuzzPath, options: options)
        } catch {
            _ = error.rendered()
            continue
        }
        guard let table = engine.table(named: "input") else { preconditionFailure("loaded table is missing") }
        let renamed = Table(name: "t", fields: table.fields.enumerated().map { Field(name: "c\($0.offset + 1)", type: $0.element.type) },
                            measure: nil, origin: table.origin, store: table.store)
        let second = table.fields.count > 1 ? "c2" : "c1"
        csvFuzzRun(engine.adding(renamed), """
            input | count
            t | group by c1 count() as n, min(\(second)) as lo, max(\(second)) as hi
            t | group by c1 sum(\(second)) as s, avg(\(second)) as a
            t | sort c1 desc, \(second) | limit 5
            """)
    }
    return 0
}
