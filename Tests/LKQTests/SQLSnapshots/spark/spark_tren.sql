-- SQL for Spark SQL of Examples/spark_tren.lkq, written by lkq --sql --dialect spark.

-- 7: error: charts (bar, spark) does not compile to Spark SQL: run the query without the chart, or chart it in LKQ
