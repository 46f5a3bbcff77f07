-- Runs after temp-tables.sql under MIXED format only: an unsafe statement (UUID()) that
-- reads a temporary table, which MIXED logs in row format while the temporary-table
-- statements around it stay statements. (Under STATEMENT format it would not replay.)
USE temp_tables;
CREATE TEMPORARY TABLE tmp2 (id INT) ENGINE=InnoDB;
INSERT INTO tmp2 VALUES (40), (41);
INSERT INTO real_t SELECT id, LEFT(UUID(), 8) FROM tmp2 ORDER BY id;
UPDATE tmp2 SET id = id + 10;
INSERT INTO real_t SELECT id, 'after row-logged' FROM tmp2 ORDER BY id;
DROP TEMPORARY TABLE tmp2;
