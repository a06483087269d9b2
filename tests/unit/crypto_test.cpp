// Tests of the crypto boundary (src/crypto): known answers from the RFCs, round trips, and
// rejection of malformed input. Keys and certificates come from the openssl command-line
// tool (tests must not include OpenSSL headers), which also cross-checks some results.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto/aead.hpp"
#include "crypto/chain_cache.hpp"
#include "crypto/hash.hpp"
#include "crypto/key_share.hpp"
#include "crypto/pkey.hpp"
#include "crypto/provider.hpp"
#include "crypto/random.hpp"
#include "crypto/x509.hpp"
#include "test_bytes.hpp"
#include "util/error_code.hpp"

namespace snr::crypto {
namespace {

// ---- helpers ----

Bytes to_bytes(ByteView b) { return Bytes(b.begin(), b.end()); }

template <class T>
Err err(const Result<T>& r) {
  return r.ok() ? Err::kCount : err_of(r.error());
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const std::string& path, ByteView data) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

bool run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

// ---- hashes, HMAC, HKDF ----

TEST(Hash, Sha256AndSha384OfAbc) {
  auto d256 = hash_once(HashAlg::SHA256, as_bytes("abc"));
  ASSERT_TRUE(d256.ok());
  EXPECT_EQ(to_hex(d256->view()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  auto d384 = hash_once(HashAlg::SHA384, as_bytes("abc"));
  ASSERT_TRUE(d384.ok());
  EXPECT_EQ(to_hex(d384->view()),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
            "8086072ba1e7cc2358baeca134c825a7");

  auto h = Hash::create(HashAlg::SHA384);
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(h->update(as_bytes("a")).ok());
  ASSERT_TRUE(h->update(ByteView()).ok());
  ASSERT_TRUE(h->update(as_bytes("bc")).ok());
  auto inc = h->peek();
  ASSERT_TRUE(inc.ok());
  EXPECT_EQ(to_hex(inc->view()), to_hex(d384->view()));
}

TEST(Hash, Sizes) {
  EXPECT_EQ(hash_size(HashAlg::SHA256), 32u);
  EXPECT_EQ(hash_size(HashAlg::SHA384), 48u);
  EXPECT_EQ(hash_size(HashAlg::SHA512), 64u);
  EXPECT_EQ(hash_size(HashAlg::SHA224), 28u);
  EXPECT_EQ(hash_size(HashAlg::SHA1), 20u);
  EXPECT_EQ(hash_size(HashAlg::MD5), 16u);
  for (HashAlg a :
       {HashAlg::SHA256, HashAlg::SHA384, HashAlg::SHA512, HashAlg::SHA224, HashAlg::SHA1}) {
    auto d = hash_once(a, as_bytes("x"));
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->len, hash_size(a));
  }
}

TEST(Hash, ForkAndPeek) {
  auto h = Hash::create(HashAlg::SHA256);
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(h->update(as_bytes("a")).ok());
  Hash fork = *h;  // copy forks the running state
  ASSERT_TRUE(h->update(as_bytes("bc")).ok());
  ASSERT_TRUE(fork.update(as_bytes("xyz")).ok());

  auto first = h->peek();
  auto again = h->peek();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(to_hex(first->view()), to_hex(again->view()));
  EXPECT_EQ(to_hex(first->view()), to_hex(hash_once(HashAlg::SHA256, as_bytes("abc"))->view()));
  auto forked = fork.peek();
  ASSERT_TRUE(forked.ok());
  EXPECT_EQ(to_hex(forked->view()), to_hex(hash_once(HashAlg::SHA256, as_bytes("axyz"))->view()));

  // Peeking does not end the hash: later updates still count.
  ASSERT_TRUE(h->update(as_bytes("d")).ok());
  EXPECT_EQ(to_hex(h->peek()->view()),
            to_hex(hash_once(HashAlg::SHA256, as_bytes("abcd"))->view()));

  // Copy-assignment and moves keep working states.
  Hash assigned = fork;
  assigned = *h;
  EXPECT_EQ(to_hex(assigned.peek()->view()), to_hex(h->peek()->view()));
  Hash moved = std::move(assigned);
  EXPECT_EQ(to_hex(moved.peek()->view()), to_hex(h->peek()->view()));
  EXPECT_EQ(moved.alg(), HashAlg::SHA256);
}

TEST(Hmac, Rfc4231KnownAnswers) {
  // RFC 4231 test case 1 and 2.
  auto c1 = hmac(HashAlg::SHA256, from_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                 as_bytes("Hi There"));
  ASSERT_TRUE(c1.ok());
  EXPECT_EQ(to_hex(c1->view()), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  auto c2 = hmac(HashAlg::SHA256, as_bytes("Jefe"), as_bytes("what do ya want for nothing?"));
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(to_hex(c2->view()), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  auto c2_384 = hmac(HashAlg::SHA384, as_bytes("Jefe"), as_bytes("what do ya want for nothing?"));
  ASSERT_TRUE(c2_384.ok());
  EXPECT_EQ(to_hex(c2_384->view()),
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
            "8e2240ca5e69e2c78b3239ecfab21649");
  // An empty key is a valid HMAC key.
  auto empty = hmac(HashAlg::SHA256, ByteView(), ByteView());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(to_hex(empty->view()),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  // The per-thread MAC context is re-keyed between calls.
  EXPECT_EQ(to_hex(hmac(HashAlg::SHA256, as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))
                       ->view()),
            to_hex(c2->view()));
}

TEST(Hmac, PerThreadContextsAgree) {
  // HMAC contexts are cached per thread; concurrent users must not disturb each other.
  auto expected = [](int t, int i) {
    const Bytes key(32, static_cast<uint8_t>(t * 31 + i));
    Bytes okm(80);
    EXPECT_TRUE(hkdf_expand(HashAlg::SHA384, key, as_bytes("label"), okm).ok());
    return okm;
  };
  std::vector<std::vector<Bytes>> want(4);
  for (int t = 0; t < 4; ++t) {
    for (int i = 0; i < 50; ++i) want[t].push_back(expected(t, i));
  }
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        for (int i = 0; i < 50; ++i) {
          if (expected(t, i) != want[t][i]) ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

struct HkdfCase {
  const char* ikm;
  const char* salt;
  const char* info;
  const char* prk;
  const char* okm;
};

// RFC 5869 appendix A, test cases 1-3 (SHA-256).
const HkdfCase kHkdfCases[] = {
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c",
     "f0f1f2f3f4f5f6f7f8f9", "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
     "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
    {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
     "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
     "404142434445464748494a4b4c4d4e4f",
     "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
     "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
     "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
     "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
     "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
     "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
     "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
     "cc30c58179ec3e87c14c01d5c1f3434f1d87"},
    {"0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
     "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
     "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
};

TEST(Hkdf, Rfc5869Sha256Cases) {
  for (const HkdfCase& c : kHkdfCases) {
    SCOPED_TRACE(c.prk);
    auto prk = hkdf_extract(HashAlg::SHA256, from_hex(c.salt), from_hex(c.ikm));
    ASSERT_TRUE(prk.ok());
    EXPECT_EQ(to_hex(prk->view()), c.prk);
    const Bytes want = from_hex(c.okm);
    Bytes okm(want.size());
    ASSERT_TRUE(hkdf_expand(HashAlg::SHA256, prk->view(), from_hex(c.info), okm).ok());
    EXPECT_EQ(to_hex(okm), to_hex(want));
    // A shorter output is a prefix of the longer one.
    Bytes part(7);
    ASSERT_TRUE(hkdf_expand(HashAlg::SHA256, prk->view(), from_hex(c.info), part).ok());
    EXPECT_EQ(to_hex(part), to_hex(ByteView(want).first(7)));
  }
}

TEST(Hkdf, LimitsAndSha384) {
  const Bytes prk(48, 0x42);
  Bytes too_long(255 * 48 + 1);
  EXPECT_EQ(err(hkdf_expand(HashAlg::SHA384, prk, ByteView(), too_long)), Err::INVALID_ARGUMENT);
  Bytes max_len(255 * 48);
  EXPECT_TRUE(hkdf_expand(HashAlg::SHA384, prk, ByteView(), max_len).ok());
  Bytes none;
  EXPECT_TRUE(hkdf_expand(HashAlg::SHA384, prk, ByteView(), none).ok());
  // Extract with an empty salt = HMAC with HashLen zero bytes.
  auto a = hkdf_extract(HashAlg::SHA384, ByteView(), as_bytes("ikm"));
  auto b = hmac(HashAlg::SHA384, Bytes(48, 0), as_bytes("ikm"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->len, 48u);
  EXPECT_EQ(to_hex(a->view()), to_hex(b->view()));
}

// ---- AEAD ----

struct AeadVector {
  AeadAlg alg;
  const char* key;
  const char* nonce;
  const char* aad;
  const char* plaintext;
  const char* ciphertext;
  const char* tag;
};

const AeadVector kAeadVectors[] = {
    // McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 1-4.
    {AeadAlg::AES_128_GCM, "00000000000000000000000000000000", "000000000000000000000000", "", "",
     "", "58e2fccefa7e3061367f1d57a4e7455a"},
    {AeadAlg::AES_128_GCM, "00000000000000000000000000000000", "000000000000000000000000", "",
     "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {AeadAlg::AES_128_GCM, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {AeadAlg::AES_128_GCM, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    // RFC 8439 2.8.2.
    {AeadAlg::CHACHA20_POLY1305, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
     "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
     "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
     "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
     "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
     "637265656e20776f756c642062652069742e",
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
     "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
     "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
     "3ff4def08e4b7a9de576d26586cec64b6116",
     "1ae10b594f09e26a7e902ecbd0600691"},
};

TEST(Aead, KnownAnswers) {
  for (const AeadVector& v : kAeadVectors) {
    SCOPED_TRACE(v.tag);
    auto aead = Aead::create(v.alg, from_hex(v.key));
    ASSERT_TRUE(aead.ok());
    Bytes data = from_hex(v.plaintext);
    Bytes tag(kAeadTagSize);
    ASSERT_TRUE(aead->seal(from_hex(v.nonce), from_hex(v.aad), data, tag).ok());
    EXPECT_EQ(to_hex(data), to_hex(from_hex(v.ciphertext)));
    EXPECT_EQ(to_hex(tag), v.tag);
    // The same object opens what it sealed (the context switches direction).
    ASSERT_TRUE(aead->open(from_hex(v.nonce), from_hex(v.aad), data, tag).ok());
    EXPECT_EQ(to_hex(data), to_hex(from_hex(v.plaintext)));
  }
}

TEST(Aead, RoundTripAllAlgorithms) {
  for (AeadAlg alg : {AeadAlg::AES_128_GCM, AeadAlg::AES_256_GCM, AeadAlg::CHACHA20_POLY1305}) {
    SCOPED_TRACE(static_cast<int>(alg));
    const Bytes key(aead_key_size(alg), 0x5a);
    auto sealer = Aead::create(alg, key);
    auto opener = Aead::create(alg, key);
    ASSERT_TRUE(sealer.ok());
    ASSERT_TRUE(opener.ok());
    EXPECT_EQ(sealer->alg(), alg);
    for (size_t len : {0, 1, 15, 16, 17, 1000, 16384}) {
      for (bool with_aad : {false, true}) {
        Bytes nonce(kAeadNonceSize, static_cast<uint8_t>(len));
        const Bytes aad = with_aad ? Bytes{0x17, 0x03, 0x03, 0x00, 0x10} : Bytes{};
        Bytes plain(len);
        for (size_t i = 0; i < len; ++i) plain[i] = static_cast<uint8_t>(i * 7);
        Bytes data = plain;
        Bytes tag(kAeadTagSize);
        ASSERT_TRUE(sealer->seal(nonce, aad, data, tag).ok());
        if (len > 0) {
          EXPECT_NE(data, plain);
        }
        ASSERT_TRUE(opener->open(nonce, aad, data, tag).ok());
        EXPECT_EQ(data, plain);
      }
    }
  }
}

TEST(Aead, ReleasedContextIsRebuiltFromTheKey) {
  for (const AeadVector& v : kAeadVectors) {
    SCOPED_TRACE(v.tag);
    auto aead = Aead::create(v.alg, from_hex(v.key));
    ASSERT_TRUE(aead.ok());
    aead->release();
    aead->release();  // twice is harmless
    Bytes data = from_hex(v.plaintext);
    Bytes tag(kAeadTagSize);
    ASSERT_TRUE(aead->seal(from_hex(v.nonce), from_hex(v.aad), data, tag).ok());
    EXPECT_EQ(to_hex(data), to_hex(from_hex(v.ciphertext)));
    EXPECT_EQ(to_hex(tag), v.tag);
    aead->release();
    ASSERT_TRUE(aead->open(from_hex(v.nonce), from_hex(v.aad), data, tag).ok());
    EXPECT_EQ(to_hex(data), to_hex(from_hex(v.plaintext)));
    // A new key given while released is the one used next; a moved-to object keeps it.
    const Bytes other(aead_key_size(v.alg), 0x33);
    auto reference = Aead::create(v.alg, other);
    ASSERT_TRUE(reference.ok());
    aead->release();
    ASSERT_TRUE(aead->set_key(other).ok());
    Aead moved = std::move(*aead);
    Bytes a = from_hex(v.plaintext), b = a;
    Bytes tag_a(kAeadTagSize), tag_b(kAeadTagSize);
    ASSERT_TRUE(moved.seal(from_hex(v.nonce), {}, a, tag_a).ok());
    ASSERT_TRUE(reference->seal(from_hex(v.nonce), {}, b, tag_b).ok());
    EXPECT_EQ(a, b);
    EXPECT_EQ(tag_a, tag_b);
  }
}

TEST(Aead, TamperingIsDecryptError) {
  for (AeadAlg alg : {AeadAlg::AES_128_GCM, AeadAlg::AES_256_GCM, AeadAlg::CHACHA20_POLY1305}) {
    SCOPED_TRACE(static_cast<int>(alg));
    auto aead = Aead::create(alg, Bytes(aead_key_size(alg), 1));
    ASSERT_TRUE(aead.ok());
    const Bytes nonce(kAeadNonceSize, 9);
    const Bytes aad = {1, 2, 3};
    const Bytes plain(40, 0x61);
    Bytes sealed = plain;
    Bytes tag(kAeadTagSize);
    ASSERT_TRUE(aead->seal(nonce, aad, sealed, tag).ok());

    Bytes bad_tag = tag;
    bad_tag[15] ^= 1;
    Bytes data = sealed;
    EXPECT_EQ(err(aead->open(nonce, aad, data, bad_tag)), Err::DECRYPT);
    EXPECT_EQ(data, Bytes(data.size(), 0)) << "unauthenticated plaintext must be wiped";

    data = sealed;
    data[0] ^= 0x80;
    EXPECT_EQ(err(aead->open(nonce, aad, data, tag)), Err::DECRYPT);

    data = sealed;
    EXPECT_EQ(err(aead->open(nonce, Bytes{1, 2, 4}, data, tag)), Err::DECRYPT);
    data = sealed;
    EXPECT_EQ(err(aead->open(Bytes(kAeadNonceSize, 8), aad, data, tag)), Err::DECRYPT);
    data = sealed;
    EXPECT_EQ(err(aead->open(nonce, aad, data, ByteView(tag).first(15))), Err::DECRYPT);

    // Failures leave the context usable.
    data = sealed;
    ASSERT_TRUE(aead->open(nonce, aad, data, tag).ok());
    EXPECT_EQ(data, plain);

    // Empty plaintext: only the tag protects the AAD.
    Bytes empty;
    Bytes empty_tag(kAeadTagSize);
    ASSERT_TRUE(aead->seal(nonce, aad, empty, empty_tag).ok());
    EXPECT_TRUE(aead->open(nonce, aad, empty, empty_tag).ok());
    empty_tag[0] ^= 1;
    EXPECT_EQ(err(aead->open(nonce, aad, empty, empty_tag)), Err::DECRYPT);
  }
}

TEST(Aead, SetKeyRekeys) {
  const Bytes key1(16, 0x11), key2(16, 0x22);
  const Bytes nonce(kAeadNonceSize, 3);
  auto a = Aead::create(AeadAlg::AES_128_GCM, key1);
  auto fresh = Aead::create(AeadAlg::AES_128_GCM, key2);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(fresh.ok());
  Bytes d1(20, 7), t1(16);
  ASSERT_TRUE(a->seal(nonce, ByteView(), d1, t1).ok());
  ASSERT_TRUE(a->set_key(key2).ok());
  Bytes d2(20, 7), t2(16), d3(20, 7), t3(16);
  ASSERT_TRUE(a->seal(nonce, ByteView(), d2, t2).ok());
  ASSERT_TRUE(fresh->seal(nonce, ByteView(), d3, t3).ok());
  EXPECT_EQ(d2, d3);
  EXPECT_EQ(t2, t3);
  EXPECT_NE(d1, d2);
  // The old key no longer opens.
  EXPECT_EQ(err(a->open(nonce, ByteView(), d1, t1)), Err::DECRYPT);
  EXPECT_EQ(err(a->set_key(Bytes(15, 0))), Err::INVALID_ARGUMENT);

  // ChaCha20-Poly1305 re-keys too.
  auto c = Aead::create(AeadAlg::CHACHA20_POLY1305, Bytes(32, 1));
  auto c2 = Aead::create(AeadAlg::CHACHA20_POLY1305, Bytes(32, 2));
  ASSERT_TRUE(c.ok() && c2.ok());
  ASSERT_TRUE(c->set_key(Bytes(32, 2)).ok());
  Bytes e1(5, 1), u1(16), e2(5, 1), u2(16);
  ASSERT_TRUE(c->seal(nonce, ByteView(), e1, u1).ok());
  ASSERT_TRUE(c2->seal(nonce, ByteView(), e2, u2).ok());
  EXPECT_EQ(e1, e2);
  EXPECT_EQ(u1, u2);
}

// Out-of-place sealing (plaintext from the caller's buffer, a trailing part in place) and
// opening into two parts give the bytes and tags of the in-place calls.
TEST(Aead, OutOfPlaceAndSplitMatchInPlace) {
  for (AeadAlg alg : {AeadAlg::AES_128_GCM, AeadAlg::AES_256_GCM, AeadAlg::CHACHA20_POLY1305}) {
    auto a = Aead::create(alg, Bytes(aead_key_size(alg), 0x42));
    ASSERT_TRUE(a.ok());
    const Bytes nonce(kAeadNonceSize, 9), aad = {23, 3, 3, 0, 50};
    for (size_t len : {size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{1000}}) {
      Bytes whole(len + 1);
      for (size_t i = 0; i < whole.size(); ++i) whole[i] = static_cast<uint8_t>(i * 7 + 1);
      Bytes in_place = whole, tag1(16);
      ASSERT_TRUE(a->seal(nonce, aad, in_place, tag1).ok());
      // The first len bytes come from elsewhere; the last byte is already in `out`.
      const Bytes src(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(len));
      Bytes out(len + 1, 0xEE), tag2(16);
      out[len] = whole[len];
      ASSERT_TRUE(a->seal(nonce, aad, src, out, tag2).ok());
      EXPECT_EQ(out, in_place);
      EXPECT_EQ(tag1, tag2);
      EXPECT_EQ(src, Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(len)));

      // Opened into a separate head and a one-byte tail.
      Bytes head(len, 0xEE);
      uint8_t last = 0;
      ASSERT_TRUE(a->open(nonce, aad, out, head, MutByteView(&last, 1), tag1).ok());
      EXPECT_EQ(head, src);
      EXPECT_EQ(last, whole[len]);
      // A bad tag wipes both parts; the sizes must add up.
      tag1[0] ^= 1;
      EXPECT_EQ(err(a->open(nonce, aad, out, head, MutByteView(&last, 1), tag1)), Err::DECRYPT);
      EXPECT_EQ(head, Bytes(len, 0));
      EXPECT_EQ(last, 0);
      EXPECT_EQ(err(a->open(nonce, aad, out, head, {}, tag2)), Err::INVALID_ARGUMENT);
      Bytes small(len);
      EXPECT_EQ(err(a->seal(nonce, aad, whole, small, tag2)), Err::INVALID_ARGUMENT);
    }
  }
}

TEST(Aead, BadArguments) {
  EXPECT_EQ(err(Aead::create(AeadAlg::AES_128_GCM, Bytes(32, 0))), Err::INVALID_ARGUMENT);
  EXPECT_EQ(err(Aead::create(AeadAlg::AES_256_GCM, Bytes(16, 0))), Err::INVALID_ARGUMENT);
  EXPECT_EQ(err(Aead::create(AeadAlg::CHACHA20_POLY1305, ByteView())), Err::INVALID_ARGUMENT);
  auto a = Aead::create(AeadAlg::AES_128_GCM, Bytes(16, 0));
  ASSERT_TRUE(a.ok());
  Bytes data(4), tag(16), short_tag(8);
  EXPECT_EQ(err(a->seal(Bytes(8, 0), ByteView(), data, tag)), Err::INVALID_ARGUMENT);
  EXPECT_EQ(err(a->seal(Bytes(12, 0), ByteView(), data, short_tag)), Err::INVALID_ARGUMENT);
  Aead moved = std::move(*a);
  EXPECT_TRUE(moved.seal(Bytes(12, 0), ByteView(), data, tag).ok());
  EXPECT_EQ(aead_key_size(AeadAlg::AES_128_GCM), 16u);
  EXPECT_EQ(aead_key_size(AeadAlg::AES_256_GCM), 32u);
  EXPECT_EQ(aead_key_size(AeadAlg::CHACHA20_POLY1305), 32u);
}

// ---- random ----

TEST(Random, FillsAndDiffers) {
  Bytes a(32), b(32);
  ASSERT_TRUE(random_bytes(a).ok());
  ASSERT_TRUE(random_bytes(b).ok());
  EXPECT_NE(a, b);
  EXPECT_NE(a, Bytes(32, 0));
  EXPECT_TRUE(random_bytes(MutByteView()).ok());
}

// ---- key shares ----

constexpr uint16_t kGroups[] = {group::x25519, group::secp256r1, group::secp384r1,
                                group::secp521r1};

size_t share_size(uint16_t g) {
  switch (g) {
    case group::x25519:
      return 32;
    case group::secp256r1:
      return 65;
    case group::secp384r1:
      return 97;
    default:
      return 133;
  }
}

size_t secret_size(uint16_t g) {
  switch (g) {
    case group::x25519:
      return 32;
    case group::secp256r1:
      return 32;
    case group::secp384r1:
      return 48;
    default:
      return 66;
  }
}

TEST(KeyShare, BothSidesDeriveTheSameSecret) {
  for (uint16_t g : kGroups) {
    SCOPED_TRACE(g);
    EXPECT_TRUE(key_share_supported(g));
    auto a = KeyShare::generate(g);
    auto b = KeyShare::generate(g);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(a->group(), g);
    ASSERT_EQ(a->public_key().size(), share_size(g));
    if (g != group::x25519) {
      EXPECT_EQ(a->public_key()[0], 0x04);
    }
    EXPECT_NE(to_bytes(a->public_key()), to_bytes(b->public_key()));
    auto s1 = a->derive(b->public_key());
    auto s2 = b->derive(a->public_key());
    ASSERT_TRUE(s1.ok());
    ASSERT_TRUE(s2.ok());
    EXPECT_EQ(s1->size(), secret_size(g));
    EXPECT_EQ(to_hex(s1->view()), to_hex(s2->view()));
    // Moving keeps the key.
    KeyShare moved = std::move(*a);
    auto s3 = moved.derive(b->public_key());
    ASSERT_TRUE(s3.ok());
    EXPECT_EQ(to_hex(s3->view()), to_hex(s1->view()));
  }
  EXPECT_FALSE(key_share_supported(0x001e));  // x448
  EXPECT_FALSE(KeyShare::generate(0x001e).ok());
}

TEST(KeyShare, MalformedPeerSharesAreRejected) {
  for (uint16_t g : kGroups) {
    SCOPED_TRACE(g);
    auto a = KeyShare::generate(g);
    auto b = KeyShare::generate(g);
    ASSERT_TRUE(a.ok() && b.ok());
    const Bytes good = to_bytes(b->public_key());
    EXPECT_EQ(err(a->derive(ByteView())), Err::BAD_KEY_SHARE);
    EXPECT_EQ(err(a->derive(ByteView(good).first(good.size() - 1))), Err::BAD_KEY_SHARE);
    Bytes longer = good;
    longer.push_back(0);
    EXPECT_EQ(err(a->derive(longer)), Err::BAD_KEY_SHARE);
    if (g == group::x25519) continue;
    Bytes off_curve = good;
    off_curve.back() ^= 1;
    EXPECT_EQ(err(a->derive(off_curve)), Err::BAD_KEY_SHARE);
    Bytes compressed_prefix = good;
    compressed_prefix[0] = 0x02;
    EXPECT_EQ(err(a->derive(compressed_prefix)), Err::BAD_KEY_SHARE);
    // A compressed point of the right size for compression is still refused.
    Bytes compressed(good.begin(), good.begin() + 1 + (good.size() - 1) / 2);
    compressed[0] = 0x02 | (good.back() & 1);
    EXPECT_EQ(err(a->derive(compressed)), Err::BAD_KEY_SHARE);
    Bytes garbage(good.size(), 0xff);
    garbage[0] = 0x04;  // coordinates outside the field
    EXPECT_EQ(err(a->derive(garbage)), Err::BAD_KEY_SHARE);
    Bytes zeros(good.size(), 0);
    zeros[0] = 0x04;
    EXPECT_EQ(err(a->derive(zeros)), Err::BAD_KEY_SHARE);
    // The good share still works after all that.
    EXPECT_TRUE(a->derive(good).ok());
  }
}

TEST(KeyShare, X25519LowOrderPointsGiveBadKeyShare) {
  auto a = KeyShare::generate(group::x25519);
  ASSERT_TRUE(a.ok());
  Bytes zero(32, 0);
  EXPECT_EQ(err(a->derive(zero)), Err::BAD_KEY_SHARE);
  Bytes one(32, 0);
  one[0] = 1;
  EXPECT_EQ(err(a->derive(one)), Err::BAD_KEY_SHARE);
}

TEST(KeyShare, Rfc8448X25519KnownAnswer) {
  // RFC 8448 section 3: the client's ephemeral key and the server's public share.
  const Bytes client_private =
      from_hex("49af42ba7f7994852d713ef2784bcbcaa7911de26adc5642cb634540e7ea5005");
  const Bytes client_public =
      from_hex("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c");
  const Bytes server_public =
      from_hex("c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f");
  auto ks = KeyShare::from_private(group::x25519, client_private);
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(to_hex(ks->public_key()), to_hex(client_public));
  auto secret = ks->derive(server_public);
  ASSERT_TRUE(secret.ok());
  EXPECT_EQ(to_hex(secret->view()),
            "8bd4054fb55b9d63fdfbacf9f04b9f0d35e6d63f537563efd46272900f89492d");
  // And from the server's side.
  auto server = KeyShare::from_private(
      group::x25519, from_hex("b1580eeadf6dd589b8ef4f2d5652578cc810e9980191ec8d058308cea216a21e"));
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(to_hex(server->public_key()), to_hex(server_public));
  EXPECT_EQ(to_hex(server->derive(client_public)->view()), to_hex(secret->view()));

  EXPECT_EQ(err(KeyShare::from_private(group::x25519, Bytes(31, 1))), Err::INVALID_ARGUMENT);
}

TEST(KeyShare, NistFromPrivateRejectsBadScalars) {
  EXPECT_FALSE(KeyShare::from_private(group::secp256r1, Bytes(32, 0)).ok());
  EXPECT_FALSE(KeyShare::from_private(group::secp256r1, Bytes(32, 0xff)).ok());  // >= order
  EXPECT_FALSE(KeyShare::from_private(group::secp256r1, Bytes(33, 1)).ok());
  EXPECT_FALSE(KeyShare::from_private(group::secp256r1, ByteView()).ok());
  auto a = KeyShare::from_private(group::secp256r1, Bytes(32, 0x17));
  auto b = KeyShare::from_private(group::secp256r1, Bytes(32, 0x17));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(to_bytes(a->public_key()), to_bytes(b->public_key()));
  // Scalar 1 gives the base point G of P-256.
  Bytes one(32, 0);
  one[31] = 1;
  auto g = KeyShare::from_private(group::secp256r1, one);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(to_hex(g->public_key()),
            "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
            "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
}

// ---- files made with the openssl command-line tool ----

class OpensslFiles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/snr-crypto-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    write_text("ext.cnf",
               "[req]\n"
               "distinguished_name = dn\n"
               "[dn]\n"
               "[v3_ca]\n"
               "basicConstraints = critical,CA:TRUE\n"
               "keyUsage = critical,keyCertSign,cRLSign\n"
               "subjectKeyIdentifier = hash\n"
               "[v3_self]\n"
               "basicConstraints = CA:FALSE\n"
               "[v3_leaf]\n"
               "basicConstraints = CA:FALSE\n"
               "subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1,IP:2001:db8:0:0:0:0:0:1,"
               "DNS:*.snr.test\n"
               "[v3_leaf2]\n"
               "basicConstraints = CA:FALSE\n"
               "subjectAltName = DNS:*.example.com\n"
               "[v3_nosan]\n"
               "basicConstraints = CA:FALSE\n");
    const std::string cnf = " -config " + path("ext.cnf");
    struct Gen {
      const char* name;
      const char* args;
    };
    const Gen gens[] = {
        {"rsa", "-algorithm RSA -pkeyopt rsa_keygen_bits:2048"},
        {"rsapss", "-algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048"},
        {"p256", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"},
        {"p384", "-algorithm EC -pkeyopt ec_paramgen_curve:P-384"},
        {"p521", "-algorithm EC -pkeyopt ec_paramgen_curve:P-521"},
        {"ed25519", "-algorithm ED25519"},
        {"ca", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"},
        {"inter", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"},
        {"leaf", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"},
        {"peer256", "-algorithm EC -pkeyopt ec_paramgen_curve:P-256"},
        {"peer384", "-algorithm EC -pkeyopt ec_paramgen_curve:P-384"},
        {"peer521", "-algorithm EC -pkeyopt ec_paramgen_curve:P-521"},
    };
    for (const Gen& g : gens) {
      ASSERT_TRUE(run("openssl genpkey " + std::string(g.args) + " -out " + path(g.name) + ".pem"))
          << g.name;
      ASSERT_TRUE(
          run("openssl pkey -in " + path(g.name) + ".pem -pubout -out " + path(g.name) + ".pub"));
    }
    // A self-signed certificate per signing key, to get at its public key.
    for (const char* k : {"rsa", "rsapss", "p256", "p384", "p521", "ed25519"}) {
      ASSERT_TRUE(run("openssl req -x509 -new" + cnf + " -extensions v3_self -key " + path(k) +
                      ".pem -subj /CN=" + k + " -days 30 -out " + path(k) + ".crt"))
          << k;
    }
    // root CA -> leaf; root CA -> intermediate -> leaf2; root CA -> nosan.
    ASSERT_TRUE(run("openssl req -x509 -new" + cnf + " -extensions v3_ca -key " + path("ca.pem") +
                    " -subj '/O=snr/CN=snr test root' -days 3650 -out " + path("ca.crt")));
    ASSERT_TRUE(issue("inter", "/O=snr/CN=snr test intermediate", "ca", "v3_ca", 3650));
    ASSERT_TRUE(issue("leaf", "/O=snr/CN=localhost", "ca", "v3_leaf", 30));
    ASSERT_TRUE(issue("leaf2", "/CN=www.example.com", "inter", "v3_leaf2", 30, "leaf"));
    ASSERT_TRUE(issue("nosan", "/CN=first/CN=nosan.test", "ca", "v3_nosan", 30, "leaf"));
  }

  static void TearDownTestSuite() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  static std::string path(const std::string& name) { return dir_ + "/" + name; }
  static void write_text(const std::string& name, const std::string& text) {
    std::ofstream(path(name)) << text;
  }
  // Issues certificate `name`.crt for key `key`.pem (default: name), signed by `ca`.
  static bool issue(const std::string& name, const std::string& subject, const std::string& ca,
                    const std::string& ext, int days, std::string key = {}) {
    if (key.empty()) key = name;
    static int serial = 100;
    return run("openssl req -new -config " + path("ext.cnf") + " -key " + path(key + ".pem") +
               " -subj '" + subject + "' -out " + path(name + ".csr")) &&
           run("openssl x509 -req -in " + path(name + ".csr") + " -CA " + path(ca + ".crt") +
               " -CAkey " + path(ca + ".pem") + " -set_serial " + std::to_string(++serial) +
               " -days " + std::to_string(days) + " -extfile " + path("ext.cnf") + " -extensions " +
               ext + " -out " + path(name + ".crt"));
  }
  static Bytes der_of(const std::string& crt) {
    auto chain = pem_to_der_chain(read_text(path(crt)));
    return chain.ok() && !chain->empty() ? chain->front() : Bytes{};
  }
  static PrivateKey key(const std::string& name) {
    auto k = PrivateKey::from_pem(read_text(path(name + ".pem")));
    EXPECT_TRUE(k.ok()) << name;
    return std::move(k).value();
  }

  static std::string dir_;
};

std::string OpensslFiles::dir_;

using Keys = OpensslFiles;

struct KeyCase {
  const char* name;
  KeyType type;
  size_t bits;
  std::vector<SigParams> allowed;
  std::vector<SigParams> refused;
};

const std::vector<KeyCase>& key_cases() {
  using K = SigKind;
  using H = HashAlg;
  static const std::vector<KeyCase> cases = {
      {"rsa",
       KeyType::RSA,
       2048,
       {{K::RSA_PKCS1, H::SHA256},
        {K::RSA_PKCS1, H::SHA384},
        {K::RSA_PKCS1, H::SHA512},
        {K::RSA_PKCS1, H::SHA1},
        {K::RSA_PSS, H::SHA256},
        {K::RSA_PSS, H::SHA384},
        {K::RSA_PSS, H::SHA512}},
       {{K::ECDSA, H::SHA256}, {K::ED25519, H::SHA256}}},
      {"rsapss",
       KeyType::RSA_PSS,
       2048,
       {{K::RSA_PSS, H::SHA256}, {K::RSA_PSS, H::SHA384}, {K::RSA_PSS, H::SHA512}},
       {{K::RSA_PKCS1, H::SHA256}, {K::ECDSA, H::SHA256}}},
      {"p256",
       KeyType::EC_P256,
       256,
       {{K::ECDSA, H::SHA256}, {K::ECDSA, H::SHA384}, {K::ECDSA, H::SHA512}, {K::ECDSA, H::SHA1}},
       {{K::RSA_PSS, H::SHA256}, {K::ED25519, H::SHA256}}},
      {"p384", KeyType::EC_P384, 384, {{K::ECDSA, H::SHA384}, {K::ECDSA, H::SHA256}}, {}},
      {"p521", KeyType::EC_P521, 521, {{K::ECDSA, H::SHA512}, {K::ECDSA, H::SHA256}}, {}},
      {"ed25519",
       KeyType::ED25519,
       0,
       {{K::ED25519, H::SHA256}},
       {{K::ECDSA, H::SHA256}, {K::RSA_PKCS1, H::SHA256}}},
  };
  return cases;
}

TEST_F(Keys, SignAndVerifyEveryAllowedScheme) {
  const Bytes message = to_bytes(as_bytes("TLS 1.3, server CertificateVerify payload"));
  for (const KeyCase& c : key_cases()) {
    SCOPED_TRACE(c.name);
    PrivateKey priv = key(c.name);
    EXPECT_EQ(priv.type(), c.type);
    if (c.bits != 0) {
      EXPECT_EQ(priv.bits(), c.bits);
    }
    auto pub = PublicKey::from_certificate(der_of(std::string(c.name) + ".crt"));
    ASSERT_TRUE(pub.ok());
    EXPECT_EQ(pub->type(), c.type);
    EXPECT_EQ(pub->bits(), priv.bits());
    EXPECT_TRUE(priv.matches(*pub));
    for (const SigParams& p : c.allowed) {
      SCOPED_TRACE(static_cast<int>(p.kind) * 100 + static_cast<int>(p.hash));
      auto sig = priv.sign(p, message);
      ASSERT_TRUE(sig.ok()) << sig.error().message();
      EXPECT_TRUE(pub->verify(p, message, *sig).ok());
      Bytes wrong = message;
      wrong[0] ^= 1;
      EXPECT_EQ(err(pub->verify(p, wrong, *sig)), Err::VERIFY_SIGNATURE);
      Bytes bad_sig = *sig;
      bad_sig[bad_sig.size() / 2] ^= 0x10;
      EXPECT_EQ(err(pub->verify(p, message, bad_sig)), Err::VERIFY_SIGNATURE);
      EXPECT_EQ(err(pub->verify(p, message, ByteView())), Err::VERIFY_SIGNATURE);
      // The provider seam signs the same way.
      auto via_provider = Provider::system().sign(priv, p, message);
      ASSERT_TRUE(via_provider.ok());
      EXPECT_TRUE(pub->verify(p, message, *via_provider).ok());
    }
    for (const SigParams& p : c.refused) {
      EXPECT_FALSE(priv.sign(p, message).ok());
    }
  }
}

TEST_F(Keys, SignatureVariantsMatter) {
  const Bytes message = to_bytes(as_bytes("hello"));
  PrivateKey rsa = key("rsa");
  auto pub = PublicKey::from_certificate(der_of("rsa.crt"));
  ASSERT_TRUE(pub.ok());
  auto pkcs1 = rsa.sign({SigKind::RSA_PKCS1, HashAlg::SHA256}, message);
  auto pss = rsa.sign({SigKind::RSA_PSS, HashAlg::SHA256}, message);
  ASSERT_TRUE(pkcs1.ok() && pss.ok());
  EXPECT_EQ(err(pub->verify({SigKind::RSA_PSS, HashAlg::SHA256}, message, *pkcs1)),
            Err::VERIFY_SIGNATURE);
  EXPECT_EQ(err(pub->verify({SigKind::RSA_PKCS1, HashAlg::SHA256}, message, *pss)),
            Err::VERIFY_SIGNATURE);
  EXPECT_EQ(err(pub->verify({SigKind::RSA_PSS, HashAlg::SHA384}, message, *pss)),
            Err::VERIFY_SIGNATURE);
  // PKCS#1 v1.5 is deterministic, PSS is randomized.
  EXPECT_EQ(*pkcs1, *rsa.sign({SigKind::RSA_PKCS1, HashAlg::SHA256}, message));
  EXPECT_NE(*pss, *rsa.sign({SigKind::RSA_PSS, HashAlg::SHA256}, message));
  // A scheme the certificate's key cannot make is a bad scheme, not a bad signature.
  EXPECT_EQ(err(pub->verify({SigKind::ECDSA, HashAlg::SHA256}, message, *pkcs1)),
            Err::BAD_SIGNATURE_SCHEME);
  // Keys do not match other certificates.
  auto p256_pub = PublicKey::from_certificate(der_of("p256.crt"));
  ASSERT_TRUE(p256_pub.ok());
  EXPECT_FALSE(rsa.matches(*p256_pub));
  EXPECT_FALSE(key("p384").matches(*p256_pub));
  EXPECT_FALSE(key("ca").matches(*p256_pub));
}

TEST_F(Keys, RsaPssSaltLengthIsTheHashLength) {
  const Bytes message = to_bytes(as_bytes("salted"));
  write_bytes(path("msg.bin"), message);
  for (const char* k : {"rsa", "rsapss"}) {
    SCOPED_TRACE(k);
    // Ours, checked by the openssl tool with an explicit 32-byte salt.
    auto sig = key(k).sign({SigKind::RSA_PSS, HashAlg::SHA256}, message);
    ASSERT_TRUE(sig.ok());
    write_bytes(path("sig.bin"), *sig);
    EXPECT_TRUE(run("openssl dgst -sha256 -verify " + path(k) +
                    ".pub -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 "
                    "-sigopt rsa_mgf1_md:sha256 -signature " +
                    path("sig.bin") + " " + path("msg.bin")));
    auto pub = PublicKey::from_certificate(der_of(std::string(k) + ".crt"));
    ASSERT_TRUE(pub.ok());
    // The tool's, with salt = hash length: accepted; with a maximal salt: refused (TLS 1.3
    // requires salt length = hash length).
    ASSERT_TRUE(run("openssl dgst -sha256 -sign " + path(k) +
                    ".pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 -out " +
                    path("tool32.bin") + " " + path("msg.bin")));
    ASSERT_TRUE(run("openssl dgst -sha256 -sign " + path(k) +
                    ".pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max -out " +
                    path("toolmax.bin") + " " + path("msg.bin")));
    const std::string s32 = read_text(path("tool32.bin"));
    const std::string smax = read_text(path("toolmax.bin"));
    EXPECT_TRUE(pub->verify({SigKind::RSA_PSS, HashAlg::SHA256}, message, as_bytes(s32)).ok());
    EXPECT_EQ(err(pub->verify({SigKind::RSA_PSS, HashAlg::SHA256}, message, as_bytes(smax))),
              Err::VERIFY_SIGNATURE);
  }
}

TEST_F(Keys, EcdsaAndEd25519InteroperateWithTheTool) {
  const Bytes message = to_bytes(as_bytes("interop"));
  write_bytes(path("msg.bin"), message);
  auto sig = key("p384").sign({SigKind::ECDSA, HashAlg::SHA384}, message);
  ASSERT_TRUE(sig.ok());
  write_bytes(path("sig.bin"), *sig);
  EXPECT_TRUE(run("openssl dgst -sha384 -verify " + path("p384.pub") + " -signature " +
                  path("sig.bin") + " " + path("msg.bin")));
  auto ed = key("ed25519").sign({SigKind::ED25519, HashAlg::SHA256}, message);
  ASSERT_TRUE(ed.ok());
  EXPECT_EQ(ed->size(), 64u);
  write_bytes(path("ed.bin"), *ed);
  EXPECT_TRUE(run("openssl pkeyutl -verify -pubin -inkey " + path("ed25519.pub") + " -rawin -in " +
                  path("msg.bin") + " -sigfile " + path("ed.bin")));
  // Ed25519 is deterministic.
  EXPECT_EQ(*ed, *key("ed25519").sign({SigKind::ED25519, HashAlg::SHA256}, message));
}

TEST_F(Keys, PemFormatsAndGarbage) {
  // Traditional ("BEGIN RSA PRIVATE KEY" / "BEGIN EC PRIVATE KEY") encodings load too.
  ASSERT_TRUE(
      run("openssl pkey -in " + path("rsa.pem") + " -traditional -out " + path("rsa_trad.pem")));
  ASSERT_TRUE(
      run("openssl pkey -in " + path("p256.pem") + " -traditional -out " + path("p256_trad.pem")));
  const std::string rsa_trad = read_text(path("rsa_trad.pem"));
  const std::string p256_trad = read_text(path("p256_trad.pem"));
  EXPECT_NE(rsa_trad.find("BEGIN RSA PRIVATE KEY"), std::string::npos);
  EXPECT_NE(p256_trad.find("BEGIN EC PRIVATE KEY"), std::string::npos);
  auto r = PrivateKey::from_pem(rsa_trad);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type(), KeyType::RSA);
  auto e = PrivateKey::from_pem(p256_trad);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->type(), KeyType::EC_P256);
  // A certificate in front of the key is skipped.
  auto with_cert = PrivateKey::from_pem(read_text(path("p256.crt")) + read_text(path("p256.pem")));
  ASSERT_TRUE(with_cert.ok());

  // Encrypted keys are refused without prompting for a password.
  ASSERT_TRUE(run("openssl pkey -in " + path("p256.pem") + " -aes256 -passout pass:secret -out " +
                  path("enc.pem")));
  EXPECT_EQ(err(PrivateKey::from_pem(read_text(path("enc.pem")))), Err::DECODE_PRIVATE_KEY);

  EXPECT_EQ(err(PrivateKey::from_pem("")), Err::DECODE_PRIVATE_KEY);
  EXPECT_EQ(err(PrivateKey::from_pem("not a key at all")), Err::DECODE_PRIVATE_KEY);
  EXPECT_EQ(err(PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE "
                                     "KEY-----\n")),
            Err::DECODE_PRIVATE_KEY);
  // Truncated key.
  const std::string full = read_text(path("p256.pem"));
  EXPECT_EQ(err(PrivateKey::from_pem(full.substr(0, full.size() / 2))), Err::DECODE_PRIVATE_KEY);
  // A public key or a certificate alone is not a private key.
  EXPECT_EQ(err(PrivateKey::from_pem(read_text(path("p256.pub")))), Err::DECODE_PRIVATE_KEY);
  EXPECT_EQ(err(PrivateKey::from_pem(read_text(path("p256.crt")))), Err::DECODE_PRIVATE_KEY);
  // Key types TLS has no scheme for here (X25519 is key agreement only).
  ASSERT_TRUE(run("openssl genpkey -algorithm X25519 -out " + path("x25519.pem")));
  EXPECT_EQ(err(PrivateKey::from_pem(read_text(path("x25519.pem")))), Err::DECODE_PRIVATE_KEY);

  EXPECT_EQ(err(PublicKey::from_certificate(ByteView())), Err::DECODE_CERTIFICATE);
  EXPECT_EQ(err(PublicKey::from_certificate(as_bytes("garbage"))), Err::DECODE_CERTIFICATE);
  Bytes der = der_of("p256.crt");
  der.push_back(0);  // trailing data
  EXPECT_EQ(err(PublicKey::from_certificate(der)), Err::DECODE_CERTIFICATE);
  der.resize(der.size() - 10);  // truncated
  EXPECT_EQ(err(PublicKey::from_certificate(der)), Err::DECODE_CERTIFICATE);
}

// Reads "priv:" / "pub:" hex blocks from `openssl pkey -text -noout`.
bool ec_key_parts(const std::string& text, Bytes& priv, Bytes& pub) {
  const size_t p = text.find("priv:");
  const size_t q = text.find("pub:");
  const size_t end = text.find("ASN1 OID");
  if (p == std::string::npos || q == std::string::npos || end == std::string::npos) return false;
  priv = from_hex(text.substr(p + 5, q - p - 5));
  pub = from_hex(text.substr(q + 4, end - q - 4));
  return true;
}

TEST_F(Keys, NistKeySharesMatchTheTool) {
  struct Curve {
    uint16_t group;
    const char* mine;
    const char* peer;
    size_t scalar_size;
  };
  const Curve curves[] = {{group::secp256r1, "p256", "peer256", 32},
                          {group::secp384r1, "p384", "peer384", 48},
                          {group::secp521r1, "p521", "peer521", 66}};
  for (const Curve& c : curves) {
    SCOPED_TRACE(c.mine);
    ASSERT_TRUE(run("openssl pkey -in " + path(c.mine) + ".pem -text -noout -out " + path(c.mine) +
                    ".txt"));
    ASSERT_TRUE(run("openssl pkey -in " + path(c.peer) + ".pem -text -noout -out " + path(c.peer) +
                    ".txt"));
    ASSERT_TRUE(run("openssl pkeyutl -derive -inkey " + path(c.mine) + ".pem -peerkey " +
                    path(c.peer) + ".pub -out " + path("shared.bin")));
    Bytes priv, pub, peer_priv, peer_pub;
    ASSERT_TRUE(ec_key_parts(read_text(path(std::string(c.mine) + ".txt")), priv, pub));
    ASSERT_TRUE(ec_key_parts(read_text(path(std::string(c.peer) + ".txt")), peer_priv, peer_pub));
    // The tool prints the scalar as a number: normalise to the fixed width.
    while (priv.size() > c.scalar_size && priv[0] == 0) priv.erase(priv.begin());
    priv.insert(priv.begin(), c.scalar_size - priv.size(), 0);

    auto ks = KeyShare::from_private(c.group, priv);
    ASSERT_TRUE(ks.ok());
    EXPECT_EQ(to_hex(ks->public_key()), to_hex(pub));
    auto secret = ks->derive(peer_pub);
    ASSERT_TRUE(secret.ok());
    EXPECT_EQ(to_hex(secret->view()), to_hex(as_bytes(read_text(path("shared.bin")))));
    EXPECT_EQ(secret->size(), secret_size(c.group));
  }
}

// ---- X.509 ----

using X509 = OpensslFiles;

std::shared_ptr<TrustStore> store_with(const std::vector<std::string>& pems) {
  auto s = TrustStore::create();
  EXPECT_TRUE(s.ok());
  for (const std::string& p : pems) EXPECT_TRUE((*s)->add_pem(p).ok());
  return *s;
}

Result<std::vector<Bytes>> verify(const std::vector<Bytes>& chain, const TrustStore& store,
                                  uint64_t when = 0, int depth = 7) {
  std::vector<ByteView> views(chain.begin(), chain.end());
  ChainCheck check;
  check.store = &store;
  check.time_seconds = when;
  check.max_depth = depth;
  return verify_chain(views, check);
}

TEST_F(X509, PemToDer) {
  const std::string leaf = read_text(path("leaf.crt"));
  const std::string ca = read_text(path("ca.crt"));
  auto one = pem_to_der_chain(leaf);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front()[0], 0x30);  // a DER SEQUENCE
  auto two = pem_to_der_chain(leaf + ca);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0], one->front());
  EXPECT_EQ((*two)[1], der_of("ca.crt"));
  // Other PEM blocks (a key) are skipped.
  auto mixed = pem_to_der_chain(read_text(path("leaf.pem")) + leaf);
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->size(), 1u);

  EXPECT_EQ(err(pem_to_der_chain("")), Err::DECODE_CERTIFICATE);
  EXPECT_EQ(err(pem_to_der_chain("hello")), Err::DECODE_CERTIFICATE);
  EXPECT_EQ(err(pem_to_der_chain(read_text(path("leaf.pem")))), Err::DECODE_CERTIFICATE);
  // A damaged body and a missing end line are errors, not a shorter chain.
  std::string damaged = leaf;
  damaged[damaged.find('\n') + 40] = '!';
  EXPECT_EQ(err(pem_to_der_chain(ca + damaged)), Err::DECODE_CERTIFICATE);
  EXPECT_EQ(err(pem_to_der_chain(ca + leaf.substr(0, leaf.size() / 2))), Err::DECODE_CERTIFICATE);
  std::string bad_der = "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(err(pem_to_der_chain(bad_der)), Err::DECODE_CERTIFICATE);
}

TEST_F(X509, Subject) {
  EXPECT_EQ(certificate_subject(der_of("leaf.crt")), "CN=localhost,O=snr");
  EXPECT_EQ(certificate_subject(der_of("ca.crt")), "CN=snr test root,O=snr");
  EXPECT_EQ(certificate_subject(as_bytes("junk")), "");
  EXPECT_EQ(certificate_subject(ByteView()), "");
}

TEST_F(X509, VerifyChainToRoot) {
  auto store = store_with({read_text(path("ca.crt"))});
  EXPECT_FALSE(store->empty());
  const Bytes leaf = der_of("leaf.crt");
  const Bytes ca = der_of("ca.crt");
  auto path1 = verify({leaf}, *store);
  ASSERT_TRUE(path1.ok()) << path1.error().message();
  ASSERT_EQ(path1->size(), 2u);
  EXPECT_EQ((*path1)[0], leaf);
  EXPECT_EQ((*path1)[1], ca);
  // Sending the root too is fine.
  auto path2 = verify({leaf, ca}, *store);
  ASSERT_TRUE(path2.ok());
  EXPECT_EQ(path2->size(), 2u);

  // Through an intermediate.
  const Bytes leaf2 = der_of("leaf2.crt");
  const Bytes inter = der_of("inter.crt");
  auto path3 = verify({leaf2, inter}, *store);
  ASSERT_TRUE(path3.ok()) << path3.error().message();
  ASSERT_EQ(path3->size(), 3u);
  EXPECT_EQ((*path3)[0], leaf2);
  EXPECT_EQ((*path3)[1], inter);
  EXPECT_EQ((*path3)[2], ca);
  // Missing intermediate.
  EXPECT_EQ(err(verify({leaf2}, *store)), Err::CERT_UNTRUSTED);
  // Depth limit.
  EXPECT_EQ(err(verify({leaf2, inter}, *store, 0, 0)), Err::CERT_MAX_CHAIN_DEPTH_EXCEEDED);
  EXPECT_TRUE(verify({leaf2, inter}, *store, 0, 1).ok());
  // A trusted intermediate is an anchor by itself.
  auto inter_store = store_with({read_text(path("inter.crt"))});
  auto path4 = verify({leaf2}, *inter_store);
  ASSERT_TRUE(path4.ok()) << path4.error().message();
  EXPECT_EQ(path4->size(), 2u);
}

TEST_F(X509, VerifyChainFailures) {
  const Bytes leaf = der_of("leaf.crt");
  const Bytes ca = der_of("ca.crt");
  auto empty = TrustStore::create();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->empty());
  EXPECT_EQ(err(verify({leaf}, **empty)), Err::CERT_UNTRUSTED);
  EXPECT_EQ(err(verify({leaf, ca}, **empty)), Err::CERT_UNTRUSTED);
  // Trusting some other root does not help.
  auto other = store_with({read_text(path("p256.crt"))});
  EXPECT_EQ(err(verify({leaf, ca}, *other)), Err::CERT_UNTRUSTED);

  auto store = store_with({read_text(path("ca.crt"))});
  EXPECT_EQ(err(verify({leaf}, *store, 4102444800ull)), Err::CERT_EXPIRED);  // 2100-01-01
  const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
  EXPECT_EQ(err(verify({leaf}, *store, now - 3 * 86400)), Err::CERT_NOT_YET_VALID);
  EXPECT_TRUE(verify({leaf}, *store, now + 86400).ok());

  // Garbage in the chain.
  EXPECT_EQ(err(verify({Bytes{1, 2, 3}}, *store)), Err::CERT_INVALID);
  EXPECT_EQ(err(verify({leaf, Bytes{0x30, 0x00}}, *store)), Err::CERT_INVALID);
  EXPECT_EQ(err(verify({}, *store)), Err::EMPTY_CERTIFICATE);
  Bytes tampered = leaf;
  tampered[tampered.size() - 5] ^= 1;  // inside the signature
  EXPECT_FALSE(verify({tampered}, *store).ok());
  ChainCheck no_store;
  std::vector<ByteView> views = {leaf};
  EXPECT_EQ(err(verify_chain(views, no_store)), Err::INVALID_ARGUMENT);
}

TEST_F(X509, ValidatedChainsAreCachedWithinTheirWindow) {
  auto store = store_with({read_text(path("ca.crt"))});
  const ChainCache& cache = store->chain_cache();
  const Bytes leaf2 = der_of("leaf2.crt");
  const Bytes inter = der_of("inter.crt");
  const std::vector<ByteView> chain = {leaf2, inter};
  auto check_at = [&](uint64_t when, int depth) {
    ChainCheck c;
    c.store = store.get();
    c.time_seconds = when;
    c.max_depth = depth;
    return c;
  };
  auto first = verify_chain_and_leaf(chain, check_at(0, 7));
  ASSERT_TRUE(first.ok()) << first.error().message();
  EXPECT_EQ(cache.size(), 1u);
  auto again = verify_chain_and_leaf(chain, check_at(0, 7));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(again->path, first->path);
  EXPECT_EQ(again->leaf_names.dns, first->leaf_names.dns);
  ASSERT_TRUE(again->leaf_key.has_value());
  EXPECT_EQ(again->leaf_key->type(), first->leaf_key->type());

  // Outside the window the chain is validated afresh, and fails as it should.
  EXPECT_EQ(err(verify_chain_and_leaf(chain, check_at(4102444800ull, 7))), Err::CERT_EXPIRED);
  const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
  EXPECT_EQ(err(verify_chain_and_leaf(chain, check_at(now - 3 * 86400, 7))),
            Err::CERT_NOT_YET_VALID);
  // The depth is part of the key: a tighter limit is not answered by the earlier success.
  EXPECT_EQ(err(verify_chain_and_leaf(chain, check_at(0, 0))), Err::CERT_MAX_CHAIN_DEPTH_EXCEEDED);
  // Failures are not kept; a different chain is a different key.
  Bytes tampered = leaf2;
  tampered[tampered.size() - 5] ^= 1;
  EXPECT_FALSE(verify_chain_and_leaf({tampered, inter}, check_at(0, 7)).ok());
  EXPECT_EQ(cache.size(), 1u);
  // Bounded: the oldest entries make room.
  for (int depth = 1; depth <= 40; ++depth) {
    ASSERT_TRUE(verify_chain_and_leaf(chain, check_at(0, depth)).ok());
  }
  EXPECT_EQ(cache.size(), ChainCache::kCapacity);
  // A changed store forgets what it validated.
  ASSERT_TRUE(store->add_pem(read_text(path("p256.crt"))).ok());
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(X509, TrustStoreLocations) {
  auto s = TrustStore::create();
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->add_location(path("ca.crt"), "").ok());
  EXPECT_FALSE((*s)->empty());
  EXPECT_NE((*s)->native(), nullptr);
  EXPECT_TRUE(verify({der_of("leaf.crt")}, **s).ok());

  auto bad = TrustStore::create();
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(err((*bad)->add_location(path("missing.crt"), "")), Err::TRUST_STORE);
  EXPECT_EQ(err((*bad)->add_location("", path("missing-dir"))), Err::TRUST_STORE);
  EXPECT_TRUE((*bad)->empty());
  EXPECT_EQ(err((*bad)->add_pem("nothing")), Err::DECODE_CERTIFICATE);
  EXPECT_TRUE((*bad)->add_location("", "").ok());
  EXPECT_TRUE((*bad)->empty());

  // A hashed directory (as c_rehash makes it).
  std::filesystem::create_directory(path("hashed"));
  ASSERT_TRUE(run("cp " + path("ca.crt") + " " + path("hashed") +
                  "/$(openssl x509 -hash -noout -in " + path("ca.crt") + ").0"));
  auto d = TrustStore::create();
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->add_location("", path("hashed")).ok());
  EXPECT_FALSE((*d)->empty());
  EXPECT_TRUE(verify({der_of("leaf.crt")}, **d).ok());

  auto sys = TrustStore::create();
  ASSERT_TRUE(sys.ok());
  EXPECT_TRUE((*sys)->add_system().ok());
  EXPECT_FALSE((*sys)->empty());
  // Our private root is not a system root.
  EXPECT_EQ(err(verify({der_of("leaf.crt")}, **sys)), Err::CERT_UNTRUSTED);
}

TEST_F(X509, CertificateNames) {
  auto names = certificate_names(der_of("leaf.crt"));
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->dns, (std::vector<std::string>{"localhost", "*.snr.test"}));
  EXPECT_EQ(names->ips, (std::vector<std::string>{"127.0.0.1", "::1", "2001:db8::1"}));
  EXPECT_EQ(names->common_name, "localhost");

  auto nosan = certificate_names(der_of("nosan.crt"));
  ASSERT_TRUE(nosan.ok());
  EXPECT_TRUE(nosan->dns.empty());
  EXPECT_TRUE(nosan->ips.empty());
  EXPECT_EQ(nosan->common_name, "nosan.test");  // the last CN

  auto leaf2 = certificate_names(der_of("leaf2.crt"));
  ASSERT_TRUE(leaf2.ok());
  EXPECT_EQ(leaf2->dns, (std::vector<std::string>{"*.example.com"}));
  EXPECT_EQ(leaf2->common_name, "www.example.com");

  EXPECT_EQ(err(certificate_names(as_bytes("junk"))), Err::CERT_INVALID);
}

// ---- provider ----

TEST(Provider, SystemProvider) {
  Provider& p = Provider::system();
  EXPECT_EQ(&p, &Provider::system());
  Bytes a(16), b(16);
  ASSERT_TRUE(p.random(a).ok());
  ASSERT_TRUE(p.random(b).ok());
  EXPECT_NE(a, b);
  auto ks = p.generate_key_share(group::secp384r1);
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(ks->group(), group::secp384r1);
  EXPECT_EQ(ks->public_key().size(), 97u);
}

}  // namespace
}  // namespace snr::crypto
