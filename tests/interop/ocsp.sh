#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# OCSP stapling (RFC 6066 8, RFC 8446 4.4.2.1) against OpenSSL, TLS 1.2 and 1.3, with the
# responses of tests/data/ocsp/make.sh:
#  - `openssl s_client -status` against `snr-server --ocsp FILE`: s_client receives the
#    response (CertificateStatus in 1.2, the leaf entry's extension in 1.3) and it is FILE;
#    without -status nothing is stapled.
#  - `snr-client --status` against `openssl s_server -status_file FILE`: snr-client reports
#    the response and checks it: good passes, revoked fails with S2N_ERR_CERT_REVOKED.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer openssl
require_snr snr-server snr-client
SCRIPT_BUDGET="${SCRIPT_BUDGET:-100}"

GOOD="$SNR_DATA/ocsp/rsa2048-good.der"
REVOKED="$SNR_DATA/ocsp/rsa2048-revoked.der"
LINE="ocsp-stapled-echo"

# openssl_client_case VERSION_FLAG REQUEST(yes|no)
openssl_client_case() {
  local flag="$1" request="$2"
  start_snr_server --cert "$SNR_DATA/rsa2048-cert.pem" --key "$SNR_DATA/rsa2048-key.pem" \
    --ocsp "$GOOD" --once || return 0
  local status_args=()
  [[ "$request" == yes ]] && status_args=(-status)
  run_line_client "$LINE" "openssl s_client" \
    openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername localhost -CAfile "$CA" \
    -verify_return_error "$flag" "${status_args[@]}"
  local out="$CASE_DIR/client.out"
  expect_status "openssl s_client" "$CLIENT_STATUS" 0
  expect_line "$out" "echo" "$LINE"
  if [[ "$request" == yes ]]; then
    expect_match "$out" "s_client" 'OCSP Response Status: successful'
    expect_match "$out" "s_client" 'Cert Status: good'
    # The stapled bytes are the file's: same serial and thisUpdate as openssl ocsp reads there.
    local this_update
    this_update="$(openssl ocsp -respin "$GOOD" -resp_text -noverify 2>/dev/null |
      grep -m1 'This Update' | sed 's/^[[:space:]]*//')"
    expect_match "$out" "s_client" "$this_update"
  else
    expect_no_match "$out" "s_client" 'OCSP Response Status'
  fi
  wait_exit "$SERVER_PID" 5
  expect_status "snr-server (--once)" "$WAIT_STATUS" 0
  expect_no_match "$CASE_DIR/server.err" "snr-server stderr" '^error: '
}

# snr_client_case VERSION_FLAG EXPECTED_VERSION FILE OUTCOME(good|revoked)
snr_client_case() {
  local flag="$1" version="$2" file="$3" outcome="$4"
  start_openssl_server -cert "$SNR_DATA/rsa2048-cert.pem" -key "$SNR_DATA/rsa2048-key.pem" \
    -naccept 1 -rev "$flag" -status_file "$file" || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --status --send "$LINE" \
    127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  if [[ "$outcome" == good ]]; then
    expect_status "snr-client" "$CLIENT_STATUS" 0
    expect_line "$CASE_DIR/client.out" "snr-client reply" "$(rev <<<"$LINE")"
    expect_summary "$err" "snr-client" version "$version"
    expect_match "$err" "snr-client stderr" "^OCSP response: $(stat -c %s "$file") bytes\$"
    expect_match "$err" "snr-client stderr" '^OCSP validation: good$'
    if [[ "$version" == TLSv1.2 ]]; then
      expect_match "$err" "snr-client stderr" '^handshake_type: .*OCSP_STATUS'
    fi
  else
    if [[ "$CLIENT_STATUS" == 0 ]]; then
      case_fail "snr-client accepted a revoked certificate"
    fi
    expect_match "$err" "snr-client stderr" 'S2N_ERR_CERT_REVOKED'
  fi
  wait_exit "$SERVER_PID" 5
}

run_case "openssl s_client -tls1_2 -status -> snr-server --ocsp" openssl_client_case -tls1_2 yes
run_case "openssl s_client -tls1_3 -status -> snr-server --ocsp" openssl_client_case -tls1_3 yes
run_case "openssl s_client -tls1_2 (no -status) -> snr-server --ocsp" \
  openssl_client_case -tls1_2 no
run_case "openssl s_client -tls1_3 (no -status) -> snr-server --ocsp" \
  openssl_client_case -tls1_3 no
run_case "snr-client --status -> openssl s_server -tls1_2 -status_file good" \
  snr_client_case -tls1_2 TLSv1.2 "$GOOD" good
run_case "snr-client --status -> openssl s_server -tls1_3 -status_file good" \
  snr_client_case -tls1_3 TLSv1.3 "$GOOD" good
run_case "snr-client --status -> openssl s_server -tls1_2 -status_file revoked" \
  snr_client_case -tls1_2 TLSv1.2 "$REVOKED" revoked
run_case "snr-client --status -> openssl s_server -tls1_3 -status_file revoked" \
  snr_client_case -tls1_3 TLSv1.3 "$REVOKED" revoked

finish
