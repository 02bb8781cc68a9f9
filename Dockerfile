# Ferry container image.
#
#   docker build -t ferry .
#   docker run --rm -p 8080:8080 ferry                       # embedded H2, data in the /data volume
#
# On PostgreSQL set SPRING_DATASOURCE_URL/USERNAME/PASSWORD, FERRY_ISSUER and FERRY_KEYS_ENCRYPTION_KEY
# (see docs/configuration.md); docker-compose.yml and helm/ferry show both set up.

# ---------------------------------------------------------------------------------------------------
# Build stage: the code targets Java 17, so it is compiled by a Java 17 JDK.
# ---------------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build

# Dependencies and plugins first, in a layer of their own: it is rebuilt only when pom.xml changes.
# go-offline fetches the plugins; resolve fetches the dependencies exactly as the build mediates them
# (go-offline alone misses a few). Anything still missing is downloaded by the package step below.
COPY pom.xml ./
RUN mvn -B -q --no-transfer-progress dependency:go-offline dependency:resolve

# Then the sources. The tests run in CI, not here: -Dmaven.test.skip=true (rather than -DskipTests)
# also skips compiling them, so the build needs neither src/test nor examples/ (whose sample gateway
# is compiled as a test source).
COPY src/main ./src/main
COPY db ./db
RUN mvn -B --no-transfer-progress -Dmaven.test.skip=true package

# The jar extracted: /build/app/ferry.jar with its dependencies in /build/app/lib, which the runtime
# stage copies (a layer with the fat jar in it would stay in the image even if deleted later).
RUN java -Djarmode=tools -jar target/ferry.jar extract --destination /build/app

# ---------------------------------------------------------------------------------------------------
# Runtime stage: a Java 25 JRE runs the Java 17 bytecode. ECDSA signing (Ferry's default ES256, used
# for every issued token) is several times faster on recent JDKs than on 17: the P-256 arithmetic has
# been optimized and made intrinsic since. The code keeps targeting 17, so it also runs on 17 to 25.
# ---------------------------------------------------------------------------------------------------
FROM eclipse-temurin:25-jre

# The HEALTHCHECK below needs an HTTP client. The Eclipse Temurin images ship none: wget is installed
# only to download the JDK and purged in the same layer, and curl is not installed at all. A JVM per
# check is too heavy, and a bare TCP connect (bash /dev/tcp) says nothing about the application's
# health, so install curl (a few MB).
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl; \
    rm -rf /var/lib/apt/lists/*

# A fixed, non-root uid/gid (10001), the one the Helm chart's securityContext names. /data belongs to
# it: it holds the embedded H2 database and its generated encryption key (unused on PostgreSQL).
RUN set -eux; \
    groupadd --gid 10001 ferry; \
    useradd --uid 10001 --gid 10001 --no-log-init --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ferry; \
    mkdir -p /app /data; \
    chown 10001:10001 /data

# JVM options of every java run in this image, the training run below included: an AOT cache serves
# only a JVM started with the options it was made with. ParallelGC rather than G1: Ferry's work is
# CPU-bound with a small live heap, and on two cores ParallelGC gave 24 % (Java 17) to 41 % (Java 25)
# more exchanges per second than G1 (docs/performance.md). The heap is 40 % of the container's memory
# limit: the rest is for what the JVM needs besides the heap, about 270 MB (class metadata, compiled
# code, threads). Every 5 s the JVM gives the C library's freed memory back to the system
# (TrimNativeHeapInterval): memory the JIT compilers and start-up borrowed and freed stays resident
# otherwise, 13-32 MB of RSS under load, and trimming cost no measurable throughput. To change these
# options, set JDK_JAVA_OPTIONS as a whole; add others in JAVA_TOOL_OPTIONS.
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=40 -XX:+UseParallelGC -XX:TrimNativeHeapInterval=5000"

# The extracted jar, owned by root and read-only to the ferry user, and an AOT cache (JEP 483/515)
# recorded by a training run that starts Ferry on a throw-away H2 database and exits once the Spring
# context is refreshed: classes come loaded and linked from the cache, which cuts start-up from about
# 10 s to about 4 s on two cores (bench/startup.sh runs the same recipe). The training run's database,
# keys and temporary files are deleted in the same layer, so none of them is in the image; it stops
# the JVM without the usual clean-up, hence the explicit removal of Tomcat's and hsperfdata's folders.
COPY --from=build /build/app /app
RUN set -eux; \
    java -XX:AOTCacheOutput=/app/ferry.aot -Dspring.context.exit=onRefresh -jar /app/ferry.jar \
        --ferry.data-dir=/tmp/training --server.port=0; \
    rm -rf /tmp/training /tmp/tomcat.* /tmp/tomcat-docbase.* /tmp/hsperfdata_root

ENV FERRY_DATA_DIR=/data
VOLUME ["/data"]
WORKDIR /app
USER 10001:10001
EXPOSE 8080

# Liveness, not readiness: readiness includes the database, and a database outage is no reason to
# restart (or mark unhealthy) every Ferry container. docker-compose.yml checks readiness instead,
# to order start-up. Kubernetes ignores HEALTHCHECK and uses the chart's probes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${MANAGEMENT_SERVER_PORT:-${SERVER_PORT:-8080}}/actuator/health/liveness" || exit 1

# Replaces the base image's entrypoint script (it imports extra CA certificates into the JDK, which
# needs root). More JVM options (trust store, GC logging, -XX:+ExitOnOutOfMemoryError) go in
# JAVA_TOOL_OPTIONS. Should the cache not match the JVM (other options), Java warns and starts without it.
# -XX:-AOTReplayTraining: the cache also holds the method profiles of the training run (JEP 515), which
# serves no requests; compiling /token's code from those profiles left Ferry 18 % slower under load
# than without the cache (docs/performance.md). Without them the cache still loads and links the
# classes (ready in about 4 s instead of 3.5) and the JIT profiles the real traffic. It is a
# diagnostic option of Java 25: check it when the base image moves to a newer Java.
ENTRYPOINT ["java", "-XX:AOTCache=/app/ferry.aot", "-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTReplayTraining", "-jar", "/app/ferry.jar"]
