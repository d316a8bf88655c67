-- SQL for DuckDB of Examples/serapan_program.lkq, written by lkq --sql --dialect duckdb.

-- 5: anggaran where level = "program" | select kode, uraian, pagu, realisasi, persen | sort persen
WITH
  step_1 AS (
    SELECT "kode", "uraian", "pagu", "realisasi", "persen"
    FROM "anggaran"
    WHERE "level" = 'program'
  )
SELECT *
FROM step_1
ORDER BY "persen" ASC NULLS LAST;
