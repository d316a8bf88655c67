#!/usr/bin/env python3
"""LKQ in memory against LKQ `--db` on one PostgreSQL and on a partitioned setup.

The queries are Benchmarks/run.py's over anggaran (Q2, Q2b, Q4, Q6), on its 1M and 10M rows
(Benchmarks/generate.py). Four ways, each a whole `lkq` process, median wall time of --runs:

  memory cold   lkq --no-cache --data DIR      (parses the CSV)
  memory warm   lkq --data DIR, cache filled   (reads LKQ's column cache)
  db single     lkq --db (one server, a plain table)
  db sharded    lkq --db (coordinator + two postgres_fdw shards, hash-partitioned by pemda;
                Benchmarks/pgcluster.py)

Every answer must equal the in-memory one. The figures, the COPY load times and where each
query's work runs (from EXPLAIN (VERBOSE) of the SQL LKQ emits, kept in Benchmarks/pgcluster/)
replace the part of Benchmarks/RESULTS.md between <!-- database:begin --> and
<!-- database:end -->.

    python3 Benchmarks/bench_db.py [--data /tmp/lkq-bench] [--sizes 1m,10m] [--runs 3]
"""

import argparse
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import pgcluster  # noqa: E402

SIZES = {"1m": "anggaran", "10m": "anggaran_10m"}
BEGIN, END = "<!-- database:begin -->", "<!-- database:end -->"


def timed(argv, env=None, timeout=600):
    t0 = time.perf_counter()
    r = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    secs = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()[:500]}")
    return secs, r.stdout


def measure(argv, runs, env=None):
    times, out = [], None
    for _ in range(runs):
        secs, out = timed(argv, env)
        times.append(secs)
    return statistics.median(times), out


def agree(a, b):
    """'yes' when the CSV answers are equal; 'yes (≤1e-9)' when they differ only in the last
    digits of decimals (summation order); else 'NO'."""
    if a == b:
        return "yes"
    ra, rb = [l.split(",") for l in a.splitlines()], [l.split(",") for l in b.splitlines()]
    if len(ra) != len(rb):
        return "NO"
    for x, y in zip(ra, rb):
        if len(x) != len(y):
            return "NO"
        for u, v in zip(x, y):
            if u == v:
                continue
            try:
                fu, fv = float(u), float(v)
            except ValueError:
                return "NO"
            if abs(fu - fv) > 1e-9 * max(1.0, abs(fu)):
                return "NO"
    return "yes (≤1e-9)"


def fmt(secs):
    return f"{secs * 1000:.0f} ms" if secs < 1 else f"{secs:.2f} s"


def where_it_runs(explain_text):
    """The partitioned plan's Foreign Scan lines: what each shard is asked (Remote SQL)."""
    part = explain_text.split("-- partitioned (coordinator, two postgres_fdw shards):")[1].split("-- single server:")[0]
    lines = part.strip().splitlines()
    pushed = any("Relations: Aggregate on" in l for l in lines)
    scans = [l.strip() for l in lines if "Foreign Scan" in l]
    remote = [l.strip().replace("Remote SQL: ", "") for l in lines if "Remote SQL:" in l]
    top = lines[0].strip()
    return pushed, top, scans[0] if scans else "", remote[0] if remote else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="/tmp/lkq-bench")
    ap.add_argument("--lkq", default=os.path.join(REPO, ".build/release/lkq"))
    ap.add_argument("--sizes", default="1m,10m")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--explain-dir", default=os.path.join(HERE, "pgcluster"))
    a = ap.parse_args()
    lkq = os.path.abspath(a.lkq)
    if not os.access(lkq, os.X_OK):
        sys.exit(f"bench_db.py: {lkq} missing (make release)")
    sizes = [s for s in a.sizes.split(",") if s]
    for s in sizes:
        if not os.path.exists(os.path.join(a.data, pgcluster.FILES[SIZES[s]])):
            sys.exit(f"bench_db.py: no {pgcluster.FILES[SIZES[s]]} in {a.data} (make bench-data)")
    queries = pgcluster.benchmark_queries()
    rows, loads, places = [], {}, {}
    cache = tempfile.mkdtemp(prefix="lkq-bench-db-cache-")
    warm_env = {**os.environ, "LKQ_CACHE_DIR": cache}
    with pgcluster.Setup() as setup:
        for s in sizes:
            table = SIZES[s]
            print(f"loading {table}...", flush=True)
            loads[s] = setup.load(table, os.path.join(a.data, pgcluster.FILES[table]))
            print(f"  {loads[s]}", flush=True)
        explains = pgcluster.write_explains(setup, lkq, [SIZES[s] for s in sizes], a.explain_dir)
        urls = {"db single": setup.coordinator.url("single"), "db sharded": setup.coordinator.url()}
        for s in sizes:
            table = SIZES[s]
            for q, (title, text) in queries.items():
                query = text.format(t=table)
                with open(explains[(q, table)]) as f:
                    places[(q, s)] = where_it_runs(f.read())
                print(f"{q} {s}", flush=True)
                cold, answer = measure([lkq, "--no-cache", "--data", a.data, "-f", "csv", "-e", query], a.runs)
                warm_argv = [lkq, "--data", a.data, "-f", "csv", "-e", query]
                timed(warm_argv, warm_env)  # fills the cache, untimed
                warm, out_warm = measure(warm_argv, a.runs, warm_env)
                results = {"memory cold": (cold, "yes"), "memory warm": (warm, agree(answer, out_warm))}
                for name, url in urls.items():
                    secs, out = measure([lkq, "--db", url, "-f", "csv", "-e", query], a.runs)
                    results[name] = (secs, agree(answer, out))
                rows.append((q, title, s, results))
                print("  " + ", ".join(f"{k} {fmt(v[0])} {v[1]}" for k, v in results.items()), flush=True)
    subprocess.run(["rm", "-rf", cache])

    version = subprocess.run([pgcluster.pg_bin("postgres"), "--version"], capture_output=True, text=True).stdout.strip()
    cores = os.cpu_count()
    md = [BEGIN, "## LKQ on a database (`make bench-db`)", "",
          f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M:%S} UTC; machine: {cores} cores, "
          f"{platform.machine()}, Linux {platform.release()}; {version}",
          f"- command: `python3 Benchmarks/bench_db.py --sizes {a.sizes} --runs {a.runs}` (`make bench-db`); "
          "median wall time of the runs, each a whole `lkq` process printing CSV.",
          "- memory cold = `lkq --no-cache --data DIR` (parses the CSV); memory warm = LKQ's column cache, filled "
          "by one untimed run; db single = `lkq --db` on one server, a plain table; db sharded = `lkq --db` on "
          "the coordinator of `Benchmarks/pgcluster.py`: the table hash-partitioned by `pemda` into two "
          "postgres_fdw foreign tables on two other servers (async_capable, enable_partitionwise_aggregate). "
          "All three servers run on this one machine and share its cores: the sharded figures show where "
          "the work goes, not a speed-up from more hardware.",
          "- answers agree = the CSV printed equals the in-memory one byte for byte.", ""]
    md.append("Loading (server-side `COPY`, then `ANALYZE`):\n")
    md.append("| size | rows | COPY into one server | ANALYZE | COPY into the two shards (in parallel, each keeping its half) |")
    md.append("|---|---|---|---|---|")
    for s, t in loads.items():
        md.append(f"| {s} | {t['rows']:,} | {t['single_copy_s']:.1f} s | {t['single_analyze_s']:.1f} s | "
                  f"{t['shards_copy_s']:.1f} s ({t['shard_rows'][0]:,} + {t['shard_rows'][1]:,} rows) |")
    md += ["", "| query | size | memory cold | memory warm | db single | db sharded | answers agree |", "|---|---|---|---|---|---|---|"]
    for q, title, s, r in rows:
        ok = "yes" if all(v[1] == "yes" for v in r.values()) else "; ".join(f"{k}: {v[1]}" for k, v in r.items() if v[1] != "yes")
        md.append(f"| {q} {title} | {s} | " + " | ".join(fmt(r[k][0]) for k in ("memory cold", "memory warm", "db single", "db sharded"))
                  + f" | {ok} |")
    md += ["", "Where the sharded work runs (`EXPLAIN (VERBOSE)` of the SQL `lkq --sql` emits; "
           "full plans, both setups, in `Benchmarks/pgcluster/`):", ""]
    seen = set()
    for q, title, s, r in rows:
        if q in seen:
            continue
        seen.add(q)
        pushed, top, scan, remote = places[(q, s)]
        how = "aggregate pushed down to the shards" if pushed else "rows fetched, aggregated on the coordinator"
        md.append(f"- {q} ({title}): {how}. Top node `{top}`; `{scan}`; each shard runs `{remote}`.")
    md += ["",
           "Notes:", "",
           "- PostgreSQL 15's postgres_fdw pushes an aggregate to a shard only when it is the whole "
           "aggregation of that shard's rows: a GROUP BY on the partition key (Q2, `group by pemda`), which "
           "partitionwise aggregation splits into one complete aggregate per partition. A GROUP BY on another "
           "column (Q2b, `group by opd`) or no GROUP BY (Q4 `sum`, Q6 `count`) needs a partial aggregate per "
           "partition and a final one on the coordinator; postgres_fdw in 15 cannot ship a partial aggregate "
           "(no way to send back an aggregate's transition state), so the shards send rows "
           "(only the needed columns, WHERE pushed down: Q4 sends the matching rows' `pagu`, Q6 sends empty rows) "
           "and the coordinator aggregates them. Those queries are slower sharded than on one server.",
           "- The Append over the shards is asynchronous (`Async Foreign Scan`) only where the Foreign Scans are "
           "its direct children, i.e. when the aggregate is pushed down; under a Partial Aggregate the shards are "
           "read one after the other.",
           "- LKQ's `CAST(SUM(x) AS BIGINT)` (LKQ keeps sums 64-bit) ships as `sum(x)::bigint` and does not stop "
           "the pushdown.",
           END]
    section = "\n".join(md) + "\n"
    text = open(a.results).read() if os.path.exists(a.results) else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section.rstrip("\n") + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(a.results, "w") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(a.results)}")


if __name__ == "__main__":
    main()
