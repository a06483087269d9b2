#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# max_fragment_length (RFC 6066 4) against OpenSSL, TLS 1.2 and 1.3:
#  - `openssl s_client -maxfraglen N` against `snr-server --accept-mfl`: the server echoes the
#    code and its records (a 3000-byte echo included) carry at most N bytes of data; without
#    --accept-mfl it ignores the request and answers with one large record.
#  - `snr-client --mfl N` against `openssl s_server` (which always grants it): OpenSSL sees the
#    request, and the records each side sends stay within N.
# Record sizes come from OpenSSL's -msg trace (the header of every record either way).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
require_peer openssl
require_snr snr-server snr-client
SCRIPT_BUDGET="${SCRIPT_BUDGET:-100}"

# A line longer than any of the limits, so that a limit shows in the record sizes.
LONG_LINE="$(printf 'mfl%.0s-0123456789abcdefghijklmnopqrstuvwxyz' {1..75})"

# record_lengths MSGFILE DIRECTION: the length of every record OpenSSL's -msg trace shows
# going DIRECTION ('<<<' received, '>>>' sent), one per line. A record header line is followed
# by the 5 header bytes in hex.
record_lengths() {
  local file="$1" dir="$2"
  local hex
  awk -v dir="$dir" '
    want { print $4 $5; want = 0; next }
    index($0, dir " ") == 1 && /RecordHeader/ { want = 1 }' "$file" |
    while read -r hex; do
      echo $((16#$hex))
    done
}

# expect_records_within MSGFILE DIRECTION LIMIT LABEL: every record's body is at most LIMIT
# bytes of data plus the AEAD overhead (TLS 1.2 GCM: 24, TLS 1.3: 17 + padding; 64 is
# enough), and there are some.
expect_records_within() {
  local file="$1" dir="$2" limit="$3" label="$4"
  local lengths max
  lengths="$(record_lengths "$file" "$dir")"
  if [[ -z "$lengths" ]]; then
    case_fail "$label: no records in the -msg trace"
    return
  fi
  max="$(sort -n <<<"$lengths" | tail -n1)"
  if ((max > limit + 64)); then
    case_fail "$label: a record of $max bytes, limit $limit"
  fi
}

# expect_some_record_over MSGFILE DIRECTION SIZE LABEL
expect_some_record_over() {
  local file="$1" dir="$2" size="$3" label="$4"
  local max
  max="$(record_lengths "$file" "$dir" | sort -n | tail -n1)"
  if [[ -z "$max" ]] || ((max <= size)); then
    case_fail "$label: expected a record over $size bytes, largest ${max:-none}"
  fi
}

# openssl_client_case VERSION_FLAG N ACCEPT(yes|no)
openssl_client_case() {
  local flag="$1" n="$2" accept="$3"
  local server_args=(--cert "$SNR_DATA/rsa2048-cert.pem" --key "$SNR_DATA/rsa2048-key.pem" --once)
  [[ "$accept" == yes ]] && server_args+=(--accept-mfl)
  start_snr_server "${server_args[@]}" || return 0
  local msg="$CASE_DIR/client.msg"
  case_log "openssl s_client -msg" "$msg"
  run_line_client "$LONG_LINE" "openssl s_client" \
    openssl s_client -connect "127.0.0.1:$SERVER_PORT" -servername localhost -CAfile "$CA" \
    -verify_return_error "$flag" -maxfraglen "$n" -tlsextdebug -msg -msgfile "$msg"
  local out="$CASE_DIR/client.out"
  expect_status "openssl s_client" "$CLIENT_STATUS" 0
  expect_line "$out" "echo" "$LONG_LINE"
  if [[ "$accept" == yes ]]; then
    expect_match "$out" "s_client" 'TLS server extension "max fragment length" \(id=1\), len=1'
    expect_records_within "$msg" '<<<' "$n" "records from snr-server"
    expect_records_within "$msg" '>>>' "$n" "records from s_client"
  else
    # Not granted: neither side is bound by the request.
    expect_no_match "$out" "s_client" 'TLS server extension "max fragment length"'
    expect_some_record_over "$msg" '<<<' 2900 "records from snr-server"
    expect_some_record_over "$msg" '>>>' 2900 "records from s_client"
  fi
  wait_exit "$SERVER_PID" 5
  expect_status "snr-server (--once)" "$WAIT_STATUS" 0
  expect_no_match "$CASE_DIR/server.err" "snr-server stderr" '^error: '
}

# snr_client_case VERSION_FLAG EXPECTED_VERSION N
snr_client_case() {
  local flag="$1" version="$2" n="$3"
  local msg="$CASE_DIR/server.msg"
  case_log "openssl s_server -msg" "$msg"
  start_openssl_server -cert "$SNR_DATA/rsa2048-cert.pem" -key "$SNR_DATA/rsa2048-key.pem" \
    -naccept 1 -rev "$flag" -tlsextdebug -msg -msgfile "$msg" || return 0
  run_snr_client --ca-file "$CA" --server-name localhost --mfl "$n" --send "$LONG_LINE" \
    127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "snr-client reply" "$(rev <<<"$LONG_LINE")"
  expect_no_match "$err" "snr-client stderr" '^error: '
  expect_summary "$err" "snr-client" version "$version"
  wait_exit "$SERVER_PID" 5
  expect_match "$CASE_DIR/server.out" "s_server" \
    'TLS client extension "max fragment length" \(id=1\), len=1'
  expect_records_within "$msg" '<<<' "$n" "records from snr-client"
  expect_records_within "$msg" '>>>' "$n" "records from s_server"
}

for n in 512 1024 2048 4096; do
  run_case "openssl s_client -tls1_2 -maxfraglen $n -> snr-server --accept-mfl" \
    openssl_client_case -tls1_2 "$n" yes
  run_case "openssl s_client -tls1_3 -maxfraglen $n -> snr-server --accept-mfl" \
    openssl_client_case -tls1_3 "$n" yes
done
run_case "openssl s_client -tls1_2 -maxfraglen 512 -> snr-server (request ignored)" \
  openssl_client_case -tls1_2 512 no
run_case "openssl s_client -tls1_3 -maxfraglen 512 -> snr-server (request ignored)" \
  openssl_client_case -tls1_3 512 no

for n in 512 1024 4096; do
  run_case "snr-client --mfl $n -> openssl s_server -tls1_2" snr_client_case -tls1_2 TLSv1.2 "$n"
  run_case "snr-client --mfl $n -> openssl s_server -tls1_3" snr_client_case -tls1_3 TLSv1.3 "$n"
done

finish
