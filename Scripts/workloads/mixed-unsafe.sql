-- Statements that MIXED format logs in row format because they are unsafe for statement
-- logging, next to safe ones it logs as statements. Runs after ddl-dml.sql.
SET time_zone = '+00:00';
USE ddl_dml;
CREATE TABLE mixed (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64), n INT) ENGINE=InnoDB;
-- Safe: logged as a statement.
INSERT INTO mixed (v, n) VALUES ('statement', 1);
-- UUID() and SYSDATE() are unsafe: logged as rows.
INSERT INTO mixed (v, n) VALUES (UUID(), 2);
INSERT INTO mixed (v, n) VALUES (CAST(SYSDATE(6) AS CHAR), 3);
-- UPDATE with LIMIT and no ORDER BY is unsafe: logged as rows.
UPDATE mixed SET n = n + 100 LIMIT 1;
-- Safe again.
UPDATE mixed SET n = n + 1000 WHERE id = 1;
DELETE FROM mixed WHERE n = 3;
