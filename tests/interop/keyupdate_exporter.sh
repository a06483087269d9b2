#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# shellcheck disable=SC2086 # $key_update is empty or one word
# TLS 1.3 exporter and KeyUpdate against OpenSSL (and the RFC 5705 exporter in TLS 1.2): snr-client's exported keying material
# (RFC 8446 7.5) equals what `openssl s_server -keymatexport` prints, and the data snr-client
# sends after a KeyUpdate reaches s_server.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer openssl
require_snr snr-client

exporter_and_key_update() {
  local suite="$1" len="$2" version="${3:--tls1_3}"
  local suite_flag=-ciphersuites key_update=--key-update
  if [[ "$version" == -tls1_2 ]]; then
    suite_flag=-cipher
    key_update=""
  fi
  local out="$CASE_DIR/server.out" err="$CASE_DIR/server.err"
  case_log "openssl s_server stdout" "$out"
  case_log "openssl s_server stderr" "$err"
  # Without -rev s_server prints the connection's details, the keying material included.
  # Its stdin stays open for 20 s (EOF would end the connection early on a loaded machine);
  # the server itself exits after its one connection, not when the sleep does.
  (openssl s_server -accept 127.0.0.1:0 "$version" "$suite_flag" "$suite" \
    -cert "$SNR_DATA/ecdsa-p256-cert.pem" -key "$SNR_DATA/ecdsa-p256-key.pem" -naccept 1 \
    -keymatexport EXPERIMENTAL-snr-interop -keymatexportlen "$len" >"$out" 2>"$err" \
    < <(sleep 20)) &
  SERVER_PID=$!
  track_bg "$SERVER_PID"
  if ! wait_for 10 "" "$out" -E '^ACCEPT '; then
    case_fail "openssl s_server did not start"
    return 0
  fi
  SERVER_PORT="$(sed -n -E 's/^ACCEPT .*:([0-9]+)$/\1/p' "$out" | head -n1)"
  local cout="$CASE_DIR/client.out" cerr="$CASE_DIR/client.err"
  case_log "snr-client stderr" "$cerr"
  CLIENT_STATUS=0
  echo "after-key-update" | timeout "$PEER_TIMEOUT" "$SNR_BIN/snr-client" --ca-file "$CA" \
    --server-name localhost --export "EXPERIMENTAL-snr-interop:$len" $key_update \
    127.0.0.1 "$SERVER_PORT" >"$cout" 2>"$cerr" || CLIENT_STATUS=$?
  expect_status "snr-client" "$CLIENT_STATUS" 0
  wait_for 8 "" "$out" -E '^after-key-update' || true
  expect_line "$out" "s_server" "after-key-update"
  local mine theirs
  mine="$(sed -n -E 's/^exporter: ([0-9A-F]+)$/\1/p' "$cerr")"
  theirs="$(sed -n -E 's/^ *Keying material: ([0-9A-Fa-f]+)$/\1/p' "$out" | tr 'a-f' 'A-F')"
  if [[ -z "$mine" || "$mine" != "$theirs" ]]; then
    case_fail "exporter: snr-client '${mine:-none}', openssl '${theirs:-none}'"
  fi
  if [[ "${#mine}" != $((2 * len)) ]]; then
    case_fail "exporter length ${#mine} hex digits, expected $((2 * len))"
  fi
  stop_bg "$SERVER_PID"
}

run_case "exporter + KeyUpdate: snr-client -> openssl s_server, TLS_AES_128_GCM_SHA256, 32 B" \
  exporter_and_key_update TLS_AES_128_GCM_SHA256 32
run_case "exporter + KeyUpdate: snr-client -> openssl s_server, TLS_AES_256_GCM_SHA384, 80 B" \
  exporter_and_key_update TLS_AES_256_GCM_SHA384 80
run_case "RFC 5705 exporter: snr-client -> openssl s_server, TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384" \
  exporter_and_key_update ECDHE-ECDSA-AES256-GCM-SHA384 48 -tls1_2

# openssl_client_key_updates: s_client's "k" (update_not_requested) and "K" (update_requested)
# commands against snr-server. Data after each update must still be echoed, and after "K" the
# server must have answered with a KeyUpdate of its own (s_client -msg shows what it receives).
openssl_client_key_updates() {
  start_snr_server --cert "$SNR_DATA/ecdsa-p256-cert.pem" --key "$SNR_DATA/ecdsa-p256-key.pem" \
    --once || return 0
  local out="$CASE_DIR/client.out" err="$CASE_DIR/client.err" fifo="$CASE_DIR/client.in"
  case_log "openssl s_client stdout" "$out"
  case_log "openssl s_client stderr" "$err"
  mkfifo "$fifo"
  timeout "$PEER_TIMEOUT" openssl s_client -connect "127.0.0.1:$SERVER_PORT" -tls1_3 \
    -servername localhost -CAfile "$CA" -verify_return_error -msg <"$fifo" >"$out" 2>"$err" &
  local pid=$! fd
  track_bg "$pid"
  exec {fd}>"$fifo"
  (printf 'first line\n' >&"$fd") 2>/dev/null || true
  wait_for "$PEER_TIMEOUT" "$pid" "$out" -xF -- "first line" || true
  (printf 'k\n' >&"$fd") 2>/dev/null || true
  (printf 'after k\n' >&"$fd") 2>/dev/null || true
  wait_for "$PEER_TIMEOUT" "$pid" "$out" -xF -- "after k" || true
  (printf 'K\n' >&"$fd") 2>/dev/null || true
  (printf 'after K\n' >&"$fd") 2>/dev/null || true
  wait_for "$PEER_TIMEOUT" "$pid" "$out" -xF -- "after K" || true
  exec {fd}>&-
  CLIENT_STATUS=0
  wait "$pid" || CLIENT_STATUS=$?
  untrack_bg "$pid"
  expect_status "openssl s_client" "$CLIENT_STATUS" 0
  expect_line "$out" "echo" "first line"
  expect_line "$out" "echo after update_not_requested" "after k"
  expect_line "$out" "echo after update_requested" "after K"
  local sent received
  sent="$(grep -c '^>>> .*KeyUpdate' "$out" || true)"
  received="$(grep -c '^<<< .*KeyUpdate' "$out" || true)"
  if [[ "$sent" != 2 ]]; then
    case_fail "s_client sent $sent KeyUpdates, expected 2"
  fi
  # "k" asks for nothing; "K" asks the server to update too: exactly one answer.
  if [[ "$received" != 1 ]]; then
    case_fail "s_client received $received KeyUpdates from snr-server, expected 1"
  fi
  wait_exit "$SERVER_PID" 5
  expect_no_match "$CASE_DIR/server.err" "snr-server stderr" '^error: '
}

run_case "KeyUpdate: openssl s_client k and K -> snr-server (answers update_requested)" \
  openssl_client_key_updates

finish
