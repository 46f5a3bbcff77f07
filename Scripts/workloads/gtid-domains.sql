-- GTIDs in two domains and from two server ids; after FLUSH LOGS the Gtid_list event
-- of the new file lists both domains.
CREATE DATABASE gtid_domains;
USE gtid_domains;
CREATE TABLE t (id INT PRIMARY KEY, src VARCHAR(40)) ENGINE=InnoDB;
INSERT INTO t VALUES (1, 'domain 0, server 1');
SET SESSION gtid_domain_id = 2;
INSERT INTO t VALUES (2, 'domain 2, server 1');
SET SESSION server_id = 2;
INSERT INTO t VALUES (3, 'domain 2, server 2');
SET SESSION gtid_seq_no = 100;
INSERT INTO t VALUES (4, 'domain 2, server 2, seq 100');
FLUSH LOGS;
SET SESSION gtid_domain_id = 0, server_id = 1;
INSERT INTO t VALUES (5, 'domain 0 again');
SET SESSION gtid_domain_id = 3, server_id = 3;
CREATE TABLE t3 (x INT) ENGINE=InnoDB;
INSERT INTO t3 VALUES (3);
FLUSH LOGS;
SET SESSION gtid_domain_id = 0, server_id = 1;
INSERT INTO t VALUES (6, 'third file');
