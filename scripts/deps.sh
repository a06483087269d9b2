#!/usr/bin/env bash
# Installs the Debian 12 packages snr needs, and only those that are missing.
#
#   scripts/deps.sh [GROUP...]     GROUP: build, peers, ci, all (default: all = build peers)
#
#   build  compilers, CMake, Ninja, OpenSSL headers, GoogleTest, ccache
#   peers  the TLS peers of the demo and the interop tests (openssl, gnutls-bin, a JDK), and
#          tshark (a key log written by snr must decrypt a capture)
#   ci     what .ci/run adds: the clang sanitizer runtimes
#
# Already installed packages are recognised with dpkg, so a provisioned machine does no apt
# work at all. As root the missing ones are installed (`apt-get update` once, then
# `apt-get install -y`); otherwise the exact command is printed and the script fails.
set -euo pipefail

build=(cmake ninja-build g++ clang libssl-dev libgnutls28-dev libgtest-dev libgmock-dev pkg-config ccache valgrind)
peers=(openssl gnutls-bin default-jdk-headless tshark)
# clang's ASan/UBSan runtimes are only "Recommended" by clang, which some images skip.
ci=(libclang-rt-14-dev)

groups=("$@")
((${#groups[@]})) || groups=(all)
wanted=()
for g in "${groups[@]}"; do
  case "$g" in
    build) wanted+=("${build[@]}") ;;
    peers) wanted+=("${peers[@]}") ;;
    ci) wanted+=("${ci[@]}") ;;
    all) wanted+=("${build[@]}" "${peers[@]}") ;;
    *)
      echo "deps.sh: unknown group '$g' (build, peers, ci, all)" >&2
      exit 2
      ;;
  esac
done

if ! command -v dpkg >/dev/null 2>&1; then
  echo "deps.sh: no dpkg here (not Debian); make sure these are installed: ${wanted[*]}" >&2
  exit 0
fi

missing=()
for p in "${wanted[@]}"; do
  # `dpkg -s` also knows removed packages whose configuration files remain; only
  # "install ok installed" counts.
  if ! dpkg -s "$p" 2>/dev/null | grep -qx 'Status: install ok installed'; then
    case " ${missing[*]-} " in
      *" $p "*) ;;
      *) missing+=("$p") ;;
    esac
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
  echo "snr needs these Debian packages: ${missing[*]}" >&2
  echo "Install them as root, then run make again:" >&2
  echo "  sudo sh -c 'apt-get update && apt-get install -y ${missing[*]}'" >&2
  exit 1
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark's package asks whether non-root users may capture; answer "no" instead of prompting.
if command -v debconf-set-selections >/dev/null 2>&1; then
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
fi
apt-get update
apt-get install -y "${missing[@]}"
