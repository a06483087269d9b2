// Client authentication (mutual TLS, SPEC 6.13) in TLS 1.2 and 1.3: the outcome matrix of
// server and client modes, key types, validation failures, tampered signatures, getters,
// certificate_authorities, the server's verify-host callback and byte-at-a-time I/O.
#include <gtest/gtest.h>

#include "core/connection_state.hpp"
#include "crypto/provider.hpp"
#include "msg/messages.hpp"
#include "msg/messages12.hpp"
#include "pair.hpp"
#include "resume/session_state.hpp"
#include "util/alerts.hpp"

namespace snr::test {
namespace {

using Auth = ClientAuthType;

const char* auth_name(Auth a) {
  switch (a) {
    case Auth::None:
      return "None";
    case Auth::Optional:
      return "Optional";
    case Auth::Required:
      return "Required";
  }
  return "?";
}

// A server with the ECDSA P-256 identity that trusts the test CA for client certificates.
Config server_cfg(std::optional<Auth> auth,
                  const std::function<void(Config::Builder&)>& extra = nullptr,
                  const std::string& kind = "ecdsa-p256") {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(
      b.load_pem(read_file(data_path(kind + "-cert.pem")), read_file(data_path(kind + "-key.pem")))
          .ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  if (auth) {
    EXPECT_TRUE(b.set_client_auth_type(*auth).ok());
  }
  if (extra) extra(b);
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

// A client trusting the test CA; with a certificate when `cert` names one ("rsa2048", or a
// chain file + key file pair via cert_file/key_file).
Config client_cfg(std::optional<Auth> auth, const std::string& cert = "",
                  const Policy& policy = Policy::DEFAULT) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  if (!cert.empty()) {
    const std::string chain = cert == "int-leaf" ? "int-leaf-chain.pem" : cert + "-cert.pem";
    auto s = b.load_pem(read_file(data_path(chain)), read_file(data_path(cert + "-key.pem")));
    EXPECT_TRUE(s.ok()) << s.error().message();
  }
  if (auth) {
    EXPECT_TRUE(b.set_client_auth_type(*auth).ok());
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

void cap_version(Pair& p, Version v) { p.client.state().test_max_version = v; }

struct Result2 {
  std::optional<Error> client, server;
  bool client_done = false, server_done = false;
};

// Drives both sides until both finished or one failed and the other stopped making progress;
// a failure's alert reaches the peer. A TLS 1.3 client finishes before the server judged its
// certificate: the server's verdict then arrives on the client's next poll_recv.
Result2 run(Pair& p) {
  Result2 r;
  for (int i = 0; i < 100000; ++i) {
    if (!r.client_done && !r.client) {
      auto c = p.client.poll_negotiate();
      if (c.is_error()) r.client = c.error();
      r.client_done = c.is_ready();
    }
    if (!r.server_done && !r.server) {
      auto s = p.server.poll_negotiate();
      if (s.is_error()) r.server = s.error();
      r.server_done = s.is_ready();
    }
    const bool c_stop = r.client_done || r.client, s_stop = r.server_done || r.server;
    if (c_stop && s_stop) break;
  }
  if (r.client_done && r.server) {
    uint8_t buf[64];
    auto c = p.client.poll_recv(buf);
    if (c.is_error()) r.client = c.error();
  }
  return r;
}

std::string name_of(const std::optional<Error>& e) { return e ? std::string(e->name()) : ""; }

// ---- the matrix (SPEC 6.13) ----

struct MatrixCase {
  Version version;
  Auth server;
  Auth client;
  bool client_has_cert;
};

class ClientAuthMatrix : public ::testing::TestWithParam<MatrixCase> {};

TEST_P(ClientAuthMatrix, OutcomeFollowsSpec) {
  const MatrixCase c = GetParam();
  Pair p(client_cfg(c.client, c.client_has_cert ? "ecdsa-p256" : ""), server_cfg(c.server));
  cap_version(p, c.version);
  Result2 r = run(p);
  const bool tls13 = c.version == Version::TLS13;

  if (c.server == Auth::None) {
    if (c.client == Auth::Required) {
      // The server never asked.
      EXPECT_EQ(name_of(r.client), "S2N_ERR_MISSING_CERT_REQUEST");
      EXPECT_EQ(r.client->alert(), alert::handshake_failure);
      ASSERT_TRUE(r.server);
      EXPECT_EQ(r.server->alert(), alert::handshake_failure);
      return;
    }
    ASSERT_FALSE(r.client) << r.client->name() << ": " << r.client->message();
    ASSERT_FALSE(r.server) << r.server->name() << ": " << r.server->message();
    for (Connection* conn : {&p.client, &p.server}) {
      EXPECT_FALSE(conn->client_cert_used());
      const std::string type(*conn->handshake_type());
      EXPECT_EQ(type.find("CLIENT_AUTH"), std::string::npos) << type;
      EXPECT_FALSE(conn->selected_client_signature_algorithm().ok());
    }
    EXPECT_EQ(p.client.selected_cert(), nullptr);
    return;
  }

  if (c.client == Auth::None) {
    EXPECT_EQ(name_of(r.client), "S2N_ERR_UNEXPECTED_CERT_REQUEST");
    EXPECT_EQ(r.client->alert(), alert::unexpected_message);
    ASSERT_TRUE(r.server);
    EXPECT_EQ(r.server->alert(), alert::unexpected_message);
    return;
  }

  if (!c.client_has_cert && c.client == Auth::Required) {
    EXPECT_EQ(name_of(r.client), "S2N_ERR_NO_CLIENT_CERTIFICATE");
    ASSERT_TRUE(r.server);
    EXPECT_EQ(r.server->alert(), alert::handshake_failure);
    return;
  }

  if (!c.client_has_cert && c.server == Auth::Required) {
    if (tls13) {
      // The client completed; the server's rejection arrives on its next read.
      EXPECT_TRUE(r.client_done);
      EXPECT_EQ(name_of(r.server), "S2N_ERR_CLIENT_CERT_REQUIRED");
      EXPECT_EQ(r.server->alert(), alert::certificate_required);
    } else {
      EXPECT_FALSE(r.client_done);
      EXPECT_EQ(name_of(r.server), "S2N_ERR_MISSING_CLIENT_CERT");
      EXPECT_EQ(r.server->alert(), alert::handshake_failure);
    }
    ASSERT_TRUE(r.client);
    EXPECT_EQ(r.client->kind(), ErrorKind::Alert);
    EXPECT_EQ(r.client->alert(), r.server->alert());
    return;
  }

  ASSERT_FALSE(r.client) << r.client->name() << ": " << r.client->message();
  ASSERT_FALSE(r.server) << r.server->name() << ": " << r.server->message();
  const std::string flags = c.client_has_cert ? "CLIENT_AUTH" : "CLIENT_AUTH|NO_CLIENT_CERT";
  const std::string expect =
      tls13 ? "NEGOTIATED|FULL_HANDSHAKE|" + flags + "|MIDDLEBOX_COMPAT"
            : "NEGOTIATED|FULL_HANDSHAKE|" + flags + "|TLS12_PERFECT_FORWARD_SECRECY";
  for (Connection* conn : {&p.client, &p.server}) {
    EXPECT_EQ(*conn->handshake_type(), expect);
    EXPECT_EQ(conn->client_cert_used(), c.client_has_cert);
    EXPECT_EQ(conn->selected_client_signature_algorithm().ok(), c.client_has_cert);
    EXPECT_EQ(*conn->actual_protocol_version(), c.version);
  }
  EXPECT_EQ(p.client.selected_cert() != nullptr, c.client_has_cert);
  EXPECT_EQ(p.server.client_cert_chain_bytes()->empty(), !c.client_has_cert);
  // Data flows both ways.
  EXPECT_EQ(transfer(p.client, p.server, "ping"), "ping");
  EXPECT_EQ(transfer(p.server, p.client, "pong"), "pong");
}

std::vector<MatrixCase> matrix() {
  std::vector<MatrixCase> out;
  for (Version v : {Version::TLS12, Version::TLS13})
    for (Auth s : {Auth::None, Auth::Optional, Auth::Required})
      for (Auth c : {Auth::None, Auth::Optional, Auth::Required})
        for (bool cert : {false, true}) out.push_back({v, s, c, cert});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Modes, ClientAuthMatrix, ::testing::ValuesIn(matrix()),
                         [](const ::testing::TestParamInfo<MatrixCase>& i) {
                           const MatrixCase& c = i.param;
                           return std::string(c.version == Version::TLS13 ? "TLS13" : "TLS12") +
                                  "_server" + auth_name(c.server) + "_client" +
                                  auth_name(c.client) + (c.client_has_cert ? "_cert" : "_nocert");
                         });

// ---- defaults and overrides ----

TEST(ClientAuth, DefaultsAreServerNoneClientOptional) {
  // Neither side configured: no request.
  {
    Pair p(client_cfg(std::nullopt, "ecdsa-p256"), server_cfg(std::nullopt));
    Result2 r = run(p);
    ASSERT_FALSE(r.client || r.server);
    EXPECT_EQ(*p.server.handshake_type(), "NEGOTIATED|FULL_HANDSHAKE|MIDDLEBOX_COMPAT");
  }
  // A requesting server: the default client answers with its certificate.
  {
    Pair p(client_cfg(std::nullopt, "ecdsa-p256"), server_cfg(Auth::Required));
    Result2 r = run(p);
    ASSERT_FALSE(r.client || r.server);
    EXPECT_TRUE(p.server.client_cert_used());
  }
}

TEST(ClientAuth, ConnectionOverridesConfig) {
  Pair p(client_cfg(Auth::Optional, "ecdsa-p256"), server_cfg(Auth::Required));
  ASSERT_TRUE(p.server.set_client_auth_type(Auth::None).ok());
  Result2 r = run(p);
  ASSERT_FALSE(r.client || r.server);
  EXPECT_FALSE(p.server.client_cert_used());

  Pair q(client_cfg(Auth::Optional, "ecdsa-p256"), server_cfg(Auth::Optional));
  ASSERT_TRUE(q.client.set_client_auth_type(Auth::None).ok());
  Result2 rq = run(q);
  EXPECT_EQ(name_of(rq.client), "S2N_ERR_UNEXPECTED_CERT_REQUEST");

  // Not once the handshake has started.
  EXPECT_FALSE(q.client.set_client_auth_type(Auth::Optional).ok());
}

// A provider whose signatures are corrupted: what the client's CertificateVerify carries
// (the record protecting it stays intact, so the server sees a bad signature, not a bad MAC).
class TamperingProvider : public crypto::Provider {
 public:
  Result<Bytes> sign(const crypto::PrivateKey& key, crypto::SigParams params,
                     ByteView message) override {
    auto sig = crypto::Provider::system().sign(key, params, message);
    if (sig.ok() && !sig->empty()) sig->back() ^= 0x01;
    return sig;
  }
};

// ---- key types ----

struct KeyCase {
  const char* kind;
  Version version;
  SignatureAlgorithm sig;
};

class ClientAuthKeys : public ::testing::TestWithParam<KeyCase> {};

TEST_P(ClientAuthKeys, EachKeyTypeAuthenticates) {
  const KeyCase k = GetParam();
  Pair p(client_cfg(Auth::Required, k.kind), server_cfg(Auth::Required));
  cap_version(p, k.version);
  Result2 r = run(p);
  ASSERT_FALSE(r.client) << r.client->name() << ": " << r.client->message();
  ASSERT_FALSE(r.server) << r.server->name() << ": " << r.server->message();
  EXPECT_EQ(*p.server.actual_protocol_version(), k.version);
  EXPECT_TRUE(p.server.client_cert_used());
  EXPECT_EQ(*p.server.selected_client_signature_algorithm(), k.sig);
  EXPECT_EQ(*p.client.selected_client_signature_algorithm(), k.sig);
  EXPECT_EQ(*p.server.selected_client_hash_algorithm(), *p.client.selected_client_hash_algorithm());
  // The server's own signature is reported separately.
  EXPECT_EQ(*p.server.selected_signature_algorithm(), SignatureAlgorithm::ECDSA);
  EXPECT_EQ(transfer(p.client, p.server, "hello"), "hello");
}

std::string key_case_name(const ::testing::TestParamInfo<KeyCase>& i) {
  std::string n = i.param.kind;
  for (char& ch : n)
    if (ch == '-') ch = '_';
  return n + (i.param.version == Version::TLS13 ? "_TLS13" : "_TLS12");
}

INSTANTIATE_TEST_SUITE_P(
    Keys, ClientAuthKeys,
    ::testing::Values(KeyCase{"ecdsa-p256", Version::TLS13, SignatureAlgorithm::ECDSA},
                      KeyCase{"ecdsa-p384", Version::TLS13, SignatureAlgorithm::ECDSA},
                      KeyCase{"rsa2048", Version::TLS13, SignatureAlgorithm::RSA_PSS_RSAE},
                      KeyCase{"rsapss", Version::TLS13, SignatureAlgorithm::RSA_PSS_PSS},
                      KeyCase{"ed25519", Version::TLS13, SignatureAlgorithm::ED25519},
                      KeyCase{"ecdsa-p256", Version::TLS12, SignatureAlgorithm::ECDSA},
                      KeyCase{"ecdsa-p384", Version::TLS12, SignatureAlgorithm::ECDSA},
                      KeyCase{"rsa2048", Version::TLS12, SignatureAlgorithm::RSA_PSS_RSAE},
                      KeyCase{"rsapss", Version::TLS12, SignatureAlgorithm::RSA_PSS_PSS}),
    key_case_name);

// TLS 1.2: the CertificateVerify hash follows the scheme, not the PRF: a SHA-384 suite with a
// P-256 client key signs with ecdsa_secp256r1_sha256 over the kept handshake messages.
TEST(ClientAuth, Tls12SignatureHashDiffersFromPrfHash) {
  const detail::PolicyData& def = Policy::DEFAULT.data();
  const uint16_t suites[] = {0xC02C};  // ECDHE-ECDSA-AES256-GCM-SHA384
  detail::PolicyData sha384{"sha384", Version::TLS12, suites, def.sig_schemes, def.curves, {}};
  Pair p(client_cfg(Auth::Optional, "ecdsa-p256", Policy(&sha384)), server_cfg(Auth::Required));
  Result2 r = run(p);
  ASSERT_FALSE(r.client || r.server) << name_of(r.client) << name_of(r.server);
  EXPECT_EQ(*p.server.cipher_suite(), "ECDHE-ECDSA-AES256-GCM-SHA384");
  EXPECT_EQ(*p.server.selected_client_hash_algorithm(), HashAlgorithm::SHA256);
  EXPECT_TRUE(p.server.client_cert_used());
}

// TLS 1.0/1.1: fixed signature algorithms (RSA over MD5+SHA-1, ECDSA over SHA-1), no scheme.
TEST(ClientAuth, LegacyVersionsAuthenticateTheClient) {
  auto test_all = Policy::from_version("test_all");
  ASSERT_TRUE(test_all.ok());
  for (Version v : {Version::TLS10, Version::TLS11}) {
    for (const char* kind : {"rsa2048", "ecdsa-p256"}) {
      Pair p(client_cfg(Auth::Required, kind, *test_all),
             server_cfg(Auth::Required, [&](Config::Builder& b) {
               EXPECT_TRUE(b.set_security_policy(*test_all).ok());
             }));
      cap_version(p, v);
      Result2 r = run(p);
      ASSERT_FALSE(r.client || r.server) << kind << " " << name_of(r.client) << name_of(r.server);
      EXPECT_EQ(*p.server.actual_protocol_version(), v);
      EXPECT_TRUE(p.server.client_cert_used());
      EXPECT_FALSE(p.server.selected_client_signature_algorithm().ok());
      EXPECT_EQ(transfer(p.client, p.server, "legacy"), "legacy");
    }
    // A tampered legacy signature is refused too.
    TamperingProvider bad;
    Pair p(client_cfg(Auth::Required, "rsa2048", *test_all),
           server_cfg(Auth::Required, [&](Config::Builder& b) {
             EXPECT_TRUE(b.set_security_policy(*test_all).ok());
           }));
    cap_version(p, v);
    p.client.state().provider = &bad;
    Result2 r = run(p);
    EXPECT_EQ(name_of(r.server), "S2N_ERR_VERIFY_SIGNATURE");
  }
}

TEST(ClientAuth, IntermediateChainIsValidated) {
  for (Version v : {Version::TLS12, Version::TLS13}) {
    Pair p(client_cfg(Auth::Required, "int-leaf"), server_cfg(Auth::Required));
    cap_version(p, v);
    Result2 r = run(p);
    ASSERT_FALSE(r.client || r.server) << name_of(r.client) << name_of(r.server);
    // Leaf, intermediate and the trust anchor.
    EXPECT_EQ(p.server.peer_cert_chain()->len(), 3u);
  }
}

// ---- validation failures ----

TEST(ClientAuth, UntrustedClientChainIsUnknownCa) {
  for (Version v : {Version::TLS12, Version::TLS13}) {
    for (Auth server : {Auth::Optional, Auth::Required}) {
      Pair p(client_cfg(Auth::Optional, "untrusted"), server_cfg(server));
      cap_version(p, v);
      Result2 r = run(p);
      EXPECT_EQ(name_of(r.server), "S2N_ERR_CERT_UNTRUSTED");
      EXPECT_EQ(r.server->alert(), alert::unknown_ca);
      ASSERT_TRUE(r.client);
      EXPECT_EQ(r.client->kind(), ErrorKind::Alert);
      EXPECT_EQ(r.client->alert(), alert::unknown_ca);
      // TLS 1.3: the client had completed before the server's verdict.
      EXPECT_EQ(r.client_done, v == Version::TLS13);
    }
  }
}

TEST(ClientAuth, ServerWithoutTrustStoreRejectsClientCertificates) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  ASSERT_TRUE(b.with_system_certs(false).ok());
  ASSERT_TRUE(b.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                         read_file(data_path("ecdsa-p256-key.pem")))
                  .ok());
  ASSERT_TRUE(b.set_client_auth_type(Auth::Optional).ok());
  Pair p(client_cfg(Auth::Optional, "rsa2048"), *b.build());
  Result2 r = run(p);
  EXPECT_EQ(name_of(r.server), "S2N_ERR_CERT_UNTRUSTED");
}

TEST(ClientAuth, ChainLengthLimitApplies) {
  Pair p(client_cfg(Auth::Optional, "int-leaf"), server_cfg(Auth::Required, [](Config::Builder& b) {
           EXPECT_TRUE(b.set_max_cert_chain_length(1).ok());
         }));
  Result2 r = run(p);
  EXPECT_EQ(name_of(r.server), "S2N_ERR_CERT_MAX_CHAIN_DEPTH_EXCEEDED");
  EXPECT_EQ(r.server->alert(), alert::bad_certificate);
}

TEST(ClientAuth, ExpiredClientCertificateByTheServersClock) {
  // 2100-01-01: after every test certificate's notAfter.
  Pair p(client_cfg(Auth::Optional, "ecdsa-p256"),
         server_cfg(Auth::Required, [](Config::Builder& b) {
           EXPECT_TRUE(b.set_wall_clock([] { return uint64_t{4102444800} * 1000000000ull; }).ok());
         }));
  Result2 r = run(p);
  // The client's own check of the server certificate uses the real clock and passes.
  EXPECT_EQ(name_of(r.server), "S2N_ERR_CERT_EXPIRED");
  EXPECT_EQ(r.server->alert(), alert::certificate_expired);
}

TEST(ClientAuth, TamperedClientCertificateVerifyIsDecryptError) {
  for (Version v : {Version::TLS12, Version::TLS13}) {
    for (const char* kind : {"ecdsa-p256", "rsa2048"}) {
      TamperingProvider bad;
      Pair p(client_cfg(Auth::Optional, kind), server_cfg(Auth::Optional));
      cap_version(p, v);
      p.client.state().provider = &bad;
      Result2 r = run(p);
      EXPECT_EQ(name_of(r.server), "S2N_ERR_VERIFY_SIGNATURE") << kind;
      EXPECT_EQ(r.server->alert(), alert::decrypt_error);
      ASSERT_TRUE(r.client);
      EXPECT_EQ(r.client->alert(), alert::decrypt_error);
    }
  }
}

// ---- getters ----

// The DER certificates of a PEM file as the TLS 1.2 certificate_list carries them.
Bytes u24_list(const std::string& pem_file) {
  std::string pem = read_file(data_path(pem_file));
  Bytes out;
  // Round trip through a config: the library's own PEM decoder is not public, but the chain
  // it keeps is.
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  (void)b.with_system_certs(false);
  std::string key = pem_file == "int-leaf-chain.pem" ? "int-leaf-key.pem" : "";
  if (key.empty()) key = pem_file.substr(0, pem_file.find("-cert.pem")) + "-key.pem";
  EXPECT_TRUE(b.load_pem(pem, read_file(data_path(key))).ok());
  Config c = *b.build();
  for (const Certificate& cert : c.data().cert->chain) {
    std::span<const uint8_t> der = cert.der();
    out.push_back(static_cast<uint8_t>(der.size() >> 16));
    out.push_back(static_cast<uint8_t>(der.size() >> 8));
    out.push_back(static_cast<uint8_t>(der.size()));
    out.insert(out.end(), der.begin(), der.end());
  }
  return out;
}

TEST(ClientAuth, GettersOnBothSides) {
  for (Version v : {Version::TLS12, Version::TLS13}) {
    Pair p(client_cfg(Auth::Optional, "int-leaf"), server_cfg(Auth::Optional));
    cap_version(p, v);
    // Nothing to report before the handshake.
    EXPECT_FALSE(p.server.client_cert_chain_bytes().ok());
    EXPECT_FALSE(p.server.client_cert_used());
    Result2 r = run(p);
    ASSERT_FALSE(r.client || r.server) << name_of(r.client) << name_of(r.server);

    // The chain as sent (leaf + intermediate), TLS 1.2 layout on both versions.
    auto bytes = p.server.client_cert_chain_bytes();
    ASSERT_TRUE(bytes.ok());
    Bytes expect = u24_list("int-leaf-chain.pem");
    EXPECT_EQ(Bytes(bytes->begin(), bytes->end()), expect);
    // A client has no received client chain.
    EXPECT_TRUE(p.client.client_cert_chain_bytes()->empty());

    // The client's selected_cert is the chain it sent; the server's peer chain the validated
    // one (with the trust anchor).
    ASSERT_NE(p.client.selected_cert(), nullptr);
    EXPECT_EQ(p.client.selected_cert()->len(), 2u);
    ASSERT_NE(p.server.selected_cert(), nullptr);
    EXPECT_EQ(p.server.selected_cert()->len(), 1u);
    EXPECT_EQ(p.server.peer_cert_chain()->len(), 3u);
    EXPECT_EQ(p.client.peer_cert_chain()->len(), 2u);

    EXPECT_EQ(*p.server.selected_client_signature_algorithm(), SignatureAlgorithm::ECDSA);
    EXPECT_EQ(*p.server.selected_client_hash_algorithm(), HashAlgorithm::SHA256);
  }
}

// ---- certificate_authorities ----

// Finds the handshake message of `type` in a plaintext TLS 1.2 server flight.
std::optional<Bytes> find_message(const Bytes& flight, uint8_t type) {
  Bytes hs;
  size_t pos = 0;
  while (pos + 5 <= flight.size()) {
    const size_t len = (size_t{flight[pos + 3]} << 8) | flight[pos + 4];
    if (flight[pos] == 22 && pos + 5 + len <= flight.size())
      hs.insert(hs.end(), flight.begin() + pos + 5, flight.begin() + pos + 5 + len);
    if (flight[pos] == 20) break;  // ChangeCipherSpec: encrypted from here on
    pos += 5 + len;
  }
  pos = 0;
  while (pos + 4 <= hs.size()) {
    const size_t len = (size_t{hs[pos + 1]} << 16) | (size_t{hs[pos + 2]} << 8) | hs[pos + 3];
    if (hs[pos] == type && pos + 4 + len <= hs.size())
      return Bytes(hs.begin() + pos + 4, hs.begin() + pos + 4 + len);
    pos += 4 + len;
  }
  return std::nullopt;
}

bool contains_text(const Bytes& der, std::string_view text) {
  return std::search(der.begin(), der.end(), text.begin(), text.end()) != der.end();
}

TEST(ClientAuth, CertificateAuthoritiesListTheTrustStore) {
  auto with_cas = [](Config::Builder& b) {
    EXPECT_TRUE(b.trust_pem(read_file(data_path("other-ca-cert.pem"))).ok());
    EXPECT_TRUE(b.set_certificate_authorities_from_trust_store().ok());
  };
  // The names are computed when the config is built.
  Config server = server_cfg(Auth::Required, with_cas);
  ASSERT_EQ(server.data().ca_names.size(), 2u);

  // TLS 1.2: on the wire in the CertificateRequest.
  {
    Pair p(client_cfg(Auth::Optional, "ecdsa-p256"), server);
    cap_version(p, Version::TLS12);
    Bytes flight;
    ASSERT_TRUE(p.server
                    .set_send_callback([&](const uint8_t* b, uint32_t n) {
                      flight.insert(flight.end(), b, b + n);
                      return p.s2c.write(b, n);
                    })
                    .ok());
    Result2 r = run(p);
    ASSERT_FALSE(r.client || r.server) << name_of(r.client) << name_of(r.server);
    auto body = find_message(flight, 13);
    ASSERT_TRUE(body);
    auto cr = msg::parse_certificate_request12(*body, true);
    ASSERT_TRUE(cr.ok());
    EXPECT_EQ(cr->certificate_types, (std::vector<uint8_t>{1, 64}));
    EXPECT_FALSE(cr->signature_algorithms.empty());
    ASSERT_EQ(cr->certificate_authorities.size(), 2u);
    EXPECT_TRUE(contains_text(cr->certificate_authorities[0], "snr test CA") ||
                contains_text(cr->certificate_authorities[1], "snr test CA"));
    EXPECT_TRUE(contains_text(cr->certificate_authorities[0], "snr other test CA") ||
                contains_text(cr->certificate_authorities[1], "snr other test CA"));
  }
  // TLS 1.3: the client parses the extension and answers.
  {
    Pair p(client_cfg(Auth::Optional, "ecdsa-p256"), server);
    Result2 r = run(p);
    ASSERT_FALSE(r.client || r.server) << name_of(r.client) << name_of(r.server);
    EXPECT_TRUE(p.server.client_cert_used());
  }
  // Without the call: no names (TLS 1.2 CertificateRequest with an empty list).
  {
    Pair p(client_cfg(Auth::Optional, "ecdsa-p256"), server_cfg(Auth::Required));
    cap_version(p, Version::TLS12);
    Bytes flight;
    ASSERT_TRUE(p.server
                    .set_send_callback([&](const uint8_t* b, uint32_t n) {
                      flight.insert(flight.end(), b, b + n);
                      return p.s2c.write(b, n);
                    })
                    .ok());
    Result2 r = run(p);
    ASSERT_FALSE(r.client || r.server);
    auto body = find_message(flight, 13);
    ASSERT_TRUE(body);
    auto cr = msg::parse_certificate_request12(*body, true);
    ASSERT_TRUE(cr.ok());
    EXPECT_TRUE(cr->certificate_authorities.empty());
  }
}

TEST(ClientAuth, CertificateAuthoritiesCodec) {
  std::vector<Bytes> names = {{0x30, 0x01, 0x00}, {0x30, 0x00}};
  Bytes data;
  ASSERT_TRUE(msg::write_certificate_authorities(names, data));
  EXPECT_EQ(data, (Bytes{0, 9, 0, 3, 0x30, 1, 0, 0, 2, 0x30, 0}));
  auto back = msg::parse_certificate_authorities(data, false);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, names);
  // TLS 1.3 requires at least one name; an empty DN and trailing bytes are malformed.
  EXPECT_FALSE(msg::parse_certificate_authorities(Bytes{0, 0}, false).ok());
  EXPECT_TRUE(msg::parse_certificate_authorities(Bytes{0, 0}, true).ok());
  EXPECT_FALSE(msg::parse_certificate_authorities(Bytes{0, 2, 0, 0}, false).ok());
  EXPECT_FALSE(msg::parse_certificate_authorities(Bytes{0, 3, 0, 1, 0x30, 0}, false).ok());
  for (size_t n = 0; n < data.size(); ++n)
    EXPECT_FALSE(msg::parse_certificate_authorities(ByteView(data).first(n), false).ok()) << n;
}

TEST(ClientAuth, CertificateRequest12AndVerify12Codec) {
  msg::CertificateRequest12 cr;
  cr.certificate_types = {1, 64};
  cr.signature_algorithms = {0x0403, 0x0804};
  cr.certificate_authorities = {{0x30, 0x00}};
  Bytes out;
  ASSERT_TRUE(msg::serialize(cr, out).ok());
  ByteView body = ByteView(out).subspan(4);
  auto back = msg::parse_certificate_request12(body, true);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->certificate_types, cr.certificate_types);
  EXPECT_EQ(back->signature_algorithms, cr.signature_algorithms);
  EXPECT_EQ(back->certificate_authorities, cr.certificate_authorities);
  for (size_t n = 0; n < body.size(); ++n)
    EXPECT_FALSE(msg::parse_certificate_request12(body.first(n), true).ok()) << n;

  // TLS 1.1: no signature algorithms on the wire.
  cr.signature_algorithms.clear();
  out.clear();
  ASSERT_TRUE(msg::serialize(cr, out).ok());
  back = msg::parse_certificate_request12(ByteView(out).subspan(4), false);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back->signature_algorithms.empty());

  msg::CertificateVerify12 cv{0x0403, {1, 2, 3}};
  out.clear();
  ASSERT_TRUE(msg::serialize(cv, out).ok());
  EXPECT_EQ(out, (Bytes{15, 0, 0, 7, 4, 3, 0, 3, 1, 2, 3}));
  auto cv2 = msg::parse_certificate_verify12(ByteView(out).subspan(4), true);
  ASSERT_TRUE(cv2.ok());
  EXPECT_EQ(cv2->scheme, 0x0403);
  EXPECT_FALSE(msg::parse_certificate_verify12(ByteView(out).subspan(4), false).ok());
}

// ---- host names ----

TEST(ClientAuth, ServerChecksNamesOnlyThroughItsCallback) {
  for (Version v : {Version::TLS12, Version::TLS13}) {
    // No callback: a client certificate for another name is fine (only the chain counts).
    {
      Pair p(client_cfg(Auth::Optional, "wronghost"), server_cfg(Auth::Required));
      cap_version(p, v);
      Result2 r = run(p);
      ASSERT_FALSE(r.client || r.server) << name_of(r.client) << name_of(r.server);
      EXPECT_TRUE(p.server.client_cert_used());
    }
    // A config callback decides, and sees the client certificate's names.
    {
      std::vector<std::string> seen;
      auto cb = [&seen](std::string_view name) {
        seen.emplace_back(name);
        return name == "wrong.example";
      };
      Pair p(client_cfg(Auth::Optional, "wronghost"),
             server_cfg(Auth::Required, [&](Config::Builder& b) {
               EXPECT_TRUE(b.set_verify_host_callback(cb).ok());
             }));
      cap_version(p, v);
      Result2 r = run(p);
      ASSERT_FALSE(r.client || r.server) << name_of(r.client) << name_of(r.server);
      EXPECT_EQ(seen, std::vector<std::string>{"wrong.example"});
    }
    // A connection callback that refuses: bad_certificate.
    {
      Pair p(client_cfg(Auth::Optional, "ecdsa-p256"), server_cfg(Auth::Required));
      cap_version(p, v);
      ASSERT_TRUE(p.server.set_verify_host_callback([](std::string_view) { return false; }).ok());
      Result2 r = run(p);
      EXPECT_EQ(name_of(r.server), "S2N_ERR_CERT_INVALID_HOSTNAME");
      EXPECT_EQ(r.server->alert(), alert::bad_certificate);
      ASSERT_TRUE(r.client);
      EXPECT_EQ(r.client->alert(), alert::bad_certificate);
    }
  }
}

// ---- I/O shapes ----

TEST(ClientAuth, ByteAtATime) {
  for (Version v : {Version::TLS12, Version::TLS13}) {
    for (const char* kind : {"ecdsa-p256", "rsa2048"}) {
      Pair p(client_cfg(Auth::Required, kind), server_cfg(Auth::Required), 1);
      cap_version(p, v);
      Result2 r = run(p);
      ASSERT_FALSE(r.client || r.server) << name_of(r.client) << name_of(r.server);
      EXPECT_TRUE(p.server.client_cert_used());
      EXPECT_EQ(transfer(p.client, p.server, "one byte at a time"), "one byte at a time");
    }
  }
}

TEST(ClientAuth, WithHelloRetryRequest) {
  // A server with only secp384r1 (not the client's first share) asks for another share.
  const detail::PolicyData& def = Policy::DEFAULT.data();
  const uint16_t groups[] = {0x0018};
  detail::PolicyData no_x25519{"hrr",           def.min_version, def.cipher_suites,
                               def.sig_schemes, groups,          {}};
  Pair p(client_cfg(Auth::Optional, "ecdsa-p256"), server_cfg(Auth::Required));
  ASSERT_TRUE(p.server.set_security_policy(Policy(&no_x25519)).ok());
  Result2 r = run(p);
  ASSERT_FALSE(r.client || r.server) << name_of(r.client) << name_of(r.server);
  EXPECT_TRUE(p.server.client_cert_used());
  EXPECT_EQ(*p.server.handshake_type(),
            "NEGOTIATED|FULL_HANDSHAKE|CLIENT_AUTH|HELLO_RETRY_REQUEST|MIDDLEBOX_COMPAT");
}

// ---- post-handshake authentication is refused ----

TEST(ClientAuth, PostHandshakeCertificateRequestIsRefused) {
  Pair p(client_cfg(Auth::Optional, "ecdsa-p256"), server_cfg(std::nullopt));
  Result2 r = run(p);
  ASSERT_FALSE(r.client || r.server);
  msg::CertificateRequest cr;
  cr.context = {1, 2, 3, 4};
  cr.ext.add(msg::ext::signature_algorithms);
  cr.ext.signature_algorithms = {0x0403};
  Bytes out;
  ASSERT_TRUE(msg::serialize(cr, out).ok());
  detail::ConnectionState& s = p.server.state();
  ASSERT_TRUE(s.rl.write(msg::ContentType::handshake, out).ok());
  ASSERT_TRUE(p.server.poll_flush().is_ready());
  uint8_t buf[16];
  auto c = p.client.poll_recv(buf);
  ASSERT_TRUE(c.is_error());
  EXPECT_EQ(c.error().name(), "S2N_ERR_UNEXPECTED_CERT_REQUEST");
  EXPECT_EQ(c.error().alert(), alert::unexpected_message);
  auto sr = p.server.poll_recv(buf);
  ASSERT_TRUE(sr.is_error());
  EXPECT_EQ(sr.error().alert(), alert::unexpected_message);
}

// ---- resumption: no re-authentication ----

TEST(ClientAuth, ResumedHandshakesDoNotAuthenticateTheClient) {
  for (Version v : {Version::TLS12, Version::TLS13}) {
    auto tickets = [](Config::Builder& b) {
      const uint8_t name[] = {'k'};
      const uint8_t key[32] = {7};
      EXPECT_TRUE(b.add_session_ticket_key(name, key).ok());
    };
    Config server = server_cfg(Auth::Required, tickets);
    auto cb = Config::builder();
    (void)cb.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
    ASSERT_TRUE(cb.with_system_certs(false).ok());
    ASSERT_TRUE(cb.set_max_blinding_delay(std::chrono::seconds(0)).ok());
    ASSERT_TRUE(cb.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
    ASSERT_TRUE(cb.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                            read_file(data_path("ecdsa-p256-key.pem")))
                    .ok());
    ASSERT_TRUE(cb.enable_session_tickets(true).ok());
    Config client = *cb.build();

    Pair first(client, server);
    cap_version(first, v);
    Result2 r = run(first);
    ASSERT_FALSE(r.client || r.server) << name_of(r.client) << name_of(r.server);
    EXPECT_TRUE(first.server.client_cert_used());
    // TLS 1.3 tickets come after the handshake.
    EXPECT_EQ(transfer(first.server, first.client, "t"), "t");
    size_t len = *first.client.session_ticket_length();
    ASSERT_GT(len, 0u);
    std::vector<uint8_t> blob(len);
    ASSERT_TRUE(first.client.session_ticket(blob).ok());

    Pair second(client, server);
    cap_version(second, v);
    ASSERT_TRUE(second.client.set_session_ticket(blob).ok());
    Result2 r2 = run(second);
    ASSERT_FALSE(r2.client || r2.server) << name_of(r2.client) << name_of(r2.server);
    EXPECT_TRUE(second.server.resumed());
    EXPECT_FALSE(second.server.client_cert_used());
    const std::string type(*second.server.handshake_type());
    EXPECT_EQ(type.find("CLIENT_AUTH"), std::string::npos) << type;

    // A session made without a client certificate (an Optional server with the same ticket
    // key) is not resumed by a server that requires one: a full handshake authenticates.
    Config optional_server = server_cfg(Auth::Optional, tickets);
    auto nb = Config::builder();
    ASSERT_TRUE(nb.with_system_certs(false).ok());
    ASSERT_TRUE(nb.set_max_blinding_delay(std::chrono::seconds(0)).ok());
    ASSERT_TRUE(nb.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
    ASSERT_TRUE(nb.enable_session_tickets(true).ok());
    Config anonymous_client = *nb.build();
    Pair third(anonymous_client, optional_server);
    cap_version(third, v);
    Result2 r3 = run(third);
    ASSERT_FALSE(r3.client || r3.server) << name_of(r3.client) << name_of(r3.server);
    EXPECT_FALSE(third.server.client_cert_used());
    EXPECT_EQ(transfer(third.server, third.client, "t"), "t");
    std::vector<uint8_t> anon_blob(*third.client.session_ticket_length());
    ASSERT_FALSE(anon_blob.empty());
    ASSERT_TRUE(third.client.session_ticket(anon_blob).ok());

    Pair fourth(client, server);
    cap_version(fourth, v);
    ASSERT_TRUE(fourth.client.set_session_ticket(anon_blob).ok());
    Result2 r4 = run(fourth);
    ASSERT_FALSE(r4.client || r4.server) << name_of(r4.client) << name_of(r4.server);
    EXPECT_FALSE(fourth.server.resumed());
    EXPECT_TRUE(fourth.server.client_cert_used());
  }
}

TEST(ClientAuth, SessionStateCarriesClientAuthentication) {
  resume::SessionState st;
  st.version = Version::TLS12;
  st.cipher_suite = 0xC02B;
  st.secret = SecureBytes(Bytes(48, 7));
  for (bool authenticated : {false, true}) {
    st.client_authenticated = authenticated;
    Bytes out;
    ASSERT_TRUE(resume::encode_state(st, out).ok());
    auto back = resume::decode_state(out);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back->client_authenticated, authenticated);
  }
}

}  // namespace
}  // namespace snr::test
