#!/usr/bin/env python3
"""Checks the built-in LKIP 2023 data against the report's own totals (python3 stdlib only).

Prints every sum / percentage that does or does not add up; exits 1 only if a
check that NOTES.md records as consistent fails.
"""
import csv, os, sys
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "Sources", "LKQ", "Data", "LKIP2023")

def load(name):
    with open(os.path.join(DATA, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))

def r2(x):
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

failed = []
def check(label, ok, detail="", expected=True):
    status = "ok  " if ok else "DIFF"
    print(f"{status} {label}" + (f"  [{detail}]" if detail else ""))
    if ok != expected:
        failed.append(label)

# ---- anggaran (Tabel 3.13)
ang = load("anggaran.csv")
by = {r["kode"]: r for r in ang}
print("== anggaran (Tabel 3.13)")
check("48 rows", len(ang) == 48, str(len(ang)))
for parent in ang:
    kids = [r for r in ang if r["induk"] == parent["kode"]]
    if not kids:
        continue
    for col in ("pagu", "realisasi"):
        s = sum(int(r[col]) for r in kids)
        check(f"{col} of {parent['level']} {parent['kode']} = sum of its {len(kids)} children",
              s == int(parent[col]), f"{parent[col]} vs {s}, diff {int(parent[col]) - s}")
progs = [r for r in ang if r["level"] == "program"]
for col in ("pagu", "realisasi"):
    s = sum(int(r[col]) for r in progs)
    check(f"{col}: programmes sum to urusan 2.13", s == int(by["2.13"][col]), f"{s}")
for r in ang:
    p, q = int(r["pagu"]), int(r["realisasi"])
    calc = r2(Decimal(q) * 100 / p) if p else Decimal(0)
    check(f"persen {r['kode']} = realisasi/pagu", calc == Decimal(r["persen"]), f"printed {r['persen']}, computed {calc}")

# Tabel 3.6 (Anggaran, Realisasi, Capaian) repeats seven sub kegiatan of Tabel 3.13
t36 = {"2.13.05.1.01.05": (3415500, 0, "0"), "2.13.05.1.01.06": (103143500, 80068000, "77.63"),
       "2.13.05.1.01.09": (940707610, 519497751, "55.22"), "2.13.02.1.01.03": (44132080, 31188100, "70.67"),
       "2.13.04.1.01.01": (16858800, 7506600, "44.53"), "2.13.04.1.01.08": (53867400, 8557000, "15.89"),
       "2.13.04.1.01.10": (458896600, 117465400, "25.60")}
for k, (p, q, c) in t36.items():
    r = by[k]
    check(f"Tabel 3.6 row {k} = Tabel 3.13", (int(r["pagu"]), int(r["realisasi"]), Decimal(r["persen"])) == (p, q, Decimal(c)))

# ---- belanja (Tabel 3.12)
print("== belanja (Tabel 3.12)")
bel = load("belanja.csv")
tot = next(r for r in bel if r["level"] == "jumlah")
for lvl in ("kelompok", "jenis"):
    for col in ("pagu", "realisasi"):
        s = sum(int(r[col]) for r in bel if r["level"] == lvl)
        check(f"{col}: '{lvl}' lines sum to Jumlah Belanja", s == int(tot[col]), f"{s} vs {tot[col]}")
for k in ("Belanja Operasi", "Belanja Modal"):
    grp = next(r for r in bel if r["level"] == "kelompok" and r["kelompok"] == k)
    for col in ("pagu", "realisasi"):
        s = sum(int(r[col]) for r in bel if r["level"] == "jenis" and r["kelompok"] == k)
        check(f"{col}: jenis lines of {k} sum to it", s == int(grp[col]), f"{s} vs {grp[col]}")
for r in bel:
    p, q = int(r["pagu"]), int(r["realisasi"])
    calc = r2(Decimal(q) * 100 / p) if p else None
    check(f"persen '{r['uraian']}' = realisasi/pagu", calc is None or calc == Decimal(r["persen"]),
          f"printed {r['persen']}, computed {calc if calc is not None else '0/0'}")
for col in ("pagu", "realisasi"):
    check(f"{col}: Tabel 3.12 Jumlah Belanja = Tabel 3.13 urusan", int(tot[col]) == int(by["2.13"][col]))
check("Belanja Pegawai (3.12) vs sub kegiatan Penyediaan Gaji dan Tunjangan ASN (3.13) [not required equal]",
      int(bel[1]["pagu"]) == int(by["2.13.01.1.02.01"]["pagu"]),
      f"{bel[1]['pagu']} vs {by['2.13.01.1.02.01']['pagu']}", expected=False)

# ---- desa (Tabel 3.11)
print("== desa (Tabel 3.11)")
desa = load("desa.csv")
check("22 rows", len(desa) == 22)
for col, total in (("kecamatan", 315), ("desa", 3137), ("kelurahan", 305), ("jumlah", 3442)):
    s = sum(int(r[col]) for r in desa)
    check(f"{col} sums to Total {total}", s == total, str(s))
for r in desa:
    check(f"desa+kelurahan = jumlah for {r['kabupaten']}", int(r["desa"]) + int(r["kelurahan"]) == int(r["jumlah"]))

# ---- capaian (Tabel 3.1/3.3/3.5)
print("== capaian")
cap = load("capaian.csv")
check("9 rows", len(cap) == 9)
avg = r2(sum(Decimal(r["capaian"]) for r in cap) / len(cap))
check("Tabel 3.1 RATA-RATA CAPAIAN 82.32 = mean of 9 lines", avg == Decimal("82.32"), str(avg))
for s, printed in ((1, "96.65"), (2, "57.64")):
    rows = [r for r in cap if int(r["sasaran"]) == s]
    a = r2(sum(Decimal(r["capaian"]) for r in rows) / len(rows))
    check(f"Ikhtisar Eksekutif sasaran {s} rata-rata {printed} = mean of Tabel 3.1 lines", a == Decimal(printed), str(a),
          expected=(s == 2))
for r in cap:
    t, q = Decimal(r["target"]), Decimal(r["realisasi"])
    calc = r2(q * 100 / t)
    check(f"2023 capaian {r['sasaran']}/{r['no']} = realisasi/target", calc == Decimal(r["capaian"]), f"printed {r['capaian']}, computed {calc}")
for r in cap:
    t, q = Decimal(r["target_2022"]), Decimal(r["realisasi_2022"])
    calc = r2(q * 100 / t)
    ok = calc == Decimal(r["capaian_2022"])
    check(f"2022 capaian {r['sasaran']}/{r['no']} (3.5) = realisasi_2022/target_2022 (3.3)", ok,
          f"printed {r['capaian_2022']}, computed {calc}", expected=ok)
t35avg = {2018: "82.41", 2019: "82.57", 2020: "94.77", 2021: "129.04", 2022: "158.67"}
for y, printed in t35avg.items():
    vals = [Decimal(r[f"capaian_{y}"]) for r in cap if r[f"capaian_{y}"]]
    over_printed = r2(sum(vals) / len(vals))
    over_six = r2(sum(vals) / 6)
    ok = Decimal(printed) in (over_printed, over_six) or (y >= 2021 and r2(sum(vals) / 9) == Decimal(printed))
    check(f"Tabel 3.5 rata-rata {y} {printed}", ok,
          f"mean of {len(vals)} printed values {over_printed}; sum/6 {over_six}", expected=(y != 2020))
t32 = {"4": "93.07", "5": "395.43"}
vals32 = [Decimal(t32.get(r["no"], r["capaian_2022"])) if r["sasaran"] == "1" else Decimal(r["capaian_2022"]) for r in cap]
check("Tabel 3.2 rata-rata 2022 158.61 = mean of Tabel 3.2's own values", r2(sum(vals32) / 9) == Decimal("158.61"), str(r2(sum(vals32) / 9)))
peningkatan = {"1a": "-29.14", "1b": "-1.26", "2": "-3.72", "4": "6.22", "3": "-10.58", "5": "-295.26"}
for r in cap:
    key = r["no"] if r["sasaran"] == "1" else None
    if key:
        d = Decimal(r["capaian"]) - Decimal(r["capaian_2022"])
        check(f"Tabel 3.3 % peningkatan {key} = capaian 2023 - 2022", d == Decimal(peningkatan[key]), str(d))
check("Tabel 3.3 rata-rata % peningkatan -76.36 = 82.32 - 158.67", Decimal("82.32") - Decimal("158.67") == Decimal("-76.36"),
      str(Decimal("82.32") - Decimal("158.67")), expected=False)

# ---- tren (Tabel 3.5)
print("== tren")
tren = load("tren.csv")
n = sum(1 for r in cap for y in range(2018, 2023) if r[f"capaian_{y}"]) + len(cap)
check("tren rows = printed values of Tabel 3.5", len(tren) == n, f"{len(tren)} vs {n}")
for t in tren:
    c = next(r for r in cap if r["sasaran"] == t["sasaran"] and r["no"] == t["no"])
    col = "capaian" if t["tahun"] == "2023" else f"capaian_{t['tahun']}"
    check(f"tren {t['sasaran']}/{t['no']}/{t['tahun']} equals capaian.{col}", Decimal(c[col]) == Decimal(t["capaian"]))

# ---- kegiatan (Tabel 3.8/3.10)
print("== kegiatan")
keg = load("kegiatan.csv")
check("9 rows", len(keg) == 9)
for r in keg:
    calc = r2(Decimal(r["realisasi"]) * 100 / Decimal(r["target"]))
    ok = calc == Decimal(r["capaian"])
    check(f"capaian {r['program']}/{r['no']} {r['indikator']} = realisasi/target", ok,
          f"printed {r['capaian']}, computed {calc}", expected=ok)
    check(f"kode {r['kode']} is a sub kegiatan in Tabel 3.13", by.get(r["kode"], {}).get("level") == "subkegiatan")

# ---- klaim (the report's claims; Scripts/audit-claims.py runs their queries)
print("== klaim")
kl = load("klaim.csv")
check("ids are K001.. in order", [r["id"] for r in kl] == [f"K{i:03d}" for i in range(1, len(kl) + 1)], str(len(kl)))
tables = ("capaian", "tren", "kegiatan", "anggaran", "belanja", "desa")
for r in kl:
    frac = r["nilai"].split(".")[1] if "." in r["nilai"] else ""
    check(f"klaim {r['id']}: desimal = decimals printed in nilai", int(r["desimal"]) == len(frac), f"{r['nilai']} / {r['desimal']}")
    check(f"klaim {r['id']}: klaim, sumber and query given", all(r[k].strip() for k in ("klaim", "sumber", "query")))
    first = r["query"].split()[0] if r["query"].split() else ""
    check(f"klaim {r['id']}: query reads a data table, not klaim", first in tables, first)
    check(f"klaim {r['id']}: one statement", "\n" not in r["query"] and ";" not in r["query"])

# ---- manifest vs CSV
print("== manifest")
import re
sections, cur = [], None
for line in open(os.path.join(DATA, "manifest.txt"), encoding="utf-8"):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    m = re.fullmatch(r"\[(\w+)\]", line)
    if m:
        cur = {"name": m.group(1)}; sections.append(cur); continue
    k, v = (x.strip() for x in line.split("=", 1))
    cur[k] = v
views = [s for s in sections if "query" in s]
sections = [s for s in sections if "query" not in s]
check("the tables in order", [s["name"] for s in sections]== ["capaian", "tren", "kegiatan", "anggaran", "belanja", "desa", "klaim"])
check("views have a query and a source, no file", all("file" not in v and v.get("source") for v in views))
pat = {"int": r"-?\d+", "rupiah": r"-?\d+", "double": r"-?\d+(\.\d+)?", "text": r"(?s).*"}
for sec in sections:
    cols = [c.split(":") for c in sec["columns"].split()]
    with open(os.path.join(DATA, sec["file"]), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    check(f"{sec['name']}: header = manifest columns", rows[0] == [c[0] for c in cols], ",".join(rows[0]))
    check(f"{sec['name']}: measure is a column", sec["measure"] in rows[0])
    for name, typ in cols:
        i = rows[0].index(name)
        bad = [r[i] for r in rows[1:] if r[i] != "" and not re.fullmatch(pat[typ], r[i])]
        check(f"{sec['name']}.{name}:{typ} matches every value", not bad, str(bad[:3]))
    raw = open(os.path.join(DATA, sec["file"]), "rb").read()
    check(f"{sec['name']}: UTF-8, LF, final newline, no BOM", raw.endswith(b"\n") and b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf"))

print()
if failed:
    print("UNEXPECTED:", *failed, sep="\n  ")
    sys.exit(1)
print("all checks behave as NOTES.md records")
