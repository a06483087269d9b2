#!/usr/bin/env bash
# Regenerates the certificates for the SNI certificate-selection tests
# (tests/selftalk/cert_select_test.cpp, tests/interop/sni.sh). Needs only the openssl CLI.
#
#   tests/data/sni/make.sh        # writes next to this script
#
# Every leaf is signed by the shared test root (tests/data/ca-cert.pem), valid for 100 years
# from 2020-01-01. Each file pair is <name>-cert.pem / <name>-key.pem. The subject CN names
# the file (tests tell the chains apart by it), except for cn-only, whose CN is its only name:
#
#   www-ecdsa      ECDSA P-256  SAN DNS:www.example.com
#   www-rsa        RSA 2048     SAN DNS:www.example.com, DNS:Mixed.Example.COM
#   dup-ecdsa      ECDSA P-256  SAN DNS:www.example.com (loaded after www-ecdsa: ignored)
#   wild-ecdsa     ECDSA P-256  SAN DNS:*.example.com
#   cn-only        RSA 2048     CN=cnonly.example.com, no SAN
#   cn-san         ECDSA P-256  CN=ignored.example.com, SAN DNS:san.example.com
#   default-ecdsa  ECDSA P-256  SAN DNS:default.example.net
#   default-rsa    RSA 2048     SAN DNS:default.example.net
#   rsapss         RSA-PSS 2048 SAN DNS:www.example.com
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ca_cert="$here/../ca-cert.pem"
ca_key="$here/../ca-key.pem"
# As the other test certificates, from 2020-01-01 (a machine whose clock is behind still
# accepts them), for 100 years.
not_before=20200101000000Z
not_after=21200101000000Z

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# make NAME KEYALG CN SAN(empty: none)
make() {
  local name=$1 alg=$2 cn=$3 san=$4
  case "$alg" in
    ec) openssl genpkey -quiet -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$here/$name-key.pem" ;;
    rsa) openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$here/$name-key.pem" ;;
    rsapss) openssl genpkey -quiet -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$here/$name-key.pem" ;;
  esac
  {
    echo "basicConstraints = critical, CA:FALSE"
    if [ "$alg" = rsa ]; then
      echo "keyUsage = critical, digitalSignature, keyEncipherment"
    else
      echo "keyUsage = critical, digitalSignature"
    fi
    echo "extendedKeyUsage = serverAuth, clientAuth"
    [ -n "$san" ] && echo "subjectAltName = $san"
    echo "subjectKeyIdentifier = hash"
    echo "authorityKeyIdentifier = keyid:always"
  } >"$work/$name.ext"
  openssl req -new -key "$here/$name-key.pem" -subj "/CN=$cn/O=snr sni test" -out "$work/$name.csr"
  : >"$work/index.txt"
  echo 01 >"$work/serial"
  {
    echo "[ca]"
    echo "default_ca = sni_ca"
    echo "[sni_ca]"
    echo "database = $work/index.txt"
    echo "new_certs_dir = $work"
    echo "serial = $work/serial"
    echo "unique_subject = no"
    echo "policy = any_dn"
    echo "[any_dn]"
    echo "commonName = supplied"
    echo "organizationName = optional"
  } >"$work/ca.cnf"
  openssl ca -batch -notext -config "$work/ca.cnf" -in "$work/$name.csr" -cert "$ca_cert" \
    -keyfile "$ca_key" -md sha384 -rand_serial -preserveDN -startdate "$not_before" \
    -enddate "$not_after" -extfile "$work/$name.ext" -out "$here/$name-cert.pem" \
    2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }
  openssl verify -CAfile "$ca_cert" "$here/$name-cert.pem" >/dev/null
}

make www-ecdsa ec www-ecdsa "DNS:www.example.com"
make www-rsa rsa www-rsa "DNS:www.example.com, DNS:Mixed.Example.COM"
make dup-ecdsa ec dup-ecdsa "DNS:www.example.com"
make wild-ecdsa ec wild-ecdsa "DNS:*.example.com"
make cn-only rsa cnonly.example.com ""
make cn-san ec ignored.example.com "DNS:san.example.com"
make default-ecdsa ec default-ecdsa "DNS:default.example.net"
make default-rsa rsa default-rsa "DNS:default.example.net"
make rsapss rsapss rsapss "DNS:www.example.com"
echo "sni test certificates written to $here"
