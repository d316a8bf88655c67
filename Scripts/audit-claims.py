#!/usr/bin/env python3
"""Recomputes every claim of the report (built-in table `klaim`) with the lkq binary.

For each row of Sources/LKQ/Data/LKIP2023/klaim.csv, runs its `query` through
`lkq --format csv -e QUERY` (the built-in data is embedded in the binary), takes the last
column of the single result row, and compares it with the stated `nilai`:
they agree when |stated - recomputed| <= 0.5 * 10^-desimal + 1e-9.
Prints id, stated, recomputed, difference and agree/DISAGREE for every claim.

Exit status: 2 if a query fails or does not return exactly one numeric row; with
--check-notes, 1 if the set of disagreeing ids differs from the ids listed in NOTES.md
under "Klaim dan audit" (so a data change that moves an audit result is noticed); else 0.
python3 stdlib only.

    swift build --product lkq && python3 Scripts/audit-claims.py [--lkq PATH] [--only-disagree] [--check-notes]
"""
import argparse, csv, io, os, re, subprocess, sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
DATA = os.path.join(ROOT, "Sources", "LKQ", "Data", "LKIP2023")


def run(lkq, query):
    """The last column of the one row `query` returns, as a float; raises on anything else."""
    p = subprocess.run([lkq, "--format", "csv", "-e", query], capture_output=True, text=True)
    if p.returncode != 0:
        raise ValueError(p.stderr.strip() or f"exit status {p.returncode}")
    table = list(csv.reader(io.StringIO(p.stdout)))
    if len(table) != 2:
        raise ValueError(f"expected exactly one row, got {len(table) - 1}")
    cell = table[1][-1]
    if cell == "":
        raise ValueError("the last column is null")
    return float(cell)


def noted_ids():
    """Claim ids listed as disagreements in NOTES.md's "Klaim dan audit" section."""
    text = open(os.path.join(DATA, "NOTES.md"), encoding="utf-8").read()
    m = re.search(r"^## Klaim dan audit\b(.*?)(?=^## |\Z)", text, flags=re.M | re.S)
    if not m:
        return None
    sub = re.search(r"^### Ketidaksesuaian.*?$(.*?)(?=^### |\Z)", m.group(1), flags=re.M | re.S)
    body = sub.group(1) if sub else ""
    return set(re.findall(r"\bK\d{3}\b", body))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lkq", default=os.path.join(ROOT, ".build", "debug", "lkq"), help="lkq binary (default: debug build)")
    ap.add_argument("--klaim", default=os.path.join(DATA, "klaim.csv"))
    ap.add_argument("--only-disagree", action="store_true", help="print only the claims that disagree")
    ap.add_argument("--check-notes", action="store_true", help="fail if NOTES.md lists other disagreements")
    args = ap.parse_args()
    if not os.access(args.lkq, os.X_OK):
        sys.exit(f"{args.lkq}: not found; run `swift build --product lkq` first")

    with open(args.klaim, encoding="utf-8", newline="") as f:
        claims = list(csv.DictReader(f))
    errors, disagree = [], []
    print(f"{'id':<5} {'dinyatakan':>16} {'dihitung ulang':>22} {'selisih':>16}  hasil   sumber / klaim")
    for c in claims:
        stated, dec = float(c["nilai"]), int(c["desimal"])
        try:
            got = run(args.lkq, c["query"])
        except ValueError as e:
            errors.append(c["id"])
            print(f"{c['id']:<5} ERROR {e}\n      query: {c['query']}")
            continue
        diff = got - stated
        ok = abs(diff) <= 0.5 * 10 ** -dec + 1e-9
        if not ok:
            disagree.append(c["id"])
        if ok and args.only_disagree:
            continue
        print(f"{c['id']:<5} {c['nilai']:>16} {got:>22.10g} {diff:>16.6g}  {'agree  ' if ok else 'DISAGREE'} "
              f"{c['sumber']}: {c['klaim']}")
    print(f"\n{len(claims)} claims: {len(claims) - len(disagree) - len(errors)} agree, "
          f"{len(disagree)} disagree, {len(errors)} failed")
    if disagree:
        print("disagree:", " ".join(disagree))
    if errors:
        print("failed:", " ".join(errors))
        sys.exit(2)
    if args.check_notes:
        noted = noted_ids()
        if noted is None:
            sys.exit("NOTES.md has no section '## Klaim dan audit'")
        if noted != set(disagree):
            print("NOTES.md lists disagreements that the audit does not find:", " ".join(sorted(noted - set(disagree))) or "-")
            print("the audit finds disagreements NOTES.md does not list:", " ".join(sorted(set(disagree) - noted)) or "-")
            sys.exit(1)
        print("the disagreements are exactly those NOTES.md describes")


if __name__ == "__main__":
    main()
