-- Statements over 1 MiB: an INSERT whose string literal is 1,088,000 bytes.
-- The statement is built with PREPARE so this file stays small; the binlog holds the
-- full statement text (STATEMENT format) or an Annotate_rows event and a rows event of
-- that size (ROW format). The server runs with max_allowed_packet=64M.
CREATE DATABASE big;
USE big;
CREATE TABLE t (id INT PRIMARY KEY, body LONGTEXT) ENGINE=InnoDB;
INSERT INTO t VALUES (1, 'small row before');
SET @q = CONCAT('INSERT INTO t VALUES (2, ''', REPEAT('0123456789abcdef', 68000), ''')');
PREPARE big_insert FROM @q;
EXECUTE big_insert;
DEALLOCATE PREPARE big_insert;
INSERT INTO t VALUES (3, 'small row after');
