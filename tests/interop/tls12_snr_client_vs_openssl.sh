#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# snr-client against `openssl s_server -rev` below TLS 1.3 (OpenSSL's reply is the line
# reversed, so a correct reply proves both directions of application data): every TLS 1.2 suite
# snr implements, a few CBC-SHA suites at TLS 1.1 and 1.0, and the downgrade sentinel check
# (a 1.3-capable snr-client must accept a TLS 1.2-only OpenSSL server, which sets no sentinel).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer openssl
require_snr snr-client
SCRIPT_BUDGET="${SCRIPT_BUDGET:-55}"

# good_case VERSION_FLAG EXPECTED_VERSION SUITE CIPHER_STRING POLICY
# (POLICY empty: snr-client's default policy.)
good_case() {
  local flag="$1" version="$2" suite="$3" cipher="$4" policy="$5"
  local kind
  kind="$(suite12_cert_kind "$suite")"
  local server_args=(-cert "$SNR_DATA/$kind-cert.pem" -key "$SNR_DATA/$kind-key.pem"
    -naccept 1 -rev)
  [[ -n "$flag" ]] && server_args+=("$flag")
  [[ -n "$cipher" ]] && server_args+=(-cipher "$cipher")
  # OpenSSL would pick a group by itself; the file pins the DHE group to the one snr-server
  # uses in the other direction.
  [[ "$suite" == DHE-* ]] && server_args+=(-dhparam "$SNR_DATA/dhparams-ffdhe2048.pem")
  start_openssl_server "${server_args[@]}" || return 0
  local client_args=(--ca-file "$CA" --server-name localhost --send "hello")
  [[ -n "$policy" ]] && client_args+=(--policy "$policy")
  run_snr_client "${client_args[@]}" 127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "snr-client reply" "olleh"
  expect_no_match "$err" "snr-client stderr" '^error: '
  expect_summary "$err" "snr-client" version "$version"
  expect_summary "$err" "snr-client" server_name localhost
  if [[ -n "$suite" ]]; then
    expect_summary "$err" "snr-client" cipher_suite "$suite"
    expect_pfs_flag "$err" "snr-client" "$suite"
  fi
  wait_exit "$SERVER_PID" 5
  expect_match "$CASE_DIR/server.err" "s_server" "^Protocol version: $(openssl_version_name "$version")\$"
  [[ -z "$suite" ]] || expect_match "$CASE_DIR/server.err" "s_server" "^Ciphersuite: $suite\$"
}

for suite in "${SUITES12[@]}"; do
  run_case "snr-client -> openssl s_server -tls1_2: $suite" \
    good_case -tls1_2 TLSv1.2 "$suite" "$suite" test_all
done

# OpenSSL 3 refuses TLS 1.0/1.1 at its default security level (SHA-1 and MD5+SHA-1
# signatures); snr's test_all policy still allows them.
for suite in "${SUITES_LEGACY[@]}"; do
  run_case "snr-client -> openssl s_server -tls1_1: $suite" \
    good_case -tls1_1 TLSv1.1 "$suite" "$suite@SECLEVEL=0" test_all
  run_case "snr-client -> openssl s_server -tls1: $suite" \
    good_case -tls1 TLSv1.0 "$suite" "$suite@SECLEVEL=0" test_all
done

# RFC 8446 4.1.3: OpenSSL 3 as a TLS 1.2-only server does not put the downgrade sentinel in
# its random, so snr-client with its 1.3-capable default policy must settle on TLS 1.2 ...
run_case "snr-client (default policy) -> openssl s_server -tls1_2: TLS 1.2, no false downgrade" \
  good_case -tls1_2 TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256 "" ""
# ... and the same client does speak TLS 1.3 when the server can (the case above is a real
# version fallback, not a client that never offered 1.3).
run_case "snr-client (default policy) -> openssl s_server: TLS 1.3 when offered" \
  good_case "" TLSv1.3 "" "" ""

finish
