#!/usr/bin/env bash
# Login flood benchmark (issue 3, SPEC §10): logins per second with the production Argon2
# parameters, and the p99 latency of GET /healthz while the flood runs. Not a test: the
# numbers depend on the machine. Bounded: about a minute after the release build.
#
#   Benchmarks/login-flood.sh [seconds] [concurrent login clients]
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/common.sh
duration="${1:-20}"
clients="${2:-16}"
start_server

python3 - "$port" "$cert" "$duration" "$clients" <<'PY' | tee "$work/result.md"
import http.client, json, ssl, statistics, sys, threading, time
port, cafile, duration, clients = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
context = ssl.create_default_context(cafile=cafile)
stop = time.monotonic() + duration
logins, errors = [0], [0]
lock = threading.Lock()

def flood():
    connection = http.client.HTTPSConnection("localhost", port, context=context)
    body = json.dumps({"username": "bench", "password": "benchmark-password"})
    while time.monotonic() < stop:
        try:
            connection.request("POST", "/api/login", body, {"Content-Type": "application/json"})
            response = connection.getresponse(); response.read()
            with lock:
                if response.status == 200: logins[0] += 1
                else: errors[0] += 1
        except Exception:
            with lock: errors[0] += 1
            connection = http.client.HTTPSConnection("localhost", port, context=context)

def probe(samples):
    connection = http.client.HTTPSConnection("localhost", port, context=context)
    while time.monotonic() < stop:
        start = time.monotonic()
        connection.request("GET", "/healthz"); connection.getresponse().read()
        samples.append((time.monotonic() - start) * 1000)
        time.sleep(0.01)

baseline = []
stop_baseline = time.monotonic() + 3
connection = http.client.HTTPSConnection("localhost", port, context=context)
while time.monotonic() < stop_baseline:
    start = time.monotonic(); connection.request("GET", "/healthz"); connection.getresponse().read()
    baseline.append((time.monotonic() - start) * 1000); time.sleep(0.01)

stop = time.monotonic() + duration
samples = []
threads = [threading.Thread(target=flood) for _ in range(clients)] + [threading.Thread(target=probe, args=(samples,))]
for t in threads: t.start()
for t in threads: t.join()
p = lambda xs, q: statistics.quantiles(xs, n=100)[q - 1]
print(f"| metric | value |\n|---|---|")
print(f"| login clients | {clients} for {duration:.0f} s |")
print(f"| successful logins/s | {logins[0] / duration:.1f} |")
print(f"| failed requests | {errors[0]} |")
print(f"| /healthz p50 / p99 idle | {p(baseline, 50):.2f} ms / {p(baseline, 99):.2f} ms |")
print(f"| /healthz p50 / p99 during flood | {p(samples, 50):.2f} ms / {p(samples, 99):.2f} ms (bar: p99 < 50 ms) |")
PY
{ echo "# Login flood, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"; echo; cat "$work/result.md"; } > "Benchmarks/results/$(date -u +%Y-%m-%d)-login-flood.md"
