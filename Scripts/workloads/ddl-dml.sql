-- DDL, DML, transactions, ROLLBACK and savepoints over many column types.
-- Used under STATEMENT, ROW and MIXED formats, with and without checksums, compression,
-- row metadata and row images (see Scripts/make-testdata). Everything here is deterministic,
-- so replaying the binlog into an empty server gives the same tables.
SET time_zone = '+00:00';

CREATE DATABASE ddl_dml CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
USE ddl_dml;

CREATE TABLE all_types (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  c_tinyint TINYINT, c_tinyint_u TINYINT UNSIGNED,
  c_smallint SMALLINT, c_smallint_u SMALLINT UNSIGNED,
  c_mediumint MEDIUMINT, c_mediumint_u MEDIUMINT UNSIGNED,
  c_int INT, c_int_u INT UNSIGNED,
  c_bigint BIGINT, c_bigint_u BIGINT UNSIGNED,
  c_float FLOAT, c_double DOUBLE,
  c_decimal DECIMAL(10,2), c_decimal_wide DECIMAL(65,30), c_decimal_int DECIMAL(18,0),
  c_bit1 BIT(1), c_bit17 BIT(17), c_bit64 BIT(64),
  c_date DATE, c_time TIME, c_time6 TIME(6), c_datetime DATETIME, c_datetime3 DATETIME(3),
  c_timestamp TIMESTAMP NULL DEFAULT NULL, c_timestamp6 TIMESTAMP(6) NULL DEFAULT NULL,
  c_year YEAR,
  c_char CHAR(10), c_char_latin1 CHAR(5) CHARACTER SET latin1, c_varchar VARCHAR(300),
  c_varchar_long VARCHAR(1000) CHARACTER SET latin1,
  c_binary BINARY(4), c_varbinary VARBINARY(20),
  c_tinytext TINYTEXT, c_text TEXT, c_mediumtext MEDIUMTEXT, c_longtext LONGTEXT,
  c_tinyblob TINYBLOB, c_blob BLOB, c_mediumblob MEDIUMBLOB, c_longblob LONGBLOB,
  c_enum ENUM('red','green','blue'), c_set SET('a','b','c','d'),
  c_json JSON,
  c_geometry GEOMETRY, c_point POINT, c_polygon POLYGON,
  c_inet4 INET4, c_inet6 INET6, c_uuid UUID
) ENGINE=InnoDB;

INSERT INTO all_types VALUES
  (NULL, -128, 255, -32768, 65535, -8388608, 16777215, -2147483648, 4294967295,
   -9223372036854775808, 18446744073709551615, -1.5, 2.718281828459045,
   -12345678.91, 12345678901234567890123456789012345.123456789012345678901234567890,
   -999999999999999999,
   b'1', b'10101010101010101', b'1111111111111111111111111111111111111111111111111111111111111111',
   '1000-01-01', '-838:59:59', '12:34:56.789012', '9999-12-31 23:59:59', '2024-02-29 12:00:00.123',
   '1970-01-01 00:00:01', '2038-01-19 03:14:07.999999', 1901,
   'char', 'abcde', 'varchar value', REPEAT('L', 1000),
   X'00010203', X'DEADBEEF',
   'tiny text', 'text', 'medium text', 'long text',
   X'01', X'0203', X'040506', X'0708090A',
   'green', 'a,c',
   '{"k": [1, 2.5, "s", null, true], "nested": {"a": {}}}',
   ST_GeomFromText('LINESTRING(0 0, 1 1, 2 1)'), ST_GeomFromText('POINT(1.5 -2.25)'),
   ST_GeomFromText('POLYGON((0 0, 4 0, 4 4, 0 4, 0 0))'),
   '192.0.2.1', '2001:db8::ff00:42:8329', '123e4567-e89b-12d3-a456-426614174000'),
  (NULL, 127, 0, 32767, 0, 8388607, 0, 2147483647, 0,
   9223372036854775807, 0, 3.4e38, -1.7976931348623157e308,
   0.00, -0.000000000000000000000000000001, 0,
   b'0', b'0', b'0',
   '0000-00-00', '00:00:00', '-00:00:00.000001', '0000-00-00 00:00:00', '1999-12-31 23:59:59.999',
   NULL, NULL, 2155,
   '', '', '', '',
   X'00000000', X'',
   '', '', '', '',
   X'', X'', X'', X'',
   'red', '',
   '[]',
   NULL, NULL, NULL,
   '0.0.0.0', '::', '00000000-0000-0000-0000-000000000000'),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL,
   NULL, NULL, NULL,
   NULL, NULL, NULL,
   NULL, NULL, NULL, NULL, NULL,
   NULL, NULL, NULL,
   NULL, NULL, NULL, NULL,
   NULL, NULL,
   NULL, NULL, NULL, NULL,
   NULL, NULL, NULL, NULL,
   NULL, NULL,
   NULL,
   NULL, NULL, NULL,
   NULL, NULL, NULL);

INSERT INTO all_types (c_int, c_varchar, c_enum, c_set, c_decimal, c_datetime3, c_json)
VALUES (1, 'one', 'blue', 'b,d', 1.10, '2020-01-01 00:00:00.001', '{"n": 1}'),
       (2, 'two', 'red', 'a,b,c,d', 2.20, '2020-01-02 00:00:00.002', '{"n": 2}'),
       (3, 'three', NULL, NULL, -3.30, NULL, NULL);

UPDATE all_types SET c_varchar = CONCAT(c_varchar, ' (updated)'), c_int = c_int * 10
  WHERE c_int IN (1, 2, 3);
UPDATE all_types SET c_text = 'new text', c_blob = X'FFFE' WHERE id = 1;
DELETE FROM all_types WHERE c_int = 30;

ALTER TABLE all_types ADD COLUMN c_added INT NOT NULL DEFAULT 7 AFTER c_int,
  MODIFY c_varchar VARCHAR(400);
CREATE INDEX idx_varchar ON all_types (c_varchar(20));
CREATE UNIQUE INDEX idx_int_added ON all_types (c_int, c_added);
INSERT INTO all_types (c_int, c_added, c_varchar) VALUES (4, 8, 'after alter');
DROP INDEX idx_int_added ON all_types;
ALTER TABLE all_types DROP COLUMN c_tinytext;

-- A primary key over a column prefix (table-map metadata PRIMARY_KEY_WITH_PREFIX).
CREATE TABLE prefix_pk (
  name VARCHAR(100) NOT NULL,
  code INT NOT NULL,
  note TEXT,
  PRIMARY KEY (name(10), code)
) ENGINE=InnoDB DEFAULT CHARSET=latin1;
INSERT INTO prefix_pk VALUES ('alpha', 1, 'first'), ('beta', 2, NULL), ('gamma', 3, 'third');
UPDATE prefix_pk SET note = 'second' WHERE name = 'beta';

CREATE TABLE inno (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB;
CREATE TABLE myi (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=MyISAM;

-- A multi-statement transaction.
BEGIN;
INSERT INTO inno VALUES (1, 'one'), (2, 'two'), (3, 'three');
UPDATE inno SET v = 'TWO' WHERE id = 2;
DELETE FROM inno WHERE id = 3;
INSERT INTO inno VALUES (4, 'four');
COMMIT;

-- A rolled-back InnoDB-only transaction: nothing reaches the binlog.
BEGIN;
INSERT INTO inno VALUES (100, 'never');
UPDATE inno SET v = 'never' WHERE id = 1;
ROLLBACK;

-- A rolled-back transaction that also changed a MyISAM table: logged, ending in ROLLBACK.
BEGIN;
INSERT INTO inno VALUES (5, 'rolled back');
INSERT INTO myi VALUES (1, 'kept');
ROLLBACK;

-- Savepoints.
BEGIN;
INSERT INTO inno VALUES (6, 'six');
SAVEPOINT sp1;
INSERT INTO inno VALUES (7, 'seven (undone)');
ROLLBACK TO SAVEPOINT sp1;
INSERT INTO inno VALUES (8, 'eight');
SAVEPOINT sp2;
UPDATE inno SET v = 'EIGHT' WHERE id = 8;
RELEASE SAVEPOINT sp2;
COMMIT;

-- Savepoints with a non-transactional table in the transaction (SAVEPOINT and ROLLBACK TO
-- are then written to the binlog).
BEGIN;
INSERT INTO inno VALUES (9, 'nine');
INSERT INTO myi VALUES (2, 'two');
SAVEPOINT sp3;
INSERT INTO inno VALUES (10, 'ten (undone)');
INSERT INTO myi VALUES (3, 'three (kept)');
ROLLBACK TO SAVEPOINT sp3;
COMMIT;

INSERT INTO inno VALUES (11, 'eleven') ON DUPLICATE KEY UPDATE v = 'dup';
INSERT INTO inno VALUES (11, 'eleven') ON DUPLICATE KEY UPDATE v = 'eleven again';
REPLACE INTO myi VALUES (1, 'replaced');
UPDATE myi SET v = CONCAT(v, '!');
DELETE FROM myi WHERE id = 2;

CREATE TABLE copy_of_inno ENGINE=InnoDB AS SELECT id, v FROM inno WHERE id < 5;
RENAME TABLE copy_of_inno TO inno_copy;
TRUNCATE TABLE inno_copy;
INSERT INTO inno_copy SELECT id, v FROM inno WHERE id > 5 ORDER BY id;

CREATE TABLE dropped (x INT) ENGINE=InnoDB;
INSERT INTO dropped VALUES (1);
DROP TABLE dropped;

CREATE DATABASE scratch CHARACTER SET latin1 COLLATE latin1_german2_ci;
CREATE TABLE scratch.t (x INT);
DROP DATABASE scratch;
