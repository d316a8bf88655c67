-- SQL for PostgreSQL of Tests/LKQTests/Cases/errors.lkq, written by lkq --sql --dialect postgres.

-- 3: error: unknown column 'sasran' in capaian; did you mean 'sasaran'?

-- 6: capaian | count
SELECT COUNT(*) AS "count"
FROM "capaian";

-- 10: error: unknown table 'capaan'; did you mean 'capaian'?

-- 13: error: 'filter' is SQL; in LKQ write where CONDITION

-- 16: error: cannot apply '>' to text and an integer

-- 19: error: unexpected character '@'

-- 22: error: sum() is an aggregate; use it after 'group by' or as a stage ('| sum col')

-- 25: error: column 'sasaran' appears twice; rename one with 'as'

-- 28: error: 'sum' needs a number, not text

-- 31: desa | avg
SELECT CAST(AVG("jumlah") AS DOUBLE PRECISION) AS "avg_jumlah"
FROM "desa";

-- 35: error: limit needs a whole number of rows, not '1.5'

-- 38: error: 'desa' is a table; choose another name for the let

-- 44: error: expected ')' to close '(' at 42:15
