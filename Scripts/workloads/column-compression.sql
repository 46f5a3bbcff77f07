-- MariaDB column compression (10.3+): VARCHAR/VARBINARY ... COMPRESSED are type 141 in row
-- events, BLOB/TEXT ... COMPRESSED type 140. Values shorter than the compression threshold are
-- stored with a 0x00 header byte; longer ones as 0x80-flagged deflate data. Ordinary character
-- columns follow the compressed ones, so a charset entry counted for them or not shows.
CREATE DATABASE compression CHARACTER SET utf8mb4;
USE compression;
CREATE TABLE c (
  id INT PRIMARY KEY,
  v VARCHAR(300) COMPRESSED CHARACTER SET latin1,
  w VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
  vb VARBINARY(2000) COMPRESSED,
  tt TINYTEXT COMPRESSED CHARACTER SET ascii,
  t TEXT COMPRESSED,
  mb MEDIUMBLOB COMPRESSED,
  lt LONGTEXT COMPRESSED CHARACTER SET utf8mb4,
  u CHAR(3) CHARACTER SET utf16
) ENGINE=InnoDB;
INSERT INTO c VALUES
  (1, REPEAT('abc', 100), 'é', REPEAT(X'00FF', 500), 'short', REPEAT('text ', 200),
   REPEAT(X'DEADBEEF', 4000), REPEAT('😀 naïve ', 3000), 'ab'),
  (2, 'x', '', X'', '', NULL, X'00', 'ü', NULL),
  (3, NULL, NULL, NULL, NULL, '', NULL, NULL, '');
BEGIN;
UPDATE c SET v = CONCAT(LEFT(v, 290), 'dd'), t = 'now short' WHERE id = 1;
UPDATE c SET v = REPEAT('y', 299), lt = 'tiny' WHERE id = 2;
DELETE FROM c WHERE id = 3;
COMMIT;
