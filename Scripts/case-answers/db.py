"""Independent answers: the built-in CSVs loaded into DuckDB with the manifest's types."""
import duckdb, pathlib, re, csv, io
ROOT = pathlib.Path(__file__).resolve().parents[2] / "Sources/LKQ/Data/LKIP2023"
TYPES = {"int": "BIGINT", "rupiah": "BIGINT", "double": "DOUBLE", "text": "VARCHAR"}

def connect():
    con = duckdb.connect()
    sections = re.split(r"^\[(\w+)\]\s*$", (ROOT / "manifest.txt").read_text(), flags=re.M)
    for name, body in zip(sections[1::2], sections[2::2]):
        fields = dict(re.findall(r"^(\w+) = (.*)$", body, flags=re.M))
        if "file" not in fields: continue
        cols = [c.split(":") for c in fields["columns"].split()]
        con.execute(f"create table {name} (rid integer, " + ", ".join(f'"{c}" {TYPES[t]}' for c, t in cols) + ")")
        with open(ROOT / fields["file"], newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))[1:]
        for i, r in enumerate(rows):
            vals = [None if v == "" else (int(v) if TYPES[t] == "BIGINT" else float(v) if t == "double" else v) for v, (c, t) in zip(r, cols)]
            con.execute(f"insert into {name} values (" + ",".join(["?"] * (len(vals) + 1)) + ")", [i] + vals)
    return con

def fmt(v):
    if v is None: return ""
    if isinstance(v, bool): return str(v).lower()
    import decimal
    if isinstance(v, decimal.Decimal): v = float(v)
    if isinstance(v, float):
        if v == int(v) and abs(v) < 1e15: s = str(int(v))
        else: s = repr(v)
    else: s = str(v)
    if any(ch in s for ch in ',"\n'): s = '"' + s.replace('"', '""') + '"'
    return s

def answer(con, sql):
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [",".join(names)] + [",".join(fmt(v) for v in row) for row in cur.fetchall()]
