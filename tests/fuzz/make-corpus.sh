#!/usr/bin/env bash
# Regenerates the seed corpora under tests/fuzz/corpus/ from real handshakes. Run by hand
# (never by the build) and check the result in; re-run after tests/data/gen-certs.sh, because
# the whole-connection seeds carry the test certificates and replay only against them.
#
#   tests/fuzz/make-corpus.sh            build dir: build-fuzz-corpus (BUILD_DIR=... to change)
#
# Sources (see README.md): in-memory snr handshakes of every version and key exchange
# (fuzz_corpus_capture selftalk; selftalk-null for the null-crypto targets), then the fuzz client and server against openssl s_server /
# s_client and gnutls-serv / gnutls-cli on 127.0.0.1, and the test certificates for `pem`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$root/tests/fuzz/corpus
data=$root/tests/data
build=${BUILD_DIR:-$root/build-fuzz-corpus}

cmake -S "$root" -B "$build" -G Ninja -DSNR_BUILD_BENCH=OFF >/dev/null
ninja -C "$build" -j "${JOBS:-2}" fuzz_corpus_capture
cap=$build/bin/fuzz_corpus_capture

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

rm -rf "$out"
mkdir -p "$out"

echo "== in-memory handshakes"
"$cap" selftalk "$out"
echo "== in-memory handshakes, null crypto (server_null, client_null)"
"$cap" selftalk-null "$out"

echo "== certificates"
mkdir -p "$out/pem"
for f in ca-cert ecdsa-p256-cert rsa2048-cert rsapss-cert ed25519-cert int-leaf-chain wildcard-cert; do
  cp "$data/$f.pem" "$out/pem/$f.pem"
done
openssl x509 -in "$data/ecdsa-p384-cert.pem" -outform DER -out "$out/pem/ecdsa-p384-cert.der"

# Waits until `file` contains `pattern` (a server saying it listens).
wait_for() {
  local file=$1 pattern=$2
  for _ in $(seq 100); do
    grep -q "$pattern" "$file" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$pattern' in $file" >&2
  return 1
}

port=$((20000 + RANDOM % 20000))
next_port() { port=$((port + 1)); }

# The fuzz server records what a real client sends: `server` seeds. $1 name, then the client
# command, in which PORT stands for the port.
client_peer() {
  local name=$1
  shift
  next_port
  "$cap" serve "$port" "$work/$name" >"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_for "$work/$name.log" listening
  echo ping | timeout 10 "${@//PORT/$port}" >/dev/null 2>&1 || true
  wait "$pid" || true
  if [[ -s $work/$name ]]; then
    cp "$work/$name" "$out/server/$name"
    "$cap" split "$out" "$name" "$work/$name" >/dev/null
    echo "  server/$name ($(stat -c %s "$work/$name") bytes): $(grep -h -e negotiated -e handshake: "$work/$name.log" || true)"
  fi
}

# The fuzz client records what a real server sends: `client` seeds. $1 name, $2 what the server
# prints once it listens, then the server command (PORT as above).
server_peer() {
  local name=$1 ready=$2
  shift 2
  next_port
  "${@//PORT/$port}" >"$work/$name.server.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_for "$work/$name.server.log" "$ready"
  timeout 10 "$cap" connect "$port" "$work/$name" >"$work/$name.log" 2>&1 || true
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ -s $work/$name ]]; then
    cp "$work/$name" "$out/client/$name"
    "$cap" split "$out" "$name" "$work/$name" >/dev/null
    echo "  client/$name ($(stat -c %s "$work/$name") bytes): $(grep -h -e negotiated -e handshake: "$work/$name.log" || true)"
  fi
}

legacy="DEFAULT:@SECLEVEL=0"
if command -v openssl >/dev/null; then
  echo "== openssl $(openssl version | cut -d' ' -f2)"
  sc=(openssl s_client -connect 127.0.0.1:PORT -servername localhost -CAfile "$data/ca-cert.pem")
  client_peer openssl-tls1_3 "${sc[@]}" -tls1_3
  client_peer openssl-tls1_3-p384 "${sc[@]}" -tls1_3 -groups P-384:X25519
  client_peer openssl-tls1_2 "${sc[@]}" -tls1_2
  client_peer openssl-tls1_2-cbc "${sc[@]}" -tls1_2 -cipher ECDHE-ECDSA-AES256-SHA384 -no_ticket
  client_peer openssl-tls1_1 "${sc[@]}" -tls1_1 -cipher "$legacy"
  client_peer openssl-tls1 "${sc[@]}" -tls1 -cipher "$legacy"

  ss=(openssl s_server -accept 127.0.0.1:PORT -naccept 1 -rev)
  server_peer openssl-tls1_3-tickets ACCEPT "${ss[@]}" -cert "$data/ecdsa-p256-cert.pem" \
    -key "$data/ecdsa-p256-key.pem" -tls1_3
  server_peer openssl-tls1_3-rsa-chacha ACCEPT "${ss[@]}" -cert "$data/rsa2048-cert.pem" \
    -key "$data/rsa2048-key.pem" -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256
  server_peer openssl-tls1_2-ecdhe-rsa ACCEPT "${ss[@]}" -cert "$data/rsa2048-cert.pem" \
    -key "$data/rsa2048-key.pem" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
  server_peer openssl-tls1_2-dhe ACCEPT "${ss[@]}" -cert "$data/rsa2048-cert.pem" \
    -key "$data/rsa2048-key.pem" -tls1_2 -cipher DHE-RSA-AES256-GCM-SHA384 \
    -dhparam "$data/dhparams-ffdhe2048.pem"
  server_peer openssl-tls1_1 ACCEPT "${ss[@]}" -cert "$data/ecdsa-p256-cert.pem" \
    -key "$data/ecdsa-p256-key.pem" -tls1_1 -cipher "$legacy"
fi

if command -v gnutls-cli >/dev/null; then
  echo "== gnutls $(gnutls-cli --version | head -1 | awk '{print $2}')"
  gc=(gnutls-cli --port PORT --x509cafile "$data/ca-cert.pem" --sni-hostname localhost)
  client_peer gnutls-tls1_3 "${gc[@]}" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3" 127.0.0.1
  client_peer gnutls-tls1_2 "${gc[@]}" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.2" 127.0.0.1
  gs=(gnutls-serv --echo -p PORT)
  server_peer gnutls-tls1_3 listening "${gs[@]}" --x509certfile "$data/ecdsa-p256-cert.pem" \
    --x509keyfile "$data/ecdsa-p256-key.pem" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3"
  server_peer gnutls-tls1_2 listening "${gs[@]}" --x509certfile "$data/rsa2048-cert.pem" \
    --x509keyfile "$data/rsa2048-key.pem" --priority "NORMAL:-VERS-ALL:+VERS-TLS1.2"
fi

echo "== corpus"
for d in "$out"/*/; do
  printf '  %-14s %3d files %7d bytes\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)" \
    "$(find "$d" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')"
done
total=$(find "$out" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
echo "  total $total bytes"
if ((total > 200 * 1024)); then
  echo "corpus over 200 KB: trim the capture lists" >&2
  exit 1
fi
