#!/usr/bin/env bash
# Instruction counts per library: exactly one handshake (full, or for `resumed` one resumed
# handshake from a saved session, the client's read of the new ticket included), or one
# 1 MiB transfer, run under valgrind's callgrind with collection switched on only inside the
# measured side's library calls. Deterministic, so the ratios hold on a noisy machine.
#
#   bench/callgrind.sh [-b SNR_BENCH] [-o OUT_DIR] [-p] [SCENARIO...]
#
#   -b  the snr-bench binary (default: build/bin/snr-bench)
#   -o  where the callgrind.out files go (default: a new temporary directory)
#   -p  also print snr's profile: top functions by inclusive cost (callgrind_annotate) and
#       the split by library (callgrind_split.py)
#   SCENARIO: full-ecdsa, full-rsa, full-tls12, resumed, bulk-aes128gcm, bulk-aes256gcm,
#             bulk-chacha20 (default: full-ecdsa full-rsa bulk-aes128gcm)
#
# Handshake scenarios count the server and the client separately; bulk scenarios count
# the send (server) and the receive (client) side of the transfer. Prints a table and
# machine lines IR,<backend>,<scenario>,<side>,<instructions> and
# IR_RATIO,<scenario>,<side>,<snr/openssl>.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$here/../build/bin/snr-bench"
out=""
profile=0
while getopts "b:o:p" opt; do
  case "$opt" in
    b) bin="$OPTARG" ;;
    o) out="$OPTARG" ;;
    p) profile=1 ;;
    *)
      sed -n '2,19p' "$0" >&2
      exit 2
      ;;
  esac
done
shift $((OPTIND - 1))
scenarios=("$@")
((${#scenarios[@]})) || scenarios=(full-ecdsa full-rsa bulk-aes128gcm)

command -v valgrind >/dev/null || {
  echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
  exit 77
}
[[ -x "$bin" ]] || {
  echo "callgrind.sh: no snr-bench at $bin (build it, or pass -b)" >&2
  exit 2
}
if [[ -z "$out" ]]; then
  out="$(mktemp -d /tmp/snr-callgrind.XXXXXX)"
fi
mkdir -p "$out"
read -r -a backends <<<"$("$bin" --help | sed -n 's/^backends: //p')"

count() { # scenario backend side -> prints the instruction count
  local file="$out/callgrind.out.$1.$2.$3"
  valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$file" \
    "$bin" --callgrind-one "$1" "$2" --side "$3" >/dev/null 2>"$file.log" || {
    echo "callgrind.sh: $2 $1 $3 failed, see $file.log" >&2
    exit 1
  }
  sed -n 's/^summary: //p' "$file"
}

declare -A ir
lines=()
printf '%-16s %-7s' scenario side
for b in "${backends[@]}"; do printf ' %14s' "$b"; done
printf ' %12s\n' snr/openssl
for sc in "${scenarios[@]}"; do
  for side in server client; do
    label=$side
    if [[ "$sc" == bulk-* ]]; then
      [[ "$side" == server ]] && label=send || label=recv
    fi
    printf '%-16s %-7s' "$sc" "$label"
    for b in "${backends[@]}"; do
      ir[$b]="$(count "$sc" "$b" "$side")"
      printf ' %14s' "${ir[$b]}"
      lines+=("IR,$b,$sc,$label,${ir[$b]}")
    done
    ratio="$(awk -v a="${ir[snr]}" -v b="${ir[openssl]}" 'BEGIN { printf "%.3f", a / b }')"
    printf ' %11sx\n' "$ratio"
    lines+=("IR_RATIO,$sc,$label,$ratio")
  done
done
printf '%s\n' "${lines[@]}"
echo "callgrind files: $out"

if ((profile)); then
  for sc in "${scenarios[@]}"; do
    for side in server client; do
      file="$out/callgrind.out.$sc.snr.$side"
      echo
      echo "== snr $sc $side: top functions, inclusive"
      callgrind_annotate --inclusive=yes "$file" 2>/dev/null |
        sed -n '/^Ir *file:function/,$p' | sed -n '3,42p' | cut -c1-160
      python3 "$here/callgrind_split.py" "$file" | grep -v '^SPLIT'
    done
  done
fi
