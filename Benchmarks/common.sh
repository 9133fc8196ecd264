# Shared by the benchmark scripts: builds the release binaries and starts a throwaway server
# with one user (`bench` / `benchmark-password`) on an ephemeral port. Source it, then call
# `start_server`; it sets $work, $server (pid), $port, $base and $cert, and stops and removes
# everything on exit. `start_nginx` (used by run.sh) adds an nginx with the same certificate.
export PATH="$PATH:/opt/swift/usr/bin"

# Everything a script starts is stopped on exit, whatever the exit path.
work=""
server=""
nginx=""
bench_cleanup() {
    local pid
    for pid in $nginx $server; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$work" ]; then rm -rf "$work"; fi
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# Installs the Debian packages that provide these commands, only for commands that are
# missing: `ensure_tools nginx:nginx wrk:wrk h2load:nghttp2-client`.
ensure_tools() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    echo "installing ${missing[*]}" >&2
    $sudo apt-get install -y "${missing[@]}" >/dev/null || {
        $sudo apt-get update >/dev/null && $sudo apt-get install -y "${missing[@]}" >/dev/null
    }
}

build_release() {
    swift build -c release --product securedrop-server >/dev/null
    swift build -c release --product securedrop-admin >/dev/null
}

start_server() {
    build_release
    [ -n "$work" ] || work="$(mktemp -d)"
    export SECUREDROP_DATA_DIR="$work/data" SECUREDROP_TLS_CERT="$work/cert.pem" SECUREDROP_TLS_KEY="$work/key.pem"
    export SECUREDROP_PORT=0 SECUREDROP_LOG_LEVEL="${SECUREDROP_LOG_LEVEL:-warning}"
    .build/release/securedrop-admin cert generate >/dev/null
    .build/release/securedrop-admin init >/dev/null
    echo "benchmark-password" | .build/release/securedrop-admin user add bench --password-stdin >/dev/null
    ${BIN:-.build/release/securedrop-server} >"$work/out.log" 2>"$work/err.log" &
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

# Starts nginx in the foreground (no daemon) under $work/nginx with its own configuration,
# serving $work/nginx/www over TLS 1.3 on loopback with the server's certificate and key,
# the one TLS 1.3 suite $1, one worker per core, sendfile, and WebDAV PUT with no body size
# limit (uploads are written to $work/nginx/client_body, then renamed into www/files).
# Sets $nginx (master pid), $nginx_port and $nginx_base. Call after start_server.
#   /files/<name>  GET and PUT          /healthz  a small static file
#   /login         any method, answers 200 at once (the "flood" target)
start_nginx() {
    local suite="$1" prefix="$work/nginx"
    mkdir -p "$prefix/www/files" "$prefix/client_body" "$prefix/logs"
    printf 'ok\n' >"$prefix/www/healthz"
    nginx_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    cat >"$prefix/nginx.conf" <<EOF
daemon off;
user root;
worker_processes $(nproc);
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    client_body_temp_path $prefix/client_body;
    server {
        listen 127.0.0.1:$nginx_port ssl;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        ssl_protocols TLSv1.3;
        ssl_conf_command Ciphersuites $suite;
        root $prefix/www;
        location /files/ {
            dav_methods PUT DELETE;
            create_full_put_path on;
            client_max_body_size 0;
        }
        location = /healthz { }
        location = /login { return 200 '{"token":"nginx"}'; }
    }
}
EOF
    nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/logs/error.log" &
    nginx=$!
    for _ in $(seq 100); do
        curl -sf --cacert "$cert" -o /dev/null "https://127.0.0.1:$nginx_port/healthz" 2>/dev/null && break
        sleep 0.1
    done
    nginx_base="https://127.0.0.1:$nginx_port"
}

# Resident memory in KiB, summed over the given pids (a gone pid counts 0).
rss_kib() {
    local total=0 pid value
    for pid in "$@"; do
        value="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
        total=$((total + ${value:-0}))
    done
    echo "$total"
}

# Runs "${@:2}" while sampling `rss_kib $1` every 100 ms ($1: a space-separated pid list);
# prints "peak_kib seconds".
sample_during() {
    local pids="$1"; shift
    # shellcheck disable=SC2086
    local peak; peak="$(rss_kib $pids)"
    local start; start="$(date +%s.%N)"
    "$@" &
    local job=$!
    while kill -0 "$job" 2>/dev/null; do
        # shellcheck disable=SC2086
        local now; now="$(rss_kib $pids)"
        [ "$now" -gt "$peak" ] && peak="$now"
        sleep 0.1
    done
    wait "$job"
    echo "$peak $(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.3f", a - b }')"
}
