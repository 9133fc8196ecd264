#!/usr/bin/env bash
# Large-file memory benchmark (issue 4, SPEC §4 and §10): streams a multi-GiB file up with
# `curl -T` and back down, over HTTPS against a release build, and samples the server's
# resident memory all the while. The claim under test: memory does not grow with file size.
# Not a test: throughput depends on the machine. Bounded: a few minutes after the build.
#
#   Benchmarks/upload-memory.sh [GiB]      (default 4)
set -euo pipefail
cd "$(dirname "$0")/.."
source Benchmarks/common.sh
gib="${1:-4}"
export SECUREDROP_MAX_UPLOAD_BYTES=64GiB
start_server
token="$(bench_token)"

# A sparse file: no disk or page cache for the source, so the numbers are the server's.
truncate -s "${gib}G" "$work/source.bin"

# Warm the server up (first TLS handshake, database pages) before the baseline.
curl -sS --cacert "$cert" -H "Authorization: Bearer $token" -T /etc/hostname "$base/api/files/warmup.txt" >/dev/null
curl -sS --cacert "$cert" -H "Authorization: Bearer $token" "$base/api/files/warmup.txt" >/dev/null
baseline="$(rss_kib "$server")"

read -r up_peak up_seconds < <(sample_during "$server" curl -sS --fail --cacert "$cert" -H "Authorization: Bearer $token" \
    -T "$work/source.bin" -o "$work/put.json" "$base/api/files/big.bin")
grep -q '"size":'"$((gib * 1024 * 1024 * 1024))" "$work/put.json" || { echo "upload failed: $(cat "$work/put.json")"; exit 1; }
read -r down_peak down_seconds < <(sample_during "$server" curl -sS --fail --cacert "$cert" -H "Authorization: Bearer $token" \
    -o /dev/null "$base/api/files/big.bin")

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
rate() { awk -v s="$1" -v g="$gib" 'BEGIN { printf "%.0f", g * 1024 / s }'; }
{
    echo "# Large-file memory, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, ${gib} GiB over HTTPS (TLS 1.3, curl, loopback)"
    echo
    echo "| metric | value |"
    echo "|---|---|"
    echo "| server RSS before | $(mib "$baseline") MiB |"
    echo "| upload (curl -T, PUT /api/files) | $(rate "$up_seconds") MiB/s, peak RSS $(mib "$up_peak") MiB (+$(mib $((up_peak - baseline))) MiB) |"
    echo "| download (GET /api/files) | $(rate "$down_seconds") MiB/s, peak RSS $(mib "$down_peak") MiB (+$(mib $((down_peak - baseline))) MiB) |"
    echo "| bar (SPEC §10) | RSS growth < 64 MiB whatever the size |"
} | tee "$work/result.md"
mkdir -p Benchmarks/results
cp "$work/result.md" "Benchmarks/results/$(date -u +%Y-%m-%d)-upload-memory.md"
