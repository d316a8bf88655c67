-- SQL for DuckDB of Examples/di_bawah_target.lkq, written by lkq --sql --dialect duckdb.

-- 5: capaian where realisasi < target | select sasaran, no, indikator, target, realisasi, capaian
SELECT "sasaran", "no", "indikator", "target", "realisasi", "capaian"
FROM "capaian"
WHERE "realisasi" < "target";
