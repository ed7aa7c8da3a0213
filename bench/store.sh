#!/usr/bin/env bash
# The store alone: bench/StoreAlone.java drives the hub's own InboxWriter (the intake's INSERT, group
# commit as the hub does it) on a fresh database made by the migrations, with CALLERS waiting callers
# (default 32, as many as wrk's connections in bench/intake.sh). Its figure is the most the intake could
# store per second here; bench/intake.sh's figure is compared with it (bench/intake.sh runs this script
# itself, filled to the rows its hub held).
# usage: bench/store.sh [seconds=20]      env: DB_URL/DB_USER/DB_PASSWORD (default: the shipped H2 file
#        form, WRITE_DELAY=0, under target/bench/store), CALLERS, FILL (rows stored before the measured
#        run, default 0: a row costs more in a larger store), RATES (rows/s, e.g. "1000 2000": after the
#        saturated run, each rate open loop for the same seconds, with p50/p99/p99.9 to the commit),
#        HUB_DIR (another checkout, built: the store of its jar), PIN=1 (on core 0, as bench/intake.sh pins the hub)
# needs: `mvn -B -q package -DskipTests` first.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
dir=target/bench/store; rm -rf "$dir"; mkdir -p "$dir"
url=${DB_URL:-"jdbc:h2:file:./$dir/opsbridge;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0"}
jar_dir=${HUB_DIR:-.}/target
pin=(); [ "${PIN:-}" = 1 ] && pin=(taskset -c 0) # as bench/intake.sh pins the hub
"${pin[@]}" java -Xmx256m -cp "$jar_dir/opsbridge.jar:$jar_dir/lib/*" bench/StoreAlone.java "$url" "${DB_USER:-sa}" "${DB_PASSWORD:-}" \
  "$seconds" "${CALLERS:-32}" "${FILL:-0}" ${RATES:-} 2>&1 | grep -v " INFO \| DEBUG "
