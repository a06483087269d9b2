// Record protection of one direction: the interface the record layer uses, whatever the
// version and cipher (TLS 1.3 AEAD in protection13, TLS 1.2 and older in protection12).
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"
#include "msg/types.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::record {

inline constexpr size_t kHeaderSize = 5;
inline constexpr size_t kMaxPlaintext = 16384;

// Writes a record header into the first kHeaderSize bytes of `out`.
inline void put_header(MutByteView out, msg::ContentType type, uint16_t version, size_t length) {
  out[0] = static_cast<uint8_t>(type);
  out[1] = static_cast<uint8_t>(version >> 8);
  out[2] = static_cast<uint8_t>(version);
  out[3] = static_cast<uint8_t>(length >> 8);
  out[4] = static_cast<uint8_t>(length);
}

class Protection {
 public:
  virtual ~Protection() = default;

  // The bytes `plaintext` of `n` bytes and type `type` takes protected, headers included
  // (more than one record where a cipher splits it).
  virtual size_t sealed_size(msg::ContentType type, size_t n) const = 0;
  // Protects `plaintext` into `out`, exactly sealed_size(type, plaintext.size()) bytes that do
  // not overlap it: the plaintext goes from the caller's buffer to the record, no copy first.
  virtual Status seal_into(msg::ContentType type, ByteView plaintext, MutByteView out) = 0;
  // Appends the protected record(s) to `out` (any contiguous byte vector).
  template <class Buffer>
  Status seal(msg::ContentType type, ByteView plaintext, Buffer& out) {
    const size_t start = out.size();
    out.resize(start + sealed_size(type, plaintext.size()));
    Status s = seal_into(type, plaintext, MutByteView(out).subspan(start));
    if (!s.ok()) out.resize(start);
    return s;
  }

  // Verifies and decrypts a record body in place; `header` is the record header. On success
  // `type` is the content type (TLS 1.3: the inner one) and the plaintext is
  // body[offset, offset + the returned length).
  virtual Result<size_t> open(ByteView header, MutByteView body, msg::ContentType& type,
                              size_t& offset) = 0;
  // The direct path: the bytes an `out` of open_to() needs for this record, or 0 when this
  // protection decrypts it in place only (TLS 1.2 records other than application data,
  // CBC).
  virtual size_t open_to_size(ByteView /*header*/, size_t /*body_size*/) const { return 0; }
  // As open(), with the plaintext written to out[0, the returned length) (the application's
  // buffer: no copy after decryption); `out` holds open_to_size() bytes (a padded TLS 1.3
  // record leaves its padding and type past the returned length) and is wiped when the
  // record is refused.
  virtual Result<size_t> open_to(ByteView header, ByteView body, msg::ContentType& type,
                                 MutByteView out);
  // TLS 1.3 KeyUpdate: the next traffic secret; other versions cannot (Err::KEY_UPDATE).
  virtual Status update();
  // TLS 1.3: takes the traffic secret of the next stage (handshake to application keys) in
  // place, keeping the cipher context, and restarts the sequence. False when this protection
  // cannot (another kind, or another suite); the caller then builds a new one.
  virtual Result<bool> rekey(crypto::AeadAlg /*aead*/, crypto::HashAlg /*hash*/,
                             ByteView /*secret*/) {
    return false;
  }
  // The most bytes one record may add to its plaintext (header excluded).
  virtual size_t max_overhead() const = 0;
  // The largest protected fragment the peer may send (RFC 8446 5.2, RFC 5246 6.2.3).
  virtual size_t max_ciphertext() const = 0;
  // An idle connection frees its cipher context (release_buffers); the next record
  // rebuilds it. Ciphers without that ability keep theirs.
  virtual void release_crypto() {}
  // TLS 1.3 hides the real type inside; the outer type is always application_data.
  virtual bool inner_type() const = 0;

  // What connection serialization saves besides the sequence number: the current TLS 1.3
  // traffic secret, and the TLS 1.0 CBC chained IV (the last cipher block); empty otherwise.
  virtual ByteView traffic_secret() const { return {}; }
  virtual ByteView implicit_iv() const { return {}; }

  uint64_t sequence() const { return seq_; }
  // Restores a sequence number (connection deserialization; tests of the wrap limit).
  void set_sequence(uint64_t seq) { seq_ = seq; }

 protected:
  uint64_t seq_ = 0;
};

}  // namespace snr::record
