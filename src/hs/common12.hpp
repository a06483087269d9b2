// Pieces both TLS 1.2 (and 1.0/1.1) roles use: key derivation, Finished, which keys and
// signature schemes fit which suites.
#pragma once

#include <optional>

#include "hs/common13.hpp"
#include "hs/versions.hpp"
#include "keys/prf12.hpp"
#include "msg/messages12.hpp"

namespace snr::hs {

// The transcript hash: the suite's PRF hash in TLS 1.2; MD5||SHA-1 before it.
crypto::HashAlg transcript_hash12(Version v, const policy::CipherSuite& suite);

msg::KxKind kx_kind(const policy::CipherSuite& suite);

// True when a certificate key of type `key` can authenticate a suite needing `auth`.
bool key_fits_auth(crypto::KeyType key, policy::Auth auth);
// TLS 1.2 signature scheme vs key: ECDSA schemes take any EC curve (RFC 5246), the rest as
// in TLS 1.3.
bool scheme_fits_key_12(const policy::SigScheme& scheme, crypto::KeyType key);

// How a ServerKeyExchange is signed: a TLS 1.2 scheme, or (TLS 1.0/1.1) fixed parameters.
struct SkeSignature {
  const policy::SigScheme* scheme = nullptr;  // null below TLS 1.2
  crypto::SigParams params{crypto::SigKind::ECDSA, crypto::HashAlg::SHA1};
};
// Server: the first policy scheme the client offered (RFC 5246 7.4.1.4.1 defaults when it sent
// no signature_algorithms) that `key` can make. Err::NO_VALID_SIGNATURE_SCHEME if none.
Result<SkeSignature> choose_ske_signature(const Handshake& hs, const msg::ClientHello& ch,
                                          crypto::KeyType key);
// client_random + server_random + params: what a ServerKeyExchange signature covers.
Bytes ske_signed_content(const Handshake& hs, ByteView params);

// After the key exchange: master secret (RFC 7627 when negotiated) and the key block.
Status derive_keys12(Handshake& hs);
// verify_data of `client`'s Finished over the current transcript.
Result<Bytes> finished12_for(Handshake& hs, bool client);
Status check_finished12(Handshake& hs, const InMessage& in, bool client_sent);

// DHE and RSA key exchange (kx12.cpp). Each sets hs.pre_master; the client ones also set
// hs.kx_public (what its ClientKeyExchange carries).
Status client_dhe_exchange(Handshake& hs, const msg::ServerKeyExchange& ske);
Status client_rsa_exchange(Handshake& hs);
Status server_dhe_params(Handshake& hs, msg::ServerKeyExchange& ske);
Status server_dhe_finish(Handshake& hs, ByteView client_public);

// A TLS 1.2 Certificate as the TLS 1.3 structure accept_peer_certificates takes.
msg::Certificate as_certificate13(const msg::Certificate12& c);

}  // namespace snr::hs
