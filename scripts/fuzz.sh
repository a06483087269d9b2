#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang++ and ASan+UBSan, runs each for a fixed
# time on its seed corpus and regression inputs, and prints executions and coverage per target.
#
#   scripts/fuzz.sh [TARGET...]          default: every target
#
# Environment: FUZZ_SECONDS (60) per target, BUILD_DIR (build-fuzz), JOBS (build jobs),
# FUZZ_ARGS (more libFuzzer flags), CMAKE_ARGS (more -D... for the configure step).
# Inputs that find something go to BUILD_DIR/fuzz-artifacts/<target>/ (crash-*, leak-*,
# timeout-* for > 1 s, oom-* for > 2 GB); new coverage goes to BUILD_DIR/fuzz-corpus/<target>/,
# never into the checked-in corpus. Exits 1 if any target found anything.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${FUZZ_SECONDS:-60}
build=${BUILD_DIR:-build-fuzz}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
# The target list has one home: SNR_FUZZ_TARGETS in tests/fuzz/CMakeLists.txt.
read -r -a all_targets <<<"$(sed -n '/^set(SNR_FUZZ_TARGETS/,/)/p' tests/fuzz/CMakeLists.txt |
  tr '()\n' '   ' | sed 's/set//; s/SNR_FUZZ_TARGETS//')"
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
# shellcheck disable=SC2086 # CMAKE_ARGS is a list of words
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DSNR_FUZZ=ON -DSNR_SANITIZE=ON \
  -DSNR_WERROR=ON -DSNR_BUILD_BENCH=OFF "${launcher[@]}" ${CMAKE_ARGS:-} >/dev/null
ninja -C "$build" -j "$jobs" $(printf 'fuzz_%s ' "${targets[@]}")

export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

summary=()
failed=0
for t in "${targets[@]}"; do
  corpus=$build/fuzz-corpus/$t
  artifacts=$build/fuzz-artifacts/$t
  log=$build/fuzz-logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  seeds=(tests/fuzz/corpus/"$t")
  [[ -d tests/fuzz/regressions/$t ]] && seeds+=(tests/fuzz/regressions/"$t")
  echo "== fuzz_$t: ${seconds}s"
  status=0
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
  "$build/bin/fuzz_$t" -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 \
    -dict=tests/fuzz/tls.dict -print_final_stats=1 -artifact_prefix="$artifacts/" \
    ${FUZZ_ARGS:-} "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
  # libFuzzer's last status line: "#<execs> DONE cov: <edges> ft: <features> corp: ..."
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
  cov=$(grep -oE '(DONE|pulse|NEW|REDUCE|INITED) +cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 |
    awk '{print $3 " edges, " $5 " features"}')
  found=$(find "$artifacts" -type f | wc -l)
  if ((status != 0 || found > 0)); then
    failed=1
    echo "fuzz_$t FAILED (exit $status, $found input(s) in $artifacts):" >&2
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -20 >&2 || true
  fi
  summary+=("$(printf '%-14s %10s execs  %-28s %s' "$t" "${execs:-?}" "${cov:-?}" \
    "$( ((status == 0 && found == 0)) && echo ok || echo FOUND)")")
done

echo
echo "fuzz summary (${seconds}s per target; logs in $build/fuzz-logs/)"
printf '  %s\n' "${summary[@]}"
exit "$failed"
