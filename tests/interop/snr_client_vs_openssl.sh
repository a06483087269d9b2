#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# snr-client against `openssl s_server -rev` (OpenSSL's reply is the line reversed, so a
# correct reply proves both directions of application data). TLS 1.3 cipher suite x group x
# certificate, a HelloRetryRequest, an intermediate chain, and two certificates snr-client must
# reject.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer openssl
require_snr snr-client

# good_case CERT KEY SUITE GROUP [EXPECT_HRR] [EXTRA s_server ARGS...]
good_case() {
  local cert="$1" key="$2" suite="$3" group="$4" hrr="${5:-}"
  shift 5
  local server_groups
  server_groups="$(openssl_group "$group")"
  start_openssl_server -tls1_3 -cert "$cert" -key "$key" -naccept 1 -rev \
    -ciphersuites "$suite" -groups "$server_groups" "$@" || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --send "hello" 127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "snr-client reply" "olleh"
  expect_no_match "$err" "snr-client stderr" '^error: '
  expect_summary "$err" "snr-client" version TLSv1.3
  expect_summary "$err" "snr-client" cipher_suite "$suite"
  expect_summary "$err" "snr-client" group "$group"
  expect_summary "$err" "snr-client" server_name localhost
  expect_sig_family "$err" "snr-client" "$cert"
  if [[ "$hrr" == hrr ]]; then
    expect_match "$err" "snr-client summary" '^handshake_type: .*HELLO_RETRY_REQUEST'
  fi
  wait_exit "$SERVER_PID" 5
}

# bad_case CERT KEY: snr-client must refuse the server's certificate.
bad_case() {
  local cert="$1" key="$2"
  start_openssl_server -tls1_3 -cert "$cert" -key "$key" -naccept 1 -rev || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --send "hello" 127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 1
  expect_match "$err" "snr-client stderr" '^error: [A-Za-z0-9_]+: '
  if grep -qxF olleh "$CASE_DIR/client.out"; then
    case_fail "snr-client exchanged data with an unauthenticated server"
  fi
  wait_exit "$SERVER_PID" 5
}

for kind in "${CERT_KINDS[@]}"; do
  for suite in "${SUITES[@]}"; do
    for group in "${GROUPS_SNR[@]}"; do
      run_case "snr-client -> openssl s_server: $suite $group $kind" \
        good_case "$SNR_DATA/$kind-cert.pem" "$SNR_DATA/$kind-key.pem" "$suite" "$group" ""
    done
  done
done

# The server takes only P-384; snr-client's first key share is for another group.
run_case "snr-client -> openssl s_server: HelloRetryRequest to secp384r1" \
  good_case "$SNR_DATA/ecdsa-p256-cert.pem" "$SNR_DATA/ecdsa-p256-key.pem" \
  TLS_AES_128_GCM_SHA256 secp384r1 hrr

run_case "snr-client -> openssl s_server: ecdsa-p384 certificate" \
  good_case "$SNR_DATA/ecdsa-p384-cert.pem" "$SNR_DATA/ecdsa-p384-key.pem" \
  TLS_AES_256_GCM_SHA384 x25519 ""

run_case "snr-client -> openssl s_server: leaf + intermediate chain" \
  good_case "$SNR_DATA/int-leaf-cert.pem" "$SNR_DATA/int-leaf-key.pem" \
  TLS_AES_128_GCM_SHA256 x25519 "" -cert_chain "$SNR_DATA/int-cert.pem"

run_case "snr-client -> openssl s_server: untrusted root is rejected" \
  bad_case "$SNR_DATA/untrusted-cert.pem" "$SNR_DATA/untrusted-key.pem"

run_case "snr-client -> openssl s_server: wrong host name is rejected" \
  bad_case "$SNR_DATA/wronghost-cert.pem" "$SNR_DATA/wronghost-key.pem"

finish
