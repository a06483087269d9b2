// TLS 1.0-1.2 key derivation (src/keys/prf12): the published TLS 1.2 PRF vector, and
// cross-checks against the openssl command-line tool's TLS1-PRF (tests must not include
// OpenSSL headers) for SHA-384 and the MD5/SHA-1 PRF; key block layout per suite and version.
// Also the legacy crypto TLS 1.0/1.1 needs: the MD5||SHA1 digest, its RSA signatures, and the
// hash helpers the constant-time CBC check uses.
#include "keys/prf12.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "crypto/hash.hpp"
#include "crypto/pkey.hpp"
#include "policy/registry.hpp"
#include "test_bytes.hpp"
#include "util/error_code.hpp"

namespace snr::keys {
namespace {

using crypto::HashAlg;

Bytes concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes pattern(size_t n, uint8_t seed) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(seed + i * 7);
  return b;
}

// Stdout of a shell command, or nullopt when it fails.
std::optional<std::string> capture(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (p == nullptr) return std::nullopt;
  std::string out;
  char buf[512];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  if (pclose(p) != 0) return std::nullopt;
  return out;
}

// OpenSSL's TLS1-PRF KDF (digest "MD5-SHA1" is the TLS 1.0/1.1 PRF), computed by the openssl
// tool: `openssl kdf` prints the output as colon-separated hex.
Bytes openssl_prf(const std::string& digest, ByteView secret, ByteView seed, size_t len) {
  const std::string cmd = "openssl kdf -keylen " + std::to_string(len) +
                          " -kdfopt digest:" + digest + " -kdfopt hexsecret:" + to_hex(secret) +
                          " -kdfopt hexseed:" + to_hex(seed) + " TLS1-PRF";
  auto out = capture(cmd);
  EXPECT_TRUE(out.has_value()) << cmd;
  return out ? from_hex(*out) : Bytes();
}

Bytes our_prf(Version v, HashAlg h, ByteView secret, std::string_view label, ByteView s1,
              ByteView s2, size_t len) {
  Bytes out(len);
  Status st = prf12(v, h, secret, label, s1, s2, out);
  EXPECT_TRUE(st.ok());
  return out;
}

template <class T>
Err err(const Result<T>& r) {
  return r.ok() ? Err::kCount : err_of(r.error());
}

// ---- the PRF ----

TEST(Prf12, Tls12Sha256PublishedVector) {
  // "PRF Testvector for TLSv1.2" (IETF TLS mailing list).
  const Bytes secret = from_hex("9bbe436ba940f017b17652849a71db35");
  const Bytes seed = from_hex("a0ba9f936cda311827a6f796ffd5198c");
  const Bytes want = from_hex(
      "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a46b4e"
      "14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d122ee42c5"
      "a72e5a5110fff70187347b66");
  ASSERT_EQ(want.size(), 100u);
  EXPECT_EQ(to_hex(our_prf(Version::TLS12, HashAlg::SHA256, secret, "test label", seed, {}, 100)),
            to_hex(want));
  // The seed may come in two parts; only their concatenation counts.
  EXPECT_EQ(to_hex(our_prf(Version::TLS12, HashAlg::SHA256, secret, "test label",
                           ByteView(seed).first(5), ByteView(seed).subspan(5), 100)),
            to_hex(want));
  // Shorter outputs are prefixes (the stream does not depend on the length asked for).
  for (size_t n : {0u, 1u, 31u, 32u, 33u, 64u, 99u}) {
    EXPECT_EQ(to_hex(our_prf(Version::TLS12, HashAlg::SHA256, secret, "test label", seed, {}, n)),
              to_hex(ByteView(want).first(n)));
  }
}

TEST(Prf12, Sha384MatchesOpenssl) {
  const Bytes secret = pattern(48, 3);
  const Bytes s1 = pattern(32, 9), s2 = pattern(32, 200);
  for (size_t n : {1u, 12u, 48u, 100u, 200u}) {
    const Bytes ours = our_prf(Version::TLS12, HashAlg::SHA384, secret, "key expansion", s1, s2, n);
    const Bytes theirs =
        openssl_prf("SHA2-384", secret, concat({as_bytes("key expansion"), s1, s2}), n);
    EXPECT_EQ(to_hex(ours), to_hex(theirs)) << n;
  }
  // SHA-256 with a secret longer than the HMAC block (hashed first inside HMAC).
  const Bytes long_secret = pattern(150, 77);
  EXPECT_EQ(
      to_hex(our_prf(Version::TLS12, HashAlg::SHA256, long_secret, "master secret", s1, s2, 48)),
      to_hex(
          openssl_prf("SHA2-256", long_secret, concat({as_bytes("master secret"), s1, s2}), 48)));
}

TEST(Prf12, Tls10Md5Sha1MatchesOpenssl) {
  const Bytes s1 = pattern(32, 1), s2 = pattern(32, 100);
  const Bytes seed = concat({as_bytes("client finished"), s1, s2});
  // Even and odd secret lengths (odd: the middle byte is in both halves), empty, one byte.
  for (size_t secret_len : {48u, 47u, 33u, 1u, 0u, 200u}) {
    const Bytes secret = pattern(secret_len, static_cast<uint8_t>(secret_len));
    for (size_t n : {12u, 48u, 104u}) {
      const Bytes ours = our_prf(Version::TLS10, HashAlg::SHA256 /* ignored */, secret,
                                 "client finished", s1, s2, n);
      if (secret_len == 0) {
        // The openssl tool cannot pass an empty secret; just make sure it ran.
        EXPECT_EQ(ours.size(), n);
        continue;
      }
      EXPECT_EQ(to_hex(ours), to_hex(openssl_prf("MD5-SHA1", secret, seed, n)))
          << secret_len << " " << n;
    }
  }
  // TLS 1.1 uses the same PRF.
  const Bytes secret = pattern(48, 5);
  EXPECT_EQ(to_hex(our_prf(Version::TLS11, HashAlg::SHA384, secret, "x", s1, {}, 40)),
            to_hex(our_prf(Version::TLS10, HashAlg::SHA256, secret, "x", s1, {}, 40)));
  // ...which differs from the TLS 1.2 one.
  EXPECT_NE(to_hex(our_prf(Version::TLS12, HashAlg::SHA256, secret, "x", s1, {}, 40)),
            to_hex(our_prf(Version::TLS10, HashAlg::SHA256, secret, "x", s1, {}, 40)));
}

TEST(Prf12, RejectsOtherVersions) {
  Bytes out(12);
  for (Version v : {Version::TLS13, Version::SSLV3, Version::Unknown}) {
    Status st = prf12(v, HashAlg::SHA256, as_bytes("s"), "l", {}, {}, out);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(err_of(st.error()), Err::INVALID_ARGUMENT);
  }
  // No HMAC over MD5-SHA1: the TLS 1.2 PRF cannot use it.
  EXPECT_FALSE(prf12(Version::TLS12, HashAlg::MD5_SHA1, as_bytes("s"), "l", {}, {}, out).ok());
}

TEST(Prf12, MasterSecretsAndFinished) {
  const Bytes pms = pattern(48, 0x30);
  const Bytes cr = pattern(32, 0x11), sr = pattern(32, 0x22);
  const Bytes session_hash = pattern(32, 0x44);

  auto ms = master_secret(Version::TLS12, HashAlg::SHA256, pms, cr, sr);
  ASSERT_TRUE(ms.ok());
  EXPECT_EQ(ms->size(), 48u);
  EXPECT_EQ(to_hex(ms->view()),
            to_hex(openssl_prf("SHA2-256", pms, concat({as_bytes("master secret"), cr, sr}), 48)));

  auto ms10 = master_secret(Version::TLS10, HashAlg::SHA256, pms, cr, sr);
  ASSERT_TRUE(ms10.ok());
  EXPECT_EQ(to_hex(ms10->view()),
            to_hex(openssl_prf("MD5-SHA1", pms, concat({as_bytes("master secret"), cr, sr}), 48)));

  // RFC 7627 4: the session hash replaces the randoms.
  auto ems = extended_master_secret(Version::TLS12, HashAlg::SHA384, pms, session_hash);
  ASSERT_TRUE(ems.ok());
  EXPECT_EQ(ems->size(), 48u);
  EXPECT_EQ(to_hex(ems->view()),
            to_hex(openssl_prf("SHA2-384", pms,
                               concat({as_bytes("extended master secret"), session_hash}), 48)));
  auto ems11 = extended_master_secret(Version::TLS11, HashAlg::SHA384, pms, from_hex("00112233"));
  ASSERT_TRUE(ems11.ok());
  EXPECT_EQ(
      to_hex(ems11->view()),
      to_hex(openssl_prf("MD5-SHA1", pms,
                         concat({as_bytes("extended master secret"), from_hex("00112233")}), 48)));

  // Finished: 12 bytes, the two labels differ.
  const Bytes master = pattern(48, 0x55);
  auto cf = finished12(Version::TLS12, HashAlg::SHA256, master, true, session_hash);
  auto sf = finished12(Version::TLS12, HashAlg::SHA256, master, false, session_hash);
  ASSERT_TRUE(cf.ok());
  ASSERT_TRUE(sf.ok());
  EXPECT_EQ(cf->size(), 12u);
  EXPECT_EQ(sf->size(), 12u);
  EXPECT_EQ(to_hex(*cf),
            to_hex(openssl_prf("SHA2-256", master,
                               concat({as_bytes("client finished"), session_hash}), 12)));
  EXPECT_EQ(to_hex(*sf),
            to_hex(openssl_prf("SHA2-256", master,
                               concat({as_bytes("server finished"), session_hash}), 12)));
  // TLS 1.0: the handshake hash is the 36-byte MD5||SHA1.
  const Bytes hs_hash36 = pattern(36, 0x66);
  auto cf10 = finished12(Version::TLS10, HashAlg::SHA256, master, true, hs_hash36);
  ASSERT_TRUE(cf10.ok());
  EXPECT_EQ(cf10->size(), 12u);
  EXPECT_EQ(to_hex(*cf10),
            to_hex(openssl_prf("MD5-SHA1", master, concat({as_bytes("client finished"), hs_hash36}),
                               12)));
  EXPECT_EQ(err(finished12(Version::TLS13, HashAlg::SHA256, master, true, hs_hash36)),
            Err::INVALID_ARGUMENT);
}

// ---- the key block ----

struct Layout {
  uint16_t suite;
  Version version;
  size_t mac, key, iv;
};

TEST(KeyBlock12, LengthsAndOrderPerSuiteAndVersion) {
  const Layout layouts[] = {
      {0xC02F, Version::TLS12, 0, 16, 4},    // ECDHE-RSA-AES128-GCM-SHA256
      {0xC02B, Version::TLS12, 0, 16, 4},    // ECDHE-ECDSA-AES128-GCM-SHA256
      {0xC030, Version::TLS12, 0, 32, 4},    // ECDHE-RSA-AES256-GCM-SHA384
      {0xCCA8, Version::TLS12, 0, 32, 12},   // ECDHE-RSA-CHACHA20-POLY1305
      {0xCCA9, Version::TLS12, 0, 32, 12},   // ECDHE-ECDSA-CHACHA20-POLY1305
      {0xC013, Version::TLS12, 20, 16, 0},   // ECDHE-RSA-AES128-SHA
      {0xC013, Version::TLS11, 20, 16, 0},   // TLS 1.1: explicit IVs, none in the key block
      {0xC013, Version::TLS10, 20, 16, 16},  // TLS 1.0: the first IV comes from the key block
      {0xC014, Version::TLS10, 20, 32, 16},  // ECDHE-RSA-AES256-SHA
      {0xC027, Version::TLS12, 32, 16, 0},   // ECDHE-RSA-AES128-SHA256
      {0xC028, Version::TLS12, 48, 32, 0},   // ECDHE-RSA-AES256-SHA384
      {0x000A, Version::TLS10, 20, 24, 8},   // DES-CBC3-SHA (3DES: 8-byte blocks)
      {0x0005, Version::TLS12, 20, 16, 0},   // RC4-SHA (stream cipher: no IV)
  };
  const Bytes master = pattern(48, 0x99);
  const Bytes cr = pattern(32, 0x01), sr = pattern(32, 0x02);
  for (const Layout& l : layouts) {
    SCOPED_TRACE(l.suite);
    const policy::CipherSuite* suite = policy::find_suite(l.suite);
    ASSERT_NE(suite, nullptr);
    auto kb = key_block(*suite, l.version, master, cr, sr);
    ASSERT_TRUE(kb.ok()) << kb.error().message();
    for (const DirectionKeys* d : {&kb->client, &kb->server}) {
      EXPECT_EQ(d->mac_key.size(), l.mac);
      EXPECT_EQ(d->enc_key.size(), l.key);
      EXPECT_EQ(d->iv.size(), l.iv);
    }
    // RFC 5246 6.3: PRF(master, "key expansion", server_random + client_random), cut into
    // client MAC, server MAC, client key, server key, client IV, server IV.
    const size_t total = 2 * (l.mac + l.key + l.iv);
    const std::string digest = l.version == Version::TLS12
                                   ? (suite->hash == HashAlg::SHA384 ? "SHA2-384" : "SHA2-256")
                                   : "MD5-SHA1";
    const Bytes want =
        openssl_prf(digest, master, concat({as_bytes("key expansion"), sr, cr}), total);
    ASSERT_EQ(want.size(), total);
    const Bytes got = concat({kb->client.mac_key, kb->server.mac_key, kb->client.enc_key,
                              kb->server.enc_key, kb->client.iv, kb->server.iv});
    EXPECT_EQ(to_hex(got), to_hex(want));
  }
}

TEST(KeyBlock12, RejectsImpossibleCombinations) {
  const Bytes master = pattern(48, 0x99);
  const Bytes cr = pattern(32, 0x01), sr = pattern(32, 0x02);
  // AEAD suites exist only from TLS 1.2; TLS 1.3 suites have no key block.
  EXPECT_EQ(err(key_block(*policy::find_suite(0xC02F), Version::TLS11, master, cr, sr)),
            Err::INVALID_ARGUMENT);
  EXPECT_EQ(err(key_block(*policy::find_suite(0x1301), Version::TLS12, master, cr, sr)),
            Err::INVALID_ARGUMENT);
  EXPECT_EQ(err(key_block(*policy::find_suite(0xC013), Version::TLS13, master, cr, sr)),
            Err::INVALID_ARGUMENT);
}

// ---- legacy hashes and signatures ----

TEST(Legacy10Crypto, Md5Sha1IsTheConcatenation) {
  EXPECT_EQ(crypto::hash_size(HashAlg::MD5_SHA1), 36u);
  for (std::string_view m : {"", "abc",
                             "a longer message that spans more than one block of the "
                             "compression function, 64 bytes"}) {
    auto both = crypto::hash_once(HashAlg::MD5_SHA1, as_bytes(m));
    auto md5 = crypto::hash_once(HashAlg::MD5, as_bytes(m));
    auto sha1 = crypto::hash_once(HashAlg::SHA1, as_bytes(m));
    ASSERT_TRUE(both.ok() && md5.ok() && sha1.ok());
    EXPECT_EQ(to_hex(both->view()), to_hex(md5->view()) + to_hex(sha1->view()));
    auto h = crypto::Hash::create(HashAlg::MD5_SHA1);
    ASSERT_TRUE(h.ok());
    ASSERT_TRUE(h->update(as_bytes(m)).ok());
    EXPECT_EQ(to_hex(h->peek()->view()), to_hex(both->view()));
  }
  EXPECT_EQ(to_hex(crypto::hash_once(HashAlg::MD5_SHA1, as_bytes("abc"))->view()),
            "900150983cd24fb0d6963f7d28e17f72a9993e364706816aba3e25717850c26c9cd0d89d");
  // HMAC over MD5-SHA1 is not a thing.
  EXPECT_EQ(err(crypto::hmac(HashAlg::MD5_SHA1, as_bytes("k"), as_bytes("m"))),
            Err::INVALID_ARGUMENT);
  EXPECT_EQ(err(crypto::Hmac::create(HashAlg::MD5_SHA1, as_bytes("k"))), Err::INVALID_ARGUMENT);
}

// The CBC record MAC over a secret-length content: equal to the plain HMAC of
// prefix || data[0, len) for every len in [min_len, data.size()], across block boundaries,
// and the Hmac is ready for the next message afterwards.
TEST(Legacy10Crypto, SecretLengthHmacMatchesPlainHmac) {
  for (HashAlg a : {HashAlg::SHA1, HashAlg::SHA256, HashAlg::SHA384}) {
    const Bytes key = pattern(crypto::hash_size(a), 0x17);
    for (size_t prefix_len : {0, 13}) {
      for (size_t data_len : {0, 1, 55, 64, 200, 300, 700}) {
        const Bytes prefix = pattern(prefix_len, 0x30);
        const Bytes data = pattern(data_len, 0x51);
        const size_t min_len = data_len > 255 ? data_len - 255 : 0;
        auto mac = crypto::Hmac::create(a, key);
        ASSERT_TRUE(mac.ok());
        for (size_t len = min_len; len <= data_len; ++len) {
          auto got = mac->finish_secret_length(prefix, data, len, min_len);
          ASSERT_TRUE(got.ok());
          Bytes msg = prefix;
          msg.insert(msg.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(len));
          ASSERT_EQ(to_hex(got->view()), to_hex(crypto::hmac(a, key, msg)->view()))
              << "hash " << static_cast<int>(a) << " prefix " << prefix_len << " data " << data_len
              << " len " << len;
        }
        ASSERT_TRUE(mac->update(as_bytes("next")).ok());
        EXPECT_EQ(to_hex(mac->finish()->view()),
                  to_hex(crypto::hmac(a, key, as_bytes("next"))->view()));
      }
    }
  }
  auto mac = crypto::Hmac::create(HashAlg::MD5, as_bytes("k"));
  ASSERT_TRUE(mac.ok());
  EXPECT_EQ(err(mac->finish_secret_length({}, as_bytes("m"), 1, 0)), Err::INVALID_ARGUMENT);
  auto sha = crypto::Hmac::create(HashAlg::SHA256, as_bytes("k"));
  EXPECT_EQ(err(sha->finish_secret_length({}, as_bytes("m"), 1, 2)), Err::INVALID_ARGUMENT);
}

TEST(Legacy10Crypto, HmacStateMatchesOneShot) {
  for (HashAlg a : {HashAlg::SHA1, HashAlg::SHA256, HashAlg::SHA384, HashAlg::MD5}) {
    const Bytes key = pattern(a == HashAlg::SHA384 ? 200 : 20, 0x42);  // long key: hashed first
    auto mac = crypto::Hmac::create(a, key);
    ASSERT_TRUE(mac.ok());
    EXPECT_EQ(mac->alg(), a);
    // Several messages in a row: each finish() starts over with the same key.
    for (int i = 0; i < 3; ++i) {
      const Bytes m = pattern(static_cast<size_t>(50 * i), static_cast<uint8_t>(i));
      ASSERT_TRUE(mac->update(ByteView(m).first(m.size() / 2)).ok());
      ASSERT_TRUE(mac->update(ByteView(m).subspan(m.size() / 2)).ok());
      auto got = mac->finish();
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(to_hex(got->view()), to_hex(crypto::hmac(a, key, m)->view()));
    }
    // Moved-from objects fail cleanly; the target works.
    crypto::Hmac moved = std::move(*mac);
    EXPECT_FALSE(mac->update(as_bytes("x")).ok());
    ASSERT_TRUE(moved.update(as_bytes("x")).ok());
    EXPECT_EQ(to_hex(moved.finish()->view()), to_hex(crypto::hmac(a, key, as_bytes("x"))->view()));
  }
  // RFC 2202 test case 2 (HMAC-SHA1, key "Jefe").
  auto mac = crypto::Hmac::create(HashAlg::SHA1, as_bytes("Jefe"));
  ASSERT_TRUE(mac.ok());
  ASSERT_TRUE(mac->update(as_bytes("what do ya want for nothing?")).ok());
  EXPECT_EQ(to_hex(mac->finish()->view()), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(Legacy10Crypto, HashBlockCounts) {
  // SHA-1/SHA-256: 64-byte blocks and an 8-byte length: 55 bytes fit one block, 56 do not.
  for (HashAlg a : {HashAlg::SHA1, HashAlg::SHA256, HashAlg::MD5}) {
    EXPECT_EQ(crypto::hash_block_size(a), 64u);
    EXPECT_EQ(crypto::hash_blocks(a, 0), 1u);
    EXPECT_EQ(crypto::hash_blocks(a, 55), 1u);
    EXPECT_EQ(crypto::hash_blocks(a, 56), 2u);
    EXPECT_EQ(crypto::hash_blocks(a, 119), 2u);
    EXPECT_EQ(crypto::hash_blocks(a, 120), 3u);
  }
  // SHA-384: 128-byte blocks and a 16-byte length: 111 fit, 112 do not.
  EXPECT_EQ(crypto::hash_block_size(HashAlg::SHA384), 128u);
  EXPECT_EQ(crypto::hash_blocks(HashAlg::SHA384, 111), 1u);
  EXPECT_EQ(crypto::hash_blocks(HashAlg::SHA384, 112), 2u);
  EXPECT_EQ(crypto::hash_blocks(HashAlg::SHA384, 239), 2u);
  EXPECT_EQ(crypto::hash_blocks(HashAlg::SHA384, 240), 3u);
}

TEST(Legacy10Crypto, HashReset) {
  auto h = crypto::Hash::create(HashAlg::SHA256);
  ASSERT_TRUE(h.ok());
  ASSERT_TRUE(h->update(as_bytes("junk")).ok());
  ASSERT_TRUE(h->reset().ok());
  ASSERT_TRUE(h->update(as_bytes("abc")).ok());
  EXPECT_EQ(to_hex(h->peek()->view()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(Legacy10Crypto, RsaMd5Sha1SignatureHasNoDigestInfo) {
  const std::string dir = SNR_TEST_DATA_DIR;
  auto key = crypto::PrivateKey::from_pem(read_text(dir + "/rsa2048-key.pem"));
  ASSERT_TRUE(key.ok());
  const std::string msg = "client_random || server_random || ServerECDHParams";
  const crypto::SigParams params{crypto::SigKind::RSA_PKCS1, HashAlg::MD5_SHA1};
  auto sig = key->sign(params, as_bytes(msg));
  ASSERT_TRUE(sig.ok()) << sig.error().message();
  EXPECT_EQ(sig->size(), 256u);

  // Independently: RSA-recover the signature with the certificate's public key; PKCS#1 v1.5
  // type 1 padding must wrap exactly MD5(m) || SHA1(m), with no DigestInfo around it.
  const std::filesystem::path tmp =
      std::filesystem::temp_directory_path() / ("snr_prf12_sig_" + std::to_string(getpid()));
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(reinterpret_cast<const char*>(sig->data()),
              static_cast<std::streamsize>(sig->size()));
  }
  auto recovered = capture("openssl pkeyutl -verifyrecover -certin -inkey " + dir +
                           "/rsa2048-cert.pem -pkeyopt rsa_padding_mode:pkcs1 -in " + tmp.string() +
                           " | od -An -v -tx1");
  std::filesystem::remove(tmp);
  ASSERT_TRUE(recovered.has_value());
  EXPECT_EQ(to_hex(from_hex(*recovered)),
            to_hex(crypto::hash_once(HashAlg::MD5_SHA1, as_bytes(msg))->view()));

  // Our own verification accepts it and rejects a changed message.
  auto der = capture("openssl x509 -in " + dir + "/rsa2048-cert.pem -outform DER | od -An -v -tx1");
  ASSERT_TRUE(der.has_value());
  auto pub = crypto::PublicKey::from_certificate(from_hex(*der));
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->verify(params, as_bytes(msg), *sig).ok());
  EXPECT_FALSE(pub->verify(params, as_bytes("another message"), *sig).ok());
  // A SHA-1 PKCS#1 signature (with DigestInfo) is a different signature.
  EXPECT_FALSE(pub->verify({crypto::SigKind::RSA_PKCS1, HashAlg::SHA1}, as_bytes(msg), *sig).ok());

  // MD5-SHA1 only goes with RSA PKCS#1 v1.5.
  auto ec = crypto::PrivateKey::from_pem(read_text(dir + "/ecdsa-p256-key.pem"));
  ASSERT_TRUE(ec.ok());
  EXPECT_FALSE(ec->sign({crypto::SigKind::ECDSA, HashAlg::MD5_SHA1}, as_bytes(msg)).ok());
  EXPECT_TRUE(ec->sign({crypto::SigKind::ECDSA, HashAlg::SHA1}, as_bytes(msg)).ok());
  EXPECT_FALSE(key->sign({crypto::SigKind::RSA_PSS, HashAlg::MD5_SHA1}, as_bytes(msg)).ok());
}

}  // namespace
}  // namespace snr::keys
