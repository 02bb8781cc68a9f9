-- Admin writes are audited beside exchanges: who did what to which definition, before and after.
alter table audit_event add column principal varchar(1024);
alter table audit_event add column action varchar(32);
alter table audit_event add column entity_type varchar(16);
alter table audit_event add column entity_name varchar(64);
alter table audit_event add column before_state text;
alter table audit_event add column after_state text;
create index audit_event_issuer on audit_event (issuer, occurred_at);
