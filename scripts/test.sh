#!/usr/bin/env bash
# Builds latchkey and runs every test suite. Installs its own dependencies (Debian 12).
#   scripts/test.sh              normal build (build/)
#   scripts/test.sh --sanitize   ASan + UBSan build (build-asan/)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATCHKEY_WERROR=ON)
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-asan
  cmake_args+=(-DLATCHKEY_SANITIZE=ON -DLATCHKEY_BUILD_BENCH=OFF)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi

./scripts/install-deps.sh
# supabase-js for the compatibility suites (SupabaseJsTest), at the version package-lock.json
# pins; those suites fail rather than skip when node or the package is missing.
(cd tests/compat && npm ci --no-audit --no-fund --loglevel=error)
export LATCHKEY_REQUIRE_NODE=1
cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}"
cmake --build "$build_dir" -j "$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" --timeout 300
