#include "resume/ticket_keys.hpp"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr::resume {
namespace {

constexpr size_t kInfoSize = 32;
constexpr size_t kImplicitAadSize = 12;
constexpr size_t kTicketAeadKeySize = 32;
constexpr std::string_view kKeyLabel = "snr ticket key";
constexpr std::string_view kAadLabel = "snr ticket aad";
static_assert(kTicketOverhead ==
              kTicketKeyNameSize + kInfoSize + crypto::kAeadNonceSize + crypto::kAeadTagSize);

uint64_t add_sat(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

// The per-ticket AEAD and the AAD that binds the cleartext head of the ticket.
struct TicketCipher {
  crypto::Aead aead;
  Bytes aad;
};

Result<TicketCipher> derive(ByteView material, ByteView name, ByteView info) {
  SNR_TRY_ASSIGN(crypto::Digest prk, crypto::hkdf_extract(crypto::HashAlg::SHA256, info, material));
  // One HMAC key set-up for both expansions.
  SNR_TRY_ASSIGN(crypto::Hmac mac, crypto::Hmac::create(crypto::HashAlg::SHA256, prk.view()));
  const ByteView key_info[] = {as_bytes(kKeyLabel)};
  const ByteView aad_info[] = {as_bytes(kAadLabel)};
  SecureBytes key(kTicketAeadKeySize);
  SNR_TRY(crypto::hkdf_expand(mac, key_info, key.mut_view()));
  Bytes aad;
  aad.reserve(name.size() + info.size() + kImplicitAadSize);
  aad.insert(aad.end(), name.begin(), name.end());
  aad.insert(aad.end(), info.begin(), info.end());
  aad.resize(aad.size() + kImplicitAadSize);
  SNR_TRY(crypto::hkdf_expand(mac, aad_info, MutByteView(aad).last(kImplicitAadSize)));
  SNR_TRY_ASSIGN(crypto::Aead aead, crypto::Aead::create(crypto::AeadAlg::AES_256_GCM, key));
  return TicketCipher{std::move(aead), std::move(aad)};
}

// A uniform double in [0, 1) from the provider.
Result<double> random_unit(crypto::Provider& provider) {
  uint8_t buf[8] = {};
  SNR_TRY(provider.random(MutByteView(buf, sizeof(buf))));
  uint64_t v = 0;
  for (uint8_t b : buf) v = (v << 8) | b;
  return static_cast<double>(v >> 11) * 0x1.0p-53;
}

}  // namespace

void TicketKeyStore::set_encrypt_decrypt_lifetime(uint64_t ns) {
  std::lock_guard<std::mutex> lock(mu_);
  encrypt_decrypt_lifetime_ = ns;
}

void TicketKeyStore::set_decrypt_lifetime(uint64_t ns) {
  std::lock_guard<std::mutex> lock(mu_);
  decrypt_lifetime_ = ns;
}

void TicketKeyStore::purge_locked(uint64_t now_ns) {
  const uint64_t total = add_sat(encrypt_decrypt_lifetime_, decrypt_lifetime_);
  std::erase_if(keys_, [&](const Key& k) { return add_sat(k.intro, total) <= now_ns; });
}

Status TicketKeyStore::add_key(ByteView name, ByteView material, uint64_t intro_ns,
                               uint64_t now_ns) {
  if (name.empty() || name.size() > kTicketKeyNameSize)
    return make_error(Err::INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH);
  if (material.size() < 16) return make_error(Err::INVALID_TICKET_KEY_LENGTH);
  Key key;
  std::copy(name.begin(), name.end(), key.name.begin());
  key.material.assign(material);
  key.intro = intro_ns == 0 ? now_ns : intro_ns;

  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t total = add_sat(encrypt_decrypt_lifetime_, decrypt_lifetime_);
  if (add_sat(key.intro, total) <= now_ns)
    return make_error(Err::INVALID_TICKET_KEY_TIME, "the key's decrypt window has already ended");
  purge_locked(now_ns);
  for (const Key& k : keys_) {
    // Names are compared as they go on the wire (zero-padded): "a" and "a\0" are one name.
    if (k.name == key.name) return make_error(Err::TICKET_KEY_NOT_UNIQUE, "duplicate name");
    if (ct_equal(k.material, key.material))
      return make_error(Err::TICKET_KEY_NOT_UNIQUE, "duplicate key material");
  }
  if (keys_.size() >= kMaxTicketKeys) return make_error(Err::TICKET_KEY_LIMIT);
  keys_.push_back(std::move(key));
  return {};
}

size_t TicketKeyStore::live_keys(uint64_t now_ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t total = add_sat(encrypt_decrypt_lifetime_, decrypt_lifetime_);
  return static_cast<size_t>(std::count_if(
      keys_.begin(), keys_.end(), [&](const Key& k) { return add_sat(k.intro, total) > now_ns; }));
}

Result<SealedTicket> TicketKeyStore::seal(ByteView plaintext, uint64_t now_ns,
                                          crypto::Provider& provider) {
  std::array<uint8_t, kTicketKeyNameSize> name{};
  SecureBytes material;
  uint64_t decrypt_end = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const uint64_t ed = encrypt_decrypt_lifetime_;
    // Each key's weight rises linearly from its intro to the middle of its encrypt window and
    // falls back to zero at the end, so a new key takes over traffic gradually while the old
    // one fades out. The floor keeps a key at the very edge choosable when it is alone.
    std::vector<std::pair<const Key*, double>> candidates;
    double total_weight = 0;
    for (const Key& k : keys_) {
      if (k.intro > now_ns || now_ns >= add_sat(k.intro, ed)) continue;
      const uint64_t into = now_ns - k.intro;
      const uint64_t to_end = ed - into;
      const double weight = static_cast<double>(std::min(into, to_end)) + 1.0;
      candidates.emplace_back(&k, weight);
      total_weight += weight;
    }
    if (candidates.empty()) return make_error(Err::NO_TICKET_ENCRYPT_DECRYPT_KEY);
    const Key* chosen = candidates.front().first;
    if (candidates.size() > 1) {
      SNR_TRY_ASSIGN(double u, random_unit(provider));
      double point = u * total_weight;
      chosen = candidates.back().first;  // should rounding leave `point` past the last weight
      for (const auto& [k, weight] : candidates) {
        if (point < weight) {
          chosen = k;
          break;
        }
        point -= weight;
      }
    }
    name = chosen->name;
    material = chosen->material;
    decrypt_end = add_sat(chosen->intro, add_sat(ed, decrypt_lifetime_));
  }

  uint8_t info[kInfoSize];
  uint8_t nonce[crypto::kAeadNonceSize];
  SNR_TRY(provider.random(MutByteView(info, sizeof(info))));
  SNR_TRY(provider.random(MutByteView(nonce, sizeof(nonce))));
  SNR_TRY_ASSIGN(TicketCipher cipher, derive(material, name, info));

  SealedTicket out;
  out.ticket.reserve(plaintext.size() + kTicketOverhead);
  wire::Writer w(out.ticket);
  w.bytes(name);
  w.bytes(info);
  w.bytes(nonce);
  const size_t body_at = out.ticket.size();
  w.bytes(plaintext);
  w.zeros(crypto::kAeadTagSize);
  MutByteView all(out.ticket);
  SNR_TRY(cipher.aead.seal(nonce, cipher.aad, all.subspan(body_at, plaintext.size()),
                           all.last(crypto::kAeadTagSize)));
  out.key_remaining = decrypt_end - now_ns;
  return out;
}

Result<SecureBytes> TicketKeyStore::open(ByteView ticket, uint64_t now_ns) const {
  wire::Reader r(ticket);
  ByteView name;
  ByteView info;
  ByteView nonce;
  ByteView body;
  ByteView tag;
  if (ticket.size() < kTicketOverhead || !r.bytes(kTicketKeyNameSize, name) ||
      !r.bytes(kInfoSize, info) || !r.bytes(crypto::kAeadNonceSize, nonce) ||
      !r.bytes(r.remaining() - crypto::kAeadTagSize, body) || !r.bytes(crypto::kAeadTagSize, tag)) {
    return make_error(Err::INVALID_SESSION_TICKET, "ticket too short");
  }

  SecureBytes material;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const uint64_t total = add_sat(encrypt_decrypt_lifetime_, decrypt_lifetime_);
    auto it = std::find_if(keys_.begin(), keys_.end(), [&](const Key& k) {
      return std::equal(name.begin(), name.end(), k.name.begin());
    });
    if (it == keys_.end() || it->intro > now_ns || add_sat(it->intro, total) <= now_ns)
      return make_error(Err::TICKET_KEY_NOT_FOUND);
    material = it->material;
  }

  SNR_TRY_ASSIGN(TicketCipher cipher, derive(material, name, info));
  SecureBytes plaintext(body);
  if (!cipher.aead.open(nonce, cipher.aad, plaintext.mut_view(), tag).ok())
    return make_error(Err::INVALID_SESSION_TICKET, "authentication failed");
  return plaintext;
}

}  // namespace snr::resume
