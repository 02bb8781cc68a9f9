-- Ferry core schema. Runs unchanged on H2 (embedded default) and PostgreSQL.
-- JSON-valued columns are stored as text so both databases read them the same way.

create table issuer (
    name                  varchar(64)   not null primary key,
    type                  varchar(16)   not null,
    issuer_url            varchar(2048) not null,
    jwks_uri              varchar(2048),
    jwks                  text,
    accepted_audiences    text          not null,
    algorithms            text          not null,
    clock_skew_seconds    integer       not null,
    max_token_age_seconds integer,
    replay_protection     boolean       not null,
    claim_mappings        text          not null,
    enabled               boolean       not null,
    version               bigint        not null,
    created_at            timestamp with time zone not null,
    updated_at            timestamp with time zone not null,
    constraint issuer_url_unique unique (issuer_url)
);

create table trust_rule (
    name        varchar(64)   not null primary key,
    issuer      varchar(64)   not null references issuer (name),
    description varchar(1024),
    effect      varchar(8)    not null,
    conditions  text          not null,
    targets     text          not null,
    scopes      text          not null,
    ttl_seconds integer,
    enabled     boolean       not null,
    version     bigint        not null,
    created_at  timestamp with time zone not null,
    updated_at  timestamp with time zone not null
);
create index trust_rule_issuer on trust_rule (issuer);

-- Bumped in the same transaction as every issuer or rule write; each replica polls it to know
-- when to reload its in-memory copy of issuers and rules.
create table config_revision (
    id       integer not null primary key,
    revision bigint  not null
);
insert into config_revision (id, revision) values (1, 0);

-- Ferry's own signing keys. The private JWK is AES-256-GCM encrypted (base64 of nonce || ciphertext),
-- with the key id as associated data.
create table signing_key (
    kid                   varchar(64) not null primary key,
    algorithm             varchar(16) not null,
    state                 varchar(16) not null,
    public_jwk            text        not null,
    private_jwk_encrypted text        not null,
    created_at            timestamp with time zone not null,
    activated_at          timestamp with time zone,
    retired_at            timestamp with time zone
);

-- Rows locked with SELECT ... FOR UPDATE so that only one replica at a time creates or rotates keys.
create table ferry_lock (
    name varchar(64) not null primary key
);
insert into ferry_lock (name) values ('signing-keys');

-- What happened: every token exchange, issued or refused. Never the token itself.
create table audit_event (
    id                varchar(36)   not null primary key,
    occurred_at       timestamp with time zone not null,
    kind              varchar(16)   not null,
    outcome           varchar(16)   not null,
    error             varchar(64),
    error_description varchar(1024),
    detail            text,
    issuer            varchar(64),
    subject           varchar(1024),
    claims            text,
    target            varchar(2048),
    requested_scopes  text,
    granted_scopes    text,
    matched_rules     text,
    decision          text,
    token_id          varchar(64),
    token_expires_at  timestamp with time zone,
    client_address    varchar(64)
);
create index audit_event_occurred_at on audit_event (occurred_at);

-- Subject-token ids already exchanged, for issuers with replay protection. Kept until the token expires.
create table subject_token_use (
    issuer     varchar(64)  not null,
    jti        varchar(255) not null,
    expires_at timestamp with time zone not null,
    primary key (issuer, jti)
);
create index subject_token_use_expires_at on subject_token_use (expires_at);
