-- LOAD DATA INFILE under STATEMENT format (Begin_load_query, Append_block, Execute_load_query).
-- @FILES_DIR@ is replaced by the server's secure_file_priv directory, where make-testdata
-- writes load.tsv (68 KB, 3000 rows; with read_buffer_size=8192 it is logged in 16 KB blocks)
-- and small.csv (one block only).
CREATE DATABASE load_data;
USE load_data;
CREATE TABLE t (id INT PRIMARY KEY, name VARCHAR(40), amount DECIMAL(10,2)) ENGINE=InnoDB;
LOAD DATA INFILE '@FILES_DIR@/load.tsv' INTO TABLE t;
CREATE TABLE t2 (a INT PRIMARY KEY, b VARCHAR(20), c VARCHAR(20)) ENGINE=InnoDB;
LOAD DATA INFILE '@FILES_DIR@/small.csv' REPLACE INTO TABLE t2
  CHARACTER SET utf8mb4
  FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"'
  LINES TERMINATED BY '\n'
  IGNORE 1 LINES
  (a, @b, c) SET b = UPPER(@b);
