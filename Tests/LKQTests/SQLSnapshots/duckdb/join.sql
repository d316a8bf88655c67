-- SQL for DuckDB of Tests/LKQTests/Cases/join.lkq, written by lkq --sql --dialect duckdb.

-- 3: kegiatan where program = 1 | join anggaran on kode | select no, capaian, pagu, anggaran_realisasi, persen
WITH
  step_1 AS (
    SELECT *
    FROM "kegiatan"
    WHERE "program" = 1
  ),
  step_2 AS (
    SELECT
      l.*,
      r."uraian",
      r."level",
      r."induk",
      r."pagu",
      r."realisasi" AS "anggaran_realisasi",
      r."persen"
    FROM step_1 AS l
    JOIN "anggaran" AS r ON l."kode" = r."kode"
  )
SELECT "no", "capaian", "pagu", "anggaran_realisasi", "persen"
FROM step_2;

-- 12: anggaran where level = "program" | join (anggaran where level = "kegiatan" | group by induk count() as kegiatan) on kode = induk | select kode, kegiatan
WITH
  step_1 AS (
    SELECT *
    FROM "anggaran"
    WHERE "level" = 'program'
  ),
  step_2 AS (
    SELECT "induk", COUNT(*) AS "kegiatan"
    FROM "anggaran"
    WHERE "level" = 'kegiatan'
    GROUP BY "induk"
  ),
  step_3 AS (
    SELECT l.*, r."kegiatan"
    FROM step_1 AS l
    JOIN step_2 AS r ON l."kode" = r."induk"
  )
SELECT "kode", "kegiatan"
FROM step_3;

-- 20: capaian | left join (tren where tahun = 2018) on sasaran, no | select sasaran, no, capaian_2018, tren_capaian
WITH
  step_1 AS (
    SELECT *
    FROM "tren"
    WHERE "tahun" = 2018
  ),
  step_2 AS (
    SELECT l.*, r."indikator" AS "tren_indikator", r."tahun", r."capaian" AS "tren_capaian"
    FROM "capaian" AS l
    LEFT JOIN step_1 AS r ON l."sasaran" = r."sasaran" AND l."no" = r."no"
  )
SELECT "sasaran", "no", "capaian_2018", "tren_capaian"
FROM step_2;

-- 32: capaian | join (tren where tahun = 2018) on sasaran, no | count
WITH
  step_1 AS (
    SELECT *
    FROM "tren"
    WHERE "tahun" = 2018
  ),
  step_2 AS (
    SELECT l.*, r."indikator" AS "tren_indikator", r."tahun", r."capaian" AS "tren_capaian"
    FROM "capaian" AS l
    JOIN step_1 AS r ON l."sasaran" = r."sasaran" AND l."no" = r."no"
  )
SELECT COUNT(*) AS "count"
FROM step_2;

-- 37: efisiensi where capaian >= 100 and serapan < 60 | select no, capaian, serapan, selisih
SELECT "no", "capaian", "serapan", "selisih"
FROM "efisiensi"
WHERE ("capaian" >= 100) AND ("serapan" < 60);

-- 42: error: unknown column 'kod' in anggaran; did you mean 'kode'?

-- 45: error: cannot apply 'join' to an integer and text

-- 48: error: expected 'on' and the columns to match, found name 'kode'

-- 51: error: expected ')' to close '(' at 51:17
