-- SQL for Spark SQL of Examples/subkegiatan_di_bawah_separuh.lkq, written by lkq --sql --dialect spark.

-- 4: anggaran where level = "subkegiatan" and realisasi * 2 < pagu | select kode, uraian, pagu, realisasi, persen
SET spark.sql.ansi.enabled = true;
SELECT `kode`, `uraian`, `pagu`, `realisasi`, `persen`
FROM `anggaran`
WHERE (`level` = 'subkegiatan') AND ((`realisasi` * 2) < `pagu`);
