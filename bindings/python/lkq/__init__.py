"""LKQ from Python: the query language for Indonesian government performance data.

Pure Python over ctypes and the C library liblkqc.so (include/lkqc.h); nothing to compile.

    import lkq
    with lkq.connect() as db:                       # the built-in LKIP 2023 data
        result = db.run("capaian where sasaran=2 and < 75 | select no, indikator, capaian")
        for row in result:                          # rows as dicts
            print(row["indikator"], row["capaian"])
        result.to_columns()                         # {"no": [...], "indikator": [...], ...}

A failed statement raises lkq.Error, which carries kind, line, column, message and the
rendered text with its caret, exactly as the lkq command prints it.

The library is found at $LKQ_LIBRARY, else beside this package, else in the repository's
.build/release or .build/debug, else on the system's library path.
"""
import ctypes
import ctypes.util
import os
import threading

__all__ = ["connect", "Connection", "Result", "Error"]

_ENGINE_BUILTIN = 1
_CSV_INDONESIAN, _CSV_SKIP_BAD_ROWS, _CSV_CACHE = 1, 2, 4
_RUN_BAIL = 1
_STATEMENT_RESULT, _STATEMENT_BOUND, _STATEMENT_FAILED = 0, 1, 2
_TYPES = {1: "int", 2: "double", 3: "text"}


def _library_path():
    explicit = os.environ.get("LKQ_LIBRARY")
    if explicit:
        return explicit
    here = os.path.dirname(os.path.abspath(__file__))
    repository = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    candidates = [os.path.join(here, "liblkqc.so")] + [
        os.path.join(repository, ".build", config, "liblkqc.so") for config in ("release", "debug")]
    for path in candidates:
        if os.path.exists(path):
            return path
    found = ctypes.util.find_library("lkqc")
    if found:
        return found
    raise OSError("liblkqc.so not found: build it with `swift build --product lkqc` (or "
                  "`swift build -c release --product lkqc`) in the LKQ repository, or set LKQ_LIBRARY to its path")


_lib = None
_lib_lock = threading.Lock()


def _load():
    """The C library, loaded once, with the prototype of every function this module calls."""
    global _lib
    with _lib_lock:
        if _lib is not None:
            return _lib
        lib = ctypes.CDLL(_library_path())
        p, s, i, i64, d, cp = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int64, ctypes.c_double, ctypes.c_char_p
        prototypes = {
            "lkq_api_version": (i, []),
            "lkq_string_free": (None, [p]),
            "lkq_engine_open": (p, [i]),
            "lkq_engine_load_csv": (i, [p, cp, cp, i, ctypes.POINTER(p)]),
            "lkq_engine_load_directory": (i, [p, cp, i, ctypes.POINTER(p)]),
            "lkq_engine_table_count": (s, [p]),
            "lkq_engine_table_name": (p, [p, s]),
            "lkq_engine_free": (None, [p]),
            "lkq_session_open": (p, [p]),
            "lkq_session_set_budget": (None, [p, i64, i64, i64]),
            "lkq_session_cancel": (None, [p]),
            "lkq_session_run": (p, [p, cp, cp, i]),
            "lkq_session_free": (None, [p]),
            "lkq_run_statement_count": (s, [p]),
            "lkq_run_status": (i, [p, s]),
            "lkq_run_result": (p, [p, s]),
            "lkq_run_bound_name": (cp, [p, s]),
            "lkq_run_error": (p, [p, s]),
            "lkq_run_free": (None, [p]),
            "lkq_result_row_count": (s, [p]),
            "lkq_result_column_count": (s, [p]),
            "lkq_result_column_name": (cp, [p, s]),
            "lkq_result_column_type": (i, [p, s]),
            "lkq_result_is_null": (i, [p, s, s]),
            "lkq_result_int": (i64, [p, s, s]),
            "lkq_result_double": (d, [p, s, s]),
            "lkq_result_text": (cp, [p, s, s]),
            "lkq_result_render": (p, [p, i]),
            "lkq_result_warning_count": (s, [p]),
            "lkq_result_warning": (p, [p, s]),
            "lkq_error_kind_name": (cp, [p]),
            "lkq_error_line": (i, [p]),
            "lkq_error_column": (i, [p]),
            "lkq_error_message": (cp, [p]),
            "lkq_error_rendered": (cp, [p]),
            "lkq_error_source": (cp, [p]),
            "lkq_error_free": (None, [p]),
        }
        for name, (restype, argtypes) in prototypes.items():
            function = getattr(lib, name)
            function.restype = restype
            function.argtypes = argtypes
        if lib.lkq_api_version() != 1:
            raise OSError(f"liblkqc.so speaks C API version {lib.lkq_api_version()}; this package needs 1")
        _lib = lib
        return lib


def _text(raw):
    return None if raw is None else raw.decode("utf-8")


class Error(Exception):
    """A failed LKQ statement or data file: where it is and what went wrong.

    kind: "lexical", "syntax", "name", "type", "data", "cancelled", "limit" or "unsupported".
    line, column: one-based place of the error (None when it has none, as for a cancel).
    message: the message alone; rendered: `SOURCE:LINE:COL: error: ...` with the line and a caret.
    """

    def __init__(self, kind, line, column, message, rendered, source):
        super().__init__(rendered)
        self.kind, self.line, self.column = kind, line, column
        self.message, self.rendered, self.source = message, rendered, source

    @classmethod
    def _from_handle(cls, lib, handle):
        line, column = lib.lkq_error_line(handle), lib.lkq_error_column(handle)
        return cls(_text(lib.lkq_error_kind_name(handle)), line or None, column or None,
                   _text(lib.lkq_error_message(handle)), _text(lib.lkq_error_rendered(handle)),
                   _text(lib.lkq_error_source(handle)))


class Result:
    """The rows of one query, copied out of the library: a sequence of dicts, one per row.

    columns: the column names; types: "int", "double" or "text" for each.
    warnings: what the query ran into without failing (a limit before a sort, amounts summed
    across budget levels), each an lkq.Error with its place, as the command prints it.
    """

    def __init__(self, columns, types, data, json_text, warnings=()):
        self.columns, self.types = columns, types
        self._data = data  # one list of values per column
        self._json = json_text
        self.warnings = list(warnings)

    @classmethod
    def _from_handle(cls, lib, handle):
        ncols, nrows = lib.lkq_result_column_count(handle), lib.lkq_result_row_count(handle)
        columns = [_text(lib.lkq_result_column_name(handle, c)) for c in range(ncols)]
        types = [_TYPES[lib.lkq_result_column_type(handle, c)] for c in range(ncols)]
        read = {"int": lib.lkq_result_int, "double": lib.lkq_result_double,
                "text": lambda h, r, c: _text(lib.lkq_result_text(h, r, c))}
        data = []
        for c, kind in enumerate(types):
            get = read[kind]
            data.append([None if lib.lkq_result_is_null(handle, r, c) else get(handle, r, c) for r in range(nrows)])
        rendered = lib.lkq_result_render(handle, 2)
        try:
            json_text = ctypes.string_at(rendered).decode("utf-8")
        finally:
            lib.lkq_string_free(rendered)
        warnings = [Error._from_handle(lib, lib.lkq_result_warning(handle, w))
                    for w in range(lib.lkq_result_warning_count(handle))]
        return cls(columns, types, data, json_text, warnings)

    def __len__(self):
        return len(self._data[0]) if self._data else 0

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("row index out of range")
        return {name: values[index] for name, values in zip(self.columns, self._data)}

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self):
        return f"<lkq.Result {len(self)} rows: {', '.join(self.columns)}>"

    @property
    def rows(self):
        """Every row as a dict keyed by column name, in column order."""
        return list(self)

    def column(self, name):
        """The values of one column, top to bottom."""
        return list(self._data[self.columns.index(name.lower())])

    def to_columns(self):
        """{column name: list of values}, in column order."""
        return {name: list(values) for name, values in zip(self.columns, self._data)}

    def json(self):
        """The rows as JSON text, exactly as `lkq -f json` prints them."""
        return self._json

    def to_pandas(self):
        """A pandas DataFrame of the rows (integer columns with nulls become nullable Int64)."""
        try:
            import pandas
        except ImportError as missing:
            raise ImportError("to_pandas() needs pandas: pip install pandas") from missing
        frame = pandas.DataFrame(self.to_columns(), columns=self.columns)
        for name, kind, values in zip(self.columns, self.types, self._data):
            if kind == "int" and None in values:
                frame[name] = frame[name].astype("Int64")
        return frame


class Connection:
    """An engine and a session of its own: `let` names persist between run() calls.

    One run at a time per connection; open one connection per thread to run in parallel.
    cancel() may be called from any thread.
    """

    def __init__(self, builtin=True, data=(), indonesian=False, skip_bad_rows=False, cache=False):
        # Set first, so that close() (and __del__) work whatever fails below.
        self._engine = self._session = None
        self._lib = lib = _load()
        self._engine = lib.lkq_engine_open(_ENGINE_BUILTIN if builtin else 0)
        try:
            flags = (_CSV_INDONESIAN if indonesian else 0) | (_CSV_SKIP_BAD_ROWS if skip_bad_rows else 0) | \
                    (_CSV_CACHE if cache else 0)
            for path in [data] if isinstance(data, (str, os.PathLike)) else data:
                self._load(os.fspath(path), flags)
            self._session = lib.lkq_session_open(self._engine)
        except BaseException:
            self.close()
            raise

    def _load(self, path, flags):
        error = ctypes.c_void_p()
        if os.path.isdir(path):
            status = self._lib.lkq_engine_load_directory(self._engine, path.encode(), flags, ctypes.byref(error))
        else:
            status = self._lib.lkq_engine_load_csv(self._engine, path.encode(), None, flags, ctypes.byref(error))
        if status != 0:
            try:
                raise Error._from_handle(self._lib, error)
            finally:
                self._lib.lkq_error_free(error)

    @property
    def tables(self):
        """The names of the tables this connection can query."""
        names = []
        for i in range(self._lib.lkq_engine_table_count(self._engine)):
            raw = self._lib.lkq_engine_table_name(self._engine, i)
            names.append(ctypes.string_at(raw).decode("utf-8"))
            self._lib.lkq_string_free(raw)
        return names

    def run(self, script, source_name="<input>"):
        """Runs the statements of `script` and returns the Result of the last query in it
        (None when it has none, as for a script of `let`s). Stops at the first failed
        statement and raises it as lkq.Error; `source_name` is the name errors are reported
        under (the lkq command says "-e" for -e text)."""
        outcomes = self.execute(script, source_name, bail=True)
        for outcome in outcomes:
            if isinstance(outcome, Error):
                raise outcome
        results = [o for o in outcomes if isinstance(o, Result)]
        return results[-1] if results else None

    def execute(self, script, source_name="<input>", bail=False):
        """Runs every statement of `script`, as the lkq command does, and returns what became
        of each: a Result, the name a `let` bound (str), or an lkq.Error (returned, not raised).
        With bail=True it stops at the first failure."""
        if self._session is None:
            raise ValueError("the connection is closed")
        lib = self._lib
        run = lib.lkq_session_run(self._session, script.encode("utf-8"), source_name.encode("utf-8"),
                                  _RUN_BAIL if bail else 0)
        try:
            outcomes = []
            for i in range(lib.lkq_run_statement_count(run)):
                status = lib.lkq_run_status(run, i)
                if status == _STATEMENT_RESULT:
                    outcomes.append(Result._from_handle(lib, lib.lkq_run_result(run, i)))
                elif status == _STATEMENT_BOUND:
                    outcomes.append(_text(lib.lkq_run_bound_name(run, i)))
                else:
                    outcomes.append(Error._from_handle(lib, lib.lkq_run_error(run, i)))
            return outcomes
        finally:
            lib.lkq_run_free(run)

    def set_budget(self, max_rows_scanned=None, max_rows_produced=None, time_limit=None):
        """Limits every later statement: rows read, rows any stage produces, seconds of time.
        None leaves a limit off; a statement that passes one raises lkq.Error of kind "limit"."""
        if self._session is None:
            raise ValueError("the connection is closed")
        self._lib.lkq_session_set_budget(self._session, max_rows_scanned or 0, max_rows_produced or 0,
                                         int(time_limit * 1000) if time_limit else 0)

    def cancel(self):
        """From any thread: stops the running script (its statements raise lkq.Error of kind
        "cancelled"), or the next one when none is running."""
        if self._session is not None:
            self._lib.lkq_session_cancel(self._session)

    def close(self):
        """Frees the session and engine; the Results already returned stay readable."""
        if self._session is not None:
            self._lib.lkq_session_free(self._session)
            self._session = None
        if self._engine is not None:
            self._lib.lkq_engine_free(self._engine)
            self._engine = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()


def connect(data=(), builtin=True, indonesian=False, skip_bad_rows=False, cache=False):
    """A Connection over the built-in LKIP 2023 data (builtin=True) and the CSV files or
    folders of CSV files in `data` (a path or a list of paths), each a table named after its
    file. indonesian: read 1.476 as 1476; skip_bad_rows: leave out malformed rows; cache: keep
    a binary column cache. A file that cannot be loaded raises lkq.Error at its file:line:col."""
    return Connection(builtin=builtin, data=data, indonesian=indonesian, skip_bad_rows=skip_bad_rows, cache=cache)
