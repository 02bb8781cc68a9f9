-- One day of generated audit rows for bench/audit-scale.sh (PostgreSQL, psql variables day = 'YYYY-MM-DD',
-- suffix = YYYYMMDD, rows = how many events, event_check and rule_check = names for two temporary constraints). The rows are what Ferry writes for GitHub Actions exchanges
-- (claims as GitHub sends them, about 1.1 KB of JSON; the decision summary; a token id): 92 % issued, 8 %
-- refused, 1 in 1,000 an admin change; 2,000 owners of 10 repositories each (20,000 subjects), one rule
-- per owner, 200 targets, spread evenly over the day in time order. They go into standalone tables, which
-- are then attached as the day's partitions: PostgreSQL builds each partition's indexes in one pass,
-- much faster than maintaining them row by row.
\set ON_ERROR_STOP on
set maintenance_work_mem = '512MB';
set timezone = 'UTC';

create table audit_event_p:suffix (like audit_event including defaults);
create table audit_rule_p:suffix (like audit_rule including defaults);

insert into audit_event_p:suffix (id, occurred_at, kind, outcome, error, error_description, issuer, subject, claims,
        target, requested_scopes, granted_scopes, matched_rules, decision, token_id, token_expires_at, client_address,
        principal, action, entity_type, entity_name, after_state)
select
    -- a UUID version 7, as Ferry's ids: the millisecond first
    substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 1, 3) || '-a' || substr(r, 4, 3) || '-' || substr(r, 7, 12),
    at,
    case when admin then 'admin' else 'exchange' end,
    case when admin then 'applied' when refused then 'refused' else 'issued' end,
    case when refused and not admin then 'invalid_target' end,
    case when refused and not admin then 'target ''https://deploy.bench.example/ns/' || (owner % 200) || ''' is not granted to this token' end,
    case when admin then null when owner % 20 = 0 then 'internal' when owner % 4 = 0 then 'gitlab' else 'github' end,
    case when not admin then 'repo:org-' || owner || '/app-' || repo || ':ref:refs/heads/main' end,
    case when not admin then json_build_object(
        'jti', r, 'sub', 'repo:org-' || owner || '/app-' || repo || ':ref:refs/heads/main',
        'aud', 'https://ferry.bench.example', 'ref', 'refs/heads/main', 'sha', md5(r) || substr(r, 1, 8),
        'repository', 'org-' || owner || '/app-' || repo, 'repository_owner', 'org-' || owner,
        'actor_id', (g % 5000)::text, 'repository_visibility', 'private',
        'repository_id', (500000 + owner * 10 + repo)::text, 'repository_owner_id', (100000 + owner)::text,
        'run_id', (9000000000 + g)::text, 'run_number', (g % 900)::text, 'run_attempt', '1',
        'runner_environment', 'github-hosted', 'actor', 'dev-' || (g % 5000), 'workflow', 'deploy',
        'head_ref', '', 'base_ref', '', 'event_name', 'push', 'ref_protected', 'true', 'ref_type', 'branch',
        'workflow_ref', 'org-' || owner || '/app-' || repo || '/.github/workflows/deploy.yml@refs/heads/main',
        'workflow_sha', md5(r) || substr(r, 1, 8),
        'job_workflow_ref', 'org-' || owner || '/app-' || repo || '/.github/workflows/deploy.yml@refs/heads/main',
        'job_workflow_sha', md5(r) || substr(r, 1, 8),
        'iss', 'https://token.actions.githubusercontent.com',
        'nbf', extract(epoch from at)::bigint - 5, 'iat', extract(epoch from at)::bigint - 5,
        'exp', extract(epoch from at)::bigint + 295)::text end,
    case when not admin then 'https://deploy.bench.example/ns/' || (owner % 200) end,
    case when not admin then '["deploy"]' end,
    case when not admin and not refused then '["deploy"]' end,
    case when not admin and not refused then '["deploy-org-' || owner || '"]' end,
    case when not admin then '{"rules":[{"rule":"deploy-org-' || owner || '","effect":"allow","enabled":true,"matched":'
        || (not refused)::text || ',"failed":[' || case when refused then '2' else '' end || ']}],"omitted":0}' end,
    case when not admin and not refused then r end,
    case when not admin and not refused then at + interval '10 minutes' end,
    case when not admin then '10.' || (owner % 250) || '.' || repo || '.' || (g % 250) end,
    case when admin then 'bootstrap' end,
    case when admin then 'replace' end,
    case when admin then 'rule' end,
    case when admin then 'deploy-org-' || owner end,
    case when admin then '{"name":"deploy-org-' || owner || '","issuer":"github","effect":"allow"}' end
from (
    select g, at, lpad(to_hex((extract(epoch from at) * 1000)::bigint), 12, '0') as h, md5(:'day' || g) as r,
           (hashint4(g) & 2147483647) % 2000 as owner, (hashint4(g + 7) & 2147483647) % 10 as repo,
           g % 1000 = 999 as admin, g % 100 < 8 as refused
    from (
        select g, timestamptz :'day' + make_interval(secs => g * 86400.0 / :rows) as at
        from generate_series(0, :rows - 1) g
    ) t
) s;

insert into audit_rule_p:suffix (rule, occurred_at, event_id, outcome)
select coalesce(entity_name, 'deploy-org-' || split_part(split_part(subject, 'org-', 2), '/', 1)), occurred_at, id, outcome
from audit_event_p:suffix
where kind = 'admin' or outcome = 'issued';

-- A constraint that proves the range lets the attach skip its scan of the table.
alter table audit_event_p:suffix add constraint :event_check
    check (occurred_at >= timestamptz :'day' and occurred_at < timestamptz :'day' + interval '1 day');
alter table audit_rule_p:suffix add constraint :rule_check
    check (occurred_at >= timestamptz :'day' and occurred_at < timestamptz :'day' + interval '1 day');
alter table audit_event attach partition audit_event_p:suffix
    for values from (timestamptz :'day') to (timestamptz :'day' + interval '1 day');
alter table audit_rule attach partition audit_rule_p:suffix
    for values from (timestamptz :'day') to (timestamptz :'day' + interval '1 day');
alter table audit_event_p:suffix drop constraint :event_check;
alter table audit_rule_p:suffix drop constraint :rule_check;
analyze audit_event_p:suffix;
analyze audit_rule_p:suffix;
