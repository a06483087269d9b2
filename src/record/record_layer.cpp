#include "record/record_layer.hpp"

#include <algorithm>

#include "keys/key_schedule.hpp"
#include "msg/sslv2_hello.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr::record {

using msg::ContentType;

Status Protection13::create_in(std::optional<Protection13>& slot, crypto::AeadAlg aead,
                               crypto::HashAlg hash, ByteView secret) {
  SNR_ENSURE(secret.size() <= crypto::kMaxHashSize, Err::INTERNAL);
  SNR_TRY_ASSIGN(keys::TrafficKey tk, keys::traffic_key(hash, aead, secret));
  SNR_TRY_ASSIGN(crypto::Aead a, crypto::Aead::create(aead, tk.key()));
  Protection13& p = slot.emplace(Token{}, std::move(a), hash);
  p.iv_ = tk.iv;
  p.secret_.len = secret.size();
  std::copy(secret.begin(), secret.end(), p.secret_.bytes.begin());
  return {};
}

Status ProtectionSlot::set13(crypto::AeadAlg aead, crypto::HashAlg hash, ByteView secret) {
  if (Protection* cur = get()) {
    SNR_TRY_ASSIGN(const bool rekeyed, cur->rekey(aead, hash, secret));
    if (rekeyed) return {};
  }
  heap_.reset();
  return Protection13::create_in(inline_, aead, hash, secret);
}

Result<std::unique_ptr<Protection13>> Protection13::create(crypto::AeadAlg aead,
                                                           crypto::HashAlg hash, ByteView secret) {
  std::optional<Protection13> p;
  SNR_TRY(create_in(p, aead, hash, secret));
  return std::make_unique<Protection13>(std::move(*p));
}

Result<bool> Protection13::rekey(crypto::AeadAlg aead, crypto::HashAlg hash, ByteView secret) {
  if (aead != aead_.alg() || hash != hash_ || secret.size() != secret_.len) return false;
  SNR_TRY(install(secret));
  std::copy(secret.begin(), secret.end(), secret_.bytes.begin());
  return true;
}

Status Protection13::install(ByteView secret) {
  SNR_TRY_ASSIGN(keys::TrafficKey tk, keys::traffic_key(hash_, aead_.alg(), secret));
  SNR_TRY(aead_.set_key(tk.key()));
  iv_ = tk.iv;
  seq_ = 0;
  return {};
}

Status Protection13::update() {
  SNR_TRY_ASSIGN(crypto::Digest next, keys::next_traffic_secret(hash_, secret_.view()));
  secret_ = next;
  return install(secret_.view());
}

void Protection13::nonce(uint8_t out[crypto::kAeadNonceSize]) const {
  // RFC 8446 5.3: the 64-bit sequence number, left-padded, XORed with the static IV.
  for (size_t i = 0; i < crypto::kAeadNonceSize; ++i) out[i] = iv_[i];
  for (size_t i = 0; i < 8; ++i)
    out[crypto::kAeadNonceSize - 1 - i] ^= static_cast<uint8_t>(seq_ >> (8 * i));
}

Status Protection13::seal_into(ContentType type, ByteView plaintext, MutByteView out) {
  SNR_ENSURE(seq_ != UINT64_MAX, Err::RECORD_LIMIT);
  const size_t inner = plaintext.size() + 1;
  SNR_ENSURE(out.size() == sealed_size(type, plaintext.size()), Err::INTERNAL);
  put_header(out, ContentType::application_data, msg::version::TLS12, inner + crypto::kAeadTagSize);
  out[kHeaderSize + plaintext.size()] = static_cast<uint8_t>(type);
  uint8_t n[crypto::kAeadNonceSize];
  nonce(n);
  SNR_TRY(aead_.seal(n, out.first(kHeaderSize), plaintext, out.subspan(kHeaderSize, inner),
                     out.subspan(kHeaderSize + inner)));
  ++seq_;
  return {};
}

Status Protection::update() { return make_error(Err::KEY_UPDATE); }

Result<size_t> Protection::open_to(ByteView, ByteView, ContentType&, MutByteView) {
  return make_error(Err::INTERNAL, "no direct record path");
}

Result<size_t> Protection13::open(ByteView header, MutByteView body, ContentType& type,
                                  size_t& offset) {
  offset = 0;
  SNR_ENSURE(body.size() > crypto::kAeadTagSize, Err::DECRYPT);
  const size_t clen = body.size() - crypto::kAeadTagSize;
  return open_parts(header, body, type, body.first(clen - 1), body.subspan(clen - 1, 1));
}

Result<size_t> Protection13::open_to(ByteView header, ByteView body, ContentType& type,
                                     MutByteView out) {
  SNR_ENSURE(body.size() > crypto::kAeadTagSize, Err::DECRYPT);
  const size_t head = body.size() - crypto::kAeadTagSize - 1;
  SNR_ENSURE(out.size() >= head, Err::INTERNAL);
  uint8_t last = 0;
  return open_parts(header, body, type, out.first(head), MutByteView(&last, 1));
}

Result<size_t> Protection13::open_parts(ByteView header, ByteView body, ContentType& type,
                                        MutByteView head, MutByteView last) {
  SNR_ENSURE(seq_ != UINT64_MAX, Err::RECORD_LIMIT);
  const size_t clen = head.size() + last.size();
  uint8_t n[crypto::kAeadNonceSize];
  nonce(n);
  SNR_TRY(aead_.open(n, header, body.first(clen), head, last, body.subspan(clen)));
  ++seq_;
  // TLSInnerPlaintext: content, the real type, then zero padding (RFC 8446 5.4).
  size_t end = head.size();
  if (last[0] != 0) {
    type = static_cast<ContentType>(last[0]);
  } else {
    while (end > 0 && head[end - 1] == 0) --end;
    SNR_ENSURE(end > 0, Err::RECORD_PADDING);
    --end;
    type = static_cast<ContentType>(head[end]);
  }
  SNR_ENSURE(end <= kMaxPlaintext, Err::RECORD_LIMIT);
  return end;
}

size_t RecordLayer::read_want() const {
  if (in_len_ < kHeaderSize) return kHeaderSize - in_len_;
  if (sslv2_header()) {
    // take_record has refused a length too short for the 5 bytes already read.
    const size_t whole = msg::kSslv2HeaderSize + ((size_t{in_[0] & 0x7fu} << 8) | in_[1]);
    return whole > in_len_ ? whole - in_len_ : 0;
  }
  size_t len = (size_t{in_[3]} << 8) | in_[4];
  return kHeaderSize + len - in_len_;
}

MutByteView RecordLayer::read_space(size_t n) {
  if (in_cap_ < in_len_ + n) {
    // Sized for this record: at first room for a header and a small body (most handshake
    // records, alerts), then, if it is bigger, exactly its body.
    const size_t cap = std::max(in_len_ + n, kSmallInput);
    auto bigger = std::make_unique_for_overwrite<uint8_t[]>(cap);
    if (in_len_ > 0) std::copy_n(in_.get(), in_len_, bigger.get());
    in_ = std::move(bigger);
    in_cap_ = cap;
  }
  return MutByteView(in_.get() + in_len_, n);
}

void RecordLayer::release_input() {
  if (in_len_ == 0) {
    in_.reset();
    in_cap_ = 0;
  }
}

namespace {
bool known_type(uint8_t t) { return t >= 20 && t <= 23; }
}  // namespace

Result<std::optional<Record>> RecordLayer::take_sslv2_record() {
  const size_t len = (size_t{in_[0] & 0x7fu} << 8) | in_[1];
  // The header is followed by at least the CLIENT-HELLO's fixed fields; a hello never needs
  // more than a TLS record may hold.
  if (len < msg::kSslv2FixedSize)
    return make_error(Err::BAD_RECORD_HEADER, "SSLv2 record too short for a CLIENT-HELLO");
  if (len > kMaxPlaintext) return make_error(Err::RECORD_LIMIT, "SSLv2 record too long");
  if (in_len_ < msg::kSslv2HeaderSize + len) return std::optional<Record>();
  in_len_ = 0;
  last_len_ = len;
  sslv2_allowed_ = false;
  MutByteView body(in_.get() + msg::kSslv2HeaderSize, len);
  return std::optional<Record>(Record{ContentType::handshake, body, false, true});
}

Result<std::optional<Record>> RecordLayer::take_record(MutByteView direct) {
  if (in_len_ < kHeaderSize) return std::optional<Record>();
  if (sslv2_header()) return take_sslv2_record();
  wire::Reader r(ByteView(in_.get(), kHeaderSize));
  uint8_t type = 0;
  uint16_t version = 0, len = 0;
  (void)(r.u8(type) && r.u16(version) && r.u16(len));
  SNR_ENSURE(known_type(type), Err::RECORD_TYPE);
  SNR_ENSURE((version >> 8) == 3, Err::BAD_RECORD_HEADER);
  const auto ctype = static_cast<ContentType>(type);
  Protection* const in_prot = read_.get();
  // TLS 1.3 never protects change_cipher_spec and wraps everything else as application_data;
  // TLS 1.2 protects every record once the read key is set.
  const bool protect =
      in_prot != nullptr && !(in_prot->inner_type() && ctype == ContentType::change_cipher_spec);
  if (protect) {
    if (in_prot->inner_type()) SNR_ENSURE(ctype == ContentType::application_data, Err::RECORD_TYPE);
    SNR_ENSURE(len <= in_prot->max_ciphertext(), Err::RECORD_LIMIT);
  } else {
    SNR_ENSURE(len <= in_limit(), Err::RECORD_LIMIT);
  }
  if (in_len_ < kHeaderSize + len) return std::optional<Record>();

  in_len_ = 0;
  sslv2_allowed_ = false;
  last_len_ = len;
  MutByteView body(in_.get() + kHeaderSize, len);
  if (!protect) return std::optional<Record>(Record{ctype, body, false});
  ContentType inner = ctype;
  const ByteView header(in_.get(), kHeaderSize);
  const size_t direct_size = direct.empty() ? 0 : in_prot->open_to_size(header, len);
  const bool to_direct = direct_size != 0 && direct_size <= direct.size();
  MutByteView plain;
  if (to_direct) {
    SNR_TRY_ASSIGN(size_t n, in_prot->open_to(header, body, inner, direct.first(direct_size)));
    plain = direct.first(n);
  } else {
    size_t offset = 0;
    SNR_TRY_ASSIGN(size_t n, in_prot->open(header, body, inner, offset));
    plain = body.subspan(offset, n);
  }
  SNR_ENSURE(known_type(static_cast<uint8_t>(inner)), Err::RECORD_TYPE);
  SNR_ENSURE(plain.size() <= in_limit(), Err::RECORD_LIMIT);
  if (to_direct && inner != ContentType::application_data) {
    // TLS 1.3 shows the type only once decrypted: anything but application data is handled
    // from the input buffer, as if it had been opened there.
    std::copy(plain.begin(), plain.end(), body.begin());
    secure_wipe(direct.data(), direct_size);
    return std::optional<Record>(Record{inner, body.first(plain.size()), true});
  }
  return std::optional<Record>(Record{inner, plain, true, false, to_direct});
}

Status RecordLayer::write(ContentType type, ByteView data) {
  if (out_off_ == out_.size()) {
    out_.clear();
    out_off_ = 0;
  }
  Protection* const out_prot = write_.get();
  const auto record_size = [&](size_t frag) {
    return out_prot ? out_prot->sealed_size(type, frag) : kHeaderSize + frag;
  };
  // One allocation for everything this call appends.
  size_t total = 0;
  for (ByteView rest = data;;) {
    const size_t frag = std::min(rest.size(), max_fragment());
    total += record_size(frag);
    rest = rest.subspan(frag);
    if (rest.empty()) break;
  }
  // Records of a handshake flight arrive in several writes before they are sent: room for a
  // small flight at once, and doubling past it, saves reallocating for each.
  const size_t needed = out_.size() + total;
  if (needed > out_.capacity()) out_.reserve(std::max({needed, 2 * out_.capacity(), kSmallOutput}));
  do {
    ByteView frag = data.first(std::min(data.size(), max_fragment()));
    data = data.subspan(frag.size());
    if (out_prot) {
      SNR_TRY(out_prot->seal(type, frag, out_));
    } else {
      const size_t at = out_.size();
      out_.resize(at + record_size(frag.size()));
      const MutByteView rec = MutByteView(out_).subspan(at);
      put_header(rec, type, record_version_, frag.size());
      std::copy(frag.begin(), frag.end(), rec.begin() + kHeaderSize);
    }
  } while (!data.empty());
  return {};
}

void RecordLayer::release_output() {
  if (!output_empty()) return;
  OutputBytes().swap(out_);
  out_off_ = 0;
}

void RecordLayer::consume_output(size_t n) {
  out_off_ += n;
  if (out_off_ >= out_.size()) {
    out_.clear();
    out_off_ = 0;
    // Large bursts (bulk sends) should not pin their buffer on an idle connection.
    if (out_.capacity() > 4 * (kMaxCiphertext13 + kHeaderSize)) OutputBytes().swap(out_);
  }
}

}  // namespace snr::record
