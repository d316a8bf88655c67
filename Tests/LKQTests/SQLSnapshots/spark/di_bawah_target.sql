-- SQL for Spark SQL of Examples/di_bawah_target.lkq, written by lkq --sql --dialect spark.

-- 5: capaian where realisasi < target | select sasaran, no, indikator, target, realisasi, capaian
SET spark.sql.ansi.enabled = true;
SELECT `sasaran`, `no`, `indikator`, `target`, `realisasi`, `capaian`
FROM `capaian`
WHERE `realisasi` < `target`;
