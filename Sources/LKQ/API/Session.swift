import Foundation
#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// Runs statements against an ``Engine`` and remembers the tables that `let` names.
public struct Session: Sendable {
    /// The engine the session reads its tables from.
    public private(set) var engine: Engine
    var bindings: [String: Table] = [:]
    /// Single values named by `let NAME = value` and `param NAME`.
    var values: [String: Value] = [:]
    /// Values for `param` statements, by name, as given on the command line (`--param batas=90`):
    /// a number when the text reads as one, else text.
    public var parameters: [String: String] = [:]
    /// Limits on every query this session runs; none by default.
    public var budget = QueryBudget.unlimited

    init(engine: Engine) { self.engine = engine }

    /// What became of one statement of a script.
    public enum Outcome: Sendable {
        /// A query ran and produced this result.
        case result(QueryResult)
        /// A `let` bound this name.
        case bound(String)
        /// The statement failed; later statements still run unless the caller stops.
        case failed(LKQError)
    }

    /// Names a `let` has bound so far, sorted.
    public var letNames: [String] { bindings.keys.sorted() }
    /// Names of the single values `let` and `param` have bound so far, sorted.
    public var valueNames: [String] { values.keys.sorted() }

    /// Replaces the engine, keeping `let` names (for example after loading a CSV).
    public mutating func use(_ engine: Engine) { self.engine = engine }

    /// Runs every statement of `script`, stopping at the first error, and returns the query results.
    public mutating func run(_ script: String, sourceName: String = "<input>") throws(LKQError) -> [QueryResult] {
        var results: [QueryResult] = []
        var failure: LKQError?
        execute(script, sourceName: sourceName) { outcome in
            switch outcome {
            case .result(let r): results.append(r); return true
            case .bound: return true
            case .failed(let e): failure = e; return false
            }
        }
        if let failure { throw failure }
        return results
    }

    /// Runs the statements of `script` one by one, handing each outcome to `each`; stops when
    /// `each` returns false. A statement with a syntax error fails alone: the others still run.
    ///
    /// - Parameters:
    ///   - firstLine: the line number of the script's first line in errors, for a piece of a
    ///     longer script run as it is read.
    ///   - cancellation: checked while a query runs; set it from another thread to stop.
    public mutating func execute(_ script: String, sourceName: String = "<input>", firstLine: Int = 1,
                                 cancellation: Cancellation? = nil,
                                 _ each: (Outcome) -> Bool) {
        let source = SourceFile(name: sourceName, text: script, firstLine: firstLine)
        for parsed in Parser.Statements(parser: Parser(source)) {
            let outcome: Outcome
            switch parsed {
            case .failure(let d):
                outcome = .failed(LKQError(d))
            case .success(let statement):
                do {
                    let control = RunControl(cancellation: cancellation, budget: budget)
                    // The interpreter reads a copy of this session while a `let` writes the new
                    // name: written into this session directly, the copy would make every `let`
                    // copy all the names bound before it (N lets, N² work). The name goes into
                    // a session of its own, then here once the copy is gone.
                    var bound = Session(engine: engine)
                    bound.parameters = parameters
                    outcome = try Interpreter(session: self, source: source, control: control)
                        .run(statement, into: &bound)
                    engine = bound.engine
                    // A name is a table or a value, never both: the newer meaning replaces the older.
                    for (name, table) in bound.bindings { bindings[name] = table; values[name] = nil }
                    for (name, value) in bound.values { values[name] = value; bindings[name] = nil }
                } catch {
                    outcome = .failed(LKQError(error))
                }
            }
            if !each(outcome) { return }
        }
    }
}

extension Session {
    /// Runs every statement of `script` like ``run(_:sourceName:)``, and stops the running
    /// query with a `cancelled` error when the task is cancelled. The query runs on the
    /// calling task's thread.
    public mutating func run(_ script: String, sourceName: String = "<input>") async throws(LKQError) -> [QueryResult] {
        let cancellation = Cancellation()
        var copy = self
        let outcome: Result<[QueryResult], LKQError> = await withTaskCancellationHandler {
            var results: [QueryResult] = []
            var failure: LKQError?
            // A task cancelled before it started stops at the first check.
            if Task.isCancelled { cancellation.cancel() }
            copy.execute(script, sourceName: sourceName, cancellation: cancellation) { outcome in
                switch outcome {
                case .result(let r): results.append(r); return true
                case .bound: return true
                case .failed(let e): failure = e; return false
                }
            }
            if let failure { return .failure(failure) }
            return .success(results)
        } onCancel: {
            cancellation.cancel()
        }
        self = copy
        return try outcome.get()
    }
}

/// A flag another thread sets to stop a running query (the REPL's Ctrl-C).
public final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    /// A flag that is not set.
    public init() {}
    /// Asks the running query to stop; it fails with a `cancelled` error.
    public func cancel() { lock.lock(); flag = true; lock.unlock() }
    /// Clears the flag for the next query.
    public func reset() { lock.lock(); flag = false; lock.unlock() }
    /// Whether `cancel()` has been called since the last reset.
    public var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return flag }
}
