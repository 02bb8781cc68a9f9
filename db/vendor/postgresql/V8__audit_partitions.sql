-- PostgreSQL: the audit log, partitioned by day, so that retention drops a day's rows as one partition
-- (no long DELETE, no bloat) and queries on a time range read only its days. Day partitions are
-- created a week ahead by Ferry (every replica, at start-up and hourly) and detached concurrently and
-- dropped by retention. There is no default partition: one would forbid detaching concurrently (and so
-- stall inserts while a day is dropped). An existing audit table becomes one partition, covering
-- everything before tomorrow: on a large table this first start takes a while (its primary key is
-- rebuilt to include the time); retention then deletes its rows in batches.

alter table audit_event rename to audit_event_legacy;
alter table audit_event_legacy drop constraint audit_event_pkey;
alter index audit_event_occurred_at rename to audit_event_legacy_occurred_at;
alter index audit_event_issuer rename to audit_event_legacy_issuer;
alter table audit_event_legacy add constraint audit_event_legacy_pkey primary key (id, occurred_at);

create table audit_event (
    id                varchar(36)   not null,
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
    client_address    varchar(64),
    principal         varchar(1024),
    action            varchar(32),
    entity_type       varchar(16),
    entity_name       varchar(64),
    before_state      text,
    after_state       text,
    primary key (id, occurred_at)
) partition by range (occurred_at);

-- One index per filter of GET /admin/v1/audit, each ending in the keyset order (occurred_at, id).
create index audit_event_time on audit_event (occurred_at, id);
create index audit_event_kind_time on audit_event (kind, occurred_at, id);
create index audit_event_outcome_time on audit_event (outcome, occurred_at, id);
create index audit_event_issuer_time on audit_event (issuer, occurred_at, id);
create index audit_event_subject_time on audit_event (subject, occurred_at, id);
create index audit_event_target_time on audit_event (target, occurred_at, id);
create index audit_event_token on audit_event (token_id);

-- Which rules each event concerns (matched, for an exchange; changed, for an admin event): the rule
-- filter and a rule's usage read this, in time order, instead of every event's matched_rules text.
create table audit_rule (
    rule        varchar(64) not null,
    occurred_at timestamp with time zone not null,
    event_id    varchar(36) not null,
    outcome     varchar(16) not null,
    primary key (rule, occurred_at, event_id)
) partition by range (occurred_at);

create table audit_rule_legacy (like audit_rule including all);

insert into audit_rule_legacy (rule, occurred_at, event_id, outcome)
select distinct r.rule, e.occurred_at, e.id, e.outcome
from audit_event_legacy e
cross join lateral jsonb_array_elements_text(coalesce(nullif(e.matched_rules, ''), '[]')::jsonb) as r(rule)
where e.kind = 'exchange'
union
select e.entity_name, e.occurred_at, e.id, e.outcome
from audit_event_legacy e
where e.kind = 'admin' and e.entity_type = 'rule' and e.entity_name is not null;

do $$
declare
    tomorrow timestamptz := date_trunc('day', now() at time zone 'utc') at time zone 'utc' + interval '1 day';
begin
    execute format('alter table audit_event attach partition audit_event_legacy for values from (minvalue) to (%L)', tomorrow);
    execute format('alter table audit_rule attach partition audit_rule_legacy for values from (minvalue) to (%L)', tomorrow);
    for day in 0..7 loop
        execute format('create table audit_event_p%s partition of audit_event for values from (%L) to (%L)',
            to_char(tomorrow + day * interval '1 day', 'YYYYMMDD'), tomorrow + day * interval '1 day',
            tomorrow + (day + 1) * interval '1 day');
        execute format('create table audit_rule_p%s partition of audit_rule for values from (%L) to (%L)',
            to_char(tomorrow + day * interval '1 day', 'YYYYMMDD'), tomorrow + day * interval '1 day',
            tomorrow + (day + 1) * interval '1 day');
    end loop;
end $$;
