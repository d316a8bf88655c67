-- SQL for PostgreSQL of Tests/LKQTests/Cases/aggregates_more.lkq, written by lkq --sql --dialect postgres.

-- 3: anggaran | count_distinct level
SELECT COUNT(DISTINCT "level") AS "count_distinct_level"
FROM "anggaran";

-- 6: capaian | count_if(capaian >= 90)
SELECT COUNT(CASE WHEN "capaian" >= 90 THEN 1 END) AS "count_if"
FROM "capaian";

-- 11: capaian | count_if < 75
SELECT COUNT(CASE WHEN "capaian" < 75 THEN 1 END) AS "count_if"
FROM "capaian";

-- 14: anggaran where level = "subkegiatan" | sum_if(pagu, persen < 50)
SELECT CAST(SUM(CASE WHEN "persen" < 50 THEN "pagu" END) AS BIGINT) AS "sum_if"
FROM "anggaran"
WHERE "level" = 'subkegiatan';

-- 20: capaian | median
SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY "capaian") AS "median_capaian"
FROM "capaian";

-- 23: desa | median jumlah
SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY CAST("jumlah" AS DOUBLE PRECISION)) AS "median_jumlah"
FROM "desa";

-- 26: tren where no = "1a" | median capaian
SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY "capaian") AS "median_capaian"
FROM "tren"
WHERE "no" = '1a';

-- 29: anggaran where level in ("kegiatan", "subkegiatan") | group by level count_distinct(induk) as induk, count_if(persen >= 90) as tinggi, sum_if(realisasi, persen >= 90) as realisasi_tinggi, median(persen) as tengah
WITH
  step_1 AS (
    SELECT
      "level",
      COUNT(DISTINCT "induk") AS "induk",
      COUNT(CASE WHEN "persen" >= 90 THEN 1 END) AS "tinggi",
      CAST(SUM(CASE WHEN "persen" >= 90 THEN "realisasi" END) AS BIGINT) AS "realisasi_tinggi",
      PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY "persen") AS "tengah"
    FROM "anggaran"
    WHERE "level" IN ('kegiatan', 'subkegiatan')
    GROUP BY "level"
  )
SELECT *
FROM step_1
ORDER BY "level" COLLATE "C" ASC NULLS LAST;

-- 33: capaian | group by sasaran count_distinct(satuan) as satuan, count_if(capaian_2018 is null) as baru, round(median(capaian_2022), 2) as tengah_2022
SELECT
  "sasaran",
  COUNT(DISTINCT "satuan") AS "satuan",
  COUNT(CASE WHEN "capaian_2018" IS NULL THEN 1 END) AS "baru",
  SIGN((PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY "capaian_2022") * CAST(100.0 AS DOUBLE PRECISION))) * FLOOR(ABS((PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY "capaian_2022") * CAST(100.0 AS DOUBLE PRECISION))) + 0.5) / CAST(100.0 AS DOUBLE PRECISION) AS "tengah_2022"
FROM "capaian"
GROUP BY "sasaran"
ORDER BY "sasaran" ASC NULLS LAST;

-- 39: capaian where sasaran = 9 | group by sasaran count() as n
SELECT "sasaran", COUNT(*) AS "n"
FROM "capaian"
WHERE "sasaran" = 9
GROUP BY "sasaran"
ORDER BY "sasaran" ASC NULLS LAST;

-- 41: capaian where sasaran = 9 | median
SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY "capaian") AS "median_capaian"
FROM "capaian"
WHERE "sasaran" = 9;

-- 44: capaian where sasaran = 9 | count_if(capaian > 0)
SELECT COUNT(CASE WHEN "capaian" > 0 THEN 1 END) AS "count_if"
FROM "capaian"
WHERE "sasaran" = 9;

-- 47: capaian where sasaran = 9 | sum_if(capaian, capaian > 0)
SELECT CAST(SUM(CAST(CASE WHEN "capaian" > 0 THEN "capaian" END AS NUMERIC)) AS DOUBLE PRECISION) AS "sum_if"
FROM "capaian"
WHERE "sasaran" = 9;

-- 53: error: count() is an aggregate; use it after 'group by' or as a stage ('| count col')

-- 55: error: 'capaian' is a value, not a condition; compare it, as in 'capaian > 0'

-- 57: error: 'median' needs a number, not text

-- 59: error: sum_if() takes 2 arguments, not 1

-- 61: error: median() takes 1 argument, not 2
