#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# Java's JSSE, both directions: the JsseEchoClient (tests/interop/jsse/) against snr-server
# (echo mode), and snr-client against JsseEchoServer (which answers the line reversed), for
# three TLS 1.2 suites (ECDSA GCM, RSA GCM, RSA CBC) and TLS_AES_128_GCM_SHA256 at TLS 1.3.
# The Java programs are compiled here into a temporary folder. JSSE loads its key from a
# PKCS#12 file built from the PEM test files with the openssl CLI; the client trusts only
# tests/data/ca-cert.pem and checks the host name "localhost".
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.bash"
if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  echo "SKIP: no JDK (java and javac; scripts/deps.sh peers installs default-jdk-headless)"
  exit 77
fi
require_peer openssl
require_snr snr-server snr-client
SCRIPT_BUDGET="${SCRIPT_BUDGET:-55}"

JSSE_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")/jsse" && pwd)"
JSSE_CLASSES="$WORK/jsse-classes"
JAVA_OPTS=(-Xshare:auto -XX:+UseSerialGC -XX:TieredStopAtLevel=1)
if ! javac -d "$JSSE_CLASSES" "$JSSE_SRC"/*.java >"$WORK/javac.log" 2>&1; then
  echo "FAIL: javac could not compile $JSSE_SRC:"
  sed -e 's/^/  | /' "$WORK/javac.log"
  exit 1
fi

# One PKCS#12 key store per certificate kind, built on first use.
KS_PASSWORD=snr-interop
keystore_for() {
  local kind="$1" ks="$WORK/$1.p12"
  if [[ ! -f "$ks" ]]; then
    openssl pkcs12 -export -name server -in "$SNR_DATA/$kind-cert.pem" \
      -inkey "$SNR_DATA/$kind-key.pem" -passout "pass:$KS_PASSWORD" -out "$ks" \
      >"$WORK/pkcs12-$kind.log" 2>&1 || return 1
  fi
  echo "$ks"
}

# Java's IANA names as snr's summary prints them (OpenSSL's names below TLS 1.3).
snr_suite_name() {
  case "$1" in
    TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) echo ECDHE-ECDSA-AES128-GCM-SHA256 ;;
    TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) echo ECDHE-RSA-AES256-GCM-SHA384 ;;
    TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256) echo ECDHE-RSA-AES128-SHA256 ;;
    *) echo "$1" ;;
  esac
}

# The snr policy for a case: TLS 1.2 CBC suites are not in "default".
snr_policy_for() {
  case "$1" in
    TLSv1.3) echo default ;;
    *) echo test_all ;;
  esac
}

# Java client -> snr-server. CASE: PROTOCOL SUITE CERT_KIND
java_client_case() {
  local protocol="$1" suite="$2" kind="$3"
  start_snr_server --cert "$SNR_DATA/$kind-cert.pem" --key "$SNR_DATA/$kind-key.pem" \
    --policy "$(snr_policy_for "$protocol")" --once || return 0
  local out="$CASE_DIR/client.out" err="$CASE_DIR/client.err" line="hello from JSSE"
  case_log "JsseEchoClient stdout" "$out"
  case_log "JsseEchoClient stderr" "$err"
  CLIENT_STATUS=0
  timeout "$PEER_TIMEOUT" java "${JAVA_OPTS[@]}" -cp "$JSSE_CLASSES" JsseEchoClient \
    --port "$SERVER_PORT" --ca "$CA" --server-name localhost --protocol "$protocol" \
    --suite "$suite" --send "$line" >"$out" 2>"$err" </dev/null || CLIENT_STATUS=$?
  expect_status "JsseEchoClient" "$CLIENT_STATUS" 0
  expect_line "$out" "JsseEchoClient" "protocol: $protocol"
  expect_line "$out" "JsseEchoClient" "cipher_suite: $suite"
  expect_line "$out" "JsseEchoClient (echo)" "reply: $line"

  wait_exit "$SERVER_PID" 5
  expect_status "snr-server (--once)" "$WAIT_STATUS" 0
  local serr="$CASE_DIR/server.err"
  expect_no_match "$serr" "snr-server stderr" '^error: '
  expect_summary "$serr" "snr-server" version "$protocol"
  expect_summary "$serr" "snr-server" cipher_suite "$(snr_suite_name "$suite")"
  expect_summary "$serr" "snr-server" server_name localhost
}

# snr-client -> Java server. CASE: PROTOCOL SUITE CERT_KIND
java_server_case() {
  local protocol="$1" suite="$2" kind="$3" ks
  if ! ks="$(keystore_for "$kind")"; then
    case_log "openssl pkcs12" "$WORK/pkcs12-$kind.log"
    case_fail "openssl pkcs12 -export failed for $kind"
    return 0
  fi
  local sout="$CASE_DIR/server.out" serr="$CASE_DIR/server.err"
  case_log "JsseEchoServer stdout" "$sout"
  case_log "JsseEchoServer stderr" "$serr"
  java "${JAVA_OPTS[@]}" -cp "$JSSE_CLASSES" JsseEchoServer --keystore "$ks" \
    --password "$KS_PASSWORD" --protocol "$protocol" --suite "$suite" --count 1 \
    >"$sout" 2>"$serr" </dev/null &
  SERVER_PID=$!
  track_bg "$SERVER_PID"
  if ! wait_for 10 "$SERVER_PID" "$sout" -E '^listening on 127\.0\.0\.1:[0-9]+$'; then
    case_fail "JsseEchoServer did not print 'listening on 127.0.0.1:PORT'"
    stop_bg "$SERVER_PID"
    return 0
  fi
  SERVER_PORT="$(sed -n -E 's/^listening on 127\.0\.0\.1:([0-9]+)$/\1/p' "$sout" | head -n1)"

  run_snr_client --ca-file "$CA" --server-name localhost --policy "$(snr_policy_for "$protocol")" \
    --send "hello" 127.0.0.1 "$SERVER_PORT"
  local err="$CASE_DIR/client.err"
  expect_status "snr-client" "$CLIENT_STATUS" 0
  expect_line "$CASE_DIR/client.out" "snr-client reply" "olleh"
  expect_no_match "$err" "snr-client stderr" '^error: '
  expect_summary "$err" "snr-client" version "$protocol"
  expect_summary "$err" "snr-client" cipher_suite "$(snr_suite_name "$suite")"
  expect_summary "$err" "snr-client" server_name localhost

  # The server exits after its one connection; "closed cleanly" means it got snr-client's
  # close_notify after the reply.
  wait_exit "$SERVER_PID" 5
  expect_status "JsseEchoServer" "$WAIT_STATUS" 0
  expect_line "$sout" "JsseEchoServer" "protocol: $protocol"
  expect_line "$sout" "JsseEchoServer" "cipher_suite: $suite"
  expect_line "$sout" "JsseEchoServer" "closed cleanly"
}

CASES=(
  "TLSv1.2 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ecdsa-p256"
  "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 rsa2048"
  "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 rsa2048"
  "TLSv1.3 TLS_AES_128_GCM_SHA256 ecdsa-p256"
)
for c in "${CASES[@]}"; do
  read -r protocol suite kind <<<"$c"
  run_case "JSSE client -> snr-server: $protocol $suite ($kind)" \
    java_client_case "$protocol" "$suite" "$kind"
done
for c in "${CASES[@]}"; do
  read -r protocol suite kind <<<"$c"
  run_case "snr-client -> JSSE server: $protocol $suite ($kind)" \
    java_server_case "$protocol" "$suite" "$kind"
done

finish
