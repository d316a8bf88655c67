-- SQL for Spark SQL of Examples/efisiensi_kegiatan.lkq, written by lkq --sql --dialect spark.

-- 7: efisiensi where capaian >= 100 and serapan < 50 | select no, indikator, capaian, serapan
SET spark.sql.ansi.enabled = true;
SELECT `no`, `indikator`, `capaian`, `serapan`
FROM `efisiensi`
WHERE (`capaian` >= 100) AND (`serapan` < 50);

-- 11: efisiensi where capaian >= 100 and serapan < 60 | select no, indikator, capaian, serapan, selisih
SET spark.sql.ansi.enabled = true;
SELECT `no`, `indikator`, `capaian`, `serapan`, `selisih`
FROM `efisiensi`
WHERE (`capaian` >= 100) AND (`serapan` < 60);

-- 17: efisiensi | select program, no, capaian, pagu, serapan, selisih | sort selisih desc
SET spark.sql.ansi.enabled = true;
WITH
  step_1 AS (
    SELECT `program`, `no`, `capaian`, `pagu`, `serapan`, `selisih`
    FROM `efisiensi`
  )
SELECT *
FROM step_1
ORDER BY `selisih` DESC NULLS LAST;

-- 30: kegiatan | join anggaran on kode | select no, capaian, persen as serapan | where capaian = 0 and serapan > 0
SET spark.sql.ansi.enabled = true;
WITH
  step_1 AS (
    SELECT
      l.*,
      r.`uraian`,
      r.`level`,
      r.`induk`,
      r.`pagu`,
      r.`realisasi` AS `anggaran_realisasi`,
      r.`persen`
    FROM `kegiatan` AS l
    JOIN `anggaran` AS r ON l.`kode` = r.`kode`
  ),
  step_2 AS (
    SELECT `no`, `capaian`, `persen` AS `serapan`
    FROM step_1
  )
SELECT *
FROM step_2
WHERE (`capaian` = 0) AND (`serapan` > 0);
