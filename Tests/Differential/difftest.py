#!/usr/bin/env python3
"""Differential tester: LKQ against DuckDB on generated tables and queries.

For each seed it writes a few CSV tables, generates LKQ queries over them and, beside each,
the DuckDB SQL that means the same thing, written here by the generator (not by LKQ), runs
both, and compares the results: column names, column types and rows (as multisets, or in
order where the query orders by a total order).

LKQ differs from SQL on purpose in a few places. Those differences are the RULES below, and
they are written down here and nowhere else: the SQL the generator writes, and the comparison,
apply them, each place naming its rule. Any other difference is a disagreement, printed with
the seed, the LKQ text, the SQL, both results and the rows that differ, and the exit status
is 1.

Usage (see README.md in this folder):
    python3 Tests/Differential/difftest.py --seeds 1,42 --queries 300
    python3 Tests/Differential/difftest.py --seed-random --queries 10000
"""

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata

# --------------------------------------------------------------------------------------------
# The rules: LKQ's documented semantics where they differ from plain SQL. Each has an id that
# the code below cites where it applies the rule.

RULES = {
    "R1-two-valued": "A condition is true or false, never unknown: a comparison with null (or a"
                     " null operand of ~, in, between) is false, so `not` of it is true. SQL:"
                     " each predicate is wrapped in COALESCE(p, FALSE).",
    "R2-nulls-last": "Nulls sort last in both directions (sort, group order, window sort).",
    "R3-division": "`/` is decimal division, also of two integers; x/0 (and 0/0) is null.",
    "R4-contains": "`a ~ b` is a case-insensitive contains; an empty b is contained in every"
                   " text.",
    "R5-group-order": "group by returns its groups, and distinct its rows, in ascending key"
                      " order (nulls last), so the result is ordered.",
    "R6-int-overflow": "Integer arithmetic and sum are exact 64-bit or fail with `integer"
                       " overflow` (DuckDB widens sum to HUGEINT: its result is cast to BIGINT,"
                       " which fails the same way). An overflow is an error even where SQL's"
                       " optimiser would fold it away (10 * big * (0 * pagu)): such a query is"
                       " run again on DuckDB with the optimiser off.",
    "R7-number-overflow": "A decimal result beyond +-1.8e308 fails with `number overflow` where"
                          " DuckDB gives inf or nan.",
    "R8-names": "Output names: a plain column keeps its name; an aggregate of a column without"
                " `as` is AGG_COLUMN (`avg_capaian`, `count_x`), `count()` is `count`; a"
                " whole-table aggregate stage names its column the same way.",
    "R9-join-names": "join: the pipeline's columns, then the joined table's, the right key"
                     " left out; a joined column whose name is taken becomes TABLE_NAME.",
    "R10-text-equality": "Text compares by canonical equivalence: NFC and NFD spellings of a"
                         " text are equal in =, <, ~, sort, group by, distinct, join and"
                         " partitions. SQL compares nfc_normalize(text); output text is"
                         " compared after NFC normalisation.",
    "R11-text-order": "Text orders by Unicode code point of the NFC form (no locale collation).",
    "R12-types": "Types are int (64-bit), double and text: DuckDB's INTEGER/BIGINT/HUGEINT are"
                 " int, DOUBLE/DECIMAL are double, VARCHAR is text; count is int, avg is double,"
                 " sum keeps its argument's type, min/max keep theirs. A rupiah column is an"
                 " int column (it only prints differently).",
    "R13-decimal-sum": "Decimal sums are compensated (Neumaier); DuckDB's fsum (Kahan) is the"
                       " SQL equivalent, and decimals are compared to 1e-9 relative.",
    "R14-csv-nulls": "In a CSV an empty unquoted field is null, a quoted empty field is the"
                     " empty text (DuckDB: allow_quoted_nulls=false).",
    "R15-round": "round(x) rounds half away from zero; round of an integer to >= 0 digits stays"
                 " an integer; round(x, d) of a decimal rounds x * 10^d as computed in binary"
                 " floating point, then divides (so round(2.675, 2) is 2.68, as written, where"
                 " DuckDB rounds the binary value 2.67499... to 2.67); if that is not finite, x.",
    "R16-in-null": "`x in (...)` and `x not in (...)` with a null x are both false (R1).",
    "R17-concat": "concat skips null arguments, as SQL's concat() does.",
    "R18-window-frame": "An aggregate over (... sort K) is running, with SQL's default frame"
                        " (first row of the partition to the current row and its peers);"
                        " without sort it covers the whole partition.",
    "R19-text-length": "length counts the characters (code points) of the NFC form.",
    "R20-eager-operands": "LKQ computes each operand of an arithmetic expression for every row"
                          " before combining them, so an integer overflow in one is an error even"
                          " where the other operand is null on that row (big * 100 - number(\"x\"))."
                          " DuckDB folds such an expression to null without computing it. Recognised"
                          " when only LKQ failed, with an integer overflow, and a column of DuckDB's"
                          " result is null in every row. A decimal overflow (R7) hidden the same way"
                          " ((x * realisasi) * (y + x) where y is null: inf * null is null) is"
                          " recognised by running the SQL again, unoptimised, with each decimal"
                          " +, - or * that may overflow made to fail where it gives inf.",
}

# Known LKQ bugs: not rules, but disagreements already reported, each recognised by a variant
# of the SQL that does what LKQ wrongly does. A disagreement that the variant explains is
# printed as this bug; it fails the run unless --allow-known-bugs is given (for a local run
# while the bug is being fixed). A fixed bug's entry and variant are deleted.
KNOWN_BUGS: dict = {}

# --------------------------------------------------------------------------------------------
# Tables


def nfc(s):
    return unicodedata.normalize("NFC", s)


def nfd(s):
    return unicodedata.normalize("NFD", s)


GROUPS = ["Alpha", "alpha", "ALPHA", "Beta", "beta", nfc("Émas"), nfd("Émas"), "", None]
NAMES = ["Kupang", "kab. Kupang", "KOTA kupang", "Desa Oelnasi", "desa", nfc("Café"),
         nfd("Café"), nfc("naïve ende"), "", None, "a,b", 'kata "kutip"', " spasi ", "Ende",
         "ende", nfc("ÉLAN"), nfd("élan"), "Sumba Barat Daya", "x"]
KODES = ["2.13.01", "2.13.01.1.01", "2.13.01.1.01.06", "2.13.02", "2.13.02.1.01",
         "2.13.04.1.01.08", "2.13.05.1.01", "3.01.02"]
BIGS = [9223372036854775807, -9223372036854775808, 9000000000000000000,
        -9000000000000000000, 4611686018427387904, 12, -7, 0]
XS = [1.5, -2.25, 0.1, 3.0, -0.0, 0.0, 1e300, -2.5e300, 1e-05, 123456.789, 7.0, -1.5]
YS = [0.5, -1.25, 2.0, 0.0, 3.75, 10.1, -0.5, 1.0]

# (name, type, magnitude class). Classes bound what arithmetic may do without overflowing:
# 0 small (|v| <= 1e4), 1 medium (<= 1e14), 3 huge (anything); see Gen.num_expr.
T_COLUMNS = [("id", "int", 0), ("grp", "text", None), ("nama", "text", None),
             ("kode", "text", None), ("pagu", "int", 1), ("realisasi", "int", 1),
             ("n", "int", 0), ("big", "int", 3), ("x", "double", 3), ("y", "double", 0)]
U_COLUMNS = [("uid", "int", 0), ("kode", "text", None), ("grp", "text", None),
             ("target", "double", 0), ("bobot", "int", 0), ("label", "text", None)]


def csv_field(v):
    if v is None:
        return ""  # R14: empty unquoted field is null
    if isinstance(v, str):
        return '"' + v.replace('"', '""') + '"'
    if isinstance(v, float):
        return repr(v)
    return str(v)


def t_rows(rng, rows):
    null = lambda p: rng.random() < p
    t = []
    ids = list(range(1, rows + 1))
    rng.shuffle(ids)
    for i in range(rows):
        pagu = None if null(0.1) else rng.choice([0, rng.randrange(0, 5_000_000_000_000, 1000),
                                                   rng.randrange(0, 1_000_000, 500)])
        realisasi = None if pagu is None or null(0.1) else rng.randint(0, pagu)
        t.append([ids[i], rng.choice(GROUPS), rng.choice(NAMES),
                  None if null(0.1) else rng.choice(KODES), pagu, realisasi,
                  None if null(0.15) else rng.randint(-5, 5),
                  None if null(0.15) else rng.choice(BIGS),
                  None if null(0.15) else (rng.choice(XS) if rng.random() < 0.5
                                           else round(rng.uniform(-1000, 1000), rng.randint(0, 3))),
                  None if null(0.15) else rng.choice(YS)])
    # Every column needs a value of its own type, or LKQ would read it as another type:
    # a column with no values is int, and a decimal column needs one non-whole value.
    t[0][1], t[0][2], t[0][3] = "Alpha", "Kupang", "2.13.01"
    for c in (4, 5, 6, 7):
        if t[0][c] is None:
            t[0][c] = 1
    t[0][8], t[0][9] = 1.5, 0.5
    return t


def make_tables(rng, folder, large=0):
    """Writes t.csv and u.csv, and with `large` g.csv, a table like t of that many rows;
    returns {table: [(column, type, class)]}."""
    # g has a generator of its own, so the queries of a seed are the same with or without it.
    g_rng = random.Random(rng.randrange(2**32))
    t = t_rows(rng, rng.randint(8, 40))
    null = lambda p: rng.random() < p
    u = []
    for i in range(rng.randint(3, 15)):
        u.append([i + 1, None if null(0.1) else rng.choice(KODES), rng.choice(GROUPS),
                  None if null(0.15) else rng.choice([50.0, 75.5, 100.0, 0.0, -3.25]),
                  None if null(0.15) else rng.randint(-3, 10), rng.choice(NAMES)])
    u[0][1], u[0][2], u[0][3], u[0][4], u[0][5] = "2.13.01", "Alpha", 75.5, 1, "Kupang"
    tables = [("t", T_COLUMNS, t), ("u", U_COLUMNS, u)]
    if large:
        tables.append(("g", T_COLUMNS, t_rows(g_rng, large)))
    for name, cols, data in tables:
        with open(os.path.join(folder, name + ".csv"), "w", encoding="utf-8", newline="") as f:
            f.write(",".join(c[0] for c in cols) + "\n")
            for r in data:
                f.write(",".join(csv_field(v) for v in r) + "\n")
    return {name: cols for name, cols, _ in tables}


DUCK_TYPES = {"int": "BIGINT", "double": "DOUBLE", "text": "VARCHAR"}


def load_duckdb(con, folder, schema):
    for name, cols in schema.items():
        columns = "{" + ", ".join(f"'{c}': '{DUCK_TYPES[t]}'" for c, t, _ in cols) + "}"
        path = os.path.join(folder, name + ".csv").replace("'", "''")
        con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM read_csv('{path}', header=true,"
                    f" delim=',', quote='\"', escape='\"', columns={columns},"
                    f" allow_quoted_nulls=false)")  # R14
        # LKQ keeps text without the blanks around it (issue 10: one province, not two).
        for c, t, _ in cols:
            if t == "text":
                con.execute(f"UPDATE {name} SET {q(c)} = trim({q(c)}, ' \t')")


# --------------------------------------------------------------------------------------------
# Expressions: each is LKQ text, SQL text, a type (int, double, text, bool) and a magnitude
# class (numbers only).


class E:
    def __init__(self, lkq, sql, type, cls=0, name=None):
        self.lkq, self.sql, self.type, self.cls, self.name = lkq, sql, type, cls, name


def q(name):
    return '"' + name + '"'


def lkq_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '""') + '"'


def sql_string(s):
    return "'" + s.replace("'", "''") + "'"


def text_sql(e):
    """A text expression as SQL compares it (R10)."""
    return f"nfc_normalize({e.sql})"


def pred(sql):
    return f"COALESCE({sql}, FALSE)"  # R1


CATEGORIES = {
    # name: (available today, probe statement over table t)
    "where": (True, None),
    "select": (True, None),
    "sort": (True, None),
    "group": (True, None),
    "aggregate": (True, None),
    "join": (True, None),
    "in_between": (False, "t where n in (1, 2) or n not in (3) or n between 1 and 2 | count"),
    "case": (False, "t | select case when n > 0 then 1 when n < 0 then -1 else 0 end as c"),
    "extend": (False, "t | extend n + 1 as m"),
    "distinct": (False, "t | distinct grp"),
    "agg_new": (False, "t | group by grp count_distinct(n) as a, count_if(n > 0) as b,"
                       " sum_if(n, n > 0) as c, median(n) as d"),
    "window": (False, "t | extend row_number() over (by grp sort id) as r,"
                      " sum(n) over () as s, lag(n) over (sort id) as l"),
    "text_fn": (False, 't where starts_with(kode, "2") and ends_with(kode, "1") | select'
                       ' length(nama) as a, trim(nama) as b, substr(nama, 1, 2) as c,'
                       ' replace(nama, "a", "b") as d, split_part(kode, ".", 2) as e,'
                       ' concat(nama, kode) as f'),
    "number_text": (False, 't | select number("98,40") as a, text(n) as b'),
}


class Gen:
    """Generates one query: LKQ text and SQL, with what the comparison needs to know."""

    def __init__(self, rng, schema, categories):
        self.rng = rng
        self.schema = schema
        self.cats = categories
        self.alias_n = 0
        self.may_overflow = []  # SQL of each decimal +, - or * that may give inf (R20)

    def on(self, cat):
        return cat in self.cats

    def alias(self, prefix="c"):
        self.alias_n += 1
        return f"{prefix}{self.alias_n}"

    # ---- numbers

    def literal_num(self, want=None):
        r = self.rng
        if want == "int" or (want is None and r.random() < 0.7):
            v = r.choice([0, 1, 2, 3, -1, 5, 10, 100, 1000])
            return E(str(v), f"CAST({v} AS BIGINT)", "int", 0)
        v = r.choice([0.5, 1.5, -2.25, 0.1, 10.0, 2.5])
        text = repr(v)
        return E(text, f"CAST({text} AS DOUBLE)", "double", 0)

    def columns_of(self, cols, types, max_cls=3):
        return [c for c in cols if c[1] in types and (c[2] is None or c[2] <= max_cls)]

    def num_expr(self, cols, depth=0, risky=False):
        """A number expression. Unless `risky`, it cannot overflow: huge columns stay out of
        arithmetic and `*` only multiplies a small value with at most a medium one."""
        r = self.rng
        numeric = self.columns_of(cols, ("int", "double"), 3 if risky else 1)
        if depth >= 2 or r.random() < 0.45 or not numeric:
            if numeric and r.random() < 0.8:
                c = r.choice(numeric)
                return E(c[0], q(c[0]), c[1], c[2], name=c[0])
            return self.literal_num()
        k = r.random()
        if k < 0.55:
            a = self.num_expr(cols, depth + 1, risky)
            b = self.num_expr(cols, depth + 1, risky)
            op = r.choice(["+", "-", "*", "/"])
            if op == "*" and not risky and a.cls + b.cls > 1:
                op = "+"
            if op == "/":
                if risky:
                    # An overflow to inf below a division may come out finite (3 / inf is 0),
                    # where LKQ fails (R7): a division's operands stay finite.
                    a = self.num_expr(cols, depth + 1)
                    b = self.num_expr(cols, depth + 1)
                # R3: decimal division, x/0 is null.
                return E(f"{a.lkq} / {b.lkq}" if depth == 0 else f"({a.lkq} / {b.lkq})",
                         f"(CAST({a.sql} AS DOUBLE) / NULLIF(CAST({b.sql} AS DOUBLE), 0))",
                         "double", 3 if risky else 2)
            t = "int" if a.type == b.type == "int" else "double"
            cls = max(a.cls, b.cls) + (1 if op == "*" else 0) + (1 if max(a.cls, b.cls) >= 1 else 0)
            text = f"{a.lkq} {op} {b.lkq}"
            if risky and t == "double":
                self.may_overflow.append(f"({a.sql} {op} {b.sql})")
            return E(text if depth == 0 else f"({text})", f"({a.sql} {op} {b.sql})", t, min(cls, 3))
        if k < 0.65:
            a = self.num_expr(cols, depth + 1, risky)
            return E(f"-{a.lkq}" if depth == 0 else f"(-{a.lkq})", f"(-{a.sql})", a.type, a.cls)
        if k < 0.8:
            a = self.num_expr(cols, depth + 1, risky)
            if r.random() < 0.5:
                return E(f"round({a.lkq})", f"round({a.sql})", a.type, a.cls)  # R15
            d = r.choice([0, 1, 2])
            if a.type == "double" and d > 0:
                # R15: x * 10^d rounded, as a double, then scaled back; not finite: x.
                scaled = f"round({a.sql} * 1e{d})"
                return E(f"round({a.lkq}, {d})",
                         f"(CASE WHEN isfinite({scaled} / 1e{d}) THEN {scaled} / 1e{d} ELSE {a.sql} END)",
                         a.type, a.cls)
            return E(f"round({a.lkq}, {d})", f"round({a.sql}, {d})", a.type, a.cls)
        if k < 0.86:
            a = self.num_expr(cols, depth + 1, risky)
            return E(f"abs({a.lkq})", f"abs({a.sql})", a.type, a.cls)
        if k < 0.9 and (self.on("text_fn") or self.on("number_text")):
            if self.on("text_fn") and (r.random() < 0.5 or not self.on("number_text")):
                a = self.text_expr(cols, depth + 1)
                return E(f"length({a.lkq})", f"length({text_sql(a)})", "int", 0)  # R19
            return self.number_expr(cols)
        # coalesce's arguments are not risky: LKQ evaluates each on every row, SQL only where
        # the ones before are null, so an overflow in a later one is an error in LKQ alone.
        a = self.num_expr(cols, depth + 1)
        b = self.num_expr(cols, depth + 1) if r.random() < 0.6 else self.literal_num()
        t = "int" if a.type == b.type == "int" else "double"
        return E(f"coalesce({a.lkq}, {b.lkq})", f"coalesce({a.sql}, {b.sql})", t, max(a.cls, b.cls))

    NUMBER_TEXTS = [("98,40", 98.4), ("Rp 9.051.591.780", 9051591780.0), ("12.5", 12.5),
                    ("-7", -7.0), ("abc", None), ("", None), ("1.234,5", 1234.5)]

    def number_expr(self, cols):
        """number(s): a number written the English or the Indonesian way, else null."""
        r = self.rng
        ints = self.columns_of(cols, ("int",), 1)
        if ints and r.random() < 0.5:
            c = r.choice(ints)
            return E(f"number(text({c[0]}))", f"CAST({q(c[0])} AS DOUBLE)", "double", c[2])
        text, value = r.choice(self.NUMBER_TEXTS)
        return E(f"number({lkq_string(text)})",
                 "CAST(NULL AS DOUBLE)" if value is None else f"CAST({value!r} AS DOUBLE)", "double", 1)

    # ---- text

    def text_literal(self):
        r = self.rng
        s = r.choice(["kupang", "Kupang", "KUPANG", "desa", "a", "", "é", nfd("é"), "caf",
                      "ALPHA", "alpha", "Beta", "2.13", "2.13.01", "ende", ",", '"', "x", "ÉLAN",
                      nfd("Émas"), nfc("Émas")])
        return E(lkq_string(s), sql_string(s), "text")

    def text_expr(self, cols, depth=0):
        r = self.rng
        texts = self.columns_of(cols, ("text",))
        k = r.random()
        if depth >= 1 or k < 0.6 or not texts:
            if texts and r.random() < 0.85:
                c = r.choice(texts)
                return E(c[0], q(c[0]), "text", name=c[0])
            return self.text_literal()
        if k < 0.75:
            f = r.choice(["lower", "upper"])
            a = self.text_expr(cols, depth + 1)
            return E(f"{f}({a.lkq})", f"{f}({a.sql})", "text")
        if k < 0.85:
            a = self.text_expr(cols, depth + 1)
            b = self.text_expr(cols, depth + 1)
            return E(f"coalesce({a.lkq}, {b.lkq})", f"coalesce({a.sql}, {b.sql})", "text")
        if self.on("text_fn"):
            return self.text_fn(cols, depth + 1)
        if self.on("case"):
            return self.case_expr(cols, "text")
        c = r.choice(texts)
        return E(c[0], q(c[0]), "text", name=c[0])

    def text_fn(self, cols, depth):
        r = self.rng
        a = self.text_expr(cols, depth + 1)
        k = r.randrange(6)
        if k == 0:
            return E(f"trim({a.lkq})", f"trim({a.sql})", "text")
        if k == 1:
            start, length = r.randint(1, 4), r.randint(0, 5)
            if r.random() < 0.5:
                return E(f"substr({a.lkq}, {start})", f"substr({text_sql(a)}, {start})", "text")
            return E(f"substr({a.lkq}, {start}, {length})",
                     f"substr({text_sql(a)}, {start}, {length})", "text")
        if k == 2:
            frm = r.choice(["a", "e", ".", "ka", "é"])
            to = r.choice(["", "X", "--"])
            return E(f"replace({a.lkq}, {lkq_string(frm)}, {lkq_string(to)})",
                     f"replace({text_sql(a)}, {sql_string(nfc(frm))}, {sql_string(to)})", "text")
        if k == 3:
            sep, n = r.choice([".", " ", ","]), r.randint(1, 4)
            return E(f"split_part({a.lkq}, {lkq_string(sep)}, {n})",
                     f"split_part({text_sql(a)}, {sql_string(sep)}, {n})", "text")
        if k == 4:
            b = self.text_expr(cols, depth + 1)
            return E(f"concat({a.lkq}, {b.lkq})", f"concat({a.sql}, {b.sql})", "text")  # R17
        if self.on("number_text"):
            ints = self.columns_of(cols, ("int",), 1)
            if ints:
                c = r.choice(ints)
                return E(f"text({c[0]})", f"CAST({q(c[0])} AS VARCHAR)", "text")
        return E(f"upper({a.lkq})", f"upper({a.sql})", "text")

    def case_expr(self, cols, want):
        """`case when C then E ... [else E] end`: null where no branch holds and there is no
        else; number branches of int and decimal give a decimal."""
        r = self.rng
        parts_l, parts_s, types = [], [], set()
        n = r.randint(1, 3)
        has_else = r.random() < 0.6
        for i in range(n + has_else):
            v = self.text_expr(cols, 1) if want == "text" else self.num_expr(cols, 1)
            types.add(v.type)
            if i == n:
                parts_l.append(f"else {v.lkq}")
                parts_s.append(f"ELSE {v.sql}")
                break
            c = self.condition(cols, depth=2)
            parts_l.append(f"when {c.lkq} then {v.lkq}")
            parts_s.append(f"WHEN {c.sql} THEN {v.sql}")
        t = "text" if want == "text" else "double" if "double" in types else "int"
        return E("case " + " ".join(parts_l) + " end", "(CASE " + " ".join(parts_s) + " END)", t, 2)

    # ---- conditions

    def condition(self, cols, depth=0):
        r = self.rng
        k = r.random()
        if depth < 2 and k < 0.25:
            a = self.condition(cols, depth + 1)
            b = self.condition(cols, depth + 1)
            op = r.choice(["and", "or"])
            return E(f"({a.lkq} {op} {b.lkq})", f"({a.sql} {op.upper()} {b.sql})", "bool")
        if depth < 2 and k < 0.33:
            a = self.condition(cols, depth + 1)
            return E(f"not {a.lkq}", f"(NOT {a.sql})", "bool")
        return self.predicate(cols)

    def predicate(self, cols):
        r = self.rng
        k = r.random()
        texts = self.columns_of(cols, ("text",))
        nums = self.columns_of(cols, ("int", "double"))
        if k < 0.1 and cols:
            c = r.choice(cols)
            neg = r.random() < 0.5
            return E(f"{c[0]} is {'not ' if neg else ''}null",
                     f"({q(c[0])} IS {'NOT ' if neg else ''}NULL)", "bool")
        if k < 0.25 and texts:
            a = self.text_expr(cols)
            b = self.text_literal() if r.random() < 0.7 else self.text_expr(cols)
            # R4: case-insensitive contains, compared as NFC (R10).
            return E(f"{a.lkq} ~ {b.lkq}",
                     pred(f"contains(lower({text_sql(a)}), lower({text_sql(b)}))"), "bool")
        if k < 0.4 and texts:
            a = self.text_expr(cols)
            b = self.text_literal() if r.random() < 0.7 else self.text_expr(cols)
            op = r.choice(["=", "!=", "<", ">=", "==", "<>"])
            sop = {"==": "=", "!=": "<>"}.get(op, op)
            return E(f"{a.lkq} {op} {b.lkq}", pred(f"({text_sql(a)} {sop} {text_sql(b)})"), "bool")
        if k < 0.5 and self.on("in_between"):
            return self.in_between(cols)
        if k < 0.55 and self.on("text_fn") and texts:
            a = self.text_expr(cols)
            p = r.choice(["2.13", "2.13.01", "k", "K", "", "a", "1"])
            f = r.choice(["starts_with", "ends_with"])
            return E(f"{f}({a.lkq}, {lkq_string(p)})", pred(f"{f}({text_sql(a)}, {sql_string(p)})"),
                     "bool")
        if k < 0.58:
            # A comparison with null is false (R1), whatever the operator.
            a = self.num_expr(cols)
            op = r.choice(["=", "!=", "<"])
            return E(f"{a.lkq} {op} null", pred(f"({a.sql} {op.replace('!=', '<>')} NULL)"), "bool")
        a = self.num_expr(cols)
        b = self.literal_num() if r.random() < 0.6 else self.num_expr(cols)
        if nums and r.random() < 0.3:
            c = r.choice(nums)  # huge columns too: a plain comparison cannot overflow
            a = E(c[0], q(c[0]), c[1], c[2])
        op = r.choice(["=", "!=", "<", "<=", ">", ">=", "<>", "=="])
        sop = {"==": "=", "!=": "<>"}.get(op, op)
        return E(f"{a.lkq} {op} {b.lkq}", pred(f"({a.sql} {sop} {b.sql})"), "bool")

    def in_between(self, cols):
        r = self.rng
        if r.random() < 0.5:
            a = self.num_expr(cols)
            if r.random() < 0.5:
                lo, hi = self.literal_num("int"), self.literal_num()
                neg = r.random() < 0.3
                word = "not between" if neg else "between"
                return E(f"{a.lkq} {word} {lo.lkq} and {hi.lkq}",
                         pred(f"({a.sql} {word.upper()} {lo.sql} AND {hi.sql})"), "bool")
            items = [self.literal_num() for _ in range(r.randint(1, 4))]
        else:
            a = self.text_expr(cols)
            items = [self.text_literal() for _ in range(r.randint(1, 4))]
            items = [E(i.lkq, f"nfc_normalize({i.sql})", "text") for i in items]
            a = E(a.lkq, text_sql(a), "text")
            if r.random() < 0.25:
                lo, hi = sorted(items[:1] * 2 if len(items) < 2 else items[:2], key=lambda i: i.lkq)
                word = "not between" if r.random() < 0.3 else "between"
                return E(f"{a.lkq} {word} {lo.lkq} and {hi.lkq}",
                         pred(f"({a.sql} {word.upper()} {lo.sql} AND {hi.sql})"), "bool")
        if r.random() < 0.15:
            # A list holding null: `in` holds only for the others, `not in` never (as in SQL).
            items.append(E("null", "NULL", "null"))
        neg = r.random() < 0.4
        word = "not in" if neg else "in"
        # R16: a null on the left makes both forms false.
        return E(f"{a.lkq} {word} ({', '.join(i.lkq for i in items)})",
                 pred(f"({a.sql} {word.upper()} ({', '.join(i.sql for i in items)}))"), "bool")

    # ---- aggregates

    def aggregate(self, cols, risky, over=""):
        """An aggregate call: (lkq, sql, type, default name or None). `over` is put after each
        SQL aggregate call, for a window."""
        o = f" {over}" if over else ""
        r = self.rng
        new = self.on("agg_new")
        fns = ["count", "count()", "sum", "avg", "min", "max"] + (
            ["count_distinct", "count_if", "sum_if", "median"] if new else [])
        f = r.choice(fns)
        if f == "count()":
            return "count()", f"count(*){o}", "int", "count"
        if f == "count_if":
            c = self.condition(cols, 1)
            return f"count_if({c.lkq})", f"count_if({c.sql}){o}", "int", None
        # Only a sum can overflow where its argument cannot; a plain column (huge ones too)
        # is safe in the others.
        plain = [c for c in cols if f in ("min", "max", "count", "count_distinct")
                 or (f in ("avg", "median") and c[1] != "text")]
        if plain and r.random() < 0.4:
            c = r.choice(plain)
            arg = E(c[0], q(c[0]), c[1], c[2] or 0, name=c[0])
            if arg.type == "text":
                arg = E(c[0], text_sql(arg), "text", name=c[0])
        else:
            # A count, min, max or median need not show an inf among its values, so an overflow
            # inside it could go unseen in DuckDB (R7); sum_if's x is computed on every row in
            # LKQ, in SQL only where the condition holds.
            arg = self.num_expr(cols, 1, risky=risky and f in ("sum", "avg"))
        if f in ("sum", "sum_if") and not risky and arg.cls > 1:
            arg = self.literal_num("int")
        name = f"{f}_{arg.name}" if arg.name else None  # R8
        if f == "count":
            return f"count({arg.lkq})", f"count({arg.sql}){o}", "int", name
        if f == "count_distinct":
            return f"count_distinct({arg.lkq})", f"count(DISTINCT {arg.sql}){o}", "int", name
        if f in ("min", "max"):
            return f"{f}({arg.lkq})", f"{f}({arg.sql}){o}", arg.type, name
        if f == "median":
            return f"median({arg.lkq})", f"median({arg.sql}){o}", "double", name
        if f == "avg":
            if arg.type == "double":
                # R13: compensated sum over the count.
                return (f"avg({arg.lkq})", f"(fsum({arg.sql}){o} / NULLIF(count({arg.sql}){o}, 0))",
                        "double", name)
            return f"avg({arg.lkq})", f"avg({arg.sql}){o}", "double", name
        if f == "sum_if":
            c = self.condition(cols, 1)
            body = f"CASE WHEN {c.sql} THEN {arg.sql} END"
            if arg.type == "int":
                return f"sum_if({arg.lkq}, {c.lkq})", f"CAST(sum({body}){o} AS BIGINT)", "int", None
            return f"sum_if({arg.lkq}, {c.lkq})", f"fsum({body}){o}", "double", None
        if arg.type == "int":
            return f"sum({arg.lkq})", f"CAST(sum({arg.sql}){o} AS BIGINT)", "int", name  # R6
        return f"sum({arg.lkq})", f"fsum({arg.sql}){o}", "double", name  # R13


class Query:
    def __init__(self, category, lkq, sql, ordered, variants=None, eager=None):
        self.category, self.lkq, self.sql, self.ordered = category, lkq, sql, ordered
        self.variants = variants or {}  # known bug id: SQL doing what the bug does
        self.eager = eager  # the SQL failing where an operand overflows to inf (R20), if any


def eager_sql(sql, nodes):
    """`sql` with each of `nodes` (SQL texts it holds verbatim) failing where it gives inf, as
    LKQ's arithmetic does even when the other operand is null (R20). Outer nodes first: an
    inner node is then wrapped in every copy of the outer one."""
    for node in sorted(set(nodes), key=len, reverse=True):
        sql = sql.replace(node, f"(CASE WHEN isinf({node}) THEN error('number overflow') ELSE {node} END)")
    return sql


class Pipeline:
    """A query under construction: LKQ stages and the SQL relation they amount to."""

    def __init__(self, gen, table):
        self.gen = gen
        self.lkq = table
        self.sql = f"SELECT * FROM {table}"
        self.cols = list(gen.schema[table])
        self.unique = ["uid"] if table == "u" else ["id"]
        self.table = table
        self.ordered = False  # the SQL ends in an ORDER BY over a total order
        self.n = 0
        self.variants = {}  # known bug id: the SQL so far as the bug computes it

    def sub(self):
        self.n += 1
        return f"({self.sql}) AS s{self.n}"

    def add(self, lkq, sql, cols=None, ordered=False):
        self.lkq += " | " + lkq
        # Each stage's SQL holds the previous SQL once, verbatim: a variant follows along by
        # holding its own previous SQL there instead.
        for bug, v in self.variants.items():
            self.variants[bug] = sql.replace(self.sql, v, 1)
        self.sql = sql
        if cols is not None:
            self.cols = cols
        self.ordered = ordered

    def where(self):
        c = self.gen.condition(self.cols)
        self.add(f"where {c.lkq}", f"SELECT * FROM {self.sub()} WHERE {c.sql}")

    def order_sql(self, e, desc):
        key = text_sql(e) if e.type == "text" else e.sql
        return f"{key} {'DESC' if desc else 'ASC'} NULLS LAST"  # R2, R11

    def sort(self, limit=None):
        g, r = self.gen, self.gen.rng
        keys_l, keys_s, names = [], [], []
        for _ in range(r.randint(1, 2)):
            if r.random() < 0.7:
                c = r.choice(self.cols)
                e = E(c[0], q(c[0]), c[1], name=c[0])
            else:
                e = g.num_expr(self.cols) if r.random() < 0.6 else g.text_expr(self.cols)
            desc = r.random() < 0.4
            keys_l.append(e.lkq + (" desc" if desc else (" asc" if r.random() < 0.2 else "")))
            keys_s.append(self.order_sql(e, desc))
            names.append(e.name)
        total = all(u in names for u in self.unique) if self.unique else False
        if not total and self.unique and (limit is not None or r.random() < 0.7):
            for u in self.unique:
                if u not in names:
                    t = next(c[1] for c in self.cols if c[0] == u)
                    keys_l.append(u)
                    keys_s.append(self.order_sql(E(u, q(u), t), False))
            total = True
        lk = "sort " + ", ".join(keys_l)
        sql = f"SELECT * FROM {self.sub()} ORDER BY {', '.join(keys_s)}"
        if limit is not None:
            if not total:
                return False  # the first N of a partial order are not determined
            lk += f" | limit {limit}"
            sql += f" LIMIT {limit}"
        self.add(lk, sql, ordered=total)
        return True

    def select(self, risky, force=None):
        """`force`: an expression that must be among the items (the category's own form)."""
        g, r = self.gen, self.gen.rng
        items_l, items_s, cols, used = [], [], [], set()
        n = r.randint(1, 4)
        for i in range(n):
            if force is not None and i == n - 1:
                e, name = force(), g.alias()
                items_l.append(f"{e.lkq} as {name}")
                items_s.append(f"{e.sql} AS {q(name)}")
                cols.append((name, e.type, e.cls if e.type != "text" else None))
                continue
            k = r.random()
            if k < 0.4:
                c = r.choice(self.cols)
                if c[0] in used:
                    continue
                used.add(c[0])
                items_l.append(c[0])
                items_s.append(f"{q(c[0])} AS {q(c[0])}")
                cols.append(c)
                continue
            name = g.alias()
            if k < 0.75:
                e = g.num_expr(self.cols, risky=risky)
            elif k < 0.85 and g.on("case"):
                e = g.case_expr(self.cols, r.choice(["int", "text"]))
            else:
                e = g.text_expr(self.cols)
            items_l.append(f"{e.lkq} as {name}")
            items_s.append(f"{e.sql} AS {q(name)}")
            cols.append((name, e.type, e.cls if e.type != "text" else None))
        if not items_l:
            return
        self.unique = self.unique if all(u in used for u in self.unique) else []
        self.add("select " + ", ".join(items_l), f"SELECT {', '.join(items_s)} FROM {self.sub()}", cols)

    def extend(self, risky):
        g, r = self.gen, self.gen.rng
        cols = list(self.cols)
        names = [c[0] for c in cols]
        replaceable = [c for c in self.cols if c[0] not in self.unique]
        if replaceable and r.random() < 0.2:
            # A same-named column is replaced in place. Alone in its stage, so no other item
            # could read the old or the new value.
            name = r.choice(replaceable)[0]
            e = g.num_expr(self.cols) if r.random() < 0.6 else g.text_expr(self.cols)
            cols[names.index(name)] = (name, e.type, e.cls if e.type != "text" else None)
            self.add(f"extend {e.lkq} as {name}",
                     f"SELECT * REPLACE ({e.sql} AS {q(name)}) FROM {self.sub()}", cols)
            return
        items_l, new_s = [], []
        for _ in range(r.randint(1, 3)):
            name = g.alias("e")
            e = g.num_expr(self.cols, risky=risky) if r.random() < 0.6 else g.text_expr(self.cols)
            items_l.append(f"{e.lkq} as {name}")
            new_s.append(f"{e.sql} AS {q(name)}")
            cols.append((name, e.type, e.cls if e.type != "text" else None))
        self.add("extend " + ", ".join(items_l), f"SELECT {', '.join(['*'] + new_s)} FROM {self.sub()}", cols)

    def window(self):
        g, r = self.gen, self.gen.rng
        by = [c for c in self.cols if c[1] == "text" or c[2] == 0]
        part_l, part_s = [], []
        if by and r.random() < 0.6:
            c = r.choice(by)
            part_l.append(c[0])
            part_s.append(text_sql(E(c[0], q(c[0]), "text")) if c[1] == "text" else q(c[0]))
        sort_l, sort_s, sort_names = [], [], []
        fn = r.choice(["row_number", "rank", "dense_rank", "lag", "lead", "first", "last", "agg"])
        needs_total = fn in ("row_number", "lag", "lead", "first", "last")
        if fn in ("row_number", "rank", "dense_rank", "lag", "lead", "first", "last") or r.random() < 0.5:
            c = r.choice(self.cols)
            desc = r.random() < 0.4
            sort_l.append(c[0] + (" desc" if desc else ""))
            sort_s.append(self.order_sql(E(c[0], q(c[0]), c[1]), desc))
            sort_names.append(c[0])
        if needs_total or (sort_l and r.random() < 0.5):
            if not self.unique:
                return
            for u in self.unique:
                if u not in sort_names:
                    sort_l.append(u)
                    sort_s.append(self.order_sql(E(u, q(u), "int"), False))
        over_l = " ".join(x for x in [("by " + ", ".join(part_l)) if part_l else "",
                                       ("sort " + ", ".join(sort_l)) if sort_l else ""] if x)
        over_s = " ".join(x for x in [("PARTITION BY " + ", ".join(part_s)) if part_s else "",
                                       ("ORDER BY " + ", ".join(sort_s)) if sort_s else ""] if x)
        if fn in ("row_number", "rank", "dense_rank"):
            call_l, call_s, t = f"{fn}()", f"{fn}()", "int"
        elif fn in ("lag", "lead", "first", "last"):
            c = r.choice(self.cols)
            a = E(c[0], q(c[0]), c[1])
            if fn in ("lag", "lead") and r.random() < 0.5:
                k = r.randint(1, 3)
                call_l, call_s = f"{fn}({c[0]}, {k})", f"{fn}({a.sql}, {k})"
            else:
                sql_fn = {"first": "first_value", "last": "last_value"}.get(fn, fn)
                call_l, call_s = f"{fn}({c[0]})", f"{sql_fn}({a.sql})"  # R18
            t = c[1]
        else:
            call_l, call_s, t, _ = g.aggregate(self.cols, risky=False, over=f"OVER ({over_s})")
        if fn != "agg":
            call_s += f" OVER ({over_s})"
        name = g.alias("w")
        col = (name, t, 3 if t != "text" else None)
        if r.random() < 0.3:
            # In select: some columns beside it (the unique ones, so a later sort stays total).
            kept = [c for c in self.cols if c[0] in self.unique or r.random() < 0.3]
            items_l = [c[0] for c in kept] + [f"{call_l} over ({over_l}) as {name}"]
            items_s = [q(c[0]) for c in kept] + [f"{call_s} AS {q(name)}"]
            self.add("select " + ", ".join(items_l), f"SELECT {', '.join(items_s)} FROM {self.sub()}",
                     kept + [col])
            return
        self.cols = self.cols + [col]
        lk = f"extend {call_l} over ({over_l}) as {name}"
        self.add(lk, f"SELECT *, {call_s} AS {q(name)} FROM {self.sub()}")

    def distinct(self):
        r = self.gen.rng
        if r.random() < 0.4:
            chosen = list(self.cols)
            lk = "distinct"
        else:
            chosen = r.sample(self.cols, r.randint(1, min(3, len(self.cols))))
            lk = "distinct " + ", ".join(c[0] for c in chosen)
        items = [f"{text_sql(E(c[0], q(c[0]), 'text')) if c[1] == 'text' else q(c[0])} AS {q(c[0])}"
                 for c in chosen]  # R10
        self.unique = [c[0] for c in chosen] if len(chosen) <= 3 else []
        # R5: like group by, distinct rows come out in key order.
        order = ", ".join(f"{q(c[0])} ASC NULLS LAST" for c in chosen)
        self.add(lk, f"SELECT DISTINCT {', '.join(items)} FROM {self.sub()} ORDER BY {order}", chosen,
                 ordered=True)

    def group(self, risky, limit=None):
        g, r = self.gen, self.gen.rng
        keys_l, keys_s, order_s, cols, used = [], [], [], [], set()
        for _ in range(r.randint(1, 2)):
            keyable = [c for c in self.cols if c[0] not in used and (c[1] == "text" or c[2] != 3 or r.random() < 0.3)
                       and (self.table != "g" or c[0] in ("grp", "nama", "kode", "n", "y"))]  # few groups
            if not keyable:
                break
            if r.random() < 0.8:
                c = r.choice(keyable)
                used.add(c[0])
                e = E(c[0], q(c[0]), c[1])
                name = c[0]
                keys_l.append(name)
            else:
                e = g.text_expr(self.cols) if r.random() < 0.5 or self.table == "g" else g.num_expr(self.cols)
                name = g.alias("k")
                keys_l.append(f"{e.lkq} as {name}")
            ks = text_sql(e) if e.type == "text" else e.sql
            keys_s.append(f"{ks} AS {q(name)}")
            order_s.append(f"{q(name)} ASC NULLS LAST")  # R5
            cols.append((name, e.type, None if e.type == "text" else 3))
        aggs_l, aggs_s, names = [], [], set(c[0] for c in cols)
        for _ in range(r.randint(1, 3)):
            al, asq, t, default = g.aggregate(self.cols, risky)
            if default and default not in names and r.random() < 0.6:
                name = default
                aggs_l.append(al)
            else:
                name = g.alias("a")
                if r.random() < 0.2 and t != "text":
                    al, asq = f"{al} * 2", f"({asq} * 2)"
                aggs_l.append(f"{al} as {name}")
            names.add(name)
            aggs_s.append(f"{asq} AS {q(name)}")
            cols.append((name, t, 3 if t != "text" else None))
        nkeys = len(keys_s)
        lk = "group by " + ", ".join(keys_l) + " " + ", ".join(aggs_l)
        sql = (f"SELECT {', '.join(keys_s + aggs_s)} FROM {self.sub()} GROUP BY "
               f"{', '.join(str(i + 1) for i in range(nkeys))} ORDER BY {', '.join(order_s)}")
        if limit is not None:
            lk += f" | limit {limit}"
            sql += f" LIMIT {limit}"
        self.unique = [c[0] for c in cols[:nkeys]]
        self.add(lk, sql, cols, ordered=True)

    def whole(self, risky):
        g = self.gen
        al, asq, t, default = g.aggregate(self.cols, risky)
        if al == "count()":
            lk, name = "count", "count"
        elif default:
            fn, arg = al.split("(", 1)
            lk, name = (f"{fn} {arg[:-1]}" if g.rng.random() < 0.5 else al), default  # R8
        else:
            return False
        self.add(lk, f"SELECT {asq} AS {q(name)} FROM {self.sub()}", [(name, t, 3)], ordered=True)
        self.unique = []
        return True

    def join(self):
        g, r = self.gen, self.gen.rng
        right = "u"
        rcols = g.schema[right]
        names = [c[0] for c in self.cols]
        candidates = [(c[0], c[0]) for c in rcols if c[0] in names and c[1] == "text"
                      and next(x[1] for x in self.cols if x[0] == c[0]) == "text"]
        if "nama" in names and r.random() < 0.3:
            candidates = [("nama", "label")]  # `on a = b`: keys of different names
        if not candidates:
            return False
        lkey, rkey = r.choice(candidates)
        left = r.random() < 0.4
        out_s = [f"l.{q(c[0])} AS {q(c[0])}" for c in self.cols]
        cols = list(self.cols)
        taken = set(names)
        for c in rcols:
            if c[0] == rkey:
                continue  # R9: the right key appears once
            name = c[0] if c[0] not in taken else f"{right}_{c[0]}"  # R9
            taken.add(name)
            out_s.append(f"r.{q(c[0])} AS {q(name)}")
            cols.append((name,) + c[1:])
        kind = "LEFT JOIN" if left else "JOIN"
        self.n += 1
        sql = (f"SELECT {', '.join(out_s)} FROM ({self.sql}) AS l {kind} {right} AS r"
               f" ON nfc_normalize(l.{q(lkey)}) = nfc_normalize(r.{q(rkey)})")  # R10
        self.unique = self.unique + ["uid"] if self.unique else []
        on = lkey if lkey == rkey else f"{lkey} = {rkey}"
        self.add(f"{'left ' if left else ''}join {right} on {on}", sql, cols)
        return True


def generate(rng, schema, categories):
    """One query of a category drawn from `categories`."""
    gen = Gen(rng, schema, categories)
    cat = rng.choice(sorted(categories))
    r = rng
    # The large table, when there is one, for forms whose results stay small: LKQ scans,
    # groups and sums it in slices on every core, which a small table never reaches.
    large = r.random() < 0.3 and "g" in schema and cat in ("aggregate", "group", "agg_new")
    p = Pipeline(gen, "g" if large else "t")
    # Stages before the last may not overflow (the SQL engine may evaluate them over other
    # rows than LKQ does, so an error there is not comparable); the last stage may.
    if cat == "join" or r.random() < 0.1:
        if r.random() < 0.5:
            p.where()
        p.join()
    if cat == "in_between":
        # Before any risky stage: a where after one could hide rows where DuckDB failed.
        for _ in range(8):
            c = gen.condition(p.cols)
            if " in (" in c.lkq or "between" in c.lkq:
                break
        p.add(f"where {c.lkq}", f"SELECT * FROM {p.sub()} WHERE {c.sql}")
    if cat == "where" or r.random() < 0.4:
        p.where()
    if cat == "extend" or (gen.on("extend") and r.random() < 0.1):
        p.extend(risky=False)
    if cat == "window":
        p.window()
    if cat == "distinct":
        p.distinct()
    if cat in ("group", "agg_new") and r.random() < 0.8:
        then_where = r.random() < 0.2
        limit = r.choice([None, None, 2])
        # A where or limit after it would hide the groups where DuckDB overflowed to inf.
        p.group(risky=not then_where and limit is None, limit=limit)
        if then_where:
            p.where()
    elif cat in ("aggregate", "agg_new"):
        if not p.whole(risky=True):
            p.add("count", f"SELECT count(*) AS count FROM {p.sub()}", [("count", "int", 0)], ordered=True)
    elif cat == "sort" or r.random() < 0.3:
        if r.random() < 0.3:
            p.select(risky=False)
        if not p.sort(limit=r.choice([None, 1, 3, 10])):
            p.sort()
    elif cat in ("select", "text_fn", "case", "number_text", "in_between", "where", "join"):
        force = {"text_fn": lambda: gen.text_fn(p.cols, 1) if r.random() < 0.7 else
                 E(*(lambda a: (f"length({a.lkq})", f"length({text_sql(a)})"))(gen.text_expr(p.cols)), "int"),
                 "case": lambda: gen.case_expr(p.cols, r.choice(["int", "text"])),
                 "number_text": lambda: gen.number_expr(p.cols)}.get(cat)
        p.select(risky=True, force=force)
    # A known bug that a stage can reproduce in SQL adds its variant to p.variants, which
    # later stages carry along (Pipeline.add).
    return Query(cat, p.lkq, p.sql, p.ordered, dict(p.variants),
                 eager_sql(p.sql, gen.may_overflow) if gen.may_overflow else None)


# --------------------------------------------------------------------------------------------
# Running LKQ: one script per batch, each query bound with `let` so `.schema` gives its types.

ERROR_LINE = re.compile(r"^\S+?:(\d+):(\d+): (?:error: )?(.*)$")


def run_lkq(lkq, folder, queries):
    """Returns one result per query: {'error': text} or {'cols': [(name, type)], 'rows': [...]}."""
    lines = []
    for i, query in enumerate(queries):
        lines += [f"let q{i} = {query}", f".schema q{i}", f"q{i}"]
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.run([lkq, "--data", folder, "--format", "json", "--no-cache"],
                          input="\n".join(lines) + "\n", capture_output=True, text=True,
                          env=env, timeout=600)
    if proc.returncode not in (0, 1):
        if len(queries) == 1:
            return [{"error": f"lkq exited with status {proc.returncode}: {proc.stderr[-2000:]}",
                     "crash": True}]
        # A crash loses the rest of the batch: run each query alone to find which one.
        return [run_lkq(lkq, folder, [qq])[0] for qq in queries]
    results = [None] * len(queries)
    for line in proc.stderr.splitlines():
        m = ERROR_LINE.match(line)
        if m and (int(m.group(1)) - 1) % 3 == 0:
            i = (int(m.group(1)) - 1) // 3
            if results[i] is None:
                results[i] = {"error": m.group(3)}
    decoder = json.JSONDecoder()
    out = proc.stdout
    pos = 0
    while True:
        idx = out.find(" — source: ", pos)
        if idx < 0:
            break
        start = out.rfind("\n", 0, idx) + 1
        name = out[start:idx].strip().lower()
        i = int(name[1:])
        p = out.index("\n", idx) + 1
        schema, p = decoder.raw_decode(out, p)
        while out[p].isspace():
            p += 1
        rows, p = decoder.raw_decode(out, p)
        # R12: a rupiah column is an int column that prints as rupiah.
        cols = [(c["column"], "int" if c["type"] == "rupiah" else c["type"]) for c in schema]
        results[i] = {"cols": cols, "rows": [[r.get(c) for c, _ in cols] for r in rows]}
        pos = p
    for i, r in enumerate(results):
        if r is None:
            results[i] = {"error": "no output (lkq said nothing about this statement)"}
    return results


def duck_type(t):
    t = t.upper()
    if t in ("BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER"):
        return "int"  # R12
    if t in ("DOUBLE", "FLOAT") or t.startswith("DECIMAL"):
        return "double"
    if t == "VARCHAR":
        return "text"
    if t == "NULL":
        return None
    return t.lower()


def run_duckdb(con, sql):
    try:
        cur = con.execute(sql)
        rows = cur.fetchall()
        cols = [(d[0], duck_type(str(d[1]))) for d in cur.description]
        return {"cols": cols, "rows": [list(r) for r in rows]}
    except Exception as e:  # any DuckDB error is a result to compare
        return {"error": str(e).splitlines()[0]}


# --------------------------------------------------------------------------------------------
# Comparison


def norm(v):
    if isinstance(v, str):
        return nfc(v)  # R10
    if isinstance(v, bool):
        return int(v)
    if hasattr(v, "as_tuple"):  # a DECIMAL from DuckDB
        return float(v)
    return v


def same_value(a, b):
    a, b = norm(a), norm(b)
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    a, b = float(a), float(b)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)  # R13


def row_key(row):
    def k(v):
        v = norm(v)
        if v is None:
            return (0, "")
        if isinstance(v, str):
            return (2, v)
        return (1, float(f"{float(v):.6g}") if not isinstance(v, int) or abs(v) > 2**53 else float(v))
    return tuple(k(v) for v in row)


def same_rows(a, b):
    return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))


def multiset_diff(lrows, drows):
    """Rows only in LKQ's result and rows only in DuckDB's, matching with tolerance."""
    rest = sorted(drows, key=row_key)
    only_l = []
    for r in sorted(lrows, key=row_key):
        for j, d in enumerate(rest):
            if same_rows(r, d):
                del rest[j]
                break
        else:
            only_l.append(r)
    return only_l, rest


def has_inf(rows):
    return any(isinstance(v, float) and (math.isinf(v) or math.isnan(v)) for r in rows for v in r)


def compare(query, lk, dk):
    """None when the results agree (the rule that made them agree is not needed), else why not."""
    le, de = lk.get("error"), dk.get("error")
    if le and de:
        # R6: both overflowed. Failing for other reasons (a type error in one, say) is not
        # agreeing.
        if "overflow" in le and re.search(r"Overflow|out of range", de, re.IGNORECASE):
            return None
        return "both failed, for different reasons"
    if le and "number overflow" in le and not de and has_inf(dk["rows"]):
        return None  # R7
    if le or de:
        return "only LKQ failed" if le else "only DuckDB failed"
    lnames = [c for c, _ in lk["cols"]]
    dnames = [c for c, _ in dk["cols"]]
    if lnames != dnames:
        return f"column names differ: LKQ {lnames}, DuckDB {dnames}"
    ltypes = [t for _, t in lk["cols"]]
    dtypes = [t for _, t in dk["cols"]]
    for name, lt, dt in zip(lnames, ltypes, dtypes):
        if dt is not None and lt != dt:
            return f"type of {name} differs: LKQ {lt}, DuckDB {dt}"
    if has_inf(dk["rows"]):
        return "DuckDB gave inf or nan where LKQ did not fail (R7)"
    if query.ordered:
        if len(lk["rows"]) != len(dk["rows"]):
            return f"row counts differ: LKQ {len(lk['rows'])}, DuckDB {len(dk['rows'])}"
        for i, (a, b) in enumerate(zip(lk["rows"], dk["rows"])):
            if not same_rows(a, b):
                return f"row {i + 1} differs (ordered result)"
        return None
    only_l, only_d = multiset_diff(lk["rows"], dk["rows"])
    if only_l or only_d:
        return f"rows differ: {len(only_l)} only in LKQ, {len(only_d)} only in DuckDB"
    return None


def show(result, limit=12):
    if "error" in result:
        return "    error: " + result["error"]
    lines = ["    columns: " + ", ".join(f"{c} {t}" for c, t in result["cols"])]
    for r in result["rows"][:limit]:
        lines.append("    " + json.dumps([norm(v) for v in r], ensure_ascii=False, default=str))
    if len(result["rows"]) > limit:
        lines.append(f"    ... {len(result['rows']) - limit} more rows")
    return "\n".join(lines)


def minimal_diff(query, lk, dk):
    if "error" in lk or "error" in dk:
        return ""
    if query.ordered:
        for i, (a, b) in enumerate(zip(lk["rows"], dk["rows"])):
            if not same_rows(a, b):
                return (f"    first difference at row {i + 1}:\n      LKQ    {json.dumps([norm(v) for v in a], ensure_ascii=False, default=str)}"
                        f"\n      DuckDB {json.dumps([norm(v) for v in b], ensure_ascii=False, default=str)}")
        return ""
    only_l, only_d = multiset_diff(lk["rows"], dk["rows"])
    out = []
    for r in only_l[:6]:
        out.append("      only LKQ    " + json.dumps([norm(v) for v in r], ensure_ascii=False, default=str))
    for r in only_d[:6]:
        out.append("      only DuckDB " + json.dumps([norm(v) for v in r], ensure_ascii=False, default=str))
    return "\n".join(out)


# --------------------------------------------------------------------------------------------


def probe_categories(lkq, folder, wanted):
    """Categories whose syntax this lkq parses; the others with the reason."""
    available, skipped = [], {}
    probes = [(c, CATEGORIES[c][1]) for c in wanted if CATEGORIES[c][1]]
    results = run_lkq(lkq, folder, [p for _, p in probes]) if probes else []
    for c in wanted:
        if not CATEGORIES[c][1]:
            available.append(c)
    for (c, _), res in zip(probes, results):
        if "error" in res:
            skipped[c] = res["error"]
        else:
            available.append(c)
    return available, skipped


def self_test():
    """The comparison on results made by hand: each difference it must see, and each
    documented sameness it must accept. Returns the failures."""
    def res(rows, cols=(("a", "int"), ("b", "text"))):
        return {"cols": list(cols), "rows": [list(r) for r in rows]}
    unordered = Query("t", "", "", ordered=False)
    ordered = Query("t", "", "", ordered=True)
    base = [[1, "x"], [2, "y"]]
    cases = [
        ("same rows", unordered, res(base), res(base), True),
        ("other order, unordered", unordered, res(base), res(base[::-1]), True),
        ("other order, ordered", ordered, res(base), res(base[::-1]), False),
        ("a value differs", unordered, res(base), res([[1, "x"], [3, "y"]]), False),
        ("a row missing", unordered, res(base), res(base[:1]), False),
        ("a duplicate row", unordered, res(base + base[:1]), res(base + base[1:]), False),
        ("a name differs", unordered, res(base), res(base, (("a", "int"), ("c", "text"))), False),
        ("a type differs", unordered, res(base), res(base, (("a", "double"), ("b", "text"))), False),
        ("NFC and NFD text (R10)", unordered, res([[1, nfc("é")]]), res([[1, nfd("é")]]), True),
        ("case of text", unordered, res([[1, "x"]]), res([[1, "X"]]), False),
        ("null and empty text", unordered, res([[1, None]]), res([[1, ""]]), False),
        ("decimals within 1e-9 (R13)", unordered, res([[0.1 + 0.2, "x"]]), res([[0.3, "x"]]), True),
        ("decimals beyond 1e-9", unordered, res([[0.3001, "x"]]), res([[0.3, "x"]]), False),
        ("integers beyond 2^53 exactly", unordered, res([[2**63 - 1, "x"]]), res([[2**63 - 2, "x"]]), False),
        ("both overflow (R6)", unordered, {"error": "integer overflow in '*'"},
         {"error": "Out of Range Error: Overflow in multiplication of INT64"}, True),
        ("both fail differently", unordered, {"error": "unknown column 'x'"},
         {"error": "Out of Range Error: Overflow in addition of INT64"}, False),
        ("only one fails", unordered, {"error": "integer overflow"}, res(base), False),
        ("number overflow where DuckDB has inf (R7)", unordered, {"error": "number overflow in '*'"},
         res([[float("inf"), "x"]]), True),
        ("inf where LKQ did not fail", unordered, res([[1.0, "x"]]), res([[float("inf"), "x"]]), False),
    ]
    failures = []
    for name, query, lk, dk, agree in cases:
        if (compare(query, lk, dk) is None) != agree:
            failures.append(f"{name}: expected {'agreement' if agree else 'a disagreement'}")
    try:
        import duckdb
    except ImportError:
        return failures
    # R20 with R7: the eager SQL fails where an operand is inf and the other null, and only there.
    con = duckdb.connect()
    con.execute("PRAGMA disable_optimizer")
    nodes = ["(x * y)", "((x * y) * z)"]
    hidden = "SELECT ((x * y) * z) AS c FROM (VALUES (1e300, 1e300, NULL), (1.0, 2.0, 3.0)) AS t(x, y, z)"
    finite = "SELECT ((x * y) * z) AS c FROM (VALUES (1e300, 1.0, NULL), (1.0, 2.0, 3.0)) AS t(x, y, z)"
    if "error" in run_duckdb(con, hidden) or "overflow" not in run_duckdb(con, eager_sql(hidden, nodes)).get("error", ""):
        failures.append("an inf hidden by a null (R20): the eager SQL does not fail")
    if run_duckdb(con, eager_sql(finite, nodes)) != run_duckdb(con, finite):
        failures.append("no inf (R20): the eager SQL does not give the same rows")
    return failures


def check_sql(duckdb, args):
    """Runs the SQL of every category, so the generator's SQL for forms LKQ cannot run yet is
    known to be valid SQL before they land. Runtime errors (overflow) are expected; SQL that
    does not parse or bind is a generator bug."""
    bad = []
    n = 0
    for seed in [int(x) for x in args.seeds.split(",") if x]:
        rng = random.Random(seed)
        with tempfile.TemporaryDirectory(prefix="lkq-difftest-") as folder:
            schema = make_tables(rng, folder)
            con = duckdb.connect()
            load_duckdb(con, folder, schema)
            for _ in range(args.queries):
                qq = generate(rng, schema, set(CATEGORIES))
                n += 1
                for sql in [qq.sql] + list(qq.variants.values()):
                    res = run_duckdb(con, sql)
                    if "error" in res and re.match(r"(Parser|Binder|Catalog|Not implemented)", res["error"]):
                        bad.append((seed, qq, res["error"]))
    print(f"difftest --sql-only: {n} queries, {len(bad)} with SQL DuckDB cannot run")
    for seed, qq, err in bad[:args.show]:
        print(f"\n(seed {seed}, {qq.category}) {err}\n  lkq: {qq.lkq}\n  sql: {qq.sql}")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description="LKQ against DuckDB on generated queries.")
    ap.add_argument("--lkq", default=".build/release/lkq", help="the lkq binary")
    ap.add_argument("--seeds", default="1", help="comma-separated seeds")
    ap.add_argument("--seed-random", action="store_true", help="one fresh seed, printed")
    ap.add_argument("--queries", type=int, default=300, help="queries per seed")
    ap.add_argument("--categories", default=",".join(CATEGORIES),
                    help="comma-separated categories (default: all; those lkq cannot parse are skipped)")
    ap.add_argument("--batch", type=int, default=500, help="queries per lkq process")
    ap.add_argument("--large-rows", type=int, default=0, metavar="N",
                    help="also a table g of N rows for aggregates and group by (LKQ works in"
                         " parallel slices from 262,144 rows)")
    ap.add_argument("--show", type=int, default=20, help="disagreements printed in full")
    ap.add_argument("--keep", metavar="DIR", help="write the tables and queries of each seed under DIR")
    ap.add_argument("--rules", action="store_true", help="print the rules and known bugs, and exit")
    ap.add_argument("--self-test", action="store_true",
                    help="check the comparison on hand-made results, and exit")
    ap.add_argument("--sql-only", action="store_true",
                    help="check the generator: run every category's SQL on DuckDB alone and fail on"
                         " SQL that DuckDB cannot bind or parse (no lkq needed)")
    ap.add_argument("--allow-known-bugs", action="store_true",
                    help="exit 0 when every disagreement is a known bug (printed all the same)")
    args = ap.parse_args()

    if args.self_test:
        failures = self_test()
        for f in failures:
            print("difftest --self-test:", f)
        print(f"difftest --self-test: {'failed' if failures else 'the comparison sees what it must'}")
        return 1 if failures else 0
    if args.rules:
        for k, v in RULES.items():
            print(f"{k}: {v}")
        for k, v in KNOWN_BUGS.items():
            print(f"known bug {k}: {v}")
        return 0
    try:
        import duckdb
    except ImportError:
        print("difftest: the Python package duckdb is missing (pip install duckdb)", file=sys.stderr)
        return 2
    if args.sql_only:
        return check_sql(duckdb, args)
    if not os.access(args.lkq, os.X_OK):
        print(f"difftest: no lkq binary at {args.lkq} (swift build -c release --product lkq)",
              file=sys.stderr)
        return 2
    seeds = [int(s) for s in args.seeds.split(",") if s]
    if args.seed_random:
        seeds = [random.SystemRandom().randrange(1, 2**31)]
    wanted = [c.strip() for c in args.categories.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in CATEGORIES]
    if unknown:
        print(f"difftest: unknown categories {unknown}; known: {', '.join(CATEGORIES)}", file=sys.stderr)
        return 2

    started = time.time()
    totals = {}
    failures = []
    known = {}
    work = tempfile.mkdtemp(prefix="lkq-difftest-")
    try:
        skipped_note = None
        for seed in seeds:
            rng = random.Random(seed)
            folder = os.path.join(args.keep, f"seed-{seed}") if args.keep else os.path.join(work, f"seed-{seed}")
            os.makedirs(folder, exist_ok=True)
            schema = make_tables(rng, folder, args.large_rows)
            cats, skipped = probe_categories(args.lkq, folder, wanted)
            if skipped and skipped_note is None:
                skipped_note = skipped
                for c, why in skipped.items():
                    print(f"note: category {c} skipped: this lkq does not run it yet ({why})")
            if not cats:
                print("difftest: no category to run", file=sys.stderr)
                return 2
            queries = [generate(rng, schema, set(cats)) for _ in range(args.queries)]
            if args.keep:
                with open(os.path.join(folder, "queries.txt"), "w", encoding="utf-8") as f:
                    for qq in queries:
                        f.write(f"[{qq.category}] {qq.lkq}\n  {qq.sql}\n")
            con = duckdb.connect()
            load_duckdb(con, folder, schema)
            lk_results = []
            for b in range(0, len(queries), args.batch):
                lk_results += run_lkq(args.lkq, folder, [qq.lkq for qq in queries[b:b + args.batch]])
            for qq, lk in zip(queries, lk_results):
                dk = run_duckdb(con, qq.sql)
                why = compare(qq, lk, dk)
                if why is not None and "overflow" in lk.get("error", "") and "error" not in dk:
                    # R6: DuckDB's optimiser can drop an overflowing product (x * (0 * y) is
                    # folded to 0); unoptimised, DuckDB computes what the query says.
                    con.execute("PRAGMA disable_optimizer")
                    plain = run_duckdb(con, qq.sql)
                    con.execute("PRAGMA enable_optimizer")
                    if compare(qq, lk, plain) is None:
                        why = None
                    # R20: the overflowing operand's result was null on every row anyway.
                    elif "integer overflow" in lk["error"] and dk["rows"] and any(
                            all(r[i] is None for r in dk["rows"]) for i in range(len(dk["rows"][0]))):
                        why = None
                    # R20 with R7: an operand overflowed to inf where the other was null.
                    elif "number overflow" in lk["error"] and qq.eager:
                        con.execute("PRAGMA disable_optimizer")
                        eager = run_duckdb(con, qq.eager)
                        con.execute("PRAGMA enable_optimizer")
                        if compare(qq, lk, eager) is None:
                            why = None
                stat = totals.setdefault(qq.category, [0, 0, 0, 0])
                stat[0] += 1
                if why is None:
                    stat[1] += 1
                    if "error" in lk:
                        stat[2] += 1
                    continue
                bug = next((b for b, v in qq.variants.items()
                            if compare(qq, lk, run_duckdb(con, v)) is None), None)
                if bug:
                    stat[3] += 1
                    known.setdefault(bug, []).append((seed, qq, lk, dk, why))
                else:
                    failures.append((seed, qq, lk, dk, why))
            con.close()
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    n = sum(s[0] for s in totals.values())
    agreed = sum(s[1] for s in totals.values())
    nknown = sum(len(v) for v in known.values())
    print(f"difftest: seeds {','.join(map(str, seeds))}, {n} queries, {agreed} agree,"
          f" {n - agreed - nknown} disagree, {nknown} known bugs ({time.time() - started:.1f}s)")
    for c in sorted(totals):
        total, ok, err, kb = totals[c]
        print(f"  {c:12} {ok:6}/{total:<6} agree ({100.0 * ok / total:5.1f}%), {err} of them both"
              f" errors; {kb} known bugs")
    for bug, cases in known.items():
        seed, qq, lk, dk, why = cases[0]
        print(f"\nKNOWN BUG {bug} ({len(cases)} queries):")
        for part in bug.split("+"):
            print(f"  {part}: {KNOWN_BUGS[part]}")
        print(f"  e.g. seed {seed}: {qq.lkq}")
    for seed, qq, lk, dk, why in failures[:args.show]:
        print(f"\nDISAGREEMENT (seed {seed}, {qq.category}): {why}")
        print(f"  lkq:    {qq.lkq}")
        print(f"  sql:    {qq.sql}")
        print("  LKQ result:\n" + show(lk))
        print("  DuckDB result:\n" + show(dk))
        d = minimal_diff(qq, lk, dk)
        if d:
            print("  diff:\n" + d)
    if len(failures) > args.show:
        print(f"\n... and {len(failures) - args.show} more disagreements")
    return 1 if failures or (known and not args.allow_known_bugs) else 0


if __name__ == "__main__":
    sys.exit(main())
