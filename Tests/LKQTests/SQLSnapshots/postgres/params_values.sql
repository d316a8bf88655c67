-- SQL for PostgreSQL of Tests/LKQTests/Cases/params_values.lkq, written by lkq --sql --dialect postgres.

-- 8: capaian where capaian < batas | select no
-- parameter batas = 75
SELECT "no"
FROM "capaian"
WHERE "capaian" < CAST($1 AS BIGINT);

-- 17: error: parameter 'th' has no value; pass --param th=VALUE, or give it a default: param th = VALUE

-- 18: error: unknown column 'th' in tren; '.schema tren' lists its columns

-- 23: error: parameter 'nama' has no value; pass --param nama=VALUE, or give it a default: param nama = VALUE

-- 24: error: unknown column 'nama' in desa; '.schema desa' lists its columns

-- 30: capaian where capaian >= lantai | count
-- parameter lantai = 100
SELECT COUNT(*) AS "count"
FROM "capaian"
WHERE "capaian" >= CAST($1 AS BIGINT);

-- 37: capaian where capaian between separuh and ambang | select no, capaian
SELECT "no", "capaian"
FROM "capaian"
WHERE ("capaian" >= CAST(40.0 AS DOUBLE PRECISION)) AND ("capaian" <= 80);

-- 41: error: unknown column 'nama' in desa; '.schema desa' lists its columns

-- 47: desa where no = 1 | select `Jumlah`, jumlah * 2 as `Dua Kali` | select `dua kali` as dua, `JUMLAH`
WITH
  step_1 AS (
    SELECT "jumlah", "jumlah" * 2 AS "dua kali"
    FROM "desa"
    WHERE "no" = 1
  )
SELECT "dua kali" AS "dua", "jumlah"
FROM step_1;

-- 50: anggaran where level = "program" | select kode, pagu as pagu_rp | where `Pagu (Rp)` > 1m | select kode, `Pagu (Rp)`
WITH
  step_1 AS (
    SELECT "kode", "pagu" AS "pagu_rp"
    FROM "anggaran"
    WHERE "level" = 'program'
  )
SELECT "kode", "pagu_rp"
FROM step_1
WHERE "pagu_rp" > 1000000000;

-- 57: error: parameter 'kosong' has no value; pass --param kosong=VALUE, or give it a default: param kosong = VALUE

-- 61: error: unknown column 'tidak_ada' in capaian; '.schema capaian' lists its columns
