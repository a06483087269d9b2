// The TLS 1.2 key exchange primitives: finite-field DHE (crypto/dh.hpp) and the RSA key
// exchange with its Bleichenbacher countermeasure (crypto/rsa_kx.hpp). Raw RSA ciphertexts of
// hand-made encoded messages come from the openssl command-line tool (tests must not include
// OpenSSL headers); it also cross-checks the client's encryption.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "crypto/dh.hpp"
#include "crypto/pkey.hpp"
#include "crypto/random.hpp"
#include "crypto/rsa_kx.hpp"
#include "crypto/x509.hpp"
#include "test_bytes.hpp"
#include "util/bytes.hpp"
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

std::string data_path(const std::string& name) {
  return std::string(SNR_TEST_DATA_DIR) + "/" + name;
}

Bytes random48() {
  Bytes b(48);
  EXPECT_TRUE(random_bytes(b).ok());
  return b;
}

// ---- DH parameters as PEM ----

// RFC 7919 ffdhe2048, as `openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048`
// writes it.
constexpr const char* kFfdhe2048Pem =
    "-----BEGIN DH PARAMETERS-----\n"
    "MIIBCAKCAQEA//////////+t+FRYortKmq/cViAnPTzx2LnFg84tNpWp4TZBFGQz\n"
    "+8yTnc4kmz75fS/jY2MMddj2gbICrsRhetPfHtXV/WVhJDP1H18GbtCFY2VVPe0a\n"
    "87VXE15/V8k1mE8McODmi3fipona8+/och3xWKE2rec1MKzKT0g6eXq8CrGCsyT7\n"
    "YdEIqUuyyOP7uWrat2DX9GgdT0Kj3jlN9K5W7edjcrsZCwenyO4KbXCeAvzhzffi\n"
    "7MA0BM0oNC9hkXL+nOmFg/+OTxIy7vKBg8P+OxtMb61zO7X8vC7CIAXFjvGDfRaD\n"
    "ssbzSibBsu/6iGtCOGEoXJf//////////wIBAg==\n"
    "-----END DH PARAMETERS-----\n";

// RFC 7919 Appendix A.1: the ffdhe2048 prime.
const Bytes kFfdhe2048P = from_hex(
    "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B"
    "3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E"
    "7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108"
    "A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D709E02FCE1CDF7E2EC"
    "C03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005C58EF1837D16"
    "83B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF");

std::string base64(ByteView in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = static_cast<uint32_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint32_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= in[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// A DER length field (definite, minimal).
Bytes der_len(size_t n) {
  if (n < 0x80) return {static_cast<uint8_t>(n)};
  if (n < 0x100) return {0x81, static_cast<uint8_t>(n)};
  return {0x82, static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
}

// DER of a non-negative INTEGER from big-endian magnitude bytes.
Bytes der_integer(const Bytes& magnitude) {
  Bytes v = magnitude;
  if (v.empty() || (v[0] & 0x80) != 0) v.insert(v.begin(), 0);
  return cat({Bytes{0x02}, der_len(v.size()), v});
}

// PKCS#3 DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER }, as PEM with 64-column
// lines.
std::string dh_pem(const Bytes& p, const Bytes& g) {
  const Bytes body = cat({der_integer(p), der_integer(g)});
  const std::string b64 = base64(cat({Bytes{0x30}, der_len(body.size()), body}));
  std::string pem = "-----BEGIN DH PARAMETERS-----\n";
  for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
  return pem + "-----END DH PARAMETERS-----\n";
}

std::shared_ptr<const DhParams> ffdhe2048() {
  auto params = DhParams::from_pem(kFfdhe2048Pem);
  EXPECT_TRUE(params.ok()) << params.error().message();
  return params.ok() ? *params : nullptr;
}

// p - n for small n (p ends in 0xff, so no borrow).
Bytes p_minus(uint8_t n) {
  Bytes v = kFfdhe2048P;
  v.back() = static_cast<uint8_t>(v.back() - n);
  return v;
}
// A value just above p: the first byte below the leading ones, plus one.
Bytes p_above() {
  Bytes v = kFfdhe2048P;
  v[8] = static_cast<uint8_t>(v[8] + 1);
  return v;
}

// ---- DhParams ----

TEST(DhParams, Ffdhe2048FromPem) {
  auto params = ffdhe2048();
  ASSERT_NE(params, nullptr);
  EXPECT_EQ(params->bits(), 2048u);
  EXPECT_EQ(to_bytes(params->p()), kFfdhe2048P);
  EXPECT_EQ(to_bytes(params->g()), Bytes{2});
}

TEST(DhParams, HandBuiltPemMatchesOpenssl) {
  // Keeps dh_pem() honest: it must produce what openssl wrote for the same group.
  EXPECT_EQ(dh_pem(kFfdhe2048P, Bytes{2}), kFfdhe2048Pem);
}

TEST(DhParams, RejectsWeakOrBrokenParameters) {
  // Not DH parameters at all.
  EXPECT_EQ(err(DhParams::from_pem("")), Err::INVALID_ARGUMENT);
  EXPECT_EQ(err(DhParams::from_pem("-----BEGIN DH PARAMETERS-----\nAAAA\n-----END DH "
                                   "PARAMETERS-----\n")),
            Err::INVALID_ARGUMENT);
  EXPECT_EQ(err(DhParams::from_pem(read_text(data_path("rsa2048-key.pem")))),
            Err::INVALID_ARGUMENT);
  const std::string ec_params =
      "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
  EXPECT_EQ(err(DhParams::from_pem(ec_params)), Err::INVALID_ARGUMENT);

  // A 1024-bit and a 2047-bit modulus: too small.
  Bytes p1024(kFfdhe2048P.begin(), kFfdhe2048P.begin() + 128);
  p1024.back() |= 1;
  EXPECT_EQ(err(DhParams::from_pem(dh_pem(p1024, Bytes{2}))), Err::INVALID_ARGUMENT);
  Bytes p2047 = kFfdhe2048P;
  p2047[0] = 0x7f;
  EXPECT_EQ(err(DhParams::from_pem(dh_pem(p2047, Bytes{2}))), Err::INVALID_ARGUMENT);

  // Even p; generator 0, 1, p-1, p.
  EXPECT_EQ(err(DhParams::from_pem(dh_pem(p_minus(1), Bytes{2}))), Err::INVALID_ARGUMENT);
  for (const Bytes& g : {Bytes{0}, Bytes{1}, p_minus(1), kFfdhe2048P, p_above()}) {
    EXPECT_EQ(err(DhParams::from_pem(dh_pem(kFfdhe2048P, g))), Err::INVALID_ARGUMENT);
  }
}

// ---- DhKey ----

// Server with configured params, client with the params from the ServerKeyExchange.
void expect_agreement(const DhParams& params) {
  auto server = DhKey::generate(params);
  ASSERT_TRUE(server.ok()) << server.error().message();
  auto client = DhKey::generate(params.p(), params.g());
  ASSERT_TRUE(client.ok()) << client.error().message();
  EXPECT_EQ(server->public_key().size(), params.p().size());
  EXPECT_EQ(client->public_key().size(), params.p().size());
  EXPECT_NE(to_bytes(server->public_key()), to_bytes(client->public_key()));

  auto s = server->derive(client->public_key());
  ASSERT_TRUE(s.ok()) << s.error().message();
  auto c = client->derive(server->public_key());
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_EQ(to_bytes(s->view()), to_bytes(c->view()));
  ASSERT_FALSE(s->empty());
  EXPECT_LE(s->size(), params.p().size());
  EXPECT_NE((*s)[0], 0) << "leading zeros must be stripped";
}

TEST(DhKey, TwoPartiesAgree) {
  auto params = ffdhe2048();
  ASSERT_NE(params, nullptr);
  for (int i = 0; i < 4; ++i) expect_agreement(*params);
}

TEST(DhKey, GroupUnknownToLibcrypto) {
  // The ffdhe2048 prime with generator 5 is no named group, so libcrypto knows no subgroup
  // order and takes its generic path.
  auto params = DhParams::from_pem(dh_pem(kFfdhe2048P, Bytes{5}));
  ASSERT_TRUE(params.ok()) << params.error().message();
  EXPECT_EQ(to_bytes((*params)->g()), Bytes{5});
  expect_agreement(**params);
}

TEST(DhKey, FreshKeysEachTime) {
  auto params = ffdhe2048();
  ASSERT_NE(params, nullptr);
  auto a = DhKey::generate(*params);
  auto b = DhKey::generate(*params);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(to_bytes(a->public_key()), to_bytes(b->public_key()));
}

TEST(DhKey, PremasterIsStrippedAndShortPeerValuesWork) {
  // With the peer value g, the "shared secret" is g^x mod p: our own public value. That makes
  // the stripping visible without knowing the private key: public_key() is padded, the
  // premaster is not. The peer value {2} also shows that values without padding are fine.
  auto params = ffdhe2048();
  ASSERT_NE(params, nullptr);
  for (int i = 0; i < 3; ++i) {
    auto key = DhKey::generate(*params);
    ASSERT_TRUE(key.ok());
    Bytes expected = to_bytes(key->public_key());
    while (!expected.empty() && expected[0] == 0) expected.erase(expected.begin());
    auto z = key->derive(Bytes{2});
    ASSERT_TRUE(z.ok()) << z.error().message();
    EXPECT_EQ(to_bytes(z->view()), expected);
    Bytes padded_g(params->p().size(), 0);
    padded_g.back() = 2;
    auto z2 = key->derive(padded_g);
    ASSERT_TRUE(z2.ok());
    EXPECT_EQ(to_bytes(z2->view()), expected);
  }
}

TEST(DhKey, BadPeerValuesAreRejected) {
  auto params = ffdhe2048();
  ASSERT_NE(params, nullptr);
  auto key = DhKey::generate(*params);
  ASSERT_TRUE(key.ok());
  auto peer = DhKey::generate(*params);
  ASSERT_TRUE(peer.ok());
  const size_t plen = params->p().size();
  auto padded = [&](uint8_t last) {
    Bytes v(plen, 0);
    v.back() = last;
    return v;
  };
  struct Case {
    const char* what;
    Bytes value;
  };
  const Case cases[] = {
      {"empty", Bytes{}},
      {"0", Bytes{0}},
      {"0, padded", padded(0)},
      {"1", Bytes{1}},
      {"1, padded", padded(1)},
      {"p - 1", p_minus(1)},
      {"p", kFfdhe2048P},
      {"just above p", p_above()},
      {"all ones", Bytes(plen, 0xff)},
      // Longer than p, even though the value itself is fine.
      {"leading zero beyond len(p)", cat({Bytes{0}, to_bytes(peer->public_key())})},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(err(key->derive(c.value)), Err::BAD_KEY_SHARE) << c.what;
  }
  // p - 2 is the largest acceptable value.
  EXPECT_TRUE(key->derive(p_minus(2)).ok());
  EXPECT_TRUE(key->derive(peer->public_key()).ok());
}

TEST(DhKey, ClientRejectsBadServerGroups) {
  const Bytes g{2};
  // Too small: 1024 and 2047 bits.
  Bytes p1024(kFfdhe2048P.begin(), kFfdhe2048P.begin() + 128);
  p1024.back() |= 1;
  EXPECT_EQ(err(DhKey::generate(p1024, g)), Err::ILLEGAL_PARAMETER);
  Bytes p2047 = kFfdhe2048P;
  p2047[0] = 0x7f;
  EXPECT_EQ(err(DhKey::generate(p2047, g)), Err::ILLEGAL_PARAMETER);
  EXPECT_EQ(err(DhKey::generate(Bytes{}, g)), Err::ILLEGAL_PARAMETER);
  // Too large: 8200 bits.
  Bytes huge(1025, 0xff);
  EXPECT_EQ(err(DhKey::generate(huge, g)), Err::ILLEGAL_PARAMETER);
  // Even p.
  EXPECT_EQ(err(DhKey::generate(p_minus(1), g)), Err::ILLEGAL_PARAMETER);
  // Generators out of range.
  for (const Bytes& bad_g : {Bytes{}, Bytes{0}, Bytes{1}, p_minus(1), kFfdhe2048P, p_above()}) {
    EXPECT_EQ(err(DhKey::generate(kFfdhe2048P, bad_g)), Err::ILLEGAL_PARAMETER);
  }
  // A leading zero on p does not change the group.
  auto ok = DhKey::generate(cat({Bytes{0}, kFfdhe2048P}), g);
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_EQ(ok->public_key().size(), kFfdhe2048P.size());
}

TEST(DhKey, MovedFromKeyIsInert) {
  auto params = ffdhe2048();
  ASSERT_NE(params, nullptr);
  auto a = DhKey::generate(*params);
  ASSERT_TRUE(a.ok());
  DhKey b = std::move(*a);
  auto peer = DhKey::generate(*params);
  ASSERT_TRUE(peer.ok());
  EXPECT_TRUE(b.derive(peer->public_key()).ok());
  EXPECT_EQ(err(a->derive(peer->public_key())), Err::INVALID_STATE);
}

TEST(DhKey, SharedParamsAcrossThreads) {
  auto params = ffdhe2048();
  ASSERT_NE(params, nullptr);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto s = DhKey::generate(*params);
        auto c = DhKey::generate(params->p(), params->g());
        if (!s.ok() || !c.ok()) {
          ++failures[t];
          continue;
        }
        auto zs = s->derive(c->public_key());
        auto zc = c->derive(s->public_key());
        if (!zs.ok() || !zc.ok() || to_bytes(zs->view()) != to_bytes(zc->view())) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

// ---- RSA key exchange ----

class RsaKx : public testing::Test {
 protected:
  void SetUp() override {
    auto chain = pem_to_der_chain(read_text(data_path("rsa2048-cert.pem")));
    ASSERT_TRUE(chain.ok());
    auto pub = PublicKey::from_certificate(chain->at(0));
    ASSERT_TRUE(pub.ok());
    pub_ = std::make_unique<PublicKey>(*pub);
    auto key = PrivateKey::from_pem(read_text(data_path("rsa2048-key.pem")));
    ASSERT_TRUE(key.ok());
    key_ = std::make_unique<PrivateKey>(*key);
    ASSERT_EQ(key_->bits(), 2048u);

    std::string tmpl = (std::filesystem::temp_directory_path() / "snr-rsakx-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Textbook RSA of a hand-made 256-byte encoded message, by the openssl tool.
  Bytes raw_encrypt(const Bytes& em) {
    const std::string in = dir_ + "/em.bin", out = dir_ + "/c.bin";
    {
      std::ofstream f(in, std::ios::binary);
      f.write(reinterpret_cast<const char*>(em.data()), static_cast<std::streamsize>(em.size()));
    }
    const std::string cmd = "openssl pkeyutl -encrypt -certin -inkey " +
                            data_path("rsa2048-cert.pem") + " -pkeyopt rsa_padding_mode:none -in " +
                            in + " -out " + out + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      ADD_FAILURE() << "openssl pkeyutl failed";
      return {};
    }
    const std::string c = read_text(out);
    return Bytes(c.begin(), c.end());
  }

  // 00 02 PS 00 premaster, PS non-zero, sized to the 2048-bit modulus.
  static Bytes encoded(const Bytes& premaster) {
    constexpr size_t kSep = 256 - 49;
    Bytes em(256, 0);
    em[1] = 0x02;
    for (size_t i = 2; i < kSep; ++i) em[i] = static_cast<uint8_t>(1 + (i * 37) % 255);
    std::copy(premaster.begin(), premaster.end(), em.begin() + kSep + 1);
    return em;
  }

  static Bytes premaster(uint16_t version) {
    Bytes pm = random48();
    pm[0] = static_cast<uint8_t>(version >> 8);
    pm[1] = static_cast<uint8_t>(version);
    return pm;
  }

  // Decrypting must succeed and return exactly `want`.
  void expect_premaster(const Bytes& ciphertext, uint16_t version, const Bytes& fallback,
                        const Bytes& want) {
    auto r = rsa_decrypt_premaster(*key_, ciphertext, version, fallback);
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(to_bytes(r->view()), want);
  }

  std::unique_ptr<PublicKey> pub_;
  std::unique_ptr<PrivateKey> key_;
  std::string dir_;
};

TEST_F(RsaKx, ClientEncryptServerDecrypt) {
  for (uint16_t version : {uint16_t{0x0303}, uint16_t{0x0301}}) {
    const Bytes pm = premaster(version);
    auto c = rsa_encrypt_premaster(*pub_, pm);
    ASSERT_TRUE(c.ok()) << c.error().message();
    EXPECT_EQ(c->size(), 256u);
    const Bytes fallback = random48();
    expect_premaster(*c, version, fallback, pm);
    // PKCS#1 v1.5 encryption is randomized.
    auto c2 = rsa_encrypt_premaster(*pub_, pm);
    ASSERT_TRUE(c2.ok());
    EXPECT_NE(*c, *c2);
    expect_premaster(*c2, version, fallback, pm);
  }
}

TEST_F(RsaKx, OpensslDecryptsWhatTheClientSends) {
  const Bytes pm = premaster(0x0303);
  auto c = rsa_encrypt_premaster(*pub_, pm);
  ASSERT_TRUE(c.ok());
  const std::string in = dir_ + "/epms.bin", out = dir_ + "/pms.bin";
  {
    std::ofstream f(in, std::ios::binary);
    f.write(reinterpret_cast<const char*>(c->data()), static_cast<std::streamsize>(c->size()));
  }
  const std::string cmd = "openssl pkeyutl -decrypt -inkey " + data_path("rsa2048-key.pem") +
                          " -pkeyopt rsa_padding_mode:pkcs1 -in " + in + " -out " + out +
                          " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string got = read_text(out);
  EXPECT_EQ(Bytes(got.begin(), got.end()), pm);
}

TEST_F(RsaKx, HandEncodedMessageDecrypts) {
  const Bytes pm = premaster(0x0303);
  const Bytes c = raw_encrypt(encoded(pm));
  ASSERT_EQ(c.size(), 256u);
  expect_premaster(c, 0x0303, random48(), pm);
}

TEST_F(RsaKx, BadPaddingGivesTheFallback) {
  const Bytes pm = premaster(0x0303);
  const Bytes fallback = random48();
  const Bytes good = encoded(pm);
  const size_t sep = 256 - 49;
  struct Case {
    const char* what;
    size_t at;
    uint8_t value;
  };
  const Case cases[] = {
      {"first byte not 00", 0, 0x01},
      {"block type 01", 1, 0x01},
      {"block type 00", 1, 0x00},
      {"zero in the first padding byte", 2, 0x00},
      {"zero in the eighth padding byte", 9, 0x00},
      {"zero inside the padding (longer message)", 100, 0x00},
      {"zero just before the separator (message of 49 bytes)", sep - 1, 0x00},
      {"no separator where it must be", sep, 0x01},
      {"version major wrong", sep + 1, 0x02},
      {"version minor wrong", sep + 2, 0x01},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.what);
    Bytes em = good;
    em[tc.at] = tc.value;
    const Bytes c = raw_encrypt(em);
    ASSERT_EQ(c.size(), 256u);
    expect_premaster(c, 0x0303, fallback, fallback);
  }
  // No zero at all after the block type: no separator anywhere.
  Bytes no_sep = good;
  for (size_t i = 2; i < no_sep.size(); ++i) no_sep[i] |= 1;
  expect_premaster(raw_encrypt(no_sep), 0x0303, fallback, fallback);
}

TEST_F(RsaKx, VersionMustMatchTheClientHello) {
  // The client encrypted 03 03 but the ClientHello said TLS 1.1, or the other way round (a
  // version rollback attempt).
  const Bytes fallback = random48();
  auto c = rsa_encrypt_premaster(*pub_, premaster(0x0303));
  ASSERT_TRUE(c.ok());
  expect_premaster(*c, 0x0302, fallback, fallback);
  auto c2 = rsa_encrypt_premaster(*pub_, premaster(0x0302));
  ASSERT_TRUE(c2.ok());
  expect_premaster(*c2, 0x0303, fallback, fallback);
}

TEST_F(RsaKx, CorruptedCiphertextGivesTheFallback) {
  const Bytes pm = premaster(0x0303);
  auto c = rsa_encrypt_premaster(*pub_, pm);
  ASSERT_TRUE(c.ok());
  const Bytes fallback = random48();
  for (size_t at : {size_t{0}, size_t{1}, size_t{128}, size_t{255}}) {
    Bytes bad = *c;
    bad[at] ^= 0x01;
    expect_premaster(bad, 0x0303, fallback, fallback);
  }
  // Not below the modulus (all ones), and zero.
  expect_premaster(Bytes(256, 0xff), 0x0303, fallback, fallback);
  expect_premaster(Bytes(256, 0x00), 0x0303, fallback, fallback);
}

TEST_F(RsaKx, ErrorsOnlyForPublicProblems) {
  const Bytes fallback = random48();
  auto c = rsa_encrypt_premaster(*pub_, premaster(0x0303));
  ASSERT_TRUE(c.ok());
  // Wrong ciphertext length.
  EXPECT_EQ(err(rsa_decrypt_premaster(*key_, Bytes{}, 0x0303, fallback)), Err::DECODE);
  EXPECT_EQ(err(rsa_decrypt_premaster(*key_, ByteView(*c).first(255), 0x0303, fallback)),
            Err::DECODE);
  EXPECT_EQ(err(rsa_decrypt_premaster(*key_, cat({*c, Bytes{0}}), 0x0303, fallback)), Err::DECODE);
  EXPECT_EQ(err(rsa_decrypt_premaster(*key_, cat({Bytes{0}, *c}), 0x0303, fallback)), Err::DECODE);
  // Caller mistakes.
  EXPECT_EQ(err(rsa_decrypt_premaster(*key_, *c, 0x0303, ByteView(fallback).first(47))),
            Err::INVALID_ARGUMENT);
  EXPECT_EQ(err(rsa_encrypt_premaster(*pub_, ByteView(fallback).first(47))), Err::INVALID_ARGUMENT);
  EXPECT_EQ(err(rsa_encrypt_premaster(*pub_, cat({fallback, Bytes{0}}))), Err::INVALID_ARGUMENT);
}

TEST_F(RsaKx, OnlyRsaEncryptionKeys) {
  const Bytes pm = premaster(0x0303);
  auto c = rsa_encrypt_premaster(*pub_, pm);
  ASSERT_TRUE(c.ok());
  for (const char* name : {"ecdsa-p256", "rsapss", "ed25519"}) {
    SCOPED_TRACE(name);
    auto chain = pem_to_der_chain(read_text(data_path(std::string(name) + "-cert.pem")));
    ASSERT_TRUE(chain.ok());
    auto pub = PublicKey::from_certificate(chain->at(0));
    ASSERT_TRUE(pub.ok());
    EXPECT_EQ(err(rsa_encrypt_premaster(*pub, pm)), Err::CERT_TYPE_UNSUPPORTED);
    auto key = PrivateKey::from_pem(read_text(data_path(std::string(name) + "-key.pem")));
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(err(rsa_decrypt_premaster(*key, *c, 0x0303, random48())), Err::INVALID_ARGUMENT);
  }
}

}  // namespace
}  // namespace snr::crypto
