-- SQL for PostgreSQL of Tests/LKQTests/Cases/kinerja.lkq, written by lkq --sql --dialect postgres.

-- 3: error: unknown column 'sasaran' in capaian; '.schema capaian' lists its columns

-- 6: capaian where sasaran = 2 | select no, capaian, kategori(capaian) as kategori
SELECT
  "no",
  "capaian",
  CASE WHEN "capaian" >= 91 THEN 'Sangat Tinggi' WHEN "capaian" >= 76 THEN 'Tinggi' WHEN "capaian" >= 66 THEN 'Sedang' WHEN "capaian" >= 51 THEN 'Rendah' WHEN "capaian" IS NOT NULL THEN 'Sangat Rendah' END AS "kategori"
FROM "capaian"
WHERE "sasaran" = 2;

-- 12: capaian | group by kategori(capaian) as kategori count() min(capaian) as terendah | sort terendah desc
WITH
  step_1 AS (
    SELECT
      CASE WHEN "capaian" >= 91 THEN 'Sangat Tinggi' WHEN "capaian" >= 76 THEN 'Tinggi' WHEN "capaian" >= 66 THEN 'Sedang' WHEN "capaian" >= 51 THEN 'Rendah' WHEN "capaian" IS NOT NULL THEN 'Sangat Rendah' END AS "kategori",
      COUNT(*) AS "count",
      MIN("capaian") AS "terendah"
    FROM "capaian"
    GROUP BY CASE WHEN "capaian" >= 91 THEN 'Sangat Tinggi' WHEN "capaian" >= 76 THEN 'Tinggi' WHEN "capaian" >= 66 THEN 'Sedang' WHEN "capaian" >= 51 THEN 'Rendah' WHEN "capaian" IS NOT NULL THEN 'Sangat Rendah' END
  )
SELECT *
FROM step_1
ORDER BY "terendah" DESC NULLS LAST, "kategori" COLLATE "C" ASC NULLS LAST;

-- 20: error: limit on rows in no order does not compile to PostgreSQL: a database returns rows in no set order; sort first, as in | sort KEY | limit 1

-- 24: capaian where kategori(capaian) = "Sangat Rendah" | select indikator
SELECT "indikator"
FROM "capaian"
WHERE CASE WHEN "capaian" >= 91 THEN 'Sangat Tinggi' WHEN "capaian" >= 76 THEN 'Tinggi' WHEN "capaian" >= 66 THEN 'Sedang' WHEN "capaian" >= 51 THEN 'Rendah' WHEN "capaian" IS NOT NULL THEN 'Sangat Rendah' END = 'Sangat Rendah';

-- 28: error: 'kategori' needs a number, not text

-- 33: error: limit on rows in no order does not compile to PostgreSQL: a database returns rows in no set order; sort first, as in | sort KEY | limit 1

-- 37: capaian where round(hitung_capaian(realisasi, target, polaritas), 2) != capaian | count
SELECT COUNT(*) AS "count"
FROM "capaian"
WHERE (SIGN((CASE WHEN "target" > 0 AND "realisasi" IS NOT NULL THEN CASE WHEN "polaritas" IS NULL OR LOWER(BTRIM("polaritas", '	                　')) = 'positif' THEN "realisasi" * 100 / "target" WHEN LOWER(BTRIM("polaritas", '	                　')) = 'negatif' THEN (2 * "target" - "realisasi") * 100 / "target" END END * CAST(100.0 AS DOUBLE PRECISION))) * FLOOR(ABS((CASE WHEN "target" > 0 AND "realisasi" IS NOT NULL THEN CASE WHEN "polaritas" IS NULL OR LOWER(BTRIM("polaritas", '	                　')) = 'positif' THEN "realisasi" * 100 / "target" WHEN LOWER(BTRIM("polaritas", '	                　')) = 'negatif' THEN (2 * "target" - "realisasi") * 100 / "target" END END * CAST(100.0 AS DOUBLE PRECISION))) + 0.5) / CAST(100.0 AS DOUBLE PRECISION)) <> "capaian";

-- 41: error: expected 'selisih' or 'rasio', found "kali"

-- 44: error: hitung_capaian() takes 2 to 4 arguments, not 1

-- 48: anggaran where level = "program" and pagu > 1m | select kode, pagu
SELECT "kode", "pagu"
FROM "anggaran"
WHERE ("level" = 'program') AND ("pagu" > 1000000000);

-- 53: error: limit on rows in no order does not compile to PostgreSQL: a database returns rows in no set order; sort first, as in | sort KEY | limit 1

-- 57: error: invalid number '5kg'; a magnitude is written rb, jt, m (miliar) or t (triliun), as in 100jt

-- 60: error: invalid number '10000000t'; a magnitude is written rb, jt, m (miliar) or t (triliun), as in 100jt

-- 64: error: limit on rows in no order does not compile to PostgreSQL: a database returns rows in no set order; sort first, as in | sort KEY | limit 2
