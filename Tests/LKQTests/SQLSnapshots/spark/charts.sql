-- SQL for Spark SQL of Tests/LKQTests/Cases/charts.lkq, written by lkq --sql --dialect spark.

-- 4: error: charts (bar, spark) does not compile to Spark SQL: run the query without the chart, or chart it in LKQ

-- 17: error: charts (bar, spark) does not compile to Spark SQL: run the query without the chart, or chart it in LKQ

-- 24: error: charts (bar, spark) does not compile to Spark SQL: run the query without the chart, or chart it in LKQ

-- 37: error: charts (bar, spark) does not compile to Spark SQL: run the query without the chart, or chart it in LKQ

-- 42: error: charts (bar, spark) does not compile to Spark SQL: run the query without the chart, or chart it in LKQ

-- 50: error: charts (bar, spark) does not compile to Spark SQL: run the query without the chart, or chart it in LKQ

-- 53: error: charts (bar, spark) does not compile to Spark SQL: run the query without the chart, or chart it in LKQ

-- 56: error: charts (bar, spark) does not compile to Spark SQL: run the query without the chart, or chart it in LKQ
