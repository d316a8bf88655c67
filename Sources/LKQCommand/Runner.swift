import LKQ

/// Runs LKQ text in one session and prints what comes of it: results to stdout in the
/// chosen format, errors to stderr with their place and caret.
final class Runner: @unchecked Sendable {
    var session: Session
    var format: OutputFormat
    /// Stop at the first failing statement (`--bail`).
    let bail: Bool
    /// Print how long each query took (`.timer on`).
    var timer = false
    /// How `table` and `markdown` output write numbers (`--locale id`, `.locale`).
    var locale = ResultFormatter.Locale.english
    /// Whether any statement has failed; the exit status reports it.
    private(set) var failed = false
    /// Whether a result has been printed since the last ``startGroup()``, to separate the next.
    private var printedResult = false

    init(session: Session, format: OutputFormat, bail: Bool) {
        self.session = session
        self.format = format
        self.bail = bail
    }

    /// Results printed after this are not separated from earlier ones by a blank line.
    func startGroup() { printedResult = false }

    /// Runs every statement of `text`; returns false when `--bail` says to stop.
    @discardableResult
    func run(_ text: String, sourceName: String, firstLine: Int = 1, cancellation: Cancellation? = nil) -> Bool {
        var keepGoing = true
        var started = Console.now()
        session.execute(text, sourceName: sourceName, firstLine: firstLine, cancellation: cancellation) { outcome in
            let elapsed = Console.now() - started
            switch outcome {
            case .result(let result):
                for warning in result.warnings { Console.err(warning.rendered(color: Console.colorErr) + "\n") }
                show(result)
                if timer { Console.out("Run time: \(Self.milliseconds(elapsed))\n") }
            case .bound:
                break
            case .failed(let error):
                report(error)
                if bail { keepGoing = false }
            }
            started = Console.now()
            return keepGoing
        }
        return keepGoing
    }

    func show(_ result: QueryResult) {
        let formatter = ResultFormatter(format: format, width: format == .table ? Console.width() : nil,
                                        color: format == .table && Console.colorOut,
                                        unicode: Console.unicode, locale: locale)
        Console.out((printedResult ? "\n" : "") + formatter.render(result))
        printedResult = true
    }

    func report(_ error: LKQError) {
        failed = true
        Console.err(error.rendered(color: Console.colorErr) + "\n")
    }

    /// A failure that is not an LKQ statement's (a script that cannot be read, for instance).
    func fail(_ message: String) {
        failed = true
        Console.err(Self.errorLine(message))
    }

    /// A failure of a dot-command in a script, at `location` (`FILE:LINE:COL`).
    func fail(_ message: String, at location: String) {
        failed = true
        let red = Console.colorErr ? "\u{1B}[1;31m" : "", reset = Console.colorErr ? "\u{1B}[0m" : ""
        Console.err("\(location): \(red)error:\(reset) \(message)\n")
    }

    static func errorLine(_ message: String) -> String {
        let red = Console.colorErr ? "\u{1B}[1;31m" : "", reset = Console.colorErr ? "\u{1B}[0m" : ""
        return "lkq: \(red)error:\(reset) \(message)\n"
    }

    static func milliseconds(_ seconds: Double) -> String {
        let ms = seconds * 1000
        let tenths = Int((ms * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) ms"
    }
}
