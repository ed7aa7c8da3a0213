#!/usr/bin/env bash
# Intake benchmark: the HTTP ceiling and the hub in the same run, same load tool, settings, request
# files and heap, and the ratio between them.
#   1. ceiling: bench/ceiling.sh (../shared/bench/ceiling, a bare Vert.x server that reads the body and
#      answers 202), loaded the same way;
#   2. the packaged hub on its shipped settings (H2 file under a fresh working directory, WRITE_DELAY=0:
#      every 202 durable), delivery off, the CRM's rate limit off;
#   3. saturation with wrk (-t2 -cCONNECTIONS), pre-signed ORDER.CREATED with 10% exact duplicates;
#   4. with WRK2=<path to giltene/wrk2's wrk>: latency at fixed rates (RATES, open loop), p50/p99/p99.9.
# Prints each figure with the CPU each process spent per request (a figure that survives a noisy machine
# better than req/s does).
# usage: bench/intake.sh [seconds=20] [connections=32]
# env:   WARMUP (seconds of load before the hub is measured, default 60), HUB_DIR (another checkout, built, to compare: its jar, configuration, routes and example event),
#        HUB_OPTS (more JVM options for the hub), DB_URL (a JDBC URL instead of the shipped H2 file; see
#        bench/postgres.sh), WRK2, RATES (default "1000 2000 5000"), HEAP (default 256m),
#        SCHEME=v1a (the CRM signs Standard Webhooks v1a with a fresh Ed25519 key instead of hmac-sha256;
#        needs openssl and python3-cryptography; the CRM's tolerance is raised to 3600 s so that signing the
#        request files, slower than HMAC, cannot make them stale),
#        NODES=2 (PostgreSQL only, bench/postgres.sh): two hubs on the one database, each loaded by a wrk of
#        its own with half the connections and its own events; the hub's figures are both nodes' together),
#        NO_STORE=1 (a decomposition, not the product: the intake route answers 202 where it would store
#        the event, so the figures are those of HTTP, Camel, signature, parsing and schemas alone),
#        PIN=1 (latency with its parts apart: the hub, and the store alone after it, on core 0 by
#        taskset; wrk, wrk2 and, with bench/postgres.sh, the PostgreSQL server on core 1)
# On the H2 file (no DB_URL, one node) the store alone (bench/store.sh) runs last, filled first to the rows
# the hub held when it was measured and loaded the same way (saturated, then RATES), and the hub's stored
# rows/s are printed as a share of it: the store's own limit beside the intake's, same run.
# needs: wrk (apt-get install wrk), python3, curl; run `mvn -B -q package -DskipTests` first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-20}; connections=${2:-32}; threads=2
heap=${HEAP:-256m}; rates=${RATES:-1000 2000 5000}
pin_hub=(); pin_load=()
[ "${PIN:-}" = 1 ] && { pin_hub=(taskset -c 0); pin_load=(taskset -c 1); }
out=$root/target/bench; secret=bench-secret
hub_dir=${HUB_DIR:-$root}; example=$hub_dir/schemas/examples/ORDER.CREATED.json
mkdir -p "$out"
[ -f target/opsbridge.jar ] || { echo "run mvn -B -q package -DskipTests first" >&2; exit 2; }
command -v wrk > /dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 2; }

. bench/proc.sh
tick=$(getconf CLK_TCK)
wait_up() { for _ in $(seq 1 240); do curl -s -o /dev/null "$1" && return 0; sleep 0.25; done; echo "no answer from $1" >&2; exit 1; }
# one wrk run against $1 with the request files in $2; prints "req/s cpu_us_per_request" of process $3
measure() {
  local url=$1 events=$2 pid=$3 label=$4 before after report
  before=$(process_ticks "$pid"); thread_ticks "$pid" > "$out/$label.threads0"
  report=$("${pin_load[@]}" wrk -t$threads -c"$connections" -d"${seconds}s" --latency -s bench/signed-events.lua "$url" -- "$events")
  after=$(process_ticks "$pid"); thread_ticks "$pid" > "$out/$label.threads1"
  echo "$report" > "$out/$label.txt"
  local rps; rps=$(echo "$report" | awk '/^Requests\/sec/ {print $2}')
  local total; total=$(echo "$report" | awk '/requests in/ {print $1}')
  echo "$rps $(( (after - before) * 1000000 / tick / (total > 0 ? total : 1) ))"
}
pct() { awk -v p="$2" '$1 == p {print $2}' "$1"; }

sender_opts=(-Dopsbridge.sender.crm.secrets=$secret)
if [ "${SCHEME:-hmac}" = v1a ]; then
  openssl genpkey -algorithm ed25519 -out "$out/ed25519.pem"
  public_key="whpk_$(openssl pkey -in "$out/ed25519.pem" -pubout -outform DER | tail -c 32 | base64)"
  secret="ed25519:$out/ed25519.pem"
  sender_opts=(-Dopsbridge.sender.crm.scheme=standard-webhooks -Dopsbridge.sender.crm.secrets= \
    -Dopsbridge.sender.crm.public-keys="$public_key" -Dopsbridge.sender.crm.tolerance-seconds=3600)
fi

nodes=${NODES:-1}
[ "$nodes" = 1 ] || [ -n "${DB_URL:-}" ] || { echo "NODES=2 needs PostgreSQL: NODES=2 bench/postgres.sh intake.sh" >&2; exit 2; }
events_per_thread=$(( seconds * 15000 / threads + 20000 ))
python3 bench/make-signed-events.py $secret $((threads * nodes)) 100000 "$out/warmup" 0 "$example"
python3 bench/make-signed-events.py $secret $((threads * nodes)) $events_per_thread "$out/events" 10 "$example"
# the second node's wrk reads threads 2 and 3 of the same run (ids never repeat across threads)
for set in warmup events; do
  rm -rf "$out/$set-b"; mkdir -p "$out/$set-b"
  for ((t = 0; t < threads; t++)); do
    [ -f "$out/$set/events-$((t + threads)).tsv" ] && mv "$out/$set/events-$((t + threads)).tsv" "$out/$set-b/events-$t.tsv"
  done
done

# ---- 1. the ceiling
read -r ceiling_rps ceiling_cpu < <(bench/ceiling.sh "$out/events" "$seconds" "$connections")

# ---- 2. the hub, on its shipped settings in a fresh working directory
run=$out/hub; rm -rf "$run"; mkdir -p "$run"
(cd "$hub_dir" && cp -r application.properties routes schemas sandbox docs $(ls -d templates 2>/dev/null) "$run"/)
if [ "${NO_STORE:-}" = 1 ]; then
  python3 - "$run/routes/webhook-intake.yaml" <<'PY'
import sys
path = sys.argv[1]; route = open(path).read(); cut = route.find("          - idempotentConsumer:")
if cut < 0: sys.exit("NO_STORE: no idempotentConsumer step in " + path)
open(path, "w").write(route[:cut] + "          - process:\n              ref: acceptedReply\n")
PY
fi
db_opt=(); [ -n "${DB_URL:-}" ] && db_opt=(-Dopsbridge.db.url="$DB_URL" -Dopsbridge.db.user="${DB_USER:-}" -Dopsbridge.db.password="${DB_PASSWORD:-}")
start=$(date +%s%N)
ports=(18080 18085); hubs=()
for ((i = 0; i < nodes; i++)); do
  (cd "$run" && exec "${pin_hub[@]}" java -Xmx$heap -Xlog:gc:file="$run/gc-$((i + 1)).log" ${HUB_OPTS:-} "${db_opt[@]}" -Dcamel.server.port=${ports[$i]} -Dcamel.server.host=127.0.0.1 \
    "${sender_opts[@]}" -Dopsbridge.sender.crm.rate-limit=0 -Dopsbridge.delivery.enabled=false \
    -jar "$hub_dir/target/opsbridge.jar" > "$run/hub-$((i + 1)).log" 2>&1) &
  hubs+=($!)
  wait_up http://127.0.0.1:${ports[$i]}/observe/health/ready # one at a time: the first migrates the schema
done
hub=${hubs[0]}
trap 'kill ${hubs[*]} 2>/dev/null || true' EXIT
ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
if [ "$nodes" = 1 ]; then
  "${pin_load[@]}" wrk -t$threads -c"$connections" -d${WARMUP:-60}s -s bench/signed-events.lua http://127.0.0.1:18080 -- "$out/warmup" > "$out/warmup.txt"
  gc_lines=$(wc -l < "$run/gc-1.log")
  read -r hub_rps hub_cpu < <(measure http://127.0.0.1:18080 "$out/events" $hub hub)
  # allocated per request: heap before each collection minus after the one before it, over the run
  # (G1's log, in MB; the young generation left unfilled at each end makes it about a tenth uncertain)
  alloc_kb=$(awk -v skip="$gc_lines" -v n="$(awk '/requests in/ {print $1}' "$out/hub.txt")" '
    match($0, /[0-9]+M->[0-9]+M[(]/) {
      split(substr($0, RSTART, RLENGTH - 1), mb, "->")
      if (NR > skip && prev != "") sum += mb[1] - prev
      prev = mb[2] + 0 }
    END {printf "%.0f", (n > 0 ? sum * 1024 / n : 0)}' "$run/gc-1.log")
else
  # one wrk per node, half the connections each, at the same time; CPU is both hubs' per request
  "${pin_load[@]}" wrk -t$threads -c$((connections / 2)) -d${WARMUP:-60}s -s bench/signed-events.lua http://127.0.0.1:18080 -- "$out/warmup" > /dev/null &
  first=$!
  "${pin_load[@]}" wrk -t$threads -c$((connections / 2)) -d${WARMUP:-60}s -s bench/signed-events.lua http://127.0.0.1:18085 -- "$out/warmup-b" > /dev/null
  wait $first
  before=$(( $(process_ticks ${hubs[0]}) + $(process_ticks ${hubs[1]}) ))
  "${pin_load[@]}" wrk -t$threads -c$((connections / 2)) -d"${seconds}s" --latency -s bench/signed-events.lua http://127.0.0.1:18080 -- "$out/events" > "$out/hub.txt" &
  first=$!
  "${pin_load[@]}" wrk -t$threads -c$((connections / 2)) -d"${seconds}s" --latency -s bench/signed-events.lua http://127.0.0.1:18085 -- "$out/events-b" > "$out/hub-b.txt"
  wait $first
  after=$(( $(process_ticks ${hubs[0]}) + $(process_ticks ${hubs[1]}) ))
  hub_rps=$(awk '/^Requests\/sec/ {s += $2} END {printf "%.2f", s}' "$out/hub.txt" "$out/hub-b.txt")
  total2=$(awk '/requests in/ {s += $1} END {print s}' "$out/hub.txt" "$out/hub-b.txt")
  hub_cpu=$(( (after - before) * 1000000 / tick / total2 ))
  echo "two nodes: $(awk '/^Requests\/sec/ {print $2}' "$out/hub.txt") + $(awk '/^Requests\/sec/ {print $2}' "$out/hub-b.txt") req/s"
fi
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$hub/status")

echo
echo "$nodes node(s)$([ "${PIN:-}" = 1 ] && echo ', pinned: hub on core 0, load and database on core 1'); commit $(git -C "$hub_dir" rev-parse --short HEAD)$(git -C "$hub_dir" diff --quiet || echo '+changes')  $(date -u +%FT%TZ)  $(nproc) cores  wrk -t$threads -c$connections -d${seconds}s  heap $heap  signature ${SCHEME:-hmac}  load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %10s %12s   %s\n' "" "req/s" "cpu us/req" "answers"
printf '%-10s %10s %12s   %s\n' ceiling "$ceiling_rps" "$ceiling_cpu" "$(grep '^status' "$out/ceiling.txt" | tr '\n' ' ')"
printf '%-10s %10s %12s   %s\n' hub "$hub_rps" "$hub_cpu" "$(cat "$out"/hub.txt $([ "$nodes" = 2 ] && echo "$out/hub-b.txt") | grep '^status' | tr '\n' ' ')"
awk -v h="$hub_rps" -v c="$ceiling_rps" 'BEGIN {printf "hub / ceiling: %.1f%%\n", 100 * h / c}'
echo "hub latency (saturated$([ "$nodes" = 2 ] && echo ', first node')): p50 $(pct "$out/hub.txt" 50%)  p99 $(pct "$out/hub.txt" 99%)"
[ "$nodes" = 1 ] && echo "hub allocated per request: about ${alloc_kb} KB (from its GC log: a steadier figure than CPU on a noisy machine)"
if [ "$nodes" = 1 ]; then
  total=$(awk '/requests in/ {print $1}' "$out/hub.txt")
  echo "hub CPU per request by thread (us):"
  awk -F'|' -v n="$total" -v tick="$tick" 'NR == FNR {a[$1] = $2; next} {d = $2 - a[$1]; if (d > 0) printf "  %8.1f  %s\n", d * 1e6 / tick / n, $1}' \
    "$out/hub.threads0" "$out/hub.threads1" | sort -rn | head -8
fi
echo "hub ready after ${ready_ms} ms; peak RSS $((rss_kb / 1024)) MiB"

# ---- 3. latency at fixed rates (open loop)
if [ -n "${WRK2:-}" ]; then
  for rate in $rates; do
    python3 bench/make-signed-events.py $secret $threads $(( rate * 45 / threads + 1000 )) "$out/rate-$rate" 10 "$example"
    "${pin_load[@]}" "$WRK2" -t$threads -c"$connections" -d40s -R"$rate" --latency -s bench/signed-events.lua \
      http://127.0.0.1:18080 -- "$out/rate-$rate" > "$out/hub-rate-$rate.txt"
    awk -v r="$rate" '/^ *50.000%/ {p50=$2} /^ *99.000%/ {p99=$2} /^ *99.900%/ {p999=$2} /^Requests\/sec/ {rps=$2}
      END {printf "fixed %5d req/s: achieved %s  p50 %s  p99 %s  p99.9 %s\n", r, rps, p50, p99, p999}' "$out/hub-rate-$rate.txt"
  done
fi

# ---- 4. the store alone, same rows: filled to what the hub held when measured, then loaded the same way
if [ "$nodes" = 1 ] && [ -z "${DB_URL:-}" ] && [ "${NO_STORE:-}" != 1 ]; then
  kill "$hub"; wait "$hub" 2>/dev/null || true
  held=$(awk '/^status 202:/ {print $3}' "$out/warmup.txt")
  stored=$(awk '/^status 202:/ {print $3}' "$out/hub.txt")
  HUB_DIR=$hub_dir FILL=${held:-0} CALLERS=$connections RATES="$([ -n "${WRK2:-}" ] && echo "$rates")" \
    bench/store.sh "$seconds" | tee "$out/store.txt"
  awk -v s="${stored:-0}" -v t="$seconds" '/^store alone: / {sub(/ rows\/s.*/, ""); sub(/.*= /, "");
    printf "hub stored %.0f rows/s (its 202s) = %.0f%% of the store alone, same rows held before\n", s / t, 100 * s / t / $0}' "$out/store.txt"
fi
