#!/usr/bin/env bash
# shellcheck disable=SC2317 # the case functions are called through run_case
# Load and hostile peers on loopback (issue #7): snr-load opens 1,000 connections to one
# snr-server at once — half complete a handshake and an echo, a quarter stall mid-handshake,
# a quarter send garbage. Every good one must complete, every bad one be closed (the stalled
# ones by --handshake-timeout), and after the load the server must be back to its baseline:
# the same open descriptors, and no memory growth between two identical rounds (a leak would
# grow it; the allocator keeping freed pages would not).
# shellcheck source=tests/interop/lib.bash
source "$(dirname "${BASH_SOURCE[0]}")/../interop/lib.bash"
require_snr snr-server snr-load

GOOD="${LOAD_GOOD:-500}"
STALL="${LOAD_STALL:-250}"
GARBAGE="${LOAD_GARBAGE:-250}"
TIMEOUT_S=2

fd_count() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
rss_kib() { sed -n -E 's/^VmRSS:[[:space:]]+([0-9]+) kB/\1/p' "/proc/$1/status"; }

# wait_fds PID N: until PID has N open descriptors (at most 15 s).
wait_fds() {
  local tries=300
  while ((tries-- > 0)); do
    [[ "$(fd_count "$1")" == "$2" ]] && return 0
    sleep 0.05
  done
  return 1
}

# one_round N: snr-load against the server; its report goes to the case log.
one_round() {
  local out="$CASE_DIR/load$1.out"
  case_log "snr-load round $1" "$out"
  local status=0
  timeout 120 "$SNR_BIN/snr-load" --ca-file "$CA" --good "$GOOD" --stall "$STALL" \
    --garbage "$GARBAGE" --deadline 60 "$SERVER_PORT" >"$out" 2>&1 || status=$?
  expect_status "snr-load round $1" "$status" 0
  expect_line "$out" "snr-load round $1" "good: $GOOD/$GOOD completed (handshake, echo, close)"
  expect_line "$out" "snr-load round $1" "stall: $STALL/$STALL closed by the server"
  expect_line "$out" "snr-load round $1" "garbage: $GARBAGE/$GARBAGE closed by the server"
  sed -e "s/^/  round $1: /" "$out"
}

load_case() {
  start_snr_server --quiet --handshake-timeout "$TIMEOUT_S" || return 0
  local fd0 rss1 rss2
  fd0="$(fd_count "$SERVER_PID")"
  one_round 1
  wait_fds "$SERVER_PID" "$fd0" || case_fail "round 1: the server holds $(fd_count "$SERVER_PID") descriptors, $fd0 before"
  rss1="$(rss_kib "$SERVER_PID")"
  one_round 2
  wait_fds "$SERVER_PID" "$fd0" || case_fail "round 2: the server holds $(fd_count "$SERVER_PID") descriptors, $fd0 before"
  rss2="$(rss_kib "$SERVER_PID")"
  echo "  server: $fd0 descriptors before and after; resident memory $rss1 KiB after round 1, $rss2 KiB after round 2"
  # Two identical rounds: the second must not keep more than a little extra (4 MiB).
  if ((rss2 > rss1 + 4096)); then
    case_fail "server memory grew from $rss1 KiB to $rss2 KiB between identical rounds"
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    case_fail "snr-server exited under load"
  fi
  # The stalled handshakes were dropped by the timeout, each reported once.
  local timeouts
  timeouts="$(grep -c '^error: timeout: ' "$CASE_DIR/server.err" || true)"
  if ((timeouts < STALL * 2)); then
    case_fail "snr-server reported $timeouts handshake timeouts, expected at least $((STALL * 2))"
  fi
  stop_bg "$SERVER_PID"
}

run_case "load: $((GOOD + STALL + GARBAGE)) concurrent connections to snr-server, twice" load_case
finish
