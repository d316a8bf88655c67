"""The script cases of the new language forms (Tests/LKQTests/Cases/{in_between,case_when,...}.lkq)
are written by the other files here: `python3 Scripts/case-answers/windows.py` rewrites
windows.lkq (needs pip duckdb). Change the cases there, not in the .lkq files.

Writes script cases whose expected rows come from DuckDB running an equivalent SQL query
on the same CSVs (db.py), not from LKQ. Items:
  ("#", comment)
  ("q", lkq, sql, [(warning, token)])   rows from DuckDB, then warnings located at token
  ("e", lkq, kind, token)               an error located at the token's first occurrence
  ("x", lkq, [expected lines])          hand-written expectations
  ("p", "NAME=VALUE")                   a '# param:' line
Locations are 1-based line and column of the token in the written file."""
import db
con = db.connect()

def write(path, items):
    out = []
    def at(stmt, token):
        line = len(out)  # the statement is the last line written
        col = stmt.index(token) + 1
        return f"{line}:{col}"
    for it in items:
        kind = it[0]
        if kind == "#":
            if out: out.append("")
            out += ["# " + l if l else "#" for l in it[1].split("\n")]
        elif kind == "p":
            out.append("# param: " + it[1])
        elif kind == "q":
            lkq, sql = it[1], it[2]
            out.append(lkq)
            locs = [(w, at(lkq, tok)) for w, tok in (it[3] if len(it) > 3 else [])]
            for line in db.answer(con, sql):
                out.append("# expect: " + line if line else "# expect:")
            for w, place in locs:
                out.append(f"# expect-warning: {w} {place}")
        elif kind == "e":
            lkq, k, tok = it[1], it[2], it[3]
            out.append(lkq)
            out.append(f"# expect-error: {k} {at(lkq, tok)}")
        elif kind == "x":
            out.append(it[1])
            out += ["# expect: " + l if l else "# expect:" for l in it[2]]
    open(path, "w").write("\n".join(out) + "\n")
