-- XA transactions: two-phase commit, rollback of a prepared branch, one-phase commit,
-- binary xids with format ids (XA_prepare events under ROW and STATEMENT formats).
CREATE DATABASE xa;
USE xa;
CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(40)) ENGINE=InnoDB;

XA START 'xa1';
INSERT INTO t VALUES (1, 'prepared then committed');
UPDATE t SET v = CONCAT(v, '!') WHERE id = 1;
XA END 'xa1';
XA PREPARE 'xa1';
XA COMMIT 'xa1';

XA START 'xa2', 'branch-2', 42;
INSERT INTO t VALUES (2, 'prepared then rolled back');
XA END 'xa2', 'branch-2', 42;
XA PREPARE 'xa2', 'branch-2', 42;
XA ROLLBACK 'xa2', 'branch-2', 42;

XA START 'xa3';
INSERT INTO t VALUES (3, 'one phase');
XA END 'xa3';
XA COMMIT 'xa3' ONE PHASE;

XA START X'0102FF', X'00', 7;
INSERT INTO t VALUES (4, 'binary xid');
XA END X'0102FF', X'00', 7;
XA PREPARE X'0102FF', X'00', 7;
XA COMMIT X'0102FF', X'00', 7;

XA START 'xa5';
INSERT INTO t VALUES (5, 'rolled back before prepare');
XA END 'xa5';
XA ROLLBACK 'xa5';
