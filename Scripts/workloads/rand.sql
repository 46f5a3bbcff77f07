-- RAND() under STATEMENT format (Rand events carrying the seeds).
CREATE DATABASE rand_seed;
USE rand_seed;
CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, r DOUBLE) ENGINE=InnoDB;
INSERT INTO t (r) VALUES (RAND());
INSERT INTO t (r) VALUES (RAND()), (RAND());
UPDATE t SET r = r + RAND() WHERE id = 1;
INSERT INTO t (r) VALUES (RAND(42));                  -- seeded: no Rand event needed
