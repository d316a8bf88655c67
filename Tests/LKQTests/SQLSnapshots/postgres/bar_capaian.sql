-- SQL for PostgreSQL of Examples/bar_capaian.lkq, written by lkq --sql --dialect postgres.

-- 6: error: charts (bar, spark) does not compile to PostgreSQL: run the query without the chart, or chart it in LKQ
