-- Statements at known, distinct times (SET TIMESTAMP sets the event headers' time), from two
-- server ids, in row and statement format: for --start-datetime, --stop-datetime, --server-id.
-- The times are in 2030, after the server's own events at the start of the file (written at
-- the real time), so a start datetime skips those.
-- 2029-12-31 23:00 UTC
SET TIMESTAMP = 1893452400;
CREATE DATABASE times;
USE times;
CREATE TABLE t (id INT PRIMARY KEY, note VARCHAR(40)) ENGINE=InnoDB;
-- 2030-01-01 00:00:00 UTC
SET TIMESTAMP = 1893456000;
INSERT INTO t VALUES (1, 'midnight');
-- 01:00
SET TIMESTAMP = 1893459600;
INSERT INTO t VALUES (2, 'one');
-- 02:00, two statements in one transaction
SET TIMESTAMP = 1893463200;
BEGIN;
UPDATE t SET note = 'one, updated' WHERE id = 2;
INSERT INTO t VALUES (3, 'two');
COMMIT;
-- 03:00 from server id 2
SET SESSION server_id = 2;
SET TIMESTAMP = 1893466800;
INSERT INTO t VALUES (4, 'three, server 2');
SET SESSION server_id = 1;
-- 04:00 in statement format
SET SESSION binlog_format = STATEMENT;
SET TIMESTAMP = 1893470400;
INSERT INTO t VALUES (5, 'four, statement');
SET SESSION binlog_format = ROW;
-- 00:30: the clock goes back
SET TIMESTAMP = 1893457800;
DELETE FROM t WHERE id = 1;
-- 05:00
SET TIMESTAMP = 1893474000;
INSERT INTO t VALUES (6, 'five');
SET TIMESTAMP = DEFAULT;
