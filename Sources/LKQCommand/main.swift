#if canImport(Glibc)
import Glibc
#endif
import LKQ
import LKQLanguageServer

/// Exit statuses, as `--help` documents them.
enum ExitStatus {
    static let ok: Int32 = 0
    static let failed: Int32 = 1
    static let usage: Int32 = 2
}

func usageError(_ message: String) -> Never {
    Console.err("lkq: \(message)\ntry 'lkq --help'\n")
    exit(ExitStatus.usage)
}

// `lkq lsp` is the language server for editors, a program of its own behind the same binary.
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "lsp" {
    exit(LanguageServer.run(arguments: Array(CommandLine.arguments.dropFirst(2))))
}

Console.prepareStandardStreams()

let options: Options
do {
    options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    usageError(error.message)
}

switch options.action {
case .help:
    Console.out(Help.usage)
    exit(ExitStatus.ok)
case .version:
    Console.out(Help.version + "\n")
    exit(ExitStatus.ok)
case .run:
    break
}

// Open every script before running any, so a wrong path is a usage error with nothing half
// done; a script file is checked whole for UTF-8 first, so text that is not is an error at its
// place with nothing run at all. Scripts are then read a statement at a time as they run, so
// standard input from a pipe that never ends (`yes 'capaian | count' | lkq`) streams.
/// Set when a script is not UTF-8: nothing runs then.
var undecodable = false
/// Standard input as a script; checked whole first when it is a file (`lkq < script.lkq`).
@MainActor func standardInput() -> ScriptReader {
    let reader = ScriptReader(fd: STDIN_FILENO, name: "<stdin>", ownsDescriptor: false)
    if reader.isRegularFile, let error = reader.checkWhole() {
        Console.err(error.rendered(color: Console.colorErr) + "\n")
        undecodable = true
    }
    return reader
}
enum ScriptInput {
    case expression(String)
    case reader(ScriptReader)
}
var sources: [ScriptInput] = []
var readStdin = false
for input in options.inputs {
    switch input {
    case .expression(let text):
        // The command line reaches us already decoded, with `�` for bytes that were not UTF-8.
        do throws(LKQError) {
            try ScriptText.check(text, name: "-e")
            sources.append(.expression(text))
        } catch {
            Console.err(error.rendered(color: Console.colorErr) + "\n")
            undecodable = true
        }
    case .file("-"):
        guard !readStdin else { usageError("standard input ('-') can be read only once") }
        readStdin = true
        sources.append(.reader(standardInput()))
    case .file(let path):
        switch ScriptReader.open(path) {
        case .success(let reader):
            if reader.isRegularFile, let error = reader.checkWhole() {
                Console.err(error.rendered(color: Console.colorErr) + "\n")
                undecodable = true
            }
            sources.append(.reader(reader))
        case .failure(let problem): usageError(problem.message)
        }
    }
}
if undecodable { exit(ExitStatus.failed) }

let settings = DataLoading.Settings(locale: options.locale, skipBadRows: options.skipBadRows, useCache: options.useCache,
                                    strict: options.strict)
var engine = Engine()
// Each `--data` adds to what the ones before it loaded; the first that fails stops lkq, so a
// built-in table never answers in place of a file that was asked for.
for directory in options.dataPaths {
    switch DataLoading.loadDirectory(directory, into: engine, settings: settings) {
    case .success(let loaded):
        engine = loaded
    case .failure(let error):
        Console.err(error.rendered(color: Console.colorErr) + "\n")
        exit(ExitStatus.failed)
    }
}

if let url = options.database {
    guard let connected = DatabaseConnection.open(url, into: engine) else { exit(ExitStatus.failed) }
    engine = connected
}

if options.printSQL {
    if sources.isEmpty { sources.append(.reader(standardInput())) }
    exit(SQLPrinter.print(sources.map { source -> (text: String, name: String) in
        switch source {
        case .expression(let text): return (text, "-e")
        case .reader(let reader): return (SQLPrinter.readAll(reader), reader.name)
        }
    }, engine: engine, dialect: options.dialect, parameters: options.parameters))
}

let interactive = sources.isEmpty && Console.stdinIsTerminal
let format = options.format ?? (Console.stdoutIsTerminal ? .table : .csv)
var session = engine.makeSession()
session.parameters = options.parameters
session.budget.maxMemory = options.maxMemory
session.budget.maxJoinRows = options.maxJoinRows
let runner = Runner(session: session, format: format, bail: options.bail)
runner.locale = options.locale.output
runner.workbook = options.workbookPath.map(WorkbookOutput.init(path:))

if interactive {
    exit(REPL(runner: runner, settings: settings).run())
}

if sources.isEmpty {
    sources.append(.reader(standardInput()))
    if undecodable { exit(ExitStatus.failed) }
}
// Scripts, standard input and `-e` may hold dot-commands (`.schema anggaran`, `.load`,
// `.mode`...) wherever a statement may go, as the shell does.
let shell = REPL(runner: runner, settings: settings)
for source in sources {
    let goOn: Bool
    switch source {
    case .expression(let text): goOn = shell.runScript(TextLines(text, name: "-e"))
    case .reader(let reader): goOn = shell.runScript(reader)
    }
    if !goOn { break }
}
exit(runner.failed ? ExitStatus.failed : ExitStatus.ok)
