#!/usr/bin/env bash
# The audit log at scale, on PostgreSQL (see docs/performance.md, The audit log at scale):
#
#   1. generates DAYS days of audit rows, ROWS_PER_DAY a day, up to yesterday (bench/audit-day.sql: rows
#      as Ferry writes them for GitHub exchanges), into the day partitions Ferry's retention manages,
#      and reports what they take on disk, per row;
#   2. starts Ferry on them and times every filter of GET /admin/v1/audit (first page and the next by
#      cursor, ROUNDS random values each; bench/jmh/dev/ferry/bench/AuditQueries.java), and saves the
#      plan of each filter's query (EXPLAIN ANALYZE) beside the summary;
#   3. drives POST /token at a constant OPEN_RATE (bench/openload.c) twice, DURATION each after a
#      WARMUP: undisturbed, then while audit queries run back to back and retention drops the oldest
#      day (a restarted Ferry, ferry.audit.retention one day shorter than the log, its first purge timed to come
#      in the middle of the second run),
#      and compares the p99s.
#
#   FERRY_TEST_POSTGRES_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres' bench/audit-scale.sh
#
# Environment (defaults in brackets): DAYS [30], ROWS_PER_DAY [700000] (a row is about 2.3 KB with its
# indexes: mind the disk), ROUNDS [250], OPEN_RATE [1000], DURATION [60s], WARMUP [60s], KEEP=1 to keep
# the generated schema (and REUSE=1 to reuse it in the next run: step 1 is skipped), JAVA,
# FERRY_JAVA_OPTS [-Xmx160m -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000], SKIP_BUILD=1,
# OUT [target/bench].
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh

DAYS="${DAYS:-30}"
ROWS_PER_DAY="${ROWS_PER_DAY:-700000}"
ROUNDS="${ROUNDS:-250}"
OPEN_RATE="${OPEN_RATE:-1000}"
DURATION="${DURATION:-60s}"
WARMUP="${WARMUP:-60s}"
FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx160m -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000}"
OUT="${OUT:-target/bench}"
PG_URL="${FERRY_TEST_POSTGRES_URL:-}"
SCHEMA=ferry_audit_scale

[ -n "$PG_URL" ] || { echo "set FERRY_TEST_POSTGRES_URL to a PostgreSQL JDBC URL: the audit log is partitioned on PostgreSQL only" >&2; exit 1; }
for tool in curl psql gcc; do command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }; done

java_cmd="$(bench_java)"
mkdir -p "$OUT"
summary="$OUT/audit-scale.txt"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
psql_url="${PG_URL#jdbc:}"
sql() { PGOPTIONS="-c search_path=$SCHEMA" psql "$psql_url" -v ON_ERROR_STOP=1 -q "$@"; }

bench_build package
classpath="$(bench_classpath)"
work="$(mktemp -d "${TMPDIR:-/tmp}/ferry-audit.XXXXXX")"
ferry_pid="" background=""
cleanup() {
    [ -z "$background" ] || kill "$background" 2>/dev/null || true
    if [ -n "$ferry_pid" ]; then kill -KILL "$ferry_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

encryption_key="$(head -c 32 /dev/urandom | base64)"
admin_token="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
separator=$(case "$PG_URL" in *\?*) echo '&';; *) echo '?';; esac)
ferry_args=(
    --server.address=127.0.0.1 --ferry.data-dir="$work/data" --ferry.federation.allow-insecure-http=true
    --ferry.rate-limit.enabled=false --ferry.keys.encryption-key="$encryption_key"
    --spring.datasource.url="$PG_URL${separator}currentSchema=$SCHEMA" --spring.flyway.schemas="$SCHEMA"
)

# --- 1. the rows ----------------------------------------------------------------------------------------
if [ "${REUSE:-0}" = 1 ] && sql -Atc "select 1 from pg_class where relname = 'audit_event' and relnamespace = '$SCHEMA'::regnamespace" | grep -q 1; then
    log "Reusing the audit log in schema $SCHEMA"
else
    log "Schema $SCHEMA: migrating (Ferry starts and exits once its context is up)"
    PGOPTIONS="-c client_min_messages=warning" psql "$psql_url" -q -v ON_ERROR_STOP=1 -c "drop schema if exists $SCHEMA cascade" >/dev/null
    # shellcheck disable=SC2086
    FERRY_ADMIN_BOOTSTRAP_TOKEN="$admin_token" "$java_cmd" $FERRY_JAVA_OPTS -Dspring.context.exit=onRefresh \
        -jar target/ferry.jar "${ferry_args[@]}" --server.port=0 --ferry.issuer=http://127.0.0.1 >"$OUT/audit-scale-migrate.log" 2>&1
    # A new installation: the table an upgrade would have found is empty; the days replace it.
    sql -c "alter table audit_event detach partition audit_event_legacy; drop table audit_event_legacy;
            alter table audit_rule detach partition audit_rule_legacy; drop table audit_rule_legacy;"
    generate_start=$(date +%s)
    for back in $(seq "$DAYS" -1 1); do
        day=$(date -u -d "-$back days" +%F)
        suffix=$(date -u -d "-$back days" +%Y%m%d)
        log "Generating $day: $ROWS_PER_DAY events"
        sql -v day="$day" -v suffix="$suffix" -v rows="$ROWS_PER_DAY" -v event_check="audit_event_p${suffix}_range" \
            -v rule_check="audit_rule_p${suffix}_range" -f bench/audit-day.sql
    done
    generate_s=$(( $(date +%s) - generate_start ))
    today=$(date -u +%F) tomorrow=$(date -u -d "+1 day" +%F)
    sql -c "create table if not exists audit_event_p$(date -u +%Y%m%d) partition of audit_event for values from ('$today 00:00:00+00') to ('$tomorrow 00:00:00+00');
            create table if not exists audit_rule_p$(date -u +%Y%m%d) partition of audit_rule for values from ('$today 00:00:00+00') to ('$tomorrow 00:00:00+00');"
    sql -c "checkpoint"
fi
rows=$(sql -Atc "select sum(reltuples)::bigint from pg_class c join pg_inherits i on i.inhrelid = c.oid where i.inhparent = 'audit_event'::regclass")
sizes=$(sql -At -F ' ' -c "
    select sum(pg_relation_size(c.oid)), sum(pg_indexes_size(c.oid)),
           sum(coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0)), sum(pg_total_relation_size(c.oid))
    from pg_class c join pg_inherits i on i.inhrelid = c.oid where i.inhparent = 'audit_event'::regclass")
rule_bytes=$(sql -Atc "select sum(pg_total_relation_size(c.oid)) from pg_class c join pg_inherits i on i.inhrelid = c.oid where i.inhparent = 'audit_rule'::regclass")
read -r heap_bytes index_bytes toast_bytes total_bytes <<<"$sizes"
sql -Atc "select id from audit_event tablesample system (0.01) where kind = 'exchange' limit 2000" >"$work/ids.txt"
# A retention that expires exactly the oldest day partition (N days back: N - 1 days), also on a reused log.
oldest=$(sql -Atc "select min(substr(c.relname, 14)) from pg_class c join pg_inherits i on i.inhrelid = c.oid where i.inhparent = 'audit_event'::regclass and c.relname ~ '^audit_event_p[0-9]{8}$'")
retention_days=$(( ( $(date -u -d "$(date -u +%F)" +%s) - $(date -u -d "$oldest" +%s) ) / 86400 - 1 ))
days_kept=$(( retention_days + 1 ))

# --- 2. the queries -------------------------------------------------------------------------------------
"$java_cmd" -cp "$classpath" dev.ferry.bench.LoadFixtures "$work" 20000 10 >/dev/null
gcc -O2 -o "$work/openload" bench/openload.c
warmup_s=${WARMUP%s} duration_s=${DURATION%s}
busy_before="$(bench_warn_if_busy)"
# start <purge first after>: starts Ferry with that retention, and imports the load's rules.
start() {
    local started port
    port="$(bench_free_port)"
    base="http://127.0.0.1:$port"
    log "Starting Ferry on $base (retention $retention_days days, first purge after $1)"
    started=$(date +%s%N)
    # shellcheck disable=SC2086
    FERRY_ADMIN_BOOTSTRAP_TOKEN="$admin_token" "$java_cmd" $FERRY_JAVA_OPTS -jar target/ferry.jar "${ferry_args[@]}" \
        --server.port="$port" --ferry.issuer="$base" --ferry.audit.retention="${retention_days}d" \
        --ferry.audit.purge-first-after="$1" --ferry.audit.purge-every=1d >>"$OUT/audit-scale-ferry.log" 2>&1 &
    ferry_pid=$!
    bench_wait_ready "$ferry_pid" "$started" "$base" "$OUT/audit-scale-ferry.log"
    curl -fsS -o /dev/null -X POST "$base/admin/v1/import" -H "Authorization: Bearer $admin_token" \
        -H 'Content-Type: application/json' --data-binary @"$work/definitions.json"
}
stop() {
    kill -TERM "$ferry_pid"
    wait "$ferry_pid" 2>/dev/null || true
    ferry_pid=""
}
open_run() { # seconds output
    "$work/openload" -r "$OPEN_RATE" -d "$1" -w 0 -c 64 -b "$work/bodies.txt" "$base/token" >"$2"
}
field() { sed -n "s/^BENCH .*[ ]$1=\([^ ]*\).*/\1/p" "$2"; }

: >"$OUT/audit-scale-ferry.log"
start 1d
log "Warm-up: $WARMUP of /token at $OPEN_RATE/s"
open_run "$warmup_s" "$OUT/audit-scale-warmup.txt"
log "Audit queries: $ROUNDS rounds of every filter"
"$java_cmd" -cp "$classpath" dev.ferry.bench.AuditQueries "$base" "$admin_token" "$work/ids.txt" "$days_kept" "$ROUNDS" \
    | tee "$OUT/audit-scale-queries.txt"

# The plans, with the values of a typical request of each filter (the SQL GET /admin/v1/audit runs).
since=$(date -u -d "-3 days" +%F)T10:00:00Z until=$(date -u -d "-3 days" +%F)T11:00:00Z
select="select e.* from audit_event e where 1 = 1"
{
    for q in \
        "$select and e.subject = 'repo:org-42/app-3:ref:refs/heads/main' order by e.occurred_at desc, e.id desc limit 51" \
        "select e.* from audit_rule r join audit_event e on e.id = r.event_id and e.occurred_at = r.occurred_at where r.rule = 'deploy-org-42' order by r.occurred_at desc, r.event_id desc limit 51" \
        "$select and e.issuer = 'internal' order by e.occurred_at desc, e.id desc limit 51" \
        "$select and e.outcome = 'refused' order by e.occurred_at desc, e.id desc limit 51" \
        "$select and e.occurred_at >= '$since' and e.occurred_at < '$until' order by e.occurred_at desc, e.id desc limit 51" \
        "select * from audit_event where id = '$(head -n 1 "$work/ids.txt")'"; do
        echo "== $q"
        sql -c "explain (analyze, buffers, costs off) $q"
    done
} >"$OUT/audit-scale-plans.txt" 2>&1

# --- 3. /token while retention and queries run -----------------------------------------------------------
# A new Ferry whose one purge starts early in the disturbed run: after the warm-up, the quiet run, half
# a warm-up between and a quarter of the disturbed run, counted from when Ferry's scheduler starts (late
# in its start-up). A purge of a large partition takes a while and logs only its end: started at the
# middle, in round 6, it ended 2 s after the run, and the check below missed it.
stop
start "$(( warmup_s + duration_s + warmup_s / 2 + duration_s / 4 ))s"
log "Warm-up: $WARMUP of /token at $OPEN_RATE/s"
open_run "$warmup_s" "$OUT/audit-scale-warmup2.txt"
log "Undisturbed: $DURATION of /token at $OPEN_RATE/s"
open_run "$duration_s" "$OUT/audit-scale-quiet.txt"
log "Between the runs: half a warm-up of load"
open_run $(( warmup_s / 2 )) "$OUT/audit-scale-between.txt"
log "Disturbed: $DURATION of /token at $OPEN_RATE/s, audit queries back to back, retention drops a day"
"$java_cmd" -cp "$classpath" dev.ferry.bench.AuditQueries "$base" "$admin_token" "$work/ids.txt" "$days_kept" 0 >/dev/null 2>&1 &
background=$!
open_run "$duration_s" "$OUT/audit-scale-disturbed.txt"
kill "$background" 2>/dev/null || true
wait "$background" 2>/dev/null || true
background=""
purged=$(grep -o 'Purged [0-9]* audit rows' "$OUT/audit-scale-ferry.log" | head -n 1 || true)
purge_time=$(grep 'Purged [0-9]* audit rows' "$OUT/audit-scale-ferry.log" | head -n 1 | cut -c1-23 || true)
stop

if [ "${KEEP:-0}" != 1 ] && [ "${REUSE:-0}" != 1 ]; then
    PGOPTIONS="-c client_min_messages=warning" psql "$psql_url" -q -c "drop schema $SCHEMA cascade" >/dev/null
fi

gb() { awk -v b="$1" 'BEGIN { printf "%.1f GB", b / 1e9 }'; }
per_row() { awk -v b="$1" -v r="$rows" 'BEGIN { printf "%.0f B", b / r }'; }
{
    echo "Ferry's audit log at scale, PostgreSQL $(sql -Atc 'show server_version'), $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "shared_buffers $(sql -Atc 'show shared_buffers'), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) of memory; CPUs busy before the start: ${busy_before:-n/a}%"
    echo
    echo "rows: $rows events over $days_kept day partitions${generate_s:+ (generated in ${generate_s} s)}"
    echo "audit_event: $(gb "$total_bytes") ($(per_row "$total_bytes") a row): heap $(gb "$heap_bytes") ($(per_row "$heap_bytes")), indexes $(gb "$index_bytes") ($(per_row "$index_bytes")), TOAST $(gb "$toast_bytes")"
    echo "audit_rule: $(gb "$rule_bytes") ($(per_row "$rule_bytes") an event)"
    echo
    echo "GET /admin/v1/audit, default page size (50), first page and the next by cursor, random values, sequential:"
    printf '%-18s %9s %8s %8s %8s\n' filter requests 'p50 ms' 'p99 ms' 'max ms'
    while read -r line; do
        f="$(echo "$line" | sed -n 's/.* filter=\([^ ]*\).*/\1/p')"
        printf '%-18s %9s %8s %8s %8s\n' "$f" "$(echo "$line" | sed -n 's/.* requests=\([^ ]*\).*/\1/p')" \
            "$(echo "$line" | sed -n 's/.* p50_ms=\([^ ]*\).*/\1/p')" "$(echo "$line" | sed -n 's/.* p99_ms=\([^ ]*\).*/\1/p')" \
            "$(echo "$line" | sed -n 's/.* max_ms=\([^ ]*\).*/\1/p')"
    done < <(grep '^BENCH audit' "$OUT/audit-scale-queries.txt")
    echo "(plans in $OUT/audit-scale-plans.txt)"
    echo
    echo "POST /token at $OPEN_RATE/s (open model, $DURATION each, after $WARMUP of warm-up):"
    printf '%-11s %9s %8s %8s %9s %8s %8s %7s\n' run 'done/s' 'p50 ms' 'p99 ms' 'p99.9 ms' 'max ms' 'non-2xx' errors
    for run in quiet disturbed; do
        f="$OUT/audit-scale-$run.txt"
        printf '%-11s %9s %8s %8s %9s %8s %8s %7s\n' "$run" "$(field achieved_rps "$f")" "$(field p50_ms "$f")" \
            "$(field p99_ms "$f")" "$(field p999_ms "$f")" "$(field max_ms "$f")" "$(field non2xx "$f")" "$(field errors "$f")"
    done
    awk -v a="$(field p99_ms "$OUT/audit-scale-quiet.txt")" -v b="$(field p99_ms "$OUT/audit-scale-disturbed.txt")" \
        'BEGIN { if (a > 0) printf "p99 disturbed / quiet: %.2f\n", b / a }'
    echo "retention during the disturbed run: ${purged:-NO PURGE LOGGED (it ran outside the run, or failed: see $OUT/audit-scale-ferry.log)}${purge_time:+ at $purge_time}"
} | tee "$summary"
log "Summary in $summary"
