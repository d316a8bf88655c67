// The functions of include/lkqc.h. Each takes and returns only C types: opaque handles (raw
// pointers to the objects of Handles.swift), integers, doubles and C text. Constants mirror the
// header's #defines; tests/check-header.py checks the prototypes against it.
import Foundation
import LKQ

// MARK: Handles

private func retained(_ object: AnyObject) -> UnsafeMutableRawPointer {
    Unmanaged.passRetained(object).toOpaque()
}

private func borrowed<T: AnyObject>(_ pointer: UnsafeRawPointer?, as type: T.Type) -> T? {
    guard let pointer else { return nil }
    return Unmanaged<T>.fromOpaque(pointer).takeUnretainedValue()
}

private func release<T: AnyObject>(_ pointer: UnsafeMutableRawPointer?, as type: T.Type) {
    guard let pointer else { return }
    Unmanaged<T>.fromOpaque(pointer).release()
}

private func string(_ text: UnsafePointer<CChar>?) -> String? {
    text.map { String(cString: $0) }
}

/// Static C text for the error kinds: it lives as long as the program.
private func staticText(_ text: StaticString) -> UnsafePointer<CChar> {
    UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
}

/// The version of the C interface (include/lkqc.h), 1.
@_cdecl("lkq_api_version")
public func lkq_api_version() -> Int32 { 1 }

/// Frees text the caller owns: a `char *` this library returned.
@_cdecl("lkq_string_free")
public func lkq_string_free(_ text: UnsafeMutablePointer<CChar>?) {
    free(text)
}

// MARK: Engines

/// A new engine handle over the built-in data (flags & 1) or no tables.
@_cdecl("lkq_engine_open")
public func lkq_engine_open(_ flags: Int32) -> UnsafeMutableRawPointer {
    retained(EngineHandle(flags & 1 != 0 ? Engine() : Engine(tables: [])))
}

private func csvOptions(_ flags: Int32) -> CSVOptions {
    CSVOptions(locale: flags & 1 != 0 ? .indonesian : .auto, skipBadRows: flags & 2 != 0, useCache: flags & 4 != 0)
}

/// Runs a load, handing a failure to the caller as an owned error handle.
private func load(_ engine: UnsafeMutableRawPointer?, _ errorOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                  _ change: (Engine) throws(LKQError) -> Engine) -> Int32 {
    errorOut?.pointee = nil
    guard let handle = borrowed(engine, as: EngineHandle.self) else { return -1 }
    do throws(LKQError) {
        try handle.update(change)
        return 0
    } catch {
        errorOut?.pointee = retained(ErrorHandle(error))
        return -1
    }
}

/// Adds a CSV file as a table; 0, or -1 with an owned error in `error`.
@_cdecl("lkq_engine_load_csv")
public func lkq_engine_load_csv(_ engine: UnsafeMutableRawPointer?, _ path: UnsafePointer<CChar>?,
                                _ name: UnsafePointer<CChar>?, _ flags: Int32,
                                _ error: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32 {
    guard let path = string(path) else { return -1 }
    let name = string(name)
    return load(engine, error) { (e: Engine) throws(LKQError) in
        try e.loadingCSV(at: path, as: name, options: csvOptions(flags))
    }
}

/// Adds every CSV file of a folder; 0, or -1 with an owned error in `error`.
@_cdecl("lkq_engine_load_directory")
public func lkq_engine_load_directory(_ engine: UnsafeMutableRawPointer?, _ path: UnsafePointer<CChar>?,
                                      _ flags: Int32, _ error: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32 {
    guard let path = string(path) else { return -1 }
    return load(engine, error) { (e: Engine) throws(LKQError) in
        try e.loadingDirectory(path, options: csvOptions(flags))
    }
}

/// How many tables the engine has.
@_cdecl("lkq_engine_table_count")
public func lkq_engine_table_count(_ engine: UnsafeMutableRawPointer?) -> Int {
    borrowed(engine, as: EngineHandle.self)?.engine.tables.count ?? 0
}

/// The name of table `index`, owned by the caller; NULL out of range.
@_cdecl("lkq_engine_table_name")
public func lkq_engine_table_name(_ engine: UnsafeMutableRawPointer?, _ index: Int) -> UnsafeMutablePointer<CChar>? {
    guard let tables = borrowed(engine, as: EngineHandle.self)?.engine.tables,
          index >= 0, index < tables.count else { return nil }
    return mallocString(tables[index].name)
}

/// Releases the engine handle; sessions opened from it keep their own copy.
@_cdecl("lkq_engine_free")
public func lkq_engine_free(_ engine: UnsafeMutableRawPointer?) {
    release(engine, as: EngineHandle.self)
}

// MARK: Sessions

/// A new session over the engine's tables as they are now.
@_cdecl("lkq_session_open")
public func lkq_session_open(_ engine: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    guard let handle = borrowed(engine, as: EngineHandle.self) else { return nil }
    return retained(SessionHandle(handle.engine.makeSession()))
}

/// Limits on later statements; 0 or less leaves a limit off.
@_cdecl("lkq_session_set_budget")
public func lkq_session_set_budget(_ session: UnsafeMutableRawPointer?, _ maxRowsScanned: Int64,
                                   _ maxRowsProduced: Int64, _ timeLimitMilliseconds: Int64) {
    borrowed(session, as: SessionHandle.self)?.setBudget(QueryBudget(
        maxRowsScanned: maxRowsScanned > 0 ? Int(maxRowsScanned) : nil,
        maxRowsProduced: maxRowsProduced > 0 ? Int(maxRowsProduced) : nil,
        timeLimit: timeLimitMilliseconds > 0 ? .milliseconds(timeLimitMilliseconds) : nil))
}

/// From any thread: cancels the running script, or else the next one.
@_cdecl("lkq_session_cancel")
public func lkq_session_cancel(_ session: UnsafeMutableRawPointer?) {
    borrowed(session, as: SessionHandle.self)?.cancellation.cancel()
}

/// Runs a script and returns the run handle the caller frees.
@_cdecl("lkq_session_run")
public func lkq_session_run(_ session: UnsafeMutableRawPointer?, _ script: UnsafePointer<CChar>?,
                            _ sourceName: UnsafePointer<CChar>?, _ flags: Int32) -> UnsafeMutableRawPointer? {
    guard let handle = borrowed(session, as: SessionHandle.self), let script else { return nil }
    // Bytes, not String(cString:), so that text that is not UTF-8 is reported at its place
    // instead of being silently repaired.
    let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(script).assumingMemoryBound(to: UInt8.self),
                                          count: strlen(script)))
    return retained(handle.run(bytes, sourceName: string(sourceName) ?? "<input>", bail: flags & 1 != 0))
}

/// Releases the session handle.
@_cdecl("lkq_session_free")
public func lkq_session_free(_ session: UnsafeMutableRawPointer?) {
    release(session, as: SessionHandle.self)
}

// MARK: Runs

private func outcome(_ run: UnsafeRawPointer?, _ index: Int) -> RunHandle.Outcome? {
    guard let outcomes = borrowed(run, as: RunHandle.self)?.outcomes, index >= 0, index < outcomes.count else { return nil }
    return outcomes[index]
}

private func lent(_ object: AnyObject) -> UnsafeRawPointer {
    UnsafeRawPointer(Unmanaged.passUnretained(object).toOpaque())
}

/// How many statements the run reports on.
@_cdecl("lkq_run_statement_count")
public func lkq_run_statement_count(_ run: UnsafeRawPointer?) -> Int {
    borrowed(run, as: RunHandle.self)?.outcomes.count ?? 0
}

/// 0 result, 1 bound, 2 failed; -1 out of range.
@_cdecl("lkq_run_status")
public func lkq_run_status(_ run: UnsafeRawPointer?, _ index: Int) -> Int32 {
    switch outcome(run, index) {
    case .result: return 0
    case .bound: return 1
    case .failed: return 2
    case nil: return -1
    }
}

/// The rows of a query statement, borrowed from the run.
@_cdecl("lkq_run_result")
public func lkq_run_result(_ run: UnsafeRawPointer?, _ index: Int) -> UnsafeRawPointer? {
    guard case .result(let result) = outcome(run, index) else { return nil }
    return lent(result)
}

/// The name a `let` bound, borrowed from the run.
@_cdecl("lkq_run_bound_name")
public func lkq_run_bound_name(_ run: UnsafeRawPointer?, _ index: Int) -> UnsafePointer<CChar>? {
    guard case .bound(let name) = outcome(run, index) else { return nil }
    return UnsafePointer(name)
}

/// The error of a failed statement, borrowed from the run.
@_cdecl("lkq_run_error")
public func lkq_run_error(_ run: UnsafeRawPointer?, _ index: Int) -> UnsafeRawPointer? {
    guard case .failed(let error) = outcome(run, index) else { return nil }
    return lent(error)
}

/// The result of the last query of the script, borrowed from the run.
@_cdecl("lkq_run_last_result")
public func lkq_run_last_result(_ run: UnsafeRawPointer?) -> UnsafeRawPointer? {
    guard let outcomes = borrowed(run, as: RunHandle.self)?.outcomes else { return nil }
    for case .result(let result) in outcomes.reversed() { return lent(result) }
    return nil
}

/// The first failed statement's error, borrowed from the run.
@_cdecl("lkq_run_first_error")
public func lkq_run_first_error(_ run: UnsafeRawPointer?) -> UnsafeRawPointer? {
    guard let outcomes = borrowed(run, as: RunHandle.self)?.outcomes else { return nil }
    for case .failed(let error) in outcomes { return lent(error) }
    return nil
}

/// Releases the run with everything borrowed from it.
@_cdecl("lkq_run_free")
public func lkq_run_free(_ run: UnsafeMutableRawPointer?) {
    release(run, as: RunHandle.self)
}

// MARK: Results

/// Number of rows.
@_cdecl("lkq_result_row_count")
public func lkq_result_row_count(_ result: UnsafeRawPointer?) -> Int {
    borrowed(result, as: ResultHandle.self)?.result.rowCount ?? 0
}

/// Number of columns.
@_cdecl("lkq_result_column_count")
public func lkq_result_column_count(_ result: UnsafeRawPointer?) -> Int {
    borrowed(result, as: ResultHandle.self)?.result.fields.count ?? 0
}

/// A column's name, borrowed from the result.
@_cdecl("lkq_result_column_name")
public func lkq_result_column_name(_ result: UnsafeRawPointer?, _ column: Int) -> UnsafePointer<CChar>? {
    guard let names = borrowed(result, as: ResultHandle.self)?.names, column >= 0, column < names.count else { return nil }
    return UnsafePointer(names[column])
}

/// 1 int, 2 double, 3 text; 0 out of range.
@_cdecl("lkq_result_column_type")
public func lkq_result_column_type(_ result: UnsafeRawPointer?, _ column: Int) -> Int32 {
    guard let fields = borrowed(result, as: ResultHandle.self)?.result.fields, column >= 0, column < fields.count else { return 0 }
    switch fields[column].type {
    case .int: return 1
    case .double: return 2
    case .text: return 3
    }
}

private func value(_ result: UnsafeRawPointer?, _ row: Int, _ column: Int) -> Value {
    guard let handle = borrowed(result, as: ResultHandle.self), handle.contains(row, column) else { return .null }
    return handle.result[row, column]
}

/// 1 when the cell is null or out of range.
@_cdecl("lkq_result_is_null")
public func lkq_result_is_null(_ result: UnsafeRawPointer?, _ row: Int, _ column: Int) -> Int32 {
    value(result, row, column) == .null ? 1 : 0
}

/// The cell as an integer; 0 for null, text or out of range.
@_cdecl("lkq_result_int")
public func lkq_result_int(_ result: UnsafeRawPointer?, _ row: Int, _ column: Int) -> Int64 {
    switch value(result, row, column) {
    case .int(let v): return v
    // Truncation as C's cast does, but never a trap for a double no Int64 holds.
    case .double(let d): return Int64(exactly: d.rounded(.towardZero)) ?? 0
    default: return 0
    }
}

/// The cell as a double; 0 for null, text or out of range.
@_cdecl("lkq_result_double")
public func lkq_result_double(_ result: UnsafeRawPointer?, _ row: Int, _ column: Int) -> Double {
    switch value(result, row, column) {
    case .int(let v): return Double(v)
    case .double(let d): return d
    default: return 0
    }
}

/// The text of a text cell, borrowed from the result; NULL otherwise.
@_cdecl("lkq_result_text")
public func lkq_result_text(_ result: UnsafeRawPointer?, _ row: Int, _ column: Int) -> UnsafePointer<CChar>? {
    borrowed(result, as: ResultHandle.self)?.text(row, column)
}

/// The result as table, CSV, JSON or Markdown text, owned by the caller.
@_cdecl("lkq_result_render")
public func lkq_result_render(_ result: UnsafeRawPointer?, _ format: Int32) -> UnsafeMutablePointer<CChar>? {
    guard let handle = borrowed(result, as: ResultHandle.self) else { return nil }
    let formats: [OutputFormat] = [.table, .csv, .json, .markdown]
    guard format >= 0, Int(format) < formats.count else { return nil }
    return mallocString(ResultFormatter(format: formats[Int(format)]).render(handle.result))
}

/// How many warnings the query raised.
@_cdecl("lkq_result_warning_count")
public func lkq_result_warning_count(_ result: UnsafeRawPointer?) -> Int {
    borrowed(result, as: ResultHandle.self)?.warnings.count ?? 0
}

/// A warning of the query, borrowed from the result.
@_cdecl("lkq_result_warning")
public func lkq_result_warning(_ result: UnsafeRawPointer?, _ index: Int) -> UnsafeRawPointer? {
    guard let warnings = borrowed(result, as: ResultHandle.self)?.warnings, index >= 0, index < warnings.count else { return nil }
    return lent(warnings[index])
}

// MARK: Errors

/// 1 for a warning, 0 for an error.
@_cdecl("lkq_error_is_warning")
public func lkq_error_is_warning(_ error: UnsafeRawPointer?) -> Int32 {
    borrowed(error, as: ErrorHandle.self)?.error.isWarning == true ? 1 : 0
}

/// The error's kind as an LKQ_ERROR_* number.
@_cdecl("lkq_error_kind")
public func lkq_error_kind(_ error: UnsafeRawPointer?) -> Int32 {
    switch borrowed(error, as: ErrorHandle.self)?.error.kind {
    case .lexical: return 1
    case .syntax: return 2
    case .name: return 3
    case .type: return 4
    case .data: return 5
    case .cancelled: return 6
    case .limit: return 7
    case .unsupported: return 8
    case nil: return 0
    }
}

/// The error's kind as static text.
@_cdecl("lkq_error_kind_name")
public func lkq_error_kind_name(_ error: UnsafeRawPointer?) -> UnsafePointer<CChar>? {
    switch borrowed(error, as: ErrorHandle.self)?.error.kind {
    case .lexical: return staticText("lexical")
    case .syntax: return staticText("syntax")
    case .name: return staticText("name")
    case .type: return staticText("type")
    case .data: return staticText("data")
    case .cancelled: return staticText("cancelled")
    case .limit: return staticText("limit")
    case .unsupported: return staticText("unsupported")
    case nil: return nil
    }
}

/// One-based line of the error; 0 when it has no place.
@_cdecl("lkq_error_line")
public func lkq_error_line(_ error: UnsafeRawPointer?) -> Int32 {
    Int32(clamping: borrowed(error, as: ErrorHandle.self)?.error.line ?? 0)
}

/// One-based column of the error; 0 when it has no place.
@_cdecl("lkq_error_column")
public func lkq_error_column(_ error: UnsafeRawPointer?) -> Int32 {
    Int32(clamping: borrowed(error, as: ErrorHandle.self)?.error.column ?? 0)
}

/// The UTF-8 byte range of the error in the script, when it is in LKQ text.
@_cdecl("lkq_error_range")
public func lkq_error_range(_ error: UnsafeRawPointer?, _ start: UnsafeMutablePointer<Int>?,
                            _ end: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let range = borrowed(error, as: ErrorHandle.self)?.error.range else { return 0 }
    start?.pointee = range.lowerBound
    end?.pointee = range.upperBound
    return 1
}

/// The message alone, borrowed from the error.
@_cdecl("lkq_error_message")
public func lkq_error_message(_ error: UnsafeRawPointer?) -> UnsafePointer<CChar>? {
    borrowed(error, as: ErrorHandle.self).map { UnsafePointer($0.message) }
}

/// The message with its place, line and caret, borrowed from the error.
@_cdecl("lkq_error_rendered")
public func lkq_error_rendered(_ error: UnsafeRawPointer?) -> UnsafePointer<CChar>? {
    borrowed(error, as: ErrorHandle.self).map { UnsafePointer($0.rendered) }
}

/// The source name or CSV path of the error, borrowed; NULL when none.
@_cdecl("lkq_error_source")
public func lkq_error_source(_ error: UnsafeRawPointer?) -> UnsafePointer<CChar>? {
    borrowed(error, as: ErrorHandle.self)?.source.map { UnsafePointer($0) }
}

/// Releases an error the caller owns (from a load), never a borrowed one.
@_cdecl("lkq_error_free")
public func lkq_error_free(_ error: UnsafeMutableRawPointer?) {
    release(error, as: ErrorHandle.self)
}
