-- Which issuer or rule each configuration revision changed, so that every replica applies just
-- those changes to its in-memory copy instead of reloading every definition. Kept for a day; a
-- replica further behind (restarted, or cut off that long) reloads everything instead.
create table definition_change (
    revision   bigint      not null primary key,
    kind       varchar(16) not null,
    name       varchar(64) not null,
    changed_at timestamp with time zone not null
);
create index definition_change_changed_at on definition_change (changed_at);
