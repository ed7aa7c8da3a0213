#!/usr/bin/env python3
"""On an idle hub: sends signed ORDER.CREATED webhooks one at a time and, from each event's trace
(/admin/events/crm/<id>), takes the time from its receipt to the end of its POST /picks (the pick
requested), measured by the hub's own clock. Prints p50 / p90 / max.
usage: one-order.py <hub-url> <crm-secret> <admin-token> [orders=30]"""
import hashlib, hmac, json, os, sys, time, urllib.request
from datetime import datetime, timezone

url, secret, token = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
count = int(sys.argv[4]) if len(sys.argv) > 4 else 30
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "schemas", "examples", "ORDER.CREATED.json")) as f:
    template = json.load(f)
run = str(int(time.time()))

def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()

took = []
for n in range(count):
    event = dict(template, event_id=f"evt_one_{run}_{n}", timestamp=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))
    event["payload"] = dict(template["payload"], order_id=f"ORD-ONE-{run}-{n}")
    body = json.dumps(event, separators=(",", ":")).encode()
    request = urllib.request.Request(url + "/webhooks/orders", body, {"Content-Type": "application/json",
        "X-Signature": hmac.new(secret, body, hashlib.sha256).hexdigest()})
    urllib.request.urlopen(request).read()
    for _ in range(500):
        time.sleep(0.01)
        trace = json.load(urllib.request.urlopen(urllib.request.Request(
            f"{url}/admin/events/crm/{event['event_id']}", headers={"Authorization": "Bearer " + token})))
        picks = [a for a in trace.get("attempts", []) if a.get("endpoint", "").endswith("/picks") and a.get("status")]
        if picks:
            end = instant(picks[0]["at"]) + (picks[0].get("durationMs") or 0) / 1000
            took.append((end - instant(trace["receivedAt"])) * 1000)
            break
    time.sleep(0.2)
took.sort()
if not took:
    sys.exit("no pick was requested: is the sandbox on?")
print(f"one order on an idle hub, 202 to pick requested ({len(took)} orders, hub clock): "
      f"p50 {took[len(took) // 2]:.1f} ms, p90 {took[int(len(took) * 0.9)]:.1f} ms, max {took[-1]:.1f} ms")
