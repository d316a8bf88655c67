-- SQL for PostgreSQL of Examples/rata_rata_capaian.lkq, written by lkq --sql --dialect postgres.

-- 6: rata | select round(avg_capaian, 2) as rata_rata
WITH
  "rata" AS (
    SELECT CAST(AVG(CAST("capaian" AS NUMERIC)) AS DOUBLE PRECISION) AS "avg_capaian"
    FROM "capaian"
  )
SELECT SIGN(("avg_capaian" * CAST(100.0 AS DOUBLE PRECISION))) * FLOOR(ABS(("avg_capaian" * CAST(100.0 AS DOUBLE PRECISION))) + 0.5) / CAST(100.0 AS DOUBLE PRECISION) AS "rata_rata"
FROM "rata";

-- 10: capaian | group by sasaran round(avg(capaian), 2) as rata_rata, count() as indikator
SELECT
  "sasaran",
  SIGN((CAST(AVG(CAST("capaian" AS NUMERIC)) AS DOUBLE PRECISION) * CAST(100.0 AS DOUBLE PRECISION))) * FLOOR(ABS((CAST(AVG(CAST("capaian" AS NUMERIC)) AS DOUBLE PRECISION) * CAST(100.0 AS DOUBLE PRECISION))) + 0.5) / CAST(100.0 AS DOUBLE PRECISION) AS "rata_rata",
  COUNT(*) AS "indikator"
FROM "capaian"
GROUP BY "sasaran"
ORDER BY "sasaran" ASC NULLS LAST;
