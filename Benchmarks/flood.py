#!/usr/bin/env python3
"""Latency of a small GET while a flood of POSTs hits the same HTTPS server.

Used by login-flood.sh (POST /api/login with the real Argon2 parameters, probe /healthz)
and run.sh (the same against our server, and against nginx: POSTs to a location that
answers at once, probe a small static file). Measures the probe's latency for 3 s idle,
then for `duration` seconds while `clients` threads send POSTs on keep-alive connections.

    flood.py PORT CAFILE DURATION CLIENTS [--flood-path P] [--body JSON] [--probe-path P] [--json]
"""
import argparse, http.client, json, ssl, statistics, threading, time

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("cafile")
parser.add_argument("duration", type=float)
parser.add_argument("clients", type=int)
parser.add_argument("--flood-path", default="/api/login")
parser.add_argument("--body", default=json.dumps({"username": "bench", "password": "benchmark-password"}))
parser.add_argument("--probe-path", default="/healthz")
parser.add_argument("--json", action="store_true", help="print the numbers as JSON instead of a markdown table")
args = parser.parse_args()

context = ssl.create_default_context(cafile=args.cafile)
lock = threading.Lock()
floods, errors = [0], [0]
stop = 0.0


def connect():
    return http.client.HTTPSConnection("localhost", args.port, context=context)


def flood():
    connection = connect()
    while time.monotonic() < stop:
        try:
            connection.request("POST", args.flood_path, args.body, {"Content-Type": "application/json"})
            response = connection.getresponse(); response.read()
            with lock:
                if response.status == 200: floods[0] += 1
                else: errors[0] += 1
        except Exception:
            with lock: errors[0] += 1
            connection = connect()


def probe(samples):
    connection = connect()
    while time.monotonic() < stop:
        start = time.monotonic()
        connection.request("GET", args.probe_path); connection.getresponse().read()
        samples.append((time.monotonic() - start) * 1000)
        time.sleep(0.01)


baseline = []
stop = time.monotonic() + 3
probe(baseline)

stop = time.monotonic() + args.duration
samples = []
threads = [threading.Thread(target=flood) for _ in range(args.clients)] + [threading.Thread(target=probe, args=(samples,))]
for t in threads: t.start()
for t in threads: t.join()

p = lambda xs, q: statistics.quantiles(xs, n=100)[q - 1]
result = {
    "clients": args.clients, "seconds": args.duration,
    "floods_per_second": floods[0] / args.duration, "failed": errors[0],
    "idle_p50_ms": p(baseline, 50), "idle_p99_ms": p(baseline, 99),
    "p50_ms": p(samples, 50), "p99_ms": p(samples, 99), "probes": len(samples),
}
if args.json:
    print(json.dumps(result))
else:
    r = result
    print("| metric | value |\n|---|---|")
    print(f"| login clients | {r['clients']} for {r['seconds']:.0f} s |")
    print(f"| successful logins/s | {r['floods_per_second']:.1f} |")
    print(f"| failed requests | {r['failed']} |")
    print(f"| {args.probe_path} p50 / p99 idle | {r['idle_p50_ms']:.2f} ms / {r['idle_p99_ms']:.2f} ms |")
    print(f"| {args.probe_path} p50 / p99 during flood | {r['p50_ms']:.2f} ms / {r['p99_ms']:.2f} ms (bar: p99 < 50 ms) |")
