#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# snr-client against `gnutls-serv --echo`: TLS 1.3 cipher suite x group x certificate, a
# HelloRetryRequest, an intermediate chain, and a server that asks for a client certificate
# (snr-client has none and must answer with an empty Certificate, RFC 8446 4.4.2).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer gnutls-serv
require_snr snr-client

# good_case CERT KEY SUITE GROUP [EXPECT_HRR] [EXTRA gnutls-serv ARGS...]
good_case() {
  local cert="$1" key="$2" suite="$3" group="$4" hrr="$5"
  shift 5
  start_gnutls_server --echo --x509certfile="$cert" --x509keyfile="$key" \
    --priority="$(gnutls_priority "$suite" "$(gnutls_group "$group")")" "$@" || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --send "hello" 127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "snr-client reply" "hello"
  expect_no_match "$err" "snr-client stderr" '^error: '
  expect_summary "$err" "snr-client" version TLSv1.3
  expect_summary "$err" "snr-client" cipher_suite "$suite"
  expect_summary "$err" "snr-client" group "$group"
  expect_summary "$err" "snr-client" server_name localhost
  expect_sig_family "$err" "snr-client" "$cert"
  if [[ "$hrr" == hrr ]]; then
    expect_match "$err" "snr-client summary" '^handshake_type: .*HELLO_RETRY_REQUEST'
  fi
  # gnutls-serv serves forever.
  stop_bg "$SERVER_PID"
}

for kind in "${CERT_KINDS[@]}"; do
  for suite in "${SUITES[@]}"; do
    for group in "${GROUPS_SNR[@]}"; do
      run_case "snr-client -> gnutls-serv: $suite $group $kind" \
        good_case "$SNR_DATA/$kind-cert.pem" "$SNR_DATA/$kind-key.pem" "$suite" "$group" "" \
        --disable-client-cert
    done
  done
done

# The server takes only P-384; snr-client's first key share is for another group.
run_case "snr-client -> gnutls-serv: HelloRetryRequest to secp384r1" \
  good_case "$SNR_DATA/ecdsa-p256-cert.pem" "$SNR_DATA/ecdsa-p256-key.pem" \
  TLS_AES_128_GCM_SHA256 secp384r1 hrr --disable-client-cert

# gnutls-serv sends every certificate in the file, so the chain file gives leaf + intermediate.
run_case "snr-client -> gnutls-serv: leaf + intermediate chain" \
  good_case "$SNR_DATA/int-leaf-chain.pem" "$SNR_DATA/int-leaf-key.pem" \
  TLS_AES_128_GCM_SHA256 x25519 "" --disable-client-cert

# Without --disable-client-cert gnutls-serv sends a CertificateRequest (client cert optional).
run_case "snr-client -> gnutls-serv: optional client certificate requested" \
  good_case "$SNR_DATA/ecdsa-p256-cert.pem" "$SNR_DATA/ecdsa-p256-key.pem" \
  TLS_AES_128_GCM_SHA256 x25519 ""

finish
