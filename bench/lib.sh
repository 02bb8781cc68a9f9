# Shared by bench/jmh.sh, bench/load.sh, bench/startup.sh and bench/audit-insert.sh; sourced from the repository root.

# The java that runs benchmarks and Ferry: $JAVA, else $JAVA_HOME/bin/java, else java on the PATH.
bench_java() {
    if [ -n "${JAVA:-}" ]; then
        echo "$JAVA"
    elif [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
        echo "$JAVA_HOME/bin/java"
    else
        echo java
    fi
}

# Compiles Ferry, its tests and the benchmarks (the bench profile adds bench/jmh as test sources and
# JMH's annotation processor), packages target/ferry.jar when asked to, and writes the test
# classpath to target/bench.classpath. SKIP_BUILD=1 skips all of it.
bench_build() {
    local goal="${1:-test-compile}"
    if [ "${SKIP_BUILD:-0}" = 1 ]; then
        [ -f target/bench.classpath ] || { echo "SKIP_BUILD=1 but target/bench.classpath is missing: run once without it" >&2; return 1; }
        return 0
    fi
    echo "Building (mvn -Pbench $goal) ..." >&2
    if [ "$goal" = package ]; then
        mvn -B -q -Pbench -DskipTests package
    else
        mvn -B -q -Pbench test-compile
    fi
    mvn -B -q -Pbench dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >/dev/null
}

bench_classpath() {
    echo "target/test-classes:target/classes:$(cat target/bench.classpath)"
}

# Percent of all CPUs busy over one second, from /proc/stat (Linux); empty elsewhere. Benchmarks on
# 2 cores are only meaningful on an otherwise idle machine: the scripts print this before they start.
bench_cpu_busy() {
    [ -r /proc/stat ] || return 0
    local a b
    a=($(sed -n 's/^cpu  //p' /proc/stat))
    sleep 1
    b=($(sed -n 's/^cpu  //p' /proc/stat))
    local total=0 idle i
    for i in "${!a[@]}"; do total=$(( total + b[i] - a[i] )); done
    idle=$(( b[3] - a[3] + b[4] - a[4] ))
    if [ "$total" -gt 0 ]; then echo $(( 100 * (total - idle) / total )); fi
}

bench_warn_if_busy() {
    local busy
    busy="$(bench_cpu_busy)"
    if [ -n "$busy" ] && [ "$busy" -gt 10 ]; then
        echo "WARNING: the CPUs were ${busy}% busy before the benchmark started; other processes will skew the numbers" >&2
    fi
    echo "${busy:-}"
}

# A free TCP port on 127.0.0.1 for Ferry, outside the kernel's range of ephemeral ports (below it, or
# above it when it starts low): a port in that range can be taken, between this check and Ferry's
# bind, by an outgoing connection (wrk's, the database driver's).
bench_free_port() {
    local first=32768 last=60999 low high port
    [ -r /proc/sys/net/ipv4/ip_local_port_range ] && read -r first last </proc/sys/net/ipv4/ip_local_port_range
    if [ "$first" -gt 11000 ]; then
        low=10000 high=$first                # below the ephemeral range
    elif [ "$last" -lt 64535 ]; then
        low=$(( last + 1 )) high=65536       # above it
    else
        low=10000 high=65536                 # it covers every port: probing is all there is
    fi
    for _ in $(seq 1 50); do
        port=$(( low + RANDOM % (high - low) ))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    echo "no free port found" >&2
    return 1
}

# Waits until the Ferry of process <pid>, started at <start ns> on <base url>, answers its readiness
# probe; fails with the end of <log> if it exits first, or after 120 s. Polls every 20 ms.
bench_wait_ready() {
    local pid=$1 started=$2 base=$3 log=$4
    until curl -fsS -o /dev/null "$base/actuator/health/readiness" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || { echo "Ferry exited during start-up; see $log" >&2; tail -20 "$log" >&2; return 1; }
        [ $(( ($(date +%s%N) - started) / 1000000000 )) -lt 120 ] || { echo "Ferry not ready after 120 s" >&2; return 1; }
        sleep 0.02
    done
}

# Drops the schema <schema> of the PostgreSQL database at JDBC URL <url>
# (Flyway creates it again at Ferry's start), and sets the array postgres_args to the Ferry arguments
# that put Ferry in that schema, with the key encryption key <encryption key>.
bench_postgres_reset() {
    local url=$1 schema=$2 encryption_key=$3 separator
    command -v psql >/dev/null || { echo "psql is needed to reset the $schema schema (apt-get install -y postgresql-client)" >&2; return 1; }
    psql "${url#jdbc:}" -q -v ON_ERROR_STOP=1 -c "drop schema if exists $schema cascade" >/dev/null
    separator=$(case "$url" in *\?*) echo '&';; *) echo '?';; esac)
    postgres_args=(
        --spring.datasource.url="$url${separator}currentSchema=$schema" --spring.flyway.schemas="$schema"
        --ferry.keys.encryption-key="$encryption_key"
    )
}

# The heap in use after a full GC, in MB, of the JVM <pid> run by <java>: the sum over the heap's
# spaces (one line with G1, "garbage-first heap total ..K, used ..K"; one per generation with
# ParallelGC and SerialGC; metaspace lines have no "total"). "n/a" without jcmd.
bench_live_heap_mb() {
    local pid=$1 jcmd_cmd
    jcmd_cmd="$(dirname "$(readlink -f "$(command -v "$2")")")/jcmd"
    [ -x "$jcmd_cmd" ] || { echo n/a; return; }
    "$jcmd_cmd" "$pid" GC.run >/dev/null 2>&1 || true
    "$jcmd_cmd" "$pid" GC.heap_info 2>/dev/null | sed -n '/total/ s/.* used \([0-9]*\)K.*/\1/p' \
        | awk '{ s += $1 } END { if (NR) printf "%d\n", s / 1024; else print "n/a" }'
}
