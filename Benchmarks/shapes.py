"""The query shapes of issue 15, in LKQ, DuckDB SQL and polars, imported by run.py.

Each entry has the keys of run.py's QUERIES: title, table, compare, lkq, sql, polars
({t} is the table; in polars `lf` is `pl.scan_csv(file)`), and optionally
`sink` = how polars writes a result of every row (see run.py's command()).

The generator writes tahun 2019..2023 (generate.py's TAHUN), no 2024: S2 joins the
two latest years present, 2023 against 2022.

Ties: where an answer is compared in order (S1, S2, S4) every tool sorts by the same
keys up to a total order of the printed rows, so all three must print the same rows in
the same order. S5 and S6 print every row; run.py compares those through a digest
(row count, sum of every numeric column, an order-free hash of the rows, and for S5 that
pagu never rises), so S5 needs no tie-breaker: the order among equal pagu is free.
"""

# S2's two years: the latest two that generate.py writes.
S2_NEW, S2_OLD = 2023, 2022

SHAPES = {
    "S1": dict(
        title="group by pemda, opd, kode (many groups), top 10", table="anggaran", compare="rows_ordered",
        lkq="{t} | group by pemda, opd, kode sum(pagu) as pagu | sort pagu desc, pemda, opd, kode | limit 10",
        sql="SELECT pemda, opd, kode, sum(pagu) AS pagu FROM {t} GROUP BY pemda, opd, kode"
            " ORDER BY pagu DESC, pemda, opd, kode LIMIT 10",
        polars="lf.group_by('pemda', 'opd', 'kode').agg(pl.col('pagu').sum())"
               ".sort(['pagu', 'pemda', 'opd', 'kode'], descending=[True, False, False, False]).head(10)",
    ),
    "S2": dict(
        title=f"self-join {S2_NEW} against {S2_OLD} on pemda, opd, kode, top 10 pagu increases",
        table="anggaran", compare="rows_ordered",
        # pagu_2023 breaks the last ties: a key can occur more than once in a year, and
        # with naik and pagu_2023 fixed, pagu_2022 is fixed too.
        lkq=f"{{t}} where tahun = {S2_NEW} | select pemda, opd, kode, pagu"
            f" | join ({{t}} where tahun = {S2_OLD} | select pemda, opd, kode, pagu as pagu_{S2_OLD})"
            f" on pemda, opd, kode"
            f" | select pemda, opd, kode, pagu_{S2_OLD}, pagu as pagu_{S2_NEW}, pagu - pagu_{S2_OLD} as naik"
            f" | sort naik desc, pemda, opd, kode, pagu_{S2_NEW} desc | limit 10",
        sql=f"SELECT a.pemda, a.opd, a.kode, b.pagu AS pagu_{S2_OLD}, a.pagu AS pagu_{S2_NEW},"
            f" a.pagu - b.pagu AS naik FROM {{t}} a JOIN {{t}} b"
            f" ON a.pemda = b.pemda AND a.opd = b.opd AND a.kode = b.kode"
            f" WHERE a.tahun = {S2_NEW} AND b.tahun = {S2_OLD}"
            f" ORDER BY naik DESC, a.pemda, a.opd, a.kode, pagu_{S2_NEW} DESC LIMIT 10",
        polars=f"lf.filter(pl.col('tahun') == {S2_NEW}).select('pemda', 'opd', 'kode', 'pagu')"
               f".join(lf.filter(pl.col('tahun') == {S2_OLD})"
               f".select('pemda', 'opd', 'kode', pl.col('pagu').alias('pagu_{S2_OLD}')),"
               f" on=['pemda', 'opd', 'kode'])"
               f".select('pemda', 'opd', 'kode', 'pagu_{S2_OLD}', pl.col('pagu').alias('pagu_{S2_NEW}'),"
               f" (pl.col('pagu') - pl.col('pagu_{S2_OLD}')).alias('naik'))"
               f".sort(['naik', 'pemda', 'opd', 'kode', 'pagu_{S2_NEW}'],"
               f" descending=[True, False, False, False, True]).head(10)",
    ),
    "S3": dict(
        title="distinct count of uraian (group by, then count)", table="anggaran", compare="scalar",
        lkq="{t} | group by uraian count() | count",
        # The group-by form, as LKQ's: a null uraian would be a group (count(DISTINCT) drops it).
        sql="SELECT count(*) FROM (SELECT uraian, count(*) FROM {t} GROUP BY uraian)",
        polars="lf.group_by('uraian').agg(pl.len()).select(pl.len())",
    ),
    "S4": dict(
        title="sort pagu desc, limit 10", table="anggaran", compare="rows_ordered",
        # Rows equal in these six columns are equal in all nine (uraian and level follow
        # from kode, persen from realisasi and pagu), so the order is total.
        lkq="{t} | sort pagu desc, pemda, opd, kode, tahun, realisasi | limit 10",
        sql="SELECT * FROM {t} ORDER BY pagu DESC, pemda, opd, kode, tahun, realisasi LIMIT 10",
        polars="lf.sort(['pagu', 'pemda', 'opd', 'kode', 'tahun', 'realisasi'],"
               " descending=[True, False, False, False, False, False]).head(10)",
    ),
    "S5": dict(
        title="sort pagu desc, every row printed", table="anggaran", compare="digest", every_row=True,
        sorted_desc="pagu",
        lkq="{t} | sort pagu desc",
        sql="SELECT * FROM {t} ORDER BY pagu DESC",
        polars="lf.sort('pagu', descending=True)",
    ),
    "S6": dict(
        title="select 3 computed columns, every row printed", table="anggaran", compare="digest", every_row=True,
        lkq="{t} | select kode, pagu - realisasi as sisa, round(realisasi * 100.0 / pagu, 2) as serapan",
        sql="SELECT kode, pagu - realisasi AS sisa, round(realisasi * 100.0 / pagu, 2) AS serapan FROM {t}",
        # polars rounds half to even by default; LKQ and DuckDB round half away from zero,
        # and halves occur here (pagu is a multiple of 1000: 55.125 is exact in binary).
        polars="lf.select('kode', (pl.col('pagu') - pl.col('realisasi')).alias('sisa'),"
               " (pl.col('realisasi') * 100.0 / pl.col('pagu')).round(2, mode='half_away_from_zero').alias('serapan'))",
    ),
    # Q1's shape (filter, count) on anggaran, so that it runs at 10M too.
    "Q1a": dict(
        title="filter+count (anggaran)", table="anggaran", compare="scalar",
        lkq="{t} where level = 5 and persen < 50 | count",
        sql="SELECT count(*) FROM {t} WHERE level = 5 AND persen < 50",
        mlr=["filter", "$level == 5 && $persen < 50", "then", "count"],
        polars="lf.filter((pl.col('level') == 5) & (pl.col('persen') < 50)).select(pl.len())",
    ),
}

# The earlier queries this issue keeps at both sizes: Q1's shape on anggaran (Q1a), both
# group-by-and-rank queries, the text match and the load.
EARLIER = ["Q1a", "Q2", "Q2b", "Q4", "Q6"]
NEW = ["S1", "S2", "S3", "S4", "S5", "S6"]
# The group-by and text shapes whose cost must grow linearly with the rows.
SCALING = ["S1", "S3"]
