-- A revocation by rule records the reason "rule:<rule name>": up to 69 characters, as rule names
-- may have 64. varchar(64) refused the longest ones.
alter table revoked_token alter column reason set data type varchar(80);
