#!/usr/bin/env bash
# The demo behind `make demo`: snr-server on 127.0.0.1 with its built-in test certificate,
# then two clients talk to it: snr-client, and OpenSSL's s_client as a real independent peer.
#
#   scripts/demo.sh [BIN_DIR]      (default: build/bin; `make demo` builds it first)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-${SNR_BIN:-$root/build/bin}}"
ca="$root/tests/data/ca-cert.pem"

for tool in snr-server snr-client; do
  if [[ ! -x "$bin/$tool" ]]; then
    echo "demo: $bin/$tool is missing; build first (make)" >&2
    exit 1
  fi
done
if ! command -v openssl >/dev/null 2>&1; then
  echo "demo: the openssl command is missing (scripts/deps.sh peers installs it)" >&2
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/snr-demo.XXXXXX")"
server_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  if [[ -n "$server_pid" ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

section() {
  printf '\n=== %s\n' "$*"
}
indent() {
  sed -e 's/^/    /' "$@"
}

# wait_for FILE ERE SECS PID: until FILE has a line matching ERE; fails early if PID exits.
wait_for() {
  local file="$1" re="$2" tries=$(($3 * 20)) pid="$4"
  while ((tries-- > 0)); do
    grep -qE -- "$re" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  grep -qE -- "$re" "$file" 2>/dev/null
}

# Print the server's stderr (its connection summary) written since byte OFFSET, once it has
# written one (or after a few seconds).
server_report_since() {
  local tries=60
  while ((tries-- > 0)); do
    tail -c +"$(($1 + 1))" "$work/server.err" | grep -qE '^(version|error): ' && break
    sleep 0.05
  done
  sleep 0.1  # the rest of the summary follows its first line
  tail -c +"$(($1 + 1))" "$work/server.err" | indent
}

section "starting: snr-server 127.0.0.1 0   (built-in test certificate for localhost)"
"$bin/snr-server" 127.0.0.1 0 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
if ! wait_for "$work/server.out" '^listening on [^ ]+:[0-9]+' 10 "$server_pid"; then
  echo "demo: snr-server did not start:" >&2
  cat "$work/server.out" "$work/server.err" >&2
  exit 1
fi
port="$(sed -n -E 's/^listening on .*:([0-9]+)[[:space:]]*$/\1/p' "$work/server.out" | head -n1)"
indent "$work/server.out"

status=0

# --- snr-client -> snr-server ---------------------------------------------------------------
section "snr-client --ca-file tests/data/ca-cert.pem --server-name localhost" \
  "--send \"hello from snr-client\" 127.0.0.1 $port"
mark="$(stat -c %s "$work/server.err")"
client_status=0
timeout 20 "$bin/snr-client" --ca-file "$ca" --server-name localhost \
  --send "hello from snr-client" 127.0.0.1 "$port" >"$work/client.out" 2>"$work/client.err" ||
  client_status=$?
echo "  reply from the server:"
indent "$work/client.out"
echo "  snr-client's connection summary:"
indent "$work/client.err"
echo "  snr-client exit status: $client_status"
echo "  snr-server's connection summary:"
server_report_since "$mark"
if [[ "$client_status" != 0 ]] || ! grep -qxF "hello from snr-client" "$work/client.out"; then
  status=1
fi

# --- openssl s_client -> snr-server ---------------------------------------------------------
line="hello from openssl s_client"
section "echo \"$line\" | openssl s_client -connect 127.0.0.1:$port -servername localhost" \
  "-CAfile tests/data/ca-cert.pem -verify_return_error -brief"
mark="$(stat -c %s "$work/server.err")"
# Keep s_client's stdin open until the echo is back, so that it does not hang up first.
mkfifo "$work/ossl.in"
timeout 20 openssl s_client -connect "127.0.0.1:$port" -servername localhost -CAfile "$ca" \
  -verify_return_error -brief <"$work/ossl.in" >"$work/ossl.out" 2>"$work/ossl.err" &
ossl_pid=$!
exec {ossl_fd}>"$work/ossl.in"
(printf '%s\n' "$line" >&"$ossl_fd") 2>/dev/null || true
wait_for "$work/ossl.out" "^$line\$" 10 "$ossl_pid" || true
exec {ossl_fd}>&-
ossl_status=0
wait "$ossl_pid" || ossl_status=$?
echo "  reply from the server:"
indent "$work/ossl.out"
echo "  openssl s_client's report:"
indent "$work/ossl.err"
echo "  openssl s_client exit status: $ossl_status"
echo "  snr-server's connection summary:"
server_report_since "$mark"
if [[ "$ossl_status" != 0 ]] || ! grep -qxF "$line" "$work/ossl.out"; then
  status=1
fi

section "stopping snr-server"
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""

if [[ "$status" == 0 ]]; then
  echo "demo: OK: snr-client and openssl s_client both completed TLS handshakes with snr-server"
else
  echo "demo: FAILED (see above)"
fi
exit "$status"
