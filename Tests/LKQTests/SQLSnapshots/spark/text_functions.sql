-- SQL for Spark SQL of Tests/LKQTests/Cases/text_functions.lkq, written by lkq --sql --dialect spark.

-- 4: desa where no <= 3 | select kabupaten, length(kabupaten) as n, substr(kabupaten, 2) as ekor, substr(kabupaten, 1, 2) as awal
SET spark.sql.ansi.enabled = true;
SELECT
  `kabupaten`,
  CAST(LENGTH(`kabupaten`) AS BIGINT) AS `n`,
  CASE WHEN CAST(2 AS INT) IS NOT NULL THEN SUBSTR(`kabupaten`, GREATEST(CAST(2 AS INT), 1)) END AS `ekor`,
  CASE WHEN CAST(1 AS INT) IS NOT NULL AND CAST(2 AS INT) IS NOT NULL THEN SUBSTR(`kabupaten`, GREATEST(CAST(1 AS INT), 1), GREATEST(CAST(1 AS INT) + GREATEST(CAST(2 AS INT), 0), 1) - GREATEST(CAST(1 AS INT), 1)) END AS `awal`
FROM `desa`
WHERE `no` <= 3;

-- 9: anggaran where level = "program" | select replace(kode, ".", "-") as kode, split_part(kode, ".", 3) as nomor, length(split_part(kode, ".", 9)) as lewat
SET spark.sql.ansi.enabled = true;
SELECT
  REPLACE(`kode`, '.', '-') AS `kode`,
  CASE WHEN CAST(3 AS INT) = 0 THEN '' ELSE SPLIT_PART(`kode`, '.', CAST(3 AS INT)) END AS `nomor`,
  CAST(LENGTH(CASE WHEN CAST(9 AS INT) = 0 THEN '' ELSE SPLIT_PART(`kode`, '.', CAST(9 AS INT)) END) AS BIGINT) AS `lewat`
FROM `anggaran`
WHERE `level` = 'program';

-- 15: desa where no = 1 | select trim("  dua kata  ") as t, length(trim("  dua kata  ")) as n, concat(kabupaten, " (", jumlah, ")") as label, concat("a", null, "b") as tanpa_null
SET spark.sql.ansi.enabled = true;
SELECT
  TRIM(BOTH '	                　' FROM '  dua kata  ') AS `t`,
  CAST(LENGTH(TRIM(BOTH '	                　' FROM '  dua kata  ')) AS BIGINT) AS `n`,
  CONCAT(COALESCE(`kabupaten`, ''), COALESCE(' (', ''), COALESCE(CAST(`jumlah` AS STRING), ''), COALESCE(')', '')) AS `label`,
  CONCAT(COALESCE('a', ''), COALESCE(NULL, ''), COALESCE('b', '')) AS `tanpa_null`
FROM `desa`
WHERE `no` = 1;

-- 20: anggaran where starts_with(kode, "2.13.04") | select kode
SET spark.sql.ansi.enabled = true;
SELECT `kode`
FROM `anggaran`
WHERE SUBSTR(`kode`, 1, LENGTH('2.13.04')) = '2.13.04';

-- 27: capaian where ends_with(no, "b") or not starts_with(indikator, "P") | select no
SET spark.sql.ansi.enabled = true;
SELECT `no`
FROM `capaian`
WHERE (RIGHT(`no`, LENGTH('b')) = 'b') OR (NOT COALESCE(SUBSTR(`indikator`, 1, LENGTH('P')) = 'P', FALSE));

-- 30: desa where starts_with(kabupaten, "sumba") | count
SET spark.sql.ansi.enabled = true;
SELECT COUNT(*) AS `count`
FROM `desa`
WHERE SUBSTR(`kabupaten`, 1, LENGTH('sumba')) = 'sumba';

-- 33: capaian | select no, case when starts_with(no, "1") then "satu" else "lain" end as awal | where awal = "satu"
SET spark.sql.ansi.enabled = true;
WITH
  step_1 AS (
    SELECT
      `no`,
      CAST(CASE WHEN SUBSTR(`no`, 1, LENGTH('1')) = '1' THEN 'satu' ELSE 'lain' END AS STRING) AS `awal`
    FROM `capaian`
  )
SELECT *
FROM step_1
WHERE `awal` = 'satu';

-- 40: capaian where sasaran = 2 | select no, length(indikator_induk) as n, substr(indikator_induk, 1, 3) as s
SET spark.sql.ansi.enabled = true;
SELECT
  `no`,
  CAST(LENGTH(`indikator_induk`) AS BIGINT) AS `n`,
  CASE WHEN CAST(1 AS INT) IS NOT NULL AND CAST(3 AS INT) IS NOT NULL THEN SUBSTR(`indikator_induk`, GREATEST(CAST(1 AS INT), 1), GREATEST(CAST(1 AS INT) + GREATEST(CAST(3 AS INT), 0), 1) - GREATEST(CAST(1 AS INT), 1)) END AS `s`
FROM `capaian`
WHERE `sasaran` = 2;

-- 47: desa where no = 1 | select length("kabupatén") as n, substr("kabupatén", 8) as akhir
SET spark.sql.ansi.enabled = true;
SELECT
  CAST(LENGTH('kabupatén') AS BIGINT) AS `n`,
  CASE WHEN CAST(8 AS INT) IS NOT NULL THEN SUBSTR('kabupatén', GREATEST(CAST(8 AS INT), 1)) END AS `akhir`
FROM `desa`
WHERE `no` = 1;

-- 52: error: number() of text does not compile to Spark SQL: the Indonesian number reading has no SQL form yet; convert the column in the database, or run the query in LKQ

-- 55: error: number() of text does not compile to Spark SQL: the Indonesian number reading has no SQL form yet; convert the column in the database, or run the query in LKQ

-- 60: error: cannot apply 'length' to an integer and text

-- 62: error: substr() takes 2 to 3 arguments, not 1

-- 64: error: replace() takes 3 arguments, not 2

-- 66: error: 'substr' needs a number, not text

-- 68: error: a condition (comparison, ~, is null, and/or/not) can only be used after 'where'

-- 70: error: 'length(kabupaten)' is a value, not a condition; compare it, as in 'length(kabupaten) > 0'
