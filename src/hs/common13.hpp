// Pieces both TLS 1.3 roles use: sending messages, installing keys, Finished and
// CertificateVerify computations, key logging.
#pragma once

#include "hs/handshake.hpp"
#include "msg/messages12.hpp"
#include "util/error_code.hpp"

namespace snr::hs {

// The buffer to serialize a message to send into: emptied, its capacity kept (most
// messages fit the first reservation).
inline Bytes& out_buffer(Handshake& hs) {
  hs.scratch.clear();
  if (hs.scratch.capacity() == 0) hs.scratch.reserve(1024);
  return hs.scratch;
}

// Adds a whole serialized message to the transcript and hands it to the sink.
inline Status emit(Handshake& hs, ByteView message) {
  SNR_TRY(hs.transcript.add(message));
  return hs.io->send_message(message);
}

// Serializes m, adds it to the transcript and hands it to the sink.
template <class M>
Status send(Handshake& hs, const M& m) {
  Bytes& out = out_buffer(hs);
  SNR_TRY(msg::serialize(m, out));
  return emit(hs, out);
}

// Adds a received message to the transcript.
inline Status absorb(Handshake& hs, const InMessage& in) { return hs.transcript.add(in.whole); }

// Sends the one middlebox-compatibility CCS, if the session id asked for it and none was sent.
Status maybe_send_ccs(Handshake& hs);

// After ServerHello: derives the handshake secrets from the shared secret and the transcript.
Status derive_handshake_secrets(Handshake& hs, ByteView shared_secret);
// After the server Finished: derives the master, application and exporter secrets.
Status derive_application_secrets(Handshake& hs);

// verify_data for `base_key` over the current transcript.
Result<crypto::Digest> finished_for(Handshake& hs, const crypto::Digest& base_key);
// Checks a received Finished against `base_key` (constant time).
Status check_finished(Handshake& hs, const InMessage& in, const crypto::Digest& base_key);

// The content a CertificateVerify signs (RFC 8446 4.4.3).
// 64 spaces, a 33-byte context string ("TLS 1.3, server CertificateVerify" or the client's),
// a zero byte and the transcript hash: on the stack.
inline constexpr size_t kCertificateVerifyContentMax = 64 + 33 + 1 + crypto::kMaxHashSize;
using CertificateVerifyContent = SmallVector<uint8_t, kCertificateVerifyContentMax>;
Result<CertificateVerifyContent> certificate_verify_content(Handshake& hs, bool server);

// NSS key log ("CLIENT_HANDSHAKE_TRAFFIC_SECRET" ...), when a key log is configured.
void log_secret(Handshake& hs, std::string_view label, const crypto::Digest& secret);

// Validates the peer's certificate chain (trust, dates, depth, host name) and keeps its
// public key; stores the validated chain in hs.out->peer_chain.
Status accept_peer_certificates(Handshake& hs, const msg::Certificate& cert);

// Checks and verifies a peer CertificateVerify against the offered/allowed schemes.
Status verify_peer_signature(Handshake& hs, const InMessage& in, bool server_signed,
                             std::span<const uint16_t> allowed);

// Picks our CertificateVerify scheme: the first scheme of the policy that the peer offered
// and our key can make. NO_VALID_SIGNATURE_SCHEME when there is none.
Result<const policy::SigScheme*> choose_signature_scheme(const Handshake& hs,
                                                         std::span<const uint16_t> offered,
                                                         crypto::KeyType key);

// Sends CertificateVerify signed with `key` and `scheme`: true once sent, false while the
// private key callback works on the signature (the step pauses and calls again).
Result<bool> send_certificate_verify(Handshake& hs, const detail::CertifiedKey& key,
                                     const policy::SigScheme& scheme, bool server);

bool contains(std::span<const uint16_t> list, uint16_t v);

}  // namespace snr::hs
