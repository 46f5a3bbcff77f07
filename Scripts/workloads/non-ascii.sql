-- Non-ASCII identifiers and data: utf8mb4 (emoji included) and latin1 columns.
-- non-ascii-latin1.sql continues in a latin1 client session.
SET NAMES utf8mb4;
CREATE DATABASE `café` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
USE `café`;
CREATE TABLE `表` (
  `列` INT PRIMARY KEY,
  `naïve` VARCHAR(50) CHARACTER SET utf8mb4,
  `latin` VARCHAR(50) CHARACTER SET latin1,
  `couleur` ENUM('rouge', 'été', '緑') CHARACTER SET utf8mb4,
  `ensemble` SET('α', 'β', 'γ') CHARACTER SET utf8mb4
) ENGINE=InnoDB;
INSERT INTO `表` VALUES
  (1, '日本語テキスト 😀🎉', 'café crème', 'été', 'α,γ'),
  (2, 'Ünïcödé ñ ß', 'Müller', '緑', 'β'),
  (3, '𝄞 music, 🏳️‍🌈 flag', 'naïve façade', 'rouge', '');
UPDATE `表` SET `naïve` = CONCAT(`naïve`, ' ✓') WHERE `列` = 2;
CREATE TABLE `Ωmega_таблица` (`ключ` INT PRIMARY KEY, `値` VARCHAR(20)) ENGINE=InnoDB;
INSERT INTO `Ωmega_таблица` VALUES (1, 'один'), (2, '二');
DELETE FROM `Ωmega_таблица` WHERE `ключ` = 1;
-- A table whose names are representable in latin1, filled from the latin1 session too.
CREATE TABLE `données` (
  `clé` INT PRIMARY KEY,
  `texte_latin1` VARCHAR(40) CHARACTER SET latin1,
  `texte_utf8` VARCHAR(40) CHARACTER SET utf8mb4
) ENGINE=InnoDB;
INSERT INTO `données` VALUES (1, 'déjà vu', 'déjà vu 🙂');
