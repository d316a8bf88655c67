-- SQL for PostgreSQL of Tests/LKQTests/Cases/case_when.lkq, written by lkq --sql --dialect postgres.

-- 3: capaian | select no, case when capaian >= 100 then "tercapai" when capaian >= 75 then "hampir" else "belum" end as status
SELECT
  "no",
  CAST(CASE WHEN "capaian" >= 100 THEN 'tercapai' WHEN "capaian" >= 75 THEN 'hampir' ELSE 'belum' END AS TEXT) AS "status"
FROM "capaian";

-- 14: desa where no <= 4 | select kabupaten, case when jumlah > 180 then jumlah end as besar
SELECT
  "kabupaten",
  CAST(CASE WHEN "jumlah" > 180 THEN "jumlah" END AS BIGINT) AS "besar"
FROM "desa"
WHERE "no" <= 4;

-- 22: desa where no <= 2 | select no, case when no = 1 then 1.5 else jumlah end as v
SELECT
  "no",
  CAST(CASE WHEN "no" = 1 THEN CAST(1.5 AS DOUBLE PRECISION) ELSE "jumlah" END AS DOUBLE PRECISION) AS "v"
FROM "desa"
WHERE "no" <= 2;

-- 28: capaian | select no, case when no in ("1a", "1b") then "bumdes" when capaian between 80 and 90 then "sedang" when indikator ~ "desa" then "desa" when capaian_2018 is null then "baru" else "lain" end as k
SELECT
  "no",
  CAST(CASE WHEN "no" IN ('1a', '1b') THEN 'bumdes' WHEN ("capaian" >= 80) AND ("capaian" <= 90) THEN 'sedang' WHEN "indikator" ILIKE '%desa%' ESCAPE '!' THEN 'desa' WHEN "capaian_2018" IS NULL THEN 'baru' ELSE 'lain' END AS TEXT) AS "k"
FROM "capaian";

-- 41: capaian | group by case when capaian >= 90 then "baik" else "kurang" end as kelas count() as n, round(avg(capaian), 2) as rata
WITH
  step_1 AS (
    SELECT
      CASE WHEN "capaian" >= 90 THEN 'baik' ELSE 'kurang' END AS "kelas",
      COUNT(*) AS "n",
      SIGN((CAST(AVG(CAST("capaian" AS NUMERIC)) AS DOUBLE PRECISION) * CAST(100.0 AS DOUBLE PRECISION))) * FLOOR(ABS((CAST(AVG(CAST("capaian" AS NUMERIC)) AS DOUBLE PRECISION) * CAST(100.0 AS DOUBLE PRECISION))) + 0.5) / CAST(100.0 AS DOUBLE PRECISION) AS "rata"
    FROM "capaian"
    GROUP BY CASE WHEN "capaian" >= 90 THEN 'baik' ELSE 'kurang' END
  )
SELECT *
FROM step_1
ORDER BY "kelas" COLLATE "C" ASC NULLS LAST;

-- 45: capaian where case when sasaran = 1 then capaian else 0 end > 100 | select no
SELECT "no"
FROM "capaian"
WHERE CASE WHEN "sasaran" = 1 THEN "capaian" ELSE 0 END > 100;

-- 48: desa where no <= 3 | select no, 10 * case when no = 2 then 2 else 1 end + 1 as v
SELECT "no", (10 * CASE WHEN "no" = 2 THEN 2 ELSE 1 END) + 1 AS "v"
FROM "desa"
WHERE "no" <= 3;

-- 55: error: cannot apply 'case' to text and an integer

-- 57: error: 'jumlah' is a value, not a condition; compare it, as in 'jumlah > 0'
