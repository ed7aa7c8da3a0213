#!/usr/bin/env bash
# Start to ready: the README's `java -XX:SharedArchiveFile=target/opsbridge.jsa -jar target/opsbridge.jar` in a working directory with the shipped files, timed
# until GET /observe/health/ready answers 200; then stopped (SIGTERM) and started again on the same data.
# Each run is a new JVM. Prints every time, the median of each kind, and the peak RSS of the last run.
#   fresh:   a new H2 file (every migration runs)
#   restart: the same file again (migrations only checked)
# usage: bench/ready.sh [runs=5]
# env:   HEAP (default 256m), HUB_OPTS, DB_URL (see bench/postgres.sh; then "fresh" is only the first run),
#        JAR (another build of the hub beside target/lib, to compare; default target/opsbridge.jar),
#        CDS=off (start without the class data sharing archive; by default the one beside the jar,
#        <jar minus .jar>.jsa, is used when it exists, as the README's run command does)
# needs: curl; run `mvn -B -q package -DskipTests` first.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-5}; heap=${HEAP:-256m}; port=18095
run=$root/target/bench/ready
[ -f target/opsbridge.jar ] || { echo "run mvn -B -q package -DskipTests first" >&2; exit 2; }
jar=${JAR:-$root/target/opsbridge.jar}
cds_opt=(); [ "${CDS:-on}" != off ] && [ -f "${jar%.jar}.jsa" ] && cds_opt=(-XX:SharedArchiveFile="${jar%.jar}.jsa")
db_opt=(); [ -n "${DB_URL:-}" ] && db_opt=(-Dopsbridge.db.url="$DB_URL" -Dopsbridge.db.user="${DB_USER:-}" -Dopsbridge.db.password="${DB_PASSWORD:-}")

# one start: the milliseconds from exec to ready in $ms, the pid in $hub
hub=; ms=
start_once() {
  local t0 log=$1
  t0=$(date +%s%N)
  (cd "$run" && exec java -Xmx$heap "${cds_opt[@]}" ${HUB_OPTS:-} "${db_opt[@]}" -Dcamel.server.port=$port -Dcamel.server.host=127.0.0.1 \
    -jar "$jar" > "$log" 2>&1) &
  hub=$!
  until curl -sf -o /dev/null http://127.0.0.1:$port/observe/health/ready; do
    kill -0 $hub 2>/dev/null || { echo "the hub exited; see $log" >&2; exit 1; }
    sleep 0.1
  done
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}
stop_hub() { kill $hub; wait $hub 2>/dev/null || true; }
trap '[ -n "$hub" ] && kill $hub 2>/dev/null || true' EXIT
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

fresh=(); restart=()
for i in $(seq 1 "$runs"); do
  rm -rf "$run"; mkdir -p "$run"
  cp -r application.properties routes schemas sandbox docs templates "$run"/
  start_once "$run/fresh-$i.log"; fresh+=("$ms"); stop_hub
  start_once "$run/restart-$i.log"; restart+=("$ms")
  [ "$i" = "$runs" ] && rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$hub/status")
  stop_hub
done
echo "ready: commit $(git rev-parse --short HEAD)$(git diff --quiet || echo '+changes'), $(date -u +%FT%TZ), $(nproc) cores, heap $heap, class data sharing archive: ${cds_opt[*]:-none}"
echo "  fresh data:   ${fresh[*]} ms (median $(printf '%s\n' "${fresh[@]}" | median) ms)"
echo "  same data:    ${restart[*]} ms (median $(printf '%s\n' "${restart[@]}" | median) ms)"
echo "  peak RSS of the last start: $((rss_kb / 1024)) MiB"
