#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# gnutls-cli against snr-server (echo mode): TLS 1.3 cipher suite x group x certificate, a
# HelloRetryRequest and an intermediate chain. Both sides' views are checked: gnutls-cli's
# report and snr-server's summary lines.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer gnutls-cli
require_snr snr-server

# good_case CERT KEY SUITE "CLIENT_GROUP..." EXPECTED_GROUP [EXPECT_HRR]
good_case() {
  local cert="$1" key="$2" suite="$3" client_groups="$4" group="$5" hrr="${6:-}"
  start_snr_server --cert "$cert" --key "$key" --policy default --once || return 0
  local line="hello from gnutls-cli"
  # shellcheck disable=SC2086 # client_groups is a list
  run_line_client "$line" "gnutls-cli" \
    gnutls-cli --x509cafile="$CA" -p "$SERVER_PORT" --sni-hostname=localhost \
    --verify-hostname=localhost --priority="$(gnutls_priority "$suite" $client_groups)" 127.0.0.1
  # gnutls-cli reports and echoes on stdout.
  local out="$CASE_DIR/client.out"
  expect_status "gnutls-cli" "$CLIENT_STATUS" 0
  expect_line "$out" "echo" "$line"
  expect_match "$out" "gnutls-cli" '^- Status: The certificate is trusted'
  expect_match "$out" "gnutls-cli" '^- Handshake was completed'
  expect_match "$out" "gnutls-cli" \
    "^- Description: \(TLS1\.3-X\.509\)-\(ECDHE-$(gnutls_group "$group")\)-.*-\($(gnutls_cipher "$suite")\)\$"

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
      run_case "gnutls-cli -> snr-server: $suite $group $kind" \
        good_case "$SNR_DATA/$kind-cert.pem" "$SNR_DATA/$kind-key.pem" "$suite" \
        "$(gnutls_group "$group")" "$group"
    done
  done
done

# GnuTLS sends one key share per kind of group (X25519/X448, NIST curves, FFDHE); with X448
# first and X25519 second its only share is x448, which snr does not implement.
run_case "gnutls-cli -> snr-server: HelloRetryRequest from x448 to x25519" \
  good_case "$SNR_DATA/ecdsa-p256-cert.pem" "$SNR_DATA/ecdsa-p256-key.pem" \
  TLS_AES_128_GCM_SHA256 "X448 X25519" x25519 hrr

run_case "gnutls-cli -> snr-server: ecdsa-p384 certificate" \
  good_case "$SNR_DATA/ecdsa-p384-cert.pem" "$SNR_DATA/ecdsa-p384-key.pem" \
  TLS_AES_256_GCM_SHA384 X25519 x25519

run_case "gnutls-cli -> snr-server: leaf + intermediate chain" \
  good_case "$SNR_DATA/int-leaf-chain.pem" "$SNR_DATA/int-leaf-key.pem" \
  TLS_AES_128_GCM_SHA256 X25519 x25519

finish
