-- PostgreSQL: what each rule was used for, a day at a time (GET /admin/v1/rules/{name}/usage). Written
-- by the audit log in the same transaction as the exchanges it counts, so the counts are exact; not
-- partitioned and not touched by audit retention (a few rows per rule and day), so a rule's usage
-- outlives the events it was counted from. Days are UTC days.
create table rule_usage (
    rule      varchar(64) not null,
    used_on   date not null,
    outcome   varchar(16) not null,
    exchanges bigint not null,
    first_at  timestamp with time zone not null,
    last_at   timestamp with time zone not null,
    primary key (rule, used_on, outcome)
);

-- The subjects and targets behind those counts: one row per rule, day, outcome and distinct value
-- (kind 'subject' or 'target'; values cut to 512 characters).
create table rule_usage_value (
    rule      varchar(64) not null,
    used_on   date not null,
    outcome   varchar(16) not null,
    kind      varchar(8) not null,
    item      varchar(512) not null,
    exchanges bigint not null,
    first_at  timestamp with time zone not null,
    last_at   timestamp with time zone not null,
    primary key (rule, used_on, outcome, kind, item)
);

-- Backfilled from the audit log as it is now.
insert into rule_usage (rule, used_on, outcome, exchanges, first_at, last_at)
select r.rule, (r.occurred_at at time zone 'UTC')::date, r.outcome, count(*), min(r.occurred_at), max(r.occurred_at)
from audit_rule r
where r.outcome in ('issued', 'refused')
group by r.rule, (r.occurred_at at time zone 'UTC')::date, r.outcome;

insert into rule_usage_value (rule, used_on, outcome, kind, item, exchanges, first_at, last_at)
select r.rule, (r.occurred_at at time zone 'UTC')::date, r.outcome, v.kind, left(v.item, 512),
       count(*), min(r.occurred_at), max(r.occurred_at)
from audit_rule r
join audit_event e on e.id = r.event_id and e.occurred_at = r.occurred_at
cross join lateral (values ('subject', e.subject), ('target', e.target)) as v(kind, item)
where r.outcome in ('issued', 'refused') and v.item is not null
group by r.rule, (r.occurred_at at time zone 'UTC')::date, r.outcome, v.kind, left(v.item, 512);
