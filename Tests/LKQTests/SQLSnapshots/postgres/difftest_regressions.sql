-- SQL for PostgreSQL of Tests/LKQTests/Cases/difftest_regressions.lkq, written by lkq --sql --dialect postgres.

-- 5: desa where jumlah > 1000000 | max kabupaten | where max_kabupaten = "x"
WITH
  step_1 AS (
    SELECT MAX("kabupaten" COLLATE "C") AS "max_kabupaten"
    FROM "desa"
    WHERE "jumlah" > 1000000
  )
SELECT *
FROM step_1
WHERE "max_kabupaten" = 'x';

-- 7: capaian where capaian > 1000 | min(no) | where min_no ~ "1"
WITH
  step_1 AS (
    SELECT MIN("no" COLLATE "C") AS "min_no"
    FROM "capaian"
    WHERE "capaian" > 1000
  )
SELECT *
FROM step_1
WHERE "min_no" ILIKE '%1%' ESCAPE '!';

-- 12: capaian | left join (capaian where sasaran = 2 | select no as no2, sasaran as s2) on no = no2 | group by s2 * 0 - 9223372036854775807 - 1 as k count()
WITH
  step_1 AS (
    SELECT "no" AS "no2", "sasaran" AS "s2"
    FROM "capaian"
    WHERE "sasaran" = 2
  ),
  step_2 AS (
    SELECT l.*, r."s2"
    FROM "capaian" AS l
    LEFT JOIN step_1 AS r ON l."no" = r."no2"
  )
SELECT (("s2" * 0) - 9223372036854775807) - 1 AS "k", COUNT(*) AS "count"
FROM step_2
GROUP BY (("s2" * 0) - 9223372036854775807) - 1
ORDER BY "k" ASC NULLS LAST;

-- 18: desa where no <= 2 | select 9223372036854775807 * (3 - 2 * no) - (no - 1) as v | avg v
WITH
  step_1 AS (
    SELECT (9223372036854775807 * (3 - (2 * "no"))) - ("no" - 1) AS "v"
    FROM "desa"
    WHERE "no" <= 2
  )
SELECT CAST(AVG("v") AS DOUBLE PRECISION) AS "avg_v"
FROM step_1;

-- 24: desa where no <= 3 | select no, case when no = 1 then 9223372036854775807 when no = 2 then -9223372036854775807 - 1 else -7 end as v | select no, avg(v) over (sort no) as w
WITH
  step_1 AS (
    SELECT
      "no",
      CAST(CASE WHEN "no" = 1 THEN 9223372036854775807 WHEN "no" = 2 THEN CAST(-9223372036854775807 AS BIGINT) - 1 ELSE -7 END AS BIGINT) AS "v"
    FROM "desa"
    WHERE "no" <= 3
  )
SELECT
  "no",
  CAST(AVG("v") OVER (ORDER BY "no" ASC NULLS LAST) AS DOUBLE PRECISION) AS "w"
FROM step_1;
