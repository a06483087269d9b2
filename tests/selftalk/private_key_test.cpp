// Private-key offload (Config::Builder::set_private_key_callback, load_public_pem): every
// private-key use (TLS 1.3 CertificateVerify both sides, TLS 1.2 ServerKeyExchange, client
// CertificateVerify and the RSA premaster decryption) through the application, synchronously,
// pending (set_output later) and as a future; the failures a broken offload can cause.
// The "application" here signs and decrypts with libcrypto directly, as an HSM client would.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/connection_state.hpp"
#include "pair.hpp"
#include "util/alerts.hpp"
#include "util/error_code.hpp"

namespace snr::test {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using AppKey = std::shared_ptr<EVP_PKEY>;

AppKey load_key(const std::string& kind) {
  const std::string pem = read_file(data_path(kind + "-key.pem"));
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!k) throw std::runtime_error("cannot read " + kind);
  return AppKey(k, PkeyFree());
}

const EVP_MD* md_of(HashAlgorithm h) {
  switch (h) {
    case HashAlgorithm::MD5:
      return EVP_md5();
    case HashAlgorithm::SHA1:
      return EVP_sha1();
    case HashAlgorithm::SHA224:
      return EVP_sha224();
    case HashAlgorithm::SHA256:
      return EVP_sha256();
    case HashAlgorithm::SHA384:
      return EVP_sha384();
    case HashAlgorithm::SHA512:
      return EVP_sha512();
    case HashAlgorithm::MD5_SHA1:
      return EVP_md5_sha1();
    case HashAlgorithm::None:
      break;
  }
  return nullptr;
}

// What an offload service does with an operation.
std::vector<uint8_t> perform(EVP_PKEY* key, const PrivateKeyOperation& op) {
  std::vector<uint8_t> out;
  auto in = op.input();
  if (op.kind() == PrivateKeyOperation::Kind::Decrypt) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
    size_t len = 0;
    if (EVP_PKEY_decrypt_init(ctx) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
        EVP_PKEY_decrypt(ctx, nullptr, &len, in.data(), in.size()) == 1) {
      out.resize(len);
      if (EVP_PKEY_decrypt(ctx, out.data(), &len, in.data(), in.size()) == 1) {
        out.resize(len);
      } else {
        out.clear();
      }
    }
    EVP_PKEY_CTX_free(ctx);
    return out;
  }
  if (op.signature_algorithm() == SignatureAlgorithm::ED25519) {
    EVP_MD_CTX* mctx = EVP_MD_CTX_new();
    size_t len = 0;
    if (EVP_DigestSignInit(mctx, nullptr, nullptr, nullptr, key) == 1 &&
        EVP_DigestSign(mctx, nullptr, &len, in.data(), in.size()) == 1) {
      out.resize(len);
      if (EVP_DigestSign(mctx, out.data(), &len, in.data(), in.size()) == 1) out.resize(len);
    }
    EVP_MD_CTX_free(mctx);
    return out;
  }
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  bool ok = EVP_PKEY_sign_init(ctx) == 1 &&
            EVP_PKEY_CTX_set_signature_md(ctx, md_of(op.hash_algorithm())) == 1;
  const SignatureAlgorithm alg = op.signature_algorithm();
  if (ok && (alg == SignatureAlgorithm::RSA_PSS_RSAE || alg == SignatureAlgorithm::RSA_PSS_PSS)) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  } else if (ok && alg == SignatureAlgorithm::RSA_PKCS1) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  }
  size_t len = 0;
  if (ok && EVP_PKEY_sign(ctx, nullptr, &len, in.data(), in.size()) == 1) {
    out.resize(len);
    if (EVP_PKEY_sign(ctx, out.data(), &len, in.data(), in.size()) == 1) {
      out.resize(len);
    } else {
      out.clear();
    }
  }
  EVP_PKEY_CTX_free(ctx);
  return out;
}

const uint16_t kSchemes[] = {0x0403, 0x0503, 0x0603, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805,
                             0x0806, 0x0401, 0x0501, 0x0601, 0x0807, 0x0201, 0x0203};
const uint16_t kGroups[] = {0x001d, 0x0017};

// A policy owning its suite list.
struct TestPolicy {
  std::vector<uint16_t> suites;
  detail::PolicyData data;
  explicit TestPolicy(std::vector<uint16_t> s, Version min = Version::TLS12)
      : suites(std::move(s)) {
    data = detail::PolicyData{"pkey-test", min, suites, kSchemes, kGroups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

// What the callback saw, and the operations it left pending.
struct Seen {
  int calls = 0;
  std::vector<PrivateKeyOperation::Kind> kinds;
  std::vector<SignatureAlgorithm> algs;
  std::vector<HashAlgorithm> hashes;
  std::vector<size_t> input_sizes;
  std::vector<PrivateKeyOperation> pending;
};

enum class Mode2 { Sync, Pending, Future };

struct SetOutputFuture : ConnectionFuture {
  PrivateKeyOperation op;
  AppKey key;
  int polls_left;
  SetOutputFuture(PrivateKeyOperation o, AppKey k, int n)
      : op(std::move(o)), key(std::move(k)), polls_left(n) {}
  Poll<void> poll(Connection& conn) override {
    if (--polls_left > 0) {
      if (conn.waker()) (*conn.waker())();
      return Pending{Blocked::OnApplicationInput};
    }
    Status s = op.set_output(conn, perform(key.get(), op));
    if (!s.ok()) return s.error();
    return Ready{};
  }
};

PrivateKeyCallback offloader(AppKey key, std::shared_ptr<Seen> seen, Mode2 mode) {
  return [key, seen, mode](Connection& conn, PrivateKeyOperation op) {
    ++seen->calls;
    seen->kinds.push_back(op.kind());
    seen->algs.push_back(op.signature_algorithm());
    seen->hashes.push_back(op.hash_algorithm());
    seen->input_sizes.push_back(op.input_size());
    switch (mode) {
      case Mode2::Sync: {
        Status s = op.set_output(conn, perform(key.get(), op));
        EXPECT_TRUE(s.ok());
        return ConnectionFutureResult::done();
      }
      case Mode2::Pending:
        seen->pending.push_back(std::move(op));
        return ConnectionFutureResult::pending();
      case Mode2::Future:
        return ConnectionFutureResult::future(
            std::make_unique<SetOutputFuture>(std::move(op), key, 2));
    }
    return ConnectionFutureResult::fail("unreachable");
  };
}

// A server (or client) config whose chain is public only and whose key the callback holds.
Config offload_config(const std::string& kind, const Policy& policy, PrivateKeyCallback cb,
                      bool with_key = false,
                      const std::function<void(Config::Builder&)>& extra = nullptr) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  const std::string chain = read_file(data_path(kind + "-cert.pem"));
  if (with_key) {
    EXPECT_TRUE(b.load_pem(chain, read_file(data_path(kind + "-key.pem"))).ok());
  } else {
    EXPECT_TRUE(b.load_public_pem(chain).ok());
  }
  if (cb) {
    EXPECT_TRUE(b.set_private_key_callback(std::move(cb)).ok());
  }
  if (extra) extra(b);
  auto dh = b.add_dhparams(read_file(data_path("dhparams-ffdhe2048.pem")));
  EXPECT_TRUE(dh.ok());
  auto c = b.build();
  EXPECT_TRUE(c.ok()) << c.error().message();
  return *c;
}

struct Outcome {
  std::optional<Error> client, server;
  bool done = false;
};

// Drives both sides; `complete` answers pending operations when a side waits for them.
Outcome drive(Pair& p, const std::function<bool()>& complete = nullptr, int max_rounds = 200000) {
  Outcome o;
  bool c_done = false, s_done = false;
  for (int i = 0; i < max_rounds && !(c_done && s_done); ++i) {
    bool app_wait = false;
    if (!c_done && !o.client) {
      auto r = p.client.poll_negotiate();
      if (r.is_error()) o.client = r.error();
      c_done = r.is_ready();
      app_wait |= r.is_pending() && r.blocked() == Blocked::OnApplicationInput;
    }
    if (!s_done && !o.server) {
      auto r = p.server.poll_negotiate();
      if (r.is_error()) o.server = r.error();
      s_done = r.is_ready();
      app_wait |= r.is_pending() && r.blocked() == Blocked::OnApplicationInput;
    }
    if (o.client && o.server) break;
    // A side waits for the application: the test's offload service answers.
    if (app_wait && complete) complete();
  }
  o.done = c_done && s_done;
  return o;
}

void expect_ok(const Outcome& o) {
  EXPECT_FALSE(o.client) << o.client->name() << ": " << o.client->message();
  EXPECT_FALSE(o.server) << o.server->name() << ": " << o.server->message();
  EXPECT_TRUE(o.done);
}

// Completes the oldest pending operation of `seen` on `conn`.
std::function<bool()> completer(Connection& conn, const AppKey& key, std::shared_ptr<Seen> seen) {
  return [&conn, key, seen] {
    if (seen->pending.empty()) return false;
    PrivateKeyOperation op = std::move(seen->pending.front());
    seen->pending.erase(seen->pending.begin());
    EXPECT_TRUE(op.set_output(conn, perform(key.get(), op)).ok());
    return true;
  };
}

struct SignCase {
  const char* kind;
  SignatureAlgorithm alg;
  HashAlgorithm hash;
  size_t input_size;
};

class Tls13Sign : public ::testing::TestWithParam<std::tuple<SignCase, Mode2>> {};

TEST_P(Tls13Sign, ServerSignsThroughTheCallback) {
  auto [c, mode] = GetParam();
  AppKey key = load_key(c.kind);
  auto seen = std::make_shared<Seen>();
  Pair p(client_config(), offload_config(c.kind, Policy::DEFAULT, offloader(key, seen, mode)));
  (void)p.server.set_waker([] {});
  Outcome o = drive(p, completer(p.server, key, seen));
  expect_ok(o);
  ASSERT_EQ(seen->calls, 1);
  EXPECT_EQ(seen->kinds[0], PrivateKeyOperation::Kind::Sign);
  EXPECT_EQ(seen->algs[0], c.alg);
  EXPECT_EQ(seen->hashes[0], c.hash);
  // The digest of the content (Ed25519: the 130-byte content itself, no prehash).
  EXPECT_EQ(seen->input_sizes[0], c.input_size);
  EXPECT_EQ(*p.client.selected_signature_algorithm(), c.alg);
  EXPECT_EQ(*p.client.actual_protocol_version(), Version::TLS13);
  EXPECT_EQ(transfer(p.client, p.server, "offloaded"), "offloaded");
}

std::string sign_name(const ::testing::TestParamInfo<std::tuple<SignCase, Mode2>>& info) {
  std::string n = std::get<0>(info.param).kind;
  for (char& ch : n)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  const char* m[] = {"Sync", "Pending", "Future"};
  return n + "_" + m[static_cast<int>(std::get<1>(info.param))];
}

INSTANTIATE_TEST_SUITE_P(
    Keys, Tls13Sign,
    ::testing::Combine(
        ::testing::Values(
            SignCase{"ecdsa-p256", SignatureAlgorithm::ECDSA, HashAlgorithm::SHA256, 32},
            SignCase{"ecdsa-p384", SignatureAlgorithm::ECDSA, HashAlgorithm::SHA384, 48},
            SignCase{"rsa2048", SignatureAlgorithm::RSA_PSS_RSAE, HashAlgorithm::SHA256, 32},
            SignCase{"rsapss", SignatureAlgorithm::RSA_PSS_PSS, HashAlgorithm::SHA256, 32},
            SignCase{"ed25519", SignatureAlgorithm::ED25519, HashAlgorithm::None, 130}),
        ::testing::Values(Mode2::Sync, Mode2::Pending, Mode2::Future)),
    sign_name);

struct Tls12Case {
  uint16_t suite;
  const char* kind;
  PrivateKeyOperation::Kind op;
};

class Tls12Offload : public ::testing::TestWithParam<std::tuple<Tls12Case, Mode2, size_t>> {};

TEST_P(Tls12Offload, ServerKeyExchangeOrRsaDecrypt) {
  auto [c, mode, max_io] = GetParam();
  TestPolicy pol({c.suite});
  AppKey key = load_key(c.kind);
  auto seen = std::make_shared<Seen>();
  Pair p(client_config(pol.policy()),
         offload_config(c.kind, pol.policy(), offloader(key, seen, mode)), max_io);
  (void)p.server.set_waker([] {});
  Outcome o = drive(p, completer(p.server, key, seen));
  expect_ok(o);
  ASSERT_EQ(seen->calls, 1);
  EXPECT_EQ(seen->kinds[0], c.op);
  if (c.op == PrivateKeyOperation::Kind::Decrypt) {
    EXPECT_EQ(seen->input_sizes[0], 256u);  // the 2048-bit RSA ciphertext
  }
  EXPECT_EQ(*p.client.actual_protocol_version(), Version::TLS12);
  EXPECT_EQ(transfer(p.server, p.client, "tls12 offload"), "tls12 offload");
}

INSTANTIATE_TEST_SUITE_P(
    Suites, Tls12Offload,
    ::testing::Combine(
        ::testing::Values(Tls12Case{0xC02B, "ecdsa-p256", PrivateKeyOperation::Kind::Sign},
                          Tls12Case{0xC02F, "rsa2048", PrivateKeyOperation::Kind::Sign},
                          Tls12Case{0x009E, "rsa2048", PrivateKeyOperation::Kind::Sign},
                          Tls12Case{0x009C, "rsa2048", PrivateKeyOperation::Kind::Decrypt}),
        ::testing::Values(Mode2::Sync, Mode2::Pending, Mode2::Future),
        ::testing::Values(SIZE_MAX, size_t{1})));

TEST(PrivateKey, Tls10RsaSignatureIsMd5Sha1) {
  TestPolicy pol({0xC013}, Version::TLS10);
  AppKey key = load_key("rsa2048");
  auto seen = std::make_shared<Seen>();
  Pair p(client_config(pol.policy()),
         offload_config("rsa2048", pol.policy(), offloader(key, seen, Mode2::Sync)));
  p.client.state().test_max_version = Version::TLS10;
  expect_ok(drive(p));
  ASSERT_EQ(seen->calls, 1);
  EXPECT_EQ(seen->algs[0], SignatureAlgorithm::RSA_PKCS1);
  EXPECT_EQ(seen->hashes[0], HashAlgorithm::MD5_SHA1);
  EXPECT_EQ(seen->input_sizes[0], 36u);
  EXPECT_EQ(*p.server.actual_protocol_version(), Version::TLS10);
}

TEST(PrivateKey, PendingUntilSetOutputThenCompletes) {
  AppKey key = load_key("ecdsa-p256");
  auto seen = std::make_shared<Seen>();
  Pair p(client_config(),
         offload_config("ecdsa-p256", Policy::DEFAULT, offloader(key, seen, Mode2::Pending)));
  int woken = 0;
  ASSERT_TRUE(p.server.set_waker([&woken] { ++woken; }).ok());
  Outcome o = drive(p, nullptr, 1000);  // no completer: stalls on the operation
  EXPECT_FALSE(o.done);
  EXPECT_FALSE(o.client);
  EXPECT_FALSE(o.server);
  ASSERT_EQ(seen->calls, 1);
  ASSERT_EQ(seen->pending.size(), 1u);
  // Still pending; the callback is not asked again, and the server sent no CertificateVerify.
  const size_t sent = p.s2c.bytes.size();
  for (int i = 0; i < 3; ++i) {
    auto r = p.server.poll_negotiate();
    ASSERT_TRUE(r.is_pending());
    EXPECT_EQ(r.blocked(), Blocked::OnApplicationInput);
  }
  EXPECT_EQ(seen->calls, 1);
  EXPECT_EQ(p.s2c.bytes.size(), sent);
  EXPECT_EQ(woken, 0);
  PrivateKeyOperation op = std::move(seen->pending.front());
  seen->pending.clear();
  // Not this connection's operation.
  Pair other(client_config(), server_config("ecdsa-p256"));
  EXPECT_EQ(err_of(op.set_output(other.server, perform(key.get(), op)).error()),
            Err::ASYNC_WRONG_CONNECTION);
  ASSERT_TRUE(op.set_output(p.server, perform(key.get(), op)).ok());
  EXPECT_EQ(woken, 1);
  EXPECT_EQ(err_of(op.set_output(p.server, perform(key.get(), op)).error()),
            Err::ASYNC_ALREADY_APPLIED);
  expect_ok(drive(p));
  EXPECT_EQ(seen->calls, 1);
}

TEST(PrivateKey, PendingWithoutWakerIsMissingWaker) {
  AppKey key = load_key("ecdsa-p256");
  auto seen = std::make_shared<Seen>();
  Pair p(client_config(),
         offload_config("ecdsa-p256", Policy::DEFAULT, offloader(key, seen, Mode2::Pending)));
  Outcome o = drive(p);
  ASSERT_TRUE(o.server);
  EXPECT_EQ(err_of(*o.server), Err::MISSING_WAKER);
  EXPECT_EQ(o.server->kind(), ErrorKind::Usage);
  // Not fatal: with a waker and the output the handshake completes.
  ASSERT_TRUE(p.server.set_waker([] {}).ok());
  expect_ok(drive(p, completer(p.server, key, seen)));
}

TEST(PrivateKey, FutureWithoutWakerIsMissingWaker) {
  AppKey key = load_key("rsa2048");
  auto seen = std::make_shared<Seen>();
  Pair p(client_config(),
         offload_config("rsa2048", Policy::DEFAULT, offloader(key, seen, Mode2::Future)));
  Outcome o = drive(p);
  ASSERT_TRUE(o.server);
  EXPECT_EQ(err_of(*o.server), Err::MISSING_WAKER);
  ASSERT_TRUE(p.server.set_waker([] {}).ok());
  expect_ok(drive(p));
  EXPECT_EQ(seen->calls, 1);
}

// The server's error and the alert the client received.
void expect_server_failure(Outcome& o, Err err, uint8_t alert_code) {
  ASSERT_TRUE(o.server);
  EXPECT_EQ(err_of(*o.server), err) << o.server->name() << ": " << o.server->message();
  ASSERT_TRUE(o.client);
  EXPECT_EQ(o.client->alert(), alert_code) << o.client->name();
}

TEST(PrivateKey, WrongSignatureIsCaughtBeforeSending) {
  for (uint16_t suite : {0x1301, 0xC02B}) {
    SCOPED_TRACE(suite);
    TestPolicy pol({suite});
    AppKey other = load_key("ecdsa-p384");  // not the certificate's key
    auto seen = std::make_shared<Seen>();
    Pair p(
        client_config(pol.policy()),
        offload_config("ecdsa-p256", pol.policy(), [&](Connection& conn, PrivateKeyOperation op) {
          ++seen->calls;
          EXPECT_TRUE(op.set_output(conn, perform(other.get(), op)).ok());
          return ConnectionFutureResult::done();
        }));
    Outcome o = drive(p);
    expect_server_failure(o, Err::ASYNC_BAD_SIGNATURE, alert::internal_error);
    EXPECT_EQ(seen->calls, 1);
  }
}

TEST(PrivateKey, CallbackFailureFailsTheHandshake) {
  Pair p(client_config(),
         offload_config("ecdsa-p256", Policy::DEFAULT, [](Connection&, PrivateKeyOperation) {
           return ConnectionFutureResult::fail("hsm offline");
         }));
  Outcome o = drive(p);
  expect_server_failure(o, Err::ASYNC_CALLBACK_FAILED, alert::internal_error);
  EXPECT_NE(o.server->message().find("hsm offline"), std::string::npos);
  EXPECT_TRUE(p.server.poll_negotiate().is_error());
}

TEST(PrivateKey, DoneWithoutOutputAndDroppedOperationFail) {
  {
    Pair p(client_config(),
           offload_config("ecdsa-p256", Policy::DEFAULT, [](Connection&, PrivateKeyOperation) {
             return ConnectionFutureResult::done();
           }));
    Outcome o = drive(p);
    expect_server_failure(o, Err::ASYNC_NOT_PERFORMED, alert::internal_error);
  }
  {
    // Pending, but the handle is gone: the next poll fails rather than blocking for ever.
    Pair p(client_config(),
           offload_config("ecdsa-p256", Policy::DEFAULT, [](Connection&, PrivateKeyOperation) {
             return ConnectionFutureResult::pending();
           }));
    (void)p.server.set_waker([] {});
    Outcome o = drive(p);
    expect_server_failure(o, Err::ASYNC_NOT_PERFORMED, alert::internal_error);
  }
}

TEST(PrivateKey, FutureErrorFailsTheHandshake) {
  struct FailingFuture : ConnectionFuture {
    PrivateKeyOperation op;
    explicit FailingFuture(PrivateKeyOperation o) : op(std::move(o)) {}
    Poll<void> poll(Connection&) override { return make_error(Err::APPLICATION, "no key"); }
  };
  Pair p(client_config(),
         offload_config("ecdsa-p256", Policy::DEFAULT, [](Connection&, PrivateKeyOperation op) {
           return ConnectionFutureResult::future(std::make_unique<FailingFuture>(std::move(op)));
         }));
  (void)p.server.set_waker([] {});
  Outcome o = drive(p);
  expect_server_failure(o, Err::ASYNC_CALLBACK_FAILED, alert::internal_error);
}

// A decryption that fails (or answers garbage) must end exactly as a bad premaster does
// without offload: at the client's Finished, with the same error and alert.
TEST(PrivateKey, RsaDecryptGarbageFailsAtFinishedLikeABadPremaster) {
  TestPolicy pol({0x009C});
  std::vector<std::optional<Error>> errors;
  std::vector<std::optional<uint8_t>> alerts;
  for (size_t len : {size_t{48}, size_t{5}, size_t{0}, size_t{256}}) {
    SCOPED_TRACE(len);
    Pair p(client_config(pol.policy()),
           offload_config("rsa2048", pol.policy(), [len](Connection& conn, PrivateKeyOperation op) {
             std::vector<uint8_t> garbage(len, 0x5a);
             if (len >= 2) {
               garbage[0] = 0x03;  // even with the right version bytes
               garbage[1] = 0x03;
             }
             EXPECT_TRUE(op.set_output(conn, garbage).ok());
             return ConnectionFutureResult::done();
           }));
    Outcome o = drive(p);
    ASSERT_TRUE(o.server);
    ASSERT_TRUE(o.client);
    errors.push_back(o.server);
    alerts.push_back(o.client->alert());
  }
  for (size_t i = 0; i < errors.size(); ++i) {
    EXPECT_EQ(errors[i]->name(), errors[0]->name());
    EXPECT_EQ(alerts[i], alerts[0]);
  }
  // The server's keys differ from the client's: the client's Finished record does not
  // decrypt, as with any wrong premaster (the Bleichenbacher countermeasure's outcome).
  EXPECT_EQ(err_of(*errors[0]), Err::DECRYPT);
  EXPECT_EQ(*alerts[0], alert::bad_record_mac);
}

TEST(PrivateKey, PublicPemWithoutCallbackFailsAtBuild) {
  auto b = Config::builder();
  ASSERT_TRUE(b.load_public_pem(read_file(data_path("ecdsa-p256-cert.pem"))).ok());
  auto c = b.build();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(err_of(c.error()), Err::NO_PRIVATE_KEY);
  // A second chain is refused as load_pem's is.
  auto b2 = Config::builder();
  ASSERT_TRUE(b2.load_public_pem(read_file(data_path("ecdsa-p256-cert.pem"))).ok());
  EXPECT_EQ(err_of(b2.load_public_pem(read_file(data_path("rsa2048-cert.pem"))).error()),
            Err::CERT_OWNERSHIP);
}

TEST(PrivateKey, CallbackTakesOverEvenWithALoadedKey) {
  AppKey key = load_key("rsa2048");
  auto seen = std::make_shared<Seen>();
  Pair p(client_config(),
         offload_config("rsa2048", Policy::DEFAULT, offloader(key, seen, Mode2::Sync), true));
  expect_ok(drive(p));
  EXPECT_EQ(seen->calls, 1);
}

TEST(PrivateKey, ResumedHandshakesDoNotCallIt) {
  for (uint16_t suite : {0x1301, 0xC02F}) {
    SCOPED_TRACE(suite);
    TestPolicy pol({suite});
    AppKey key = load_key("rsa2048");
    auto seen = std::make_shared<Seen>();
    Config server = offload_config(
        "rsa2048", pol.policy(), offloader(key, seen, Mode2::Sync), false, [](Config::Builder& b) {
          std::string n = "pk-key", m = "material 0123456789abcdef";
          EXPECT_TRUE(
              b.add_session_ticket_key(
                   std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(n.data()), n.size()),
                   std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(m.data()), m.size()))
                  .ok());
        });
    auto cb = Config::builder();
    (void)cb.set_max_blinding_delay(std::chrono::seconds(0));
    ASSERT_TRUE(cb.with_system_certs(false).ok());
    ASSERT_TRUE(cb.set_security_policy(pol.policy()).ok());
    ASSERT_TRUE(cb.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
    ASSERT_TRUE(cb.enable_session_tickets(true).ok());
    Config client = *cb.build();

    Pair first(client, server);
    expect_ok(drive(first));
    EXPECT_EQ(transfer(first.server, first.client, "t"), "t");  // the TLS 1.3 ticket arrives
    EXPECT_EQ(seen->calls, 1);
    std::vector<uint8_t> blob(*first.client.session_ticket_length());
    ASSERT_FALSE(blob.empty());
    ASSERT_TRUE(first.client.session_ticket(blob).ok());

    Pair second(client, server);
    ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
    expect_ok(drive(second));
    EXPECT_TRUE(second.server.resumed());
    EXPECT_EQ(seen->calls, 1);
  }
}

// Client authentication with the client's key offloaded, both versions, each form.
TEST(PrivateKey, ClientAuthWithOffloadedClientKey) {
  for (uint16_t suite : {0x1301, 0xC02B, 0xC02F}) {
    for (Mode2 mode : {Mode2::Sync, Mode2::Pending, Mode2::Future}) {
      for (const char* kind : {"rsa2048", "ecdsa-p256"}) {
        SCOPED_TRACE(std::to_string(suite) + " " + kind + " " +
                     std::to_string(static_cast<int>(mode)));
        TestPolicy pol({suite});
        const char* server_kind = suite == 0xC02B ? "ecdsa-p256" : "rsa2048";
        auto b = Config::builder();
        (void)b.set_max_blinding_delay(std::chrono::seconds(0));
        ASSERT_TRUE(b.with_system_certs(false).ok());
        ASSERT_TRUE(b.set_security_policy(pol.policy()).ok());
        ASSERT_TRUE(b.load_pem(read_file(data_path(std::string(server_kind) + "-cert.pem")),
                               read_file(data_path(std::string(server_kind) + "-key.pem")))
                        .ok());
        ASSERT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
        ASSERT_TRUE(b.set_client_auth_type(ClientAuthType::Required).ok());
        Config server = *b.build();

        AppKey key = load_key(kind);
        auto seen = std::make_shared<Seen>();
        Config client = offload_config(kind, pol.policy(), offloader(key, seen, mode));
        Pair p(client, server);
        (void)p.client.set_waker([] {});
        expect_ok(drive(p, completer(p.client, key, seen)));
        EXPECT_EQ(seen->calls, 1);
        EXPECT_EQ(seen->kinds[0], PrivateKeyOperation::Kind::Sign);
        ASSERT_TRUE(p.server.peer_cert_chain().ok());
        EXPECT_EQ(p.server.peer_cert_chain()->len(), 2u);  // validated path: leaf, CA
        EXPECT_EQ(transfer(p.client, p.server, "authenticated"), "authenticated");
      }
    }
  }
}

// A future that is pending on its first poll (waking the connection) and ready on its second.
struct PendingOnce : ConnectionFuture {
  int* ran;
  explicit PendingOnce(int* r) : ran(r) {}
  bool polled = false;
  Poll<void> poll(Connection& conn) override {
    if (!polled) {
      polled = true;
      if (conn.waker()) (*conn.waker())();
      return Pending{Blocked::OnApplicationInput};
    }
    ++*ran;
    return Ready{};
  }
};

// Every async hook at once, each answering with a future that is pending once, over 1-byte
// I/O: the server's connection initializer, client hello callback and private key (signature
// or RSA decryption), the client's initializer and private key (client authentication), and
// both sides' certificate validation callbacks. Each hook runs exactly once, each suspension
// surfaces as Pending(OnApplicationInput), and the handshake and data still come through.
TEST(AsyncHooks, EveryHookPendingOnceWithOneByteIo) {
  // TLS 1.3, TLS 1.2 ECDHE-ECDSA, ECDHE-RSA and RSA key exchange (offloaded decryption).
  for (uint16_t suite : {0x1301, 0xC02B, 0xC02F, 0x009C}) {
    SCOPED_TRACE(std::to_string(suite));
    TestPolicy pol({suite});
    const std::string server_kind = suite == 0x1301 || suite == 0xC02B ? "ecdsa-p256" : "rsa2048";
    struct Counts {
      int init = 0, hello = 0, validate = 0, init_done = 0, hello_done = 0;
    };
    Counts sc, cc;
    auto hooks = [](Counts& n, bool server) {
      return [&n, server](Config::Builder& b) {
        EXPECT_TRUE(b.set_connection_initializer([&n](Connection&) {
                       ++n.init;
                       return ConnectionFutureResult::future(
                           std::make_unique<PendingOnce>(&n.init_done));
                     }).ok());
        EXPECT_TRUE(b.set_cert_validation_callback_sync([&n](Connection&, CertValidationInfo&) {
                       ++n.validate;
                       return true;
                     }).ok());
        if (server) {
          EXPECT_TRUE(b.set_client_auth_type(ClientAuthType::Required).ok());
          EXPECT_TRUE(b.set_client_hello_callback([&n](Connection&) {
                         ++n.hello;
                         return ConnectionFutureResult::future(
                             std::make_unique<PendingOnce>(&n.hello_done));
                       }).ok());
        }
      };
    };
    AppKey skey = load_key(server_kind), ckey = load_key("ecdsa-p256");
    auto sseen = std::make_shared<Seen>(), cseen = std::make_shared<Seen>();
    Config server = offload_config(server_kind, pol.policy(), offloader(skey, sseen, Mode2::Future),
                                   false, hooks(sc, true));
    Config client = offload_config("ecdsa-p256", pol.policy(),
                                   offloader(ckey, cseen, Mode2::Future), false, hooks(cc, false));
    Pair p(client, server, 1);
    int woken = 0;
    ASSERT_TRUE(p.client.set_waker([&woken] { ++woken; }).ok());
    ASSERT_TRUE(p.server.set_waker([&woken] { ++woken; }).ok());
    int app_waits[2] = {0, 0};
    bool done[2] = {false, false};
    for (int i = 0; i < 1000000 && !(done[0] && done[1]); ++i) {
      Connection* sides[2] = {&p.client, &p.server};
      for (int k = 0; k < 2; ++k) {
        if (done[k]) continue;
        auto r = sides[k]->poll_negotiate();
        ASSERT_FALSE(r.is_error()) << (k ? "server: " : "client: ") << r.error().message();
        done[k] = r.is_ready();
        if (r.is_pending() && r.blocked() == Blocked::OnApplicationInput) ++app_waits[k];
      }
    }
    ASSERT_TRUE(done[0] && done[1]);
    EXPECT_EQ(sc.init, 1);
    EXPECT_EQ(sc.init_done, 1);
    EXPECT_EQ(sc.hello, 1);
    EXPECT_EQ(sc.hello_done, 1);
    EXPECT_EQ(sc.validate, 1);  // the client's certificate
    EXPECT_EQ(cc.init, 1);
    EXPECT_EQ(cc.init_done, 1);
    EXPECT_EQ(cc.validate, 1);
    EXPECT_EQ(sseen->calls, 1);
    EXPECT_EQ(sseen->kinds[0], suite == 0x009C ? PrivateKeyOperation::Kind::Decrypt
                                               : PrivateKeyOperation::Kind::Sign);
    EXPECT_EQ(cseen->calls, 1);
    // Each future suspends its side once: initializer, hello callback and key on the server,
    // initializer and key on the client (SetOutputFuture waits one poll too).
    EXPECT_GE(app_waits[1], 3);
    EXPECT_GE(app_waits[0], 2);
    EXPECT_GE(woken, 5);
    EXPECT_EQ(transfer(p.client, p.server, "through every hook"), "through every hook");
  }
}

}  // namespace
}  // namespace snr::test
