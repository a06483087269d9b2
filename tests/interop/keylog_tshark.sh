#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# NSS key logs written by snr decrypt a real capture: tshark records a loopback session between
# snr-client and a server, then reads it back with the key log snr wrote. The application line
# must appear decrypted with the log and must not appear without it (proving it was encrypted).
# Covers TLS 1.3 (the *_TRAFFIC_SECRET lines) and TLS 1.2 (CLIENT_RANDOM), the client's log and
# the server's.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer tshark openssl
require_snr snr-client snr-server

# Capturing needs CAP_NET_RAW (root, or dumpcap with capabilities): skip if it cannot.
probe_capture() {
  local err="$WORK/probe.err"
  if ! timeout 5 tshark -i lo -c 1 -a duration:1 -w "$WORK/probe.pcapng" -f "tcp port 9" \
    >/dev/null 2>"$err"; then
    if grep -qiE 'permission|not permitted|don.t have permission' "$err"; then
      echo "SKIP: tshark may not capture on lo here (needs root or CAP_NET_RAW): $(head -n1 "$err")"
      exit 77
    fi
  fi
}
probe_capture

# start_capture PORT: tshark writes the session on PORT to $CASE_DIR/cap.pcapng. "Capturing
# on" comes before the capture is live, so UDP probes (to a port nobody uses) go out until
# tshark's live packet list (-P) shows one.
start_capture() {
  local port="$1" err="$CASE_DIR/tshark.err" live="$CASE_DIR/tshark.out" probe
  probe="$(random_port)"
  case_log "tshark stderr" "$err"
  tshark -i lo -f "tcp port $port or udp port $probe" -l -P -w "$CASE_DIR/cap.pcapng" \
    >"$live" 2>"$err" &
  CAPTURE_PID=$!
  track_bg "$CAPTURE_PID"
  local tries=200
  while ((tries-- > 0)); do
    (echo probe >"/dev/udp/127.0.0.1/$probe") 2>/dev/null || true
    if grep -q UDP "$live" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$CAPTURE_PID" 2>/dev/null; then
      break
    fi
    sleep 0.05
  done
  case_fail "tshark did not start capturing"
  return 1
}

# stop_capture: the (--once) server has finished; tshark gets a second to write what it has
# seen (it lags behind under load), then stops.
stop_capture() {
  wait_exit "$SERVER_PID" 5
  sleep 2
  kill -INT "$CAPTURE_PID" 2>/dev/null || true
  wait_exit "$CAPTURE_PID" 10
}

# decrypted_stream [KEYLOG]: the capture's first TLS stream as tshark decodes it.
decrypted_stream() {
  local opts=()
  [[ -n "${1:-}" ]] && opts=(-o "tls.keylog_file:$1")
  tshark -r "$CASE_DIR/cap.pcapng" "${opts[@]}" -q -z follow,tls,ascii,0 2>/dev/null
}

# check_capture KEYLOG LINE KEY_RE: the key log has KEY_RE lines, and decrypts LINE.
check_capture() {
  local keylog="$1" line="$2" key_re="$3"
  if [[ ! -s "$keylog" ]]; then
    case_fail "no key log written"
    return 0
  fi
  expect_match "$keylog" "key log" "$key_re"
  decrypted_stream "$keylog" >"$CASE_DIR/with-log.txt"
  decrypted_stream >"$CASE_DIR/without-log.txt"
  case_log "tshark follow with the key log" "$CASE_DIR/with-log.txt"
  if ! grep -qxF -- "$line" "$CASE_DIR/with-log.txt"; then
    case_fail "tshark did not decrypt '$line' with the key log"
  fi
  if grep -qF -- "$line" "$CASE_DIR/without-log.txt"; then
    case_fail "'$line' readable without the key log: not encrypted?"
  fi
}

# snr_client_keylog POLICY CERT_KIND KEY_RE: snr-server (echo) and snr-client --keylog.
snr_client_keylog() {
  # (Not "keylog-...": a line starting with k or K is a KeyUpdate command to s_client.)
  local policy="$1" kind="$2" key_re="$3" line="capture-line-$RANDOM$RANDOM"
  start_snr_server --echo --once --policy "$policy" --cert "$SNR_DATA/$kind-cert.pem" \
    --key "$SNR_DATA/$kind-key.pem" || return 0
  start_capture "$SERVER_PORT" || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --policy "$policy" \
    --keylog "$CASE_DIR/client.keys" --send "$line" 127.0.0.1 "$SERVER_PORT"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  stop_capture
  check_capture "$CASE_DIR/client.keys" "$line" "$key_re"
}

# snr_server_keylog OPENSSL_VERSION_FLAG POLICY KEY_RE: snr-server --keylog, openssl s_client.
snr_server_keylog() {
  local flag="$1" policy="$2" key_re="$3" line="capture-line-$RANDOM$RANDOM"
  start_snr_server --echo --once --policy "$policy" --keylog "$CASE_DIR/server.keys" \
    --cert "$SNR_DATA/rsa2048-cert.pem" --key "$SNR_DATA/rsa2048-key.pem" || return 0
  start_capture "$SERVER_PORT" || return 0
  run_line_client "$line" "openssl s_client" openssl s_client -connect "127.0.0.1:$SERVER_PORT" \
    "$flag" -CAfile "$CA" -servername localhost -brief
  stop_capture
  check_capture "$CASE_DIR/server.keys" "$line" "$key_re"
}

run_case "key log: snr-client TLS 1.3, tshark decrypts" \
  snr_client_keylog default_tls13 ecdsa-p256 '^CLIENT_TRAFFIC_SECRET_0 [0-9a-f]{64} [0-9a-f]{64}$'
run_case "key log: snr-client TLS 1.2 (CLIENT_RANDOM), tshark decrypts" \
  snr_client_keylog 20170210 rsa2048 '^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$'
run_case "key log: snr-server TLS 1.3 with openssl s_client, tshark decrypts" \
  snr_server_keylog -tls1_3 default '^SERVER_TRAFFIC_SECRET_0 [0-9a-f]{64} [0-9a-f]{64}$'
run_case "key log: snr-server TLS 1.2 with openssl s_client, tshark decrypts" \
  snr_server_keylog -tls1_2 20170210 '^CLIENT_RANDOM [0-9a-f]{64} [0-9a-f]{96}$'
finish
