# Shared by the benchmark scripts: builds the release binaries and starts a throwaway server
# with one user (`bench` / `benchmark-password`) on an ephemeral port. Source it, then call
# `start_server`; it sets $work, $server (pid), $port, $base and $cert, and stops and removes
# everything on exit.
export PATH="$PATH:/opt/swift/usr/bin"

start_server() {
    swift build -c release --product securedrop-server >/dev/null
    swift build -c release --product securedrop-admin >/dev/null
    work="$(mktemp -d)"
    server=""
    trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
    export SECUREDROP_DATA_DIR="$work/data" SECUREDROP_TLS_CERT="$work/cert.pem" SECUREDROP_TLS_KEY="$work/key.pem"
    export SECUREDROP_PORT=0 SECUREDROP_LOG_LEVEL="${SECUREDROP_LOG_LEVEL:-warning}"
    .build/release/securedrop-admin cert generate >/dev/null
    .build/release/securedrop-admin init >/dev/null
    echo "benchmark-password" | .build/release/securedrop-admin user add bench --password-stdin >/dev/null
    .build/release/securedrop-server >"$work/out.log" 2>"$work/err.log" &
    server=$!
    for _ in $(seq 100); do grep -q "is serving" "$work/out.log" 2>/dev/null && break; sleep 0.1; done
    port="$(sed -n 's|.*https://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/out.log" | head -n 1)"
    base="https://127.0.0.1:$port"
    cert="$work/cert.pem"
}

# Prints a bearer token for the benchmark user.
bench_token() {
    curl -sS --cacert "$cert" -H 'Content-Type: application/json' \
        -d '{"username":"bench","password":"benchmark-password"}' "$base/api/login" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
