// Session ticket keys (src/resume/ticket_keys): sealing and opening, the key lifecycle on a
// fake clock, the limits of add_key, and the weighted choice among encrypt keys.
#include "resume/ticket_keys.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>

#include "util/error_code.hpp"

namespace snr::resume {
namespace {

constexpr uint64_t kHour = 3600 * kNsPerSecond;
// A fixed wall clock: 2025-01-01.
constexpr uint64_t kT0 = 1735689600ull * kNsPerSecond;

// Randoms from a seeded generator: deterministic, yet spread evenly.
class SeededProvider final : public crypto::Provider {
 public:
  explicit SeededProvider(uint64_t seed) : rng_(seed) {}
  Status random(MutByteView out) override {
    for (uint8_t& b : out) b = static_cast<uint8_t>(rng_() >> 56);
    return {};
  }

 private:
  std::mt19937_64 rng_;
};

Bytes material(uint8_t seed, size_t n = 32) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed * 31 + i);
  return b;
}

ByteView name_of(std::string_view s) { return as_bytes(s); }

// The 16-byte wire name of `s`.
Bytes padded(std::string_view s) {
  Bytes b(kTicketKeyNameSize, 0);
  std::copy(s.begin(), s.end(), b.begin());
  return b;
}

Bytes name_in(const Bytes& ticket) {
  return Bytes(ticket.begin(), ticket.begin() + kTicketKeyNameSize);
}

Bytes to_bytes(const SecureBytes& s) { return Bytes(s.view().begin(), s.view().end()); }

void expect_err(const Error& e, Err want) { EXPECT_EQ(err_of(e), want) << e.message(); }

TEST(TicketKeyTest, SealOpenRoundTrip) {
  TicketKeyStore store;
  ASSERT_TRUE(store.add_key(name_of("key-one"), material(1), 0, kT0).ok());
  SeededProvider rng(1);
  const Bytes plaintext = material(9, 100);
  auto sealed = store.seal(plaintext, kT0 + kHour, rng);
  ASSERT_TRUE(sealed.ok()) << sealed.error().message();
  ASSERT_EQ(sealed->ticket.size(), plaintext.size() + kTicketOverhead);
  EXPECT_EQ(name_in(sealed->ticket), padded("key-one"));
  // The plaintext does not appear in the clear.
  EXPECT_EQ(std::search(sealed->ticket.begin(), sealed->ticket.end(), plaintext.begin(),
                        plaintext.begin() + 16),
            sealed->ticket.end());
  auto opened = store.open(sealed->ticket, kT0 + kHour);
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  EXPECT_EQ(to_bytes(*opened), plaintext);

  // An empty plaintext works too, and two seals of the same plaintext differ.
  auto empty = store.seal({}, kT0, rng);
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->ticket.size(), kTicketOverhead);
  auto opened_empty = store.open(empty->ticket, kT0);
  ASSERT_TRUE(opened_empty.ok());
  EXPECT_TRUE(opened_empty->empty());
  auto again = store.seal(plaintext, kT0 + kHour, rng);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->ticket, sealed->ticket);
}

TEST(TicketKeyTest, AnotherStoreWithTheSameKeyOpens) {
  TicketKeyStore a;
  TicketKeyStore b;
  ASSERT_TRUE(a.add_key(name_of("shared"), material(4), kT0, kT0).ok());
  ASSERT_TRUE(b.add_key(name_of("shared"), material(4), kT0, kT0).ok());
  SeededProvider rng(2);
  auto sealed = a.seal(material(5, 40), kT0, rng);
  ASSERT_TRUE(sealed.ok());
  auto opened = b.open(sealed->ticket, kT0);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(to_bytes(*opened), material(5, 40));

  // Same name, different material: authentication fails.
  TicketKeyStore c;
  ASSERT_TRUE(c.add_key(name_of("shared"), material(6), kT0, kT0).ok());
  auto bad = c.open(sealed->ticket, kT0);
  ASSERT_FALSE(bad.ok());
  expect_err(bad.error(), Err::INVALID_SESSION_TICKET);
}

TEST(TicketKeyTest, EveryBitFlipFails) {
  TicketKeyStore store;
  ASSERT_TRUE(store.add_key(name_of("k"), material(2), 0, kT0).ok());
  SeededProvider rng(3);
  auto sealed = store.seal(material(7, 24), kT0, rng);
  ASSERT_TRUE(sealed.ok());
  const Bytes& ticket = sealed->ticket;
  for (size_t i = 0; i < ticket.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes t = ticket;
      t[i] ^= static_cast<uint8_t>(1u << bit);
      auto r = store.open(t, kT0);
      ASSERT_FALSE(r.ok()) << "byte " << i << " bit " << bit;
      // A changed name names no key; anything else fails authentication.
      expect_err(r.error(),
                 i < kTicketKeyNameSize ? Err::TICKET_KEY_NOT_FOUND : Err::INVALID_SESSION_TICKET);
    }
  }
  EXPECT_TRUE(store.open(ticket, kT0).ok());
}

TEST(TicketKeyTest, TruncatedAndExtendedTicketsFail) {
  TicketKeyStore store;
  ASSERT_TRUE(store.add_key(name_of("k"), material(2), 0, kT0).ok());
  SeededProvider rng(4);
  auto sealed = store.seal(material(8, 30), kT0, rng);
  ASSERT_TRUE(sealed.ok());
  const Bytes& ticket = sealed->ticket;
  for (size_t n = 0; n < ticket.size(); ++n) {
    auto r = store.open(ByteView(ticket).first(n), kT0);
    ASSERT_FALSE(r.ok()) << n;
    expect_err(r.error(), Err::INVALID_SESSION_TICKET);
  }
  Bytes longer = ticket;
  longer.push_back(0);
  auto r = store.open(longer, kT0);
  ASSERT_FALSE(r.ok());
  expect_err(r.error(), Err::INVALID_SESSION_TICKET);
}

TEST(TicketKeyTest, UnknownKeyName) {
  TicketKeyStore store;
  ASSERT_TRUE(store.add_key(name_of("present"), material(1), 0, kT0).ok());
  Bytes ticket = padded("absent");
  ticket.resize(kTicketOverhead + 10, 0x42);
  auto r = store.open(ticket, kT0);
  ASSERT_FALSE(r.ok());
  expect_err(r.error(), Err::TICKET_KEY_NOT_FOUND);

  TicketKeyStore empty;
  SeededProvider rng(5);
  auto s = empty.seal(material(1), kT0, rng);
  ASSERT_FALSE(s.ok());
  expect_err(s.error(), Err::NO_TICKET_ENCRYPT_DECRYPT_KEY);
  auto o = empty.open(ticket, kT0);
  ASSERT_FALSE(o.ok());
  expect_err(o.error(), Err::TICKET_KEY_NOT_FOUND);
}

TEST(TicketKeyTest, Lifecycle) {
  TicketKeyStore store;
  ASSERT_TRUE(store.add_key(name_of("life"), material(3), kT0, kT0).ok());
  SeededProvider rng(6);
  EXPECT_EQ(store.live_keys(kT0), 1u);

  // Encrypt + decrypt for the first 2 hours.
  auto early = store.seal(material(1, 20), kT0, rng);
  ASSERT_TRUE(early.ok());
  auto late = store.seal(material(2, 20), kT0 + 2 * kHour - 1, rng);
  ASSERT_TRUE(late.ok());

  // Then decrypt-only: no new tickets, old ones still open.
  auto none = store.seal(material(1, 20), kT0 + 2 * kHour, rng);
  ASSERT_FALSE(none.ok());
  expect_err(none.error(), Err::NO_TICKET_ENCRYPT_DECRYPT_KEY);
  auto o1 = store.open(early->ticket, kT0 + 2 * kHour);
  ASSERT_TRUE(o1.ok());
  EXPECT_EQ(to_bytes(*o1), material(1, 20));
  EXPECT_TRUE(store.open(late->ticket, kT0 + 15 * kHour - 1).ok());
  EXPECT_EQ(store.live_keys(kT0 + 15 * kHour - 1), 1u);

  // After 2 + 13 hours the key is gone.
  auto gone = store.open(early->ticket, kT0 + 15 * kHour);
  ASSERT_FALSE(gone.ok());
  expect_err(gone.error(), Err::TICKET_KEY_NOT_FOUND);
  EXPECT_EQ(store.live_keys(kT0 + 15 * kHour), 0u);

  // A clock going backwards (before the key's intro) does not make it usable either.
  auto before = store.open(early->ticket, kT0 - 1);
  ASSERT_FALSE(before.ok());
  expect_err(before.error(), Err::TICKET_KEY_NOT_FOUND);
}

TEST(TicketKeyTest, AddingAKeyPurgesExpiredOnes) {
  TicketKeyStore store;
  for (size_t i = 0; i < kMaxTicketKeys; ++i) {
    ASSERT_TRUE(
        store.add_key(name_of("k" + std::to_string(i)), material(static_cast<uint8_t>(i)), 0, kT0)
            .ok());
  }
  const uint64_t later = kT0 + 15 * kHour;
  // The expired keys still hold their names until something purges them ...
  EXPECT_EQ(store.live_keys(later), 0u);
  // ... which adding a key does: the limit, the name and the material are free again.
  ASSERT_TRUE(store.add_key(name_of("k0"), material(0), 0, later).ok());
  EXPECT_EQ(store.live_keys(later), 1u);
  for (size_t i = 1; i < kMaxTicketKeys; ++i) {
    ASSERT_TRUE(store
                    .add_key(name_of("n" + std::to_string(i)),
                             material(static_cast<uint8_t>(100 + i)), 0, later)
                    .ok())
        << i;
  }
}

TEST(TicketKeyTest, CustomLifetimes) {
  TicketKeyStore store;
  store.set_encrypt_decrypt_lifetime(10 * kNsPerSecond);
  store.set_decrypt_lifetime(5 * kNsPerSecond);
  ASSERT_TRUE(store.add_key(name_of("short"), material(1), kT0, kT0).ok());
  SeededProvider rng(7);
  auto sealed = store.seal(material(2), kT0 + 4 * kNsPerSecond, rng);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->key_remaining, 11 * kNsPerSecond);
  EXPECT_FALSE(store.seal(material(2), kT0 + 10 * kNsPerSecond, rng).ok());
  EXPECT_TRUE(store.open(sealed->ticket, kT0 + 15 * kNsPerSecond - 1).ok());
  EXPECT_FALSE(store.open(sealed->ticket, kT0 + 15 * kNsPerSecond).ok());
  // Changing a lifetime applies to keys already present.
  store.set_decrypt_lifetime(kHour);
  EXPECT_TRUE(store.open(sealed->ticket, kT0 + 15 * kNsPerSecond).ok());
}

TEST(TicketKeyTest, Limits) {
  TicketKeyStore store;
  auto expect_add_err = [&](ByteView name, ByteView mat, Err want) {
    auto st = store.add_key(name, mat, 0, kT0);
    ASSERT_FALSE(st.ok());
    expect_err(st.error(), want);
  };
  expect_add_err(ByteView(), material(1), Err::INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH);
  expect_add_err(name_of("0123456789abcdefg"), material(1),
                 Err::INVALID_TICKET_KEY_NAME_OR_NAME_LENGTH);
  expect_add_err(name_of("ok"), material(1, 15), Err::INVALID_TICKET_KEY_LENGTH);
  expect_add_err(name_of("ok"), ByteView(), Err::INVALID_TICKET_KEY_LENGTH);
  EXPECT_EQ(store.live_keys(kT0), 0u);

  // 16-byte names and 16-byte material are fine.
  ASSERT_TRUE(store.add_key(name_of("0123456789abcdef"), material(1, 16), 0, kT0).ok());
  expect_add_err(name_of("0123456789abcdef"), material(2), Err::TICKET_KEY_NOT_UNIQUE);
  // Names compare as sent: zero-padded to 16 bytes.
  ASSERT_TRUE(store.add_key(name_of("a"), material(3), 0, kT0).ok());
  const uint8_t a_nul[] = {'a', 0};
  expect_add_err(ByteView(a_nul), material(4), Err::TICKET_KEY_NOT_UNIQUE);
  expect_add_err(name_of("other"), material(1, 16), Err::TICKET_KEY_NOT_UNIQUE);
  expect_add_err(name_of("other"), material(3), Err::TICKET_KEY_NOT_UNIQUE);
  EXPECT_EQ(store.live_keys(kT0), 2u);

  for (size_t i = 2; i < kMaxTicketKeys; ++i) {
    ASSERT_TRUE(store
                    .add_key(name_of("key" + std::to_string(i)),
                             material(static_cast<uint8_t>(i + 10)), 0, kT0)
                    .ok())
        << i;
  }
  EXPECT_EQ(store.live_keys(kT0), kMaxTicketKeys);
  expect_add_err(name_of("one-too-many"), material(200), Err::TICKET_KEY_LIMIT);
  EXPECT_EQ(store.live_keys(kT0), kMaxTicketKeys);
}

TEST(TicketKeyTest, AlreadyExpiredKeyIsRefused) {
  TicketKeyStore store;
  auto st = store.add_key(name_of("old"), material(1), kT0 - 15 * kHour, kT0);
  ASSERT_FALSE(st.ok());
  expect_err(st.error(), Err::INVALID_TICKET_KEY_TIME);
  // One nanosecond of decrypt window left is still acceptable.
  EXPECT_TRUE(store.add_key(name_of("old"), material(1), kT0 - 15 * kHour + 1, kT0).ok());
  EXPECT_EQ(store.live_keys(kT0), 1u);
}

TEST(TicketKeyTest, IntroInTheFuture) {
  TicketKeyStore store;
  ASSERT_TRUE(store.add_key(name_of("future"), material(1), kT0 + kHour, kT0).ok());
  EXPECT_EQ(store.live_keys(kT0), 1u);  // live, but not usable yet
  SeededProvider rng(8);
  auto s = store.seal(material(2), kT0, rng);
  ASSERT_FALSE(s.ok());
  expect_err(s.error(), Err::NO_TICKET_ENCRYPT_DECRYPT_KEY);

  auto sealed = store.seal(material(2), kT0 + kHour, rng);
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->key_remaining, 15 * kHour);
  EXPECT_TRUE(store.open(sealed->ticket, kT0 + kHour).ok());
  auto early = store.open(sealed->ticket, kT0 + kHour - 1);
  ASSERT_FALSE(early.ok());
  expect_err(early.error(), Err::TICKET_KEY_NOT_FOUND);

  // A key in use plus a future one: the current key is the only choice until the other starts.
  ASSERT_TRUE(store.add_key(name_of("now"), material(3), kT0, kT0).ok());
  for (int i = 0; i < 50; ++i) {
    auto t = store.seal(material(2), kT0 + kHour / 2, rng);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(name_in(t->ticket), padded("now"));
  }
}

TEST(TicketKeyTest, KeyRemaining) {
  TicketKeyStore store;
  ASSERT_TRUE(store.add_key(name_of("k"), material(1), kT0, kT0).ok());
  SeededProvider rng(9);
  auto at_start = store.seal(material(2), kT0, rng);
  ASSERT_TRUE(at_start.ok());
  EXPECT_EQ(at_start->key_remaining, 15 * kHour);
  auto later = store.seal(material(2), kT0 + kHour + 5, rng);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->key_remaining, 14 * kHour - 5);
}

// Seals `n` tickets at `now` and counts them per key name.
std::map<Bytes, int> usage(TicketKeyStore& store, uint64_t now, int n, uint64_t seed) {
  SeededProvider rng(seed);
  std::map<Bytes, int> count;
  for (int i = 0; i < n; ++i) {
    auto t = store.seal(material(1, 8), now, rng);
    EXPECT_TRUE(t.ok());
    if (!t.ok()) break;
    ++count[name_in(t->ticket)];
  }
  return count;
}

TEST(TicketKeyTest, WeightedChoiceFavoursTheKeyNearItsMiddle) {
  TicketKeyStore store;
  ASSERT_TRUE(store.add_key(name_of("old"), material(1), kT0, kT0).ok());
  ASSERT_TRUE(store.add_key(name_of("new"), material(2), kT0 + kHour / 2, kT0).ok());
  constexpr int kSeals = 3000;

  // At kT0 + 1h "old" is at its peak (weight 1h), "new" a quarter in (weight 0.5h): 2:1.
  auto c1 = usage(store, kT0 + kHour, kSeals, 10);
  const int old1 = c1[padded("old")];
  const int new1 = c1[padded("new")];
  EXPECT_EQ(old1 + new1, kSeals);
  EXPECT_GT(new1, kSeals / 5);
  EXPECT_GT(old1, new1);
  EXPECT_NEAR(static_cast<double>(old1) / kSeals, 2.0 / 3.0, 0.05);

  // At kT0 + 1.5h "new" is at its peak (1h) and "old" has 0.5h left: the roles swap.
  auto c2 = usage(store, kT0 + 3 * kHour / 2, kSeals, 11);
  EXPECT_GT(c2[padded("new")], c2[padded("old")]);
  EXPECT_GT(c2[padded("old")], kSeals / 5);
  EXPECT_NEAR(static_cast<double>(c2[padded("new")]) / kSeals, 2.0 / 3.0, 0.05);

  // Right at its intro a key weighs next to nothing beside one in full use.
  auto c3 = usage(store, kT0 + kHour / 2, 500, 12);
  EXPECT_EQ(c3[padded("old")], 500);

  // Once "old" stops encrypting, "new" takes everything.
  auto c4 = usage(store, kT0 + 2 * kHour, 200, 13);
  EXPECT_EQ(c4[padded("new")], 200);
}

TEST(TicketKeyTest, WeightedChoiceWithTheSystemProvider) {
  TicketKeyStore store;
  ASSERT_TRUE(store.add_key(name_of("a"), material(1), kT0, kT0).ok());
  ASSERT_TRUE(store.add_key(name_of("b"), material(2), kT0 + kHour / 2, kT0).ok());
  std::map<Bytes, int> count;
  for (int i = 0; i < 2000; ++i) {
    auto t = store.seal(material(1, 8), kT0 + kHour, crypto::Provider::system());
    ASSERT_TRUE(t.ok());
    ++count[name_in(t->ticket)];
  }
  // Expected 1333 : 667; these bounds are many standard deviations wide.
  EXPECT_GT(count[padded("a")], count[padded("b")]);
  EXPECT_GT(count[padded("b")], 400);
}

TEST(TicketKeyTest, KeyAtTheStartOfItsWindowIsUsableAlone) {
  TicketKeyStore store;
  ASSERT_TRUE(store.add_key(name_of("fresh"), material(1), kT0, kT0).ok());
  SeededProvider rng(14);
  auto t = store.seal(material(2), kT0, rng);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(name_in(t->ticket), padded("fresh"));
}

}  // namespace
}  // namespace snr::resume
