// libFuzzer target: LKQ text over the built-in data. Built with the LKQ sources as one module
// by `make fuzz` (see the Makefile), never by SwiftPM: Package.swift names no target here.
//
// Any input is a script: its bytes become text the way the `lkq` command reads a script file
// or standard input (`String(decoding:as:)`, invalid UTF-8 replaced by U+FFFD), so the fuzzer
// reaches every statement a user can type. Each statement runs in one session (so `let` names
// carry over), every result is rendered in every output format, and every error is rendered
// with its caret. None of it may crash, trap or hang.

let fuzzEngine = Engine()

let fuzzFormatters: [ResultFormatter] = OutputFormat.allCases.map { ResultFormatter(format: $0) }
    + [ResultFormatter(format: .table, width: 40, color: true), ResultFormatter(format: .table, width: 1)]

@_cdecl("LLVMFuzzerTestOneInput")
public func lkqFuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let text = String(decoding: bytes, as: UTF8.self)
    var session = fuzzEngine.makeSession()
    session.execute(text, sourceName: "fuzz.lkq") { outcome in
        switch outcome {
        case .result(let result):
            for formatter in fuzzFormatters { _ = formatter.render(result) }
        case .bound:
            break
        case .failed(let error):
            _ = error.rendered(color: true)
            _ = (error.kind, error.line, error.column, error.range)
        }
        return true
    }
    return 0
}
