#!/usr/bin/env bash
# Runs another bench script on PostgreSQL: starts the embedded PostgreSQL server the tests use
# (io.zonky embedded-postgres, fsync on, pg_stat_statements loaded) on port 55433, points the hub at it, runs the
# script, stops it. PG_DATA tells the script the server's data directory (flows.sh then reports its costs per order).
# usage: bench/postgres.sh <intake.sh|flows.sh|store.sh> [its arguments]
#   e.g. bench/postgres.sh intake.sh 20      bench/postgres.sh store.sh 20
set -euo pipefail
cd "$(dirname "$0")/.."
script=${1:?which bench: intake.sh, flows.sh or store.sh}; shift
mkdir -p target/bench
[ -f target/bench/test-classpath.txt ] || mvn -B -q dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench/test-classpath.txt
pin=(); [ "${PIN:-}" = 1 ] && pin=(taskset -c 1) # PIN=1: the server (its processes inherit it) on core 1
"${pin[@]}" java -cp "$(cat target/bench/test-classpath.txt)" bench/EmbeddedPostgresServer.java 55433 > target/bench/postgres.log 2>&1 &
pg=$!
trap 'kill $pg 2>/dev/null; wait $pg 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do grep -q '^READY' target/bench/postgres.log && break; sleep 0.5; done
grep -q '^READY' target/bench/postgres.log || { echo "PostgreSQL did not start: target/bench/postgres.log" >&2; exit 1; }
echo "on $(grep '^READY' target/bench/postgres.log | cut -d' ' -f2 | sed 's/?.*//'), embedded PostgreSQL (zonky, fsync on)"
PG_DATA=target/bench/postgres DB_URL="jdbc:postgresql://127.0.0.1:55433/postgres" DB_USER=postgres DB_PASSWORD=postgres \
  "bench/$script" "$@"
