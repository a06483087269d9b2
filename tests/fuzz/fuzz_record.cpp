// The record layer's read side (record::RecordLayer::take_record and the protections' open),
// with no keys, TLS 1.3 AEAD keys, and TLS 1.0-1.2 CBC and GCM keys, all fixed.
//
// Input: mode (kModes below), feed step (bytes handed to the layer at a time, 0 = as many as
// it asks for), then operations, each `kind type len_hi len_lo data[len]`:
//   kind 0  raw bytes, straight into the layer (framing is then no longer tracked)
//   kind 1  a record sealed by a writer with the same keys (RecordLayer::write)
//   kind 2  TLS 1.3: arbitrary TLSInnerPlaintext (type byte and padding chosen by the input);
//           TLS 1.2 CBC: arbitrary decrypted content (MAC and padding chosen by the input);
//           no keys / GCM: arbitrary content type and length
//   kind 3  CBC: content with a correct MAC, then data[0] padding bytes, one of them
//           corrupted when data[1] & 0x80 (the rest of data is the content)
// While framing is tracked, every record's outcome is predicted and checked: a record that
// should open must give back exactly what was sealed, one that should not must be rejected.
#include <deque>
#include <memory>

#include "crypto/aead.hpp"
#include "crypto/cbc.hpp"
#include "crypto/hash.hpp"
#include "fuzz_common.hpp"
#include "keys/prf12.hpp"
#include "policy/registry.hpp"
#include "record/protection12.hpp"
#include "record/record_layer.hpp"

namespace snr::fuzz {
namespace {

using msg::ContentType;
using record::kHeaderSize;
using record::kMaxPlaintext;

enum class Kind : uint8_t { Plain, Tls13, Cbc, Gcm12 };

struct ModeInfo {
  Kind kind;
  uint16_t suite;
  Version version;
};

constexpr ModeInfo kModes[] = {
    {Kind::Plain, 0, Version::TLS12},
    {Kind::Tls13, 0x1301, Version::TLS13},  // TLS_AES_128_GCM_SHA256
    {Kind::Tls13, 0x1303, Version::TLS13},  // TLS_CHACHA20_POLY1305_SHA256
    {Kind::Cbc, 0xC013, Version::TLS12},    // ECDHE-RSA-AES128-SHA
    {Kind::Cbc, 0xC028, Version::TLS12},    // ECDHE-RSA-AES256-SHA384
    {Kind::Cbc, 0xC013, Version::TLS10},    // chained IVs
    {Kind::Gcm12, 0xC02F, Version::TLS12},  // ECDHE-RSA-AES128-GCM-SHA256
};

bool known_type(uint8_t t) { return t >= 20 && t <= 23; }

// One record: header, then `body` as it is.
Bytes make_record(uint8_t type, uint16_t version, ByteView body) {
  Bytes out;
  out.reserve(kHeaderSize + body.size());
  for (uint8_t b : {type, static_cast<uint8_t>(version >> 8), static_cast<uint8_t>(version),
                    static_cast<uint8_t>(body.size() >> 8), static_cast<uint8_t>(body.size())})
    out.push_back(b);
  for (uint8_t b : body) out.push_back(b);
  return out;
}

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + 7 * i);
  return b;
}

uint16_t wire_version(Version v) {
  return v == Version::TLS10   ? msg::version::TLS10
         : v == Version::TLS11 ? msg::version::TLS11
                               : msg::version::TLS12;
}

// What the reader must make of the next records: `records` records of type `type` whose
// contents concatenate to `data`, or (ok false) a rejection.
struct Expect {
  bool ok;
  uint8_t type;
  Bytes data;
  size_t records;
};

class Harness {
 public:
  bool setup(const ModeInfo& mode) {
    mode_ = mode;
    if (mode.kind == Kind::Plain) return true;
    const policy::CipherSuite* suite = policy::find_suite(mode.suite);
    if (suite == nullptr) return false;
    suite_ = suite;
    if (mode.kind == Kind::Tls13) {
      const Bytes secret = pattern(crypto::hash_size(suite->hash), 0x13);
      auto r = record::Protection13::create(suite->aead(), suite->hash, secret);
      auto w = record::Protection13::create(suite->aead(), suite->hash, secret);
      if (!r.ok() || !w.ok()) return false;
      reader_ = r->get();
      writer_ = w->get();
      in_.set_read_protection(std::move(*r));
      out_.set_write_protection(std::move(*w));
      return true;
    }
    keys::DirectionKeys k;
    if (mode.kind == Kind::Cbc) {
      const auto alg = suite->cipher == policy::BulkCipher::AES_256_CBC
                           ? crypto::CbcAlg::AES_256_CBC
                           : crypto::CbcAlg::AES_128_CBC;
      k.mac_key = SecureBytes(pattern(crypto::hash_size(suite->mac), 0x31));
      k.enc_key = SecureBytes(pattern(crypto::cbc_key_size(alg), 0x52));
      if (mode.version == Version::TLS10) k.iv = SecureBytes(pattern(16, 0x77));
      auto cbc = crypto::Cbc::create(alg, k.enc_key.view(), true);
      auto mac = crypto::Hmac::create(suite->mac, k.mac_key.view());
      if (!cbc.ok() || !mac.ok()) return false;
      cbc_ = std::make_unique<crypto::Cbc>(std::move(*cbc));
      mac_ = std::make_unique<crypto::Hmac>(std::move(*mac));
      chained_ = mode.version == Version::TLS10;
      if (chained_) std::copy(k.iv.view().begin(), k.iv.view().end(), chain_iv_.begin());
    } else {
      k.enc_key = SecureBytes(pattern(crypto::aead_key_size(suite->aead()), 0x52));
      k.iv = SecureBytes(pattern(4, 0x77));
    }
    auto r = record::make_protection12(*suite, mode.version, k);
    auto w = record::make_protection12(*suite, mode.version, k);
    if (!r.ok() || !w.ok()) return false;
    reader_ = r->get();
    writer_ = w->get();
    in_.set_read_protection(std::move(*r));
    out_.set_write_protection(std::move(*w));
    out_.set_record_version(wire_version(mode.version));
    return true;
  }

  void set_step(size_t step) { step_ = step; }

  // One operation; false once the reader has failed (the stream is over).
  bool run(uint8_t kind, uint8_t type, ByteView data) {
    const bool aligned = tracked_ && in_.input_empty() && expect_.empty();
    if (!aligned) tracked_ = false;
    Bytes wire;
    switch (kind % 4) {
      case 0:
        wire.assign(data.begin(), data.end());
        tracked_ = false;
        break;
      case 1:
        sealed(static_cast<uint8_t>(20 + type % 4), data, wire);
        break;
      case 2:
        crafted(type, data, wire);
        break;
      case 3:
        if (mode_.kind == Kind::Cbc) {
          cbc_padded(type, data, wire);
        } else {
          sealed(static_cast<uint8_t>(20 + type % 4), data, wire);
        }
        break;
    }
    if (!tracked_) expect_.clear();
    return feed(wire);
  }

 private:
  void sync_writer() {
    if (writer_ != nullptr) writer_->set_sequence(reader_->sequence());
  }

  // Counts the records in freshly produced, well-framed bytes.
  static size_t count_records(ByteView wire) {
    size_t n = 0;
    for (size_t at = 0; at + kHeaderSize <= wire.size(); ++n)
      at += kHeaderSize + ((size_t{wire[at + 3]} << 8) | wire[at + 4]);
    return n;
  }

  void sealed(uint8_t type, ByteView data, Bytes& wire) {
    if (chained_ && !writer_synced_) {
      // The writer's IV chain no longer matches the reader's: seal by hand instead.
      cbc_record(type, data, mac_of(type, data), 0, 0, wire);
      return;
    }
    sync_writer();
    if (!out_.write(static_cast<ContentType>(type), data).ok()) {
      tracked_ = false;
      return;
    }
    const ByteView out = out_.pending_output();
    wire.assign(out.begin(), out.end());
    out_.consume_output(out.size());
    if (chained_ && wire.size() >= 16) std::copy(wire.end() - 16, wire.end(), chain_iv_.begin());
    expect_.push_back(Expect{true, type, Bytes(data.begin(), data.end()), count_records(wire)});
  }

  void crafted(uint8_t type, ByteView data, Bytes& wire) {
    switch (mode_.kind) {
      case Kind::Plain: {
        // One past the plaintext limit is the interesting edge.
        data = data.first(std::min(data.size(), kMaxPlaintext + 1));
        wire = make_record(type, msg::version::TLS12, data);
        const bool ok = known_type(type) && data.size() <= kMaxPlaintext;
        expect_.push_back(Expect{ok, type, Bytes(data.begin(), data.end()), 1});
        return;
      }
      case Kind::Tls13: {
        // Inner plaintext = data || 0: the input chooses content, type byte and padding.
        data = data.first(std::min(data.size(), record::kMaxCiphertext13 - 16));
        sync_writer();
        if (!writer_->seal(static_cast<ContentType>(0), data, wire).ok()) {
          tracked_ = false;
          return;
        }
        size_t end = data.size();
        while (end > 0 && data[end - 1] == 0) --end;
        const size_t len = wire.size() - kHeaderSize;
        bool ok = end > 0 && len <= record::kMaxCiphertext13;
        const uint8_t inner = ok ? data[end - 1] : 0;
        ok = ok && known_type(inner) && end - 1 <= kMaxPlaintext;
        expect_.push_back(
            Expect{ok, inner, Bytes(data.begin(), data.begin() + (ok ? end - 1 : 0)), 1});
        return;
      }
      case Kind::Cbc: {
        // Decrypted content with whatever MAC and padding the input has: a MAC forgery
        // is out of reach, so the record must be rejected.
        Bytes plain(data.begin(), data.end());
        cbc_encrypt(static_cast<uint8_t>(20 + type % 4), std::move(plain), wire);
        expect_.push_back(Expect{false, 0, {}, 1});
        return;
      }
      case Kind::Gcm12: {
        data = data.first(std::min(data.size(), kMaxPlaintext));
        sync_writer();
        if (!writer_->seal(static_cast<ContentType>(type), data, wire).ok()) {
          tracked_ = false;
          return;
        }
        expect_.push_back(Expect{known_type(type), type, Bytes(data.begin(), data.end()), 1});
        return;
      }
    }
  }

  Bytes mac_of(uint8_t type, ByteView content) {
    const uint64_t seq = reader_->sequence();
    uint8_t ad[13];
    for (size_t i = 0; i < 8; ++i) ad[i] = static_cast<uint8_t>(seq >> (8 * (7 - i)));
    const uint16_t version = wire_version(mode_.version);
    ad[8] = type;
    ad[9] = static_cast<uint8_t>(version >> 8);
    ad[10] = static_cast<uint8_t>(version);
    ad[11] = static_cast<uint8_t>(content.size() >> 8);
    ad[12] = static_cast<uint8_t>(content.size());
    if (!mac_->update(ad).ok() || !mac_->update(content).ok()) return {};
    auto d = mac_->finish();
    if (!d.ok()) return {};
    return Bytes(d->view().begin(), d->view().end());
  }

  void cbc_padded(uint8_t type, ByteView data, Bytes& wire) {
    type = static_cast<uint8_t>(20 + type % 4);
    const uint8_t pad = data.empty() ? 0 : data[0];
    const uint8_t corrupt = data.size() < 2 ? 0 : data[1];
    const ByteView content = data.subspan(std::min<size_t>(2, data.size()));
    cbc_record(type, content, mac_of(type, content), pad, corrupt, wire);
  }

  // content || mac || padding (pad + 1 bytes of value pad, one flipped when corrupt & 0x80),
  // zero-filled to whole blocks if it is not already, then encrypted.
  void cbc_record(uint8_t type, ByteView content, const Bytes& mac, uint8_t pad, uint8_t corrupt,
                  Bytes& wire) {
    if (mode_.kind != Kind::Cbc) return;
    if (pad == 0 && corrupt == 0) {
      // Minimal padding, as a real sender would use.
      const size_t used = (content.size() + mac.size()) % 16;
      pad = static_cast<uint8_t>(15 - used);
    }
    Bytes plain(content.begin(), content.end());
    plain.insert(plain.end(), mac.begin(), mac.end());
    plain.insert(plain.end(), size_t{pad} + 1, pad);
    bool ok = plain.size() % 16 == 0 && content.size() <= kMaxPlaintext && !mac.empty();
    if ((corrupt & 0x80) != 0 && pad > 0) {
      plain[plain.size() - 2 - corrupt % pad] ^= static_cast<uint8_t>((corrupt & 0x7f) | 1);
      ok = false;
    }
    const size_t iv = chained_ ? 0 : 16;
    if (plain.size() + iv > record::kMaxCiphertext12) ok = false;
    cbc_encrypt(type, std::move(plain), wire);
    expect_.push_back(Expect{ok, type, ok ? Bytes(content.begin(), content.end()) : Bytes(), 1});
  }

  void cbc_encrypt(uint8_t type, Bytes plain, Bytes& wire) {
    plain.resize(std::max<size_t>(16, (plain.size() + 15) / 16 * 16), 0);
    const size_t limit = record::kMaxCiphertext12 / 16 * 16;
    if (plain.size() > limit) plain.resize(limit);
    std::array<uint8_t, 16> iv = chain_iv_;
    if (!chained_) iv = {0x49, 0x56};
    if (!cbc_->encrypt(iv, plain).ok()) {
      tracked_ = false;
      return;
    }
    const size_t iv_size = chained_ ? 0 : iv.size();
    Bytes body(iv_size + plain.size());
    std::copy_n(iv.begin(), iv_size, body.begin());
    std::copy(plain.begin(), plain.end(), body.begin() + static_cast<std::ptrdiff_t>(iv_size));
    if (chained_) {
      std::copy(plain.end() - 16, plain.end(), chain_iv_.begin());
      writer_synced_ = false;
    }
    wire = make_record(type, wire_version(mode_.version), body);
  }

  bool feed(ByteView wire) {
    size_t at = 0;
    for (;;) {
      if (!take_all()) return false;
      if (at == wire.size()) break;
      size_t n = std::min(in_.read_want(), wire.size() - at);
      if (step_ != 0) n = std::min(n, step_);
      MutByteView space = in_.read_space(n);
      check(space.size() == n);
      std::copy_n(wire.begin() + static_cast<std::ptrdiff_t>(at), n, space.begin());
      in_.commit_read(n);
      at += n;
    }
    // Every tracked record was fed whole, so the reader must have produced it.
    if (tracked_) check(expect_.empty() && in_.input_empty());
    return true;
  }

  // Takes every complete record; false on a rejected one.
  bool take_all() {
    for (;;) {
      auto r = in_.take_record();
      if (!r.ok()) {
        if (tracked_) check(!expect_.empty() && !expect_.front().ok);
        return false;
      }
      if (!r->has_value()) {
        in_.release_input();
        return true;
      }
      const record::Record& rec = **r;
      check(rec.data.size() <= kMaxPlaintext && known_type(static_cast<uint8_t>(rec.type)));
      if (!tracked_) continue;
      check(!expect_.empty());
      Expect& e = expect_.front();
      check(e.ok && e.records > 0 && static_cast<uint8_t>(rec.type) == e.type);
      check(rec.data.size() <= e.data.size() &&
            std::equal(rec.data.begin(), rec.data.end(), e.data.begin()));
      e.data.erase(e.data.begin(), e.data.begin() + static_cast<std::ptrdiff_t>(rec.data.size()));
      if (--e.records == 0) {
        check(e.data.empty());
        expect_.pop_front();
      }
    }
  }

  ModeInfo mode_{};
  const policy::CipherSuite* suite_ = nullptr;
  record::RecordLayer in_, out_;
  record::Protection* reader_ = nullptr;
  record::Protection* writer_ = nullptr;
  std::unique_ptr<crypto::Cbc> cbc_;
  std::unique_ptr<crypto::Hmac> mac_;
  bool chained_ = false;
  bool writer_synced_ = true;
  std::array<uint8_t, 16> chain_iv_{};
  size_t step_ = 0;
  bool tracked_ = true;
  std::deque<Expect> expect_;
};

}  // namespace
}  // namespace snr::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace snr::fuzz;
  Input in(data, size);
  const uint8_t mode = in.u8();
  if (mode >= std::size(kModes)) return 0;
  Harness h;
  if (!h.setup(kModes[mode])) fail_invariant();
  h.set_step(in.u8());
  while (!in.empty()) {
    const uint8_t kind = in.u8();
    const uint8_t type = in.u8();
    const uint16_t len = in.u16();
    if (!h.run(kind, type, in.bytes(len))) break;
  }
  return 0;
}
