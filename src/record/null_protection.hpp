// Record protection chosen by the connection's crypto provider, and the null protection the
// null-crypto fuzz targets use instead of real keys.
//
// Null framing (every version and cipher): the record carries its plaintext in the clear,
// followed by a tag of zeros as long as the suite's real one (AEAD tag, or the CBC / stream
// MAC), never checked. TLS 1.3 keeps its shape: outer type application_data, the inner
// content type after the plaintext (zero padding allowed, as in RFC 8446 5.4), then the tag.
// TLS 1.2 and older send the real content type in the header and no explicit nonce, IV or
// CBC padding: GCM, ChaCha20 and CBC suites all map to "plaintext + zero tag". A fuzzer
// playing the peer can so write its encrypted flights as plaintext, with the lengths and
// overheads of the real cipher.
#pragma once

#include <memory>

#include "crypto/provider.hpp"
#include "keys/prf12.hpp"
#include "policy/registry.hpp"
#include "record/protection.hpp"
#include "record/record_layer.hpp"

namespace snr::record {

class NullProtection final : public Protection {
 public:
  NullProtection(bool tls13, uint16_t wire_version, size_t tag_size)
      : tls13_(tls13), wire_version_(wire_version), tag_size_(tag_size) {}

  size_t sealed_size(msg::ContentType /*type*/, size_t n) const override {
    return kHeaderSize + n + max_overhead();
  }
  Status seal_into(msg::ContentType type, ByteView plaintext, MutByteView out) override;
  Result<size_t> open(ByteView header, MutByteView body, msg::ContentType& type,
                      size_t& offset) override;
  // TLS 1.3 KeyUpdate restarts the sequence as a real key change would.
  Status update() override;
  size_t max_overhead() const override { return tag_size_ + (tls13_ ? 1 : 0); }
  size_t max_ciphertext() const override;
  bool inner_type() const override { return tls13_; }

 private:
  bool tls13_;
  uint16_t wire_version_;
  size_t tag_size_;
};

// The TLS 1.3 protection of one direction from its traffic secret, installed in `slot`:
// Protection13 (ProtectionSlot::set13: re-keyed in place when the suite stays), or
// NullProtection when the provider says null_crypto().
Status install_protection13(const crypto::Provider* provider, const policy::CipherSuite& suite,
                            ByteView secret, ProtectionSlot& slot);
// The TLS 1.2 (1.0, 1.1) protection of one direction: make_protection12, or NullProtection.
Result<std::unique_ptr<Protection>> protection12_for(const crypto::Provider* provider,
                                                     const policy::CipherSuite& suite,
                                                     Version version,
                                                     const keys::DirectionKeys& keys);

}  // namespace snr::record
