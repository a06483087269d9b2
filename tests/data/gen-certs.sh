#!/usr/bin/env bash
# Regenerates every test certificate and key in tests/data/ and the certificate embedded in
# the command-line tools (tools/embedded_cert.cpp). Needs only the openssl CLI (3.0+).
#
#   tests/data/gen-certs.sh          # writes next to this script
#
# Validity is long (CA 30 years, leaves 25 years) so that the tests do not start failing on
# their own; regenerate if that day ever comes. Tests must not depend on the exact bytes
# (keys are random), only on the names and properties documented in README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here"
ca_days=10950   # 30 years
leaf_days=9125  # 25 years

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# One config file holds every extension profile; the x509 -extensions flag picks one.
cat >"$work/ext.cnf" <<EOF
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused

[ca]
default_ca = test_ca
[test_ca]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
unique_subject = no
email_in_dn = no
policy = any_dn
[any_dn]
commonName = supplied

[root_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[intermediate_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf_localhost]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf_localhost_rsa]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf_wronghost]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:wrong.example
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[leaf_wildcard]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:*.example.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

# genkey NAME ALGORITHM [PKEYOPT...] -> $out/NAME-key.pem (PKCS#8, unencrypted)
genkey() {
  local name="$1" alg="$2"
  shift 2
  local opts=()
  for o in "$@"; do opts+=(-pkeyopt "$o"); done
  openssl genpkey -algorithm "$alg" "${opts[@]}" -out "$out/$name-key.pem" 2>/dev/null
}

# Certificates start in 2020 rather than now, so that a machine whose clock is behind the one
# that generated them still accepts them; they end 25 or 30 years from now.
not_before=20200101000000Z

# issue NAME SUBJECT PROFILE DAYS ISSUER -> $out/NAME-cert.pem (self-signed if ISSUER = NAME)
issue() {
  local name="$1" subject="$2" profile="$3" days="$4" issuer="$5"
  openssl req -new -key "$out/$name-key.pem" -subj "$subject" -config "$work/ext.cnf" \
    -out "$work/$name.csr"
  # The digest follows the issuer's key: SHA-384 for the P-384 roots, SHA-256 otherwise.
  local md=sha256
  [[ "$issuer" == ca || "$issuer" == other-ca ]] && md=sha384
  local signer=(-cert "$out/$issuer-cert.pem")
  [[ "$issuer" == "$name" ]] && signer=(-selfsign)
  : >"$work/index.txt"
  echo 01 >"$work/serial"
  openssl ca -batch -notext -config "$work/ext.cnf" -in "$work/$name.csr" "${signer[@]}" \
    -keyfile "$out/$issuer-key.pem" -md "$md" -rand_serial -preserveDN \
    -startdate "$not_before" -days "$days" -extfile "$work/ext.cnf" -extensions "$profile" \
    -out "$out/$name-cert.pem" 2>"$work/ca.log" || { cat "$work/ca.log" >&2; exit 1; }
}
sign() { issue "$1" "$2" "$3" "$leaf_days" "$4"; }
self_signed() { issue "$1" "$2" root_ca "$ca_days" "$1"; }

# Roots.
genkey ca EC ec_paramgen_curve:P-384 ec_param_enc:named_curve
self_signed ca "/CN=snr test CA"
genkey other-ca EC ec_paramgen_curve:P-384 ec_param_enc:named_curve
self_signed other-ca "/CN=snr other test CA"

# Leaves of each key kind, signed directly by the root.
genkey ecdsa-p256 EC ec_paramgen_curve:P-256 ec_param_enc:named_curve
genkey ecdsa-p384 EC ec_paramgen_curve:P-384 ec_param_enc:named_curve
genkey rsa2048 RSA rsa_keygen_bits:2048
genkey rsapss RSA-PSS rsa_keygen_bits:2048
genkey ed25519 ED25519
for kind in ecdsa-p256 ecdsa-p384 rsapss ed25519; do
  sign "$kind" "/CN=localhost" leaf_localhost ca
done
sign rsa2048 "/CN=localhost" leaf_localhost_rsa ca

# Root -> intermediate -> leaf.
genkey int EC ec_paramgen_curve:P-256 ec_param_enc:named_curve
sign int "/CN=snr test intermediate CA" intermediate_ca ca
genkey int-leaf EC ec_paramgen_curve:P-256 ec_param_enc:named_curve
sign int-leaf "/CN=localhost" leaf_localhost int
cat "$out/int-leaf-cert.pem" "$out/int-cert.pem" >"$out/int-leaf-chain.pem"

# A localhost leaf from a root that the tests never trust.
genkey untrusted EC ec_paramgen_curve:P-256 ec_param_enc:named_curve
sign untrusted "/CN=localhost" leaf_localhost other-ca

# Trusted, but for other names.
genkey wronghost EC ec_paramgen_curve:P-256 ec_param_enc:named_curve
sign wronghost "/CN=wrong.example" leaf_wronghost ca
genkey wildcard EC ec_paramgen_curve:P-256 ec_param_enc:named_curve
sign wildcard "/CN=*.example.test" leaf_wildcard ca

# Check what the tests rely on, so a broken openssl or a typo fails here and not in a test.
check() {
  if ! "$@" >/dev/null 2>&1; then
    echo "gen-certs.sh: check failed: $*" >&2
    exit 1
  fi
}
check_fails() {
  if "$@" >/dev/null 2>&1; then
    echo "gen-certs.sh: check unexpectedly passed: $*" >&2
    exit 1
  fi
}
for kind in ecdsa-p256 ecdsa-p384 rsa2048 rsapss ed25519; do
  check openssl verify -x509_strict -purpose sslserver -verify_hostname localhost \
    -verify_ip 127.0.0.1 -CAfile "$out/ca-cert.pem" "$out/$kind-cert.pem"
  check openssl verify -purpose sslclient -CAfile "$out/ca-cert.pem" "$out/$kind-cert.pem"
done
check openssl verify -x509_strict -purpose sslserver -verify_hostname localhost \
  -CAfile "$out/ca-cert.pem" -untrusted "$out/int-cert.pem" "$out/int-leaf-cert.pem"
check_fails openssl verify -CAfile "$out/ca-cert.pem" "$out/int-leaf-cert.pem"
check_fails openssl verify -CAfile "$out/ca-cert.pem" "$out/untrusted-cert.pem"
check openssl verify -CAfile "$out/other-ca-cert.pem" "$out/untrusted-cert.pem"
check openssl verify -CAfile "$out/ca-cert.pem" "$out/wronghost-cert.pem"
check_fails openssl verify -verify_hostname localhost -CAfile "$out/ca-cert.pem" \
  "$out/wronghost-cert.pem"
check openssl verify -verify_hostname a.example.test -CAfile "$out/ca-cert.pem" \
  "$out/wildcard-cert.pem"

# The tools' built-in identity: the ECDSA P-256 localhost leaf and the root that signed it.
emit() {
  local name="$1" file="$2"
  # A raw string cannot contain its own delimiter; PEM never contains ")PEM".
  printf 'const char %s[] = R"PEM(%s\n)PEM";\n' "$name" "$(cat "$file")"
}
{
  cat <<'EOF'
// Generated by tests/data/gen-certs.sh; do not edit. The tools' built-in test identity:
// tests/data/ecdsa-p256-{cert,key}.pem and the test CA tests/data/ca-cert.pem.
#include "embedded_cert.hpp"

namespace snr::tools {

EOF
  emit kEmbeddedCertPem "$out/ecdsa-p256-cert.pem"
  echo
  emit kEmbeddedKeyPem "$out/ecdsa-p256-key.pem"
  echo
  emit kEmbeddedCaPem "$out/ca-cert.pem"
  echo
  echo "}  // namespace snr::tools"
} >"$root/tools/embedded_cert.cpp"

chmod 0644 "$out"/*.pem
echo "gen-certs.sh: wrote the PEM files in $out and tools/embedded_cert.cpp"
