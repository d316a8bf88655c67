-- SQL for DuckDB of Examples/bar_capaian.lkq, written by lkq --sql --dialect duckdb.

-- 6: error: charts (bar, spark) does not compile to DuckDB: run the query without the chart, or chart it in LKQ
