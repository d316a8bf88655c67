-- SQL for DuckDB of Tests/LKQTests/Cases/extend_distinct.lkq, written by lkq --sql --dialect duckdb.

-- 4: belanja where level = "jenis" | extend pagu - realisasi as sisa
SELECT
  "no",
  "uraian",
  "level",
  "kelompok",
  "pagu",
  "realisasi",
  "persen",
  "pagu" - "realisasi" AS "sisa"
FROM "belanja"
WHERE "level" = 'jenis';

-- 9: desa where no <= 2 | extend jumlah * 2 as jumlah, kabupaten as nama
SELECT
  "no",
  "kabupaten",
  "kecamatan",
  "desa",
  "kelurahan",
  "jumlah" * 2 AS "jumlah",
  "kabupaten" AS "nama"
FROM "desa"
WHERE "no" <= 2;

-- 15: anggaran where level = "program" | extend pagu - realisasi as sisa | where sisa > 100jt | select kode, sisa
WITH
  step_1 AS (
    SELECT
      "kode",
      "uraian",
      "level",
      "induk",
      "pagu",
      "realisasi",
      "persen",
      "pagu" - "realisasi" AS "sisa"
    FROM "anggaran"
    WHERE "level" = 'program'
  )
SELECT "kode", "sisa"
FROM step_1
WHERE "sisa" > 100000000;

-- 20: anggaran | distinct level
SELECT DISTINCT "level"
FROM "anggaran"
ORDER BY "level" ASC NULLS LAST;

-- 27: capaian | distinct sasaran, satuan
SELECT DISTINCT "sasaran", "satuan"
FROM "capaian"
ORDER BY "sasaran" ASC NULLS LAST, "satuan" ASC NULLS LAST;

-- 33: belanja | select level, kelompok | distinct
WITH
  step_1 AS (
    SELECT "level", "kelompok"
    FROM "belanja"
  )
SELECT DISTINCT "level", "kelompok"
FROM step_1
ORDER BY "level" ASC NULLS LAST, "kelompok" ASC NULLS LAST;

-- 40: tren | distinct tahun | count
WITH
  step_1 AS (
    SELECT DISTINCT "tahun"
    FROM "tren"
  )
SELECT COUNT(*) AS "count"
FROM step_1;

-- 45: anggaran | distinct induk | count
WITH
  step_1 AS (
    SELECT DISTINCT "induk"
    FROM "anggaran"
  )
SELECT COUNT(*) AS "count"
FROM step_1;

-- 48: error: unknown column 'levl' in anggaran; did you mean 'level'?
