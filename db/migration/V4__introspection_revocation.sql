-- Clients allowed to call POST /introspect (RFC 7662). Secrets are kept only as slow hashes.
create table introspection_client (
    id          varchar(64)  not null primary key,
    description varchar(256),
    secret_hash varchar(255) not null,
    created_at  timestamp with time zone not null
);

-- Revoked Ferry tokens, by jti, kept until the token would have expired anyway.
create table revoked_token (
    jti        varchar(64) not null primary key,
    expires_at timestamp with time zone not null,
    revoked_at timestamp with time zone not null,
    reason     varchar(64) not null
);
create index revoked_token_expires_at on revoked_token (expires_at);

-- "Every token of this upstream subject issued before T is revoked", kept for ferry.token.max-ttl.
create table subject_revocation (
    id             varchar(36)   not null primary key,
    issuer         varchar(64)   not null,
    subject        varchar(1024) not null,
    revoked_before timestamp with time zone not null,
    expires_at     timestamp with time zone not null
);
create index subject_revocation_subject on subject_revocation (issuer, subject);
