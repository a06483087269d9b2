#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# GnuTLS at TLS 1.2, both directions: gnutls-cli against snr-server (echo mode) and snr-client
# against `gnutls-serv --echo`, for the ECDHE-ECDSA and ECDHE-RSA suites (GCM, ChaCha20 and
# CBC with SHA-1, SHA-256 and SHA-384 MACs). GnuTLS is told exactly one key exchange, cipher
# and MAC, so each case can only succeed on the intended suite.
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer gnutls-cli gnutls-serv
require_snr snr-server snr-client
SCRIPT_BUDGET="${SCRIPT_BUDGET:-55}"

# gnutls12_parts SUITE: "KX CIPHER MAC" in GnuTLS priority names for an OpenSSL suite name.
gnutls12_parts() {
  local suite="$1" kx cipher mac
  case "$suite" in
    ECDHE-ECDSA-*) kx=ECDHE-ECDSA ;;
    ECDHE-RSA-*) kx=ECDHE-RSA ;;
    *) return 1 ;;
  esac
  case "${suite#ECDHE-*-}" in
    AES128-GCM-SHA256) cipher=AES-128-GCM mac=AEAD ;;
    AES256-GCM-SHA384) cipher=AES-256-GCM mac=AEAD ;;
    CHACHA20-POLY1305) cipher=CHACHA20-POLY1305 mac=AEAD ;;
    AES128-SHA256) cipher=AES-128-CBC mac=SHA256 ;;
    AES256-SHA384) cipher=AES-256-CBC mac=SHA384 ;;
    AES128-SHA) cipher=AES-128-CBC mac=SHA1 ;;
    AES256-SHA) cipher=AES-256-CBC mac=SHA1 ;;
    *) return 1 ;;
  esac
  echo "$kx $cipher $mac"
}

# gnutls12_priority SUITE: TLS 1.2 only, the suite's key exchange, cipher and MAC only.
gnutls12_priority() {
  local kx cipher mac
  read -r kx cipher mac <<<"$(gnutls12_parts "$1")"
  echo "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+$kx:-CIPHER-ALL:+$cipher:-MAC-ALL:+$mac"
}

# gnutls12_description_re SUITE: gnutls-cli's "- Description:" line for the suite, e.g.
# (TLS1.2-X.509)-(ECDHE-X25519)-(ECDSA-SHA256)-(AES-128-GCM) or, for CBC, ...-(AES-128-CBC)-(SHA1).
gnutls12_description_re() {
  local kx cipher mac tail
  read -r kx cipher mac <<<"$(gnutls12_parts "$1")"
  tail="\($cipher\)"
  [[ "$mac" == AEAD ]] || tail+="-\($mac\)"
  echo "^- Description: \(TLS1\.2-X\.509\)-\(ECDHE-[A-Z0-9]+\)-\([A-Z0-9-]+\)-$tail\$"
}

# gnutls-cli -> snr-server
client_case() {
  local suite="$1" kind
  kind="$(suite12_cert_kind "$suite")"
  start_snr_server --cert "$SNR_DATA/$kind-cert.pem" --key "$SNR_DATA/$kind-key.pem" \
    --policy test_all --once || return 0
  local line="hello from gnutls-cli"
  run_line_client "$line" "gnutls-cli" \
    gnutls-cli --x509cafile="$CA" -p "$SERVER_PORT" --sni-hostname=localhost \
    --verify-hostname=localhost --priority="$(gnutls12_priority "$suite")" 127.0.0.1
  # gnutls-cli reports and echoes on stdout.
  local out="$CASE_DIR/client.out"
  expect_status "gnutls-cli" "$CLIENT_STATUS" 0
  expect_line "$out" "echo" "$line"
  expect_match "$out" "gnutls-cli" '^- Status: The certificate is trusted'
  expect_match "$out" "gnutls-cli" '^- Handshake was completed'
  expect_match "$out" "gnutls-cli" "$(gnutls12_description_re "$suite")"
  # snr always answers the client's extended_master_secret and renegotiation_info.
  expect_match "$out" "gnutls-cli" '^- Options: .*extended master secret'
  expect_match "$out" "gnutls-cli" '^- Options: .*safe renegotiation'

  wait_exit "$SERVER_PID" 5
  expect_status "snr-server (--once)" "$WAIT_STATUS" 0
  local serr="$CASE_DIR/server.err"
  expect_no_match "$serr" "snr-server stderr" '^error: '
  expect_summary "$serr" "snr-server" version TLSv1.2
  expect_summary "$serr" "snr-server" cipher_suite "$suite"
  expect_summary "$serr" "snr-server" server_name localhost
  expect_pfs_flag "$serr" "snr-server" "$suite"
}

# snr-client -> gnutls-serv
server_case() {
  local suite="$1" kind
  kind="$(suite12_cert_kind "$suite")"
  start_gnutls_server --echo --x509certfile="$SNR_DATA/$kind-cert.pem" \
    --x509keyfile="$SNR_DATA/$kind-key.pem" --priority="$(gnutls12_priority "$suite")" \
    --disable-client-cert || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --policy test_all --send "hello" \
    127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "snr-client reply" "hello"
  expect_no_match "$err" "snr-client stderr" '^error: '
  expect_summary "$err" "snr-client" version TLSv1.2
  expect_summary "$err" "snr-client" cipher_suite "$suite"
  expect_summary "$err" "snr-client" server_name localhost
  expect_pfs_flag "$err" "snr-client" "$suite"
  # gnutls-serv serves forever.
  stop_bg "$SERVER_PID"
}

for suite in "${SUITES12_ECDSA[@]}" "${SUITES12_ECDHE_RSA[@]}"; do
  run_case "gnutls-cli -> snr-server: TLS1.2 $suite" client_case "$suite"
done
for suite in "${SUITES12_ECDSA[@]}" "${SUITES12_ECDHE_RSA[@]}"; do
  run_case "snr-client -> gnutls-serv: TLS1.2 $suite" server_case "$suite"
done

finish
