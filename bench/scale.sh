#!/usr/bin/env bash
# Ferry with many rules, as an organisation's provisioning tooling builds them (see docs/performance.md):
#
#   1. WRITES rules created one by one through POST /admin/v1/rules, IN_FLIGHT requests at a time
#      (as Terraform-style tooling does): the total time and the latency of early and late writes;
#   2. IMPORT more rules (over IMPORT_OWNERS owners) in one definitions file, POST /admin/v1/import;
#   3. a restart with all of them: start-up to ready, and the heap in use after a full GC;
#   4. on PostgreSQL, a second replica on the same database: the time from a rule's creation on the
#      first replica until the second grants an exchange that only this rule allows, PICKUPS times,
#      against the second replica's poll interval (ferry.cache.refresh, REFRESH).
#
#   bench/scale.sh                                           # H2 file database
#   FERRY_TEST_POSTGRES_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres' bench/scale.sh
#
# Environment (defaults in brackets): WRITES [10000], IN_FLIGHT [8], IMPORT [100000], IMPORT_OWNERS
# [10000], PICKUPS [5], REFRESH [5s], FERRY_JAVA_OPTS [-Xmx160m -XX:+UseParallelGC
# -XX:TrimNativeHeapInterval=5000], JAVA, IMAGE_JAVA (a JDK 25: also restart as the container image
# starts, extracted jar and AOT cache), SKIP_BUILD=1, OUT [target/bench]. The exchange rate with
# the imported rules is bench/load.sh's (RULES=100000 OWNERS=10000).
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh

WRITES="${WRITES:-10000}"
IN_FLIGHT="${IN_FLIGHT:-8}"
IMPORT="${IMPORT:-100000}"
IMPORT_OWNERS="${IMPORT_OWNERS:-10000}"
PICKUPS="${PICKUPS:-5}"
REFRESH="${REFRESH:-5s}"
FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx160m -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000}"
OUT="${OUT:-target/bench}"
PG_URL="${FERRY_TEST_POSTGRES_URL:-}"
SCHEMA=ferry_scale

command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 1; }

java_cmd="$(bench_java)"
java_version="$("$java_cmd" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.version = //p')"
database=$([ -n "$PG_URL" ] && echo PostgreSQL || echo H2)
mkdir -p "$OUT"
label="$(echo "$database" | tr 'A-Z' 'a-z')-java$(echo "$java_version" | cut -d. -f1 | cut -d+ -f1)"
summary="$OUT/scale-$label.txt"
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

bench_build package
classpath="$(bench_classpath)"

work="$(mktemp -d "${TMPDIR:-/tmp}/ferry-scale.XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

admin_token="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
common=(
    --server.address=127.0.0.1 --ferry.data-dir="$work/data"
    --ferry.federation.allow-insecure-http=true --ferry.rate-limit.enabled=false --ferry.cache.refresh="$REFRESH"
)
if [ -n "$PG_URL" ]; then
    log "PostgreSQL: resetting schema $SCHEMA"
    bench_postgres_reset "$PG_URL" "$SCHEMA" "$(head -c 32 /dev/urandom | base64)"
    common+=("${postgres_args[@]}")
fi

ferry_jar_args="-jar target/ferry.jar"
# start <name>: starts a replica on a free port; sets started_pid, started_base, started_ms (to ready).
start() {
    local port started
    port="$(bench_free_port)"
    started_base="http://127.0.0.1:$port"
    started=$(date +%s%N)
    # Every replica is the same service: one issuer URL for all, the first one's.
    # shellcheck disable=SC2086
    FERRY_ADMIN_BOOTSTRAP_TOKEN="$admin_token" "$java_cmd" $FERRY_JAVA_OPTS $ferry_jar_args "${common[@]}" \
        --server.port="$port" --ferry.issuer="${issuer_url:-$started_base}" >"$OUT/scale-$label-$1.log" 2>&1 &
    started_pid=$!
    pids+=("$started_pid")
    bench_wait_ready "$started_pid" "$started" "$started_base" "$OUT/scale-$label-$1.log"
    started_ms=$(( ($(date +%s%N) - started) / 1000000 ))
}
stop() {
    kill -TERM "$1"
    wait "$1" 2>/dev/null || true
}
rss_mb() { echo $(( $(sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status") / 1024 )); }

log "Writing the definitions file of $IMPORT rules over $IMPORT_OWNERS owners"
"$java_cmd" -cp "$classpath" dev.ferry.bench.LoadFixtures "$work" 1 "$IMPORT" "$IMPORT_OWNERS"
busy_before="$(bench_warn_if_busy)"

# --- 1. one by one -------------------------------------------------------------------------------------
start a
a_pid=$started_pid a_base=$started_base issuer_url=$started_base
log "Ready after $started_ms ms; $WRITES rules one by one, $IN_FLIGHT in flight"
"$java_cmd" -cp "$classpath" dev.ferry.bench.RuleWrites writes "$a_base" "$admin_token" "$work" "$WRITES" "$IN_FLIGHT" \
    | tee "$OUT/scale-$label-writes.txt"
writes_rss=$(rss_mb "$a_pid" VmHWM)
cp "$work/writes.txt" "$OUT/scale-$label-writes-latency.txt"

# --- 2. import ---------------------------------------------------------------------------------------
log "Importing $IMPORT rules in one file"
import_start=$(date +%s%N)
status=$(curl -sS -o "$work/import.json" -w '%{http_code}' -X POST "$a_base/admin/v1/import" \
    -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' --data-binary @"$work/definitions.json")
import_ms=$(( ($(date +%s%N) - import_start) / 1000000 ))
[ "$status" = 200 ] || { echo "import answered $status: $(head -c 500 "$work/import.json")" >&2; exit 1; }
log "Imported in $import_ms ms"
import_rss=$(rss_mb "$a_pid" VmHWM)
stop "$a_pid"

# --- 3. restart with all of them -----------------------------------------------------------------------
total=$(( WRITES + IMPORT ))
log "Restarting with $total rules"
start a2
a_pid=$started_pid a_base=$started_base restart_ms=$started_ms
restart_rss=$(rss_mb "$a_pid" VmRSS)
live_heap=$(bench_live_heap_mb "$a_pid" "$java_cmd")
log "Ready after $restart_ms ms; heap in use after a full GC: $live_heap MB"

load_line=$(grep -o 'Loaded [0-9]* rules of [0-9]* issuers in [0-9]* ms' "$OUT/scale-$label-a2.log" | tail -n 1)
log "${load_line:-no rule book load line in the log}"

# --- 3b. the same restart as the container image starts ---------------------------------------------------
# IMAGE_JAVA (a JDK 25 or newer): the extracted jar with an AOT cache from a training run, its profiles
# not replayed, as the Dockerfile builds and starts it (bench/startup.sh does the same on an empty
# database).
image_line=""
if [ -n "${IMAGE_JAVA:-}" ]; then
    stop "$a_pid"
    "$IMAGE_JAVA" -Djarmode=tools -jar target/ferry.jar extract --destination "$work/app" >/dev/null
    log "Training run for the AOT cache (as the Dockerfile does)"
    # shellcheck disable=SC2086
    "$IMAGE_JAVA" $FERRY_JAVA_OPTS -XX:AOTCacheOutput="$work/app/ferry.aot" -Dspring.context.exit=onRefresh \
        -jar "$work/app/ferry.jar" --ferry.data-dir="$work/training" --server.port=0 >"$work/training.log" 2>&1 \
        || { echo "the training run failed:" >&2; tail -20 "$work/training.log" >&2; exit 1; }
    saved_java="$java_cmd" saved_jar="$ferry_jar_args"
    java_cmd="$IMAGE_JAVA"
    ferry_jar_args="-XX:AOTCache=$work/app/ferry.aot -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining -jar $work/app/ferry.jar"
    start a3
    a_pid=$started_pid a_base=$started_base
    image_load=$(grep -o 'Loaded [0-9]* rules of [0-9]* issuers in [0-9]* ms' "$OUT/scale-$label-a3.log" | tail -n 1)
    image_line="restart with $total rules as the container image starts (Java $("$IMAGE_JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.version = //p'), extracted jar, AOT cache): ready after $started_ms ms; ${image_load:-}"
    log "$image_line"
    java_cmd="$saved_java" ferry_jar_args="$saved_jar"
fi

# --- 4. a second replica's pickup ----------------------------------------------------------------------
pickup_line=""
if [ -n "$PG_URL" ]; then
    start b
    b_pid=$started_pid b_base=$started_base
    log "Replica b ready after $started_ms ms; $PICKUPS pickups (poll interval $REFRESH)"
    pickup_line=$("$java_cmd" -cp "$classpath" dev.ferry.bench.RuleWrites pickup "$a_base" "$b_base" "$admin_token" "$work" "$PICKUPS")
    echo "$pickup_line"
    stop "$b_pid"
fi
stop "$a_pid"

field() { sed -n "s/^BENCH .*[ ]$1=\([^ ]*\).*/\1/p" "$2"; }
writes_file="$OUT/scale-$label-writes.txt"
{
    echo "Ferry at scale, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "database $database, JVM $java_version ($FERRY_JAVA_OPTS), $(nproc) CPUs, CPUs busy before the start: ${busy_before:-n/a}%"
    echo
    printf '%s rules one by one (POST /admin/v1/rules, %s in flight): %s s in all, %s writes/s\n' \
        "$WRITES" "$IN_FLIGHT" "$(field seconds "$writes_file")" "$(field rate "$writes_file")"
    printf '  median latency of writes 100-200: %s ms, of the last 100: %s ms (ratio %s); p99 %s ms, max %s ms\n' \
        "$(field early_p50_ms "$writes_file")" "$(field late_p50_ms "$writes_file")" "$(field ratio "$writes_file")" \
        "$(field p99_ms "$writes_file")" "$(field max_ms "$writes_file")"
    echo "  peak RSS so far: $writes_rss MB"
    echo "import of $IMPORT rules over $IMPORT_OWNERS owners in one file: $import_ms ms (peak RSS $import_rss MB)"
    echo "restart with $total rules: ready after $restart_ms ms, RSS $restart_rss MB, heap in use after a full GC $live_heap MB; ${load_line:-}"
    [ -z "$image_line" ] || echo "$image_line"
    if [ -n "$pickup_line" ]; then
        printf 'a rule written on one replica, granted by another (poll interval %s): median %s ms, max %s ms over %s\n' \
            "$REFRESH" "$(echo "$pickup_line" | sed -n 's/.* p50_ms=\([0-9]*\).*/\1/p')" \
            "$(echo "$pickup_line" | sed -n 's/.* max_ms=\([0-9]*\).*/\1/p')" "$PICKUPS"
    else
        echo "(replica pickup: PostgreSQL only; the H2 file database belongs to one process)"
    fi
} | tee "$summary"
log "Summary in $summary"
