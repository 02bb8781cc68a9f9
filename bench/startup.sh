#!/usr/bin/env bash
# Start-up to ready of one Ferry replica, three ways, on the same JVM:
#
#   jar        java -jar target/ferry.jar (the fat jar, as `mvn package` builds it)
#   extracted  the same jar extracted with `java -Djarmode=tools -jar ferry.jar extract`, as the
#              container image runs it
#   archive    the extracted jar with the class archive of a training run, as the container image
#              runs it: on Java 25 and newer an AOT cache (-XX:AOTCacheOutput, then -XX:AOTCache with
#              -XX:-AOTReplayTraining: the training run's profiles not replayed, as in the image),
#              on older JVMs a CDS archive (-XX:ArchiveClassesAtExit, then -XX:SharedArchiveFile).
#              The training run starts Ferry and exits once its context is refreshed
#              (-Dspring.context.exit=onRefresh), exactly as the Dockerfile does it.
#
# Each start gets an empty H2 data directory, so it includes the database migrations and the
# generation of the first signing key: the slowest start there is. Start-up is from launching the
# JVM until /actuator/health/readiness answers 200. Prints min / median / max per variant and the
# RSS once ready.
#
# Environment: JAVA (else JAVA_HOME, else java on the PATH), RUNS [5], FERRY_JAVA_OPTS [-Xmx160m -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000],
# OUT [target/bench], SKIP_BUILD=1 to reuse target/ferry.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

RUNS="${RUNS:-5}"
FERRY_JAVA_OPTS="${FERRY_JAVA_OPTS:--Xmx160m -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000}"
OUT="${OUT:-target/bench}"
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 1; }

java_cmd="$(bench_java)"
java_version="$("$java_cmd" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.version = //p')"
java_major="$(echo "$java_version" | cut -d. -f1 | cut -d+ -f1)"
mkdir -p "$OUT"
summary="$OUT/startup-java$java_major.txt"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "Building (mvn package) ..." >&2
    mvn -B -q -DskipTests package
fi
[ -f target/ferry.jar ] || { echo "target/ferry.jar is missing" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/ferry-startup.XXXXXX")"
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$java_cmd" -Djarmode=tools -jar target/ferry.jar extract --destination "$work/app" >/dev/null
if [ "$java_major" -ge 25 ]; then
    archive="$work/app/ferry.aot"
    archive_make=(-XX:AOTCacheOutput="$archive")
    archive_use=(-XX:AOTCache="$archive" -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining)
else
    archive="$work/app/ferry.jsa"
    archive_make=(-XX:ArchiveClassesAtExit="$archive")
    archive_use=(-XX:SharedArchiveFile="$archive")
fi
echo "Training run (${archive_make[*]}) ..." >&2
# shellcheck disable=SC2086
"$java_cmd" $FERRY_JAVA_OPTS "${archive_make[@]}" -Dspring.context.exit=onRefresh -jar "$work/app/ferry.jar" \
    --ferry.data-dir="$work/training" --server.port=0 >"$work/training.log" 2>&1 \
    || { echo "the training run failed:" >&2; tail -20 "$work/training.log" >&2; exit 1; }

busy_before="$(bench_warn_if_busy)"

# Starts Ferry with the given java arguments, prints "<ms to ready> <RSS MB>", stops it.
start_once() {
    local port data started ms rss
    port="$(bench_free_port)"
    data="$work/data-$RANDOM"
    started=$(date +%s%N)
    # shellcheck disable=SC2086
    "$java_cmd" $FERRY_JAVA_OPTS "$@" --server.port="$port" --server.address=127.0.0.1 \
        --ferry.issuer="http://127.0.0.1:$port" --ferry.data-dir="$data" >"$work/run.log" 2>&1 &
    pid=$!
    bench_wait_ready "$pid" "$started" "http://127.0.0.1:$port" "$work/run.log" || exit 1
    ms=$(( ($(date +%s%N) - started) / 1000000 ))
    rss=$(( $(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status") / 1024 ))
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    pid=""
    rm -rf "$data"
    echo "$ms $rss"
}

# min / median / max of the numbers on stdin
stats() {
    sort -n | awk '{ v[NR] = $1 } END { printf "%d / %d / %d", v[1], v[int((NR + 1) / 2)], v[NR] }'
}

report() {
    local name="$1" file="$2"
    printf '%-10s %-22s %s\n' "$name" "$(cut -d' ' -f1 "$file" | stats)" "$(cut -d' ' -f2 "$file" | stats)"
}

: >"$work/jar.txt"; : >"$work/extracted.txt"; : >"$work/archive.txt"
for i in $(seq 1 "$RUNS"); do
    echo "Run $i of $RUNS ..." >&2
    start_once -jar target/ferry.jar >>"$work/jar.txt"
    start_once -jar "$work/app/ferry.jar" >>"$work/extracted.txt"
    start_once "${archive_use[@]}" -jar "$work/app/ferry.jar" >>"$work/archive.txt"
done

{
    echo "Ferry start-up to ready, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "JVM $java_version ($FERRY_JAVA_OPTS), $(nproc) CPUs, $RUNS runs each, an empty H2 database each time"
    echo "CPUs busy before the start: ${busy_before:-?}%"
    echo
    printf '%-10s %-22s %s\n' variant "ready ms min/med/max" "RSS MB when ready min/med/max"
    report jar "$work/jar.txt"
    report extracted "$work/extracted.txt"
    report archive "$work/archive.txt"
    echo
    echo "archive: ${archive_use[*]##*/} ($(du -m "$archive" | cut -f1) MB)"
} | tee "$summary"
echo "Summary in $summary" >&2
