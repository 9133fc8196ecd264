#!/usr/bin/env bash
# SecureDrop against nginx (issue 7, SPEC §10), in one run on loopback: both serve HTTPS with
# TLS 1.3, the same P-256 certificate and key, and the same single cipher suite; nginx uses
# sendfile and WebDAV PUT, one worker per core, no access log. Measured for both:
#   1. 1 GiB download (curl -o /dev/null), median of 3        2. 1 GiB upload (curl -T), median of 3
#   3. 4 KiB GETs/s with keep-alive (wrk -t2 -c32 -d10s, Bearer token; nginx ignores it)
#   4. new TLS handshakes/s (h2load --h1, one request per connection, batches of 128)
#   5. peak server RSS during a 4 GiB upload (nginx: sum of its workers)
#   6. p99 of a small GET during a flood of POSTs (see the notes it prints)
# Prints a markdown table with the ratio SecureDrop/nginx and the SPEC §10 bar per row, and
# writes it with the machine's description to Benchmarks/results/<date>.md.
# Installs nginx, wrk and h2load (nghttp2-client) from apt when missing. Bounded: about
# 4 minutes after the release build; everything it starts is stopped on exit.
#
#   Benchmarks/run.sh                 the full run (writes the results file)
#   BENCH_QUICK=1 Benchmarks/run.sh   small sizes and short runs, to check the script only
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/common.sh
ensure_tools nginx:nginx wrk:wrk h2load:nghttp2-client curl:curl openssl:openssl python3:python3

if [ -n "${BENCH_QUICK:-}" ]; then
    big_mib=64 rss_mib=256 runs=1 seconds=2 flood_seconds=3
else
    big_mib=1024 rss_mib=4096 runs=3 seconds=10 flood_seconds=15
fi
# Both servers and every client use this suite. We leave the choice to the client (no server
# preference) and OpenSSL clients (curl, wrk, Python) ask for AES-256-GCM first, so that is
# what our server negotiates with them; nginx is pinned to it, and checked below.
suite=TLS_AES_256_GCM_SHA384
export SECUREDROP_MAX_UPLOAD_BYTES=64GiB

start_server
started=$(date +%s)
start_nginx "$suite"
token="$(bench_token)"
auth=(-H "Authorization: Bearer $token")
tls=(--cacert "$cert" --tls13-ciphers "$suite")
nginx_workers="$(pgrep -P "$nginx" | tr '\n' ' ')"

negotiated() {
    openssl s_client -connect "127.0.0.1:$1" -servername localhost </dev/null 2>/dev/null |
        sed -n 's/^New, \(TLSv[0-9.]*\), Cipher is \(.*\)$/\1 \2/p' | head -n 1
}
ours_tls="$(negotiated "$port")"
nginx_tls="$(negotiated "$nginx_port")"
echo "negotiated with openssl s_client: SecureDrop $ours_tls, nginx $nginx_tls" >&2
[ "$ours_tls" = "TLSv1.3 $suite" ] && [ "$nginx_tls" = "TLSv1.3 $suite" ] ||
    { echo "the two servers do not negotiate TLSv1.3 $suite alike" >&2; exit 1; }

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mib_s() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }

# --- 1 and 2: large transfers. Sparse sources (no disk reads); uploads land on the same
# filesystem ($work) for both. Uploads first, so each server then serves the file it stored.
truncate -s "${big_mib}M" "$work/big.src"
echo "uploads and downloads of ${big_mib} MiB, $runs runs each" >&2
put() { curl -sS --fail --max-time 300 "${tls[@]}" "$@" -T "$work/big.src" -o /dev/null -w '%{speed_upload}\n'; }
get() { curl -sS --fail --max-time 300 "${tls[@]}" "$@" -o /dev/null -w '%{speed_download}\n'; }
ours_up="$(for _ in $(seq "$runs"); do put "${auth[@]}" "$base/api/files/big.bin?overwrite=true"; done | median)"
nginx_up="$(for _ in $(seq "$runs"); do put "$nginx_base/files/big.bin"; done | median)"
ours_down="$(for _ in $(seq "$runs"); do get "${auth[@]}" "$base/api/files/big.bin"; done | median)"
nginx_down="$(for _ in $(seq "$runs"); do get "$nginx_base/files/big.bin"; done | median)"
# The SPEC's upload bar counts the disk too: we fsync, nginx does not.
disk="$(dd if=/dev/zero of="$work/dd.bin" bs=1M count="$big_mib" conv=fsync 2>&1 |
    awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") s = $(i - 1); print '"$big_mib"' * 1048576 / s }')"
rm -f "$work/dd.bin"
curl -sS --fail "${tls[@]}" "${auth[@]}" -X DELETE "$base/api/files/big.bin" >/dev/null
rm -f "$work/nginx/www/files/big.bin"

# --- 3: small GETs with keep-alive.
head -c 4096 /dev/urandom >"$work/small.bin"
curl -sS --fail "${tls[@]}" "${auth[@]}" -T "$work/small.bin" -o /dev/null "$base/api/files/small.bin"
cp "$work/small.bin" "$work/nginx/www/files/small.bin"
wrk_rate() {
    local out; out="$(wrk -t2 -c32 -d"${seconds}s" -H "Authorization: Bearer $token" "$1")"
    if grep -q 'Non-2xx' <<<"$out"; then echo "wrk against $1: $(grep 'Non-2xx' <<<"$out")" >&2; exit 1; fi
    awk '/^Requests\/sec:/ { print $2 }' <<<"$out"
}
echo "4 KiB GETs, wrk -t2 -c32 -d${seconds}s" >&2
ours_small="$(wrk_rate "$base/api/files/small.bin")"
nginx_small="$(wrk_rate "$nginx_base/files/small.bin")"

# --- 4: new TLS handshakes. h2load over HTTP/1.1, one request per connection (-c 128
# -n 128): every request is a full handshake (no session resumption) on a new TCP connection.
# Batches of 128 concurrent connections (within both listen backlogs) run back to back for
# about $seconds s; the rate is successful requests (= handshakes) over the wall time.
# (`-H 'Connection: close'` with -n > -c does not work against us: Hummingbird does not echo
# `Connection: close` in the response, so h2load sends a second request into the closing
# connection instead of reconnecting; its -D mode never ends with it either.)
handshakes() {
    local total=0 failed=0 start out now
    start="$(date +%s.%N)"
    while now="$(date +%s.%N)"; awk -v a="$now" -v b="$start" -v s="$seconds" 'BEGIN { exit !(a - b < s) }'; do
        out="$(timeout 60 h2load --h1 --tls13-ciphers="$suite" -t 2 -c 128 -n 128 "$1")"
        total=$((total + $(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' <<<"$out")))
        failed=$((failed + $(sed -n 's/^requests: .* \([0-9]*\) failed.*/\1/p' <<<"$out")))
    done
    [ "$failed" -eq 0 ] || echo "h2load against $1: $failed failed requests" >&2
    awk -v n="$total" -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { print n / (a - b) }'
}
echo "new TLS handshakes, h2load --h1 -c128 -n128 batches, about ${seconds} s each" >&2
ours_hs="$(handshakes "$base/healthz")"
nginx_hs="$(handshakes "$nginx_base/healthz")"

# --- 5: peak RSS during a large upload.
truncate -s "${rss_mib}M" "$work/rss.src"
echo "peak RSS during a ${rss_mib} MiB upload" >&2
ours_rss0="$(rss_kib "$server")"
read -r ours_rss ours_rss_s < <(sample_during "$server" curl -sS --fail --max-time 600 "${tls[@]}" "${auth[@]}" \
    -T "$work/rss.src" -o /dev/null "$base/api/files/rss.bin")
curl -sS --fail "${tls[@]}" "${auth[@]}" -X DELETE "$base/api/files/rss.bin" >/dev/null
# shellcheck disable=SC2086
nginx_rss0="$(rss_kib $nginx_workers)"
read -r nginx_rss nginx_rss_s < <(sample_during "$nginx_workers" curl -sS --fail --max-time 600 "${tls[@]}" \
    -T "$work/rss.src" -o /dev/null "$nginx_base/files/rss.bin")
rm -f "$work/nginx/www/files/rss.bin" "$work/rss.src"

# --- 6: a small GET's p99 during a flood of POSTs.
echo "p99 during a ${flood_seconds} s flood of 16 POST clients" >&2
read -r ours_p99 ours_floods ours_idle_p99 < <(python3 Benchmarks/flood.py "$port" "$cert" "$flood_seconds" 16 --json |
    python3 -c 'import json,sys; r = json.load(sys.stdin); print(r["p99_ms"], r["floods_per_second"], r["idle_p99_ms"])')
read -r nginx_p99 nginx_floods nginx_idle_p99 < <(python3 Benchmarks/flood.py "$nginx_port" "$cert" "$flood_seconds" 16 \
    --flood-path /login --probe-path /healthz --json |
    python3 -c 'import json,sys; r = json.load(sys.stdin); print(r["p99_ms"], r["floods_per_second"], r["idle_p99_ms"])')
elapsed=$(($(date +%s) - started))

# --- The table.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f %%", 100 * a / b }'; }
# at_least <ours> <reference> <percent>: "yes"/"**no**"
at_least() { awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { print (a >= b * p / 100) ? "yes" : "**no**" }'; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? "yes" : "**no**" }'; }
upload_reference="$(awk -v n="$nginx_up" -v d="$disk" 'BEGIN { print (n < d) ? n : d }')"
ours_growth=$(((ours_rss - ours_rss0)))
nginx_growth=$(((nginx_rss - nginx_rss0)))
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
report="$work/report.md"
{
    echo "# SecureDrop against nginx, $(date -u +%Y-%m-%dT%H:%MZ)"
    echo
    echo "| metric | SecureDrop | nginx | ratio SecureDrop/nginx | bar (SPEC §10) | met |"
    echo "|---|---|---|---|---|---|"
    echo "| ${big_mib} MiB HTTPS download, MiB/s (median of $runs) | $(mib_s "$ours_down") | $(mib_s "$nginx_down") | $(ratio "$ours_down" "$nginx_down") | ≥ 95 % | $(at_least "$ours_down" "$nginx_down" 95) |"
    echo "| ${big_mib} MiB HTTPS upload, MiB/s (median of $runs) | $(mib_s "$ours_up") | $(mib_s "$nginx_up") | $(ratio "$ours_up" "$nginx_up") | ≥ 90 % of min(nginx, disk) = $(mib_s "$upload_reference") MiB/s: $(ratio "$ours_up" "$upload_reference") | $(at_least "$ours_up" "$upload_reference" 90) |"
    echo "| disk write+fsync, MiB/s (dd ${big_mib} MiB conv=fsync, reference) | $(mib_s "$disk") | | | | |"
    echo "| 4 KiB GETs/s, keep-alive, Bearer (wrk -t2 -c32 -d${seconds}s) | $(printf %.0f "$ours_small") | $(printf %.0f "$nginx_small") | $(ratio "$ours_small" "$nginx_small") | ≥ 50 % | $(at_least "$ours_small" "$nginx_small" 50) |"
    echo "| new TLS handshakes/s (h2load --h1 -c128 -n128 batches, ~${seconds} s) | $(printf %.0f "$ours_hs") | $(printf %.0f "$nginx_hs") | $(ratio "$ours_hs" "$nginx_hs") | ≥ 80 % | $(at_least "$ours_hs" "$nginx_hs" 80) |"
    echo "| RSS growth during a ${rss_mib} MiB upload, MiB (lower is better) | +$(mib "$ours_growth") (peak $(mib "$ours_rss")) | +$(mib "$nginx_growth") (peak $(mib "$nginx_rss"), $(nproc) workers) | peak $(ratio "$ours_rss" "$nginx_rss") | < 64 MiB growth | $(below "$ours_growth" 65536) |"
    echo "| p99 of a small GET during a POST flood, ms (lower is better) | $(printf %.2f "$ours_p99") | $(printf %.2f "$nginx_p99") | $(ratio "$ours_p99" "$nginx_p99") | < 50 ms | $(below "$ours_p99" 50) |"
    echo
    echo "- Both servers: TLS 1.3 $suite (checked with \`openssl s_client\`: SecureDrop $ours_tls, nginx $nginx_tls), the same self-signed P-256 certificate, loopback, clients on the same $(nproc) cores. nginx $(nproc) workers, \`sendfile on\` (without kTLS nginx cannot use it for TLS, so it reads and encrypts like we do), WebDAV \`PUT\` into a temporary directory on the same filesystem as our data directory, \`client_max_body_size 0\`, no access log."
    echo "- Sources are sparse files, so the client reads no disk. Uploads: we hash (SHA-256, CRC-32) and fsync every file, nginx does neither; hence the SPEC's bar against the lower of nginx and the disk. The ${rss_mib} MiB uploads took $(printf %.1f "$ours_rss_s") s (SecureDrop) and $(printf %.1f "$nginx_rss_s") s (nginx)."
    echo "- Small GETs: \`GET /api/files/small.bin\` with a Bearer token (verified per request, file streamed from the blob store) against nginx's static \`/files/small.bin\` (the header is ignored)."
    echo "- Handshakes: h2load batches of 128 concurrent connections with one request each, so every request is a new TCP connection with a full TLS 1.3 handshake (ECDHE X25519, ECDSA P-256 signature), no resumption; requests per second = handshakes per second. Clients and servers share the cores."
    echo "- Flood: SecureDrop gets 16 clients POSTing real logins (\`/api/login\`, Argon2id at the configured parameters, $(printf %.1f "$ours_floods")/s) while a 17th GETs \`/healthz\` every 10 ms; nginx gets 16 clients POSTing to a location that answers at once ($(printf %.0f "$nginx_floods")/s) while the 17th GETs a 3-byte static file. nginx has no password hashing, so its column is only the floor of what the probe costs on this machine under load; the bar is the absolute one. Idle p99: SecureDrop $(printf %.2f "$ours_idle_p99") ms, nginx $(printf %.2f "$nginx_idle_p99") ms."
    echo "- Measured in ${elapsed} s after the build."
    echo
    echo "Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, Linux $(uname -r), $(openssl version | cut -d' ' -f1-2), $(nginx -v 2>&1 | sed 's/^nginx version: //'), curl $(curl --version | awk 'NR == 1 { print $2 }'), $(wrk -v 2>&1 | awk 'NR == 1 { print $1, $2 }'), h2load (nghttp2 $(h2load --version | awk '{ print $NF }')), $(swift --version 2>/dev/null | head -n 1 | sed 's/ (.*//'), commit $(git rev-parse --short HEAD)."
} >"$report"
cat "$report"
if [ -z "${BENCH_QUICK:-}" ]; then
    mkdir -p Benchmarks/results
    cp "$report" "Benchmarks/results/$(date -u +%Y-%m-%d).md"
fi
