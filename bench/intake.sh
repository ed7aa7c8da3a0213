#!/usr/bin/env bash
# Intake throughput: signed, valid, distinct ORDER.CREATED events posted with wrk to the packaged
# hub on a fresh H2 file (WRITE_DELAY=0, group commit). Prints wrk's summary and the status counts.
# usage: bench/intake.sh [connections=32] [seconds=20] [wrk-threads=2]
# HUB_OPTS adds JVM options to the hub (e.g. -Dcamel.metrics.enabled=false to compare).
# needs: wrk (apt-get install wrk), python3; run `mvn -B -q package -DskipTests` first.
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-32}; seconds=${2:-20}; threads=${3:-2}
port=18080; secret=bench-secret; out=bench/results
rm -rf "$out/data" "$out/events"; mkdir -p "$out"

java -Xmx1g ${HUB_OPTS:-} -Dcamel.server.port=$port -Dcamel.server.host=127.0.0.1 \
  -Dopsbridge.db.url="jdbc:h2:file:./$out/data/opsbridge;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0" \
  -Dopsbridge.sender.crm.secrets=$secret -Dopsbridge.sender.crm.rate-limit=0 -Dopsbridge.delivery.enabled=false \
  -jar target/opsbridge.jar > "$out/hub.log" 2>&1 &
hub=$!
trap 'kill $hub 2>/dev/null; wait $hub 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -s -o /dev/null "http://127.0.0.1:$port/webhooks/orders" && break; sleep 0.5
done

# enough distinct events that no thread wraps round to duplicates (under 12k/s here)
python3 bench/make-signed-events.py $secret "$threads" $((seconds * 12000 / threads + 10000)) "$out/events"
# warm-up: JIT and connection pool, on events the measured run does not reuse
python3 bench/make-signed-events.py $secret "$threads" 3000 "$out/warmup"
wrk -t"$threads" -c"$connections" -d5s -s bench/signed-events.lua "http://127.0.0.1:$port" -- "$out/warmup" > /dev/null
wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s bench/signed-events.lua \
  "http://127.0.0.1:$port" -- "$out/events" | tee "$out/intake-$(date -u +%Y%m%dT%H%M%SZ).txt"
