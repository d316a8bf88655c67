-- SQL for Spark SQL of Tests/LKQTests/Cases/stages.lkq, written by lkq --sql --dialect spark.

-- 3: desa | sort jumlah desc | limit 3 | select kabupaten, jumlah
SET spark.sql.ansi.enabled = true;
WITH
  step_1 AS (
    SELECT *
    FROM `desa`
    ORDER BY `jumlah` DESC NULLS LAST
    LIMIT 3
  ),
  step_2 AS (
    SELECT `kabupaten`, `jumlah`, `jumlah` AS `__lkq_o1`
    FROM step_1
  )
SELECT `kabupaten`, `jumlah`
FROM step_2
ORDER BY `__lkq_o1` DESC NULLS LAST;

-- 9: desa | sort kecamatan desc, kabupaten asc | limit 2 | select kabupaten, kecamatan
SET spark.sql.ansi.enabled = true;
WITH
  step_1 AS (
    SELECT *
    FROM `desa`
    ORDER BY `kecamatan` DESC NULLS LAST, `kabupaten` ASC NULLS LAST
    LIMIT 2
  ),
  step_2 AS (
    SELECT `kabupaten`, `kecamatan`, `kecamatan` AS `__lkq_o1`, `kabupaten` AS `__lkq_o2`
    FROM step_1
  )
SELECT `kabupaten`, `kecamatan`
FROM step_2
ORDER BY `__lkq_o1` DESC NULLS LAST, `__lkq_o2` ASC NULLS LAST;

-- 15: capaian where no = "1a" | select realisasi - target as selisih, round(realisasi / target * 100, 2) as hitung, abs(realisasi - target) as jarak
SET spark.sql.ansi.enabled = true;
SELECT
  `realisasi` - `target` AS `selisih`,
  SIGN((((`realisasi` / NULLIF(`target`, 0)) * 100) * 100.0D)) * FLOOR(ABS((((`realisasi` / NULLIF(`target`, 0)) * 100) * 100.0D)) + 0.5) / 100.0D AS `hitung`,
  ABS(`realisasi` - `target`) AS `jarak`
FROM `capaian`
WHERE `no` = '1a';

-- 20: error: limit on rows in no order does not compile to Spark SQL: a database returns rows in no set order; sort first, as in | sort KEY | limit 2

-- 26: capaian | count
SET spark.sql.ansi.enabled = true;
SELECT COUNT(*) AS `count`
FROM `capaian`;

-- 29: capaian | avg
SET spark.sql.ansi.enabled = true;
SELECT AVG(`capaian`) AS `avg_capaian`
FROM `capaian`;

-- 32: capaian | min
SET spark.sql.ansi.enabled = true;
SELECT MIN(`capaian`) AS `min_capaian`
FROM `capaian`;

-- 35: capaian | max capaian
SET spark.sql.ansi.enabled = true;
SELECT MAX(`capaian`) AS `max_capaian`
FROM `capaian`;

-- 38: desa | sum kecamatan
SET spark.sql.ansi.enabled = true;
SELECT CAST(SUM(`kecamatan`) AS BIGINT) AS `sum_kecamatan`
FROM `desa`;

-- 41: desa | sum desa + kelurahan
SET spark.sql.ansi.enabled = true;
SELECT CAST(SUM(`desa` + `kelurahan`) AS BIGINT) AS `sum`
FROM `desa`;

-- 46: anggaran where level = "program" | sum pagu
SET spark.sql.ansi.enabled = true;
SELECT CAST(SUM(`pagu`) AS BIGINT) AS `sum_pagu`
FROM `anggaran`
WHERE `level` = 'program';

-- 49: anggaran where level = "subkegiatan" | sum realisasi
SET spark.sql.ansi.enabled = true;
SELECT CAST(SUM(`realisasi`) AS BIGINT) AS `sum_realisasi`
FROM `anggaran`
WHERE `level` = 'subkegiatan';
