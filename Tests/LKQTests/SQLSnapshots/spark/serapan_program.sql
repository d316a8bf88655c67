-- SQL for Spark SQL of Examples/serapan_program.lkq, written by lkq --sql --dialect spark.

-- 5: anggaran where level = "program" | select kode, uraian, pagu, realisasi, persen | sort persen
SET spark.sql.ansi.enabled = true;
WITH
  step_1 AS (
    SELECT `kode`, `uraian`, `pagu`, `realisasi`, `persen`
    FROM `anggaran`
    WHERE `level` = 'program'
  )
SELECT *
FROM step_1
ORDER BY `persen` ASC NULLS LAST;
