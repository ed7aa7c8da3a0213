#!/usr/bin/env bash
# Builds target/opsbridge.jsa, a class data sharing archive of the classes the hub loads while it starts
# (JDK 17 AppCDS, -XX:ArchiveClassesAtExit). `java -XX:SharedArchiveFile=target/opsbridge.jsa -jar
# target/opsbridge.jar` then maps them in already parsed and verified instead of reading them from the
# jars: about 1.5-2 s less from start to ready on 2 cores (docs/performance.md, "Start to ready").
#
# The training run is one real start of the packaged hub on the shipped application.properties, routes
# and schemas, with its data in target/cds-training (a throwaway H2 file) and on a free port. Once it is
# ready and has answered its readiness check and /metrics, it is stopped (SIGTERM), and the JVM writes the
# archive as it exits. `mvn package` runs this after the jar is built (skip it with -Dopsbridge.cds.skip).
#
# The archive belongs to this build's jar: a rebuilt jar makes the JVM print one warning and start
# without it. Without the archive file the option is ignored silently, so a training start that fails
# only warns here (the hub's own tests say why it cannot start).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jar=$root/target/opsbridge.jar
archive=$root/target/opsbridge.jsa
work=$root/target/cds-training
[ -f "$jar" ] || { echo "cds-archive: $jar is missing; run mvn package" >&2; exit 2; }
rm -rf "$work" "$archive"; mkdir -p "$work"

# The jar's path must be absolute: the archive records it, and a relative one only matches from this directory.
# A clean environment: the training start must not take the caller's CAMEL_SERVER_PORT (its health check
# would move to that port), and never an OPSBRIDGE_DB_URL (it would migrate that database).
java=$(command -v "${JAVA_HOME:+$JAVA_HOME/bin/}java")
env -i PATH="$PATH" HOME="${HOME:-/tmp}" "$java" -XX:ArchiveClassesAtExit="$archive" -Xlog:cds=off -Xlog:cds+dynamic=off \
  -Dcamel.server.port=0 -Dcamel.server.host=127.0.0.1 -Dopsbridge.data-dir="$work/data" \
  -jar "$jar" > "$work/hub.log" 2>&1 &
hub=$!
trap 'kill $hub 2>/dev/null || true' EXIT
# Without the archive the hub starts the same, only slower: a failed training warns and leaves the build alone
fail() {
  echo "cds-archive: WARNING: no class data sharing archive: $1; the training start's log: $work/hub.log" >&2
  tail -5 "$work/hub.log" >&2
  kill $hub 2>/dev/null || true
  wait $hub 2>/dev/null || true
  rm -f "$archive"
  exit 0
}

# GET of a path on the hub; true on a 200 (bash's /dev/tcp: no HTTP client needed on the build machine)
get() {
  local status
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$1" >&3
  read -r _ status _ <&3 || true
  cat <&3 > /dev/null; exec 3<&-
  [ "$status" = 200 ]
}

# Ready, then what its first callers ask (the readiness check, /metrics), so their classes are archived too
port=
for _ in $(seq 1 1200); do
  kill -0 $hub 2>/dev/null || fail "the hub exited while starting"
  port=$(sed -n 's/.*HttpServer started on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/hub.log" | head -1)
  [ -n "$port" ] && get /observe/health/ready 2>/dev/null && break
  port=; sleep 0.1
done
[ -n "$port" ] || fail "the hub was not ready within 120 s"
get /metrics || true

kill -TERM $hub
wait $hub || true
trap - EXIT
[ -s "$archive" ] || fail "the JVM wrote no archive"
echo "cds-archive: $archive ($(( $(stat -c %s "$archive") / 1048576 )) MiB)"
