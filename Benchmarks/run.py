#!/usr/bin/env python3
"""Time `lkq` against sqlite3, DuckDB, Miller and polars on the same queries.

Every measurement is a WHOLE PROCESS, from the CSV file on disk to the answer
printed on stdout: wall time (median of N runs) and peak memory (ru_maxrss of
the child, from os.wait4). Answers are normalised and compared across tools.

Data comes from Benchmarks/generate.py (default /tmp/lkq-bench).
Peers are installed on demand (apt-get / pip); a failing or timed-out tool is
reported, never fatal.
"""

import argparse
import csv
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
ALL_TOOLS = ["lkq", "sqlite3", "duckdb", "mlr", "polars"]
PEERS = ["sqlite3", "duckdb", "mlr", "polars"]

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
    "10m": {"anggaran": "anggaran_10m"},
}

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
QUERY_SIZES = {"1m": ["Q1", "Q2", "Q2b", "Q3", "Q4", "Q5", "Q6"], "10m": ["Q2", "Q4", "Q6"]}
BUILTIN_QUERY = "capaian | count"

# ---------------------------------------------------------------- process runner


class Run:
    __slots__ = ("ok", "secs", "maxrss_kb", "out", "err", "status")

    def __init__(self, ok, secs, maxrss_kb, out, err, status):
        self.ok, self.secs, self.maxrss_kb = ok, secs, maxrss_kb
        self.out, self.err, self.status = out, err, status


def run_once(argv, env=None, timeout=300.0):
    """Run argv as a child; return wall seconds, ru_maxrss (KiB), stdout."""
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
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
        try:
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
        fo.seek(0)
        fe.seek(0)
        out = fo.read().decode("utf-8", "replace")
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
        script = ("import sys, polars as pl\n"
                  f"lf = pl.scan_csv({path!r})\n"
                  f"df = ({spec['polars']}).collect()\n"
                  "sys.stdout.write(df.write_csv())\n")
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


def show(ans):
    if ans is None:
        return "-"
    if ans[0] == "scalar":
        return repr(ans[1])
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


def main():
    signal.signal(signal.SIGTERM, _on_term)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="/tmp/lkq-bench", help="directory made by generate.py")
    ap.add_argument("--lkq", default=os.path.join(REPO, ".build", "release", "lkq"), help="lkq binary")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
    ap.add_argument("--runs-10m", type=int, default=0, help="runs for the 10m size (default: --runs)")
    ap.add_argument("--sizes", default="1m,10m", help="comma list of 1m,10m (default both)")
    ap.add_argument("--tools", default=",".join(ALL_TOOLS), help=f"comma list of {','.join(ALL_TOOLS)}")
    ap.add_argument("--queries", default="", help="comma list of Q1,Q2,Q2b,Q3,Q4,Q5,Q6,builtin (default all)")
    ap.add_argument("--only-lkq", action="store_true", help="time lkq only (no peers)")
    ap.add_argument("--timeout", type=float, default=300.0, help="per-run timeout in seconds (default 300)")
    ap.add_argument("--builtin-runs", type=int, default=20, help="runs for the built-in count (default 20)")
    ap.add_argument("--out", default=os.path.join(HERE, "out", "results.md"), help="markdown report path")
    a = ap.parse_args()

    tools = ["lkq"] if a.only_lkq else [t.strip() for t in a.tools.split(",") if t.strip()]
    for t in tools:
        if t not in ALL_TOOLS:
            sys.exit(f"unknown tool {t!r}; choose from {', '.join(ALL_TOOLS)}")
    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    for s in sizes:
        if s not in FILES:
            sys.exit(f"unknown size {s!r}; choose from 1m,10m")
    wanted = {q.strip().lower() for q in a.queries.split(",") if q.strip()}
    all_q = list(QUERIES) + ["builtin"]
    for q in wanted:
        if q not in {x.lower() for x in all_q}:
            sys.exit(f"unknown query {q!r}; choose from {', '.join(all_q)}")

    def want(q):
        return not wanted or q.lower() in wanted

    for s in sizes:
        for stem in FILES[s].values():
            p = os.path.join(a.data, stem + ".csv")
            if not os.path.exists(p):
                sys.exit(f"missing {p}: run `make bench-data` (python3 Benchmarks/generate.py --out {a.data})")

    print("setting up tools ...", file=sys.stderr, flush=True)
    ready, notes = setup_tools(tools, a.lkq)
    versions = {t: tool_version(t, ready[t]) for t in ready}
    caches = CacheDirs()
    results = []   # dicts: query, size, tool, variant, ... measure()
    t_start = time.time()

    def log(msg):
        print(f"[{time.time() - t_start:7.1f}s] {msg}", file=sys.stderr, flush=True)

    try:
        for size in sizes:
            runs = (a.runs_10m or a.runs) if size == "10m" else a.runs
            for q in QUERY_SIZES[size]:
                if not want(q):
                    continue
                for tool in tools:
                    if tool not in ready:
                        continue
                    argv = command(tool, ready[tool], q, a.data, size)
                    if tool == "lkq":
                        # cold: a fresh, empty cache directory for every run
                        # (first-run experience: parse CSV, write the cache).
                        log(f"{q} {size} lkq cold")
                        m = measure(argv, runs, a.timeout, before=lambda: lkq_env(caches.fresh()))
                        results.append(dict(query=q, size=size, tool="lkq", variant="cold", **m))
                        # warm: fill a fresh cache once, then time reruns.
                        log(f"{q} {size} lkq warm")
                        cdir = caches.fresh()
                        env = lkq_env(cdir)
                        fill = run_once(argv, env=env, timeout=a.timeout)
                        if fill.ok:
                            m = measure(argv, runs, a.timeout, env=env)
                        else:
                            m = dict(status="fill " + fill.status, runs=0, median=None, times=[],
                                     peak_mb=None, out=fill.out, err=fill.err.strip()[-400:])
                        results.append(dict(query=q, size=size, tool="lkq", variant="warm", **m))
                    else:
                        log(f"{q} {size} {tool}")
                        m = measure(argv, runs, a.timeout)
                        results.append(dict(query=q, size=size, tool=tool, variant="cold", **m))
        builtin = None
        if "lkq" in ready and want("builtin"):
            log("builtin lkq count")
            argv = [ready["lkq"]["argv0"], "--format", "csv", "-e", BUILTIN_QUERY]
            builtin = measure(argv, a.builtin_runs, a.timeout, env=lkq_env(caches.fresh()))
    finally:
        caches.cleanup()

    # ---- answers
    for r in results:
        r["answer"] = normalise(r["out"], QUERIES[r["query"]]["compare"]) if r["status"] == "ok" else None
    groups = {}
    for r in results:
        groups.setdefault((r["query"], r["size"]), []).append(r)
    for key, rs in groups.items():
        answers = [r["answer"] for r in rs if r["answer"] is not None]
        # reference = the answer most tools agree with
        best, best_n = None, 0
        for cand in answers:
            n = sum(1 for x in answers if same(cand, x))
            if n > best_n:
                best, best_n = cand, n
        for r in rs:
            if r["answer"] is None:
                r["agree"] = "-"
            elif len(answers) < 2:
                r["agree"] = "n/a"
            else:
                r["agree"] = "yes" if same(r["answer"], best) else "NO"
        for r in rs:
            r["reference"] = best

    # ---- markdown
    md = []
    cmd = " ".join(shlex.quote(x) for x in [sys.executable, os.path.relpath(__file__, os.getcwd())] + sys.argv[1:])
    mi = machine_info()
    md.append("# LKQ benchmark results\n")
    md.append(f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    md.append(f"- machine: {mi['nproc']} cores, {mi['cpu']}, {mi['ram']} RAM, {mi['os']}")
    md.append(f"- command: `{cmd}` (in `{os.getcwd()}`)")
    md.append(f"- data: `{a.data}`; runs: {a.runs} (10m: {a.runs_10m or a.runs}); per-run timeout {a.timeout:.0f} s")
    for t in tools:
        if t in ready:
            md.append(f"- {t}: {versions.get(t)}" + (f" — {notes[t]}" if t in notes else ""))
        else:
            md.append(f"- {t}: NOT RUN — {notes.get(t, '?')}")
    md.append("- each figure is a whole process, CSV on disk (in the OS page cache) to answer on stdout;"
              " median wall time of the runs, peak MB = max ru_maxrss of the child.")
    md.append("- lkq cold = fresh empty `LKQ_CACHE_DIR` for every run (parses CSV, writes cache);"
              " lkq warm = cache filled by one untimed run, then timed. Peers have no cache:"
              " their warm figure is their cold figure.")
    md.append("- ratio column = LKQ median / peer median, as `cold / warm`.\n")
    md.append("| query | size | tool | median s | peak MB | LKQ/peer ratio | answers agree |")
    md.append("|---|---|---|---|---|---|---|")
    for (q, size), rs in groups.items():
        lc = next((r for r in rs if r["tool"] == "lkq" and r["variant"] == "cold"), None)
        lw = next((r for r in rs if r["tool"] == "lkq" and r["variant"] == "warm"), None)
        for r in rs:
            name = r["tool"] + (f" ({r['variant']})" if r["tool"] == "lkq" else "")
            if r["tool"] == "lkq":
                rat = ""
            else:
                rc = ratio(lc and lc["median"], r["median"])
                rw = ratio(lw and lw["median"], r["median"])
                rat = "" if rc is None and rw is None else f"{fmt_r(rc)} / {fmt_r(rw)}"
            med = fmt_s(r["median"]) if r["status"] == "ok" else f"{r['status']}"
            md.append(f"| {q} {QUERIES[q]['title']} | {size} | {name} | {med} | {fmt_mb(r['peak_mb'])} | {rat} | {r['agree']} |")
    if builtin is not None:
        md.append(f"| builtin `{BUILTIN_QUERY.replace('|', chr(92) + '|')}` | built-in | lkq | "
                  f"{fmt_s(builtin['median']) if builtin['status'] == 'ok' else builtin['status']} | "
                  f"{fmt_mb(builtin['peak_mb'])} |  | |")
    md.append("")

    # ---- disagreements and failures
    extra = []
    for (q, size), rs in groups.items():
        for r in rs:
            if r["agree"] == "NO":
                extra.append(f"- {q} {size} {r['tool']} {r['variant']}: answer {show(r['answer'])}"
                             f" vs majority {show(r['reference'])}")
            if r["status"] != "ok":
                extra.append(f"- {q} {size} {r['tool']} {r['variant']}: {r['status']}: {r['err'][-300:]!r}")
    if builtin is not None and builtin["status"] != "ok":
        extra.append(f"- builtin: {builtin['status']}: {builtin['err'][-300:]!r}")
    if extra:
        md.append("## Problems\n")
        md.extend(extra)
        md.append("")
    md.append("## Answers (normalised, majority)\n")
    for (q, size), rs in groups.items():
        md.append(f"- {q} {size}: {show(rs[0]['reference'])}")
    md.append("")

    # ---- targets
    md.append("## Targets\n")

    def get(q, size, tool, variant="cold"):
        return next((r for r in groups.get((q, size), []) if r["tool"] == tool and r["variant"] == variant
                     and r["status"] == "ok"), None)

    def verdict(cond):
        return "PASS" if cond else "FAIL"

    targets = []
    if "lkq" in ready:
        for size in sizes:
            for q in QUERY_SIZES[size]:
                if not want(q):
                    continue
                lc, lw = get(q, size, "lkq"), get(q, size, "lkq", "warm")
                dk, sq = get(q, size, "duckdb"), get(q, size, "sqlite3")
                if dk:
                    rc = ratio(lc and lc["median"], dk["median"])
                    targets.append((f"{q} {size}: LKQ ≤ 1.5× DuckDB (from CSV)",
                                    rc is not None and rc <= 1.5, f"ratio {fmt_r(rc, 3)}"))
                    rw = ratio(lw and lw["median"], dk["median"])
                    targets.append((f"{q} {size}: LKQ warm cache ≤ 0.3× DuckDB from CSV",
                                    rw is not None and rw <= 0.3, f"ratio {fmt_r(rw, 3)}"))
                if sq and size == "1m":
                    rs_ = ratio(lc and lc["median"], sq["median"])
                    targets.append((f"{q} {size}: LKQ ≤ 0.2× sqlite3 (from CSV)",
                                    rs_ is not None and rs_ <= 0.2, f"ratio {fmt_r(rs_, 3)}"))
                if size == "10m":
                    csv_mb = os.path.getsize(os.path.join(a.data, FILES["10m"]["anggaran"] + ".csv")) / 1024 / 1024
                    pk = max([x["peak_mb"] for x in (lc, lw) if x and x["peak_mb"] is not None], default=None)
                    targets.append((f"{q} {size}: LKQ peak memory ≤ half the CSV ({csv_mb / 2:.0f} MB)",
                                    pk is not None and pk <= csv_mb / 2, f"peak {fmt_mb(pk)} MB"))
                if (lc is None or lw is None):
                    targets.append((f"{q} {size}: LKQ ran", False, "lkq failed"))
                for r in (lc, lw):
                    if r and r.get("agree") == "NO":
                        targets.append((f"{q} {size}: LKQ {r['variant']} answer agrees", False, show(r["answer"])))
        if builtin is not None:
            ok = builtin["status"] == "ok" and builtin["median"] < 0.020
            targets.append((f"built-in `{BUILTIN_QUERY}` < 20 ms", ok,
                            fmt_s(builtin["median"]) if builtin["status"] == "ok" else builtin["status"]))
        for name, ok, detail in targets:
            md.append(f"- {verdict(ok)} — {name} ({detail})")
        n_fail = sum(1 for _, ok, _ in targets if not ok)
        md.append(f"\n{len(targets) - n_fail} PASS, {n_fail} FAIL")
    else:
        md.append("- lkq not run: no targets checked (" + notes.get("lkq", "not selected") + ")")
    md.append("")

    text = "\n".join(md)
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(text)
    raw = os.path.splitext(a.out)[0] + ".json"
    with open(raw, "w") as f:
        json.dump({"machine": mi, "command": cmd, "versions": versions, "notes": notes,
                   "results": [{k: v for k, v in r.items() if k not in ("out", "answer", "reference")}
                               for r in results],
                   "builtin": {k: v for k, v in (builtin or {}).items() if k != "out"}}, f, indent=1)
    print(f"\nwritten: {a.out} and {raw}", file=sys.stderr)


if __name__ == "__main__":
    main()
