#!/usr/bin/env python3
"""Writes pre-signed ORDER.CREATED webhooks for wrk: one file per wrk thread, one request per line
(<X-Signature>\t<body>). Timestamps are 'now', so run the benchmark right after (tolerance 300 s).
A share of the lines (dup-percent) repeat an earlier line of the same file byte for byte, as a
vendor's retry does: those are answered 200 duplicate.
With a secret of the form ed25519:<private key PEM file>, each line is a Standard Webhooks v1a request
instead (<webhook-id>\t<webhook-timestamp>\tv1a,<base64>\t<body>), signed with that key (python3-cryptography).
usage: make-signed-events.py <secret> <threads> <events-per-thread> <out-dir> [dup-percent=0] [example.json]"""
import base64, hashlib, hmac, json, os, random, sys, time
from datetime import datetime, timezone

secret, threads, per_thread, out = sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ed25519 = None
if sys.argv[1].startswith("ed25519:"):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    with open(sys.argv[1][len("ed25519:"):], "rb") as f:
        ed25519 = load_pem_private_key(f.read(), password=None)
dup_percent = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
here = os.path.dirname(os.path.abspath(__file__))
example = sys.argv[6] if len(sys.argv) > 6 else os.path.join(here, "..", "schemas", "examples", "ORDER.CREATED.json")
with open(example) as f:
    template = json.load(f)
template["timestamp"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
run = str(int(time.time()))
rng = random.Random(run)
os.makedirs(out, exist_ok=True)
for t in range(threads):
    lines = []
    with open(os.path.join(out, f"events-{t}.tsv"), "w") as f:
        for n in range(per_thread):
            if lines and rng.random() * 100 < dup_percent:
                line = lines[rng.randrange(max(0, len(lines) - 2000), len(lines))]
            else:
                # random-looking ids, as vendors' are (sequential ones would flatter the store's indexes)
                template["event_id"] = f"evt_{rng.getrandbits(64):016x}_{t}_{n}"
                template["payload"]["order_id"] = f"ORD-{rng.getrandbits(40):010x}"
                body = json.dumps(template, separators=(",", ":"))
                if ed25519 is None:
                    sig = hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
                    line = sig + "\t" + body + "\n"
                else:
                    msg_id = "msg_" + template["event_id"]
                    signed = f"{msg_id}.{run}.{body}".encode()
                    line = f"{msg_id}\t{run}\tv1a,{base64.b64encode(ed25519.sign(signed)).decode()}\t{body}\n"
                lines.append(line)
            f.write(line)
