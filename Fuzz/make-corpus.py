#!/usr/bin/env python3
"""Writes the seed corpora for the two fuzz targets (see the Makefile's `fuzz` targets).

    python3 Fuzz/make-corpus.py OUT

OUT/lkq: LKQ text. Each script case (Tests/LKQTests/Cases/*.lkq) and example (Examples/*.lkq)
whole, and each of its paragraphs (statements separated by blank lines) without the `# expect`
lines, so the fuzzer starts from statements that parse, run and fail in every known way.

OUT/csv: CSV files. The head of each built-in table's CSV, every CSV text written in
Tests/LKQTests/CSVTests.swift, and a few shapes those miss.

Seeds are named by their content's hash, so running this again changes nothing.
"""
import hashlib
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_LEN = 4096


def write(folder: pathlib.Path, data: bytes) -> None:
    data = data[:MAX_LEN]
    if data:
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def lkq_seeds():
    files = sorted((ROOT / "Tests/LKQTests/Cases").glob("*.lkq")) + sorted((ROOT / "Examples").glob("*.lkq"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        yield text.encode()
        for paragraph in re.split(r"\n\s*\n", text):
            lines = [l for l in paragraph.splitlines() if not l.lstrip().startswith("# expect")]
            statement = "\n".join(lines).strip()
            if statement:
                yield statement.encode()


SWIFT_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "'": "'", "0": "\0"}


def swift_string(body: str) -> str:
    """The value of a Swift string literal's body (the escapes the tests use)."""
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            if n == "u" and body[i + 2:i + 3] == "{":
                end = body.index("}", i)
                out.append(chr(int(body[i + 3:end], 16)))
                i = end + 1
                continue
            out.append(SWIFT_ESCAPES.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


EXTRA_CSV = [
    b"\xef\xbb\xbfkode,nama\r\n1,Alor\r\n2,\"Sumba\r\nBarat\"\r\n",
    b"pemda\tpagu\tpersen\nKupang\tRp 1.234.567,50\t98,40\nEnde\t-\t\n",
    b"a;b\n\"x\"\"y\";1.5e3\n\"\";-0\n",
    b"a,b\n1,\xff\xfe\n",
    b"a,a\n1,2\n",
    b"x\n9223372036854775807\n-9223372036854775808\n1e308\n",
    b",,\n,,\n",
    b"a,b\n1,2,3\n4\n",
    b"a,\"b\nc\",d\n1,2,3\n",
    b"\"unterminated,1\n2,3\n",
]


def csv_seeds():
    for path in sorted((ROOT / "Sources/LKQ/Data/LKIP2023").glob("*.csv")):
        lines = path.read_bytes().split(b"\n")
        yield b"\n".join(lines[:12]) + b"\n"
    tests = (ROOT / "Tests/LKQTests/CSVTests.swift").read_text(encoding="utf-8")
    for body in re.findall(r'"((?:[^"\\\n]|\\.)*)"', tests):
        text = swift_string(body)
        if "\n" in text and any(s in text for s in ",;\t|"):
            yield text.encode()
    yield from EXTRA_CSV


def main() -> None:
    out = pathlib.Path(sys.argv[1])
    for name, seeds in (("lkq", lkq_seeds()), ("csv", csv_seeds())):
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        for seed in seeds:
            write(folder, seed)
        print(f"{folder}: {len(list(folder.iterdir()))} seeds")


if __name__ == "__main__":
    main()
