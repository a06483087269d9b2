// The seam between the protocol and its sources of randomness, ephemeral keys and
// signatures. The system provider uses libcrypto; tests substitute a deterministic one
// (RFC 8448 known answers) and, later, a null one for fuzzing.
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

  // The libcrypto provider (process-wide, stateless).
  static Provider& system();
};

}  // namespace snr::crypto
