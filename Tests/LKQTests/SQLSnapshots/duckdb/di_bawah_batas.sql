-- SQL for DuckDB of Examples/di_bawah_batas.lkq, written by lkq --sql --dialect duckdb.

-- 6: capaian where capaian < batas | select no, indikator, capaian | sort capaian
-- parameter batas = 75
WITH
  step_1 AS (
    SELECT "no", "indikator", "capaian"
    FROM "capaian"
    WHERE "capaian" < CAST($1 AS BIGINT)
  )
SELECT *
FROM step_1
ORDER BY "capaian" ASC NULLS LAST;
