-- A small ROW workload after which the server is killed with SIGKILL instead of shut down,
-- so the binlog has no Stop event and its Format_description event still carries the
-- "in use" flag (LOG_EVENT_BINLOG_IN_USE_F), as for a file copied from a live server.
CREATE DATABASE in_use;
USE in_use;
CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;
INSERT INTO t VALUES (1, 'one'), (2, 'two');
UPDATE t SET v = 'TWO' WHERE id = 2;
DELETE FROM t WHERE id = 1;
