#!/usr/bin/env bash
# User enumeration by timing (issue 8, SPEC §3 "Unknown users cost the same time as known
# ones"): is POST /api/login measurably faster for a user name that does not exist than for
# an existing user with a wrong password? Statistics and verdict: Benchmarks/login_timing.py.
# Production Argon2 parameters, release build. Not a test: a noisy machine widens the
# interval. Bounded: 4 to 6 minutes after the release build on 2 cores (680 Argon2 verifies
# one at a time, and 80 accounts to create).
#
#   Benchmarks/login-timing.sh [samples per class]      (default 300)
#
# The login throttle is left as it is; the benchmark stays under it the way a deployment
# behind a proxy would see it: the server trusts X-Forwarded-For from 127.0.0.1 only, every
# request names its own client address, and no account gets more than 4 wrong passwords.
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/common.sh
samples="${1:-300}"
warmup=20
accounts=$(( (samples + warmup + 3) / 4 ))
password="timing-benchmark-password"
export SECUREDROP_TRUSTED_PROXIES=127.0.0.1
start_server

echo "creating $accounts accounts" >&2
seq 0 $((accounts - 1)) | xargs -P "$(nproc)" -I{} sh -c \
    "echo '$password' | .build/release/securedrop-admin user add timing-user-{} --password-stdin >/dev/null"

# The numbers are only as quiet as the machine: say what else was running.
busy="$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 > 20 { printf "%s%s (%s%% CPU)", sep, $2, $1; sep = ", " }')"
note="Load average (1 min, 5 min) at the start: $(cut -d' ' -f1,2 /proc/loadavg); other busy processes: ${busy:-none}."
status=0
python3 Benchmarks/login_timing.py "$port" "$cert" --accounts "$accounts" --password "$password" \
    --samples "$samples" --warmup "$warmup" --note "$note" | tee "$work/result.md" || status=$?
{ echo "# Login timing (user enumeration), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores"; echo; cat "$work/result.md"; } \
    > "Benchmarks/results/$(date -u +%Y-%m-%d)-login-timing.md"
exit "$status"
