#!/usr/bin/env bash
# Builds SecureDrop's libFuzzer targets and runs each for a bounded time.
#
#   Fuzz/run.sh [seconds-per-target] [target...]
#
# Targets: FuzzJWT FuzzFileName FuzzMultipart FuzzByteRange (default: all, in that order).
# Seconds per target default to 600. The targets run one after another, each a single process
# under `nice -n 19` (no -jobs or -workers), so a campaign fits a shared 2-core machine.
#
# Build: release, `--sanitize=fuzzer --sanitize=address`, into ../.build-fuzz (never the main
# package's .build). The first build compiles the whole dependency tree with sanitizers and
# takes several minutes; later ones only what changed.
#
# Corpora: each run starts from the committed seeds in Fuzz/Corpus/<Target>/ and the inputs in
# Fuzz/Regressions/<Target>/ (so they are replayed under the sanitizers first: a miscompile at -O
# shows only there), and grows a working corpus in .build-fuzz/corpus/<Target>/ (outside git). Crashes, timeouts and leaks are written
# to Fuzz/Crashes/<Target>/ (ignored by git: copy a fixed one to Fuzz/Regressions/<Target>/).
# Logs: .build-fuzz/logs/<Target>.log.
#
# Prints, per target, the runs executed, coverage (libFuzzer's cov and ft) and whether a crash
# was found; exits 1 if any target found one, 2 on a usage error.
#
# Environment:
#   FUZZ_CONFIGURATION  release (default) or debug
#   FUZZ_SCRATCH_PATH   build directory (default: <repository>/.build-fuzz)
#   FUZZ_SKIP_BUILD=1   run the binaries already built
#   FUZZ_ARGS           more libFuzzer flags, e.g. FUZZ_ARGS="-seed=1 -only_ascii=1"
set -euo pipefail

fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$fuzz_dir")
all_targets=(FuzzJWT FuzzFileName FuzzMultipart FuzzByteRange)

usage() {
    sed -n '3,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

seconds=${1:-600}
if [[ ! "$seconds" =~ ^[0-9]+$ ]] || ((seconds == 0)); then
    usage
    exit 2
fi
(($# > 0)) && shift
targets=("$@")
((${#targets[@]} > 0)) || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
    if [[ " ${all_targets[*]} " != *" $target "* ]]; then
        echo "run.sh: unknown target '$target' (known: ${all_targets[*]})" >&2
        exit 2
    fi
done

# Swift lives in /opt/swift on the project's machines; a `swift` already on PATH wins.
command -v swift >/dev/null || export PATH="$PATH:/opt/swift/usr/bin"

scratch=${FUZZ_SCRATCH_PATH:-$root/.build-fuzz}
configuration=${FUZZ_CONFIGURATION:-release}
build_flags=(
    --package-path "$fuzz_dir" --scratch-path "$scratch" -c "$configuration"
    # SwiftPM's --sanitize=fuzzer makes it leave main() to libFuzzer (no --defsym main=...) and
    # instruments C targets. The sanitizers for Swift go in one flag: given as two
    # (--sanitize=fuzzer --sanitize=address), swiftc 6.3 keeps only the last, and the code
    # gets no coverage instrumentation at all.
    --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
    # libFuzzer brings main(); lld links the sanitizer runtimes without gold's warnings.
    -Xswiftc -parse-as-library -Xswiftc -use-ld=lld
)

# Resolve to the versions the main package is tested with.
if [[ ! -f "$fuzz_dir/Package.resolved" && -f "$root/Package.resolved" ]]; then
    cp "$root/Package.resolved" "$fuzz_dir/Package.resolved"
fi

if [[ "${FUZZ_SKIP_BUILD:-0}" != 1 ]]; then
    build_start=$(date +%s)
    # The main package is a path dependency, and SwiftPM reuses its build plan even after a
    # source file is added to it ("cannot find ... in scope"). Plan again when the list of its
    # files changed, and only then: a new plan recompiles a few targets.
    sources_list=$(cd "$root" && find Sources -type f | LC_ALL=C sort | cksum)
    sources_stamp="$scratch/fuzz-sources.cksum"
    if [[ ! -f "$sources_stamp" || "$(cat "$sources_stamp")" != "$sources_list" ]]; then
        rm -f "$scratch/$configuration.yaml"
    fi
    # All four products even when fewer targets run: they share everything but one file, and
    # one plan for every run avoids rebuilding when the target list changes.
    nice -n 19 swift build "${build_flags[@]}"
    mkdir -p "$scratch" && echo "$sources_list" >"$sources_stamp"
    echo "Build: $(($(date +%s) - build_start)) s"
fi
bin_dir=$(swift build "${build_flags[@]}" --show-bin-path)

# Longest input per target: a little over the parsers' own 4096-byte limits where they have
# one, so that the limit itself is crossed; Range values are short.
max_len() {
    case "$1" in
        FuzzJWT | FuzzFileName) echo 4200 ;;
        FuzzMultipart) echo 4096 ;;
        FuzzByteRange) echo 512 ;;
    esac
}

status=0
results=()
for target in "${targets[@]}"; do
    binary="$bin_dir/$target"
    corpus="$scratch/corpus/$target"
    crashes="$fuzz_dir/Crashes/$target"
    log="$scratch/logs/$target.log"
    mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
    marker="$scratch/logs/$target.started"
    touch "$marker"

    echo "== $target: ${seconds} s, log $log"
    set +e
    # shellcheck disable=SC2086  # FUZZ_ARGS is a list of flags.
    SWIFT_BACKTRACE=enable=no nice -n 19 "$binary" \
        -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=30 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$crashes/" ${FUZZ_ARGS:-} \
        "$corpus" "$fuzz_dir/Corpus/$target" "$fuzz_dir/Regressions/$target" >"$log" 2>&1
    exit_code=$?
    set -e

    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    last_status=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    [[ -n "$runs" ]] || runs=$(sed -E -n 's/^#([0-9]+).*/\1/p' <<<"$last_status")
    cov=$(sed -E -n 's/.* cov: ([0-9]+).*/\1/p' <<<"$last_status")
    features=$(sed -E -n 's/.* ft: ([0-9]+).*/\1/p' <<<"$last_status")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    corpus_size=$(find "$corpus" -type f | wc -l)
    # Slow units are reported, not failures; crash-, timeout-, oom- and leak- files are.
    found=$(find "$crashes" -type f -newer "$marker" ! -name 'slow-unit-*' | sort)
    rm -f "$marker"

    if [[ -n "$found" || $exit_code -ne 0 ]]; then
        status=1
        result="CRASH (exit $exit_code)"
        echo "   $target found a crash:"
        grep -m 5 -E 'Fatal error|ERROR: |SUMMARY: ' "$log" | sed 's/^/     /' || true
        for file in $found; do echo "     reproduce: $binary $file"; done
    else
        result="no crash"
    fi
    results+=("$(printf '%-14s %12s %8s %8s %9s %8s  %s' "$target" "${runs:-?}" "${cov:-?}" "${features:-?}" "${rate:-?}" "$corpus_size" "$result")")
done

echo
printf '%-14s %12s %8s %8s %9s %8s  %s\n' target runs cov ft exec/s corpus result
printf '%s\n' "${results[@]}"
exit "$status"
