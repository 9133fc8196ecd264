#!/usr/bin/env bash
# Micro-benchmarks (issue 7, item 3): Argon2id at the default parameters, JWT sign and verify,
# SHA-256 and CRC-32 of upload bytes, multipart parsing. Builds in release, prints a markdown
# table and writes it with the machine's description to Benchmarks/results/<date>-micro.md.
#
#   Benchmarks/micro.sh [--seconds N]     each row runs at least N seconds (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
swift build -c release --product securedrop-microbench >/dev/null
table="$(.build/release/securedrop-microbench "$@")"
echo "$table"
out="Benchmarks/results/$(date -u +%F)-micro.md"
{
    echo "# Micro-benchmarks, $(date -u '+%F %H:%M UTC')"
    echo
    echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sed -n 1p), $(uname -r). One thread per row except Argon2id (NIOThreadPool)."
    echo
    echo "$table"
} >"$out"
echo "written to $out" >&2
