#!/usr/bin/env bash
# JMH benchmarks of Ferry's in-process stages (bench/jmh), run against Ferry's own classes.
#
#   bench/jmh.sh                          # every benchmark, short defaults (a few minutes on 2 cores)
#   bench/jmh.sh Ceiling -p alg=ES256     # any JMH arguments: a benchmark regexp, -p, -t, -f, -prof gc ...
#   bench/jmh.sh -l                       # list the benchmarks
#
# Environment:
#   JAVA        the java that runs the benchmarks (default: $JAVA_HOME/bin/java, else java on the PATH);
#               e.g. JAVA=/opt/jdk-25/bin/java bench/jmh.sh Mint  to measure a newer JDK. Maven
#               always builds with its own JDK; the bytecode targets Java 17 and runs on any newer JVM.
#   SKIP_BUILD  1: reuse target/test-classes and target/bench.classpath from an earlier run.
#
# Short defaults (-f 1 -wi 2 -w 2s -i 3 -r 3s -t 2) apply to every option you do not give yourself;
# with no arguments at all the results also go to target/jmh-result.json. See bench/README.md.
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh

bench_build
bench_warn_if_busy >/dev/null
java_cmd="$(bench_java)"
echo "JMH on $("$java_cmd" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.vm.version = //p') ($java_cmd)" >&2

defaults=(-f 1 -wi 2 -w 2s -i 3 -r 3s -t 2)
given=" $* "
options=()
for ((k = 0; k < ${#defaults[@]}; k += 2)); do
    case "$given" in
        *" ${defaults[k]} "*) ;;
        *) options+=("${defaults[k]}" "${defaults[k + 1]}") ;;
    esac
done
if [ "$#" -eq 0 ]; then
    options+=(-rf json -rff target/jmh-result.json)
fi
exec "$java_cmd" -cp "$(bench_classpath)" org.openjdk.jmh.Main "${options[@]}" "$@"
