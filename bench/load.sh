#!/usr/bin/env bash
# Load test of POST /token over loopback: builds and starts Ferry, registers a local issuer (keys
# inline, no network) with RULES rules, pre-mints TOKENS subject tokens, drives /token with wrk at
# several concurrency levels, then measures the ceiling (bare crypto of one exchange, JMH) with the
# same JVM and prints the ratio. See bench/README.md.
#
#   bench/load.sh                                   # H2, 10 rules, ES256
#   RULES=10000 bench/load.sh                       # 10,000 rules over 1,000 owners
#   FERRY_TEST_POSTGRES_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres' bench/load.sh
#   JAVA=/opt/jdk-25/bin/java bench/load.sh         # Ferry and the ceiling on another JVM
#
# Environment (defaults in brackets):
#   RULES [10]            rules of the one issuer; rule i pins owner i % OWNERS, its repository i / OWNERS and ref refs/heads/main (each token matches one rule)
#   OWNERS [1000]         distinct repository owners the rules pin
#   TOKENS [30000]        distinct subject tokens; the load cycles through them
#   CONNECTIONS ["2 8 32"] wrk connection counts, one run each
#   DURATION [20s]        length of each run;  WARMUP [60s] one unrecorded run at 8 connections first
#                         (on 2 cores the JIT compilers need about a minute of load to settle)
#   ALG [ES256]           ferry.keys.algorithm, and the signing half of the ceiling
#   FERRY_JAVA_OPTS [-Xmx160m -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000]  JVM options of Ferry (the heap, collector and trimming docs/performance.md recommends);  FERRY_ARGS  more Ferry arguments (--key=value ...)
#   FERRY_TEST_POSTGRES_URL     a JDBC URL: run on PostgreSQL, in the schema ferry_bench (dropped first, with psql)
#   JAVA                  the java for Ferry and the ceiling (default $JAVA_HOME/bin/java, else java)
#   FERRY_JAR [target/ferry.jar]  the jar to start (an extracted jar, say, for a CDS or AOT cache)
#   SKIP_BUILD=1          reuse target/ferry.jar and the benchmark classes of an earlier build
#   CEILING [1]           0: skip the ceiling benchmark;  CEILING_OPS: use this ceiling (ops/s) instead
#   FLOOR [1]             0: skip the HTTP floor (GET /.well-known/jwks.json at 8 connections after the load)
#   OPEN [1]              0: skip the open-model runs: POST /token, then GET /.well-known/jwks.json (the floor),
#                         each at a constant rate for DURATION, arrivals evenly spread (bench/openload.c, built
#                         with gcc), with p50/p99/p99.9 from each request's due time
#   OPEN_RATE             requests per second of those runs (default: half the best saturated rate above)
#   OUT [target/bench]    where the summary, wrk output, Ferry's log and the ceiling CSV go
#   DPOP [0]              1: every exchange carries a DPoP proof (RFC 9449) and must get a DPoP-bound token;
#                         PROOFS [100000] proofs for each wrk run are made before the run (enough for 60 s at
#                         1,600/s; a run that runs out shows errors); the open model is skipped (openload sends none);
#                         DPOP_ALG [ES256] the proofs' algorithm (RS256: a 2048-bit key)
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh

RULES="${RULES:-10}"
OWNERS="${OWNERS:-1000}"
TOKENS="${TOKENS:-30000}"
CONNECTIONS="${CONNECTIONS:-2 8 32}"
DURATION="${DURATION:-20s}"
WARMUP="${WARMUP:-60s}"
ALG="${ALG:-ES256}"
FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx160m -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000}"
CEILING="${CEILING:-1}"
FLOOR="${FLOOR:-1}"
OUT="${OUT:-target/bench}"
DPOP="${DPOP:-0}"
PROOFS="${PROOFS:-100000}"
DPOP_ALG="${DPOP_ALG:-ES256}"
PG_URL="${FERRY_TEST_POSTGRES_URL:-}"
SCHEMA=ferry_bench

command -v wrk >/dev/null || { echo "wrk is not installed (Debian/Ubuntu: apt-get install -y wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 1; }
OPEN="${OPEN:-1}"
[ "$DPOP" != 1 ] || OPEN=0
if [ "$OPEN" = 1 ]; then
    command -v gcc >/dev/null || { echo "gcc is needed for the open-model runs (or OPEN=0)" >&2; exit 1; }
fi

java_cmd="$(bench_java)"
java_version="$("$java_cmd" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.version = //p')"
database=$([ -n "$PG_URL" ] && echo PostgreSQL || echo H2)
mkdir -p "$OUT"
label="$(echo "$database" | tr 'A-Z' 'a-z')-${RULES}rules-${ALG}-java$(echo "$java_version" | cut -d. -f1 | cut -d+ -f1)"
[ "$DPOP" != 1 ] || label="$label-dpop-$(echo "$DPOP_ALG" | tr 'A-Z' 'a-z')"
summary="$OUT/load-$label.txt"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

bench_build package
classpath="$(bench_classpath)"
FERRY_JAR="${FERRY_JAR:-target/ferry.jar}"
[ -f "$FERRY_JAR" ] || { echo "$FERRY_JAR is missing" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/ferry-bench.XXXXXX")"
ferry_pid=""
cleanup() {
    if [ -n "$ferry_pid" ] && kill -0 "$ferry_pid" 2>/dev/null; then
        kill -TERM "$ferry_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$ferry_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$ferry_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- fixtures: issuer key, definitions, subject tokens ----------------------------------------------
log "Minting $TOKENS subject tokens (RS256) and $RULES rules ..."
"$java_cmd" -cp "$classpath" dev.ferry.bench.LoadFixtures "$work" "$TOKENS" "$RULES" "$OWNERS"

busy_before="$(bench_warn_if_busy)"

# The ceiling's JMH benchmark with N measured iterations of 2 s, output to a file.
ceiling_run() {
    "$java_cmd" -cp "$classpath" org.openjdk.jmh.Main 'CeilingBenchmark' -p alg="$ALG" \
        -f 1 -wi 2 -w 2s -i "$1" -r 2s -t 2 >"$2" 2>&1
}
ceiling_iterations() {
    sed -n 's/^Iteration *[0-9]*: *\([0-9.]*\) ops\/s.*/\1/p' "$1" | sort -g
}
median() {
    awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# A short ceiling before Ferry starts too: on a shared or throttled machine the speed of the cores
# can change during a run without any process of ours taking CPU, and only the two ceilings together
# show it (compared in the summary).
if [ -z "${CEILING_OPS:-}" ] && [ "$CEILING" = 1 ]; then
    log "Ceiling before the run (3 iterations), to detect a change of machine speed"
    ceiling_run 3 "$OUT/ceiling-before-$label.txt"
    ceiling_before=$(ceiling_iterations "$OUT/ceiling-before-$label.txt" | median)
fi

# --- start Ferry ------------------------------------------------------------------------------------
port="$(bench_free_port)"
base="http://127.0.0.1:$port"
admin_token="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
args=(
    --server.port="$port" --server.address=127.0.0.1 --ferry.issuer="$base"
    --ferry.data-dir="$work/data" --ferry.federation.allow-insecure-http=true
    --ferry.rate-limit.enabled=false --ferry.keys.algorithm="$ALG"
)
if [ -n "$PG_URL" ]; then
    log "PostgreSQL: resetting schema $SCHEMA"
    bench_postgres_reset "$PG_URL" "$SCHEMA" "$(head -c 32 /dev/urandom | base64)"
    args+=("${postgres_args[@]}")
fi

if [ "$DPOP" = 1 ]; then
    # The proofs are made before the run, so each is accepted for the whole run (their iat is when
    # they were made); each is still accepted once only.
    # One file per wrk run (the warm-up, then each level): a run starts its file from the top, and a
    # proof sent twice would be refused as a replay.
    runs=$(( 1 + $(echo $CONNECTIONS | wc -w) ))
    log "Making $(( PROOFS * runs )) DPoP proofs ($DPOP_ALG) for POST $base/token, $PROOFS for each of $runs runs ..."
    "$java_cmd" -cp "$classpath" dev.ferry.bench.DpopProofs "$work/proofs.txt" "$base/token" "$(( PROOFS * runs ))" "$DPOP_ALG"
    split -d -l "$PROOFS" "$work/proofs.txt" "$work/proofs-"
    rm "$work/proofs.txt"
    proof_run=0
    args+=(--ferry.dpop.proof-max-age=30m)
fi

# shellcheck disable=SC2206
args+=(${FERRY_ARGS:-})

log "Starting Ferry on $base ($database, $java_cmd $FERRY_JAVA_OPTS)"
gc_log="$OUT/gc-$label.log"
started_ns=$(date +%s%N)
# shellcheck disable=SC2086
FERRY_ADMIN_BOOTSTRAP_TOKEN="$admin_token" "$java_cmd" $FERRY_JAVA_OPTS "-Xlog:gc:file=$gc_log:uptime" -jar "$FERRY_JAR" "${args[@]}" >"$OUT/ferry-$label.log" 2>&1 &
ferry_pid=$!
bench_wait_ready "$ferry_pid" "$started_ns" "$base" "$OUT/ferry-$label.log"
ready_ms=$(( ($(date +%s%N) - started_ns) / 1000000 ))
log "Ready after $ready_ms ms"

# --- issuer and rules --------------------------------------------------------------------------------
import_start=$(date +%s%N)
status=$(curl -sS -o "$work/import.json" -w '%{http_code}' -X POST "$base/admin/v1/import" \
    -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' --data-binary @"$work/definitions.json")
import_ms=$(( ($(date +%s%N) - import_start) / 1000000 ))
[ "$status" = 200 ] || { echo "import answered $status: $(head -c 500 "$work/import.json")" >&2; exit 1; }
log "Imported the issuer and $RULES rules in $import_ms ms"

head -n 1 "$work/bodies.txt" | tr -d '\n' >"$work/one.txt"
status=$(curl -sS -o "$work/one.json" -w '%{http_code}' -X POST "$base/token" \
    -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$work/one.txt")
[ "$status" = 200 ] || { echo "a first exchange answered $status: $(head -c 500 "$work/one.json")" >&2; exit 1; }

# --- load ---------------------------------------------------------------------------------------------
cpu_busy_ticks() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
process_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
database_ticks() { # CPU of the local PostgreSQL server's processes, when there is one
    local total=0 pid
    for pid in $(pgrep -x postgres 2>/dev/null || true); do total=$(( total + $(process_ticks "$pid") )); done
    echo "$total"
}
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$ferry_pid/status"; }
run_wrk() { # connections duration output [url]; also writes <output>.cpu (cores used by Ferry, wrk, the database, others) and <output>.rss
    # Without a url: POST /token with the subject tokens (bench/token.lua); with one: plain GETs of it.
    local connections=$1 threads=2 start_ns busy0 ferry0 db0 busy1 ferry1 db1 seconds sampler
    [ "$connections" -ge 2 ] || threads=1
    local target=(-s bench/token.lua "$base" -- "$work/bodies.txt" "$threads")
    if [ "$DPOP" = 1 ] && [ -z "${4:-}" ]; then
        target+=("$work/proofs-$(printf %02d "$proof_run")")
        proof_run=$(( proof_run + 1 ))
    fi
    [ -z "${4:-}" ] || target=("$4")
    ( max=0; while kill -0 "$ferry_pid" 2>/dev/null; do
          r=$(rss_kb); [ "${r:-0}" -le "$max" ] || { max=$r; echo "$max" >"$3.rss"; }; sleep 0.5
      done ) &
    sampler=$!
    start_ns=$(date +%s%N); busy0=$(cpu_busy_ticks); ferry0=$(process_ticks "$ferry_pid"); db0=$(database_ticks)
    { TIMEFORMAT='%U %S'; time wrk -t"$threads" -c"$connections" -d"$2" --timeout 10s --latency "${target[@]}" >"$3" 2>"$3.err"; } 2>"$3.time"
    busy1=$(cpu_busy_ticks); ferry1=$(process_ticks "$ferry_pid"); db1=$(database_ticks)
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
    seconds=$(awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN { print (b - a) / 1e9 }')
    read -r wrk_user wrk_sys <"$3.time"
    awk -v s="$seconds" -v hz="$(getconf CLK_TCK)" -v b=$(( busy1 - busy0 )) -v f=$(( ferry1 - ferry0 )) -v d=$(( db1 - db0 )) \
        -v w="$wrk_user" -v ws="$wrk_sys" \
        'BEGIN { ferry = f / hz / s; db = d / hz / s; wrk = (w + ws) / s; other = b / hz / s - ferry - db - wrk; if (other < 0) other = 0;
                 printf "%.2f %.2f %.2f %.2f\n", ferry, wrk, db, other }' >"$3.cpu"
}
field() { sed -n "s/^BENCH .*[ ]$1=\([^ ]*\).*/\1/p" "$2"; }

if [ "$WARMUP" != 0 ]; then
    log "Warm-up: $WARMUP at 8 connections"
    run_wrk 8 "$WARMUP" "$OUT/wrk-$label-warmup.txt"
fi
results=()
open_results=()
for connections in $CONNECTIONS; do
    log "Load: $DURATION at $connections connections"
    file="$OUT/wrk-$label-c$connections.txt"
    run_wrk "$connections" "$DURATION" "$file"
    grep -q "^BENCH requests" "$file" || { echo "wrk printed no summary; see $file and $file.err" >&2; cat "$file.err" >&2; exit 1; }
    grep '^BENCH first' "$file" >&2 || true
    results+=("$connections $(field rps "$file") $(field p50_ms "$file") $(field p99_ms "$file") $(field p999_ms "$file") $(field non2xx "$file") $(field socket_errors "$file") $(cat "$file.cpu")")
    load_rss_kb=$(( $(cat "$file.rss" 2>/dev/null || echo 0) > ${load_rss_kb:-0} ? $(cat "$file.rss" 2>/dev/null || echo 0) : ${load_rss_kb:-0} ))
done

# Where the open model's tail comes from: during the measured window of the token level, the time
# Ferry itself took to answer (ferry.exchange.duration, from the controller's start), the part of it an
# issued token waited for its audit batch to commit (ferry.audit.store), the batches written and their
# mean time (ferry.audit.batch), and the collector's pauses (from the GC log). Quantiles are read from
# the metrics' histogram buckets, so they are bucket bounds (a bucket's upper edge), not exact.
histogram_quantiles() { # <metric> <before> <after>: "p50 p99" in ms, from the buckets' counts in the window
    awk -v m="$1" '
        FNR == 1 { file++ }
        index($0, m "_bucket{") == 1 {
            le = $0; sub(/.*le="/, "", le); sub(/".*/, "", le)
            if (file == 1) before[le] = $NF; else { after[le] = $NF; order[++n] = le }
        }
        END {
            total = 0
            for (i = 1; i <= n; i++) { c[i] = after[order[i]] - before[order[i]] }
            total = c[n]
            if (total <= 0) { print "n/a n/a"; exit }
            p50 = ""; p99 = ""
            for (i = 1; i <= n; i++) {
                if (p50 == "" && c[i] >= 0.5 * total) p50 = order[i]
                if (p99 == "" && c[i] >= 0.99 * total) p99 = order[i]
            }
            printf "%.1f %.1f\n", (p50 == "+Inf" ? -1 : p50 * 1000), (p99 == "+Inf" ? -1 : p99 * 1000)
        }' "$2" "$3"
}
metric_delta() { # <metric line prefix> <before> <after>: the counter's increase in the window
    awk -v m="$1" 'FNR == 1 { file++ } index($0, m) == 1 { v[file] += $NF } END { printf "%.6f", v[2] - v[1] }' "$2" "$3"
}
tail_report() {
    local b="$work/prom-before.txt" a="$work/prom-after.txt" ex st batches batch_sum gc
    ex=$(histogram_quantiles ferry_exchange_duration_seconds "$b" "$a")
    st=$(histogram_quantiles ferry_audit_store_seconds "$b" "$a")
    batches=$(metric_delta ferry_audit_batch_seconds_count "$b" "$a")
    batch_sum=$(metric_delta ferry_audit_batch_seconds_sum "$b" "$a")
    # GC pauses in the window: the log's uptime decoration against the JVM's launch.
    gc=$(awk -v from="$(( (window_start_ns - started_ns) / 1000000 ))" -v to="$(( (window_end_ns - started_ns) / 1000000 ))" '
        /Pause/ && match($0, /^\[[0-9.]+s\]/) {
            t = substr($0, 2, RLENGTH - 3) * 1000
            if (t >= from && t <= to && match($0, /[0-9.]+ms$/)) {
                ms = substr($0, RSTART, RLENGTH - 2); n++; sum += ms; if (ms > max) max = ms
            }
        }
        END { printf "%d %.1f %.1f", n, sum, max }' "$gc_log" 2>/dev/null || echo "n/a n/a n/a")
    read -r ex50 ex99 <<<"$ex"
    read -r st50 st99 <<<"$st"
    read -r gcn gcsum gcmax <<<"$gc"
    printf 'tail of the token level: Ferry answered in p50 %s / p99 %s ms (ferry.exchange.duration); an issued token waited for its audit commit p50 %s / p99 %s ms (ferry.audit.store); %s audit batches, %s ms each on average; %s GC pauses, %s ms in all, longest %s ms (bucket bounds; -1: beyond the last bucket)\n' \
        "$ex50" "$ex99" "$st50" "$st99" "$(printf '%.0f' "$batches")" \
        "$(awk -v s="$batch_sum" -v n="$batches" 'BEGIN { if (n > 0) printf "%.2f", s * 1000 / n; else print "n/a" }')" \
        "$gcn" "$gcsum" "$gcmax"
}

# Latency at a realistic load: an open model (requests sent on schedule, evenly spread, whether or not
# the earlier ones are answered), at half the saturated rate unless OPEN_RATE says otherwise, for
# POST /token and, as the floor, for the cheapest GET at the same rate.
if [ "$OPEN" = 1 ]; then
    gcc -O2 -o "$work/openload" bench/openload.c
    best=$(printf '%s\n' "${results[@]}" | awk '{ if ($2 > m) m = $2 } END { printf "%.0f", m }')
    open_rate="${OPEN_RATE:-$(( best / 2 ))}"
    for kind in token floor; do
        file="$OUT/open-$label-$kind.txt"
        log "Open model: $DURATION of $kind at $open_rate/s (after 10 s at that rate)"
        if [ "$kind" = token ]; then
            curl -fsS "$base/actuator/prometheus" >"$work/prom-before.txt" 2>/dev/null || true
            window_start_ns=$(( $(date +%s%N) + 10000000000 ))
            "$work/openload" -r "$open_rate" -d "${DURATION%s}" -w 10 -c 64 -b "$work/bodies.txt" "$base/token" >"$file"
            window_end_ns=$(date +%s%N)
            curl -fsS "$base/actuator/prometheus" >"$work/prom-after.txt" 2>/dev/null || true
            tail_line="$(tail_report)"
        else
            "$work/openload" -r "$open_rate" -d "${DURATION%s}" -w 10 -c 64 "$base/.well-known/jwks.json" >"$file"
        fi
        open_results+=("$kind $(field rate "$file") $(field achieved_rps "$file") $(field p50_ms "$file") $(field p99_ms "$file") $(field p999_ms "$file") $(field max_ms "$file") $(field non2xx "$file") $(field errors "$file") $(field late "$file")")
    done
fi

# The HTTP floor: what the same server spends on the cheapest request it has, a GET of its JWKS
# (a few hundred bytes, from memory), through the same Tomcat, filters, MVC and metrics, and what
# wrk spends sending it. No exchange can cost less than this plus its two signature operations, so
# it bounds the share of the ceiling any exchange on this stack and machine can reach.
if [ "$FLOOR" = 1 ]; then
    log "HTTP floor: $DURATION of GET /.well-known/jwks.json at 8 connections"
    floor_file="$OUT/wrk-$label-floor.txt"
    run_wrk 8 "$DURATION" "$floor_file" "$base/.well-known/jwks.json"
    floor_rps=$(sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' "$floor_file")
    read -r floor_ferry floor_wrk _ _ <"$floor_file.cpu"
    # A floor with failed requests, or none at all, bounds nothing.
    if grep -q -e 'Non-2xx' -e 'Socket errors' "$floor_file" || ! awk -v r="${floor_rps:-0}" 'BEGIN { exit !(r > 0) }'; then
        echo "WARNING: the HTTP floor run had errors or no requests (see $floor_file); no bound" >&2
        floor_rps=""
    fi
fi

# --- memory, then stop --------------------------------------------------------------------------------
peak_rss_kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$ferry_pid/status")
live_heap="$(bench_live_heap_mb "$ferry_pid" "$java_cmd")"
[ "$live_heap" = n/a ] || live_heap="$live_heap MB"
backlog=$(curl -fsS "$base/actuator/prometheus" 2>/dev/null | sed -n 's/^ferry_audit_backlog{[^}]*} \([0-9.]*\).*/\1/p' | head -n 1)

log "Stopping Ferry"
stop_start=$(date +%s%N)
kill -TERM "$ferry_pid"
wait "$ferry_pid" 2>/dev/null || true
stop_ms=$(( ($(date +%s%N) - stop_start) / 1000000 ))
ferry_pid=""

# --- ceiling --------------------------------------------------------------------------------------
ceiling="${CEILING_OPS:-}"
if [ -z "$ceiling" ] && [ "$CEILING" = 1 ]; then
    log "Ceiling: verify RS256 + sign $ALG, 2 threads (JMH)"
    ceiling_run 5 "$OUT/ceiling-$label.txt"
    # The median of the five iterations, robust to one disturbed by another process; and the spread.
    iterations=$(ceiling_iterations "$OUT/ceiling-$label.txt")
    ceiling=$(echo "$iterations" | median)
    ceiling_spread=$(echo "$iterations" | awk 'NR == 1 { min = $1 } { max = $1 } END { if (NR) printf "%.0f-%.0f", min, max }')
    if [ -n "${ceiling_before:-}" ]; then
        drift=$(awk -v a="$ceiling_before" -v b="$ceiling" 'BEGIN { d = 100 * (b - a) / a; printf "%.0f", d < 0 ? -d : d }')
    fi
fi

# --- summary ------------------------------------------------------------------------------------------
{
    echo "Ferry POST /token load test, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "database $database, $RULES rules (1 issuer), signing $ALG, JVM $java_version ($FERRY_JAVA_OPTS), $(nproc) CPUs$([ "$DPOP" != 1 ] || echo ", every exchange with a DPoP proof ($DPOP_ALG)")"
    echo "$TOKENS distinct subject tokens, $DURATION per level after a $WARMUP warm-up, wrk over loopback on the same machine"
    echo "CPUs busy before the start: ${busy_before:-n/a}%"
    echo
    printf '%-6s %8s %8s %8s %9s %8s %7s %8s   %s\n' conns 'req/s' 'p50 ms' 'p99 ms' 'p99.9 ms' 'non-2xx' 'errors' 'ceiling' 'cores: Ferry/wrk/db/other'
    for row in "${results[@]}"; do
        read -r c rps p50 p99 p999 non errs cpu_ferry cpu_wrk cpu_db cpu_other <<<"$row"
        ratio="n/a"
        [ -z "$ceiling" ] || ratio=$(awk -v r="$rps" -v c="$ceiling" 'BEGIN { printf "%.0f %%", 100 * r / c }')
        printf '%-6s %8.0f %8.2f %8.2f %9.2f %8s %7s %8s   %s / %s / %s / %s\n' "$c" "$rps" "$p50" "$p99" "$p999" "$non" "$errs" "$ratio" \
            "$cpu_ferry" "$cpu_wrk" "$cpu_db" "$cpu_other"
    done
    echo
    if awk -v rows="$(printf '%s\n' "${results[@]}" | awk '{ print $11 }')" 'BEGIN { n = split(rows, r, "\n"); for (i = 1; i <= n; i++) if (r[i] > 0.15) exit 0; exit 1 }'; then
        echo "WARNING: other processes used CPU during the load (column other): these numbers understate Ferry"
    fi
    [ -z "$ceiling" ] || printf 'ceiling (verify RS256 + sign %s, 2 threads, same JVM): %.0f ops/s, median of 5 iterations%s\n' "$ALG" "$ceiling" \
        "${ceiling_spread:+ (range $ceiling_spread)}"
    if [ -n "${drift:-}" ]; then
        printf 'ceiling before the run: %.0f ops/s (%s %% apart)\n' "$ceiling_before" "$drift"
        [ "$drift" -le 10 ] || echo "WARNING: the two ceilings differ by more than 10 %: the machine's speed may have changed during the run, and the ratios are uncertain; rerun"
    fi
    if [ -n "${floor_rps:-}" ]; then
        awk -v rps="$floor_rps" -v f="$floor_ferry" -v w="$floor_wrk" -v c="${ceiling:-}" -v n="$(nproc)" 'BEGIN {
            fus = 1e6 * f / rps; wus = 1e6 * w / rps
            printf "HTTP floor (GET /.well-known/jwks.json, 8 connections): %.0f req/s; per request %.0f us of Ferry CPU, %.0f us of wrk CPU\n", rps, fus, wus
            if (c != "") {
                # the ceiling runs 2 threads flat out, on as many CPUs as there are up to 2: the CPU time of the signatures of one exchange
                cus = 1e6 * (n < 2 ? n : 2) / c
                bound = n * 1e6 / (cus + fus + wus)
                printf "bound: signatures %.0f us + floor %.0f us + wrk %.0f us per exchange on %d CPUs: at most %.0f/s, %.0f %% of the ceiling\n", cus, fus, wus, n, bound, 100 * bound / c
            }
        }'
    fi
    if [ "${#open_results[@]}" -gt 0 ]; then
        echo
        echo "open model (constant rate, evenly spread arrivals; latency from each request's due time):"
        printf '%-6s %8s %9s %8s %8s %9s %8s %8s %7s %6s\n' what 'rate/s' 'done/s' 'p50 ms' 'p99 ms' 'p99.9 ms' 'max ms' 'non-2xx' errors late
        for row in "${open_results[@]}"; do
            read -r k r a p50 p99 p999 mx non errs lt <<<"$row"
            printf '%-6s %8s %9s %8s %8s %9s %8s %8s %7s %6s\n' "$k" "$r" "$a" "$p50" "$p99" "$p999" "$mx" "$non" "$errs" "$lt"
        done
        echo "(floor: GET /.well-known/jwks.json at the same rate; late: sends over 1 ms behind schedule)"
        [ -z "${tail_line:-}" ] || echo "$tail_line"
    fi
    echo "start-up to ready: $ready_ms ms; import of the issuer and $RULES rules: $import_ms ms"
    echo "RSS: peak under load $(( ${load_rss_kb:-0} / 1024 )) MB, peak over the whole run (VmHWM, start-up and import included) $(( ${peak_rss_kb:-0} / 1024 )) MB"
    echo "heap in use after a full GC at the end: $live_heap; audit backlog at the end: ${backlog:-n/a}"
    echo "graceful stop: $stop_ms ms"
} | tee "$summary"
log "Summary in $summary"
