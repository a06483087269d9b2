#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# Session resumption against real peers: snr-client resuming with OpenSSL's and GnuTLS's
# servers (--reconnect, --sess-out/--sess-in), and openssl s_client -sess_out/-sess_in and
# gnutls-cli --resume resuming with snr-server --tickets. TLS 1.3 (tickets, PSK-DHE) and
# TLS 1.2 (RFC 5077 tickets).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer openssl gnutls-serv gnutls-cli
require_snr snr-client snr-server

CERT="$SNR_DATA/ecdsa-p256-cert.pem"
KEY="$SNR_DATA/ecdsa-p256-key.pem"

# expect_count FILE LABEL ERE N: exactly N lines of FILE match ERE.
expect_count() {
  local file="$1" label="$2" re="$3" want="$4" got
  got="$(grep -cE -- "$re" "$file" || true)"
  if [[ "$got" != "$want" ]]; then
    case_fail "$label: $got lines match /$re/, expected $want"
  fi
}

# version_name -tls1_3|-tls1_2: the version line of snr's summary.
version_name() {
  case "$1" in
    -tls1_3*) echo TLSv1.3 ;;
    -tls1_2*) echo TLSv1.2 ;;
  esac
}

# snr-client connects three times to openssl s_server; the last two resume.
snr_client_vs_openssl() {
  local version="$1" policy="$2"
  # shellcheck disable=SC2086 # $version may hold several flags
  start_openssl_server $version -cert "$CERT" -key "$KEY" -naccept 3 -rev || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --policy "$policy" --reconnect 2 \
    --send hello 127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_count "$CASE_DIR/client.out" "snr-client replies" '^olleh$' 3
  expect_no_match "$err" "snr-client stderr" '^error: '
  expect_count "$err" "snr-client summaries" '^resumed: no$' 1
  expect_count "$err" "snr-client summaries" '^resumed: yes$' 2
  expect_count "$err" "snr-client summaries" '^handshake_type: .*FULL_HANDSHAKE' 1
  expect_count "$err" "snr-client summaries" "^version: $(version_name "$version")\$" 3
  wait_exit "$SERVER_PID" 5
}

# A session saved by one snr-client run resumes in the next (--sess-out, --sess-in).
snr_client_session_file() {
  local version="$1" policy="$2"
  start_openssl_server "$version" -cert "$CERT" -key "$KEY" -naccept 2 -rev || return 0
  local sess="$CASE_DIR/session.bin"
  run_snr_client --ca-file "$CA" --server-name localhost --policy "$policy" \
    --sess-out "$sess" --send one 127.0.0.1 "$SERVER_PORT"
  expect_status "snr-client (first)" "$CLIENT_STATUS" 0
  cp "$CASE_DIR/client.err" "$CASE_DIR/first.err"
  case_log "first snr-client stderr" "$CASE_DIR/first.err"
  expect_summary "$CASE_DIR/first.err" "first snr-client" resumed no
  if [[ ! -s "$sess" ]]; then
    case_fail "--sess-out wrote no session"
  fi
  run_snr_client --ca-file "$CA" --server-name localhost --policy "$policy" \
    --sess-in "$sess" --send two 127.0.0.1 "$SERVER_PORT"
  expect_status "snr-client (second)" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "second reply" "owt"
  expect_summary "$CASE_DIR/client.err" "second snr-client" resumed yes
  wait_exit "$SERVER_PID" 5
}

snr_client_vs_gnutls() {
  local priority="$1" policy="$2"
  start_gnutls_server --echo --x509certfile "$CERT" --x509keyfile "$KEY" \
    --priority "$priority" || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --policy "$policy" --reconnect 1 \
    --send hello 127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_count "$CASE_DIR/client.out" "snr-client replies" '^hello$' 2
  expect_count "$err" "snr-client summaries" '^resumed: yes$' 1
  stop_bg "$SERVER_PID"
}

# openssl s_client saves the session, then resumes it ("Reused").
openssl_client_vs_snr() {
  local version="$1" policy="$2" server_mode="${4:---tickets}"
  start_snr_server "$server_mode" --policy "$policy" || return 0
  local sess="$CASE_DIR/openssl.sess"
  # shellcheck disable=SC2086 # $version may hold several flags
  run_line_client "ping" "openssl s_client (first)" openssl s_client $version \
    -connect "127.0.0.1:$SERVER_PORT" -CAfile "$CA" -servername localhost -sess_out "$sess"
  cp "$CASE_DIR/client.out" "$CASE_DIR/first.out"
  case_log "first s_client stdout" "$CASE_DIR/first.out"
  expect_match "$CASE_DIR/first.out" "first s_client" "^New, $(openssl_version_name "$3")"
  # shellcheck disable=SC2086
  run_line_client "ping" "openssl s_client (second)" openssl s_client $version \
    -connect "127.0.0.1:$SERVER_PORT" -CAfile "$CA" -servername localhost -sess_in "$sess"
  expect_match "$CASE_DIR/client.out" "second s_client" "^Reused, $(openssl_version_name "$3")"
  expect_line "$CASE_DIR/client.out" "second s_client echo" "ping"
  stop_bg "$SERVER_PID"
  expect_count "$CASE_DIR/server.err" "snr-server summaries" '^resumed: yes$' 1
}

gnutls_client_vs_snr() {
  local priority="$1" policy="$2"
  start_snr_server --tickets --policy "$policy" || return 0
  run_line_client "ping" "gnutls-cli" gnutls-cli --x509cafile "$CA" --priority "$priority" \
    --resume -p "$SERVER_PORT" localhost
  expect_match "$CASE_DIR/client.out" "gnutls-cli" 'This is a resumed session'
  stop_bg "$SERVER_PID"
  expect_count "$CASE_DIR/server.err" "snr-server summaries" '^resumed: yes$' 1
}

PSK_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

# External PSKs (TLS 1.3, SHA-256): no certificates on either side.
snr_client_psk_vs_openssl() {
  start_openssl_server -tls1_3 -psk "$PSK_KEY" -psk_identity snr-test -nocert -naccept 1 \
    -rev || return 0
  run_snr_client --psk "snr-test:$PSK_KEY" --send hello 127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "snr-client reply" "olleh"
  expect_summary "$err" "snr-client" handshake_type "NEGOTIATED|MIDDLEBOX_COMPAT"
  expect_summary "$err" "snr-client" peer_certificate NONE
  wait_exit "$SERVER_PID" 5
}

openssl_client_psk_vs_snr() {
  start_snr_server --psk "snr-test:$PSK_KEY" || return 0
  run_line_client "ping" "openssl s_client" openssl s_client -tls1_3 \
    -connect "127.0.0.1:$SERVER_PORT" -psk "$PSK_KEY" -psk_identity snr-test
  expect_line "$CASE_DIR/client.out" "s_client echo" "ping"
  expect_match "$CASE_DIR/client.out" "s_client" "^Reused, TLSv1.3"
  stop_bg "$SERVER_PID"
  expect_summary "$CASE_DIR/server.err" "snr-server" handshake_type "NEGOTIATED|MIDDLEBOX_COMPAT"
}

# 0-RTT: snr-client sends a file as early data on its resumed connection.
snr_client_early_vs_openssl() {
  printf 'EARLY-LINE-FROM-SNR\n' >"$CASE_DIR/early.txt"
  # s_server -early_data cannot be combined with -rev; it prints what it reads.
  local out="$CASE_DIR/server.out" err="$CASE_DIR/server.err"
  case_log "openssl s_server stdout" "$out"
  case_log "openssl s_server stderr" "$err"
  (sleep 8 | openssl s_server -accept 127.0.0.1:0 -tls1_3 -cert "$CERT" -key "$KEY" -naccept 2 \
    -early_data >"$out" 2>"$err") &
  SERVER_PID=$!
  track_bg "$SERVER_PID"
  if ! wait_for 10 "" "$out" -E '^ACCEPT '; then
    case_fail "openssl s_server did not start"
    return 0
  fi
  SERVER_PORT="$(sed -n -E 's/^ACCEPT .*:([0-9]+)$/\1/p' "$out" | head -n1)"
  run_snr_client --ca-file "$CA" --server-name localhost --reconnect 1 \
    --early-data "$CASE_DIR/early.txt" 127.0.0.1 "$SERVER_PORT"
  local cerr="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_count "$cerr" "snr-client summaries" '^early_data: ACCEPTED$' 1
  expect_count "$cerr" "snr-client summaries" '^resumed: yes$' 1
  wait_for 8 "" "$out" -F 'End of early data' || true
  expect_match "$out" "s_server" '^Early data received:'
  expect_count "$out" "s_server" '^EARLY-LINE-FROM-SNR$' 1
  stop_bg "$SERVER_PID"
}

# 0-RTT: openssl s_client -early_data on a session from snr-server --max-early-data.
openssl_client_early_vs_snr() {
  printf 'EARLY-LINE-FROM-OPENSSL\n' >"$CASE_DIR/early.txt"
  start_snr_server --tickets --max-early-data 16384 || return 0
  local sess="$CASE_DIR/openssl.sess"
  run_line_client "ping" "openssl s_client (first)" openssl s_client -tls1_3 \
    -connect "127.0.0.1:$SERVER_PORT" -CAfile "$CA" -servername localhost -sess_out "$sess"
  run_line_client "EARLY-LINE-FROM-OPENSSL" "openssl s_client (early)" openssl s_client -tls1_3 \
    -connect "127.0.0.1:$SERVER_PORT" -CAfile "$CA" -servername localhost -sess_in "$sess" \
    -early_data "$CASE_DIR/early.txt"
  expect_match "$CASE_DIR/client.out" "s_client" '^Early data was accepted'
  stop_bg "$SERVER_PID"
  expect_count "$CASE_DIR/server.err" "snr-server summaries" '^early_data: ACCEPTED$' 1
}

run_case "TLS 1.3: snr-client --reconnect 2 -> openssl s_server" \
  snr_client_vs_openssl -tls1_3 default_tls13
run_case "TLS 1.3: snr-client --sess-out / --sess-in -> openssl s_server" \
  snr_client_session_file -tls1_3 default_tls13
run_case "TLS 1.3: snr-client --reconnect 1 -> gnutls-serv" \
  snr_client_vs_gnutls "NORMAL:-VERS-ALL:+VERS-TLS1.3" default_tls13
run_case "TLS 1.3: openssl s_client -sess_out/-sess_in -> snr-server --tickets" \
  openssl_client_vs_snr -tls1_3 default_tls13 TLSv1.3
run_case "TLS 1.3: gnutls-cli --resume -> snr-server --tickets" \
  gnutls_client_vs_snr "NORMAL:-VERS-ALL:+VERS-TLS1.3" default_tls13

run_case "TLS 1.2: snr-client --reconnect 2 -> openssl s_server" \
  snr_client_vs_openssl -tls1_2 default
run_case "TLS 1.2: snr-client --sess-out / --sess-in -> openssl s_server" \
  snr_client_session_file -tls1_2 default
run_case "TLS 1.2: snr-client --reconnect 1 -> gnutls-serv" \
  snr_client_vs_gnutls "NORMAL:-VERS-ALL:+VERS-TLS1.2" default
run_case "TLS 1.2: openssl s_client -sess_out/-sess_in -> snr-server --tickets" \
  openssl_client_vs_snr -tls1_2 default TLSv1.2
run_case "TLS 1.2: gnutls-cli --resume -> snr-server --tickets" \
  gnutls_client_vs_snr "NORMAL:-VERS-ALL:+VERS-TLS1.2" default
run_case "TLS 1.2 session id: snr-client --reconnect 2 -> openssl s_server -no_ticket" \
  snr_client_vs_openssl "-tls1_2 -no_ticket" default
run_case "TLS 1.2 session id: openssl s_client -no_ticket -> snr-server --session-cache" \
  openssl_client_vs_snr "-tls1_2 -no_ticket" default TLSv1.2 --session-cache
run_case "TLS 1.3 0-RTT: snr-client --early-data -> openssl s_server -early_data" \
  snr_client_early_vs_openssl
run_case "TLS 1.3 0-RTT: openssl s_client -early_data -> snr-server --max-early-data" \
  openssl_client_early_vs_snr
run_case "TLS 1.3 external PSK: snr-client --psk -> openssl s_server -psk -nocert" \
  snr_client_psk_vs_openssl
run_case "TLS 1.3 external PSK: openssl s_client -psk -> snr-server --psk" \
  openssl_client_psk_vs_snr

finish
