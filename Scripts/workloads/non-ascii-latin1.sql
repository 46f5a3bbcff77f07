-- This file is latin1-encoded on purpose (it is not UTF-8): the session runs SET NAMES latin1,
-- so the logged statements hold raw latin1 bytes. Runs after non-ascii.sql.
SET NAMES latin1;
USE `café`;
INSERT INTO `données` VALUES (2, 'crème brûlée', 'été à Noël'), (3, '£5 ¿qué? ÿ', NULL);
UPDATE `données` SET `texte_latin1` = CONCAT(`texte_latin1`, ' ½') WHERE `clé` = 2;
SET @latin1_var = 'Grüße';
INSERT INTO `données` VALUES (4, @latin1_var, @latin1_var);
