-- FLUSH LOGS between transactions: three binlog files joined by Rotate events.
CREATE DATABASE flush_logs;
USE flush_logs;
CREATE TABLE t (id INT PRIMARY KEY, file INT) ENGINE=InnoDB;
INSERT INTO t VALUES (1, 1), (2, 1);
FLUSH LOGS;
INSERT INTO t VALUES (3, 2);
UPDATE t SET file = 20 WHERE file = 2;
FLUSH BINARY LOGS;
DELETE FROM t WHERE id = 1;
INSERT INTO t VALUES (4, 3);
