#!/usr/bin/env bash
# Flows benchmark: orders carried from a signed ORDER.CREATED to "shipped" through the sandbox CRM,
# task manager and WMS (the shipped demo), at a fixed rate for a sustained time.
# Per order: ORDER.CREATED -> task created (TASK.CREATED back) -> pick requested (PICK.CREATED back)
# -> PICK.COMPLETED after the pick delay -> task completed + CRM told "shipped": 4 inbox events,
# 5 downstream calls, 3 signed webhooks from the sandbox.
# Every 5 s it samples /metrics: orders shipped so far, backlog (received + waiting + processing) and
# its oldest age. At the end: orders/s shipped while the load ran, and the time to drain.
# With STUB=1 the CRM, task manager and WMS are bench/FlowStub.java in a process of its own instead of the
# sandbox inside the hub (same answers, same signed webhooks back): the hub's CPU per order is its own.
# With NODES=2 (PostgreSQL and STUB=1 only: bench/postgres.sh, and the sandbox lives inside one hub) two
# hubs share the database, the orders and the stub's webhooks go to each in turn, and the figures are
# both nodes' together.
# The HTTP ceiling (bench/ceiling.sh) is measured first, 10 s, and printed beside the figures: the machine's
# speed drifts by a fifth and more between runs, so compare runs by the ratio.
# usage: bench/flows.sh [orders-per-second=150] [seconds=60]
# env:   WARMUP (seconds at the same rate before the measured run, default 60), PICK_DELAY_MS (default 100),
#        HEAP (default 256m), HUB_OPTS, DB_URL (see bench/postgres.sh), STUB=1, NODES,
#        JAR (another build of the hub beside target/lib, to compare; default target/opsbridge.jar),
#        PORT (the hub's, default 18081; a second node takes PORT+10)
# needs: python3, curl; run `mvn -B -q package -DskipTests` first.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/proc.sh
root=$(pwd)
rate=${1:-150}; seconds=${2:-60}; heap=${HEAP:-256m}; port=${PORT:-18081}; nodes=${NODES:-1}
ports=($port $((port + 10))); hub_urls=http://127.0.0.1:$port
if [ "$nodes" = 2 ]; then
  [ -n "${DB_URL:-}" ] && [ "${STUB:-0}" = 1 ] || { echo "NODES=2 needs PostgreSQL and the stub: STUB=1 NODES=2 bench/postgres.sh flows.sh" >&2; exit 2; }
  hub_urls=http://127.0.0.1:$port,http://127.0.0.1:$((port + 10))
fi
out=$root/target/bench; run=$out/flows; rm -rf "$run"; mkdir -p "$run"
[ -f target/opsbridge.jar ] || { echo "run mvn -B -q package -DskipTests first" >&2; exit 2; }
cp -r application.properties routes schemas sandbox docs templates "$run"/
# the HTTP ceiling of this machine now (bench/ceiling.sh, 10 s), before anything of the hub runs
python3 bench/make-signed-events.py bench-secret 2 1000 "$run/ceiling-events" > /dev/null
read -r ceiling_rps _ < <(bench/ceiling.sh "$run/ceiling-events" 10 32)
db_opt=(); [ -n "${DB_URL:-}" ] && db_opt=(-Dopsbridge.db.url="$DB_URL" -Dopsbridge.db.user="${DB_USER:-}" -Dopsbridge.db.password="${DB_PASSWORD:-}")
# the shipped demo, with: rate limits off (a WMS sends two events per order), stock that does not run
# out (no backorders), and the pick completed PICK_DELAY_MS after it was requested
downstream_opt=(); stub=
if [ "${STUB:-0}" = 1 ]; then
  java -Xmx${STUB_HEAP:-384m} -cp "target/lib/*" bench/FlowStub.java 18082 $hub_urls demo-tasks-secret demo-wms-secret \
    "${PICK_DELAY_MS:-100}" > "$run/stub.log" 2>&1 &
  stub=$!
  downstream_opt=(-Dopsbridge.sandbox.enabled=false -Dopsbridge.crm.url=http://127.0.0.1:18082/crm
    -Dopsbridge.taskmanager.url=http://127.0.0.1:18082/tm -Dopsbridge.wms.url=http://127.0.0.1:18082/wms)
fi
hubs=()
for ((i = 0; i < nodes; i++)); do
  (cd "$run" && exec java -Xmx$heap ${HUB_OPTS:-} "${db_opt[@]}" "${downstream_opt[@]}" -Dcamel.server.port=${ports[$i]} -Dcamel.server.host=127.0.0.1 \
    -Dopsbridge.sender.crm.rate-limit=0 -Dopsbridge.sender.tasks.rate-limit=0 -Dopsbridge.sender.wms.rate-limit=0 \
    -Dopsbridge.sandbox.stock=SKU-RED-1:1000000000,SKU-BLU-7:1000000000 -Dopsbridge.sandbox.pick-delay-ms=${PICK_DELAY_MS:-100} \
    -Dopsbridge.metrics.gauge-interval-ms=1000 -Dopsbridge.reconciler.enabled=false -Dopsbridge.admin.token=bench-admin-token \
    -jar "${JAR:-$root/target/opsbridge.jar}" > "$run/hub-$((i + 1)).log" 2>&1) &
  hubs+=($!)
  trap 'kill ${hubs[*]} $stub 2>/dev/null || true' EXIT
  # one at a time: the first migrates the schema
  for _ in $(seq 1 240); do curl -s -o /dev/null http://127.0.0.1:${ports[$i]}/observe/health/ready && break; sleep 0.25; done
done
hub=${hubs[0]}

metric() { awk -v m="$1" 'index($0, m) == 1 {s += $NF} END {printf "%d", s}' "$2"; }
sample() {
  shipped=0
  for p in "${ports[@]:0:$nodes}"; do
    curl -s http://127.0.0.1:$p/metrics > "$run/metrics.txt"
    shipped=$(( shipped + $(metric 'opsbridge_event_processing_seconds_count{type="PICK.COMPLETED"' "$run/metrics.txt") ))
  done
  # the backlog is read from the database: any node's figure is the cluster's
  backlog=$(( $(metric 'opsbridge_inbox_events{state="received"' "$run/metrics.txt") \
    + $(metric 'opsbridge_inbox_events{state="waiting"' "$run/metrics.txt") \
    + $(metric 'opsbridge_inbox_events{state="processing"' "$run/metrics.txt") ))
  oldest=$(awk 'index($0, "opsbridge_inbox_oldest_age_seconds") == 1 {print $NF}' "$run/metrics.txt")
  dead=$(metric 'opsbridge_dead_letters_open' "$run/metrics.txt")
}

# warm-up: WARMUP s (default 60) at the full rate, not counted, then let it drain. A hub in service is
# warm; a cold one spends half a core and more on its JIT compilers for the first minute of such a load
# (the compiler threads' CPU while loaded is printed below, so a run can be seen to be warm).
python3 bench/send-orders.py $hub_urls demo-crm-secret "$rate" "${WARMUP:-60}" warm > "$run/warmup.txt"
for _ in $(seq 1 180); do sample; [ "$backlog" -eq 0 ] && break; sleep 1; done
shipped0=$shipped
# one order at a time on the idle (warm) hub: 202 to pick requested
python3 bench/one-order.py http://127.0.0.1:$port demo-crm-secret bench-admin-token 30
for _ in $(seq 1 60); do sample; [ "$backlog" -eq 0 ] && break; sleep 1; done
shipped0=$shipped

echo "flows on $nodes node(s): $rate orders/s for $seconds s, pick delay ${PICK_DELAY_MS:-100} ms, commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes'), $(date -u +%FT%TZ), HTTP ceiling before the hub: $ceiling_rps req/s"
printf '%6s %10s %10s %12s %6s\n' "t(s)" shipped backlog "oldest(s)" dead
# on bench/postgres.sh (PG_DATA set): the server's CPU ticks (the postmaster with its exited children, and its
# live children) and what it did (commits, WAL writes and flushes, statements: bench/PgStats.java)
pg_cpu() {
  local pm t c; pm=$(head -1 "$PG_DATA/postmaster.pid"); t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for c in $(ps -o pid= --ppid "$pm"); do t=$(( t + $(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0) )); done
  echo $t
}
pg_stats() { java -cp "$(cat target/bench/test-classpath.txt)" bench/PgStats.java "$DB_URL" "$DB_USER" "$DB_PASSWORD" "$@"; }
[ -n "${PG_DATA:-}" ] && { pg_stats reset; read -r -a pgs0 < <(pg_stats); pgcpu0=$(pg_cpu); }
python3 bench/send-orders.py $hub_urls demo-crm-secret "$rate" "$seconds" > "$run/send.txt" &
sender=$!
hubs_cpu() { local t=0; for h in "${hubs[@]}"; do t=$(( t + $(process_ticks "$h") )); done; echo $t; }
# CPU ticks of the first hub's JIT compiler threads (C1, C2)
jit_cpu() { thread_ticks "$hub" | awk -F'|' '/CompilerThre/ {t += $2} END {print t + 0}'; }
t0=$(date +%s%N); cpu0=$(hubs_cpu); jit0=$(jit_cpu)
[ -n "$stub" ] && stub0=$(process_ticks "$stub")
# the sender's end is seen within a second (the load's length is the rate's divisor); a line every 5 s
tick=0
while kill -0 $sender 2>/dev/null; do
  sleep 1; tick=$((tick + 1))
  [ $((tick % 5)) -eq 0 ] || continue
  sample
  printf '%6d %10d %10d %12s %6d\n' $(( ($(date +%s%N) - t0) / 1000000000 )) $((shipped - shipped0)) "$backlog" "$oldest" "$dead"
done
sample; loaded_s=$(( ($(date +%s%N) - t0) / 1000000 )); jit1=$(jit_cpu)
shipped_loaded=$((shipped - shipped0))
cat "$run/send.txt"
total=$(( rate * seconds ))
for _ in $(seq 1 600); do sample; [ $((shipped - shipped0)) -ge "$total" ] && break; sleep 1; done
drained_s=$(( ($(date +%s%N) - t0) / 1000000 ))
cpu1=$(hubs_cpu)
[ -n "$stub" ] && stub1=$(process_ticks "$stub")
[ -n "${PG_DATA:-}" ] && { pgcpu1=$(pg_cpu); read -r -a pgs1 < <(pg_stats); }
awk -v n="$shipped_loaded" -v ms="$loaded_s" 'BEGIN {printf "shipped while loaded: %d orders in %.1f s = %.1f orders/s\n", n, ms / 1000, n * 1000 / ms}'
awk -v n="$((shipped - shipped0))" -v ms="$drained_s" -v t="$total" 'BEGIN {printf "all shipped: %d of %d in %.1f s = %.1f orders/s\n", n, t, ms / 1000, n * 1000 / ms}'
awk -v t="$(( cpu1 - cpu0 ))" -v hz="$(getconf CLK_TCK)" -v n="$((shipped - shipped0))" -v ms="$drained_s" \
  -v what="$([ -n "$stub" ] && echo "the hub alone" || echo "sandbox included")" \
  'BEGIN {printf "hub CPU: %.1f ms per order shipped (%s), %.0f%% of the 2 cores over the run\n", t * 1000 / hz / n, what, t * 100 / hz / (ms / 1000) / 2}'
awk -v t="$(( jit1 - jit0 ))" -v hz="$(getconf CLK_TCK)" -v ms="$loaded_s" -v w="${WARMUP:-60}" \
  'BEGIN {printf "JIT compiler threads while loaded: %.0f%% of one core (after a %d s warm-up at the same rate)\n", t * 100 / hz / (ms / 1000), w}'
awk -v n="$shipped_loaded" -v ms="$loaded_s" -v c="$ceiling_rps" \
  'BEGIN {printf "orders/s while loaded / HTTP ceiling of the same run: %.1f / %s req/s = %.3f%%\n", n * 1000 / ms, c, n * 1000 / ms / c * 100}'
[ -n "$stub" ] && awk -v t="$(( stub1 - stub0 ))" -v hz="$(getconf CLK_TCK)" -v n="$((shipped - shipped0))" \
  'BEGIN {printf "stub CPU: %.1f ms per order\n", t * 1000 / hz / n}'
if [ -n "${PG_DATA:-}" ]; then
  n=$((shipped - shipped0))
  awk -v t="$(( pgcpu1 - pgcpu0 ))" -v hz="$(getconf CLK_TCK)" -v n="$n" -v ms="$drained_s" \
    -v x="$(( pgs1[0] - pgs0[0] ))" -v w="$(( pgs1[2] - pgs0[2] ))" -v f="$(( pgs1[3] - pgs0[3] ))" \
    -v b="$(( pgs1[4] - pgs0[4] ))" -v q="$(( pgs1[5] - pgs0[5] ))" \
    'BEGIN {printf "PostgreSQL per order shipped: CPU %.2f ms (%.0f%% of the 2 cores over the run), %.1f commits, %.1f WAL writes, %.1f WAL flushes, %.1f KiB of WAL, %.1f statements\n", t * 1000 / hz / n, t * 100 / hz / (ms / 1000) / 2, x / n, w / n, f / n, b / 1024 / n, q / n}'
  echo "statements called most (per order):"
  pg_stats top 25 | awk -F'\t' -v n="$n" '{printf "  %6.2f  %s\n", $1 / n, $2}'
fi
grep -E 'opsbridge_event_processing_seconds_(sum|count)\{type="(ORDER.CREATED|PICK.COMPLETED)"' "$run/metrics.txt" || true
echo "peak RSS (first node) $(( $(awk '/VmHWM/ {print $2}' "/proc/$hub/status") / 1024 )) MiB; dead letters $dead"
