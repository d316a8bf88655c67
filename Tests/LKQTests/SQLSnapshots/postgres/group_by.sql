-- SQL for PostgreSQL of Tests/LKQTests/Cases/group_by.lkq, written by lkq --sql --dialect postgres.

-- 3: capaian | group by sasaran avg(capaian), count()
SELECT
  "sasaran",
  CAST(AVG(CAST("capaian" AS NUMERIC)) AS DOUBLE PRECISION) AS "avg_capaian",
  COUNT(*) AS "count"
FROM "capaian"
GROUP BY "sasaran"
ORDER BY "sasaran" ASC NULLS LAST;

-- 9: anggaran where level = "kegiatan" | group by induk as program sum(pagu) as pagu, sum(realisasi) as realisasi, round(sum(realisasi) * 100 / sum(pagu), 2) as serapan | sort serapan
WITH
  step_1 AS (
    SELECT
      "induk" AS "program",
      CAST(SUM("pagu") AS BIGINT) AS "pagu",
      CAST(SUM("realisasi") AS BIGINT) AS "realisasi",
      SIGN(((CAST(CAST(SUM("realisasi") AS BIGINT) * 100 AS DOUBLE PRECISION) / NULLIF(CAST(CAST(SUM("pagu") AS BIGINT) AS DOUBLE PRECISION), 0)) * CAST(100.0 AS DOUBLE PRECISION))) * FLOOR(ABS(((CAST(CAST(SUM("realisasi") AS BIGINT) * 100 AS DOUBLE PRECISION) / NULLIF(CAST(CAST(SUM("pagu") AS BIGINT) AS DOUBLE PRECISION), 0)) * CAST(100.0 AS DOUBLE PRECISION))) + 0.5) / CAST(100.0 AS DOUBLE PRECISION) AS "serapan"
    FROM "anggaran"
    WHERE "level" = 'kegiatan'
    GROUP BY "induk"
  )
SELECT *
FROM step_1
ORDER BY "serapan" ASC NULLS LAST, "program" COLLATE "C" ASC NULLS LAST;

-- 17: tren where tahun >= 2021 | group by sasaran, tahun min(capaian) as terendah, max(capaian) as tertinggi, count(capaian) as n
SELECT
  "sasaran",
  "tahun",
  MIN("capaian") AS "terendah",
  MAX("capaian") AS "tertinggi",
  COUNT("capaian") AS "n"
FROM "tren"
WHERE "tahun" >= 2021
GROUP BY "sasaran", "tahun"
ORDER BY "sasaran" ASC NULLS LAST, "tahun" ASC NULLS LAST;

-- 27: tren where tahun >= 2022 | group by sasaran tahun count()
SELECT "sasaran", "tahun", COUNT(*) AS "count"
FROM "tren"
WHERE "tahun" >= 2022
GROUP BY "sasaran", "tahun"
ORDER BY "sasaran" ASC NULLS LAST, "tahun" ASC NULLS LAST;

-- 35: kegiatan | group by lower(satuan) as satuan count()
WITH
  step_1 AS (
    SELECT LOWER("satuan") AS "satuan", COUNT(*) AS "count"
    FROM "kegiatan"
    GROUP BY LOWER("satuan")
  )
SELECT *
FROM step_1
ORDER BY "satuan" COLLATE "C" ASC NULLS LAST;
