# Shared helpers for the interop scripts in this folder (sourced, not run; the .bash suffix keeps
# it out of the ctest glob for *.sh).
# shellcheck disable=SC2034 # variables set here are read by the sourcing scripts
#
# Environment:
#   SNR_BIN   folder holding snr-server and snr-client (default: <repo>/build/bin)
#   SNR_DATA  folder holding the test certificates (default: <repo>/tests/data)
#   SNR_INTEROP_VERBOSE=1  print every case's logs, not only the failing ones
#
# Everything listens on and connects to 127.0.0.1 only. A script reports one line per case
# and exits 1 if any case failed, 77 (ctest: skipped) if a peer tool is not installed.

set -euo pipefail

interop_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SNR_BIN="${SNR_BIN:-$interop_root/build/bin}"
SNR_DATA="${SNR_DATA:-$interop_root/tests/data}"
# Peers resolve relative paths differently (gnutls-cli misreads some); hand them absolute ones.
SNR_BIN="$(cd "$SNR_BIN" 2>/dev/null && pwd || echo "$SNR_BIN")"
SNR_DATA="$(cd "$SNR_DATA" && pwd)"
CA="$SNR_DATA/ca-cert.pem"

# Seconds a single peer process may run before it is considered hung.
PEER_TIMEOUT="${PEER_TIMEOUT:-10}"
# ctest stops a script after 300 s; past this many seconds the remaining cases are reported
# as not run instead, so that the output still says what passed and what failed.
SCRIPT_BUDGET="${SCRIPT_BUDGET:-250}"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/snr-interop.XXXXXX")"
BG_PIDS=()
CASES_RUN=0
CASES_FAILED=0
FAILED_NAMES=()

interop_cleanup() {
  local pid
  for pid in "${BG_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${BG_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap interop_cleanup EXIT
# Make termination by ctest's timeout or ^C run the EXIT trap too.
trap 'exit 143' TERM
trap 'exit 130' INT

# require_peer TOOL...: skip the whole script (exit 77) when a peer program is missing.
require_peer() {
  local tool
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "SKIP: $tool is not installed (scripts/deps.sh installs it)"
      exit 77
    fi
  done
}

# require_snr TOOL...: the snr tools are built by `make`; their absence is a failure.
require_snr() {
  local tool
  for tool in "$@"; do
    if [[ ! -x "$SNR_BIN/$tool" ]]; then
      echo "FAIL: $SNR_BIN/$tool not found or not executable (build first: make)"
      exit 1
    fi
  done
}

# wait_for SECS PID FILE GREP_ARGS...: poll until `grep -q GREP_ARGS FILE` matches. Returns 1
# after SECS seconds, or as soon as PID (if not empty) has exited without a match.
wait_for() {
  local secs="$1" pid="$2" file="$3"
  shift 3
  local tries=$((secs * 20))
  while ((tries-- > 0)); do
    if grep -q "$@" "$file" 2>/dev/null; then
      return 0
    fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      grep -q "$@" "$file" 2>/dev/null
      return
    fi
    sleep 0.05
  done
  return 1
}

# wait_exit PID SECS: wait for a background process; sets WAIT_STATUS to its exit status, or
# to "timeout" (and stops it) if it is still running after SECS seconds.
wait_exit() {
  local pid="$1" secs="$2"
  local tries=$((secs * 20))
  while ((tries-- > 0)) && kill -0 "$pid" 2>/dev/null; do
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    stop_bg "$pid"
    WAIT_STATUS=timeout
    return
  fi
  WAIT_STATUS=0
  wait "$pid" 2>/dev/null || WAIT_STATUS=$?
  untrack_bg "$pid"
}

# Background processes are remembered until reaped, so that the EXIT trap stops what is still
# running and never signals a recycled pid.
track_bg() {
  BG_PIDS+=("$1")
}
untrack_bg() {
  local pid kept=()
  for pid in "${BG_PIDS[@]}"; do
    [[ "$pid" == "$1" ]] || kept+=("$pid")
  done
  BG_PIDS=("${kept[@]}")
}

stop_bg() {
  local pid="$1"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  untrack_bg "$pid"
}

# --- per-case bookkeeping ---------------------------------------------------------------
# A case calls case_begin NAME, then any number of `expect ...` checks, then case_end.

CASE_NAME=""
CASE_ERRORS=()
CASE_LOGS=()

case_begin() {
  CASE_NAME="$1"
  CASE_ERRORS=()
  CASE_LOGS=()
  CASE_DIR="$WORK/case$((CASES_RUN + 1))"
  mkdir -p "$CASE_DIR"
}

# case_log LABEL FILE: a log shown if the case fails.
case_log() {
  CASE_LOGS+=("$1=$2")
}

case_fail() {
  CASE_ERRORS+=("$*")
}

# expect_line FILE LABEL FIXED_TEXT: FILE must contain a line equal to FIXED_TEXT (a trailing
# CR is tolerated).
expect_line() {
  local file="$1" label="$2" text="$3"
  if ! tr -d '\r' <"$file" | grep -qxF -- "$text"; then
    case_fail "$label: no line '$text'"
  fi
}

# expect_match FILE LABEL ERE: some line of FILE must match the extended regex.
expect_match() {
  local file="$1" label="$2" re="$3"
  if ! grep -qE -- "$re" "$file"; then
    case_fail "$label: nothing matches /$re/"
  fi
}

# expect_no_match FILE LABEL ERE
expect_no_match() {
  local file="$1" label="$2" re="$3"
  if grep -qE -- "$re" "$file"; then
    case_fail "$label: unexpected $(grep -m1 -E -- "$re" "$file")"
  fi
}

expect_status() {
  local label="$1" got="$2" want="$3"
  if [[ "$got" != "$want" ]]; then
    case_fail "$label: exit status $got, expected $want"
  fi
}

# expect_summary FILE SIDE KEY VALUE: a tool summary line `KEY: VALUE` (exact).
expect_summary() {
  local file="$1" side="$2" key="$3" value="$4"
  if ! tr -d '\r' <"$file" | grep -qxF -- "$key: $value"; then
    local got
    got="$(tr -d '\r' <"$file" | grep -m1 -E "^$key: " || true)"
    case_fail "$side summary: expected '$key: $value', got '${got:-no $key line}'"
  fi
}

case_end() {
  CASES_RUN=$((CASES_RUN + 1))
  local entry
  if ((${#CASE_ERRORS[@]} == 0)); then
    echo "PASS  $CASE_NAME"
  else
    CASES_FAILED=$((CASES_FAILED + 1))
    FAILED_NAMES+=("$CASE_NAME")
    echo "FAIL  $CASE_NAME"
    for entry in "${CASE_ERRORS[@]}"; do
      echo "        - $entry"
    done
  fi
  if ((${#CASE_ERRORS[@]} != 0)) || [[ "${SNR_INTEROP_VERBOSE:-0}" == 1 ]]; then
    for entry in "${CASE_LOGS[@]}"; do
      local label="${entry%%=*}" file="${entry#*=}"
      echo "        --- $label ($file)"
      if [[ -s "$file" ]]; then
        sed -e 's/^/        | /' "$file" | head -n 60
      else
        echo "        | (empty)"
      fi
    done
  fi
}

# run_case NAME FUNCTION ARGS...: one case: FUNCTION ARGS runs the peers and the checks.
run_case() {
  local name="$1"
  shift
  case_begin "$name"
  if ((SECONDS > SCRIPT_BUDGET)); then
    case_fail "not run: the script's time budget (${SCRIPT_BUDGET}s) is used up"
  else
    "$@" || true
  fi
  case_end
}

# finish: the summary line and the script's exit status.
finish() {
  echo "$(basename "$0"): $CASES_RUN cases, $((CASES_RUN - CASES_FAILED)) passed," \
    "$CASES_FAILED failed"
  if ((CASES_FAILED != 0)); then
    local name
    for name in "${FAILED_NAMES[@]}"; do
      echo "  failed: $name"
    done
    exit 1
  fi
  exit 0
}

# --- starting servers -------------------------------------------------------------------
# Each start_* sets SERVER_PID and SERVER_PORT and returns 0, or records a case failure and
# returns 1. Server output goes to $CASE_DIR/server.out and server.err.

# start_snr_server ARGS...: snr-server ARGS 127.0.0.1 0; the port is read from its
# `listening on HOST:PORT` line.
start_snr_server() {
  local out="$CASE_DIR/server.out" err="$CASE_DIR/server.err"
  case_log "snr-server stdout" "$out"
  case_log "snr-server stderr" "$err"
  "$SNR_BIN/snr-server" "$@" 127.0.0.1 0 >"$out" 2>"$err" &
  SERVER_PID=$!
  track_bg "$SERVER_PID"
  if ! wait_for 10 "$SERVER_PID" "$out" -E '^listening on [^ ]+:[0-9]+'; then
    case_fail "snr-server did not print 'listening on HOST:PORT'"
    stop_bg "$SERVER_PID"
    return 1
  fi
  SERVER_PORT="$(sed -n -E 's/^listening on .*:([0-9]+)[[:space:]]*$/\1/p' "$out" | head -n1)"
  if [[ -z "$SERVER_PORT" || "$SERVER_PORT" == 0 ]]; then
    case_fail "snr-server: cannot parse the port from: $(head -n1 "$out")"
    stop_bg "$SERVER_PID"
    return 1
  fi
}

# start_openssl_server ARGS...: openssl s_server ARGS on 127.0.0.1, kernel-chosen port (it
# prints `ACCEPT 127.0.0.1:PORT`).
start_openssl_server() {
  local out="$CASE_DIR/server.out" err="$CASE_DIR/server.err"
  case_log "openssl s_server stdout" "$out"
  case_log "openssl s_server stderr" "$err"
  openssl s_server -accept 127.0.0.1:0 "$@" >"$out" 2>"$err" </dev/null &
  SERVER_PID=$!
  track_bg "$SERVER_PID"
  if ! wait_for 10 "$SERVER_PID" "$out" -E '^ACCEPT '; then
    case_fail "openssl s_server did not start"
    stop_bg "$SERVER_PID"
    return 1
  fi
  SERVER_PORT="$(sed -n -E 's/^ACCEPT .*:([0-9]+)$/\1/p' "$out" | head -n1)"
}

# A port below Linux's default ephemeral range (32768-60999), so outgoing connections do not
# take it; collisions with other listeners are detected and retried.
random_port() {
  echo $((20000 + (RANDOM * 32768 + RANDOM) % 12000))
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_gnutls_server ARGS...: gnutls-serv ARGS -p PORT. gnutls-serv cannot report a
# kernel-chosen port, so try random free ones until one binds.
start_gnutls_server() {
  # gnutls-serv splits its reports between stdout and stderr; one file keeps their order.
  local out="$CASE_DIR/server.out" port
  case_log "gnutls-serv output" "$out"
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    port="$(random_port)"
    if port_in_use "$port"; then
      continue
    fi
    gnutls-serv "$@" -p "$port" >"$out" 2>&1 </dev/null &
    SERVER_PID=$!
    track_bg "$SERVER_PID"
    # It prints "... IPv4 0.0.0.0 port N...done" or "...bind() failed: ..." (and keeps
    # running in the latter case, so it must be stopped).
    if wait_for 10 "$SERVER_PID" "$out" -E "IPv4 .* port $port\.\.\.(done|bind)"; then
      if grep -qE "IPv4 .* port $port\.\.\.done" "$out"; then
        SERVER_PORT="$port"
        return 0
      fi
    fi
    stop_bg "$SERVER_PID"
  done
  case_fail "gnutls-serv could not bind a port in 10 attempts"
  return 1
}

# --- running clients --------------------------------------------------------------------

# run_line_client LINE NAME CMD...: runs a line-oriented peer client (openssl s_client,
# gnutls-cli) with LINE on stdin and keeps stdin open until LINE comes back on the client's
# stdout (or the client exits, or PEER_TIMEOUT passes), then closes it so that the client says
# goodbye and exits. Sets CLIENT_STATUS; output in $CASE_DIR/client.out and client.err.
run_line_client() {
  local line="$1" name="$2"
  shift 2
  local out="$CASE_DIR/client.out" err="$CASE_DIR/client.err" fifo="$CASE_DIR/client.in"
  : >"$out"
  : >"$err"
  case_log "$name stdout" "$out"
  case_log "$name stderr" "$err"
  rm -f "$fifo"
  mkfifo "$fifo"
  timeout "$PEER_TIMEOUT" "$@" <"$fifo" >"$out" 2>"$err" &
  local pid=$! fd
  track_bg "$pid"
  exec {fd}>"$fifo"
  # In a subshell: if the client is already gone, SIGPIPE ends only the subshell.
  (printf '%s\n' "$line" >&"$fd") 2>/dev/null || true
  wait_for "$PEER_TIMEOUT" "$pid" "$out" -xF -- "$line" || true
  exec {fd}>&-
  CLIENT_STATUS=0
  wait "$pid" || CLIENT_STATUS=$?
  untrack_bg "$pid"
  if [[ "$CLIENT_STATUS" == 124 ]]; then
    case_fail "$name did not finish within ${PEER_TIMEOUT}s"
  fi
}

# run_snr_client ARGS...: snr-client ARGS (which include --send). Sets CLIENT_STATUS; output
# in $CASE_DIR/client.out and client.err.
run_snr_client() {
  local out="$CASE_DIR/client.out" err="$CASE_DIR/client.err"
  case_log "snr-client stdout" "$out"
  case_log "snr-client stderr" "$err"
  CLIENT_STATUS=0
  timeout "$PEER_TIMEOUT" "$SNR_BIN/snr-client" "$@" >"$out" 2>"$err" </dev/null ||
    CLIENT_STATUS=$?
  if [[ "$CLIENT_STATUS" == 124 ]]; then
    case_fail "snr-client did not finish within ${PEER_TIMEOUT}s"
  fi
}

# --- names ------------------------------------------------------------------------------

# Matrix axes shared by the scripts.
SUITES=(TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256)
GROUPS_SNR=(x25519 secp256r1 secp384r1)
CERT_KINDS=(ecdsa-p256 rsa2048)

# Group names as each tool spells them.
openssl_group() {
  case "$1" in
    x25519) echo X25519 ;;
    secp256r1) echo P-256 ;;
    secp384r1) echo P-384 ;;
    *) echo "$1" ;;
  esac
}
# openssl s_client -brief prints "Server Temp Key: X25519, 253 bits" or
# "Server Temp Key: ECDH, prime256v1, 256 bits".
openssl_temp_key_re() {
  case "$1" in
    x25519) echo '^Server Temp Key: X25519' ;;
    secp256r1) echo '^Server Temp Key: ECDH, prime256v1' ;;
    secp384r1) echo '^Server Temp Key: ECDH, secp384r1' ;;
  esac
}
gnutls_group() {
  case "$1" in
    x25519) echo X25519 ;;
    secp256r1) echo SECP256R1 ;;
    secp384r1) echo SECP384R1 ;;
  esac
}
gnutls_cipher() {
  case "$1" in
    TLS_AES_128_GCM_SHA256) echo AES-128-GCM ;;
    TLS_AES_256_GCM_SHA384) echo AES-256-GCM ;;
    TLS_CHACHA20_POLY1305_SHA256) echo CHACHA20-POLY1305 ;;
  esac
}
# gnutls_priority SUITE GROUP...: TLS 1.3 only, one cipher, the listed groups in order.
gnutls_priority() {
  local suite="$1"
  shift
  local p g
  p="NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+$(gnutls_cipher "$suite"):-GROUP-ALL"
  for g in "$@"; do
    p+=":+GROUP-$g"
  done
  echo "$p"
}

# expect_sig_family FILE SIDE CERT_FILE: the summary's signature_scheme belongs to the family
# the certificate's key allows in TLS 1.3 (ECDSA, or RSA-PSS for an rsaEncryption key). Only
# the family is checked: the hash depends on the peer's preference order.
expect_sig_family() {
  local file="$1" side="$2" cert="$3" re
  case "$(basename "$cert")" in
    ecdsa-* | int-leaf-*) re='^signature_scheme: .*[Ee][Cc][Dd][Ss][Aa]' ;;
    rsa2048-*) re='^signature_scheme: .*[Rr][Ss][Aa].?[Pp][Ss][Ss]' ;;
    *) re='^signature_scheme: .+' ;;
  esac
  if ! grep -qE -- "$re" "$file"; then
    local got
    got="$(grep -m1 -E '^signature_scheme: ' "$file" || true)"
    case_fail "$side summary: signature_scheme should match /$re/, got '${got:-nothing}'"
  fi
}

# --- TLS 1.2 and older (tls12_*.sh, jsse.sh) --------------------------------------------

# Every TLS 1.2 cipher suite snr implements, by its OpenSSL name (what snr's summary prints).
SUITES12_ECDSA=(ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384
  ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-ECDSA-AES128-SHA256 ECDHE-ECDSA-AES256-SHA384
  ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA)
SUITES12_ECDHE_RSA=(ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384
  ECDHE-RSA-CHACHA20-POLY1305 ECDHE-RSA-AES128-SHA256 ECDHE-RSA-AES256-SHA384
  ECDHE-RSA-AES128-SHA ECDHE-RSA-AES256-SHA)
SUITES12_DHE_RSA=(DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384 DHE-RSA-CHACHA20-POLY1305
  DHE-RSA-AES128-SHA256 DHE-RSA-AES256-SHA256 DHE-RSA-AES128-SHA DHE-RSA-AES256-SHA)
SUITES12_RSA_KX=(AES128-GCM-SHA256 AES256-GCM-SHA384 AES128-SHA256 AES256-SHA256 AES128-SHA
  AES256-SHA)
SUITES12=("${SUITES12_ECDSA[@]}" "${SUITES12_ECDHE_RSA[@]}" "${SUITES12_DHE_RSA[@]}"
  "${SUITES12_RSA_KX[@]}")
# CBC-SHA suites tried at TLS 1.1 and 1.0 (one per key exchange and certificate type).
SUITES_LEGACY=(ECDHE-RSA-AES128-SHA ECDHE-ECDSA-AES256-SHA DHE-RSA-AES256-SHA AES128-SHA)

# suite12_cert_kind SUITE: the test certificate (tests/data/KIND-cert.pem) that can serve it.
suite12_cert_kind() {
  case "$1" in
    ECDHE-ECDSA-*) echo ecdsa-p256 ;;
    *) echo rsa2048 ;;
  esac
}

# expect_pfs_flag FILE SIDE SUITE: handshake_type carries TLS12_PERFECT_FORWARD_SECRECY
# exactly when the suite's key exchange is ephemeral (ECDHE, DHE; not RSA key transport).
expect_pfs_flag() {
  local file="$1" side="$2" suite="$3"
  case "$suite" in
    ECDHE-* | DHE-*)
      expect_match "$file" "$side summary" '^handshake_type: .*TLS12_PERFECT_FORWARD_SECRECY'
      ;;
    *)
      expect_no_match "$file" "$side summary" '^handshake_type: .*PERFECT_FORWARD_SECRECY'
      ;;
  esac
}

# openssl_version_name VERSION: snr's version name (TLSv1.0 ...) as OpenSSL prints it.
openssl_version_name() {
  case "$1" in
    TLSv1.0) echo TLSv1 ;;
    *) echo "$1" ;;
  esac
}
