-- The linter codes a rule's author has acknowledged, each with a reason (a JSON array of
-- {"code", "reason"}): ferry.lint.refuse does not refuse a rule for a code it acknowledges.
-- Null on rules written before; read as none.
alter table trust_rule add column acknowledged text;
