-- SQL for PostgreSQL of Examples/kategori_capaian.lkq, written by lkq --sql --dialect postgres.

-- 5: capaian | group by kategori(capaian) count()
WITH
  step_1 AS (
    SELECT
      CASE WHEN "capaian" >= 91 THEN 'Sangat Tinggi' WHEN "capaian" >= 76 THEN 'Tinggi' WHEN "capaian" >= 66 THEN 'Sedang' WHEN "capaian" >= 51 THEN 'Rendah' WHEN "capaian" IS NOT NULL THEN 'Sangat Rendah' END AS "kategori(capaian)",
      COUNT(*) AS "count"
    FROM "capaian"
    GROUP BY CASE WHEN "capaian" >= 91 THEN 'Sangat Tinggi' WHEN "capaian" >= 76 THEN 'Tinggi' WHEN "capaian" >= 66 THEN 'Sedang' WHEN "capaian" >= 51 THEN 'Rendah' WHEN "capaian" IS NOT NULL THEN 'Sangat Rendah' END
  )
SELECT *
FROM step_1
ORDER BY "kategori(capaian)" COLLATE "C" ASC NULLS LAST;

-- 13: capaian | group by kategori(capaian) as kategori count() as indikator min(capaian) as terendah | sort terendah desc
WITH
  step_1 AS (
    SELECT
      CASE WHEN "capaian" >= 91 THEN 'Sangat Tinggi' WHEN "capaian" >= 76 THEN 'Tinggi' WHEN "capaian" >= 66 THEN 'Sedang' WHEN "capaian" >= 51 THEN 'Rendah' WHEN "capaian" IS NOT NULL THEN 'Sangat Rendah' END AS "kategori",
      COUNT(*) AS "indikator",
      MIN("capaian") AS "terendah"
    FROM "capaian"
    GROUP BY CASE WHEN "capaian" >= 91 THEN 'Sangat Tinggi' WHEN "capaian" >= 76 THEN 'Tinggi' WHEN "capaian" >= 66 THEN 'Sedang' WHEN "capaian" >= 51 THEN 'Rendah' WHEN "capaian" IS NOT NULL THEN 'Sangat Rendah' END
  )
SELECT *
FROM step_1
ORDER BY "terendah" DESC NULLS LAST, "kategori" COLLATE "C" ASC NULLS LAST;

-- 21: capaian where kategori(capaian) ~ "rendah" | select sasaran, no, indikator, capaian, kategori(capaian) as kategori
SELECT
  "sasaran",
  "no",
  "indikator",
  "capaian",
  CASE WHEN "capaian" >= 91 THEN 'Sangat Tinggi' WHEN "capaian" >= 76 THEN 'Tinggi' WHEN "capaian" >= 66 THEN 'Sedang' WHEN "capaian" >= 51 THEN 'Rendah' WHEN "capaian" IS NOT NULL THEN 'Sangat Rendah' END AS "kategori"
FROM "capaian"
WHERE CASE WHEN "capaian" >= 91 THEN 'Sangat Tinggi' WHEN "capaian" >= 76 THEN 'Tinggi' WHEN "capaian" >= 66 THEN 'Sedang' WHEN "capaian" >= 51 THEN 'Rendah' WHEN "capaian" IS NOT NULL THEN 'Sangat Rendah' END ILIKE '%rendah%' ESCAPE '!';
