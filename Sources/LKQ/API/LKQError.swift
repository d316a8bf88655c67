#if canImport(LKQSyntax)
import LKQSyntax
#endif

/// The one error type the LKQ library throws: what went wrong, where, and the text to show.
public struct LKQError: Error, Sendable, CustomStringConvertible {
    let diagnostic: Diagnostic

    init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }

    /// Broad classes of error, for programs that react differently to each.
    public enum Kind: String, Sendable {
        /// A character or token LKQ cannot read.
        case lexical
        /// Tokens that do not form a statement.
        case syntax
        /// An unknown table, column or function.
        case name
        /// Values of the wrong type for an operation.
        case type
        /// A data file that cannot be read or parsed.
        case data
        /// A query stopped by the caller.
        case cancelled
        /// A query stopped because it passed a limit: the caller's ``QueryBudget`` or the
        /// largest result LKQ can hold.
        case limit
        /// A query the chosen SQL target cannot run with LKQ's meaning (``Engine/sql(for:dialect:)``).
        case unsupported
    }

    /// Which class of error this is.
    public var kind: Kind {
        switch diagnostic.kind {
        case .unexpectedCharacter, .unterminatedString, .unterminatedName, .invalidNumber, .integerTooLarge, .invalidUTF8: return .lexical
        case .expected, .expectedClosing, .nestingTooDeep, .invalidLimit, .unknownStage, .sqlHabit: return .syntax
        case .unknownTable, .unknownColumn, .unknownFunction, .duplicateColumn, .noDefaultMeasure, .cannotRedefineTable,
             .valueAsTable, .parameterMissing, .columnHidesValue,
             .noLabelColumn, .noYearColumn:
            return .name
        case .typeMismatch, .notNumeric, .wrongArgumentCount, .aggregateOutsideGroup, .integerOverflow, .decimalOverflow,
             .conditionAsValue, .valueAsCondition, .notInGroup, .duplicateYear, .tooManyYears,
             .aggregateInsideAggregate, .windowNeedsOver, .windowOutsideProjection, .windowNeedsOrder, .parameterType,
             .limitBeforeSort, .mixedLevels, .caseOnlyMatch, .windowTies:
            return .type
        case .fileNotFound, .fileUnreadable, .csvUnterminatedQuote, .csvFieldCount, .csvBadValue, .csvEmpty,
             .csvInvalidUTF8, .csvNulByte, .csvCharacterAfterQuote, .csvHeaderMismatch,
             .notFiniteValue, .csvRowSkipped, .cacheRefused, .csvNotANumber, .csvMoreNotNumbers, .dataNote, .ambiguousLiteral:
            return .data
        case .cancelled: return .cancelled
        case .budgetExceeded, .tooManyRows, .runningMedianTooLong: return .limit
        case .auditNeedsClaims, .auditInsideAudit: return .name
        case .sqlUnsupported, .sqlMixedSources: return .unsupported
        case .database: return .data
        }
    }

    /// An error a database reported (``SQLDatabase``), with its message.
    public static func database(_ message: String) -> LKQError { LKQError(Diagnostic(.database(message), .none)) }

    /// The error of a query its caller stopped.
    public static var cancelled: LKQError { LKQError(Diagnostic(.cancelled, .none)) }

    /// Whether this is a warning (a CSV row skipped with `skipBadRows`) rather than an error.
    public var isWarning: Bool { diagnostic.isWarning }

    /// The message alone, without location: `unknown column 'sasran' in capaian; did you mean 'sasaran'?`.
    public var message: String { diagnostic.message }

    /// The name of the source or file the error is in (`-e`, `report.lkq`, `data.csv`), if any.
    public var sourceName: String? {
        switch diagnostic.location {
        case .source(let file, _): return file.name
        case .file(let path, _, _): return path
        case .cell(let path, _): return path
        case .none: return nil
        }
    }

    /// The spreadsheet cell of the error (`Rekap!D17`), for one found in a workbook.
    public var cell: String? {
        if case .cell(_, let place) = diagnostic.location { return place }
        return nil
    }

    /// One-based line and column of the error, if it has a place.
    public var line: Int? { position?.line }
    /// One-based column (in characters) of the error, if it has a place.
    public var column: Int? { position?.column }

    /// UTF-8 offsets of the offending text within its source, for LKQ text errors.
    public var range: Range<Int>? {
        if case .source(_, let r) = diagnostic.location { return r.start..<r.end }
        return nil
    }

    private var position: (line: Int, column: Int)? {
        switch diagnostic.location {
        case .source(let file, let range): return file.location(of: range.start)
        case .file(_, let line, let column): return (line, column)
        case .cell, .none: return nil
        }
    }

    /// `SOURCE:LINE:COL: error: MESSAGE` followed by the line and a caret.
    public func rendered(color: Bool = false) -> String { diagnostic.rendered(color: color) }

    public var description: String { rendered() }
}
