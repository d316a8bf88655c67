-- SQL for PostgreSQL of Tests/LKQTests/Cases/stages.lkq, written by lkq --sql --dialect postgres.

-- 3: desa | sort jumlah desc | limit 3 | select kabupaten, jumlah
WITH
  step_1 AS (
    SELECT *
    FROM "desa"
    ORDER BY "jumlah" DESC NULLS LAST
    LIMIT 3
  ),
  step_2 AS (
    SELECT "kabupaten", "jumlah", "jumlah" AS "__lkq_o1"
    FROM step_1
  )
SELECT "kabupaten", "jumlah"
FROM step_2
ORDER BY "__lkq_o1" DESC NULLS LAST;

-- 9: desa | sort kecamatan desc, kabupaten asc | limit 2 | select kabupaten, kecamatan
WITH
  step_1 AS (
    SELECT *
    FROM "desa"
    ORDER BY "kecamatan" DESC NULLS LAST, "kabupaten" COLLATE "C" ASC NULLS LAST
    LIMIT 2
  ),
  step_2 AS (
    SELECT "kabupaten", "kecamatan", "kecamatan" AS "__lkq_o1", "kabupaten" AS "__lkq_o2"
    FROM step_1
  )
SELECT "kabupaten", "kecamatan"
FROM step_2
ORDER BY "__lkq_o1" DESC NULLS LAST, "__lkq_o2" COLLATE "C" ASC NULLS LAST;

-- 15: capaian where no = "1a" | select realisasi - target as selisih, round(realisasi / target * 100, 2) as hitung, abs(realisasi - target) as jarak
SELECT
  "realisasi" - "target" AS "selisih",
  SIGN(((("realisasi" / NULLIF("target", 0)) * 100) * CAST(100.0 AS DOUBLE PRECISION))) * FLOOR(ABS(((("realisasi" / NULLIF("target", 0)) * 100) * CAST(100.0 AS DOUBLE PRECISION))) + 0.5) / CAST(100.0 AS DOUBLE PRECISION) AS "hitung",
  ABS("realisasi" - "target") AS "jarak"
FROM "capaian"
WHERE "no" = '1a';

-- 20: error: limit on rows in no order does not compile to PostgreSQL: a database returns rows in no set order; sort first, as in | sort KEY | limit 2

-- 26: capaian | count
SELECT COUNT(*) AS "count"
FROM "capaian";

-- 29: capaian | avg
SELECT CAST(AVG(CAST("capaian" AS NUMERIC)) AS DOUBLE PRECISION) AS "avg_capaian"
FROM "capaian";

-- 32: capaian | min
SELECT MIN("capaian") AS "min_capaian"
FROM "capaian";

-- 35: capaian | max capaian
SELECT MAX("capaian") AS "max_capaian"
FROM "capaian";

-- 38: desa | sum kecamatan
SELECT CAST(SUM("kecamatan") AS BIGINT) AS "sum_kecamatan"
FROM "desa";

-- 41: desa | sum desa + kelurahan
SELECT CAST(SUM("desa" + "kelurahan") AS BIGINT) AS "sum"
FROM "desa";

-- 46: anggaran where level = "program" | sum pagu
SELECT CAST(SUM("pagu") AS BIGINT) AS "sum_pagu"
FROM "anggaran"
WHERE "level" = 'program';

-- 49: anggaran where level = "subkegiatan" | sum realisasi
SELECT CAST(SUM("realisasi") AS BIGINT) AS "sum_realisasi"
FROM "anggaran"
WHERE "level" = 'subkegiatan';
