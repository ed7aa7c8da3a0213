#!/usr/bin/env bash
# The H2 file against what it holds: the file on disk beside H2's own SHUTDOWN COMPACT of a copy of it
# (all live data rewritten into a fresh file), after a load and a clean stop (SIGTERM; the hub compacts
# on stop, then H2 closes the file).
#   bench/h2-size.sh flows [orders/s=150] [seconds=60]
#       bench/flows.sh with these arguments (its hub stops cleanly when it ends), then the file.
#   bench/h2-size.sh intake [events=1000000] [idle-seconds=0] [connections=32]
#       the packaged hub on its shipped settings in a fresh directory, delivery off (the events simply
#       accumulate), rate limit off; wrk sends each of EVENTS pre-signed ORDER.CREATED (distinct ids) once,
#       saturated (the fastest the file grows); the file while the hub runs, then again every 60 s for
#       IDLE seconds of idleness, then the clean stop and the file.
#   bench/h2-size.sh file <path to an .mv.db no process has open>
#       the figures of that file alone.
# Prints each figure with the commit and the date. Needs wrk, python3, curl; `mvn -B -q package -DskipTests`
# first. 1,000,000 events take about 1 GB of request files in target/bench/h2-size and a few GB of disk.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-flows}; shift || true
out=$root/target/bench; h2jar=$(ls "$root"/target/lib/h2-*.jar | head -1)
[ -f target/opsbridge.jar ] || { echo "run mvn -B -q package -DskipTests first" >&2; exit 2; }
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1048576}'; }
# waits until no process has the file open, nor the copy H2 writes beside it on stop (<file>.tempFile,
# renamed over the file at the end): the hub has closed it
wait_closed() {
  local file; file=$(readlink -f "$1")
  for _ in $(seq 1 600); do
    ls -l /proc/[0-9]*/fd/ 2>/dev/null | grep -qF -- "-> $file" || [ -e "$file.tempFile" ] || return 0
    sleep 0.5
  done
  echo "$file still open after 300 s" >&2; exit 1
}
# the file, and H2's SHUTDOWN COMPACT of a copy of it, and the ratio
report() { # <file> <label>
  local db=$1 label=$2 copy
  copy=$(mktemp -d "$out/h2-size-copy.XXXXXX"); cp "$db" "$copy/opsbridge.mv.db"
  local size; size=$(stat -c %s "$db")
  local url="jdbc:h2:file:$copy/opsbridge;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH"
  local rows; rows=$(java -cp "$h2jar" org.h2.tools.Shell -url "$url" -user sa -sql "SELECT COUNT(*) FROM inbox_event" | sed -n 2p | tr -d ' ')
  local t0; t0=$(date +%s%N)
  java -cp "$h2jar" org.h2.tools.Shell -url "$url" -user sa -sql "SHUTDOWN COMPACT" > /dev/null
  local compacted; compacted=$(stat -c %s "$copy/opsbridge.mv.db")
  echo "$label: commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes'), $(date -u +%FT%TZ): inbox_event rows $rows;" \
    "H2 file $(mb "$size"); SHUTDOWN COMPACT of a copy $(mb "$compacted") ($(( ($(date +%s%N) - t0) / 1000000 )) ms);" \
    "file / compacted $(awk -v a="$size" -v b="$compacted" 'BEGIN {printf "%.2f", a / b}')"
  rm -rf "$copy"
}

if [ "$mode" = file ]; then
  wait_closed "$1"
  report "$1" "$1"
  exit 0
fi
if [ "$mode" = flows ]; then
  bench/flows.sh "$@"
  wait_closed "$out/flows/data/opsbridge.mv.db"
  report "$out/flows/data/opsbridge.mv.db" "after bench/flows.sh $* and a clean stop"
  exit 0
fi
[ "$mode" = intake ] || { echo "usage: bench/h2-size.sh flows [orders/s] [seconds] | intake [events] [idle-seconds] [connections] | file <.mv.db>" >&2; exit 2; }
command -v wrk > /dev/null || { echo "wrk missing: apt-get install -y wrk" >&2; exit 2; }
events=${1:-1000000}; idle=${2:-0}; connections=${3:-32}; port=18083
run=$out/h2-size; rm -rf "$run"; mkdir -p "$run"
cp -r application.properties routes schemas sandbox docs templates "$run"/
python3 bench/make-signed-events.py bench-secret 2 $(( (events + 1) / 2 )) "$run/events" 0 > /dev/null
(cd "$run" && exec java -Xmx256m ${HUB_OPTS:-} -Dcamel.server.port=$port -Dcamel.server.host=127.0.0.1 \
  -Dopsbridge.sender.crm.secrets=bench-secret -Dopsbridge.sender.crm.rate-limit=0 -Dopsbridge.sender.crm.tolerance-seconds=86400 \
  -Dopsbridge.delivery.enabled=false -Dopsbridge.reconciler.enabled=false \
  -jar "$root/target/opsbridge.jar" > "$run/hub.log" 2>&1) &
hub=$!
trap 'kill $hub 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do curl -s -o /dev/null http://127.0.0.1:$port/observe/health/ready && break; sleep 0.25; done
db=$run/data/opsbridge.mv.db
t0=$(date +%s)
wrk -t2 -c"$connections" -d24h --timeout 60s -s bench/signed-events.lua http://127.0.0.1:$port -- "$run/events" once > "$run/wrk.txt" &
sender=$!
accepted() { curl -s http://127.0.0.1:$port/metrics | awk 'index($0, "opsbridge_webhooks_total{outcome=\"accepted\"") == 1 {s += $NF} END {printf "%d", s}'; }
n=0; last=-1; still=0
while kill -0 $sender 2>/dev/null; do
  sleep 5; n=$((n + 1))
  stat -c %s "$db" >> "$run/sizes"
  # a thread whose last answers were lost would wait forever: the hub's own count ends the load, when it
  # reaches EVENTS or has not moved for 30 s
  now=$(accepted); if [ "$now" = "$last" ]; then still=$((still + 1)); else still=0; last=$now; fi
  if [ "$now" -ge "$events" ] || [ $still -ge 6 ]; then sleep 2; kill $sender 2>/dev/null || true; fi
  [ $((n % 6)) -eq 0 ] && echo "  $(( $(date +%s) - t0 )) s: $(accepted) accepted, H2 file $(mb "$(stat -c %s "$db")")"
done
wait $sender || true
loaded_s=$(( $(date +%s) - t0 ))
echo "sent $events events in $loaded_s s: $(accepted) accepted (the hub's count)"
echo "H2 file at the end of the load, hub running: $(mb "$(stat -c %s "$db")"); largest seen (every 5 s) $(mb "$(sort -n "$run/sizes" | tail -1)")"
for ((s = 60; s <= idle; s += 60)); do
  sleep 60
  echo "  idle $s s: H2 file $(mb "$(stat -c %s "$db")")"
done
kill $hub; wait $hub 2>/dev/null || true
trap - EXIT
wait_closed "$db"
report "$db" "after $events events (wrk -c$connections, saturated), ${idle} s idle and a clean stop"
