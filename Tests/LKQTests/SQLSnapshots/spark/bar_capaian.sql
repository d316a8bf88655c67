-- SQL for Spark SQL of Examples/bar_capaian.lkq, written by lkq --sql --dialect spark.

-- 6: error: charts (bar, spark) does not compile to Spark SQL: run the query without the chart, or chart it in LKQ
