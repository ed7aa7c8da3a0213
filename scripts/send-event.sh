#!/usr/bin/env bash
# Sends a signed webhook to a running hub, as a vendor would: the event's timestamp is set to now,
# the body is signed (hmac-sha256, X-Signature) with the sender's first configured secret, and the
# hub's answer is printed.
#   scripts/send-event.sh <crm|tasks|wms> <event.json> [event_id | --as-is]
#   e.g. scripts/send-event.sh crm schemas/examples/ORDER.CREATED.json
# The exact bytes sent are kept in target/last-<sender>-event.json; send them again unchanged, as a
# vendor's retry does, with: scripts/send-event.sh crm target/last-crm-event.json --as-is
# The secret comes from OPSBRIDGE_SENDER_<SENDER>_SECRETS, else from application.properties.
# The hub's address is HUB, else http://localhost:$CAMEL_SERVER_PORT (the port the hub reads too; 8080 when unset).
set -euo pipefail
cd "$(dirname "$0")/.."
sender=${1:?sender: crm, tasks or wms}; file=${2:?event JSON file}; event_id=${3:-}
case "$sender" in
  crm) path=/webhooks/orders ;; tasks) path=/webhooks/tasks ;; wms) path=/webhooks/wms ;;
  *) echo "unknown sender $sender (crm, tasks, wms)" >&2; exit 2 ;;
esac
var="OPSBRIDGE_SENDER_$(echo "$sender" | tr a-z A-Z)_SECRETS"
secrets=${!var:-$(sed -n "s/^opsbridge\.sender\.$sender\.secrets *= *//p" application.properties)}
secret=${secrets%%,*}
[ -n "$secret" ] || { echo "no secret for $sender: set $var" >&2; exit 2; }

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
if [ "$event_id" = "--as-is" ]; then
  body=$(cat "$file"); event_id=""
else
  body=$(tr -d '\n' < "$file" | sed -E "s/\"timestamp\": *\"[^\"]*\"/\"timestamp\": \"$now\"/")
fi
if [ -n "$event_id" ]; then
  body=$(printf '%s' "$body" | sed -E "s/\"event_id\": *\"[^\"]*\"/\"event_id\": \"$event_id\"/")
fi
mkdir -p target && printf '%s' "$body" > "target/last-$sender-event.json.tmp" && mv "target/last-$sender-event.json.tmp" "target/last-$sender-event.json"
signature=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$secret" | sed 's/^.* //')
curl -sS -X POST "${HUB:-http://localhost:${CAMEL_SERVER_PORT:-8080}}$path" -H 'Content-Type: application/json' \
  -H "X-Signature: $signature" --data-binary "$body"
echo
