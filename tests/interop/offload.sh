#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# `openssl s_client` against `snr-server --offload-key`: every private-key operation goes
# through the asynchronous private key callback (answered one event-loop turn later). TLS 1.3
# CertificateVerify (ECDSA, RSA-PSS), TLS 1.2 ServerKeyExchange (ECDHE-ECDSA, ECDHE-RSA) and
# the TLS 1.2 RSA key exchange's premaster decryption.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer openssl
require_snr snr-server

# good_case KIND VERSION_FLAG EXPECTED_VERSION CIPHER_FLAG CIPHER SUITE
good_case() {
  local kind="$1" flag="$2" version="$3" cipher_flag="$4" cipher="$5" suite="$6"
  start_snr_server --offload-key --cert "$SNR_DATA/$kind-cert.pem" \
    --key "$SNR_DATA/$kind-key.pem" --policy test_all --once || return 0
  local line="hello through an offloaded key"
  run_line_client "$line" "openssl s_client" \
    openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername localhost -CAfile "$CA" \
    -verify_return_error "$flag" "$cipher_flag" "$cipher" -brief
  local out="$CASE_DIR/client.out" err="$CASE_DIR/client.err"
  expect_status "openssl s_client" "$CLIENT_STATUS" 0
  expect_line "$out" "echo" "$line"
  expect_match "$err" "s_client" '^Verification: OK'
  expect_match "$err" "s_client" "^Protocol version: $(openssl_version_name "$version")\$"
  expect_match "$err" "s_client" "^Ciphersuite: $suite\$"
  wait_exit "$SERVER_PID" 5
  expect_status "snr-server (--once)" "$WAIT_STATUS" 0
  local serr="$CASE_DIR/server.err"
  expect_no_match "$serr" "snr-server stderr" '^error: '
  expect_summary "$serr" "snr-server" version "$version"
  expect_summary "$serr" "snr-server" cipher_suite "$suite"
}

run_case "s_client -tls1_3 -> snr-server --offload-key: ECDSA" \
  good_case ecdsa-p256 -tls1_3 TLSv1.3 -ciphersuites TLS_AES_128_GCM_SHA256 \
  TLS_AES_128_GCM_SHA256
run_case "s_client -tls1_3 -> snr-server --offload-key: RSA-PSS" \
  good_case rsa2048 -tls1_3 TLSv1.3 -ciphersuites TLS_AES_256_GCM_SHA384 TLS_AES_256_GCM_SHA384
run_case "s_client -tls1_2 -> snr-server --offload-key: ECDHE-ECDSA" \
  good_case ecdsa-p256 -tls1_2 TLSv1.2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 \
  ECDHE-ECDSA-AES128-GCM-SHA256
run_case "s_client -tls1_2 -> snr-server --offload-key: ECDHE-RSA" \
  good_case rsa2048 -tls1_2 TLSv1.2 -cipher ECDHE-RSA-AES256-GCM-SHA384 \
  ECDHE-RSA-AES256-GCM-SHA384
run_case "s_client -tls1_2 -> snr-server --offload-key: RSA key exchange (decrypt)" \
  good_case rsa2048 -tls1_2 TLSv1.2 -cipher AES128-GCM-SHA256 AES128-GCM-SHA256

finish
