#!/usr/bin/env bash
# The HTTP ceiling of this machine at this moment: ../shared/bench/ceiling (a bare Vert.x server that reads
# the body and answers 202), built once into target/bench/ceiling, loaded with wrk -t2 the way
# bench/intake.sh loads the hub (pre-signed ORDER.CREATED from bench/make-signed-events.py). The machine's
# speed drifts by a fifth and more over minutes, so every hub figure is printed beside the ceiling of its
# own run (bench/intake.sh, bench/flows.sh call this).
# usage: bench/ceiling.sh <events-dir> [seconds=20] [connections=32]
#        warms for 10 s on the same events, then measures; prints "<req/s> <cpu us per request>" and keeps
#        wrk's report in target/bench/ceiling.txt
# env:   HEAP (default 256m)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/proc.sh
events=$1; seconds=${2:-20}; connections=${3:-32}
out=$(pwd)/target/bench; port=18090
if [ ! -f "$out/ceiling/target/ceiling.jar" ]; then
  [ -d ../shared/bench/ceiling ] || { echo "../shared/bench/ceiling not found" >&2; exit 2; }
  rm -rf "$out/ceiling"; mkdir -p "$out"; cp -r ../shared/bench/ceiling "$out/ceiling"
  # the build's output to stderr: stdout carries only the figures, which intake.sh and flows.sh read
  mvn -q -B -f "$out/ceiling/pom.xml" package -DskipTests >&2
fi
java -Xmx${HEAP:-256m} -jar "$out/ceiling/target/ceiling.jar" $port > "$out/ceiling.log" 2>&1 &
ceiling=$!
trap 'kill $ceiling 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -s -o /dev/null http://127.0.0.1:$port/ && break; sleep 0.25; done
wrk -t2 -c"$connections" -d10s -s bench/signed-events.lua http://127.0.0.1:$port -- "$events" > /dev/null
before=$(process_ticks $ceiling)
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s bench/signed-events.lua http://127.0.0.1:$port -- "$events" > "$out/ceiling.txt"
after=$(process_ticks $ceiling)
awk -v t="$(( after - before ))" -v hz="$(getconf CLK_TCK)" '/^Requests\/sec/ {rps = $2} /requests in/ {n = $1}
  END {printf "%s %d\n", rps, (n > 0 ? t * 1000000 / hz / n : 0)}' "$out/ceiling.txt"
