-- SQL for DuckDB of Examples/spark_tren.lkq, written by lkq --sql --dialect duckdb.

-- 7: error: charts (bar, spark) does not compile to DuckDB: run the query without the chart, or chart it in LKQ
