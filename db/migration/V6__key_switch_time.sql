-- A rotation asked for by an operator is not carried out before gateways caching the JWKS can have
-- seen the next key: the time it is due is kept on that key, for whichever replica checks next.
alter table signing_key add column signs_from timestamp with time zone;
