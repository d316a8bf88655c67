#!/usr/bin/env python3
"""Time `lkq` against DuckDB and polars (sqlite3 and Miller on request) on the same queries.

Every measurement is a WHOLE PROCESS, from the CSV file on disk to the answer
printed on stdout: wall time (median of N runs) and peak memory (ru_maxrss of
the child, from os.wait4). The tools take turns: each repetition runs every
tool once, starting one tool later than the repetition before, so a slow
stretch of a shared machine falls on all of them. Answers are normalised and
compared across tools; queries that print every row are compared through a
digest (see digest_stream).

Data comes from Benchmarks/generate.py (default /tmp/lkq-bench).
Peers are installed on demand (apt-get / pip); a failing or timed-out tool is
reported, never fatal.
"""

import argparse
import csv
import hashlib
import io
import json
import math
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ left in Benchmarks/ by importing shapes.py
from shapes import EARLIER, NEW, SCALING, SHAPES  # noqa: E402

ALL_TOOLS = ["lkq", "sqlite3", "duckdb", "mlr", "polars"]
PEERS = ["sqlite3", "duckdb", "mlr", "polars"]
# Issue 15 compares against these two; sqlite3 and mlr stay selectable with --tools.
DEFAULT_TOOLS = ["lkq", "duckdb", "polars"]
RATIO_PEERS = ["duckdb", "polars"]

# ---------------------------------------------------------------- tables

COLUMNS = {
    "capaian": [("tahun", "INTEGER"), ("pemda", "TEXT"), ("opd", "TEXT"),
                ("sasaran", "INTEGER"), ("no", "INTEGER"), ("indikator", "TEXT"),
                ("satuan", "TEXT"), ("target", "REAL"), ("realisasi", "REAL"),
                ("capaian", "REAL")],
    "anggaran": [("tahun", "INTEGER"), ("pemda", "TEXT"), ("opd", "TEXT"),
                 ("kode", "TEXT"), ("uraian", "TEXT"), ("level", "INTEGER"),
                 ("pagu", "INTEGER"), ("realisasi", "INTEGER"), ("persen", "REAL")],
}

# size -> {logical table: file stem}
FILES = {
    "1m": {"capaian": "capaian", "anggaran": "anggaran"},
    "2m": {"anggaran": "anggaran_2m"},
    "5m": {"anggaran": "anggaran_5m"},
    "10m": {"anggaran": "anggaran_10m"},
}
ROWS = {"1m": 1_000_000, "2m": 2_000_000, "5m": 5_000_000, "10m": 10_000_000}

# ---------------------------------------------------------------- queries
# {t} is the table (LKQ: table name; SQL: table or read_csv(...)).
# sqlite3 stores an empty CSV field in a REAL column as the text '', hence the
# NULLIF(capaian, '') in its variants.  compare: how answers are compared.

QUERIES = {
    "Q1": dict(
        title="filter+count", table="capaian", compare="scalar",
        lkq="{t} where sasaran = 2 and capaian < 75 | count",
        sql="SELECT count(*) FROM {t} WHERE sasaran = 2 AND capaian < 75",
        sqlite="SELECT count(*) FROM {t} WHERE sasaran = 2 AND NULLIF(capaian, '') < 75",
        mlr=["filter", "$sasaran == 2 && is_not_empty($capaian) && $capaian < 75", "then", "count"],
        polars="lf.filter((pl.col('sasaran') == 2) & (pl.col('capaian') < 75)).select(pl.len())",
    ),
    "Q2": dict(
        title="group by pemda, 10 lowest absorption", table="anggaran", compare="topk",
        lkq="{t} | group by pemda sum(pagu) as pagu, sum(realisasi) as realisasi"
            " | select pemda, pagu, realisasi, round(realisasi * 100.0 / pagu, 2) as serapan"
            " | sort serapan | limit 10",
        sql="SELECT pemda, pagu, realisasi, round(realisasi * 100.0 / pagu, 2) AS serapan FROM"
            " (SELECT pemda, sum(pagu) AS pagu, sum(realisasi) AS realisasi FROM {t} GROUP BY pemda)"
            " ORDER BY serapan LIMIT 10",
        mlr=["stats1", "-a", "sum", "-f", "pagu,realisasi", "-g", "pemda",
             "then", "put", "$serapan = fmtnum($realisasi_sum * 100.0 / $pagu_sum, \"%.2f\")",
             "then", "sort", "-nf", "serapan", "then", "head", "-n", "10"],
        polars="lf.group_by('pemda').agg(pl.col('pagu').sum(), pl.col('realisasi').sum())"
               ".with_columns((pl.col('realisasi') * 100.0 / pl.col('pagu')).round(2).alias('serapan'))"
               ".sort('serapan').head(10)",
    ),
    "Q2b": dict(
        title="group by opd, 10 lowest absorption", table="anggaran", compare="topk",
        lkq="{t} | group by opd sum(pagu) as pagu, sum(realisasi) as realisasi"
            " | select opd, pagu, realisasi, round(realisasi * 100.0 / pagu, 2) as serapan"
            " | sort serapan | limit 10",
        sql="SELECT opd, pagu, realisasi, round(realisasi * 100.0 / pagu, 2) AS serapan FROM"
            " (SELECT opd, sum(pagu) AS pagu, sum(realisasi) AS realisasi FROM {t} GROUP BY opd)"
            " ORDER BY serapan LIMIT 10",
        mlr=["stats1", "-a", "sum", "-f", "pagu,realisasi", "-g", "opd",
             "then", "put", "$serapan = fmtnum($realisasi_sum * 100.0 / $pagu_sum, \"%.2f\")",
             "then", "sort", "-nf", "serapan", "then", "head", "-n", "10"],
        polars="lf.group_by('opd').agg(pl.col('pagu').sum(), pl.col('realisasi').sum())"
               ".with_columns((pl.col('realisasi') * 100.0 / pl.col('pagu')).round(2).alias('serapan'))"
               ".sort('serapan').head(10)",
    ),
    "Q3": dict(
        title="avg capaian by sasaran", table="capaian", compare="rows_ordered",
        lkq="{t} | group by sasaran avg(capaian) as rata | sort sasaran",
        sql="SELECT sasaran, avg(capaian) AS rata FROM {t} GROUP BY sasaran ORDER BY sasaran",
        sqlite="SELECT sasaran, avg(NULLIF(capaian, '')) AS rata FROM {t} GROUP BY sasaran ORDER BY sasaran",
        mlr=["filter", "is_not_empty($capaian)", "then", "stats1", "-a", "mean", "-f", "capaian",
             "-g", "sasaran", "then", "sort", "-nf", "sasaran"],
        polars="lf.group_by('sasaran').agg(pl.col('capaian').mean().alias('rata')).sort('sasaran')",
    ),
    "Q4": dict(
        title="text match + sum", table="anggaran", compare="scalar",
        lkq='{t} where uraian ~ "desa" | sum pagu',
        # contains(lower(..)) is DuckDB's fastest form here: ILIKE takes ~3x longer.
        sql="SELECT sum(pagu) FROM {t} WHERE contains(lower(uraian), 'desa')",
        sqlite="SELECT sum(pagu) FROM {t} WHERE uraian LIKE '%desa%'",  # LIKE is ASCII case-insensitive
        mlr=["filter", '$uraian =~ "desa"i', "then", "stats1", "-a", "sum", "-f", "pagu"],
        polars="lf.filter(pl.col('uraian').str.contains('(?i)desa')).select(pl.col('pagu').sum())",
    ),
    "Q5": dict(
        title="top 20 by capaian", table="capaian", compare="last_col_multiset",
        lkq="{t} | sort capaian desc | limit 20 | select pemda, opd, indikator, capaian",
        sql="SELECT pemda, opd, indikator, capaian FROM {t} ORDER BY capaian DESC NULLS LAST LIMIT 20",
        sqlite="SELECT pemda, opd, indikator, capaian FROM {t} ORDER BY NULLIF(capaian, '') DESC LIMIT 20",
        mlr=["filter", "is_not_empty($capaian)", "then", "top", "-n", "20", "-f", "capaian", "-a",
             "then", "cut", "-o", "-f", "pemda,opd,indikator,capaian"],
        polars="lf.sort('capaian', descending=True, nulls_last=True).head(20)"
               ".select('pemda', 'opd', 'indikator', 'capaian')",
    ),
    "Q6": dict(
        title="load and count", table="anggaran", compare="scalar",
        lkq="{t} | count",
        sql="SELECT count(*) FROM {t}",
        mlr=["count"],
        polars="lf.select(pl.len())",
    ),
}
QUERIES.update(SHAPES)
# The capaian queries (Q1, Q3, Q5) exist at 1M only: generate.py writes no larger capaian.
QUERY_SIZES = {"1m": NEW + EARLIER + ["Q1", "Q3", "Q5"], "10m": NEW + EARLIER}
SCALING_SIZES = ["1m", "2m", "5m", "10m"]
BUILTIN_QUERY = "capaian | count"

# ---------------------------------------------------------------- process runner


class Run:
    __slots__ = ("ok", "secs", "maxrss_kb", "out", "err", "status")

    def __init__(self, ok, secs, maxrss_kb, out, err, status):
        self.ok, self.secs, self.maxrss_kb = ok, secs, maxrss_kb
        self.out, self.err, self.status = out, err, status


def run_once(argv, env=None, timeout=300.0, stdout="capture"):
    """Run argv as a child; return wall seconds, ru_maxrss (KiB), stdout.

    stdout: "capture" keeps it (Run.out, a str); "null" sends it to /dev/null, for
    the timed runs of queries that print every row (gigabytes at 10M); a function
    is given the child's stdout as a binary pipe and its return value becomes
    Run.out (digest_stream reads 10M rows that way without keeping them).
    """
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe, \
            open(os.devnull, "wb") as null:
        target = fo if stdout == "capture" else null if stdout == "null" else subprocess.PIPE
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=target, stderr=fe,
                                 env=env, start_new_session=True)
        except OSError as e:
            return Run(False, 0.0, 0, "", str(e), "cannot start")
        timed_out = []

        def kill():
            timed_out.append(True)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        out = None
        try:
            if callable(stdout):
                try:
                    out = stdout(p.stdout)
                finally:
                    p.stdout.close()
            _, status, ru = os.wait4(p.pid, 0)
        except BaseException:  # interrupted: do not leave the child running
            kill()
            os.waitpid(p.pid, 0)
            p.returncode = -9
            raise
        finally:
            timer.cancel()
        secs = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # we reaped it ourselves
        if stdout == "capture":
            fo.seek(0)
            out = fo.read().decode("utf-8", "replace")
        elif stdout == "null":
            out = ""
        fe.seek(0)
        err = fe.read().decode("utf-8", "replace")
        if timed_out:
            return Run(False, secs, ru.ru_maxrss, out, err, f"timeout {timeout:.0f}s")
        if p.returncode != 0:
            return Run(False, secs, ru.ru_maxrss, out, err, f"exit {p.returncode}")
        return Run(True, secs, ru.ru_maxrss, out, err, "ok")


# ---------------------------------------------------------------- peers setup


def sh(cmd):
    print(f"  $ {cmd}", file=sys.stderr, flush=True)
    return subprocess.run(cmd, shell=True).returncode == 0


_apt_updated = False


def apt_install(pkg):
    global _apt_updated
    if sh(f"DEBIAN_FRONTEND=noninteractive apt-get install -y -q {pkg} >/dev/null"):
        return True
    if not _apt_updated:
        _apt_updated = True
        sh("apt-get update -q >/dev/null")
        return sh(f"DEBIAN_FRONTEND=noninteractive apt-get install -y -q {pkg} >/dev/null")
    return False


def pip_install(pkg):
    return sh(f"{shlex.quote(sys.executable)} -m pip install -q {pkg}")


def py_has(mod):
    return subprocess.run([sys.executable, "-c", f"import {mod}"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0


def duckdb_cli_path():
    r = subprocess.run([sys.executable, "-c",
                        "import os, duckdb_cli; print(os.path.join(os.path.dirname(duckdb_cli.__file__), 'duckdb'))"],
                       capture_output=True, text=True)
    if r.returncode == 0 and os.access(r.stdout.strip(), os.X_OK):
        return r.stdout.strip()
    return None


def setup_tools(tools, lkq_path):
    """Return {tool: description} for usable tools; install peers on demand."""
    ready, notes = {}, {}
    for t in tools:
        if t == "lkq":
            if os.access(lkq_path, os.X_OK):
                ready[t] = {"argv0": lkq_path}
            else:
                notes[t] = f"not built: {lkq_path} missing (swift build -c release, or --lkq PATH)"
        elif t in ("sqlite3", "mlr"):
            exe = shutil.which(t)
            if not exe:
                apt_install("sqlite3" if t == "sqlite3" else "miller")
                exe = shutil.which(t)
            if exe:
                ready[t] = {"argv0": exe}
            else:
                notes[t] = "could not install"
        elif t == "duckdb":
            exe = duckdb_cli_path()
            if not exe:
                pip_install("duckdb-cli")
                exe = duckdb_cli_path()
            if exe:
                ready[t] = {"argv0": exe, "mode": "cli"}
            else:
                # Fallback: the Python module, via python3 -c.
                if not py_has("duckdb"):
                    pip_install("duckdb")
                if py_has("duckdb"):
                    ready[t] = {"argv0": sys.executable, "mode": "python"}
                    notes[t] = "no CLI wheel: DuckDB run through python3 -c with the duckdb module"
                else:
                    notes[t] = "could not install"
        elif t == "polars":
            if not py_has("polars"):
                pip_install("polars")
            if py_has("polars"):
                ready[t] = {"argv0": sys.executable}
            else:
                notes[t] = "could not install"
        else:
            notes[t] = "unknown tool"
    return ready, notes


def tool_version(tool, info):
    try:
        if tool == "lkq":
            r = subprocess.run([info["argv0"], "--version"], capture_output=True, text=True, timeout=10)
            return (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr).strip() else "?"
        if tool == "sqlite3":
            return "sqlite3 " + subprocess.run([info["argv0"], "--version"], capture_output=True, text=True).stdout.split()[0]
        if tool == "mlr":
            return subprocess.run([info["argv0"], "--version"], capture_output=True, text=True).stdout.strip()
        if tool == "duckdb":
            if info.get("mode") == "cli":
                return "duckdb CLI " + subprocess.run([info["argv0"], "--version"], capture_output=True, text=True).stdout.strip()
            return "duckdb (python) " + subprocess.run([sys.executable, "-c", "import duckdb; print(duckdb.__version__)"],
                                                       capture_output=True, text=True).stdout.strip()
        if tool == "polars":
            return "polars " + subprocess.run([sys.executable, "-c", "import polars; print(polars.__version__)"],
                                              capture_output=True, text=True).stdout.strip()
    except Exception as e:  # noqa: BLE001
        return f"? ({e})"
    return "?"


# ---------------------------------------------------------------- command lines


def sql_quote(s):
    return "'" + s.replace("'", "''") + "'"


def command(tool, info, q, data_dir, size):
    """argv for one tool answering query q on the given size."""
    spec = QUERIES[q]
    logical = spec["table"]
    stem = FILES[size][logical]
    path = os.path.join(data_dir, stem + ".csv")
    if tool == "lkq":
        return [info["argv0"], "--data", data_dir, "--format", "csv", "-e", spec["lkq"].format(t=stem)]
    if tool == "sqlite3":
        cols = ", ".join(f"{c} {ty}" for c, ty in COLUMNS[logical])
        sql = spec.get("sqlite", spec["sql"]).format(t="t")
        return [info["argv0"], "-batch", ":memory:", ".mode csv", f"CREATE TABLE t({cols});",
                f".import --skip 1 {path} t", sql + ";"]
    if tool == "duckdb":
        sql = spec["sql"].format(t=f"read_csv({sql_quote(path)})")
        if info.get("mode") == "cli":
            if spec.get("every_row"):
                # The CLI's -csv renderer prints row by row (1M sorted rows: 15 s against
                # 6 s for COPY on this machine); COPY is DuckDB's own CSV writer.
                return [info["argv0"], "-c", f"COPY ({sql}) TO '/dev/stdout' (FORMAT csv, HEADER)"]
            return [info["argv0"], "-csv", "-c", sql]
        script = ("import duckdb, sys\n"
                  f"r = duckdb.sql({sql!r})\n"
                  "w = __import__('csv').writer(sys.stdout)\n"
                  "w.writerow(r.columns)\n"
                  "w.writerows(r.fetchall())\n")
        return [sys.executable, "-c", script]
    if tool == "mlr":
        return [info["argv0"], "--icsv", "--ocsv"] + spec["mlr"] + [path]
    if tool == "polars":
        # Every row: written straight to the stdout buffer, not first built as one str.
        write = ("df.write_csv(sys.stdout.buffer)\n" if spec.get("every_row")
                 else "sys.stdout.write(df.write_csv())\n")
        script = ("import sys, polars as pl\n"
                  f"lf = pl.scan_csv({path!r})\n"
                  f"df = ({spec['polars']}).collect()\n" + write)
        return [info["argv0"], "-c", script]
    raise ValueError(tool)


# ---------------------------------------------------------------- answer comparison


def _num(cell):
    c = cell.strip()
    if not c:
        return None
    try:
        x = float(c)
    except ValueError:
        return None
    if math.isnan(x) or math.isinf(x):
        return None
    return x


def normalise(text, mode):
    """Turn a tool's CSV output into a comparable value (numbers rounded to 2 dp)."""
    rows = []
    for row in csv.reader(io.StringIO(text)):
        cells = [c.strip() for c in row]
        if not cells or all(c == "" for c in cells):
            continue
        nums = [_num(c) for c in cells]
        if all(n is None for n in nums):
            continue  # header (or a message line)
        rows.append(tuple(round(n, 2) if n is not None else c for c, n in zip(cells, nums)))
    if mode == "scalar":
        vals = [v for r in rows for v in r if isinstance(v, float)]
        return ("scalar", vals[-1] if vals else None)
    if mode == "rows_ordered":
        return ("rows", rows)
    if mode == "rows_set":
        return ("rows", sorted(rows, key=_rowkey))
    if mode == "topk":
        # "sort by the last column, limit k": ties at the boundary may be cut
        # differently, so compare the key multiset, plus the full rows whose
        # key is strictly inside the boundary.
        return ("topk", sorted(rows, key=lambda r: (_rowkey(r[-1:]), _rowkey(r))))
    if mode == "last_col_multiset":
        return ("rows", sorted(((r[-1],) for r in rows), key=_rowkey))
    raise ValueError(mode)


def _rowkey(r):
    return tuple((0, v, "") if isinstance(v, float) else (1, 0.0, v) for v in r)


def _close(a, b):
    if isinstance(a, float) and isinstance(b, float):
        # 2-dp rounding may differ by one unit (round-half rules, float error).
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0100001)
    return a == b


def same(a, b):
    if a is None or b is None or a[0] != b[0]:
        return False
    if a[0] == "scalar":
        return a[1] is not None and b[1] is not None and _close(a[1], b[1])
    if a[0] == "digest":
        # Sums of floats added in another order differ in the last bits; the
        # checksum and the count must be equal, and a sorted result sorted.
        return (a[1] == b[1] and a[3] == b[3] and a[4] is not False and b[4] is not False
                and len(a[2]) == len(b[2])
                and all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-6) for x, y in zip(a[2], b[2])))
    ra, rb = a[1], b[1]
    if len(ra) != len(rb) or not ra:
        return False
    if a[0] == "topk":
        if not all(_close(x[-1], y[-1]) for x, y in zip(ra, rb)):
            return False
        edge = ra[-1][-1]
        ra = [r for r in ra if not _close(r[-1], edge)]
        rb = [r for r in rb if not _close(r[-1], edge)]
        if len(ra) != len(rb):
            return False
    return all(len(x) == len(y) and all(_close(u, v) for u, v in zip(x, y)) for x, y in zip(ra, rb))


def digest_stream(spec):
    """A reader for run_once: the digest of a result that prints every row.

    Gigabytes of CSV are not kept, so each tool's output is reduced, as it streams,
    to: the row count; the sum of each numeric column; the sum mod 2**64 of a hash of
    every row, numbers written with 2 decimals (an order-free checksum: equal exactly
    when the two outputs hold the same rows, whatever the order or the number format);
    and, for a sorted result (spec["sorted_desc"]), whether that column never rises.
    """
    table_cols = [c for c, _ in COLUMNS[spec["table"]]]

    def read(pipe):
        rows = csv.reader(io.TextIOWrapper(pipe, encoding="utf-8", errors="replace", newline=""))
        header, key, sums, n, h, ordered, prev = None, None, None, 0, 0, True, None
        for row in rows:
            cells = [c.strip() for c in row]
            if not cells or all(c == "" for c in cells):
                continue
            nums = [_num(c) for c in cells]
            if header is None:
                # sqlite3's .mode csv prints no header: then the table's own columns.
                header = cells if all(x is None for x in nums) else table_cols
                sums = [0.0] * len(header)
                if spec.get("sorted_desc"):
                    key = header.index(spec["sorted_desc"]) if spec["sorted_desc"] in header else -1
                if header is cells:
                    continue
            norm = []
            for i, (c, x) in enumerate(zip(cells, nums)):
                if x is None:
                    norm.append(c)
                else:
                    norm.append(f"{x:.2f}")
                    if i < len(sums):
                        sums[i] += x
            h = (h + int.from_bytes(hashlib.blake2b("\x1f".join(norm).encode(), digest_size=8).digest(),
                                    "little")) % (1 << 64)
            n += 1
            if key is not None:
                v = nums[key] if 0 <= key < len(nums) else None
                if v is None or (prev is not None and v > prev):
                    ordered = False
                prev = v
        return ("digest", n, tuple(sums or ()), h, ordered if key is not None else None)

    return read


def show(ans):
    if ans is None:
        return "-"
    if ans[0] == "scalar":
        return repr(ans[1])
    if ans[0] == "digest":
        sums = ", ".join(f"{x:.2f}" for x in ans[2] if x)
        order = {None: "", True: ", in order", False: ", NOT in order"}[ans[4]]
        return f"{ans[1]} rows, sums of numeric columns {sums}, row checksum {ans[3]:016x}{order}"
    s = "; ".join(",".join(str(v) for v in r) for r in ans[1][:4])
    return f"[{len(ans[1])} rows] {s}{' ...' if len(ans[1]) > 4 else ''}"


# ---------------------------------------------------------------- measurement


def measure(argv, runs, timeout, env=None, before=None):
    """Run argv `runs` times; stop early on a failure. Returns a result dict."""
    times, rss, out, err, status = [], [], None, "", "ok"
    for _ in range(runs):
        if before:
            env = before()
        r = run_once(argv, env=env, timeout=timeout)
        if not r.ok:
            status, err = r.status, r.err.strip()[-400:]
            out = r.out
            break
        times.append(r.secs)
        rss.append(r.maxrss_kb)
        out = r.out
    return {
        "status": status,
        "runs": len(times),
        "median": statistics.median(times) if times else None,
        "times": times,
        "peak_mb": (max(rss) / 1024.0) if rss else None,
        "out": out,
        "err": err,
    }


class CacheDirs:
    """Fresh LKQ_CACHE_DIR directories, removed at exit."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="lkq-bench-cache-")
        self.n = 0

    def fresh(self):
        self.n += 1
        d = os.path.join(self.root, str(self.n))
        os.makedirs(d)
        return d

    def drop(self, env):
        """Remove a run's cache directory (env from lkq_env) once it is done with:
        a cold run at 10M leaves hundreds of MB, and there are dozens of them."""
        if env and env.get("LKQ_CACHE_DIR", "").startswith(self.root + os.sep):
            shutil.rmtree(env["LKQ_CACHE_DIR"], ignore_errors=True)

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)


def lkq_env(cache_dir):
    env = dict(os.environ)
    env["LKQ_CACHE_DIR"] = cache_dir
    return env


# ---------------------------------------------------------------- report


def machine_info():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                    break
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": mem,
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version()}


def fmt_s(x):
    if x is None:
        return "-"
    return f"{x * 1000:.1f} ms" if x < 0.1 else f"{x:.3f}"


def fmt_mb(x):
    return "-" if x is None else f"{x:.0f}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def fmt_r(x, digits=2):
    return "-" if x is None else f"{x:.{digits}f}"


def _on_term(signum, frame):
    raise KeyboardInterrupt


def fmt_ns(x):
    return "-" if x is None else f"{x:.0f}"


def variants_for(tools, ready, spec):
    """(tool, variant) pairs that can answer spec; LKQ runs cold and warm."""
    out = []
    for t in tools:
        if t not in ready or (t == "mlr" and "mlr" not in spec):
            continue
        out += [("lkq", "cold"), ("lkq", "warm")] if t == "lkq" else [(t, "cold")]
    return out


def bench_query(q, size, variants, argvs, runs, timeout, caches, log):
    """Time one query at one size: every variant once per repetition, in turns.

    Repetition i starts at variant i (mod the number of variants), so no tool is
    always the first or the last. Returns {variant: result dict}.
    """
    spec = QUERIES[q]
    every_row = spec.get("every_row")
    st = {v: dict(status="ok", err="", times=[], rss=[], answer=None, stable=True) for v in variants}
    warm_dir = None

    def env_for(v):
        if v == ("lkq", "cold"):
            return lkq_env(caches.fresh())
        if v == ("lkq", "warm"):
            return lkq_env(warm_dir)
        return None

    def fail(v, r, what=""):
        st[v]["status"] = what + r.status
        st[v]["err"] = r.err.strip()[-400:]

    try:
        if ("lkq", "warm") in st:
            warm_dir = caches.fresh()
            fill = run_once(argvs[("lkq", "warm")], env=lkq_env(warm_dir), timeout=timeout, stdout="null")
            if not fill.ok:
                fail(("lkq", "warm"), fill, "fill ")
        if every_row:
            # One untimed run per variant, its stdout digested as it streams; the
            # timed runs then write to /dev/null, the same for every tool.
            for v in variants:
                if st[v]["status"] != "ok":
                    continue
                log(f"{q} {size} {v[0]} {v[1]}: checking the answer")
                env = env_for(v)
                r = run_once(argvs[v], env=env, timeout=timeout, stdout=digest_stream(spec))
                if v == ("lkq", "cold"):
                    caches.drop(env)
                if r.ok:
                    st[v]["answer"] = r.out
                else:
                    fail(v, r)
        for i in range(runs):
            k = i % len(variants)
            order = variants[k:] + variants[:k]
            log(f"{q} {size} run {i + 1}/{runs}: " + ", ".join(f"{t}{' ' + w if t == 'lkq' else ''}"
                                                              for t, w in order))
            for v in order:
                if st[v]["status"] != "ok":
                    continue
                env = env_for(v)
                r = run_once(argvs[v], env=env, timeout=timeout, stdout="null" if every_row else "capture")
                if v == ("lkq", "cold"):
                    caches.drop(env)
                if not r.ok:
                    fail(v, r)
                    continue
                st[v]["times"].append(r.secs)
                st[v]["rss"].append(r.maxrss_kb)
                if not every_row:
                    ans = normalise(r.out, spec["compare"])
                    if st[v]["answer"] is None:
                        st[v]["answer"] = ans
                    elif not same(ans, st[v]["answer"]):
                        st[v]["stable"] = False
    finally:
        if warm_dir:
            shutil.rmtree(warm_dir, ignore_errors=True)
    for v, x in st.items():
        x["median"] = statistics.median(x["times"]) if x["times"] else None
        x["peak_mb"] = max(x["rss"]) / 1024.0 if x["rss"] else None
        if not x["stable"]:
            x["status"] = "answers differ between runs"
    return st


def judge(st):
    """Mark each variant's answer against the reference: the answer of the most
    tools, LKQ counting once (its cold answer); on a tie a peer's answer wins, so
    LKQ cold and warm cannot outvote DuckDB and polars."""
    voters = [v for v in st if v[0] != "lkq"] + [v for v in st if v == ("lkq", "cold")]
    answers = [st[v]["answer"] for v in voters if st[v]["answer"] is not None]
    best, best_n = None, 0
    for cand in answers:
        n = sum(1 for x in answers if same(cand, x))
        if n > best_n:
            best, best_n = cand, n
    for v, x in st.items():
        if x["answer"] is None:
            x["agree"] = "-"
        elif len(answers) < 2:
            x["agree"] = "n/a"
        else:
            x["agree"] = "yes" if same(x["answer"], best) else "NO"
    return best


def read_db_section(path):
    """The part of RESULTS.md that bench_db.py writes, markers included, or ''."""
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return ""
    b, e = text.find(DB_BEGIN), text.find(DB_END)
    if b < 0 or e < b:
        return ""
    return text[b:e + len(DB_END)] + "\n"


DB_BEGIN, DB_END = "<!-- database:begin -->", "<!-- database:end -->"
TOOL_NAME = {"lkq": "LKQ", "duckdb": "DuckDB", "polars": "polars", "sqlite3": "sqlite3", "mlr": "Miller"}


def report(a, cmd, tools, ready, notes, versions, sizes, queries_run, table, scaling, builtin):
    md = []
    mi = machine_info()
    peers = [t for t in tools if t != "lkq" and t in ready]
    md.append("# LKQ benchmark results\n")
    md.append(f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    md.append(f"- machine: {mi['nproc']} cores, {mi['cpu']}, {mi['ram']} RAM, {mi['os']};"
              f" load average at the end {os.getloadavg()[0]:.2f}")
    md.append(f"- command: `{a.label or cmd}` (in `{os.getcwd()}`)")
    md.append(f"- data: `{a.data}` (Benchmarks/generate.py); runs: {a.runs} (10m: {a.runs_10m or a.runs});"
              f" per-run timeout {a.timeout:.0f} s")
    for t in tools:
        if t in ready:
            md.append(f"- {t}: {versions.get(t)}" + (f" — {notes[t]}" if t in notes else ""))
        else:
            md.append(f"- {t}: NOT RUN — {notes.get(t, '?')}")
    md.append("- each figure is a whole process, CSV file (in the OS page cache) to answer on stdout;"
              " median wall time of the runs; peak MB = the largest ru_maxrss of the child over the runs.")
    md.append("- the tools take turns: repetition i runs each tool once, starting with the i-th,"
              " so no tool always runs first or last.")
    md.append("- LKQ cold = `lkq --no-cache` (it parses the CSV, and neither reads nor writes its column"
              " cache), as issue 15 defines it; LKQ warm = the cache filled by one untimed run. DuckDB and polars have no"
              " cache: the warm ratio sets LKQ warm against their one figure.")
    md.append("- ratio = LKQ median / the faster of DuckDB and polars (named after the ratio)."
              " target met = cold ratio ≤ 1.0 and, at 10M, LKQ cold peak MB ≤ DuckDB's"
              " (not asked of S5 and S6, which print every row).")
    md.append("- S5 and S6 print every row as CSV: the timed runs write to /dev/null; one more untimed"
              " run per tool is checked through a digest (row count, column sums, an order-free"
              " checksum of the rows, and for S5 that pagu never rises). DuckDB writes them with"
              " `COPY (…) TO '/dev/stdout'`, polars with `collect().write_csv(sys.stdout.buffer)`.\n")

    md.append("## Queries\n")
    md.append("`{t}` is `anggaran` at 1M and `anggaran_10m` at 10M (`capaian` for Q1, Q3, Q5)."
              " The DuckDB SQL and polars forms are in `Benchmarks/shapes.py` and `QUERIES` in `run.py`.\n")
    md.append("| id | what | LKQ |")
    md.append("|---|---|---|")
    for q in queries_run:
        md.append(f"| {q} | {QUERIES[q]['title']} | `{QUERIES[q]['lkq'].replace('|', chr(92) + '|')}` |")
    md.append("")

    md.append("## Shapes (issue 15) and the earlier queries\n")
    head = ["query", "size", "LKQ cold s", "LKQ warm s"] + [f"{TOOL_NAME[p]} s" for p in peers]
    head += ["LKQ peak MB cold / warm"] + [f"{TOOL_NAME[p]} MB" for p in peers]
    head += ["ratio cold", "ratio warm", "answers agree", "target met"]
    md.append("| " + " | ".join(head) + " |")
    md.append("|" + "---|" * len(head))
    problems = []
    for (q, size), st in table.items():
        def cell(v):
            x = st.get(v)
            if x is None:
                return "-"
            return fmt_s(x["median"]) if x["status"] == "ok" else x["status"]

        def mb(v):
            x = st.get(v)
            return fmt_mb(x and x["peak_mb"])

        lc, lw = st.get(("lkq", "cold")), st.get(("lkq", "warm"))
        cands = [(st[(p, "cold")]["median"], p) for p in RATIO_PEERS
                 if (p, "cold") in st and st[(p, "cold")]["status"] == "ok"]
        best_t, best_p = min(cands) if cands else (None, None)
        rc = ratio(lc and lc["status"] == "ok" and lc["median"], best_t)
        rw = ratio(lw and lw["status"] == "ok" and lw["median"], best_t)
        every_row = QUERIES[q].get("every_row")
        met = "-"
        if rc is not None:
            why = []
            if rc > 1.0:
                why.append("time")
            dk = st.get(("duckdb", "cold"))
            if size == "10m" and not every_row:
                if dk is None or dk["peak_mb"] is None or lc["peak_mb"] is None:
                    why.append("memory not compared")
                elif lc["peak_mb"] > dk["peak_mb"]:
                    why.append("memory")
            if any(x["agree"] == "NO" for x in st.values()):
                why.append("answer")
            met = "yes" if not why else "no (" + ", ".join(why) + ")"
        agree = [f"{TOOL_NAME[t]}{' ' + w if t == 'lkq' else ''}" for (t, w), x in st.items() if x["agree"] == "NO"]
        answered = [x for x in st.values() if x["agree"] in ("yes", "NO")]
        agree_s = ("all " + str(len(answered)) if not agree and answered else
                   "NO: " + ", ".join(agree) if agree else "-")
        row = [q, size, cell(("lkq", "cold")), cell(("lkq", "warm"))] + [cell((p, "cold")) for p in peers]
        row += [f"{mb(('lkq', 'cold'))} / {mb(('lkq', 'warm'))}"] + [mb((p, "cold")) for p in peers]
        row += [f"{fmt_r(rc)} ({best_p})" if rc is not None else "-", fmt_r(rw), agree_s, met]
        md.append("| " + " | ".join(row) + " |")
        for (t, w), x in st.items():
            if x["agree"] == "NO":
                problems.append(f"- {q} {size} {t} {w}: answer {show(x['answer'])} vs reference {show(x['reference'])}")
            if x["status"] != "ok":
                problems.append(f"- {q} {size} {t} {w}: {x['status']}: {x['err'][-300:]!r}")
    md.append("")
    if builtin is not None:
        ok = builtin["status"] == "ok"
        md.append(f"Built-in data, `lkq -e '{BUILTIN_QUERY}'` ({a.builtin_runs} runs): "
                  f"{fmt_s(builtin['median']) if ok else builtin['status']}, {fmt_mb(builtin['peak_mb'])} MB"
                  f" (target < 20 ms: {'met' if ok and builtin['median'] < 0.020 else 'NOT met'}).\n")

    if scaling:
        md.append("## Cost against rows (LKQ cold)\n")
        md.append("The group-by and text shapes at 1M, 2M, 5M and 10M rows (`anggaran`, `anggaran_2m`,"
                  " `anggaran_5m`, `anggaran_10m`; each file starts with the rows of the smaller ones)."
                  " Per-row time = median / rows; growth is linear where it stays flat.\n")
        md.append("| query | rows | LKQ cold median s | ns per row | per row against 1M |")
        md.append("|---|---|---|---|---|")
        for q in SCALING:
            base = None
            for size in SCALING_SIZES:
                x = scaling.get((q, size))
                if x is None:
                    continue
                ns = x["median"] * 1e9 / ROWS[size] if x["status"] == "ok" else None
                if size == "1m":
                    base = ns
                rel = ratio(ns, base)
                med = fmt_s(x["median"]) if x["status"] == "ok" else x["status"]
                md.append(f"| {q} | {ROWS[size]:,} | {med} | {fmt_ns(ns)} | {fmt_r(rel)} |")
                if x["status"] != "ok":
                    problems.append(f"- scaling {q} {size}: {x['status']}: {x['err'][-300:]!r}")
        md.append("")

    if problems:
        md.append("## Problems\n")
        md.extend(problems)
        md.append("")
    md.append("## Answers (normalised reference)\n")
    for (q, size), st in table.items():
        ref = next(iter(st.values()))["reference"]
        md.append(f"- {q} {size}: {show(ref)}")
    md.append("")
    return "\n".join(md), mi


def main():
    signal.signal(signal.SIGTERM, _on_term)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="/tmp/lkq-bench", help="directory made by generate.py")
    ap.add_argument("--lkq", default=os.path.join(REPO, ".build", "release", "lkq"), help="lkq binary")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per measurement (default 3)")
    ap.add_argument("--runs-10m", type=int, default=0, help="runs for the 10m size (default: --runs)")
    ap.add_argument("--sizes", default="1m,10m", help="comma list of 1m,10m (default both)")
    ap.add_argument("--tools", default=",".join(DEFAULT_TOOLS),
                    help=f"comma list of {','.join(ALL_TOOLS)} (default {','.join(DEFAULT_TOOLS)})")
    ap.add_argument("--queries", default="", help="comma list of " + ",".join(QUERY_SIZES["1m"]) +
                    ",builtin (default all)")
    ap.add_argument("--only-lkq", action="store_true", help="time lkq only (no peers)")
    ap.add_argument("--scaling", action="store_true",
                    help=f"also time LKQ cold on {','.join(SCALING)} at {','.join(SCALING_SIZES)} rows")
    ap.add_argument("--timeout", type=float, default=300.0, help="per-run timeout in seconds (default 300)")
    ap.add_argument("--builtin-runs", type=int, default=20, help="runs for the built-in count (default 20)")
    ap.add_argument("--out", default=os.path.join(HERE, "out", "results.md"), help="markdown report path")
    ap.add_argument("--results", default="",
                    help="also rewrite this RESULTS.md, keeping its database section (make bench-results)")
    ap.add_argument("--label", default="", help="how the run was started, for the report's command line")
    a = ap.parse_args()

    tools = ["lkq"] if a.only_lkq else [t.strip() for t in a.tools.split(",") if t.strip()]
    for t in tools:
        if t not in ALL_TOOLS:
            sys.exit(f"unknown tool {t!r}; choose from {', '.join(ALL_TOOLS)}")
    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    for s in sizes:
        if s not in QUERY_SIZES:
            sys.exit(f"unknown size {s!r}; choose from {','.join(QUERY_SIZES)}")
    wanted = {q.strip().lower() for q in a.queries.split(",") if q.strip()}
    all_q = list(QUERIES) + ["builtin"]
    for q in wanted:
        if q not in {x.lower() for x in all_q}:
            sys.exit(f"unknown query {q!r}; choose from {', '.join(all_q)}")

    def want(q):
        return not wanted or q.lower() in wanted

    needed = {(s, QUERIES[q]["table"]) for s in sizes for q in QUERY_SIZES[s] if want(q)}
    if a.scaling:
        needed |= {(s, "anggaran") for s in SCALING_SIZES for q in SCALING if want(q)}
    for s, table in sorted(needed):
        p = os.path.join(a.data, FILES[s][table] + ".csv")
        if not os.path.exists(p):
            sys.exit(f"missing {p}: run `make bench-data` (python3 Benchmarks/generate.py --out {a.data})")

    print("setting up tools ...", file=sys.stderr, flush=True)
    ready, notes = setup_tools(tools, a.lkq)
    versions = {t: tool_version(t, ready[t]) for t in ready}
    caches = CacheDirs()
    table, scaling, queries_run = {}, {}, []
    builtin = None
    t_start = time.time()

    def log(msg):
        print(f"[{time.time() - t_start:7.1f}s] {msg}", file=sys.stderr, flush=True)

    try:
        for size in sizes:
            runs = (a.runs_10m or a.runs) if size == "10m" else a.runs
            for q in QUERY_SIZES[size]:
                if not want(q):
                    continue
                if q not in queries_run:
                    queries_run.append(q)
                variants = variants_for(tools, ready, QUERIES[q])
                if not variants:
                    continue
                argvs = {v: command(v[0], ready[v[0]], q, a.data, size) for v in variants}
                if ("lkq", "cold") in argvs:
                    # Cold as issue 15 defines it: the CSV parsed, no column cache read or written.
                    argvs[("lkq", "cold")].insert(1, "--no-cache")
                st = bench_query(q, size, variants, argvs, runs, a.timeout, caches, log)
                ref = judge(st)
                for x in st.values():
                    x["reference"] = ref
                table[(q, size)] = st
                log(f"{q} {size}: " + ", ".join(
                    f"{t}{' ' + w if t == 'lkq' else ''} {fmt_s(x['median']) if x['status'] == 'ok' else x['status']}"
                    f" {fmt_mb(x['peak_mb'])} MB agree={x['agree']}" for (t, w), x in st.items()))
        if a.scaling and "lkq" in ready:
            for q in SCALING:
                if not want(q):
                    continue
                for size in SCALING_SIZES:
                    done = table.get((q, size), {}).get(("lkq", "cold"))
                    if done is not None:
                        scaling[(q, size)] = done  # measured in turn with the peers above
                        continue
                    log(f"scaling {q} {size} lkq cold")
                    argv = command("lkq", ready["lkq"], q, a.data, size)
                    runs = (a.runs_10m or a.runs) if size == "10m" else a.runs
                    # Through bench_query, which removes each cold run's cache as it goes.
                    cold = ("lkq", "cold")
                    scaling[(q, size)] = bench_query(q, size, [cold], {cold: argv}, runs, a.timeout,
                                                     caches, log)[cold]
        if "lkq" in ready and want("builtin"):
            log("builtin lkq count")
            argv = [ready["lkq"]["argv0"], "--format", "csv", "-e", BUILTIN_QUERY]
            builtin = measure(argv, a.builtin_runs, a.timeout, env=lkq_env(caches.fresh()))
    finally:
        caches.cleanup()

    cmd = " ".join(shlex.quote(x) for x in [sys.executable, os.path.relpath(__file__, os.getcwd())] + sys.argv[1:])
    text, mi = report(a, cmd, tools, ready, notes, versions, sizes, queries_run, table, scaling, builtin)
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text)
    raw = os.path.splitext(a.out)[0] + ".json"
    with open(raw, "w") as f:
        json.dump({"machine": mi, "command": cmd, "versions": versions, "notes": notes,
                   "results": [dict(query=q, size=size, tool=t, variant=w,
                                    **{k: v for k, v in x.items() if k not in ("answer", "reference")})
                               for (q, size), st in table.items() for (t, w), x in st.items()],
                   "scaling": [dict(query=q, size=size, median=x["median"], times=x["times"],
                                    status=x["status"]) for (q, size), x in scaling.items()],
                   "builtin": {k: v for k, v in (builtin or {}).items() if k != "out"}}, f, indent=1)
    print(f"\nwritten: {a.out} and {raw}", file=sys.stderr)
    if a.results:
        db = read_db_section(a.results)
        if not db:
            print(f"warning: {a.results} has no {DB_BEGIN} … {DB_END} section to keep", file=sys.stderr)
        with open(a.results, "w") as f:
            f.write(text + ("\n" + db if db else ""))
        print(f"rewritten: {a.results}", file=sys.stderr)


if __name__ == "__main__":
    main()
