#!/usr/bin/env bash
# Impact replay at scale, on PostgreSQL (see docs/performance.md, Impact replay):
#
#   1. generates ROWS audited exchanges over the last DAYS days (bench/impact-rows.sql: GitHub-shaped
#      claims of 1,000 owners, nine in ten granted by one of RULES rules, one in ten refused), in a schema
#      of its own;
#   2. starts Ferry on it with those RULES rules (LoadFixtures' issuer and rules: rule i pins owner i and
#      ref main) and a proposal that tightens one rule in ten (an extra condition no token meets);
#   3. drives POST /token at a constant OPEN_RATE (bench/openload.c) for DURATION, twice after a WARMUP:
#      undisturbed, then while a dry run of one rule's PUT replays the last DAYS days against the 1,000
#      rules with that rule tightened (impactBudget = DURATION, so the replay runs through the whole
#      measured run), and compares the p99s;
#   4. replays the whole window once more without load, as a dry-run import of the proposal (impactBudget
#      FULL_BUDGET), to report how long ROWS exchanges take at ferry.audit.impact.cpu-share (CPU_SHARE).
#
#   FERRY_TEST_POSTGRES_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres' bench/impact.sh
#   ROWS=20000 DURATION=20s WARMUP=10s FERRY_TEST_POSTGRES_URL=... bench/impact.sh      # a smoke run
#
# Environment (defaults in brackets): ROWS [1000000] (about 2.3 KB a row on disk with its indexes),
# DAYS [7], RULES [1000], OPEN_RATE [500], DURATION [60s], WARMUP [30s], CPU_SHARE [0.25],
# FULL_BUDGET [PT30M], KEEP=1 to keep the schema (REUSE=1 to reuse it: step 1 is skipped), JAVA,
# FERRY_JAVA_OPTS [-Xmx256m -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000], SKIP_BUILD=1,
# OUT [target/bench].
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh

ROWS="${ROWS:-1000000}"
DAYS="${DAYS:-7}"
RULES="${RULES:-1000}"
OPEN_RATE="${OPEN_RATE:-500}"
DURATION="${DURATION:-60s}"
WARMUP="${WARMUP:-30s}"
CPU_SHARE="${CPU_SHARE:-0.25}"
FULL_BUDGET="${FULL_BUDGET:-PT30M}"
FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx256m -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000}"
OUT="${OUT:-target/bench}"
PG_URL="${FERRY_TEST_POSTGRES_URL:-}"
SCHEMA=ferry_impact

[ -n "$PG_URL" ] || { echo "set FERRY_TEST_POSTGRES_URL to a PostgreSQL JDBC URL" >&2; exit 1; }
for tool in curl psql gcc jq; do command -v "$tool" >/dev/null || { echo "$tool is needed" >&2; exit 1; }; done

java_cmd="$(bench_java)"
mkdir -p "$OUT"
summary="$OUT/impact.txt"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
psql_url="${PG_URL#jdbc:}"
sql() { PGOPTIONS="-c search_path=$SCHEMA" psql "$psql_url" -v ON_ERROR_STOP=1 -q "$@"; }

bench_build package
classpath="$(bench_classpath)"
work="$(mktemp -d "${TMPDIR:-/tmp}/ferry-impact.XXXXXX")"
ferry_pid="" replay_pid=""
cleanup() {
    [ -z "$replay_pid" ] || kill "$replay_pid" 2>/dev/null || true
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
    --ferry.audit.impact.cpu-share="$CPU_SHARE" --ferry.audit.impact.max-budget=2h
)

# --- 1. the audited exchanges -----------------------------------------------------------------------------
if [ "${REUSE:-0}" = 1 ] && sql -Atc "select 1 from pg_class where relname = 'audit_event' and relnamespace = '$SCHEMA'::regnamespace" | grep -q 1; then
    log "Reusing the audit log in schema $SCHEMA"
else
    log "Schema $SCHEMA: migrating (Ferry starts and exits once its context is up)"
    PGOPTIONS="-c client_min_messages=warning" psql "$psql_url" -q -v ON_ERROR_STOP=1 -c "drop schema if exists $SCHEMA cascade" >/dev/null
    # shellcheck disable=SC2086
    FERRY_ADMIN_BOOTSTRAP_TOKEN="$admin_token" "$java_cmd" $FERRY_JAVA_OPTS -Dspring.context.exit=onRefresh \
        -jar target/ferry.jar "${ferry_args[@]}" --server.port=0 --ferry.issuer=http://127.0.0.1 >"$OUT/impact-migrate.log" 2>&1
    log "Generating $ROWS audited exchanges over $DAYS days"
    generate_start=$(date +%s)
    sql -v rows="$ROWS" -v days="$DAYS" -v owners="$RULES" -f bench/impact-rows.sql
    generate_s=$(( $(date +%s) - generate_start ))
fi
rows=$(sql -Atc "select count(*) from audit_event where issuer = 'bench' and claims is not null and occurred_at > now() - interval '$DAYS days'")

# --- 2. Ferry, its rules, the proposal -----------------------------------------------------------------
"$java_cmd" -cp "$classpath" dev.ferry.bench.LoadFixtures "$work" 20000 "$RULES" "$RULES" >/dev/null
# One rule in ten tightened: also requires an environment no token of the log has.
jq -c '.rules |= [ .[] | if ((.name | ltrimstr("deploy-") | tonumber) % 10 == 0)
        then .conditions += [{"claim": "environment", "operator": "equals", "value": "production"}] else . end ]' \
    "$work/definitions.json" >"$work/proposal.json"
gcc -O2 -o "$work/openload" bench/openload.c
warmup_s=${WARMUP%s} duration_s=${DURATION%s}
busy_before="$(bench_warn_if_busy)"

port="$(bench_free_port)"
base="http://127.0.0.1:$port"
log "Starting Ferry on $base"
started=$(date +%s%N)
: >"$OUT/impact-ferry.log"
# shellcheck disable=SC2086
FERRY_ADMIN_BOOTSTRAP_TOKEN="$admin_token" "$java_cmd" $FERRY_JAVA_OPTS -jar target/ferry.jar "${ferry_args[@]}" \
    --server.port="$port" --ferry.issuer="$base" >>"$OUT/impact-ferry.log" 2>&1 &
ferry_pid=$!
bench_wait_ready "$ferry_pid" "$started" "$base" "$OUT/impact-ferry.log"
curl -fsS -o /dev/null -X POST "$base/admin/v1/import" -H "Authorization: Bearer $admin_token" \
    -H 'Content-Type: application/json' --data-binary @"$work/definitions.json"

open_run() { # seconds output
    "$work/openload" -r "$OPEN_RATE" -d "$1" -w 0 -c 64 -b "$work/bodies.txt" "$base/token" >"$2"
}
field() { sed -n "s/^BENCH .*[ ]$1=\([^ ]*\).*/\1/p" "$2"; }
replay() { # budget output: a dry-run import of the proposal with impact over the last DAYS days
    curl -sS --max-time 7200 -o "$2" -w '%{http_code} %{time_total}\n' -X POST \
        "$base/admin/v1/import?dryRun=true&impact=P${DAYS}D&impactBudget=$1" \
        -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' --data-binary @"$work/proposal.json"
}
replay_rule() { # budget output: a dry run of one rule's PUT (deploy-00000 tightened) with impact: the
    # validation is a single rule, so what runs beside /token is the replay itself
    jq -c '.rules[0] | .conditions += [{"claim": "environment", "operator": "equals", "value": "production"}]' \
        "$work/definitions.json" >"$work/rule.json"
    curl -sS --max-time 7200 -o "$2" -w '%{http_code} %{time_total}\n' -X PUT \
        "$base/admin/v1/rules/deploy-00000?dryRun=true&impact=P${DAYS}D&impactBudget=$1" \
        -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' --data-binary @"$work/rule.json"
}

# --- 3. /token without and with a replay running -----------------------------------------------------------
log "Warm-up: $WARMUP of /token at $OPEN_RATE/s"
open_run "$warmup_s" "$OUT/impact-warmup.txt"
log "Undisturbed: $DURATION of /token at $OPEN_RATE/s"
open_run "$duration_s" "$OUT/impact-quiet.txt"
log "During a replay: $DURATION of /token at $OPEN_RATE/s, the replay's budget PT${duration_s}S"
replay_rule "PT${duration_s}S" "$OUT/impact-during.json" >"$work/during.status" &
replay_pid=$!
open_run "$duration_s" "$OUT/impact-disturbed.txt"
wait "$replay_pid" || true
replay_pid=""
read -r during_status during_s <"$work/during.status"

# --- 4. a whole replay, no load ------------------------------------------------------------------------------
log "A whole replay of $rows exchanges, no load (budget $FULL_BUDGET)"
read -r full_status full_s < <(replay "$FULL_BUDGET" "$OUT/impact-full.json")
kill -TERM "$ferry_pid"; wait "$ferry_pid" 2>/dev/null || true; ferry_pid=""

if [ "${KEEP:-0}" != 1 ] && [ "${REUSE:-0}" != 1 ]; then
    PGOPTIONS="-c client_min_messages=warning" psql "$psql_url" -q -c "drop schema $SCHEMA cascade" >/dev/null
fi

impact_line() { # file seconds: the replay's own time, and the request's (validation included)
    jq -r --arg s "$2" '.impact | "\(.exchangesReplayed) exchanges replayed in \(.replayMillis / 1000) s (\((.exchangesReplayed * 1000 / ([.replayMillis, 1] | max)) | floor)/s; request \($s) s), partial: \(.partial), \(.exchangesChanged) would change in \(.nowRefused | length) groups"' "$1"
}
{
    echo "Ferry impact replay, PostgreSQL $(sql -Atc 'show server_version'), $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "$(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) of memory; CPUs busy before the start: ${busy_before:-n/a}%"
    echo "$rows audited exchanges over $DAYS days${generate_s:+ (generated in ${generate_s} s)}, $RULES rules; proposal: one rule in ten tightened"
    echo "ferry.audit.impact.cpu-share $CPU_SHARE"
    echo
    echo "POST /token at $OPEN_RATE/s (open model, $DURATION each, after $WARMUP of warm-up):"
    printf '%-11s %9s %8s %8s %9s %8s %8s %7s\n' run 'done/s' 'p50 ms' 'p99 ms' 'p99.9 ms' 'max ms' 'non-2xx' errors
    for run in quiet disturbed; do
        f="$OUT/impact-$run.txt"
        printf '%-11s %9s %8s %8s %9s %8s %8s %7s\n' "$run" "$(field achieved_rps "$f")" "$(field p50_ms "$f")" \
            "$(field p99_ms "$f")" "$(field p999_ms "$f")" "$(field max_ms "$f")" "$(field non2xx "$f")" "$(field errors "$f")"
    done
    awk -v a="$(field p99_ms "$OUT/impact-quiet.txt")" -v b="$(field p99_ms "$OUT/impact-disturbed.txt")" \
        'BEGIN { if (a > 0) printf "p99 during a replay / without: %.2f\n", b / a }'
    echo
    if [ "$during_status" = 200 ]; then
        echo "replay during the load (HTTP $during_status): $(impact_line "$OUT/impact-during.json" "$during_s")"
    else
        echo "replay during the load: HTTP $during_status, see $OUT/impact-during.json"
    fi
    if [ "$full_status" = 200 ]; then
        echo "whole replay, no load (HTTP $full_status): $(impact_line "$OUT/impact-full.json" "$full_s")"
    else
        echo "whole replay: HTTP $full_status, see $OUT/impact-full.json"
    fi
} | tee "$summary"
log "Summary in $summary"
