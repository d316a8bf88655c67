#if canImport(Glibc)
import Glibc
#endif
import LKQ

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

let settings = DataLoading.Settings(locale: options.locale, skipBadRows: options.skipBadRows, useCache: options.useCache)
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

let interactive = sources.isEmpty && Console.stdinIsTerminal
let format = options.format ?? (Console.stdoutIsTerminal ? .table : .csv)
var session = engine.makeSession()
session.parameters = options.parameters
let runner = Runner(session: session, format: format, bail: options.bail)
runner.locale = options.locale.output

if interactive {
    exit(REPL(runner: runner, settings: settings).run())
}

if sources.isEmpty {
    sources.append(.reader(standardInput()))
    if undecodable { exit(ExitStatus.failed) }
}
// Scripts and standard input may hold dot-commands (.load, .mode, ...) as the shell does;
// `-e` statements are LKQ only.
let shell = REPL(runner: runner, settings: settings)
for source in sources {
    let goOn: Bool
    switch source {
    case .expression(let text): goOn = runner.run(text, sourceName: "-e")
    case .reader(let reader): goOn = shell.runScript(reader)
    }
    if !goOn { break }
}
exit(runner.failed ? ExitStatus.failed : ExitStatus.ok)
