-- SQL for Spark SQL of Examples/penurunan_capaian.lkq, written by lkq --sql --dialect spark.

-- 5: capaian | select indikator, capaian_2022, capaian, round(capaian - capaian_2022, 2) as selisih | sort selisih
SET spark.sql.ansi.enabled = true;
WITH
  step_1 AS (
    SELECT
      `indikator`,
      `capaian_2022`,
      `capaian`,
      SIGN(((`capaian` - `capaian_2022`) * 100.0D)) * FLOOR(ABS(((`capaian` - `capaian_2022`) * 100.0D)) + 0.5) / 100.0D AS `selisih`
    FROM `capaian`
  )
SELECT *
FROM step_1
ORDER BY `selisih` ASC NULLS LAST;
