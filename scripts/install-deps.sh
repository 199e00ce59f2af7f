#!/usr/bin/env bash
# Installs everything latchkey needs to build, test and benchmark on Debian 12.
# Idempotent: packages already present are skipped by apt.
# Usage: install-deps.sh [--bench] [--fuzz]
#   --bench adds the load-test tools bench/run uses; --fuzz adds clang and libFuzzer (scripts/fuzz.sh)
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config ccache git ca-certificates
  libboost-dev libsodium-dev libssl-dev libsqlite3-dev libpq-dev
  nlohmann-json3-dev libspdlog-dev libcli11-dev libcurl4-openssl-dev libqrencode-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql curl haproxy python3-aiosmtpd openssl python3-jwt python3-cryptography
)
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
# Only bench/run needs these; a plain build or test run should not pull in a web server.
bench_packages=(wrk nginx-light procps jq)
fuzz_packages=(clang libclang-rt-14-dev)
for arg in "$@"; do
  case "$arg" in
    --bench) packages+=("${bench_packages[@]}") ;;
    --fuzz) packages+=("${fuzz_packages[@]}") ;;
    *) echo "install-deps.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
