-- SQL for DuckDB of Tests/LKQTests/Cases/filters.lkq, written by lkq --sql --dialect duckdb.

-- 4: capaian where sasaran=2 and < 75 | select no, capaian
SELECT "no", "capaian"
FROM "capaian"
WHERE ("sasaran" = 2) AND ("capaian" < 75);

-- 10: CAPAIAN WHERE Sasaran = 1 AND Capaian >= 100 | SELECT No
SELECT "no"
FROM "capaian"
WHERE ("sasaran" = 1) AND ("capaian" >= 100);

-- 17: capaian where not sasaran = 1 and capaian > 80 or no = "1a" | select sasaran, no
SELECT "sasaran", "no"
FROM "capaian"
WHERE ((NOT COALESCE("sasaran" = 1, FALSE)) AND ("capaian" > 80)) OR ("no" = '1a');

-- 22: capaian where not (sasaran = 1 and capaian > 80) | count
SELECT COUNT(*) AS "count"
FROM "capaian"
WHERE NOT COALESCE(("sasaran" = 1) AND ("capaian" > 80), FALSE);

-- 27: desa where kecamatan = 6 | count
SELECT COUNT(*) AS "count"
FROM "desa"
WHERE "kecamatan" = 6;

-- 30: desa where kecamatan != 12 and kecamatan <> 6 | count
SELECT COUNT(*) AS "count"
FROM "desa"
WHERE ("kecamatan" <> 12) AND ("kecamatan" <> 6);

-- 33: desa where kelurahan <= 0 | select kabupaten
SELECT "kabupaten"
FROM "desa"
WHERE "kelurahan" <= 0;

-- 37: desa where desa > 250 or kelurahan >= 51 | select kabupaten
SELECT "kabupaten"
FROM "desa"
WHERE ("desa" > 250) OR ("kelurahan" >= 51);

-- 44: anggaran | where level = 'program' | where persen < 60 | select kode, persen
SELECT "kode", "persen"
FROM "anggaran"
WHERE ("level" = 'program') AND ("persen" < 60);
