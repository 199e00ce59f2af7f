#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, build-fuzz/) and runs each one, starting
# from its seed corpus in fuzz/corpus/<target>/.
#   scripts/fuzz.sh [seconds per target, default 30] [target ...]
# Exits non-zero if any target crashes, leaks, times out or breaks an invariant; the input
# that did it is saved as build-fuzz/findings/<target>/crash-* (replay: <binary> <file>).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-30}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(json_body_fuzzer jwt_fuzzer email_fuzzer query_fuzzer request_parser_fuzzer uuid_fuzzer
    rest_query_fuzzer)
fi
jobs="${FUZZ_BUILD_JOBS:-2}"

# clang 14 and its runtime libraries (libFuzzer, ASan) from Debian; only this script needs them.
./scripts/install-deps.sh --fuzz

build=build-fuzz
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DLATCHKEY_BUILD_FUZZERS=ON -DLATCHKEY_BUILD_TESTS=OFF -DLATCHKEY_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target "${targets[@]}" -j "$jobs"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=()
summary=()
for t in "${targets[@]}"; do
  work="$build/corpus/$t"        # what the run learns; the seed corpus stays untouched
  findings="$build/findings/$t"
  mkdir -p "$work" "$findings"
  log="$build/findings/$t.log"
  dict=""
  [ -f "fuzz/dict/$t.dict" ] && dict="-dict=fuzz/dict/$t.dict"
  echo "== $t: ${seconds}s"
  status=0
  "$build/fuzz/$t" "$work" "fuzz/corpus/$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -timeout=10 -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" \
    $dict >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  summary+=("$t: ${execs:-?} executions, ${cov:-cov: ?}, exit $status")
  if ((status != 0)); then
    failed+=("$t")
    echo "---- $t failed (exit $status); last lines of $log:"
    tail -n 60 "$log"
  fi
done

echo "== fuzz summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "FUZZ FAILED: ${failed[*]} (inputs in $build/findings/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, no findings"
