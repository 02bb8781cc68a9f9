#!/usr/bin/env bash
# How long the upgrade that partitions the audit log by day (migration 8, PostgreSQL) holds up a
# start, on an audit table of ROWS rows: a schema is migrated to version 7 (the last before it), given
# ROWS rows copied from the log bench/audit-scale.sh generated (run it with KEEP=1 first), and Ferry is
# started on it: the time of migration 8, as Flyway reports it, and the start-up to ready.
#
#   FERRY_TEST_POSTGRES_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres' bench/audit-upgrade.sh
#
# Environment: ROWS [3000000], JAVA, FERRY_JAVA_OPTS, SKIP_BUILD=1, OUT [target/bench].
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh

ROWS="${ROWS:-3000000}"
FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx160m -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000}"
OUT="${OUT:-target/bench}"
PG_URL="${FERRY_TEST_POSTGRES_URL:-}"
SOURCE=ferry_audit_scale
SCHEMA=ferry_audit_upgrade

[ -n "$PG_URL" ] || { echo "set FERRY_TEST_POSTGRES_URL to a PostgreSQL JDBC URL" >&2; exit 1; }
psql_url="${PG_URL#jdbc:}"
sql() { PGOPTIONS="-c client_min_messages=warning" psql "$psql_url" -v ON_ERROR_STOP=1 -q "$@"; }
sql -Atc "select 1 from pg_class where relname = 'audit_event' and relnamespace = '$SOURCE'::regnamespace" | grep -q 1 \
    || { echo "no generated audit log in schema $SOURCE: run bench/audit-scale.sh with KEEP=1 first" >&2; exit 1; }

java_cmd="$(bench_java)"
mkdir -p "$OUT"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    mvn -B -q -DskipTests package
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/ferry-upgrade.XXXXXX")"
trap 'rm -rf "$work"' EXIT

separator=$(case "$PG_URL" in *\?*) echo '&';; *) echo '?';; esac)
args=(
    --server.address=127.0.0.1 --ferry.data-dir="$work/data" --ferry.keys.encryption-key="$(head -c 32 /dev/urandom | base64)"
    --spring.datasource.url="$PG_URL${separator}currentSchema=$SCHEMA" --spring.flyway.schemas="$SCHEMA"
)
admin_token="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"

log "Schema $SCHEMA at version 7"
sql -c "drop schema if exists $SCHEMA cascade"
# Only the migrations up to 7 run; the entities of this build are newer than that schema, so Hibernate
# does not validate it.
# shellcheck disable=SC2086
FERRY_ADMIN_BOOTSTRAP_TOKEN="$admin_token" "$java_cmd" $FERRY_JAVA_OPTS -Dspring.context.exit=onRefresh -jar target/ferry.jar \
    "${args[@]}" --server.port=0 --ferry.issuer=http://127.0.0.1 --spring.flyway.target=7 \
    --spring.jpa.hibernate.ddl-auto=none --spring.main.lazy-initialization=true >"$OUT/audit-upgrade-v7.log" 2>&1
log "Copying $ROWS audit events (and their rule rows) from $SOURCE"
columns=$(sql -Atc "select string_agg(column_name, ', ' order by ordinal_position) from information_schema.columns
                    where table_schema = '$SCHEMA' and table_name = 'audit_event'")
sql -c "insert into $SCHEMA.audit_event ($columns) select $columns from $SOURCE.audit_event
        order by occurred_at desc limit $ROWS; analyze $SCHEMA.audit_event; checkpoint"
size=$(sql -Atc "select pg_size_pretty(pg_total_relation_size('$SCHEMA.audit_event'))")

log "Starting Ferry: migration 8 on $ROWS rows ($size)"
port="$(bench_free_port)"
started=$(date +%s%N)
# shellcheck disable=SC2086
FERRY_ADMIN_BOOTSTRAP_TOKEN="$admin_token" "$java_cmd" $FERRY_JAVA_OPTS -jar target/ferry.jar "${args[@]}" \
    --server.port="$port" --ferry.issuer="http://127.0.0.1:$port" >"$OUT/audit-upgrade.log" 2>&1 &
pid=$!
bench_wait_ready "$pid" "$started" "http://127.0.0.1:$port" "$OUT/audit-upgrade.log"
ready_ms=$(( ($(date +%s%N) - started) / 1000000 ))
kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
# Migration 8 and every later one the upgrade applies (10 backfills the rule usage from the same rows).
migration=$(sed -n 's/.*Successfully applied [0-9]* migrations* .*(execution time \([0-9:.]*\)s*).*/\1/p' "$OUT/audit-upgrade.log" | head -n 1)
rule_rows=$(sql -Atc "select count(*) from $SCHEMA.audit_rule")
sql -c "drop schema $SCHEMA cascade"
{
    echo "Upgrade to the day-partitioned audit log (migration 8), PostgreSQL $(sql -Atc 'show server_version'), $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "$ROWS audit events ($size): migrations 8 and later took ${migration:-?} (Flyway's execution time, mm:ss.fff), start-up to ready $ready_ms ms; $rule_rows audit_rule rows filled"
} | tee "$OUT/audit-upgrade.txt"
