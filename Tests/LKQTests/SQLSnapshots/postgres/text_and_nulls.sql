-- SQL for PostgreSQL of Tests/LKQTests/Cases/text_and_nulls.lkq, written by lkq --sql --dialect postgres.

-- 3: anggaran where uraian ~ "DESA" and level = "subkegiatan" | select kode
SELECT "kode"
FROM "anggaran"
WHERE ("uraian" ILIKE '%DESA%' ESCAPE '!') AND ("level" = 'subkegiatan');

-- 13: capaian where capaian_2018 is null | count
SELECT COUNT(*) AS "count"
FROM "capaian"
WHERE "capaian_2018" IS NULL;

-- 16: capaian where capaian_2018 is not null | count
SELECT COUNT(*) AS "count"
FROM "capaian"
WHERE "capaian_2018" IS NOT NULL;

-- 21: capaian where capaian_2018 = null | count
SELECT COUNT(*) AS "count"
FROM "capaian"
WHERE "capaian_2018" = NULL;

-- 24: capaian where capaian_2018 < 1000 or capaian_2018 >= 1000 | count
SELECT COUNT(*) AS "count"
FROM "capaian"
WHERE ("capaian_2018" < 1000) OR ("capaian_2018" >= 1000);

-- 29: capaian | select no, coalesce(capaian_2018, 0) as c2018 | where c2018 = 0 | select no
WITH
  step_1 AS (
    SELECT "no", CAST(COALESCE("capaian_2018", 0) AS DOUBLE PRECISION) AS "c2018"
    FROM "capaian"
  )
SELECT "no"
FROM step_1
WHERE "c2018" = 0;

-- 35: capaian | avg capaian_2018
SELECT CAST(AVG(CAST("capaian_2018" AS NUMERIC)) AS DOUBLE PRECISION) AS "avg_capaian_2018"
FROM "capaian";

-- 41: capaian | sort kategori(null + target) desc, no | select sasaran, no | limit 3
WITH
  step_1 AS (
    SELECT
      "sasaran",
      "no",
      CASE WHEN (CAST(NULL AS DOUBLE PRECISION) + "target") >= 91 THEN 'Sangat Tinggi' WHEN (CAST(NULL AS DOUBLE PRECISION) + "target") >= 76 THEN 'Tinggi' WHEN (CAST(NULL AS DOUBLE PRECISION) + "target") >= 66 THEN 'Sedang' WHEN (CAST(NULL AS DOUBLE PRECISION) + "target") >= 51 THEN 'Rendah' WHEN (CAST(NULL AS DOUBLE PRECISION) + "target") IS NOT NULL THEN 'Sangat Rendah' END AS "__lkq_o1",
      "no" AS "__lkq_o2"
    FROM "capaian"
  )
SELECT "sasaran", "no"
FROM step_1
ORDER BY "__lkq_o1" COLLATE "C" DESC NULLS LAST, "__lkq_o2" COLLATE "C" ASC NULLS LAST
LIMIT 3;
