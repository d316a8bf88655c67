-- SQL for PostgreSQL of Examples/penurunan_capaian.lkq, written by lkq --sql --dialect postgres.

-- 5: capaian | select indikator, capaian_2022, capaian, round(capaian - capaian_2022, 2) as selisih | sort selisih
WITH
  step_1 AS (
    SELECT
      "indikator",
      "capaian_2022",
      "capaian",
      SIGN((("capaian" - "capaian_2022") * CAST(100.0 AS DOUBLE PRECISION))) * FLOOR(ABS((("capaian" - "capaian_2022") * CAST(100.0 AS DOUBLE PRECISION))) + 0.5) / CAST(100.0 AS DOUBLE PRECISION) AS "selisih"
    FROM "capaian"
  )
SELECT *
FROM step_1
ORDER BY "selisih" ASC NULLS LAST;
