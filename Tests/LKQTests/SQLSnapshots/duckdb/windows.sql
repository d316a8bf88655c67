-- SQL for DuckDB of Tests/LKQTests/Cases/windows.lkq, written by lkq --sql --dialect duckdb.

-- 5: anggaran where level = "subkegiatan" | extend rank() over (by induk sort realisasi * 100 / pagu desc) as peringkat | where peringkat <= 2 | select kode, peringkat
WITH
  step_1 AS (
    SELECT
      "kode",
      "uraian",
      "level",
      "induk",
      "pagu",
      "realisasi",
      "persen",
      RANK() OVER (PARTITION BY "induk" ORDER BY CAST("realisasi" * 100 AS DOUBLE) / NULLIF(CAST("pagu" AS DOUBLE), 0) DESC NULLS LAST) AS "peringkat"
    FROM "anggaran"
    WHERE "level" = 'subkegiatan'
  )
SELECT "kode", "peringkat"
FROM step_1
WHERE "peringkat" <= 2;

-- 27: anggaran where level = "program" | extend round(pagu * 100 / sum(pagu) over (), 2) as porsi | select kode, porsi
WITH
  step_1 AS (
    SELECT
      "kode",
      "uraian",
      "level",
      "induk",
      "pagu",
      "realisasi",
      "persen",
      SIGN(((CAST("pagu" * 100 AS DOUBLE) / NULLIF(CAST(CAST(SUM("pagu") OVER () AS BIGINT) AS DOUBLE), 0)) * CAST(100.0 AS DOUBLE))) * FLOOR(ABS(((CAST("pagu" * 100 AS DOUBLE) / NULLIF(CAST(CAST(SUM("pagu") OVER () AS BIGINT) AS DOUBLE), 0)) * CAST(100.0 AS DOUBLE))) + 0.5) / CAST(100.0 AS DOUBLE) AS "porsi"
    FROM "anggaran"
    WHERE "level" = 'program'
  )
SELECT "kode", "porsi"
FROM step_1;

-- 35: desa where no <= 8 | select no, kecamatan, sum(kecamatan) over (sort kecamatan) as kumulatif
SELECT
  "no",
  "kecamatan",
  CAST(SUM("kecamatan") OVER (ORDER BY "kecamatan" ASC NULLS LAST) AS BIGINT) AS "kumulatif"
FROM "desa"
WHERE "no" <= 8;

-- 45: desa where no <= 6 | extend sum(jumlah) over (sort no) as kumulatif, count() over (sort kecamatan desc) as n | select no, kumulatif, n
WITH
  step_1 AS (
    SELECT
      "no",
      "kabupaten",
      "kecamatan",
      "desa",
      "kelurahan",
      "jumlah",
      CAST(SUM("jumlah") OVER (ORDER BY "no" ASC NULLS LAST) AS BIGINT) AS "kumulatif",
      COUNT(*) OVER (ORDER BY "kecamatan" DESC NULLS LAST) AS "n"
    FROM "desa"
    WHERE "no" <= 6
  )
SELECT "no", "kumulatif", "n"
FROM step_1;

-- 55: tren where sasaran = 2 | extend capaian - lag(capaian) over (by no sort tahun) as naik, lead(tahun, 2) over (by no sort tahun) as dua_tahun_lagi | select no, tahun, naik, dua_tahun_lagi
WITH
  step_1 AS (
    SELECT
      "sasaran",
      "indikator",
      "tahun",
      "capaian",
      "no",
      "capaian" - LAG("capaian") OVER (PARTITION BY "no" ORDER BY "tahun" ASC NULLS LAST) AS "naik",
      LEAD("tahun", 2) OVER (PARTITION BY "no" ORDER BY "tahun" ASC NULLS LAST) AS "dua_tahun_lagi"
    FROM "tren"
    WHERE "sasaran" = 2
  )
SELECT "no", "tahun", "naik", "dua_tahun_lagi"
FROM step_1;

-- 68: desa | extend rank() over (sort jumlah desc) as r, dense_rank() over (sort jumlah desc) as d, row_number() over (sort jumlah desc, no) as n | where r <= 5 | select kabupaten, jumlah, r, d, n
WITH
  step_1 AS (
    SELECT
      "no",
      "kabupaten",
      "kecamatan",
      "desa",
      "kelurahan",
      "jumlah",
      RANK() OVER (ORDER BY "jumlah" DESC NULLS LAST) AS "r",
      DENSE_RANK() OVER (ORDER BY "jumlah" DESC NULLS LAST) AS "d",
      ROW_NUMBER() OVER (ORDER BY "jumlah" DESC NULLS LAST, "no" ASC NULLS LAST) AS "n"
    FROM "desa"
  )
SELECT "kabupaten", "jumlah", "r", "d", "n"
FROM step_1
WHERE "r" <= 5;

-- 77: error: last without sort does not compile to DuckDB: a database's rows have no order of their own; say which row is last, as in over (by KEY sort KEY)

-- 90: error: count_distinct with over does not compile to DuckDB: DuckDB has no DISTINCT in a window; group by the window's keys and join the counts back

-- 103: desa | sort jumlah desc, no | limit 4 | extend row_number() over (sort no) as urut_no | select no, urut_no
WITH
  step_1 AS (
    SELECT *
    FROM "desa"
    ORDER BY "jumlah" DESC NULLS LAST, "no" ASC NULLS LAST
    LIMIT 4
  ),
  step_2 AS (
    SELECT
      "no",
      "kabupaten",
      "kecamatan",
      "desa",
      "kelurahan",
      "jumlah",
      ROW_NUMBER() OVER (ORDER BY "no" ASC NULLS LAST) AS "urut_no",
      "jumlah" AS "__lkq_o1",
      "no" AS "__lkq_o2"
    FROM step_1
  ),
  step_3 AS (
    SELECT "no", "urut_no", "__lkq_o1", "__lkq_o2"
    FROM step_2
  )
SELECT "no", "urut_no"
FROM step_3
ORDER BY "__lkq_o1" DESC NULLS LAST, "__lkq_o2" ASC NULLS LAST;

-- 111: error: rank() over (...) can only be used in 'extend' or 'select'; compute it there, then filter or sort on its name

-- 113: error: row_number() over (...) can only be used in 'extend' or 'select'; compute it there, then filter or sort on its name

-- 115: error: sum() over (...) can only be used in 'extend' or 'select'; compute it there, then filter or sort on its name

-- 117: error: lag() needs an order; add sort to over (...), as in over (by induk sort pagu desc)

-- 119: error: rank() needs an order; add sort to over (...), as in over (by induk sort pagu desc)

-- 121: error: rank() is a window function; add over (...), as in rank() over (by induk sort pagu desc)

-- 123: error: lag() takes 1 to 2 arguments, not 3

-- 125: error: row_number() takes 0 arguments, not 1
