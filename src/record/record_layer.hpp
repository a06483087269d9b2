// The record layer (RFC 8446 5): framing, AEAD protection, and the raw in/out buffers. It
// never calls I/O itself: the connection moves bytes between these buffers and the
// application's callbacks.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"
#include "msg/types.hpp"
#include "record/protection.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::record {

// TLS 1.3 TLSCiphertext.length limit (RFC 8446 5.2).
inline constexpr size_t kMaxCiphertext13 = kMaxPlaintext + 256;
// The input buffer's first size: a header and a small record.
inline constexpr size_t kSmallInput = 1024;
// The output buffer's first size: a small handshake flight.
inline constexpr size_t kSmallOutput = 1024;

// TLS 1.3 AEAD protection of one direction: key, static IV and the sequence number.
class Protection13 final : public Protection {
  struct Token {
    explicit Token() = default;
  };

 public:
  static Result<std::unique_ptr<Protection13>> create(crypto::AeadAlg aead, crypto::HashAlg hash,
                                                      ByteView secret);
  // The same, built in `slot` (no allocation of its own).
  static Status create_in(std::optional<Protection13>& slot, crypto::AeadAlg aead,
                          crypto::HashAlg hash, ByteView secret);
  // For create and create_in only (Token is private).
  Protection13(Token /*token*/, crypto::Aead aead, crypto::HashAlg hash)
      : aead_(std::move(aead)), hash_(hash) {}
  Result<bool> rekey(crypto::AeadAlg aead, crypto::HashAlg hash, ByteView secret) override;
  // KeyUpdate: the next traffic secret replaces the current one, sequence back to 0.
  Status update() override;
  static constexpr size_t kOverhead = 1 + crypto::kAeadTagSize;  // inner type + tag

  size_t sealed_size(msg::ContentType /*type*/, size_t n) const override {
    return kHeaderSize + n + kOverhead;
  }
  Status seal_into(msg::ContentType type, ByteView plaintext, MutByteView out) override;
  Result<size_t> open(ByteView header, MutByteView body, msg::ContentType& type,
                      size_t& offset) override;
  // The content and any padding: the inner type byte is decrypted aside, so an unpadded
  // record writes nothing past its content.
  size_t open_to_size(ByteView /*header*/, size_t body_size) const override {
    return body_size > kOverhead ? body_size - kOverhead : 0;
  }
  Result<size_t> open_to(ByteView header, ByteView body, msg::ContentType& type,
                         MutByteView out) override;
  // The plaintext starts at the body's first byte in TLS 1.3.
  Result<size_t> open(ByteView header, MutByteView body, msg::ContentType& type) {
    size_t offset = 0;
    return open(header, body, type, offset);
  }
  size_t max_overhead() const override { return kOverhead; }
  size_t max_ciphertext() const override { return kMaxCiphertext13; }
  bool inner_type() const override { return true; }
  void release_crypto() override { aead_.release(); }
  ByteView traffic_secret() const override { return secret_.view(); }

 private:
  Status install(ByteView secret);
  // Decrypts the body but its last byte into `head`, that byte into `last`.
  Result<size_t> open_parts(ByteView header, ByteView body, msg::ContentType& type,
                            MutByteView head, MutByteView last);
  void nonce(uint8_t out[crypto::kAeadNonceSize]) const;

  crypto::Aead aead_;
  crypto::HashAlg hash_;
  crypto::Digest secret_;
  std::array<uint8_t, crypto::kAeadNonceSize> iv_{};
};

// One direction's protection. A TLS 1.3 one is held inline: each side of a handshake installs
// two, which would otherwise be two allocations; the others live on the heap.
class ProtectionSlot {
 public:
  Protection* get() { return heap_ ? heap_.get() : inline_ ? &*inline_ : nullptr; }
  const Protection* get() const { return heap_ ? heap_.get() : inline_ ? &*inline_ : nullptr; }
  void set(std::unique_ptr<Protection> p) {
    inline_.reset();
    heap_ = std::move(p);
  }
  // The TLS 1.3 protection for `secret`: the current one re-keyed when it has the same AEAD and
  // hash (handshake to application keys), else a new one in place.
  Status set13(crypto::AeadAlg aead, crypto::HashAlg hash, ByteView secret);

 private:
  std::optional<Protection13> inline_;
  std::unique_ptr<Protection> heap_;
};

// Allocates like std::allocator, but resize() leaves new bytes as they are: the output buffer
// grows by whole records that are written over at once.
template <class T>
struct UninitAllocator {
  using value_type = T;
  UninitAllocator() = default;
  template <class U>
  UninitAllocator(const UninitAllocator<U>& /*other*/) noexcept {}
  T* allocate(size_t n) { return std::allocator<T>().allocate(n); }
  void deallocate(T* p, size_t n) noexcept { std::allocator<T>().deallocate(p, n); }
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... A>
  void construct(U* p, A&&... a) {
    ::new (static_cast<void*>(p)) U(std::forward<A>(a)...);
  }
  template <class U>
  bool operator==(const UninitAllocator<U>& /*other*/) const noexcept {
    return true;
  }
};
using OutputBytes = std::vector<uint8_t, UninitAllocator<uint8_t>>;

// A record taken from the input buffer: its content type and plaintext (a view into the
// input buffer, valid until the next record is read).
struct Record {
  msg::ContentType type;
  MutByteView data;
  bool encrypted;
  // An SSLv2-format CLIENT-HELLO (allow_sslv2_hello): `data` is the SSLv2 message after its
  // 2-byte header, `type` is handshake.
  bool sslv2 = false;
  // Application data decrypted straight into the buffer given to take_record.
  bool direct = false;
};

class RecordLayer {
 public:
  // --- input ---
  // Bytes to read to complete the current record (the header first, then the body).
  size_t read_want() const;
  // Space for up to `n` more input bytes; commit_read() says how many arrived.
  MutByteView read_space(size_t n);
  void commit_read(size_t n) { in_len_ += n; }
  // The complete record in the buffer, decrypted; nullopt if more bytes are needed.
  // Errors: RECORD_LIMIT (record_overflow), DECRYPT (bad_record_mac), BAD_RECORD_HEADER.
  // Application data that fits `direct` (the application's buffer) is decrypted straight
  // into it (Record::direct). Nothing past the plaintext is written but a padded TLS 1.3
  // record's padding and inner type; `direct` is wiped when the record is refused.
  Result<std::optional<Record>> take_record(MutByteView direct = {});
  // Frees the input buffer when it holds nothing (idle connections keep no buffer).
  void release_input();
  // Drops buffered input unread (a failed connection reads nothing more).
  void discard_input() {
    in_len_ = 0;
    release_input();
  }
  bool input_empty() const { return in_len_ == 0; }
  // The body length of the record take_record() last consumed (skipped 0-RTT data counts).
  size_t last_record_length() const { return last_len_; }

  // --- output ---
  // Appends `data` as records of type `type` (fragmented, protected with the write key).
  Status write(msg::ContentType type, ByteView data);
  ByteView pending_output() const { return ByteView(out_).subspan(out_off_); }
  void consume_output(size_t n);
  bool output_empty() const { return out_off_ == out_.size(); }
  // Frees the output buffer when everything in it was sent.
  void release_output();

  // --- keys ---
  // Both directions' cipher contexts (Protection::release_crypto).
  void release_crypto() {
    if (Protection* p = read_.get()) p->release_crypto();
    if (Protection* p = write_.get()) p->release_crypto();
  }
  void set_read_protection(std::unique_ptr<Protection> p) { read_.set(std::move(p)); }
  void set_write_protection(std::unique_ptr<Protection> p) { write_.set(std::move(p)); }
  ProtectionSlot& read_slot() { return read_; }
  ProtectionSlot& write_slot() { return write_; }
  Protection* read_protection() { return read_.get(); }
  Protection* write_protection() { return write_.get(); }
  const Protection* read_protection() const { return read_.get(); }
  const Protection* write_protection() const { return write_.get(); }
  // legacy_record_version of outgoing records (0x0301 for the first ClientHello).
  void set_record_version(uint16_t v) { record_version_ = v; }
  void set_max_fragment(size_t n) { max_fragment_ = n; }
  // The plaintext limit of outgoing records: max_fragment, capped by the fragment limit.
  size_t max_fragment() const {
    return fragment_limit_ != 0 ? std::min(max_fragment_, fragment_limit_) : max_fragment_;
  }
  // A negotiated max_fragment_length (RFC 6066 4): no record either way may carry more
  // plaintext than `n` (larger incoming ones fail with RECORD_LIMIT), whatever
  // set_max_fragment says. 0 (the default) means none.
  void set_fragment_limit(size_t n) { fragment_limit_ = n; }
  // A server's first record may be an SSLv2-format CLIENT-HELLO (RFC 5246 E.2): allowed for
  // the next record only, which take_record returns with Record::sslv2 set.
  void allow_sslv2_hello() { sslv2_allowed_ = true; }

 private:
  // Raw input: allocated for the record arriving (not zero-filled), dropped when idle.
  std::unique_ptr<uint8_t[]> in_;
  size_t in_cap_ = 0;
  size_t in_len_ = 0;
  size_t last_len_ = 0;
  OutputBytes out_;
  size_t out_off_ = 0;
  ProtectionSlot read_, write_;
  uint16_t record_version_ = msg::version::TLS12;
  size_t max_fragment_ = kMaxPlaintext;
  size_t fragment_limit_ = 0;  // 0: none (incoming plaintext up to kMaxPlaintext)
  bool sslv2_allowed_ = false;
  // The first record's 2-byte SSLv2 header, when it is one.
  bool sslv2_header() const { return sslv2_allowed_ && in_len_ > 0 && (in_[0] & 0x80) != 0; }
  size_t in_limit() const { return fragment_limit_ != 0 ? fragment_limit_ : kMaxPlaintext; }
  Result<std::optional<Record>> take_sslv2_record();
};

}  // namespace snr::record
