// Session ticket keys (SPEC 6.10) and the sealing of ticket contents.
//
// A key has a name (1-16 bytes, zero-padded to 16 on the wire), key material (>= 16 bytes) and
// an intro time. By the wall clock it is usable to encrypt and decrypt during
// [intro, intro + encrypt_decrypt_lifetime), then decrypt-only for decrypt_lifetime more, then
// expired (expired keys are purged whenever a key is added). At most 48 keys.
//
// Ticket layout (all of it opaque to the client):
//   key_name[16] || info[32] (random per ticket) || nonce[12] || ciphertext || tag[16]
// The AES-256-GCM key and a 12-byte implicit AAD are derived per ticket with HKDF-SHA256
// (salt = info, ikm = key material; labels "snr ticket key" / "snr ticket aad"); the AEAD's
// additional data is key_name || info || implicit AAD, so every byte of the ticket is
// authenticated.
//
// The store is shared by every connection of a Config (and may gain keys after the Config is
// built, as s2n allows), so it is internally synchronized.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "crypto/provider.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::resume {

inline constexpr size_t kMaxTicketKeys = 48;
inline constexpr size_t kTicketKeyNameSize = 16;
inline constexpr uint64_t kNsPerSecond = 1'000'000'000ull;
inline constexpr uint64_t kDefaultEncryptDecryptLifetime = 2 * 3600 * kNsPerSecond;
inline constexpr uint64_t kDefaultDecryptLifetime = 13 * 3600 * kNsPerSecond;
// Bytes a ticket adds to its sealed plaintext.
inline constexpr size_t kTicketOverhead = kTicketKeyNameSize + 32 + 12 + 16;

struct SealedTicket {
  Bytes ticket;
  // How long (ns from `now`) the key that sealed it will still decrypt: a ticket's lifetime
  // must not exceed it.
  uint64_t key_remaining = 0;
};

class TicketKeyStore {
 public:
  // Lifetimes in ns. Changing them applies to every key, present and future.
  void set_encrypt_decrypt_lifetime(uint64_t ns);
  void set_decrypt_lifetime(uint64_t ns);

  // intro_ns == 0 means `now_ns`. Errors: INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH,
  // INVALID_TICKET_KEY_LENGTH, TICKET_KEY_NOT_UNIQUE (same name, or same material),
  // TICKET_KEY_LIMIT (48 live keys after purging expired ones), INVALID_TICKET_KEY_TIME (the
  // key would already be expired at now_ns).
  Status add_key(ByteView name, ByteView material, uint64_t intro_ns, uint64_t now_ns);

  // Keys that are not yet expired at now_ns (for tests and for "tickets enabled?").
  size_t live_keys(uint64_t now_ns) const;

  // Seals `plaintext` under one of the keys usable for encryption at now_ns. With several
  // such keys the choice is random, weighted by a triangle over each key's encrypt window
  // that peaks at its middle (so traffic moves gradually from an old key to a new one).
  // NO_TICKET_ENCRYPT_DECRYPT_KEY when no key can encrypt (the server then sends no ticket).
  Result<SealedTicket> seal(ByteView plaintext, uint64_t now_ns, crypto::Provider& provider);

  // Opens a ticket. TICKET_KEY_NOT_FOUND when its key is unknown or expired at now_ns,
  // INVALID_SESSION_TICKET when it is malformed or fails authentication.
  Result<SecureBytes> open(ByteView ticket, uint64_t now_ns) const;

 private:
  struct Key {
    std::array<uint8_t, kTicketKeyNameSize> name{};
    SecureBytes material;
    uint64_t intro = 0;
  };
  void purge_locked(uint64_t now_ns);

  mutable std::mutex mu_;
  std::vector<Key> keys_;
  uint64_t encrypt_decrypt_lifetime_ = kDefaultEncryptDecryptLifetime;
  uint64_t decrypt_lifetime_ = kDefaultDecryptLifetime;
};

}  // namespace snr::resume
