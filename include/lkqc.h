/*
 * lkqc.h: the C interface of LKQ (liblkqc.so), for hosts that are not Swift programs:
 * Python through ctypes, PHP through FFI, C and C++ directly.
 *
 * Handles. Every object is an opaque pointer made by an lkq_*_open or lkq_session_run call
 * and released by the matching lkq_*_free. Freeing NULL does nothing. No Swift type crosses
 * this interface: only the handles below, C integers, doubles and NUL-terminated UTF-8 text.
 *
 * Ownership of text. A `const char *` return value is BORROWED: it belongs to the handle it
 * came from and stays valid until that handle is freed (for results and errors reached
 * through an lkq_run, until the lkq_run is freed). A `char *` return value is OWNED by the
 * caller, who releases it with lkq_string_free. Static text (lkq_error_kind_name)
 * is never freed.
 *
 * Threads. An engine may be shared by any number of threads. A session runs one script at a
 * time (a second lkq_session_run on the same session waits for the first); open one session
 * per thread to run in parallel. lkq_session_cancel may be called from any thread at any time.
 * Runs, results and errors are read-only and may be read from any thread.
 *
 * bindings/c/check-header.py (make check-header) checks this file against the symbols liblkqc.so
 * exports and against the prototypes the Swift compiler derives from Sources/LKQC.
 */
#ifndef LKQC_H
#define LKQC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The tables to query: built-in LKIP 2023 data and/or CSV files. Shareable between threads. */
typedef struct lkq_engine lkq_engine;
/* A place to run statements; remembers `let` names between runs. One run at a time. */
typedef struct lkq_session lkq_session;
/* What became of each statement of one script. Owns its results and errors. */
typedef struct lkq_run lkq_run;
/* The rows of one query: named, typed columns. Borrowed from its lkq_run. */
typedef struct lkq_result lkq_result;
/* A located error: kind, line, column, message, and the rendered text with a caret. */
typedef struct lkq_error lkq_error;

/* lkq_engine_open flags. */
#define LKQ_ENGINE_EMPTY   0  /* no tables: load CSV files into it */
#define LKQ_ENGINE_BUILTIN 1  /* the built-in LKIP 2023 of Dinas PMD Provinsi NTT */

/* lkq_engine_load_csv / lkq_engine_load_directory flags (combine with |). */
#define LKQ_CSV_DEFAULT       0  /* number style detected per column, bad rows are errors, no cache */
#define LKQ_CSV_INDONESIAN    1  /* read 1.476 as 1476 and 98,40 as 98.4 */
#define LKQ_CSV_SKIP_BAD_ROWS 2  /* leave out malformed rows instead of failing */
#define LKQ_CSV_CACHE         4  /* keep a binary column cache ($LKQ_CACHE_DIR, else ~/.cache/lkq) */

/* lkq_session_run flags. */
#define LKQ_RUN_ALL  0  /* run every statement, as the lkq command does; a failed one does not stop the rest */
#define LKQ_RUN_BAIL 1  /* stop at the first failed statement */

/* lkq_run_status values. */
#define LKQ_STATEMENT_RESULT 0  /* a query: lkq_run_result gives its rows */
#define LKQ_STATEMENT_BOUND  1  /* a `let`: lkq_run_bound_name gives the name */
#define LKQ_STATEMENT_FAILED 2  /* lkq_run_error gives the located error */

/* lkq_result_column_type values. */
#define LKQ_TYPE_INT    1  /* int64_t: counts, years, exact rupiah */
#define LKQ_TYPE_DOUBLE 2  /* double: percentages and other decimals */
#define LKQ_TYPE_TEXT   3  /* UTF-8 text */

/* lkq_result_render formats. */
#define LKQ_FORMAT_TABLE    0  /* aligned columns, as lkq prints on a terminal (never cut) */
#define LKQ_FORMAT_CSV      1  /* RFC 4180 with a header row, as `lkq -f csv` */
#define LKQ_FORMAT_JSON     2  /* an array of row objects, as `lkq -f json` */
#define LKQ_FORMAT_MARKDOWN 3  /* a GitHub-flavoured Markdown table */

/* lkq_error_kind values. */
#define LKQ_ERROR_LEXICAL   1  /* a character or token LKQ cannot read */
#define LKQ_ERROR_SYNTAX    2  /* tokens that do not form a statement */
#define LKQ_ERROR_NAME      3  /* an unknown table, column or function */
#define LKQ_ERROR_TYPE      4  /* values of the wrong type for an operation */
#define LKQ_ERROR_DATA      5  /* a data file that cannot be read or parsed */
#define LKQ_ERROR_CANCELLED 6  /* stopped by lkq_session_cancel */
#define LKQ_ERROR_LIMIT     7  /* stopped by the session's budget */
#define LKQ_ERROR_UNSUPPORTED 8  /* a form the target (a SQL dialect, a database) cannot keep */

/* The version of this interface (1); changes when a function changes. */
int lkq_api_version(void);
/* Frees text the caller owns (a `char *` this library returned). NULL does nothing. */
void lkq_string_free(char *text);

/* ---- Engines ---- */

/* A new engine; flags LKQ_ENGINE_BUILTIN or LKQ_ENGINE_EMPTY. Never NULL. */
lkq_engine *lkq_engine_open(int flags);
/* Adds the CSV file at `path` as a table named `name` (NULL: the file name without .csv).
 * Returns 0, or -1 with *error set (when error is not NULL) to an error the caller frees with
 * lkq_error_free. Sessions opened before the call do not see the table. */
int lkq_engine_load_csv(lkq_engine *engine, const char *path, const char *name, int flags, lkq_error **error);
/* Adds every *.csv file of the folder `path`, each named after its file. As lkq_engine_load_csv. */
int lkq_engine_load_directory(lkq_engine *engine, const char *path, int flags, lkq_error **error);
/* Number of tables, and the name of table `index` (caller-owned: lkq_string_free; NULL out of range). */
size_t lkq_engine_table_count(lkq_engine *engine);
char *lkq_engine_table_name(lkq_engine *engine, size_t index);
/* Frees the engine. Sessions opened from it stay usable. */
void lkq_engine_free(lkq_engine *engine);

/* ---- Sessions ---- */

/* A new session over the engine's tables as they are now. NULL only when engine is NULL. */
lkq_session *lkq_session_open(lkq_engine *engine);
/* Limits on every later statement: rows read, rows any stage produces, milliseconds of time.
 * A value of 0 or less leaves that limit off. A statement that passes one fails with LKQ_ERROR_LIMIT. */
void lkq_session_set_budget(lkq_session *session, int64_t max_rows_scanned, int64_t max_rows_produced,
                            int64_t time_limit_ms);
/* From any thread: stops the script the session is running, whose running and remaining
 * statements fail with LKQ_ERROR_CANCELLED; when none is running, the next run is cancelled. */
void lkq_session_cancel(lkq_session *session);
/* Runs the statements of `script` (UTF-8; text that is not fails as a located error), reporting
 * errors under `source_name` (NULL: "<input>"; the lkq command uses "-e" for -e text).
 * flags: LKQ_RUN_ALL or LKQ_RUN_BAIL. Returns a run the caller frees with lkq_run_free; NULL
 * only when session or script is NULL. */
lkq_run *lkq_session_run(lkq_session *session, const char *script, const char *source_name, int flags);
/* Frees the session. Must not be running (cancel it and let lkq_session_run return first). */
void lkq_session_free(lkq_session *session);

/* ---- Runs: one entry per statement ---- */

size_t lkq_run_statement_count(const lkq_run *run);
/* LKQ_STATEMENT_RESULT, _BOUND or _FAILED; -1 when index is out of range. */
int lkq_run_status(const lkq_run *run, size_t index);
/* The rows of statement `index` (borrowed from the run), or NULL when it is not a query. */
const lkq_result *lkq_run_result(const lkq_run *run, size_t index);
/* The name a `let` bound (borrowed), or NULL. */
const char *lkq_run_bound_name(const lkq_run *run, size_t index);
/* The error of statement `index` (borrowed from the run: never pass it to lkq_error_free), or NULL. */
const lkq_error *lkq_run_error(const lkq_run *run, size_t index);
/* The result of the last query in the script, or NULL when none gave rows. */
const lkq_result *lkq_run_last_result(const lkq_run *run);
/* The first failed statement's error, or NULL when every statement ran. */
const lkq_error *lkq_run_first_error(const lkq_run *run);
/* Frees the run with its results, errors and all text borrowed from them. */
void lkq_run_free(lkq_run *run);

/* ---- Results: typed columns ---- */

size_t lkq_result_row_count(const lkq_result *result);
size_t lkq_result_column_count(const lkq_result *result);
/* Column name (borrowed), or NULL out of range. */
const char *lkq_result_column_name(const lkq_result *result, size_t column);
/* LKQ_TYPE_INT, _DOUBLE or _TEXT; 0 out of range. Every value of a column has its type or is null. */
int lkq_result_column_type(const lkq_result *result, size_t column);
/* 1 when the cell is null (the report's "-") or out of range, else 0. */
int lkq_result_is_null(const lkq_result *result, size_t row, size_t column);
/* The cell as an integer (a double is truncated); 0 for null, text or out of range. */
int64_t lkq_result_int(const lkq_result *result, size_t row, size_t column);
/* The cell as a double (an integer converted); 0 for null, text or out of range. */
double lkq_result_double(const lkq_result *result, size_t row, size_t column);
/* The text of a text cell (borrowed), or NULL for null, a number or out of range. */
const char *lkq_result_text(const lkq_result *result, size_t row, size_t column);
/* The whole result as text in an LKQ_FORMAT_*; caller-owned (lkq_string_free). NULL for an unknown format. */
char *lkq_result_render(const lkq_result *result, int format);
/* Warnings the query raised (a limit before a sort, amounts summed across budget levels, ...),
 * each a located error whose lkq_error_is_warning is 1; borrowed from the result. NULL out of range. */
size_t lkq_result_warning_count(const lkq_result *result);
const lkq_error *lkq_result_warning(const lkq_result *result, size_t index);

/* ---- Errors ---- */

/* LKQ_ERROR_* */
int lkq_error_kind(const lkq_error *error);
/* "lexical", "syntax", "name", "type", "data", "cancelled" or "limit" (static text). */
const char *lkq_error_kind_name(const lkq_error *error);
/* 1 for a warning (from lkq_result_warning), 0 for an error. */
int lkq_error_is_warning(const lkq_error *error);
/* One-based line and column (in characters) of the error; 0 when it has no place. */
int lkq_error_line(const lkq_error *error);
int lkq_error_column(const lkq_error *error);
/* UTF-8 byte offsets of the offending text within the script: returns 1 and sets *start and
 * *end (end exclusive), or returns 0 when the error is not in LKQ text (a CSV file, a cancel). */
int lkq_error_range(const lkq_error *error, size_t *start, size_t *end);
/* The message alone (borrowed): "unknown column 'sasran' in capaian; did you mean 'sasaran'?". */
const char *lkq_error_message(const lkq_error *error);
/* "SOURCE:LINE:COL: error: MESSAGE", the line and a caret, as lkq prints it (borrowed). */
const char *lkq_error_rendered(const lkq_error *error);
/* The script's source name or the CSV file's path (borrowed), or NULL. */
const char *lkq_error_source(const lkq_error *error);
/* Frees an error the caller owns (from lkq_engine_load_*), never one borrowed from a run. */
void lkq_error_free(lkq_error *error);

#ifdef __cplusplus
}
#endif

#endif /* LKQC_H */
