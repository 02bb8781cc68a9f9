-- H2, the embedded trial database: the audit log stays one table (retention deletes in batches); the
-- same indexes as on PostgreSQL, one per filter of GET /admin/v1/audit, and the rules each event
-- concerns, for the rule filter and a rule's usage.
drop index audit_event_occurred_at;
drop index audit_event_issuer;
create index audit_event_time on audit_event (occurred_at, id);
create index audit_event_kind_time on audit_event (kind, occurred_at, id);
create index audit_event_outcome_time on audit_event (outcome, occurred_at, id);
create index audit_event_issuer_time on audit_event (issuer, occurred_at, id);
create index audit_event_subject_time on audit_event (subject, occurred_at, id);
create index audit_event_target_time on audit_event (target, occurred_at, id);
create index audit_event_token on audit_event (token_id);

create table audit_rule (
    rule        varchar(64) not null,
    occurred_at timestamp with time zone not null,
    event_id    varchar(36) not null,
    outcome     varchar(16) not null,
    primary key (rule, occurred_at, event_id)
);

-- Earlier admin changes of rules; exchanges' matched rules from before this version are not copied
-- (the trial database keeps them in matched_rules only).
insert into audit_rule (rule, occurred_at, event_id, outcome)
select entity_name, occurred_at, id, outcome from audit_event
where kind = 'admin' and entity_type = 'rule' and entity_name is not null;
