#!/usr/bin/env bash
# Regenerates the OCSP fixtures in tests/data/ocsp/ from the certificates in tests/data/
# (rerun after gen-certs.sh, which replaces every key). Needs only the openssl CLI (3.0+).
#
#   tests/data/ocsp/make.sh
#
# Each response answers a request for one leaf, without a nonce (stapled responses carry
# none), with nextUpdate 100 years after generation so that the fixtures stay current.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
data="$(cd "$here/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
days=36500

# A delegated responder (RFC 6960 4.2.2.2): issued by the root, extendedKeyUsage OCSPSigning.
cat >"$work/ext.cnf" <<CNF
[responder]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
CNF
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=snr test OCSP responder" \
  -keyout "$here/responder-key.pem" -out "$work/responder.csr" 2>/dev/null
openssl x509 -req -in "$work/responder.csr" -CA "$data/ca-cert.pem" -CAkey "$data/ca-key.pem" \
  -set_serial 0x0C5F01 -days 9125 -sha384 -extfile "$work/ext.cnf" -extensions responder \
  -out "$here/responder-cert.pem" 2>/dev/null

# index.txt lines: status, expiry, revocation date, serial, file, subject (tab-separated).
index_line() {  # STATUS CERT
  local serial
  serial="$(openssl x509 -in "$2" -noout -serial | cut -d= -f2)"
  if [ "$1" = R ]; then
    printf 'R\t511120095640Z\t240101000000Z,keyCompromise\t%s\tunknown\t/CN=localhost\n' "$serial"
  else
    printf 'V\t511120095640Z\t\t%s\tunknown\t/CN=localhost\n' "$serial"
  fi
}

respond() {  # OUT STATUS LEAF CA_CERT SIGNER_CERT SIGNER_KEY
  local out="$1" status="$2" leaf="$3" ca="$4" signer="$5" key="$6"
  index_line "$status" "$leaf" >"$work/index.txt"
  openssl ocsp -issuer "$ca" -cert "$leaf" -no_nonce -reqout "$work/req.der" >/dev/null 2>&1
  openssl ocsp -index "$work/index.txt" -CA "$ca" -rsigner "$signer" -rkey "$key" \
    -reqin "$work/req.der" -respout "$here/$out" -ndays "$days" >/dev/null 2>&1
}

respond rsa2048-good.der V "$data/rsa2048-cert.pem" "$data/ca-cert.pem" \
  "$data/ca-cert.pem" "$data/ca-key.pem"
respond rsa2048-revoked.der R "$data/rsa2048-cert.pem" "$data/ca-cert.pem" \
  "$data/ca-cert.pem" "$data/ca-key.pem"
respond rsa2048-good-delegated.der V "$data/rsa2048-cert.pem" "$data/ca-cert.pem" \
  "$here/responder-cert.pem" "$here/responder-key.pem"
# Signed by a CA that did not issue the leaf.
respond rsa2048-wrong-issuer.der V "$data/rsa2048-cert.pem" "$data/ca-cert.pem" \
  "$data/other-ca-cert.pem" "$data/other-ca-key.pem"
respond ecdsa-p256-good.der V "$data/ecdsa-p256-cert.pem" "$data/ca-cert.pem" \
  "$data/ca-cert.pem" "$data/ca-key.pem"

# Check: the good ones verify against the root, the revoked one says so.
for f in rsa2048-good.der rsa2048-good-delegated.der rsa2048-revoked.der; do
  openssl ocsp -respin "$here/$f" -CAfile "$data/ca-cert.pem" -issuer "$data/ca-cert.pem" \
    -cert "$data/rsa2048-cert.pem" 2>&1 | grep -q -E ': (good|revoked)$'
done
echo "OCSP fixtures written to $here"
