-- Audited exchanges for bench/impact.sh (PostgreSQL, psql variables rows = how many, days = over how many
-- days back from now, owners = how many owners the rules name). Rows as Ferry writes them for GitHub
-- exchanges of issuer 'bench' (LoadFixtures' issuer): claims as GitHub sends them (about 1.1 KB of JSON),
-- target https://deploy.bench.example, scope deploy. Owner k (100000 + k) of a rule's range is granted by
-- rule deploy-<k>; one exchange in ten comes from an owner no rule names and was refused. Spread evenly
-- over the window, newest now; they land in whichever partition covers their day.
\set ON_ERROR_STOP on
set timezone = 'UTC';

insert into audit_event (id, occurred_at, kind, outcome, error, error_description, issuer, subject, claims,
        target, requested_scopes, granted_scopes, matched_rules, token_id, token_expires_at, client_address)
select
    substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || substr(r, 1, 3) || '-a' || substr(r, 4, 3) || '-' || substr(r, 7, 12),
    at,
    'exchange',
    case when refused then 'refused' else 'issued' end,
    case when refused then 'invalid_request' end,
    case when refused then 'no trust rule of issuer ''bench'' admits this token' end,
    'bench',
    'repo:owner-' || owner || '/app:ref:refs/heads/main',
    json_build_object(
        'jti', r, 'sub', 'repo:owner-' || owner || '/app:ref:refs/heads/main',
        'aud', 'https://ferry.bench.example', 'ref', 'refs/heads/main', 'sha', md5(r) || substr(r, 1, 8),
        'repository', 'owner-' || owner || '/app', 'repository_owner', 'owner-' || owner,
        'actor_id', (g % 5000)::text, 'repository_visibility', 'private',
        'repository_id', (900000 + owner)::text, 'repository_owner_id', (100000 + owner)::text,
        'run_id', (9000000000 + g)::text, 'run_number', (g % 900)::text, 'run_attempt', '1',
        'runner_environment', 'github-hosted', 'actor', 'dev-' || (g % 5000), 'workflow', 'deploy',
        'head_ref', '', 'base_ref', '', 'event_name', 'push', 'ref_protected', 'true', 'ref_type', 'branch',
        'workflow_ref', 'owner-' || owner || '/app/.github/workflows/deploy.yml@refs/heads/main',
        'workflow_sha', md5(r) || substr(r, 1, 8),
        'job_workflow_ref', 'owner-' || owner || '/app/.github/workflows/deploy.yml@refs/heads/main',
        'job_workflow_sha', md5(r) || substr(r, 1, 8),
        'iss', 'https://ci.bench.example',
        'nbf', extract(epoch from at)::bigint - 5, 'iat', extract(epoch from at)::bigint - 5,
        'exp', extract(epoch from at)::bigint + 295)::text,
    'https://deploy.bench.example',
    null,
    case when not refused then '["deploy"]' end,
    case when not refused then '["deploy-' || lpad(owner::text, 5, '0') || '"]' else '[]' end,
    case when not refused then r end,
    case when not refused then at + interval '10 minutes' end,
    '10.' || (owner % 250) || '.0.' || (g % 250)
from (
    select g, at, lpad(to_hex((extract(epoch from at) * 1000)::bigint), 12, '0') as h, md5('impact' || g) as r,
           case when g % 10 = 9 then :owners + (g % 97) else (hashint4(g) & 2147483647) % :owners end as owner,
           g % 10 = 9 as refused
    from (
        select g, now() - make_interval(secs => (:rows - g) * (:days * 86400.0) / :rows) as at
        from generate_series(0, :rows - 1) g
    ) t
) s;

insert into audit_rule (rule, occurred_at, event_id, outcome)
select 'deploy-' || lpad(split_part(split_part(subject, 'owner-', 2), '/', 1), 5, '0'), occurred_at, id, outcome
from audit_event
where issuer = 'bench' and outcome = 'issued';

analyze audit_event;
analyze audit_rule;
