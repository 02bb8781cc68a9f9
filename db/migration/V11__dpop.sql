-- DPoP (RFC 9449): proofs at POST /token, and what they leave behind. Runs unchanged on H2 and PostgreSQL.

-- DPoP proofs already presented, by the RFC 7638 thumbprint of their key and the SHA-256 (base64url) of
-- their jti: each is accepted once (RFC 9449 section 11.1), on whichever replica. Kept until the proof is too
-- old for any replica to accept (its iat plus ferry.dpop.proof-max-age, plus ferry.replicas.clock-skew).
create table dpop_proof_use (
    jkt        varchar(64) not null,
    jti_hash   varchar(64) not null,
    expires_at timestamp with time zone not null,
    primary key (jkt, jti_hash)
);
create index dpop_proof_use_expires_at on dpop_proof_use (expires_at);

-- The secret every replica computes and checks DPoP-Nonce values with (RFC 9449 section 8): one row,
-- written by the first replica that needs it (base64 of 32 random bytes).
create table dpop_nonce_key (
    id     integer     not null primary key,
    secret varchar(64) not null
);

-- The RFC 7638 thumbprint of the key of the valid DPoP proof an exchange carried: for an issued token,
-- the key it is bound to (its cnf.jkt). Null when there was no valid proof.
alter table audit_event add column dpop_jkt varchar(64);

-- A rule may require a DPoP proof (docs/rules.md, requireDpop): without one, an exchange it would grant
-- is refused. Rules written before require none.
alter table trust_rule add column require_dpop boolean default false not null;
