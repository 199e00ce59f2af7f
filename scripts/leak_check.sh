#!/usr/bin/env bash
# Leak check: builds the server with ASan + UBSan (LeakSanitizer on) in build-harden/, starts it
# on a free loopback port, drives a session over every route with curl (register, login, CRUD,
# refresh, logout, and some failures), stops it with SIGTERM, and fails if LeakSanitizer or
# UBSan reported anything, if any request got an unexpected status, or the exit code is not 0.
#   scripts/leak_check.sh
# LEAK_CHECK_BUILD_DIR=build-asan reuses the tree scripts/test.sh --sanitize built (same flags).
set -euo pipefail
cd "$(dirname "$0")/.."

build="${LEAK_CHECK_BUILD_DIR:-build-harden}"
jobs="${LEAK_CHECK_BUILD_JOBS:-2}"
./scripts/install-deps.sh
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLATCHKEY_SANITIZE=ON \
  -DLATCHKEY_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target latchkey -j "$jobs"

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT

# exitcode=23 tells a leak report apart from any other failure; log_path keeps the report
# out of the server's own log.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=23:log_path=$work/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$work/ubsan"
export LATCHKEY_JWT_SECRET="leak-check-secret-0123456789abcdef0123456789"
"$build/src/app/latchkey" serve --listen 127.0.0.1:0 --data-dir "$work/data" \
  --auth-rate-limit 100000 2>"$work/server.log" &
server_pid=$!

port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's/.*listening.*address=[^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/server.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "leak check: the server did not start"
  cat "$work/server.log"
  exit 1
fi
base="http://127.0.0.1:$port"

# One line per unexpected status; a file, because `call` often runs in a $(...) subshell.
: >"$work/unexpected"
# call EXPECTED_STATUS METHOD PATH [BODY [TOKEN]]: prints the body, records a wrong status.
call() {
  local want=$1 method=$2 path=$3 body=${4:-} token=${5:-}
  local args=(-sS -o "$work/body" -w '%{http_code}' -X "$method" "$base$path")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  local got
  got=$(curl "${args[@]}" || echo 000)
  if [ "$got" != "$want" ]; then
    echo "$method $path -> $got, expected $want: $(head -c 300 "$work/body")" >>"$work/unexpected"
  fi
  cat "$work/body"
}
field() { sed -n "s/.*\"$1\": *\"\\([^\"]*\\)\".*/\\1/p"; }

for round in 1 2 3; do
  email="leak$round-$$@example.com"
  creds="{\"email\":\"$email\",\"password\":\"leak-check-password-$round\"}"
  call 200 GET /health >/dev/null
  call 200 GET /openapi.json >/dev/null
  call 200 GET /docs >/dev/null
  call 200 POST /auth/register "$creds" >/dev/null
  call 400 POST /auth/register "$creds" >/dev/null
  call 422 POST /auth/register '{"email":"nope","password":"x"}' >/dev/null
  call 422 POST /auth/register '{"email": [1e400' >/dev/null
  login=$(call 200 POST /auth/login "$creds")
  access=$(echo "$login" | field access_token)
  refresh=$(echo "$login" | field refresh_token)
  call 401 POST /auth/login "{\"email\":\"$email\",\"password\":\"wrong-password\"}" >/dev/null
  call 200 GET /auth/me "" "$access" >/dev/null
  call 401 GET /auth/me "" "not.a.token" >/dev/null
  for i in 1 2 3 4 5; do
    call 200 POST /data "{\"title\":\"t$i\",\"content\":\"c$i\",\"metadata\":{\"i\":$i}}" "$access" >/dev/null
  done
  id=$(call 200 POST /data '{"title":"x","content":"y"}' "$access" | field id)
  call 200 GET "/data?limit=3&offset=1" "" "$access" >/dev/null
  call 200 GET "/data/$id" "" "$access" >/dev/null
  call 200 PUT "/data/$id" '{"content":"z","metadata":null}' "$access" >/dev/null
  call 422 PUT "/data/$id" '{"title":""}' "$access" >/dev/null
  call 200 DELETE "/data/$id" "" "$access" >/dev/null
  call 404 GET "/data/$id" "" "$access" >/dev/null
  renewed=$(call 200 POST /auth/refresh "{\"refresh_token\":\"$refresh\"}")
  access=$(echo "$renewed" | field access_token)
  call 200 POST /auth/logout "" "$access" >/dev/null
  call 401 GET /auth/me "" "$access" >/dev/null
  call 401 POST /auth/refresh "{\"refresh_token\":\"$refresh\"}" >/dev/null
done

kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""

failures=$(wc -l <"$work/unexpected")
cat "$work/unexpected"
reports=$(cat "$work"/asan* "$work"/ubsan* 2>/dev/null || true)
if [ -n "$reports" ]; then
  echo "$reports" | head -n 200
fi
echo "leak check: exit code $status, $failures unexpected responses"
if [ "$status" -ne 0 ] || [ -n "$reports" ] || [ "$failures" -ne 0 ]; then
  [ "$status" -eq 23 ] && echo "leak check: LeakSanitizer reported leaks"
  echo "leak check FAILED; server log tail:"
  tail -n 20 "$work/server.log"
  exit 1
fi
echo "leak check: no leaks, clean exit"
