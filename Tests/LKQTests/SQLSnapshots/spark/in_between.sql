-- SQL for Spark SQL of Tests/LKQTests/Cases/in_between.lkq, written by lkq --sql --dialect spark.

-- 3: capaian where no in ("1a", "2", "5") | select sasaran, no
SET spark.sql.ansi.enabled = true;
SELECT `sasaran`, `no`
FROM `capaian`
WHERE `no` IN ('1a', '2', '5');

-- 9: desa where no not in (1, 2, 3) and no <= 6 | select no, kabupaten
SET spark.sql.ansi.enabled = true;
SELECT `no`, `kabupaten`
FROM `desa`
WHERE (`no` NOT IN (1, 2, 3)) AND (`no` <= 6);

-- 16: desa where desa + kelurahan in (177, 278, 100 + 93) | select kabupaten, jumlah
SET spark.sql.ansi.enabled = true;
SELECT `kabupaten`, `jumlah`
FROM `desa`
WHERE (`desa` + `kelurahan`) IN (177, 278, CAST(100 AS BIGINT) + 93);

-- 22: capaian where satuan in ("Posyandu") | select no
SET spark.sql.ansi.enabled = true;
SELECT `no`
FROM `capaian`
WHERE `satuan` IN ('Posyandu');

-- 27: capaian where capaian between 51.09 and 98.4 | select no, capaian
SET spark.sql.ansi.enabled = true;
SELECT `no`, `capaian`
FROM `capaian`
WHERE (`capaian` >= 51.09D) AND (`capaian` <= 98.4D);

-- 34: capaian where capaian not between 50 and 100 | select no, capaian
SET spark.sql.ansi.enabled = true;
SELECT `no`, `capaian`
FROM `capaian`
WHERE (`capaian` < 50) OR (`capaian` > 100);

-- 38: desa where kabupaten between "Alor" and "Ende" | select kabupaten
SET spark.sql.ansi.enabled = true;
SELECT `kabupaten`
FROM `desa`
WHERE (`kabupaten` >= 'Alor') AND (`kabupaten` <= 'Ende');

-- 46: capaian where capaian_2018 not in (100) | count
SET spark.sql.ansi.enabled = true;
SELECT COUNT(*) AS `count`
FROM `capaian`
WHERE `capaian_2018` NOT IN (100);

-- 49: capaian where capaian_2018 not between 0 and 50 | count
SET spark.sql.ansi.enabled = true;
SELECT COUNT(*) AS `count`
FROM `capaian`
WHERE (`capaian_2018` < 0) OR (`capaian_2018` > 50);

-- 52: capaian where sasaran not in (2, null) | count
SET spark.sql.ansi.enabled = true;
SELECT COUNT(*) AS `count`
FROM `capaian`
WHERE `sasaran` NOT IN (2, NULL);

-- 55: capaian where sasaran in (2, null) | count
SET spark.sql.ansi.enabled = true;
SELECT COUNT(*) AS `count`
FROM `capaian`
WHERE `sasaran` IN (2, NULL);

-- 60: desa where not no in (1, 2) and no between 1 and 4 or no = 22 | select no
SET spark.sql.ansi.enabled = true;
SELECT `no`
FROM `desa`
WHERE ((NOT COALESCE(`no` IN (1, 2), FALSE)) AND ((`no` >= 1) AND (`no` <= 4))) OR (`no` = 22);

-- 67: error: cannot apply '=' to text and an integer

-- 69: error: cannot apply '>=' to an integer and text
