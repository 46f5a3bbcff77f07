-- Temporary tables (used under STATEMENT and MIXED formats).
CREATE DATABASE temp_tables;
USE temp_tables;
CREATE TABLE real_t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;
CREATE TEMPORARY TABLE tmp (id INT, v VARCHAR(20)) ENGINE=InnoDB;
INSERT INTO tmp VALUES (1, 'one'), (2, 'two');
INSERT INTO real_t SELECT id, v FROM tmp ORDER BY id;
UPDATE tmp SET v = 'zwei' WHERE id = 2;
INSERT INTO real_t SELECT id + 10, v FROM tmp ORDER BY id;
DROP TEMPORARY TABLE tmp;
CREATE TEMPORARY TABLE tmp_myisam (id INT) ENGINE=MyISAM;
INSERT INTO tmp_myisam VALUES (20), (21);
INSERT INTO real_t SELECT id, 'from myisam tmp' FROM tmp_myisam ORDER BY id;
-- Left open: the server logs DROP TEMPORARY TABLE IF EXISTS when the session ends.
CREATE TEMPORARY TABLE left_open (x INT);
INSERT INTO left_open VALUES (1);
INSERT INTO real_t SELECT x + 30, 'from left_open' FROM left_open;
