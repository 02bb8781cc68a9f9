#!/usr/bin/env bash
# What one exchange's audit event costs PostgreSQL and Ferry to write, by the size of the batch it
# is written in: Ferry's own audit insert into a scratch schema (ferry_insert_cost, dropped first and
# after), 20,000 events per batch size (1, 2, 4, 16, 64, 500). The database's CPU time is read from
# /proc, so it is only meaningful with PostgreSQL on this machine. See bench/README.md.
#
#   FERRY_TEST_POSTGRES_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres' bench/audit-insert.sh [events]
#
# Environment: FERRY_TEST_POSTGRES_URL (required), JAVA, SKIP_BUILD=1 (as bench/jmh.sh).
set -euo pipefail

cd "$(dirname "$0")/.."
. bench/lib.sh

[ -n "${FERRY_TEST_POSTGRES_URL:-}" ] || { echo "set FERRY_TEST_POSTGRES_URL to a PostgreSQL JDBC URL" >&2; exit 2; }
bench_build
bench_warn_if_busy >/dev/null
"$(bench_java)" -cp "$(bench_classpath)" dev.ferry.audit.AuditInsertCost "$FERRY_TEST_POSTGRES_URL" "${1:-20000}"
