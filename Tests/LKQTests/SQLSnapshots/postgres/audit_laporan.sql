-- SQL for PostgreSQL of Examples/audit_laporan.lkq, written by lkq --sql --dialect postgres.

-- 6: error: charts (bar, spark) does not compile to PostgreSQL: run the query without the chart, or chart it in LKQ

-- 10: error: charts (bar, spark) does not compile to PostgreSQL: run the query without the chart, or chart it in LKQ

-- 15: error: charts (bar, spark) does not compile to PostgreSQL: run the query without the chart, or chart it in LKQ

-- 65: klaim where id = "K004" | select klaim, sumber, nilai, query
SELECT "klaim", "sumber", "nilai", "query"
FROM "klaim"
WHERE "id" = 'K004';

-- 68: capaian where sasaran = 1 | avg capaian
SELECT CAST(AVG(CAST("capaian" AS NUMERIC)) AS DOUBLE PRECISION) AS "avg_capaian"
FROM "capaian"
WHERE "sasaran" = 1;
