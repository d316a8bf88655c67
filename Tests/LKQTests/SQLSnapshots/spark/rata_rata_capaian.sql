-- SQL for Spark SQL of Examples/rata_rata_capaian.lkq, written by lkq --sql --dialect spark.

-- 6: rata | select round(avg_capaian, 2) as rata_rata
SET spark.sql.ansi.enabled = true;
WITH
  `rata` AS (
    SELECT AVG(`capaian`) AS `avg_capaian`
    FROM `capaian`
  )
SELECT SIGN((`avg_capaian` * 100.0D)) * FLOOR(ABS((`avg_capaian` * 100.0D)) + 0.5) / 100.0D AS `rata_rata`
FROM `rata`;

-- 10: capaian | group by sasaran round(avg(capaian), 2) as rata_rata, count() as indikator
SET spark.sql.ansi.enabled = true;
SELECT
  `sasaran`,
  SIGN((AVG(`capaian`) * 100.0D)) * FLOOR(ABS((AVG(`capaian`) * 100.0D)) + 0.5) / 100.0D AS `rata_rata`,
  COUNT(*) AS `indikator`
FROM `capaian`
GROUP BY `sasaran`
ORDER BY `sasaran` ASC NULLS LAST;
