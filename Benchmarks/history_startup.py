#!/usr/bin/env python3
"""Time from starting `lkq` on a pseudo-terminal to its first prompt, with a history file of
a given size (default 50 MB) and with none, median of several runs.

    python3 Benchmarks/history_startup.py [--lkq .build/release/lkq] [--mb 50] [--runs 5]

The history file is written afresh before each run (lkq rewrites it, shorter, once a statement
is entered; here none is), in a temporary folder removed at the end.
"""
import argparse, os, pty, select, shutil, statistics, tempfile, time


def first_prompt(lkq, history):
    env = dict(os.environ, LKQ_HISTORY=history, NO_COLOR="1", TERM="xterm", LANG="C.UTF-8")
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(lkq, [lkq], env)
    out = b""
    deadline = start + 60
    while b"lkq> " not in out and time.perf_counter() < deadline:
        if select.select([fd], [], [], 0.01)[0]:
            try:
                out += os.read(fd, 65536)
            except OSError:
                break
    elapsed = time.perf_counter() - start
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    os.close(fd)
    if b"lkq> " not in out:
        raise SystemExit(f"no prompt within 60 s: {out[-300:]!r}")
    return elapsed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lkq", default=".build/release/lkq")
    p.add_argument("--mb", type=int, default=50)
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    lkq = os.path.abspath(a.lkq)
    folder = tempfile.mkdtemp(prefix="lkq-history-bench-")
    try:
        master = os.path.join(folder, "master")
        with open(master, "w") as f:
            f.write("_HiStOrY_V2_\n")
            size, i = 0, 0
            while size < a.mb * 1_000_000:
                line = f"capaian\\040where\\040no\\040=\\040{i}\n"
                f.write(line)
                size += len(line)
                i += 1
        history = os.path.join(folder, "history")
        with_file = []
        for _ in range(a.runs):
            shutil.copyfile(master, history)
            with_file.append(first_prompt(lkq, history))
        without = [first_prompt(lkq, os.path.join(folder, "none")) for _ in range(a.runs)]
        print(f"{lkq}: first prompt, median of {a.runs}: "
              f"{statistics.median(with_file):.3f} s with a {a.mb} MB history, "
              f"{statistics.median(without):.3f} s with none")
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
