#!/usr/bin/env python3
"""Scale-out on one machine: three PostgreSQL clusters on private ports, a coordinator and two
shards, with national-shape `anggaran` (Benchmarks/generate.py) hash-partitioned by `pemda`.

On the coordinator, database `postgres` holds `anggaran` (and `anggaran_10m`) as a table
PARTITIONED BY HASH (pemda) whose two partitions are postgres_fdw foreign tables, one on each
shard (server option async_capable, so the shards scan at the same time), with
enable_partitionwise_aggregate on: a GROUP BY on the partition key is computed on the shards
and only the groups travel. Database `single` on the coordinator holds the same rows as plain
tables, for comparison with one server. Every table is ANALYZEd.

    python3 Benchmarks/pgcluster.py [--data /tmp/lkq-bench] [--tables anggaran,anggaran_10m]
                                    [--explain-dir Benchmarks/pgcluster] [--keep]

loads the tables, writes EXPLAIN (VERBOSE) of the SQL `lkq --sql` emits for each benchmark
query (Benchmarks/run.py) on both setups into --explain-dir, and stops the clusters; --keep
prints the URLs and serves until Ctrl-C. The clusters stop on exit, on errors and on Ctrl-C.
Benchmarks/bench_db.py uses this module to time `lkq --db` on both setups.

Runs as root (the servers run as user postgres) or as an ordinary user; needs Debian's
postgresql (15 here), which ships postgres_fdw.
"""

import argparse
import atexit
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

COLUMNS = [("tahun", "integer"), ("pemda", "text"), ("opd", "text"), ("kode", "text"), ("uraian", "text"),
           ("level", "integer"), ("pagu", "bigint"), ("realisasi", "bigint"), ("persen", "double precision")]
FILES = {"anggaran": "anggaran.csv", "anggaran_10m": "anggaran_10m.csv"}
SHARDS = 2


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        sys.exit(f"pgcluster.py: no {name}; install Debian's postgresql (make deps)")
    return found[-1]


class Cluster:
    """One PostgreSQL cluster in a temporary directory, on a private port and socket."""

    def __init__(self, root, name, port, settings):
        self.name, self.port = name, port
        self.dir = os.path.join(root, name)
        self.socket = root
        self.settings = settings
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.running = False

    def start(self):
        subprocess.run(self.as_postgres + [pg_bin("initdb"), "-D", self.dir, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                                           "--no-sync", "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
        opts = f"-p {self.port} -k {self.socket} -c listen_addresses='' " + " ".join(f"-c {k}={v}" for k, v in self.settings.items())
        subprocess.run(self.as_postgres + [pg_bin("pg_ctl"), "-D", self.dir, "-w", "-l", self.dir + ".log", "-o", opts, "start"],
                       check=True, stdout=subprocess.DEVNULL)
        self.running = True

    def stop(self):
        if self.running:
            self.running = False
            subprocess.run(self.as_postgres + [pg_bin("pg_ctl"), "-D", self.dir, "-m", "fast", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def url(self, db="postgres"):
        return f"postgresql://postgres@/{db}?host={self.socket}&port={self.port}"

    def psql(self, sql, db="postgres"):
        """Runs sql (one or more statements) and returns what psql prints, unaligned, without headers."""
        r = subprocess.run([pg_bin("psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", self.socket, "-p", str(self.port),
                            "-U", "postgres", "-d", db], input=sql, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"{self.name}: {r.stderr.strip()}\n-- in:\n{sql[:2000]}")
        return r.stdout


class Setup:
    """The coordinator and the shards. A context manager: the clusters stop when it ends, on
    Ctrl-C and on SIGTERM too."""

    def __init__(self, memory="1GB"):
        self.root = tempfile.mkdtemp(prefix="lkq-pgcluster-")
        os.chmod(self.root, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        base = 30000 + os.getpid() % 20000
        common = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off", "shared_buffers": memory,
                  "work_mem": "64MB", "maintenance_work_mem": "256MB", "max_wal_size": "4GB"}
        # Partitionwise aggregation is off by default (planning cost); it is what lets a
        # GROUP BY on the partition key run on the shards.
        self.coordinator = Cluster(self.root, "coordinator", base,
                                   {**common, "enable_partitionwise_aggregate": "on", "enable_partitionwise_join": "on"})
        self.shards = [Cluster(self.root, f"shard{i + 1}", base + 1 + i, common) for i in range(SHARDS)]
        self.loaded = {}

    def __enter__(self):
        atexit.register(self.stop)
        self._previous = signal.signal(signal.SIGTERM, self._terminate)
        try:
            for c in [self.coordinator] + self.shards:
                c.start()
            self._connect()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        signal.signal(signal.SIGTERM, self._previous)
        return False

    def _terminate(self, signum, frame):
        raise SystemExit(128 + signum)

    def stop(self):
        for c in [self.coordinator] + self.shards:
            c.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _connect(self):
        sql = ["CREATE EXTENSION postgres_fdw;", "CREATE DATABASE single;"]
        for i, s in enumerate(self.shards):
            # async_capable: the Append over the shards starts every shard's scan at once.
            sql.append(f"CREATE SERVER shard{i + 1} FOREIGN DATA WRAPPER postgres_fdw OPTIONS "
                       f"(host '{s.socket}', port '{s.port}', dbname 'postgres', async_capable 'true', "
                       f"fetch_size '10000', use_remote_estimate 'true');")
            sql.append(f"CREATE USER MAPPING FOR postgres SERVER shard{i + 1} OPTIONS (user 'postgres');")
        self.coordinator.psql("\n".join(sql[:1]) + "\n" + "\n".join(sql[2:]))
        self.coordinator.psql(sql[1])

    def load(self, table, path):
        """Loads the CSV at path as `table`, partitioned on the shards and plain in `single`;
        returns the seconds each step took."""
        cols = ", ".join(f"{n} {t}" for n, t in COLUMNS)
        times = {}
        # The shards keep the rows of their partition: COPY ... WHERE tests each row with the
        # hash partitioning the coordinator uses (an empty table partitioned the same way gives
        # satisfies_hash_partition its key), so each shard reads the file and keeps its half.
        def shard_copy(i, s):
            s.psql(f"CREATE TABLE {table}_kunci ({cols}) PARTITION BY HASH (pemda);\n"
                   f"CREATE TABLE {table}_p{i} ({cols});\n"
                   f"COPY {table}_p{i} FROM '{path}' WITH (FORMAT csv, HEADER true) "
                   f"WHERE satisfies_hash_partition('{table}_kunci'::regclass, {SHARDS}, {i}, pemda);\n"
                   f"ANALYZE {table}_p{i};")
        t0 = time.perf_counter()
        errors = []

        def run(i, s):
            try:
                shard_copy(i, s)
            except Exception as e:  # reported below, in the main thread
                errors.append(e)
        threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(self.shards)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        times["shards_copy_s"] = time.perf_counter() - t0
        parts = [f"CREATE TABLE {table} ({cols}) PARTITION BY HASH (pemda);"]
        for i in range(SHARDS):
            parts.append(f"CREATE FOREIGN TABLE {table}_p{i} PARTITION OF {table} FOR VALUES WITH (MODULUS {SHARDS}, REMAINDER {i}) "
                         f"SERVER shard{i + 1} OPTIONS (table_name '{table}_p{i}');")
        parts.append(f"ANALYZE {table};")
        self.coordinator.psql("\n".join(parts))
        t0 = time.perf_counter()
        self.coordinator.psql(f"CREATE TABLE {table} ({cols});\nCOPY {table} FROM '{path}' WITH (FORMAT csv, HEADER true);", db="single")
        times["single_copy_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        self.coordinator.psql(f"ANALYZE {table};", db="single")
        times["single_analyze_s"] = time.perf_counter() - t0
        # Every row is in one partition: the shards' counts add up to the file's, and no
        # pemda is on both shards.
        total = int(self.coordinator.psql(f"SELECT count(*) FROM {table};", db="single"))
        counts = [int(s.psql(f"SELECT count(*) FROM {table}_p{i};")) for i, s in enumerate(self.shards)]
        both = int(self.coordinator.psql(f"SELECT count(*) FROM (SELECT pemda FROM {table}_p0 INTERSECT SELECT pemda FROM {table}_p1) x;"))
        if sum(counts) != total or both:
            raise RuntimeError(f"{table}: shards hold {counts} rows of {total}, {both} pemda on both")
        times["rows"] = total
        times["shard_rows"] = counts
        self.loaded[table] = times
        return times

    def explain(self, sql, db="postgres"):
        return self.coordinator.psql(f"EXPLAIN (VERBOSE, COSTS OFF) {sql}", db=db)


def lkq_sql(lkq, url, query):
    """The PostgreSQL statement `lkq --db URL --sql` emits for query (its comment lines
    dropped): the database's catalog gives the tables' columns."""
    r = subprocess.run([lkq, "--db", url, "--sql", "-e", query], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"lkq --sql -e '{query}': {r.stderr.strip()}")
    return "\n".join(line for line in r.stdout.splitlines() if not line.startswith("--")).strip()


def benchmark_queries():
    """run.py's queries over anggaran, as {name: (title, LKQ text with {t})}."""
    sys.path.insert(0, HERE)
    import run as benchrun
    return {q: (s["title"], s["lkq"]) for q, s in benchrun.QUERIES.items() if s["table"] == "anggaran"}


def write_explains(setup, lkq, tables, out_dir):
    """EXPLAIN (VERBOSE) of every benchmark query on both setups, one file per query and table."""
    os.makedirs(out_dir, exist_ok=True)
    written = {}
    for table in tables:
        for q, (title, text) in benchmark_queries().items():
            lkq_text = text.format(t=table)
            sql = lkq_sql(lkq, setup.coordinator.url(), lkq_text)
            body = [f"-- {q} {title} on {table}", f"-- lkq: {lkq_text}", "", sql, "",
                    "-- partitioned (coordinator, two postgres_fdw shards):", setup.explain(sql).rstrip(), "",
                    "-- single server:", setup.explain(sql, db="single").rstrip(), ""]
            path = os.path.join(out_dir, f"{q}-{table}.txt")
            with open(path, "w") as f:
                f.write("\n".join(body))
            written[(q, table)] = path
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="/tmp/lkq-bench")
    ap.add_argument("--tables", default="anggaran", help="comma-separated: anggaran (1M rows), anggaran_10m")
    ap.add_argument("--lkq", default=os.path.join(REPO, ".build/release/lkq"))
    ap.add_argument("--explain-dir", default=os.path.join(HERE, "pgcluster"))
    ap.add_argument("--keep", action="store_true", help="serve until Ctrl-C")
    a = ap.parse_args()
    tables = [t for t in a.tables.split(",") if t]
    for t in tables:
        if t not in FILES or not os.path.exists(os.path.join(a.data, FILES[t])):
            sys.exit(f"pgcluster.py: no {t} in {a.data} (make bench-data)")
    with Setup() as setup:
        for t in tables:
            times = setup.load(t, os.path.join(a.data, FILES[t]))
            print(f"{t}: {times}", flush=True)
        for path in write_explains(setup, a.lkq, tables, a.explain_dir).values():
            print(f"wrote {os.path.relpath(path)}")
        if a.keep:
            print(f"partitioned: {setup.coordinator.url()}\nsingle:      {setup.coordinator.url('single')}\nCtrl-C stops", flush=True)
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass


if __name__ == "__main__":
    main()
