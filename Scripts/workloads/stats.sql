-- For `binlog stats`: rows in tables of two databases (multi-row inserts, updates and deletes of
-- many rows, NULLs, JSON, BLOB, DECIMAL, fractional DATETIME, SET and ENUM columns), a transaction
-- whose events are 100 seconds apart (SET TIMESTAMP inside it: long-running), changes logged as
-- statements inside a ROW binlog, among them a rollback the binlog keeps (a MyISAM change cannot
-- be undone), and compressed rows events once log_bin_compress is turned on.
CREATE DATABASE shop;
USE shop;
CREATE TABLE items (
    id INT PRIMARY KEY,
    name VARCHAR(40),
    price DECIMAL(10,2),
    note TEXT,
    data JSON,
    added DATETIME(3),
    flags SET('a','b','c'),
    kind ENUM('x','y')
) ENGINE=InnoDB;
CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, msg VARCHAR(200)) ENGINE=MyISAM;

INSERT INTO items VALUES
    (1, 'one', 1.50, NULL, '{"a": 1}', '2030-01-01 00:00:00.123', 'a,b', 'x'),
    (2, 'two', 2.25, 'a note', NULL, NULL, '', 'y'),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO items SELECT seq + 10, CONCAT('gen ', seq), seq / 3, REPEAT('n', seq), NULL, NULL, 'c', 'y'
    FROM seq_1_to_200;
UPDATE items SET price = price * 2 WHERE id > 110;
DELETE FROM items WHERE id BETWEEN 150 AND 160;

-- 2030-01-01 00:00:00 UTC, then 100 seconds later inside the same transaction.
SET TIMESTAMP = 1893456000;
BEGIN;
INSERT INTO items (id, name) VALUES (1000, 'long');
SET TIMESTAMP = 1893456100;
UPDATE items SET name = 'long, later' WHERE id = 1000;
COMMIT;
SET TIMESTAMP = DEFAULT;

SET SESSION binlog_format = STATEMENT;
INSERT INTO audit (msg) VALUES ('statement one');
UPDATE audit SET msg = CONCAT(msg, '!') WHERE id = 1;
-- Logged as BEGIN, both statements, ROLLBACK (in ROW format the MyISAM row would be logged as a
-- transaction of its own and the InnoDB one not at all).
BEGIN;
INSERT INTO items (id, name) VALUES (2000, 'rolled back');
INSERT INTO audit (msg) VALUES ('kept: MyISAM does not roll back');
ROLLBACK;
SET SESSION binlog_format = ROW;

CREATE DATABASE other;
CREATE TABLE other.t (a INT, b BLOB) ENGINE=InnoDB;
INSERT INTO other.t VALUES (1, REPEAT('x', 1000)), (2, NULL);

SET GLOBAL log_bin_compress = ON;
INSERT INTO other.t SELECT seq, REPEAT('y', 500) FROM seq_3_to_50;
UPDATE other.t SET b = REPEAT('z', 300) WHERE a < 20;
DELETE FROM other.t WHERE a > 40;
SET GLOBAL log_bin_compress = OFF;

TRUNCATE TABLE shop.audit;
DROP TABLE other.t;
