#!/usr/bin/env python3
"""Feeds the release `lkq` inputs at the edges of what it accepts and checks each ends in a
result or a located error: never a crash, a hang or a stack overflow. Prints what it tried
and how long each took. Usage: Scripts/limits.py PATH/TO/lkq
"""
import os, re, subprocess, sys, tempfile, time

LKQ = sys.argv[1] if len(sys.argv) > 1 else ".build/release/lkq"
TIMEOUT = 300
failures = []

def run(label, script, expect_status, expect_out=None, expect_err=None):
    with tempfile.NamedTemporaryFile("w", suffix=".lkq", delete=False, encoding="utf-8") as f:
        f.write(script)
        path = f.name
    start = time.monotonic()
    try:
        p = subprocess.run([LKQ, "--format", "csv", path], capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        failures.append(f"{label}: no answer in {TIMEOUT} s")
        print(f"FAIL {label}: timeout")
        return
    finally:
        os.unlink(path)
    took = time.monotonic() - start
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    ok = p.returncode == expect_status
    if expect_out is not None:
        ok = ok and expect_out(out)
    if expect_err is not None:
        ok = ok and re.search(expect_err, err.replace(path, "SCRIPT")) is not None
    size = len(script.encode("utf-8"))
    print(f"{'ok  ' if ok else 'FAIL'} {label:<42} {size / 1e6:8.1f} MB  {took:7.2f} s  exit {p.returncode}")
    if not ok:
        failures.append(f"{label}: exit {p.returncode}, stderr {err[:300]!r}, stdout {out[:200]!r}")

n = 1_000_000
run("a million statements", "desa where no = 1 | count\n" * n, 0,
    expect_out=lambda o: o.count("count\n1\n") == n)
run("a million statements, every 1000th wrong", ("desa | count\n" * 999 + "desa | cuont\n") * (n // 1000), 1,
    expect_out=lambda o: o.count("count\n22\n") == n - n // 1000,
    expect_err=r"SCRIPT:1000:8: error: unknown stage 'cuont'")
run("10,000 nested parentheses", "capaian | select " + "(" * 10_000 + "1" + ")" * 10_000 + " as x\n", 1,
    expect_err=r"SCRIPT:1:\d+: error: expression nested too deeply")
run("10,000 nots", "capaian where " + "not " * 10_000 + "sasaran = 1\n", 1,
    expect_err=r"SCRIPT:1:\d+: error: expression nested too deeply")
run("10,000 minus signs", "capaian | select " + "-" * 10_000 + "1 as x\n", 1,
    expect_err=r"SCRIPT:1:\d+: error: expression nested too deeply")
run("a 10 MB statement", "capaian" + " " * 5_000_000 + "| where sasaran = 2" + " " * 5_000_000 + "| count\n", 0,
    expect_out=lambda o: o == "count\n3\n")
run("a 10 MB name", "capaian | select " + "x" * 10_000_000 + "\n", 1,
    expect_err=r"SCRIPT:1:18: error: unknown column 'x{57}…'")
run("a string of a million characters", "capaian | limit 1 | select '" + "é" * 1_000_000 + "' as s\n", 0,
    expect_out=lambda o: len(o) > 1_000_000)
run("an unterminated string of a million", "capaian | select '" + "é" * 1_000_000 + "\n", 1,
    expect_err=r"SCRIPT:1:18: error: unterminated string")
if failures:
    print("\n".join(["", "failed:"] + failures))
    sys.exit(1)
