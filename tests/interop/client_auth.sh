#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# Client authentication (mutual TLS) against real peers, TLS 1.3 and 1.2, both roles:
# snr-client --cert/--key against `openssl s_server -Verify 1` and `gnutls-serv
# --require-client-cert`; `openssl s_client -cert/-key` and `gnutls-cli --x509certfile`
# against `snr-server --client-auth required`; and the refusals when a required certificate
# is missing. Both sides' views are checked.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer openssl gnutls-cli gnutls-serv
require_snr snr-client snr-server
SCRIPT_BUDGET="${SCRIPT_BUDGET:-110}"

# snr-client presents KIND's certificate to openssl s_server, which requires one (-Verify 1)
# and checks it against the test CA.
snr_client_to_openssl() {
  local flag="$1" version="$2" kind="$3"
  start_openssl_server -cert "$SNR_DATA/ecdsa-p256-cert.pem" -key "$SNR_DATA/ecdsa-p256-key.pem" \
    -Verify 1 -CAfile "$CA" -naccept 1 -rev "$flag" || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --send "hello" \
    --cert "$SNR_DATA/$kind-cert.pem" --key "$SNR_DATA/$kind-key.pem" --client-auth required \
    127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "snr-client reply" "olleh"
  expect_no_match "$err" "snr-client stderr" '^error: '
  expect_summary "$err" "snr-client" version "$version"
  expect_summary "$err" "snr-client" client_certificate "CN=localhost"
  expect_match "$err" "snr-client summary" '^handshake_type: NEGOTIATED\|FULL_HANDSHAKE\|CLIENT_AUTH(\||$)'
  wait_exit "$SERVER_PID" 5
  local serr="$CASE_DIR/server.err"
  expect_match "$serr" "s_server" "^Protocol version: $(openssl_version_name "$version")\$"
  expect_match "$serr" "s_server" '^Peer certificate: CN = localhost$'
  expect_match "$serr" "s_server" '^Verification: OK$'
}

# snr-client without a certificate: s_server -Verify 1 refuses it. TLS 1.3: the client has
# finished its handshake and sees the certificate_required alert (116) when it reads; TLS 1.2:
# the handshake fails with handshake_failure (40).
snr_client_without_cert_to_openssl() {
  local flag="$1" alert="$2"
  start_openssl_server -cert "$SNR_DATA/ecdsa-p256-cert.pem" -key "$SNR_DATA/ecdsa-p256-key.pem" \
    -Verify 1 -CAfile "$CA" -naccept 1 -rev "$flag" || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --send "hello" 127.0.0.1 "$SERVER_PORT"
  if [[ "$CLIENT_STATUS" == 0 ]]; then
    case_fail "snr-client: exit status 0, expected the server's refusal"
  fi
  if grep -qxF -- "olleh" "$CASE_DIR/client.out"; then
    case_fail "application data crossed a refused connection"
  fi
  expect_match "$CASE_DIR/client.err" "snr-client stderr" "^error: .*\\(alert: $alert\\)"
  wait_exit "$SERVER_PID" 5
}

# openssl s_client presents KIND's certificate to snr-server --client-auth required.
openssl_client_to_snr() {
  local flag="$1" version="$2" kind="$3"
  start_snr_server --ca-file "$CA" --client-auth required --once || return 0
  local line="hello from openssl s_client"
  run_line_client "$line" "openssl s_client" \
    openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername localhost -CAfile "$CA" \
    -verify_return_error "$flag" -cert "$SNR_DATA/$kind-cert.pem" \
    -key "$SNR_DATA/$kind-key.pem" -brief
  expect_status "openssl s_client" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "echo" "$line"
  expect_match "$CASE_DIR/client.err" "s_client" "^Protocol version: $(openssl_version_name "$version")\$"
  wait_exit "$SERVER_PID" 5
  expect_status "snr-server (--once)" "$WAIT_STATUS" 0
  local serr="$CASE_DIR/server.err"
  expect_no_match "$serr" "snr-server stderr" '^error: '
  expect_summary "$serr" "snr-server" version "$version"
  expect_summary "$serr" "snr-server" client_certificate "CN=localhost"
  expect_summary "$serr" "snr-server" peer_certificate "CN=localhost"
  expect_match "$serr" "snr-server summary" '^handshake_type: NEGOTIATED\|FULL_HANDSHAKE\|CLIENT_AUTH(\||$)'
}

# openssl s_client without a certificate: snr-server --client-auth required refuses with
# ERROR_NAME and ALERT; --client-auth optional lets it in without one.
openssl_client_without_cert_to_snr() {
  local flag="$1" mode="$2" error="$3" alert="$4"
  start_snr_server --ca-file "$CA" --client-auth "$mode" --once || return 0
  local line="hello from openssl s_client"
  run_line_client "$line" "openssl s_client" \
    openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername localhost -CAfile "$CA" \
    -verify_return_error "$flag" -brief
  wait_exit "$SERVER_PID" 5
  local serr="$CASE_DIR/server.err"
  if [[ "$mode" == optional ]]; then
    expect_status "openssl s_client" "$CLIENT_STATUS" 0
    expect_line "$CASE_DIR/client.out" "echo" "$line"
    expect_summary "$serr" "snr-server" client_certificate NONE
    expect_match "$serr" "snr-server summary" '^handshake_type: .*CLIENT_AUTH\|NO_CLIENT_CERT'
    return 0
  fi
  if grep -qxF -- "$line" "$CASE_DIR/client.out"; then
    case_fail "application data crossed a refused connection"
  fi
  expect_match "$serr" "snr-server stderr" "^error: S2N_ERR_$error: .*\\(alert: $alert\\)"
}

# gnutls-cli presents the RSA certificate to snr-server --client-auth required (TLS 1.3).
gnutls_client_to_snr() {
  start_snr_server --ca-file "$CA" --client-auth required --once || return 0
  local line="hello from gnutls-cli"
  run_line_client "$line" "gnutls-cli" \
    gnutls-cli --x509cafile="$CA" -p "$SERVER_PORT" --sni-hostname=localhost \
    --verify-hostname=localhost --x509certfile="$SNR_DATA/rsa2048-cert.pem" \
    --x509keyfile="$SNR_DATA/rsa2048-key.pem" 127.0.0.1
  expect_status "gnutls-cli" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "echo" "$line"
  expect_match "$CASE_DIR/client.out" "gnutls-cli" '^- Handshake was completed'
  wait_exit "$SERVER_PID" 5
  expect_status "snr-server (--once)" "$WAIT_STATUS" 0
  local serr="$CASE_DIR/server.err"
  expect_no_match "$serr" "snr-server stderr" '^error: '
  expect_summary "$serr" "snr-server" version TLSv1.3
  expect_summary "$serr" "snr-server" client_certificate "CN=localhost"
}

# snr-client presents the ECDSA certificate to gnutls-serv --require-client-cert.
snr_client_to_gnutls() {
  local priority="$1" version="$2"
  start_gnutls_server --echo --x509certfile="$SNR_DATA/rsa2048-cert.pem" \
    --x509keyfile="$SNR_DATA/rsa2048-key.pem" --x509cafile="$CA" --require-client-cert \
    --verify-client-cert --priority="$priority" || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --send "hello" \
    --cert "$SNR_DATA/ecdsa-p256-cert.pem" --key "$SNR_DATA/ecdsa-p256-key.pem" \
    127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "snr-client reply" "hello"
  expect_no_match "$err" "snr-client stderr" '^error: '
  expect_summary "$err" "snr-client" version "$version"
  expect_summary "$err" "snr-client" client_certificate "CN=localhost"
  stop_bg "$SERVER_PID"
}

for v in "-tls1_3 TLSv1.3" "-tls1_2 TLSv1.2"; do
  read -r flag version <<<"$v"
  for kind in ecdsa-p256 rsa2048 rsapss; do
    run_case "snr-client --cert $kind -> openssl s_server -Verify 1 $flag" \
      snr_client_to_openssl "$flag" "$version" "$kind"
    run_case "openssl s_client -cert $kind $flag -> snr-server --client-auth required" \
      openssl_client_to_snr "$flag" "$version" "$kind"
  done
done

run_case "snr-client without a certificate -> openssl s_server -Verify 1 -tls1_3: alert 116" \
  snr_client_without_cert_to_openssl -tls1_3 116
run_case "snr-client without a certificate -> openssl s_server -Verify 1 -tls1_2: alert 40" \
  snr_client_without_cert_to_openssl -tls1_2 40
run_case "openssl s_client -tls1_3 without a certificate -> snr-server required: refused" \
  openssl_client_without_cert_to_snr -tls1_3 required CLIENT_CERT_REQUIRED 116
run_case "openssl s_client -tls1_2 without a certificate -> snr-server required: refused" \
  openssl_client_without_cert_to_snr -tls1_2 required MISSING_CLIENT_CERT 40
run_case "openssl s_client -tls1_3 without a certificate -> snr-server optional: accepted" \
  openssl_client_without_cert_to_snr -tls1_3 optional "" ""
run_case "gnutls-cli --x509certfile rsa2048 -> snr-server --client-auth required" \
  gnutls_client_to_snr
run_case "snr-client --cert ecdsa-p256 -> gnutls-serv --require-client-cert (TLS 1.3)" \
  snr_client_to_gnutls "NORMAL:-VERS-ALL:+VERS-TLS1.3" TLSv1.3
run_case "snr-client --cert ecdsa-p256 -> gnutls-serv --require-client-cert (TLS 1.2)" \
  snr_client_to_gnutls "NORMAL:-VERS-ALL:+VERS-TLS1.2" TLSv1.2

finish
