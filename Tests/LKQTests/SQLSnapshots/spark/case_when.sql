-- SQL for Spark SQL of Tests/LKQTests/Cases/case_when.lkq, written by lkq --sql --dialect spark.

-- 3: capaian | select no, case when capaian >= 100 then "tercapai" when capaian >= 75 then "hampir" else "belum" end as status
SET spark.sql.ansi.enabled = true;
SELECT
  `no`,
  CAST(CASE WHEN `capaian` >= 100 THEN 'tercapai' WHEN `capaian` >= 75 THEN 'hampir' ELSE 'belum' END AS STRING) AS `status`
FROM `capaian`;

-- 14: desa where no <= 4 | select kabupaten, case when jumlah > 180 then jumlah end as besar
SET spark.sql.ansi.enabled = true;
SELECT
  `kabupaten`,
  CAST(CASE WHEN `jumlah` > 180 THEN `jumlah` END AS BIGINT) AS `besar`
FROM `desa`
WHERE `no` <= 4;

-- 22: desa where no <= 2 | select no, case when no = 1 then 1.5 else jumlah end as v
SET spark.sql.ansi.enabled = true;
SELECT `no`, CAST(CASE WHEN `no` = 1 THEN 1.5D ELSE `jumlah` END AS DOUBLE) AS `v`
FROM `desa`
WHERE `no` <= 2;

-- 28: capaian | select no, case when no in ("1a", "1b") then "bumdes" when capaian between 80 and 90 then "sedang" when indikator ~ "desa" then "desa" when capaian_2018 is null then "baru" else "lain" end as k
SET spark.sql.ansi.enabled = true;
SELECT
  `no`,
  CAST(CASE WHEN `no` IN ('1a', '1b') THEN 'bumdes' WHEN (`capaian` >= 80) AND (`capaian` <= 90) THEN 'sedang' WHEN `indikator` ILIKE '%desa%' ESCAPE '!' THEN 'desa' WHEN `capaian_2018` IS NULL THEN 'baru' ELSE 'lain' END AS STRING) AS `k`
FROM `capaian`;

-- 41: capaian | group by case when capaian >= 90 then "baik" else "kurang" end as kelas count() as n, round(avg(capaian), 2) as rata
SET spark.sql.ansi.enabled = true;
SELECT
  CASE WHEN `capaian` >= 90 THEN 'baik' ELSE 'kurang' END AS `kelas`,
  COUNT(*) AS `n`,
  SIGN((AVG(`capaian`) * 100.0D)) * FLOOR(ABS((AVG(`capaian`) * 100.0D)) + 0.5) / 100.0D AS `rata`
FROM `capaian`
GROUP BY CASE WHEN `capaian` >= 90 THEN 'baik' ELSE 'kurang' END
ORDER BY `kelas` ASC NULLS LAST;

-- 45: capaian where case when sasaran = 1 then capaian else 0 end > 100 | select no
SET spark.sql.ansi.enabled = true;
SELECT `no`
FROM `capaian`
WHERE CASE WHEN `sasaran` = 1 THEN `capaian` ELSE 0 END > 100;

-- 48: desa where no <= 3 | select no, 10 * case when no = 2 then 2 else 1 end + 1 as v
SET spark.sql.ansi.enabled = true;
SELECT `no`, (10 * CASE WHEN `no` = 2 THEN 2 ELSE 1 END) + 1 AS `v`
FROM `desa`
WHERE `no` <= 3;

-- 55: error: cannot apply 'case' to text and an integer

-- 57: error: 'jumlah' is a value, not a condition; compare it, as in 'jumlah > 0'
