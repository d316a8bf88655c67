/// Where a diagnostic points: into LKQ text, or into a data file read from disk.
public enum DiagnosticLocation: Sendable {
    /// A range of UTF-8 offsets in LKQ source text.
    case source(SourceFile, SourceRange)
    /// A place in a data file (CSV), as one-based line and column.
    case file(path: String, line: Int, column: Int)
    /// A cell of a spreadsheet: the workbook's path and `Sheet!D17`.
    case cell(path: String, place: String)
    /// No place (an engine-wide problem such as a cancelled query).
    case none
}

/// Everything LKQ can complain about. The words users read for each case live in one place,
/// ``Diagnostic/message``, so that tests compare kinds and ranges, never English.
public enum DiagnosticKind: Sendable, Equatable {
    // Lexical
    case unexpectedCharacter(String)
    case unterminatedString
    case unterminatedName
    case invalidNumber(String)
    case integerTooLarge(String)
    case invalidUTF8
    // Syntax
    case expected(String, found: String)
    case expectedClosing(String, opener: String, line: Int, column: Int)
    case nestingTooDeep(limit: Int)
    case unknownStage(String, suggestion: String)
    case invalidLimit(String)
    case sqlHabit(String, write: String)
    // Names
    case unknownTable(String, suggestion: String?)
    case unknownColumn(String, table: String, suggestion: String?)
    case unknownFunction(String, suggestion: String?)
    case duplicateColumn(String)
    case noDefaultMeasure(table: String)
    case cannotRedefineTable(String)
    case valueAsTable(String)
    case parameterMissing(String)
    case parameterType(String, given: String, expected: String)
    // Types
    case typeMismatch(operation: String, left: String, right: String)
    case notNumeric(operation: String, type: String)
    case wrongArgumentCount(function: String, expected: String, got: Int)
    case aggregateOutsideGroup(String)
    case integerOverflow(operation: String)
    case decimalOverflow(operation: String)
    case conditionAsValue
    case valueAsCondition(String)
    case notInGroup(String)
    case aggregateInsideAggregate(String)
    case windowNeedsOver(String)
    case windowOutsideProjection(String)
    case windowNeedsOrder(String)
    case runningMedianTooLong(rows: Int, limit: Int)
    // Warnings
    case limitBeforeSort
    case columnHidesValue(String)
    case mixedLevels(levels: [String], suggestion: String)
    case caseOnlyMatch(String, found: String)
    case windowTies(function: String, rows: Int)
    // Charts
    case noLabelColumn(table: String)
    case noYearColumn(table: String)
    case duplicateYear(series: String, year: String)
    case tooManyYears(column: String, count: Int, limit: Int)
    // Data files
    case fileNotFound(String)
    case fileUnreadable(String, reason: String)
    case csvUnterminatedQuote
    case csvFieldCount(expected: Int, got: Int)
    case csvBadValue(column: String, type: String, text: String)
    case csvEmpty
    case csvInvalidUTF8
    case csvNulByte
    case csvCharacterAfterQuote
    case csvHeaderMismatch(position: Int, expected: String, found: String)
    case notFiniteValue(column: String, row: Int)
    /// A warning: a row left out because of `because` (with skip-bad-rows on).
    indirect case csvRowSkipped(because: DiagnosticKind)
    /// The CSV cache folder is not used (a warning): the reason and what to do.
    case cacheRefused(String)
    /// A warning: a cell of a numeric column that is not a number, read as null.
    case csvNotANumber(column: String, text: String)
    /// A warning: how many more cells of a column were not numbers, past those listed.
    case csvMoreNotNumbers(column: String, count: Int)
    /// A warning: something loading decided that the reader should know (a reading chosen
    /// between two, a name changed), with what to do if it is wrong.
    case dataNote(String)
    /// A warning: a number typed in a query (`6.652`) that Indonesian output would show for
    /// another number (6652).
    case ambiguousLiteral(String, decimal: String, thousands: String)
    // Running
    case cancelled
    case tooManyRows(limit: Int)
    case budgetExceeded(what: String, limit: Int)
    case auditNeedsClaims(missing: String)
    case auditInsideAudit
    // SQL
    /// A plan the SQL target cannot run with LKQ's meaning.
    case sqlUnsupported(String, target: String, hint: String)
    /// A query that reads tables of the database and tables of LKQ's own.
    case sqlMixedSources(local: String, database: String)
    /// What the database said.
    case database(String)
}

/// A problem found in LKQ text or data, with where it is and what to do about it.
public struct Diagnostic: Sendable, Error {
    public var kind: DiagnosticKind
    public var location: DiagnosticLocation
    /// Extra lines printed after the message (for example which rows were skipped).
    public var notes: [String] = []

    /// Whether this reports something LKQ worked around (a skipped row) rather than a failure.
    public var isWarning: Bool {
        switch kind {
        case .csvRowSkipped, .cacheRefused, .limitBeforeSort, .columnHidesValue, .mixedLevels, .caseOnlyMatch,
             .windowTies, .csvNotANumber, .csvMoreNotNumbers, .dataNote, .ambiguousLiteral: return true
        default: return false
        }
    }

    public init(_ kind: DiagnosticKind, _ location: DiagnosticLocation, notes: [String] = []) {
        self.kind = kind
        self.location = location
        self.notes = notes
    }

    public init(_ kind: DiagnosticKind, in source: SourceFile, at range: SourceRange) {
        self.init(kind, .source(source, range))
    }

    /// The source range, for diagnostics in LKQ text (an empty range otherwise).
    public var range: SourceRange {
        if case .source(_, let r) = location { return r }
        return SourceRange(0, 0)
    }

    /// The one sentence that says what went wrong.
    public var message: String {
        switch kind {
        case .unexpectedCharacter(let c):
            return "unexpected character '\(clip(c))'"
        case .unterminatedString:
            return "unterminated string; add the closing quote"
        case .unterminatedName:
            return "unterminated `name`; add the closing backquote on the same line"
        case .invalidNumber(let text):
            if let first = text.first, first.isNumber, text.contains(where: \.isLetter) {
                return "invalid number '\(clip(text))'; a magnitude is written rb, jt, m (miliar) or t (triliun), as in 100jt"
            }
            return "invalid number '\(clip(text))'"
        case .integerTooLarge(let text):
            return "'\(text)' is too large for a whole number (64 bits, at most 9223372036854775807); quote it if it is a code, or add '.0' for an approximate decimal"
        case .invalidUTF8:
            return "not valid UTF-8 here; LKQ text must be UTF-8 (save the script as UTF-8, or set the terminal to UTF-8)"
        case .expected(let what, let found):
            return "expected \(what), found \(clip(found))"
        case .expectedClosing(let closer, let opener, let line, let column):
            return "expected '\(closer)' to close '\(opener)' at \(line):\(column)"
        case .unknownStage(let name, let suggestion):
            return "unknown stage '\(clip(name))'; did you mean '\(suggestion)'?"
        case .nestingTooDeep(let limit):
            return "expression nested too deeply (more than \(limit) levels); split it up"
        case .sqlHabit(let word, let write):
            return "'\(clip(word))' is SQL; in LKQ write \(write)"
        case .invalidLimit(let text):
            return "limit needs a whole number of rows, not '\(clip(text))'"
        case .unknownTable(let name, let suggestion):
            return "unknown table '\(clip(name))'" + didYouMean(suggestion, or: "; '.tables' lists the tables")
        case .unknownColumn(let name, let table, let suggestion):
            return "unknown column '\(clip(name))' in \(table)" + didYouMean(suggestion, or: "; '.schema \(table)' lists its columns")
        case .unknownFunction(let name, let suggestion):
            return "unknown function '\(clip(name))'" + didYouMean(suggestion, or: "")
        case .duplicateColumn(let name):
            return "column '\(clip(name))' appears twice; rename one with 'as'"
        case .noDefaultMeasure(let table):
            return "\(table) has no default measure; name the column to compare"
        case .cannotRedefineTable(let name):
            return "'\(clip(name))' is a table; choose another name for the let"
        case .valueAsTable(let name):
            return "'\(clip(name))' is a value, not a table; use it in an expression, as in 'capaian where capaian < \(clip(name))'"
        case .parameterMissing(let name):
            return "parameter '\(clip(name))' has no value; pass --param \(clip(name))=VALUE, or give it a default: param \(clip(name)) = VALUE"
        case .parameterType(let name, let given, let expected):
            return "parameter '\(clip(name))' is '\(clip(given))', but its default is \(expected); pass \(expected)"
        case .aggregateInsideAggregate(let name):
            return "\(clip(name))() inside another aggregate; aggregate the rows once, or group first and aggregate the groups in a second stage"
        case .windowNeedsOver(let name):
            return "\(clip(name))() is a window function; add over (...), as in \(clip(name))() over (by induk sort pagu desc)"
        case .windowOutsideProjection(let name):
            return "\(clip(name))() over (...) can only be used in 'extend' or 'select'; compute it there, then filter or sort on its name"
        case .windowNeedsOrder(let name):
            return "\(clip(name))() needs an order; add sort to over (...), as in over (by induk sort pagu desc)"
        case .runningMedianTooLong(let rows, let limit):
            return "a running median over \(rows) rows of one partition is too slow (at most \(limit)); partition with 'by', or take median over the whole partition without 'sort'"
        case .limitBeforeSort:
            return "limit before sort keeps the first rows as they come and then sorts only those; for the top rows write sort first, then limit"
        case .columnHidesValue(let name):
            return "'\(clip(name))' is both a column and a value named by let or param; the column is used here (rename the value to use it)"
        case .mixedLevels(let levels, let suggestion):
            return "this adds up rows of \(levels.count) budget levels (\(levels.joined(separator: ", "))), so amounts are counted once per level above them; add | where level = \"\(suggestion)\" (or the level you mean) first"
        case .windowTies(let function, let rows):
            return "\(rows) rows tie on the window's sort keys, so \(function)() depends on their order: LKQ takes tied rows in table order, which a database does not keep; add a key to the sort that tells them apart"
        case .caseOnlyMatch(let text, let found):
            return "no row is \"\(clip(text))\", but some are \"\(clip(found))\"; text '=' is case-sensitive (use ~ or lower() to ignore case)"
        case .typeMismatch(let op, let left, let right):
            return "cannot apply '\(op)' to \(left) and \(right)"
        case .notNumeric(let op, let type):
            return "'\(op)' needs a number, not \(type)"
        case .wrongArgumentCount(let function, let expected, let got):
            return "\(function)() takes \(expected), not \(got)"
        case .aggregateOutsideGroup(let name):
            return "\(clip(name))() is an aggregate; use it after 'group by' or as a stage ('| \(clip(name)) col')"
        case .integerOverflow(let op):
            return "integer overflow in '\(op)'; the result does not fit in 64 bits"
        case .decimalOverflow(let op):
            return "number overflow in '\(op)'; the result is beyond the range of a decimal (about ±1.8e308); scale the values down first"
        case .conditionAsValue:
            return "a condition (comparison, ~, is null, and/or/not) can only be used after 'where'"
        case .valueAsCondition(let text):
            return "'\(clip(text))' is a value, not a condition; compare it, as in '\(clip(text)) > 0'"
        case .notInGroup(let name):
            return "column '\(clip(name))' is neither a group key nor inside an aggregate; add it to 'group by' or wrap it, as in max(\(clip(name)))"
        case .noLabelColumn(let table):
            return "\(clip(table)) has no text column to label the bars; name one, as in 'bar indikator capaian'"
        case .noYearColumn(let table):
            return "\(clip(table)) has no year column (tahun or year); name one, as in 'spark capaian by tahun'"
        case .duplicateYear(let series, let year):
            return "\(series) has more than one value for \(year); keep one with 'where', or add them up first with 'group by'"
        case .tooManyYears(let column, let count, let limit):
            return "'\(column)' has \(count) different values, more than the \(limit) a sparkline can show; is it the year?"
        case .fileNotFound(let path):
            return "no such file '\(path)'"
        case .fileUnreadable(let path, let reason):
            return "cannot read '\(path)': \(reason)"
        case .csvUnterminatedQuote:
            return "quoted field is never closed; add the closing '\"'"
        case .csvFieldCount(let expected, let got):
            return "row has \(fields(got)) but the header has \(expected); fix the row or skip bad rows with --skip-bad-rows"
        case .csvBadValue(let column, let type, let text):
            return "'\(clip(text))' in column '\(column)' is not \(type); fix the value or skip bad rows with --skip-bad-rows"
        case .csvEmpty:
            return "the file is empty; a CSV needs a header row"
        case .csvInvalidUTF8:
            return "the file is not valid UTF-8 here; save it as UTF-8"
        case .csvNulByte:
            return "the file holds a NUL byte here, which CSV text never does; is it UTF-16 or binary? save it as UTF-8 CSV"
        case .csvCharacterAfterQuote:
            return "unexpected character after a closing quote; write a quote inside a quoted field as \"\""
        case .csvHeaderMismatch(let position, let expected, let found):
            return "header column \(position) is '\(clip(found))' but the schema expects '\(expected)'; fix the header or the schema"
        case .notFiniteValue(let column, let row):
            return "value \(row + 1) of column '\(column)' is not a finite number (NaN or infinity); use nil for a missing value"
        case .csvRowSkipped(let reason):
            switch reason {
            case .csvFieldCount(let expected, let got):
                return "row skipped: it has \(fields(got)) but the header has \(expected)"
            case .csvBadValue(let column, let type, let text):
                return "row skipped: '\(clip(text))' in column '\(column)' is not \(type)"
            default:
                return "row skipped: " + Diagnostic(reason, .none).message
            }
        case .cacheRefused(let reason):
            return reason + "; files are read without the cache"
        case .csvNotANumber(let column, let text):
            return "'\(clip(text))' in numeric column '\(column)' is not a number; read as null (--strict makes this an error)"
        case .csvMoreNotNumbers(let column, let count):
            return "\(count) more \(count == 1 ? "cell" : "cells") of column '\(column)' \(count == 1 ? "is" : "are") not a number; read as null ('.schema' lists where the first is)"
        case .dataNote(let text):
            return text
        case .ambiguousLiteral(let written, let decimal, let thousands):
            return "'\(written)' in a query is \(decimal) (a decimal point, as always in LKQ), not \(thousands) as Indonesian output writes it; for \(thousands) write \(thousands)"
        case .cancelled:
            return "query cancelled"
        case .tooManyRows(let limit):
            return "the join would make more than \(limit) rows (a key shared by many rows on both sides multiplies them); join on more keys or filter the rows first, or raise the limit (lkq --max-join-rows)"
        case .budgetExceeded(let what, let limit):
            return "query stopped: it exceeded its budget of \(limit) \(what); narrow it with where or limit, or raise the budget"
        case .auditNeedsClaims(let missing):
            return "audit needs a table 'klaim' with columns id, klaim, sumber, nilai, desimal, query (\(missing)); load one with .load"
        case .sqlMixedSources(let local, let database):
            return "'\(local)' is a table in LKQ and '\(database)' one in the database, and a query runs in one place: bring the database rows over first (let d = \(database) where ... keeps only the rows its query returns), or put '\(local)' in the database"
        case .database(let message):
            return "database: \(message)"
        case .sqlUnsupported(let what, let target, let hint):
            return "\(what) does not compile to \(target): \(hint)"
        case .auditInsideAudit:
            return "a claim's query cannot run audit itself; recompute the value from the tables instead"
        }
    }

    /// User text in a message, cut to a readable length (a name can be megabytes long).
    private func clip(_ text: String) -> String {
        text.count <= 60 ? text : String(text.prefix(57)) + "…"
    }

    private func fields(_ n: Int) -> String { n == 1 ? "1 field" : "\(n) fields" }

    private func didYouMean(_ suggestion: String?, or fallback: String) -> String {
        if let suggestion { return "; did you mean '\(suggestion)'?" }
        return fallback
    }

    /// `SOURCE:LINE:COL: error: MESSAGE`, then the offending line with a caret under the spot.
    public func rendered(color: Bool = false) -> String {
        let red = color ? "\u{1B}[1;31m" : "", bold = color ? "\u{1B}[1m" : "", reset = color ? "\u{1B}[0m" : ""
        var out = ""
        switch location {
        case .source(let file, let range):
            let (line, column) = file.location(of: range.start)
            out = "\(bold)\(file.name):\(line):\(column):\(reset) \(red)\(isWarning ? "warning:" : "error:")\(reset) \(message)"
            var text = file.lineText(containing: range.start)
            let lineStart = file.lineStart(containing: range.start)
            let endOnLine = min(range.end, lineStart + text.utf8.count)
            var width = max(1, file.slice(SourceRange(range.start, endOnLine)).count)
            var indent = column - 1
            // A very long line is shown as a window around the spot.
            let window = 100
            if text.count > window + 20 {
                let from = max(0, indent - 30)
                let characters = Array(text)
                let upTo = min(characters.count, from + window)
                text = (from > 0 ? "…" : "") + String(characters[from..<upTo]) + (upTo < characters.count ? "…" : "")
                indent = indent - from + (from > 0 ? 1 : 0)
                width = max(1, min(width, upTo - (column - 1)))
            }
            out += "\n    \(text)\n    " + String(repeating: " ", count: indent) + red + String(repeating: "^", count: width) + reset
        case .file(let path, let line, let column):
            let label = isWarning ? "warning:" : "error:"
            out = "\(bold)\(path):\(line):\(column):\(reset) \(red)\(label)\(reset) \(message)"
        case .cell(let path, let place):
            out = "\(bold)\(path): \(place):\(reset) \(red)\(isWarning ? "warning:" : "error:")\(reset) \(message)"
        case .none:
            out = "\(red)\(isWarning ? "warning:" : "error:")\(reset) \(message)"
        }
        for note in notes { out += "\n" + note }
        return out
    }
}
