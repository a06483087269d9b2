#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# `openssl s_client` against snr-server (echo mode): TLS 1.3 cipher suite x group x
# certificate, a HelloRetryRequest and an intermediate chain. Both sides' views are checked:
# s_client's -brief report and snr-server's summary lines.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer openssl
require_snr snr-server

# s2n's "default" policy, as snr-server is told to use, has no x448: a client whose only key
# share is x448 gets a HelloRetryRequest.

# good_case CERT KEY SUITE CLIENT_GROUPS EXPECTED_GROUP [EXPECT_HRR]
good_case() {
  local cert="$1" key="$2" suite="$3" client_groups="$4" group="$5" hrr="${6:-}"
  start_snr_server --cert "$cert" --key "$key" --policy default --once || return 0
  local line="hello from openssl s_client"
  run_line_client "$line" "openssl s_client" \
    openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername localhost -CAfile "$CA" \
    -verify_return_error -tls1_3 -ciphersuites "$suite" -groups "$client_groups" -brief
  local out="$CASE_DIR/client.out" err="$CASE_DIR/client.err"
  expect_status "openssl s_client" "$CLIENT_STATUS" 0
  expect_line "$out" "echo" "$line"
  expect_match "$err" "s_client" '^Verification: OK'
  expect_match "$err" "s_client" '^Protocol version: TLSv1\.3$'
  expect_match "$err" "s_client" "^Ciphersuite: $suite\$"
  expect_match "$err" "s_client" "$(openssl_temp_key_re "$group")"

  # --once: the server exits after this connection, and its summary is complete.
  wait_exit "$SERVER_PID" 5
  expect_status "snr-server (--once)" "$WAIT_STATUS" 0
  local serr="$CASE_DIR/server.err"
  expect_no_match "$serr" "snr-server stderr" '^error: '
  expect_summary "$serr" "snr-server" version TLSv1.3
  expect_summary "$serr" "snr-server" cipher_suite "$suite"
  expect_summary "$serr" "snr-server" group "$group"
  expect_summary "$serr" "snr-server" server_name localhost
  expect_sig_family "$serr" "snr-server" "$cert"
  if [[ "$hrr" == hrr ]]; then
    expect_match "$serr" "snr-server summary" '^handshake_type: .*HELLO_RETRY_REQUEST'
  else
    expect_no_match "$serr" "snr-server summary" '^handshake_type: .*HELLO_RETRY_REQUEST'
  fi
}

for kind in "${CERT_KINDS[@]}"; do
  for suite in "${SUITES[@]}"; do
    for group in "${GROUPS_SNR[@]}"; do
      run_case "openssl s_client -> snr-server: $suite $group $kind" \
        good_case "$SNR_DATA/$kind-cert.pem" "$SNR_DATA/$kind-key.pem" "$suite" \
        "$(openssl_group "$group")" "$group"
    done
  done
done

# OpenSSL 3.0 sends a key share for its first group only.
run_case "openssl s_client -> snr-server: HelloRetryRequest from x448 to secp256r1" \
  good_case "$SNR_DATA/ecdsa-p256-cert.pem" "$SNR_DATA/ecdsa-p256-key.pem" \
  TLS_AES_128_GCM_SHA256 "X448:P-256" secp256r1 hrr

run_case "openssl s_client -> snr-server: ecdsa-p384 certificate" \
  good_case "$SNR_DATA/ecdsa-p384-cert.pem" "$SNR_DATA/ecdsa-p384-key.pem" \
  TLS_AES_256_GCM_SHA384 X25519 x25519

run_case "openssl s_client -> snr-server: leaf + intermediate chain" \
  good_case "$SNR_DATA/int-leaf-chain.pem" "$SNR_DATA/int-leaf-key.pem" \
  TLS_AES_128_GCM_SHA256 X25519 x25519

finish
