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

// Read every script before running any, so a wrong path is a usage error with nothing half done,
// and text that is not UTF-8 is an error at its place with nothing run at all.
var sources: [(text: String, name: String)] = []
var readStdin = false
var undecodable = false
/// The text of a script, or nil after saying where it is not UTF-8.
func decoded(_ bytes: [UInt8], name: String) -> String? {
    do throws(LKQError) {
        return try ScriptText.decode(bytes, name: name)
    } catch {
        Console.err(error.rendered(color: Console.colorErr) + "\n")
        return nil
    }
}
for input in options.inputs {
    switch input {
    case .expression(let text):
        // The command line reaches us already decoded, with `�` for bytes that were not UTF-8.
        do throws(LKQError) {
            try ScriptText.check(text, name: "-e")
            sources.append((text, "-e"))
        } catch {
            Console.err(error.rendered(color: Console.colorErr) + "\n")
            undecodable = true
        }
    case .file("-"):
        guard !readStdin else { usageError("standard input ('-') can be read only once") }
        readStdin = true
        guard let bytes = Console.readAll(fd: STDIN_FILENO) else { usageError("cannot read standard input") }
        if let text = decoded(bytes, name: "<stdin>") { sources.append((text, "<stdin>")) } else { undecodable = true }
    case .file(let path):
        switch Console.readFile(path) {
        case .success(let bytes):
            if let text = decoded(bytes, name: path) { sources.append((text, path)) } else { undecodable = true }
        case .failure(let problem): usageError(problem.message)
        }
    }
}
if undecodable { exit(ExitStatus.failed) }

let settings = DataLoading.Settings(locale: options.locale, skipBadRows: options.skipBadRows, useCache: options.useCache,
                                    strict: options.strict)
var engine = Engine()
if let directory = options.dataDirectory {
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
let runner = Runner(session: engine.makeSession(), format: format, bail: options.bail)
runner.locale = options.locale.output
runner.workbook = options.workbookPath.map(WorkbookOutput.init(path:))

if interactive {
    exit(REPL(runner: runner, settings: settings).run())
}

if sources.isEmpty {
    guard let bytes = Console.readAll(fd: STDIN_FILENO) else { usageError("cannot read standard input") }
    guard let text = decoded(bytes, name: "<stdin>") else { exit(ExitStatus.failed) }
    sources.append((text, "<stdin>"))
}
// Scripts and standard input may hold dot-commands (.load, .mode, ...) as the shell does;
// `-e` statements are LKQ only.
let shell = REPL(runner: runner, settings: settings)
for source in sources {
    let goOn = source.name == "-e" ? runner.run(source.text, sourceName: source.name)
                                   : shell.runScript(source.text, sourceName: source.name)
    if !goOn { break }
}
exit(runner.failed ? ExitStatus.failed : ExitStatus.ok)
