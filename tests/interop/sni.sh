#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# Certificate selection by SNI (SPEC 6.15) against `openssl s_client`, TLS 1.3 and 1.2:
#  - snr-server with two --cert/--key pairs for localhost (ECDSA, then RSA): a client limited
#    to `-sigalgs RSA-PSS+SHA256` (TLS 1.3) or to an ECDHE-RSA suite (TLS 1.2) gets the RSA
#    chain, a default client the ECDSA one (the server's policy prefers it);
#  - snr-server with the tests/data/sni chains for default.example.net and www.example.com:
#    `-servername www.example.com` gets that chain and an empty server_name acknowledgement;
#    an unknown name gets the first chain (the default) and no acknowledgement.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer openssl
require_snr snr-server
SCRIPT_BUDGET="${SCRIPT_BUDGET:-100}"

SNI="$SNR_DATA/sni"

# openssl s_client (FLAG, EXTRA...) against snr-server --once SERVER_ARGS; checks the echo and
# the version, and leaves the logs in $CASE_DIR for the caller's checks.
# Usage: sni_handshake "SERVER_ARGS" VERSION SERVERNAME FLAG EXTRA...
sni_handshake() {
  local server_args="$1" version="$2" name="$3"
  shift 3
  # shellcheck disable=SC2086 # server_args holds several words on purpose
  start_snr_server $server_args --once || return 1
  local line="hello from openssl s_client"
  run_line_client "$line" "openssl s_client" \
    openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername "$name" -CAfile "$CA" \
    -verify_return_error -tlsextdebug "$@"
  expect_status "openssl s_client" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "echo" "$line"
  wait_exit "$SERVER_PID" 5
  expect_status "snr-server (--once)" "$WAIT_STATUS" 0
  expect_no_match "$CASE_DIR/server.err" "snr-server stderr" '^error: '
  expect_summary "$CASE_DIR/server.err" "snr-server" version "$version"
}

two_types() {
  echo "--cert $SNR_DATA/ecdsa-p256-cert.pem --key $SNR_DATA/ecdsa-p256-key.pem" \
    "--cert $SNR_DATA/rsa2048-cert.pem --key $SNR_DATA/rsa2048-key.pem"
}

# by_key_type VERSION SCHEME FLAG EXTRA...: the server signs with SCHEME, i.e. used the chain
# of that key type.
by_key_type() {
  local version="$1" scheme="$2"
  shift 2
  sni_handshake "$(two_types)" "$version" localhost "$@" || return 0
  expect_summary "$CASE_DIR/server.err" "snr-server" signature_scheme "$scheme"
  expect_summary "$CASE_DIR/server.err" "snr-server" server_name localhost
}

# by_name FLAG NAME SUBJECT ACK(yes|no)
by_name() {
  local flag="$1" name="$2" subject="$3" ack="$4"
  local version=TLSv1.3
  [[ "$flag" == -tls1_2 ]] && version=TLSv1.2
  sni_handshake "--cert $SNI/default-ecdsa-cert.pem --key $SNI/default-ecdsa-key.pem
    --cert $SNI/www-ecdsa-cert.pem --key $SNI/www-ecdsa-key.pem" "$version" "$name" "$flag" ||
    return 0
  local all="$CASE_DIR/client.all"
  cat "$CASE_DIR/client.out" "$CASE_DIR/client.err" >"$all"
  expect_match "$all" "s_client" "^subject=CN = $subject, O = snr sni test\$"
  if [[ "$ack" == yes ]]; then
    expect_match "$all" "s_client -tlsextdebug" '^TLS server extension "server name" \(id=0\), len=0'
  else
    expect_no_match "$all" "s_client -tlsextdebug" '^TLS server extension "server name"'
  fi
}

run_case "tls13 default sigalgs -> ECDSA chain" by_key_type TLSv1.3 ecdsa_sha256 -tls1_3
run_case "tls13 -sigalgs RSA-PSS+SHA256 -> RSA chain" by_key_type TLSv1.3 rsa_pss_rsae_sha256 \
  -tls1_3 -sigalgs RSA-PSS+SHA256
run_case "tls12 ECDHE-RSA suite -> RSA chain" by_key_type TLSv1.2 rsa_pss_rsae_sha256 \
  -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
run_case "tls12 ECDHE-ECDSA suite -> ECDSA chain" by_key_type TLSv1.2 ecdsa_sha256 \
  -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
for flag in -tls1_3 -tls1_2; do
  run_case "${flag#-} www.example.com -> its chain, acknowledged" by_name "$flag" \
    www.example.com www-ecdsa yes
  run_case "${flag#-} WWW.EXAMPLE.COM -> same chain (case-insensitive)" by_name "$flag" \
    WWW.EXAMPLE.COM www-ecdsa yes
  run_case "${flag#-} unknown name -> default chain, no acknowledgement" by_name "$flag" \
    other.example.org default-ecdsa no
done
finish
