#include "record/null_protection.hpp"

#include <algorithm>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"
#include "record/protection12.hpp"
#include "record/record_layer.hpp"
#include "util/error_code.hpp"

namespace snr::record {

using msg::ContentType;

Status NullProtection::seal_into(ContentType type, ByteView plaintext, MutByteView out) {
  SNR_ENSURE(seq_ != UINT64_MAX, Err::RECORD_LIMIT);
  SNR_ENSURE(out.size() == sealed_size(type, plaintext.size()), Err::INTERNAL);
  put_header(out, tls13_ ? ContentType::application_data : type, wire_version_,
             plaintext.size() + max_overhead());
  const MutByteView body = out.subspan(kHeaderSize);
  std::copy(plaintext.begin(), plaintext.end(), body.begin());
  if (tls13_) body[plaintext.size()] = static_cast<uint8_t>(type);
  std::fill(body.end() - static_cast<std::ptrdiff_t>(tag_size_), body.end(), uint8_t{0});
  ++seq_;
  return {};
}

Result<size_t> NullProtection::open(ByteView header, MutByteView body, ContentType& type,
                                    size_t& offset) {
  offset = 0;
  SNR_ENSURE(seq_ != UINT64_MAX, Err::RECORD_LIMIT);
  // The same length rules as the real ciphers: a record too short for its tag fails to open.
  SNR_ENSURE(body.size() >= tag_size_ + (tls13_ ? 1 : 0), Err::DECRYPT);
  ++seq_;
  size_t end = body.size() - tag_size_;
  if (!tls13_) {
    type = static_cast<ContentType>(header[0]);
    return end;
  }
  while (end > 0 && body[end - 1] == 0) --end;
  SNR_ENSURE(end > 0, Err::RECORD_PADDING);
  type = static_cast<ContentType>(body[end - 1]);
  SNR_ENSURE(end - 1 <= kMaxPlaintext, Err::RECORD_LIMIT);
  return end - 1;
}

Status NullProtection::update() {
  if (!tls13_) return make_error(Err::KEY_UPDATE);
  seq_ = 0;
  return {};
}

size_t NullProtection::max_ciphertext() const {
  return tls13_ ? kMaxCiphertext13 : kMaxCiphertext12;
}

Status install_protection13(const crypto::Provider* provider, const policy::CipherSuite& suite,
                            ByteView secret, ProtectionSlot& slot) {
  if (crypto::null_crypto(provider)) {
    slot.set(std::make_unique<NullProtection>(true, msg::version::TLS12, crypto::kAeadTagSize));
    return {};
  }
  return slot.set13(suite.aead(), suite.hash, secret);
}

Result<std::unique_ptr<Protection>> protection12_for(const crypto::Provider* provider,
                                                     const policy::CipherSuite& suite,
                                                     Version version,
                                                     const keys::DirectionKeys& keys) {
  if (!crypto::null_crypto(provider)) return make_protection12(suite, version, keys);
  const uint16_t wire = version == Version::TLS10   ? msg::version::TLS10
                        : version == Version::TLS11 ? msg::version::TLS11
                                                    : msg::version::TLS12;
  const size_t tag = suite.is_aead() ? crypto::kAeadTagSize : crypto::hash_size(suite.mac);
  return std::unique_ptr<Protection>(std::make_unique<NullProtection>(false, wire, tag));
}

}  // namespace snr::record
