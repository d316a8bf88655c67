-- SQL for Spark SQL of Tests/LKQTests/Cases/warnings.lkq, written by lkq --sql --dialect spark.

-- 3: anggaran | sum pagu
SET spark.sql.ansi.enabled = true;
SELECT CAST(SUM(`pagu`) AS BIGINT) AS `sum_pagu`
FROM `anggaran`;

-- 7: anggaran | avg realisasi
SET spark.sql.ansi.enabled = true;
SELECT CAST(SUM(CAST(`realisasi` AS DECIMAL(38, 0))) AS DOUBLE) / NULLIF(COUNT(`realisasi`), 0) AS `avg_realisasi`
FROM `anggaran`;

-- 11: belanja | sum realisasi
SET spark.sql.ansi.enabled = true;
SELECT CAST(SUM(`realisasi`) AS BIGINT) AS `sum_realisasi`
FROM `belanja`;

-- 15: anggaran where level != "urusan" and level != "organisasi" | group by substr(kode, 1, 7) as program sum(pagu) as pagu
SET spark.sql.ansi.enabled = true;
SELECT
  CASE WHEN CAST(1 AS INT) IS NOT NULL AND CAST(7 AS INT) IS NOT NULL THEN SUBSTR(`kode`, GREATEST(CAST(1 AS INT), 1), GREATEST(CAST(1 AS INT) + GREATEST(CAST(7 AS INT), 0), 1) - GREATEST(CAST(1 AS INT), 1)) END AS `program`,
  CAST(SUM(`pagu`) AS BIGINT) AS `pagu`
FROM `anggaran`
WHERE (`level` <> 'urusan') AND (`level` <> 'organisasi')
GROUP BY CASE WHEN CAST(1 AS INT) IS NOT NULL AND CAST(7 AS INT) IS NOT NULL THEN SUBSTR(`kode`, GREATEST(CAST(1 AS INT), 1), GREATEST(CAST(1 AS INT) + GREATEST(CAST(7 AS INT), 0), 1) - GREATEST(CAST(1 AS INT), 1)) END
ORDER BY `program` ASC NULLS LAST;

-- 24: anggaran where level = "program" | sum pagu
SET spark.sql.ansi.enabled = true;
SELECT CAST(SUM(`pagu`) AS BIGINT) AS `sum_pagu`
FROM `anggaran`
WHERE `level` = 'program';

-- 27: anggaran | group by level sum(pagu) as pagu
SET spark.sql.ansi.enabled = true;
SELECT `level`, CAST(SUM(`pagu`) AS BIGINT) AS `pagu`
FROM `anggaran`
GROUP BY `level`
ORDER BY `level` ASC NULLS LAST;

-- 34: anggaran | count
SET spark.sql.ansi.enabled = true;
SELECT COUNT(*) AS `count`
FROM `anggaran`;

-- 39: anggaran where level in ("program", "kegiatan") | group by induk sum(pagu) as pagu
SET spark.sql.ansi.enabled = true;
SELECT `induk`, CAST(SUM(`pagu`) AS BIGINT) AS `pagu`
FROM `anggaran`
WHERE `level` IN ('program', 'kegiatan')
GROUP BY `induk`
ORDER BY `induk` ASC NULLS LAST;

-- 48: capaian where kategori(capaian) = "sangat rendah" | count
SET spark.sql.ansi.enabled = true;
SELECT COUNT(*) AS `count`
FROM `capaian`
WHERE CASE WHEN `capaian` >= 91 THEN 'Sangat Tinggi' WHEN `capaian` >= 76 THEN 'Tinggi' WHEN `capaian` >= 66 THEN 'Sedang' WHEN `capaian` >= 51 THEN 'Rendah' WHEN `capaian` IS NOT NULL THEN 'Sangat Rendah' END = 'sangat rendah';

-- 52: desa where kabupaten = "tts" | select jumlah
SET spark.sql.ansi.enabled = true;
SELECT `jumlah`
FROM `desa`
WHERE `kabupaten` = 'tts';

-- 55: desa where kabupaten = "Jakarta" | count
SET spark.sql.ansi.enabled = true;
SELECT COUNT(*) AS `count`
FROM `desa`
WHERE `kabupaten` = 'Jakarta';

-- 60: error: limit on rows in no order does not compile to Spark SQL: a database returns rows in no set order; sort first, as in | sort KEY | limit 3

-- 69: capaian where sasaran = 2 | count
SET spark.sql.ansi.enabled = true;
SELECT COUNT(*) AS `count`
FROM `capaian`
WHERE `sasaran` = 2;
