-- SQL for PostgreSQL of Tests/LKQTests/Cases/sql_habits.lkq, written by lkq --sql --dialect postgres.

-- 2: error: 'order' is SQL; in LKQ write sort COLUMN [desc]

-- 4: error: 'top' is SQL; in LKQ write sort COLUMN desc | limit N

-- 6: error: 'having' is SQL; in LKQ write a '| where' stage after 'group by'

-- 8: error: 'like' is SQL; in LKQ write '~' for a case-insensitive contains, or starts_with(s, p) / ends_with(s, p)

-- 10: error: 'count(*)' is SQL; in LKQ write count()

-- 12: error: 'order by' is SQL; in LKQ write sort KEY [desc]

-- 14: error: 'partition by' is SQL; in LKQ write by KEY

-- 16: error: 'filter' is SQL; in LKQ write where CONDITION

-- 20: capaian | count
SELECT COUNT(*) AS "count"
FROM "capaian";
