// The seam between the protocol and its sources of randomness, ephemeral keys, signatures and
// the checks a handshake makes once (signatures, key agreement, Finished, binders, record
// keys). The system provider uses libcrypto; tests substitute a deterministic one (RFC 8448
// known answers), and the null-crypto fuzz targets one that turns the checks off.
#pragma once

#include "crypto/key_share.hpp"
#include "crypto/pkey.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

class Provider {
 public:
  virtual ~Provider() = default;
  virtual Status random(MutByteView out);
  virtual Result<KeyShare> generate_key_share(uint16_t group);
  virtual Result<Bytes> sign(const PrivateKey& key, SigParams params, ByteView message);
  // A peer's signature (CertificateVerify, ServerKeyExchange).
  virtual Status verify(const PublicKey& key, SigParams params, ByteView message,
                        ByteView signature);
  // The (EC)DHE shared secret of `mine` with a peer's TLS-encoded share.
  virtual Result<SecureBytes> derive(const KeyShare& mine, ByteView peer_public);

  // Fuzzing only (tests/fuzz NullFuzzProvider): traffic keys become plaintext framing
  // (record/null_protection.hpp) and Finished / PSK binder values of the right length are
  // accepted. Consulted when keys are installed or a check is made, never per record.
  virtual bool null_crypto() const { return false; }

  // The libcrypto provider (process-wide, stateless).
  static Provider& system();
};

inline bool null_crypto(const Provider* p) { return p != nullptr && p->null_crypto(); }

}  // namespace snr::crypto
