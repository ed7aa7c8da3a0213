#!/usr/bin/env python3
"""Writes pre-signed ORDER.CREATED webhooks for wrk: one file per wrk thread, one request per line
(<X-Signature>\t<body>). Timestamps are 'now', so run the benchmark right after (tolerance 300 s).
usage: make-signed-events.py <secret> <threads> <events-per-thread> <out-dir>"""
import hashlib, hmac, json, os, sys, time
from datetime import datetime, timezone

secret, threads, per_thread, out = sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "schemas", "examples", "ORDER.CREATED.json")) as f:
    template = json.load(f)
template["timestamp"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
run = str(int(time.time()))
os.makedirs(out, exist_ok=True)
for t in range(threads):
    with open(os.path.join(out, f"events-{t}.tsv"), "w") as f:
        for n in range(per_thread):
            template["event_id"] = f"evt_bench_{run}_{t}_{n}"
            template["payload"]["order_id"] = f"ORD-{run}-{t}-{n}"
            body = json.dumps(template, separators=(",", ":"))
            sig = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
            f.write(sig + "\t" + body + "\n")
