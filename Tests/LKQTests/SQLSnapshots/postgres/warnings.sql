-- SQL for PostgreSQL of Tests/LKQTests/Cases/warnings.lkq, written by lkq --sql --dialect postgres.

-- 3: anggaran | sum pagu
SELECT CAST(SUM("pagu") AS BIGINT) AS "sum_pagu"
FROM "anggaran";

-- 7: anggaran | avg realisasi
SELECT CAST(AVG("realisasi") AS DOUBLE PRECISION) AS "avg_realisasi"
FROM "anggaran";

-- 11: belanja | sum realisasi
SELECT CAST(SUM("realisasi") AS BIGINT) AS "sum_realisasi"
FROM "belanja";

-- 15: anggaran where level != "urusan" and level != "organisasi" | group by substr(kode, 1, 7) as program sum(pagu) as pagu
WITH
  step_1 AS (
    SELECT
      CASE WHEN CAST(1 AS INTEGER) IS NOT NULL AND CAST(7 AS INTEGER) IS NOT NULL THEN SUBSTR("kode", GREATEST(CAST(1 AS INTEGER), 1), GREATEST(CAST(1 AS INTEGER) + GREATEST(CAST(7 AS INTEGER), 0), 1) - GREATEST(CAST(1 AS INTEGER), 1)) END AS "program",
      CAST(SUM("pagu") AS BIGINT) AS "pagu"
    FROM "anggaran"
    WHERE ("level" <> 'urusan') AND ("level" <> 'organisasi')
    GROUP BY CASE WHEN CAST(1 AS INTEGER) IS NOT NULL AND CAST(7 AS INTEGER) IS NOT NULL THEN SUBSTR("kode", GREATEST(CAST(1 AS INTEGER), 1), GREATEST(CAST(1 AS INTEGER) + GREATEST(CAST(7 AS INTEGER), 0), 1) - GREATEST(CAST(1 AS INTEGER), 1)) END
  )
SELECT *
FROM step_1
ORDER BY "program" COLLATE "C" ASC NULLS LAST;

-- 24: anggaran where level = "program" | sum pagu
SELECT CAST(SUM("pagu") AS BIGINT) AS "sum_pagu"
FROM "anggaran"
WHERE "level" = 'program';

-- 27: anggaran | group by level sum(pagu) as pagu
WITH
  step_1 AS (
    SELECT "level", CAST(SUM("pagu") AS BIGINT) AS "pagu"
    FROM "anggaran"
    GROUP BY "level"
  )
SELECT *
FROM step_1
ORDER BY "level" COLLATE "C" ASC NULLS LAST;

-- 34: anggaran | count
SELECT COUNT(*) AS "count"
FROM "anggaran";

-- 39: anggaran where level in ("program", "kegiatan") | group by induk sum(pagu) as pagu
WITH
  step_1 AS (
    SELECT "induk", CAST(SUM("pagu") AS BIGINT) AS "pagu"
    FROM "anggaran"
    WHERE "level" IN ('program', 'kegiatan')
    GROUP BY "induk"
  )
SELECT *
FROM step_1
ORDER BY "induk" COLLATE "C" ASC NULLS LAST;

-- 48: capaian where kategori(capaian) = "sangat rendah" | count
SELECT COUNT(*) AS "count"
FROM "capaian"
WHERE CASE WHEN "capaian" >= 91 THEN 'Sangat Tinggi' WHEN "capaian" >= 76 THEN 'Tinggi' WHEN "capaian" >= 66 THEN 'Sedang' WHEN "capaian" >= 51 THEN 'Rendah' WHEN "capaian" IS NOT NULL THEN 'Sangat Rendah' END = 'sangat rendah';

-- 52: desa where kabupaten = "tts" | select jumlah
SELECT "jumlah"
FROM "desa"
WHERE "kabupaten" = 'tts';

-- 55: desa where kabupaten = "Jakarta" | count
SELECT COUNT(*) AS "count"
FROM "desa"
WHERE "kabupaten" = 'Jakarta';

-- 60: error: limit on rows in no order does not compile to PostgreSQL: a database returns rows in no set order; sort first, as in | sort KEY | limit 3

-- 69: capaian where sasaran = 2 | count
SELECT COUNT(*) AS "count"
FROM "capaian"
WHERE "sasaran" = 2;
