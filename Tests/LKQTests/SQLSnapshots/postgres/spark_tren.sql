-- SQL for PostgreSQL of Examples/spark_tren.lkq, written by lkq --sql --dialect postgres.

-- 7: error: charts (bar, spark) does not compile to PostgreSQL: run the query without the chart, or chart it in LKQ
