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

python3 Benchmarks/flood.py "$port" "$cert" "$duration" "$clients" | tee "$work/result.md"
{ echo "# Login flood, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"; echo; cat "$work/result.md"; } > "Benchmarks/results/$(date -u +%Y-%m-%d)-login-flood.md"
