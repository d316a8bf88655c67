-- SQL for PostgreSQL of Tests/LKQTests/Cases/let.lkq, written by lkq --sql --dialect postgres.

-- 3: lemah | select no, capaian
WITH
  "lemah" AS (
    SELECT *
    FROM "capaian"
    WHERE "capaian" < 75
  )
SELECT "no", "capaian"
FROM "lemah";

-- 9: lemah where < 50 | count
WITH
  "lemah" AS (
    SELECT *
    FROM "capaian"
    WHERE "capaian" < 75
  )
SELECT COUNT(*) AS "count"
FROM "lemah"
WHERE "capaian" < 50;

-- 12: lemah | avg
WITH
  "lemah" AS (
    SELECT *
    FROM "capaian"
    WHERE "capaian" < 75
  )
SELECT CAST(AVG(CAST("capaian" AS NUMERIC)) AS DOUBLE PRECISION) AS "avg_capaian"
FROM "lemah";

-- 17: program | sort pagu desc | limit 1 | select kode, pagu
WITH
  "program" AS (
    SELECT *
    FROM "anggaran"
    WHERE "level" = 'program'
  ),
  step_1 AS (
    SELECT *
    FROM "program"
    ORDER BY "pagu" DESC NULLS LAST
    LIMIT 1
  ),
  step_2 AS (
    SELECT "kode", "pagu", "pagu" AS "__lkq_o1"
    FROM step_1
  )
SELECT "kode", "pagu"
FROM step_2
ORDER BY "__lkq_o1" DESC NULLS LAST;
