#!/usr/bin/env python3
"""Sends signed ORDER.CREATED webhooks (schemas/examples/ORDER.CREATED.json, fresh ids, hmac-sha256) at a
fixed rate over keep-alive connections, as a CRM would, and prints how they were answered.
With several hub URLs (comma separated: the nodes of a cluster) the senders share them out.
usage: send-orders.py <hub-url>[,<hub-url>…] <secret> <orders-per-second> <seconds> [run-id]"""
import hashlib, hmac, http.client, json, os, sys, threading, time, urllib.parse
from datetime import datetime, timezone

url, secret, rate, seconds = sys.argv[1], sys.argv[2].encode(), float(sys.argv[3]), float(sys.argv[4])
run = sys.argv[5] if len(sys.argv) > 5 else str(int(time.time()))
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "schemas", "examples", "ORDER.CREATED.json")) as f:
    template = json.load(f)
targets = [urllib.parse.urlparse(u) for u in url.split(",")]
total = int(rate * seconds)
# each sender waits for its answer before the next request: enough of them that the rate offered does not
# depend on how fast the hub answers (with 4, answers of 27 ms held the rate under 150/s)
senders = 16
answers, lock = {}, threading.Lock()
start = time.monotonic()

def sender(k):
    target = targets[k % len(targets)]
    conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
    for n in range(k, total, senders):
        due = start + n / rate
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        event = dict(template)
        event["event_id"] = f"evt_flow_{run}_{n}"
        event["timestamp"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        event["payload"] = dict(template["payload"], order_id=f"ORD-{run}-{n}")
        body = json.dumps(event, separators=(",", ":")).encode()
        signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
        try:
            conn.request("POST", "/webhooks/orders", body, {"Content-Type": "application/json", "X-Signature": signature})
            status = conn.getresponse()
            status.read()
            code = status.status
        except Exception as e:
            code = type(e).__name__
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        with lock:
            answers[code] = answers.get(code, 0) + 1

threads = [threading.Thread(target=sender, args=(k,)) for k in range(senders)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(f"sent {total} orders in {time.monotonic() - start:.1f} s: " + ", ".join(f"{k}: {v}" for k, v in sorted(answers.items(), key=str)))
