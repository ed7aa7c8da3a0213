#!/usr/bin/env bash
# Runs the Postman collection (postman/opsbridge.postman_collection.json) with newman against a hub
# started here from the packaged target/opsbridge.jar: on 127.0.0.1, a free port from 18500 up
# (NEWMAN_HUB_PORT to start elsewhere), a fresh database under target/newman-data, delivery off,
# and the secrets and admin token of postman/ci.postman_environment.json. The hub is stopped on
# exit, whatever happens. The exit code is newman's (or 2 when the hub cannot be started).
#
#   mvn -B -q package -DskipTests && scripts/newman.sh [more newman run options, e.g. --folder Webhooks]
#
# Needs JDK 17, Node.js/npm and curl; installs newman into target/newman from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

NEWMAN_VERSION=6.2.2
HOST=127.0.0.1
JAR=target/opsbridge.jar
DATA=target/newman-data
COLLECTION=postman/opsbridge.postman_collection.json
ENVIRONMENT=postman/ci.postman_environment.json
NEWMAN=target/newman/node_modules/.bin/newman

die() { echo "newman.sh: $*" >&2; exit 2; }

[[ -f $JAR ]] || die "$JAR not found: build it first with 'mvn -B -q package -DskipTests'"
for tool in java node npm curl; do
    command -v "$tool" >/dev/null || die "$tool is not on the PATH"
done

# ---- newman, pinned, local to this checkout
if [[ ! -x $NEWMAN ]] || [[ "$("$NEWMAN" --version 2>/dev/null)" != "$NEWMAN_VERSION" ]]; then
    echo "newman.sh: installing newman@$NEWMAN_VERSION into target/newman"
    mkdir -p target/newman
    npm install --no-audit --no-fund --loglevel=error --prefix target/newman "newman@$NEWMAN_VERSION"
fi

# ---- the secrets and admin token the collection will sign and authenticate with
env_value() {
    node -e 'const e = require(require("path").resolve(process.argv[1]));
             const v = e.values.find(x => x.key === process.argv[2]);
             if (!v || !v.value) { console.error("no value for " + process.argv[2]); process.exit(1); }
             process.stdout.write(String(v.value));' "$ENVIRONMENT" "$1"
}
CRM_SECRET=$(env_value crmSecret)
TASKS_SECRET=$(env_value tasksSecret)
WMS_SECRET=$(env_value wmsSecret)
ADMIN_TOKEN=$(env_value adminToken)

# ---- a free port
port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
PORT=${NEWMAN_HUB_PORT:-18500}
for _ in $(seq 1 50); do
    port_in_use "$PORT" || break
    PORT=$((PORT + 1))
done
port_in_use "$PORT" && die "no free port on $HOST from ${NEWMAN_HUB_PORT:-18500} to $PORT"
BASE_URL="http://$HOST:$PORT"

# ---- a fresh hub
rm -rf "$DATA"
mkdir -p "$DATA"
LOG="$DATA/hub.log"
HUB_PID=

stop_hub() {
    local rc=$?
    if [[ -n $HUB_PID ]] && kill -0 "$HUB_PID" 2>/dev/null; then
        kill "$HUB_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$HUB_PID" 2>/dev/null || break
            sleep 0.2
        done
        if kill -0 "$HUB_PID" 2>/dev/null; then
            echo "newman.sh: hub (pid $HUB_PID) did not stop in 20 s; killing it" >&2
            kill -9 "$HUB_PID" 2>/dev/null || true
        fi
        wait "$HUB_PID" 2>/dev/null || true
    fi
    exit "$rc"
}
trap stop_hub EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The hub reads OPSBRIDGE_* / CAMEL_* environment variables too; drop them so only the settings below count.
unset_env=()
while IFS= read -r name; do
    unset_env+=(-u "$name")
done < <(compgen -e | grep -E '^(OPSBRIDGE|CAMEL)_' || true)

echo "newman.sh: starting the hub on $BASE_URL (log: $LOG)"
env "${unset_env[@]}" java \
    -Dcamel.server.host="$HOST" \
    -Dcamel.server.port="$PORT" \
    -Dopsbridge.public-url="$BASE_URL" \
    "-Dopsbridge.db.url=jdbc:h2:file:./$DATA/opsbridge;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE" \
    -Dopsbridge.secrets.key-file="$DATA/secrets.key" \
    -Dopsbridge.sender.crm.secrets="$CRM_SECRET" \
    -Dopsbridge.sender.tasks.secrets="$TASKS_SECRET" \
    -Dopsbridge.sender.wms.secrets="$WMS_SECRET" \
    -Dopsbridge.admin.token="$ADMIN_TOKEN" \
    -Dopsbridge.delivery.enabled=false \
    -jar "$JAR" >"$LOG" 2>&1 &
HUB_PID=$!

# Ready when the admin API answers 200 to the token (routes started, database open, token in force).
ready=false
for _ in $(seq 1 120); do
    if ! kill -0 "$HUB_PID" 2>/dev/null; then
        tail -n 40 "$LOG" >&2 || true
        die "the hub exited during start-up (log above, in full in $LOG)"
    fi
    code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' -H "Authorization: Bearer $ADMIN_TOKEN" "$BASE_URL/admin/tenants" || true)
    if [[ $code == 200 ]]; then
        ready=true
        break
    fi
    sleep 0.5
done
if [[ $ready != true ]]; then
    tail -n 40 "$LOG" >&2 || true
    die "the hub did not answer on $BASE_URL within 60 s (log above, in full in $LOG)"
fi

# ---- the collection
set +e
"$NEWMAN" run "$COLLECTION" \
    --environment "$ENVIRONMENT" \
    --env-var "baseUrl=$BASE_URL" \
    --timeout-request 15000 \
    --reporters cli,junit \
    --reporter-junit-export target/newman/junit.xml \
    "$@"
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
    echo "newman.sh: newman failed (exit $rc); the hub's log is $LOG" >&2
fi
exit "$rc"
