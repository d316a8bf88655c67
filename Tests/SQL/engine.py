#!/usr/bin/env python3
"""Runs LKQ's compiled SQL on a real engine for the differential tests.

Reads a job as JSON on standard input:
  {"tables": [{"name", "columns": [[name, "int"|"double"|"text"]], "rows": [[...]]}],
   "queries": [{"sql", "params": [...], "preamble": [...]}]}
and writes one result per query as JSON: {"rows": [[cell...]]} or {"error": "..."}, each cell
tagged with the type the engine returned (["i", 5], ["d", 5.0], ["t", "x"], ["n", "1.5"] for
an exact numeric, ["?", repr] for anything else), or null.

  engine.py duckdb     DuckDB in memory (pip duckdb, installed when missing).
  engine.py spark      Spark SQL on a local session (pip pyspark, installed when missing, on
                       Debian's OpenJDK); slow to start, so it runs in .ci/run (make test-spark).
  engine.py serve JOB  loads JOB's tables into a private server, prints its URL, and keeps it
                       running until standard input closes (for the lkq --db tests).
  engine.py postgres   a private PostgreSQL server (Debian postgresql, installed when missing)
                       started in a temporary directory on a private port and socket, run
                       as the postgres user (the server refuses root), and stopped at the end.
"""
import decimal
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def ensure(module, install):
    try:
        return __import__(module)
    except ImportError:
        print(f"engine.py: installing {install[-1]}", file=sys.stderr)
        subprocess.run(install, check=True, stdout=subprocess.DEVNULL)
        return __import__(module)


def cell(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return ["?", repr(v)]
    if isinstance(v, int):
        return ["i", v]
    if isinstance(v, float):
        return ["d", v]
    if isinstance(v, str):
        return ["t", v]
    if isinstance(v, decimal.Decimal):
        return ["n", str(v)]
    return ["?", repr(v)]


SQL_TYPES = {"int": "BIGINT", "double": "DOUBLE PRECISION", "text": "TEXT"}


def run_duckdb(job):
    duckdb = ensure("duckdb", [sys.executable, "-m", "pip", "install", "-q", "--break-system-packages", "duckdb"])
    con = duckdb.connect()
    for t in job["tables"]:
        cols = ", ".join(f'"{n}" {SQL_TYPES[ty].replace("DOUBLE PRECISION", "DOUBLE")}' for n, ty in t["columns"])
        con.execute(f'CREATE TABLE "{t["name"]}" ({cols})')
        if t["rows"]:
            marks = ", ".join("?" for _ in t["columns"])
            con.executemany(f'INSERT INTO "{t["name"]}" VALUES ({marks})', t["rows"])
    out = []
    for q in job["queries"]:
        try:
            rows = con.execute(q["sql"], q["params"] or None).fetchall()
            out.append({"rows": [[cell(v) for v in r] for r in rows]})
        except Exception as e:  # an engine error is a result to compare, not a crash
            out.append({"error": str(e).splitlines()[0]})
    return out


def run_spark(job):
    ensure("pyspark", [sys.executable, "-m", "pip", "install", "-q", "--break-system-packages", "pyspark"])
    from pyspark.sql import SparkSession
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType
    # One local core, no UI, one shuffle partition: start-up dominates at this size.
    spark = (SparkSession.builder.master("local[1]").appName("lkq-differential")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
             .config("spark.driver.memory", "512m").config("spark.log.level", "ERROR").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    types = {"int": LongType(), "double": DoubleType(), "text": StringType()}
    for t in job["tables"]:
        schema = StructType([StructField(n, types[ty], True) for n, ty in t["columns"]])
        rows = [[float(v) if ty == "double" and v is not None else v for v, (_, ty) in zip(r, t["columns"])] for r in t["rows"]]
        spark.createDataFrame(rows, schema).createOrReplaceTempView(t["name"])
    out = []
    for q in job["queries"]:
        try:
            for statement in q["preamble"]:
                spark.sql(statement)
            args = dict(zip(q.get("names", []), q["params"])) or None
            rows = spark.sql(q["sql"], args=args).collect()
            out.append({"rows": [[cell(v) for v in r] for r in rows]})
        except Exception as e:
            out.append({"error": str(e).strip().splitlines()[0]})
    spark.stop()
    return out


def pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else None


def run_postgres(job, serve=False):
    if not pg_bin("initdb"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    import psycopg2
    root = tempfile.mkdtemp(prefix="lkq-pg-")
    data = os.path.join(root, "data")
    shutil.chown(root, "postgres", "postgres")
    port = str(20000 + os.getpid() % 20000)
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    try:
        subprocess.run(as_postgres + [pg_bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync",
                                      "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(as_postgres + [pg_bin("pg_ctl"), "-D", data, "-w", "-l", os.path.join(root, "log"), "-o",
                                      f"-p {port} -k {root} -c listen_addresses='' -c fsync=off", "start"],
                       check=True, stdout=subprocess.DEVNULL)
        con = psycopg2.connect(host=root, port=port, user="postgres", dbname="postgres")
        con.autocommit = True
        cur = con.cursor()
        for t in job["tables"]:
            cols = ", ".join(f'"{n}" {SQL_TYPES[ty]}' for n, ty in t["columns"])
            cur.execute(f'CREATE TABLE "{t["name"]}" ({cols})')
            if t["rows"]:
                marks = ", ".join("%s" for _ in t["columns"])
                cur.executemany(f'INSERT INTO "{t["name"]}" VALUES ({marks})', t["rows"])
        for statement in job.get("setup", []):
            cur.execute(statement)
        if serve:
            # Serve the loaded tables until standard input closes: the caller connects with the URL.
            con.close()
            print(f"postgresql://postgres@/postgres?host={root}&port={port}", flush=True)
            sys.stdin.read()
            return []
        # Queries run read-only, as lkq --db does.
        cur.execute("SET default_transaction_read_only = on")
        out = []
        for i, q in enumerate(job["queries"]):
            try:
                if q["params"]:
                    # A server-side prepared statement: the values are bound, never in the SQL.
                    cur.execute(f"PREPARE q{i} AS {q['sql']}")
                    cur.execute(f"EXECUTE q{i} ({', '.join('%s' for _ in q['params'])})", q["params"])
                else:
                    cur.execute(q["sql"])
                out.append({"rows": [[cell(v) for v in r] for r in cur.fetchall()]})
            except Exception as e:
                out.append({"error": str(e).splitlines()[0]})
        con.close()
        return out
    finally:
        subprocess.run(as_postgres + [pg_bin("pg_ctl"), "-D", data, "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)


def main():
    if sys.argv[1] in ("postgres", "serve"):
        try:
            import psycopg2  # noqa: F401
        except ImportError:
            # Debian's python3-psycopg2 serves /usr/bin/python3, which may not be the python3
            # first on PATH (pyenv): install it, then run again under Debian's Python.
            if not os.path.exists("/usr/lib/python3/dist-packages/psycopg2"):
                subprocess.run(["apt-get", "install", "-y", "-qq", "python3-psycopg2"], check=True,
                               stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
            if sys.executable != "/usr/bin/python3":
                os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    if sys.argv[1] == "serve":
        with open(sys.argv[2]) as f:
            run_postgres(json.load(f), serve=True)
        return
    job = json.load(sys.stdin)
    started = time.time()
    result = {"duckdb": run_duckdb, "postgres": run_postgres, "spark": run_spark}[sys.argv[1]](job)
    print(f"engine.py {sys.argv[1]}: {len(job['queries'])} queries in {time.time() - started:.1f} s", file=sys.stderr)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
