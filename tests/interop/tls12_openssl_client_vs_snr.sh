#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# `openssl s_client` against snr-server (echo mode) below TLS 1.3: every TLS 1.2 suite snr
# implements, a few CBC-SHA suites at TLS 1.1 and 1.0, a dated legacy policy (20170210)
# serving TLS 1.0, and a TLS 1.2-minimum policy refusing TLS 1.0. Both sides' views are
# checked: s_client's -brief report and snr-server's summary lines.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer openssl
require_snr snr-server
SCRIPT_BUDGET="${SCRIPT_BUDGET:-55}"

# good_case VERSION_FLAG EXPECTED_VERSION SUITE CIPHER_STRING POLICY
good_case() {
  local flag="$1" version="$2" suite="$3" cipher="$4" policy="$5"
  local kind
  kind="$(suite12_cert_kind "$suite")"
  start_snr_server --cert "$SNR_DATA/$kind-cert.pem" --key "$SNR_DATA/$kind-key.pem" \
    --dhparams "$SNR_DATA/dhparams-ffdhe2048.pem" --policy "$policy" --once || return 0
  local line="hello from openssl s_client"
  run_line_client "$line" "openssl s_client" \
    openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername localhost -CAfile "$CA" \
    -verify_return_error "$flag" -cipher "$cipher" -brief
  local out="$CASE_DIR/client.out" err="$CASE_DIR/client.err"
  expect_status "openssl s_client" "$CLIENT_STATUS" 0
  expect_line "$out" "echo" "$line"
  expect_match "$err" "s_client" '^Verification: OK'
  expect_match "$err" "s_client" "^Protocol version: $(openssl_version_name "$version")\$"
  expect_match "$err" "s_client" "^Ciphersuite: $suite\$"

  # --once: the server exits after this connection, and its summary is complete.
  wait_exit "$SERVER_PID" 5
  expect_status "snr-server (--once)" "$WAIT_STATUS" 0
  local serr="$CASE_DIR/server.err"
  expect_no_match "$serr" "snr-server stderr" '^error: '
  expect_summary "$serr" "snr-server" version "$version"
  expect_summary "$serr" "snr-server" cipher_suite "$suite"
  expect_summary "$serr" "snr-server" server_name localhost
  expect_pfs_flag "$serr" "snr-server" "$suite"
}

# refused_case VERSION_FLAG CIPHER_STRING POLICY: snr-server must refuse the version with a
# protocol_version alert (70), and s_client must not complete a handshake.
refused_case() {
  local flag="$1" cipher="$2" policy="$3"
  start_snr_server --cert "$SNR_DATA/rsa2048-cert.pem" --key "$SNR_DATA/rsa2048-key.pem" \
    --policy "$policy" --once || return 0
  local line="hello from openssl s_client"
  run_line_client "$line" "openssl s_client" \
    openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername localhost -CAfile "$CA" \
    -verify_return_error "$flag" -cipher "$cipher" -brief
  if [[ "$CLIENT_STATUS" == 0 ]]; then
    case_fail "openssl s_client: exit status 0, expected a failed handshake"
  fi
  if grep -qxF -- "$line" "$CASE_DIR/client.out"; then
    case_fail "application data crossed a refused connection"
  fi
  expect_match "$CASE_DIR/client.err" "s_client" 'alert protocol version'
  wait_exit "$SERVER_PID" 5
  expect_match "$CASE_DIR/server.err" "snr-server stderr" '^error: [A-Z0-9_]+: .*\(alert: 70\)'
  expect_no_match "$CASE_DIR/server.err" "snr-server stderr" '^version: '
}

for suite in "${SUITES12[@]}"; do
  run_case "openssl s_client -tls1_2 -> snr-server: $suite" \
    good_case -tls1_2 TLSv1.2 "$suite" "$suite" test_all
done

# OpenSSL 3 refuses TLS 1.0/1.1 at its default security level; level 0 lets it talk to the
# legacy policies.
for suite in "${SUITES_LEGACY[@]}"; do
  run_case "openssl s_client -tls1_1 -> snr-server: $suite" \
    good_case -tls1_1 TLSv1.1 "$suite" "$suite@SECLEVEL=0" test_all
  run_case "openssl s_client -tls1 -> snr-server: $suite" \
    good_case -tls1 TLSv1.0 "$suite" "$suite@SECLEVEL=0" test_all
done

# Issue 3's acceptance check: a dated legacy policy serves TLS 1.0 with RSA key exchange.
run_case "openssl s_client -tls1 -> snr-server --policy 20170210: AES128-SHA" \
  good_case -tls1 TLSv1.0 AES128-SHA "AES128-SHA@SECLEVEL=0" 20170210
run_case "openssl s_client -tls1_1 -> snr-server --policy 20170210: ECDHE-RSA-AES128-SHA" \
  good_case -tls1_1 TLSv1.1 ECDHE-RSA-AES128-SHA "ECDHE-RSA-AES128-SHA@SECLEVEL=0" 20170210
run_case "openssl s_client -tls1_2 -> snr-server --policy 20170210: ECDHE-RSA-AES128-GCM-SHA256" \
  good_case -tls1_2 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 20170210

# The default policy starts at TLS 1.2.
run_case "openssl s_client -tls1 -> snr-server --policy default: refused (protocol_version)" \
  refused_case -tls1 "ALL@SECLEVEL=0" default

finish
