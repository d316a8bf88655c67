// The Swift objects behind the opaque handles of include/lkqc.h. A handle is an object retained
// once with `Unmanaged.passRetained` when it is given out, and released by its lkq_*_free.
// Every string a handle lends out is allocated here with malloc and freed in its deinit, so a
// borrowed pointer lives exactly as long as its handle.
import Foundation
import LKQ

/// A C copy of `text` that the caller or a handle frees with `free`. Text holding a NUL byte
/// ends at it, as C text must.
func mallocString(_ text: String) -> UnsafeMutablePointer<CChar> {
    guard let copy = strdup(text) else { fatalError("lkqc: out of memory copying a string") }
    return copy
}

/// The engine handle: an `Engine` value that loading CSV files replaces. The lock keeps a load
/// and a session opening on other threads from seeing half an assignment.
final class EngineHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Engine

    init(_ engine: Engine) { value = engine }

    var engine: Engine {
        lock.lock(); defer { lock.unlock() }
        return value
    }

    /// Applies `change` to the engine as it is now; the lock is held while CSV headers are read,
    /// so two loads on the same handle cannot lose each other's table.
    func update(_ change: (Engine) throws(LKQError) -> Engine) throws(LKQError) {
        lock.lock(); defer { lock.unlock() }
        value = try change(value)
    }
}

/// The session handle. `runLock` makes a second run on the same session wait for the first;
/// the cancellation is its own lock-protected flag, so cancelling never waits for a run.
final class SessionHandle: @unchecked Sendable {
    private let runLock = NSLock()
    private var session: Session
    let cancellation = Cancellation()

    init(_ session: Session) { self.session = session }

    func setBudget(_ budget: QueryBudget) {
        runLock.lock(); defer { runLock.unlock() }
        session.budget = budget
    }

    func run(_ bytes: [UInt8], sourceName: String, bail: Bool) -> RunHandle {
        runLock.lock(); defer { runLock.unlock() }
        // A cancel that arrives while no script runs is kept for the next one, so a caller that
        // cancels just before the run starts still stops it; once a run has ended it is spent.
        defer { cancellation.reset() }
        let script: String
        do throws(LKQError) {
            script = try ScriptText.decode(bytes, name: sourceName)
        } catch {
            return RunHandle([.failed(ErrorHandle(error))])
        }
        var outcomes: [RunHandle.Outcome] = []
        session.execute(script, sourceName: sourceName, cancellation: cancellation) { outcome in
            switch outcome {
            case .result(let result): outcomes.append(.result(ResultHandle(result)))
            case .bound(let name): outcomes.append(.bound(mallocString(name)))
            case .failed(let error):
                outcomes.append(.failed(ErrorHandle(error)))
                return !bail
            }
            return true
        }
        return RunHandle(outcomes)
    }
}

/// What became of each statement of a script; owns the results and errors it lends out.
final class RunHandle: @unchecked Sendable {
    enum Outcome {
        case result(ResultHandle)
        case bound(UnsafeMutablePointer<CChar>)
        case failed(ErrorHandle)
    }

    let outcomes: [Outcome]

    init(_ outcomes: [Outcome]) { self.outcomes = outcomes }

    deinit {
        for case .bound(let name) in outcomes { free(name) }
    }
}

/// One query's rows. Column names are copied at once; the C text of a text column is made the
/// first time any of its cells is asked for, in one block per column, under a lock because
/// several threads may read the same result.
final class ResultHandle: @unchecked Sendable {
    let result: QueryResult
    let names: [UnsafeMutablePointer<CChar>]
    let warnings: [ErrorHandle]
    private let lock = NSLock()
    private var texts: [Int: TextColumn] = [:]

    /// A text column as C strings: one block of NUL-terminated UTF-8, and each row's offset
    /// into it (-1 for null).
    struct TextColumn {
        let block: UnsafeMutablePointer<CChar>
        let offsets: [Int]
    }

    init(_ result: QueryResult) {
        self.result = result
        names = result.fields.map { mallocString($0.name) }
        warnings = result.warnings.map(ErrorHandle.init)
    }

    deinit {
        names.forEach { free($0) }
        texts.values.forEach { $0.block.deallocate() }
    }

    func contains(_ row: Int, _ column: Int) -> Bool {
        row >= 0 && row < result.rowCount && column >= 0 && column < result.fields.count
    }

    func text(_ row: Int, _ column: Int) -> UnsafePointer<CChar>? {
        guard contains(row, column), result.fields[column].type == .text else { return nil }
        lock.lock(); defer { lock.unlock() }
        let texts = self.texts[column] ?? makeTextColumn(column)
        let offset = texts.offsets[row]
        return offset < 0 ? nil : UnsafePointer(texts.block + offset)
    }

    private func makeTextColumn(_ column: Int) -> TextColumn {
        var offsets: [Int] = []
        offsets.reserveCapacity(result.rowCount)
        var size = 0
        for r in 0..<result.rowCount {
            if case .text(let s) = result[r, column] {
                offsets.append(size)
                size += s.utf8.count + 1
            } else {
                offsets.append(-1)
            }
        }
        let block = UnsafeMutablePointer<CChar>.allocate(capacity: max(size, 1))
        for r in 0..<result.rowCount {
            guard case .text(let s) = result[r, column] else { continue }
            let start = block + offsets[r]
            var i = 0
            for byte in s.utf8 {
                start[i] = CChar(bitPattern: byte)
                i += 1
            }
            start[i] = 0
        }
        let made = TextColumn(block: block, offsets: offsets)
        texts[column] = made
        return made
    }
}

/// A located error with its texts copied for C.
final class ErrorHandle: @unchecked Sendable {
    let error: LKQError
    let message: UnsafeMutablePointer<CChar>
    let rendered: UnsafeMutablePointer<CChar>
    let source: UnsafeMutablePointer<CChar>?

    init(_ error: LKQError) {
        self.error = error
        message = mallocString(error.message)
        rendered = mallocString(error.rendered())
        source = error.sourceName.map(mallocString)
    }

    deinit {
        free(message)
        free(rendered)
        if let source { free(source) }
    }
}
