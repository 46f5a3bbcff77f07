-- User variables of every type in statements logged under STATEMENT format (User_var events).
SET time_zone = '+00:00';
CREATE DATABASE user_vars;
USE user_vars;
CREATE TABLE t (
  id INT AUTO_INCREMENT PRIMARY KEY,
  s_latin1 VARCHAR(20) CHARACTER SET latin1,
  s_utf8 VARCHAR(40) CHARACTER SET utf8mb4,
  s_bin VARBINARY(10),
  i BIGINT,
  neg BIGINT,
  u BIGINT UNSIGNED,
  r DOUBLE,
  d DECIMAL(30,10),
  dneg DECIMAL(12,6),
  n INT,
  undefined_var VARCHAR(10)
) ENGINE=InnoDB;

SET @s_latin1 = _latin1 X'636166E9';               -- 'café' in latin1
SET @s_utf8 = _utf8mb4 'naïve 日本語 😀';
SET @s_bin = X'00FF10';                             -- binary string
SET @i = 42;
SET @neg = -9223372036854775808;
SET @u = 18446744073709551615;                      -- unsigned, above BIGINT range
SET @r = 1.5e-7;                                    -- double
SET @d = 12345.6789012345;                          -- decimal
SET @dneg = -0.000123;
SET @n = NULL;
INSERT INTO t (s_latin1, s_utf8, s_bin, i, neg, u, r, d, dneg, n, undefined_var)
  VALUES (@s_latin1, @s_utf8, @s_bin, @i, @neg, @u, @r, @d, @dneg, @n, @never_set);

SET @big_r = -1.7976931348623157e308, @zero = 0, @empty = '';
INSERT INTO t (s_utf8, i, r) VALUES (@empty, @zero, @big_r);
UPDATE t SET i = i + @i WHERE s_latin1 = @s_latin1;
DELETE FROM t WHERE s_utf8 = @empty;
