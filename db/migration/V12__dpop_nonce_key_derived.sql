-- DPoP nonces (RFC 9449 section 8) are now made with a key every replica derives from
-- ferry.keys.encryption-key (HKDF, RFC 5869), not with a secret stored here: the stored one goes, so
-- nothing in the database lets anyone make nonces. Runs unchanged on H2 and PostgreSQL.
drop table dpop_nonce_key;
