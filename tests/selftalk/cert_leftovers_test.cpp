// Certificate leftovers of issue #5: a client offers its load_chain chains for client
// authentication (the one the request admits), or the chain its certificate request callback
// picks; trailing dots in server names (RFC 6066 3);
// policies whose certificate rules bind the local chains (SECURITY_POLICY_INCOMPATIBLE_CERT).
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hs/config_data.hpp"
#include "pair.hpp"
#include "util/error_code.hpp"

namespace snr::test {
namespace {

// A policy owning its lists (ad-hoc signature schemes for the server's request).
struct TestPolicy {
  std::vector<uint16_t> suites, schemes, groups;
  detail::PolicyData data;
  TestPolicy(std::vector<uint16_t> s, std::vector<uint16_t> sig, std::vector<uint16_t> g)
      : suites(std::move(s)), schemes(std::move(sig)), groups(std::move(g)) {
    data = detail::PolicyData{"test", Version::TLS12, suites, schemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

Policy named(std::string_view name) {
  auto p = Policy::from_version(name);
  EXPECT_TRUE(p.ok()) << name;
  return *p;
}

CertificateChain chain_of(const std::string& cert_file, const std::string& key_file) {
  cert_chain::Builder b;
  EXPECT_TRUE(b.load_pem(read_file(data_path(cert_file)), read_file(data_path(key_file))).ok());
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}
CertificateChain chain_of(const std::string& kind) {
  return chain_of(kind + "-cert.pem", kind + "-key.pem");
}

// --- 1. client authentication with load_chain chains ---

// A server asking for a client certificate with only the schemes of `policy`.
Config requesting_server(const std::string& kind, const Policy& policy) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(
      b.load_pem(read_file(data_path(kind + "-cert.pem")), read_file(data_path(kind + "-key.pem")))
          .ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  EXPECT_TRUE(b.set_client_auth_type(ClientAuthType::Required).ok());
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

// A client holding `chains` (load_chain, in order), optionally with explicit defaults.
Config client_with_chains(const std::vector<CertificateChain>& chains,
                          const std::vector<CertificateChain>& defaults = {}) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  for (const CertificateChain& c : chains) {
    EXPECT_TRUE(b.load_chain(c).ok());
  }
  if (!defaults.empty()) {
    EXPECT_TRUE(b.set_default_chains(defaults).ok());
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

// rsa_pss_rsae_sha256 and rsa_pkcs1_sha256 only (RSA keys); TLS 1.3 and ECDHE-RSA suites.
const TestPolicy& rsa_only13() {
  static const TestPolicy p({0x1301, 0xc02f}, {0x0804, 0x0401}, {0x001d, 0x0017});
  return p;
}
const TestPolicy& rsa_only12() {
  static const TestPolicy p({0xc02f}, {0x0804, 0x0401}, {0x001d, 0x0017});
  return p;
}
// ecdsa_secp256r1_sha256 only.
const TestPolicy& ecdsa_only13() {
  static const TestPolicy p({0x1301, 0xc02b}, {0x0403}, {0x001d, 0x0017});
  return p;
}
const TestPolicy& ecdsa_only12() {
  static const TestPolicy p({0xc02b}, {0x0403}, {0x001d, 0x0017});
  return p;
}

struct AuthCase {
  const TestPolicy* server_policy;
  std::string server_kind;
  Version version;
  bool want_rsa;
};

TEST(ClientAuthChains, TheRequestChoosesTheChain) {
  const AuthCase cases[] = {
      {&rsa_only13(), "rsa2048", Version::TLS13, true},
      {&rsa_only12(), "rsa2048", Version::TLS12, true},
      {&ecdsa_only13(), "ecdsa-p256", Version::TLS13, false},
      {&ecdsa_only12(), "ecdsa-p256", Version::TLS12, false},
  };
  for (const AuthCase& t : cases) {
    SCOPED_TRACE(t.server_kind + (t.version == Version::TLS13 ? " 1.3" : " 1.2"));
    const CertificateChain ecdsa = chain_of("ecdsa-p256");
    const CertificateChain rsa = chain_of("rsa2048");
    // Both are defaults (one per key type); the ECDSA one is loaded first.
    Pair p(client_with_chains({ecdsa, rsa}),
           requesting_server(t.server_kind, t.server_policy->policy()));
    expect_success(drive_pair(p.client, p.server));
    EXPECT_EQ(*p.server.actual_protocol_version(), t.version);
    EXPECT_TRUE(p.server.client_cert_used());
    const CertificateChain* sent = p.client.selected_cert();
    ASSERT_NE(sent, nullptr);
    EXPECT_TRUE(sent->same_chain(t.want_rsa ? rsa : ecdsa));
    auto peer = p.server.peer_cert_chain();
    ASSERT_TRUE(peer.ok());
    ASSERT_GE(peer->len(), 1u);
    const auto want = (t.want_rsa ? rsa : ecdsa)[0].der();
    EXPECT_TRUE(
        std::equal(want.begin(), want.end(), (*peer)[0].der().begin(), (*peer)[0].der().end()));
    auto alg = p.server.selected_client_signature_algorithm();
    ASSERT_TRUE(alg.ok());
    if (t.want_rsa) {
      EXPECT_NE(*alg, SignatureAlgorithm::ECDSA);
    } else {
      EXPECT_EQ(*alg, SignatureAlgorithm::ECDSA);
    }
  }
}

TEST(ClientAuthChains, DefaultsComeFirstThenOtherChains) {
  for (bool tls13 : {true, false}) {
    const CertificateChain ecdsa = chain_of("ecdsa-p256");
    const CertificateChain p384 = chain_of("ecdsa-p384");
    const CertificateChain rsa = chain_of("rsa2048");
    // The explicit default is the P-384 chain; an ECDSA request gets it although the P-256
    // one was loaded first.
    {
      Pair p(client_with_chains({ecdsa, rsa}, {p384}),
             requesting_server("ecdsa-p256", tls13 ? Policy::DEFAULT : named("20240501")));
      expect_success(drive_pair(p.client, p.server));
      ASSERT_NE(p.client.selected_cert(), nullptr);
      EXPECT_TRUE(p.client.selected_cert()->same_chain(p384));
    }
    // An RSA-only request skips the (ECDSA) default for a non-default RSA chain.
    {
      Pair p(client_with_chains({ecdsa, rsa}, {p384}),
             requesting_server("rsa2048", tls13 ? rsa_only13().policy() : rsa_only12().policy()));
      expect_success(drive_pair(p.client, p.server));
      ASSERT_NE(p.client.selected_cert(), nullptr);
      EXPECT_TRUE(p.client.selected_cert()->same_chain(rsa));
    }
  }
}

TEST(ClientAuthChains, NoChainFitsTheRequest) {
  for (bool tls13 : {true, false}) {
    const CertificateChain ecdsa = chain_of("ecdsa-p256");
    const Policy server_policy = tls13 ? rsa_only13().policy() : rsa_only12().policy();
    // Optional (the client's default): an empty Certificate, which a Required server refuses.
    Pair p(client_with_chains({ecdsa}), requesting_server("rsa2048", server_policy));
    HandshakeOutcome o = drive_pair(p.client, p.server);
    ASSERT_TRUE(o.server);
    EXPECT_EQ(err_of(*o.server), tls13 ? Err::CLIENT_CERT_REQUIRED : Err::MISSING_CLIENT_CERT);
    EXPECT_FALSE(p.server.client_cert_used());
    // Required on the client: the client itself fails.
    Pair q(client_with_chains({ecdsa}), requesting_server("rsa2048", server_policy));
    ASSERT_TRUE(q.client.set_client_auth_type(ClientAuthType::Required).ok());
    HandshakeOutcome r = drive_pair(q.client, q.server);
    ASSERT_TRUE(r.client);
    EXPECT_EQ(err_of(*r.client), Err::NO_VALID_SIGNATURE_SCHEME);
  }
}

// --- 1b. the certificate request callback ---

Config client_with_callback(CertificateRequestCallback cb,
                            const std::vector<CertificateChain>& chains = {}) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  for (const CertificateChain& c : chains) {
    EXPECT_TRUE(b.load_chain(c).ok());
  }
  EXPECT_TRUE(b.set_certificate_request_callback(std::move(cb)).ok());
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

// requesting_server, also listing its trust store's names in the request.
Config naming_server(const std::string& kind, const Policy& policy) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  EXPECT_TRUE(
      b.load_pem(read_file(data_path(kind + "-cert.pem")), read_file(data_path(kind + "-key.pem")))
          .ok());
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  EXPECT_TRUE(b.set_client_auth_type(ClientAuthType::Required).ok());
  EXPECT_TRUE(b.set_certificate_authorities_from_trust_store().ok());
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

TEST(CertificateRequestCallback, AppChoosesTheChainFromTheRequest) {
  for (bool tls13 : {true, false}) {
    SCOPED_TRACE(tls13 ? "1.3" : "1.2");
    const CertificateChain rsa = chain_of("rsa2048");
    const CertificateChain ecdsa = chain_of("ecdsa-p256");
    std::vector<uint16_t> seen_schemes;
    size_t seen_names = 0;
    std::string first_name_subject;
    int calls = 0;
    auto cb = [&](Connection& conn, CertificateRequest& req) {
      ++calls;
      EXPECT_EQ(conn.mode(), Mode::Client);
      seen_schemes.assign(req.signature_schemes().begin(), req.signature_schemes().end());
      seen_names = req.certificate_authorities().size();
      EXPECT_EQ(req.certificate(), nullptr);
      // A plain CertificateChain (no key) cannot answer.
      EXPECT_EQ(err_of(req.set_certificate(CertificateChain()).error()), Err::INVALID_ARGUMENT);
      EXPECT_TRUE(req.set_certificate(ecdsa).ok());
      req.reset();
      EXPECT_EQ(req.certificate(), nullptr);
      EXPECT_TRUE(req.set_certificate(rsa).ok());
      return true;
    };
    // The config's own chain (ECDSA) would fit too: the callback's choice wins.
    Pair p(client_with_callback(cb, {ecdsa}),
           naming_server("rsa2048", tls13 ? Policy::DEFAULT : named("20240501")));
    expect_success(drive_pair(p.client, p.server));
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(*p.client.actual_protocol_version(), tls13 ? Version::TLS13 : Version::TLS12);
    EXPECT_FALSE(seen_schemes.empty());
    EXPECT_NE(std::find(seen_schemes.begin(), seen_schemes.end(), 0x0804), seen_schemes.end());
    EXPECT_EQ(seen_names, 1u);  // the test root's subject
    ASSERT_NE(p.client.selected_cert(), nullptr);
    EXPECT_TRUE(p.client.selected_cert()->same_chain(rsa));
    EXPECT_TRUE(p.server.client_cert_used());
  }
}

TEST(CertificateRequestCallback, NoChoiceFallsBackToTheConfig) {
  const CertificateChain ecdsa = chain_of("ecdsa-p256");
  int calls = 0;
  Pair p(client_with_callback(
             [&](Connection&, CertificateRequest&) {
               ++calls;
               return true;
             },
             {ecdsa}),
         naming_server("ecdsa-p256", Policy::DEFAULT));
  expect_success(drive_pair(p.client, p.server));
  EXPECT_EQ(calls, 1);
  ASSERT_NE(p.client.selected_cert(), nullptr);
  EXPECT_TRUE(p.client.selected_cert()->same_chain(ecdsa));
}

TEST(CertificateRequestCallback, FailureAndUnfitChoice) {
  for (bool tls13 : {true, false}) {
    const Policy server_policy = tls13 ? rsa_only13().policy() : rsa_only12().policy();
    Pair p(client_with_callback([](Connection&, CertificateRequest&) { return false; }),
           requesting_server("rsa2048", server_policy));
    HandshakeOutcome o = drive_pair(p.client, p.server);
    ASSERT_TRUE(o.client);
    EXPECT_EQ(err_of(*o.client), Err::CANCELLED);
    // An ECDSA chain for an RSA-only request.
    const CertificateChain ecdsa = chain_of("ecdsa-p256");
    Pair q(client_with_callback([&](Connection&, CertificateRequest& req) {
             EXPECT_TRUE(req.set_certificate(ecdsa).ok());
             return true;
           }),
           requesting_server("rsa2048", server_policy));
    HandshakeOutcome r = drive_pair(q.client, q.server);
    ASSERT_TRUE(r.client);
    EXPECT_EQ(err_of(*r.client), Err::NO_VALID_SIGNATURE_SCHEME);
  }
}

// --- 2. trailing dots (RFC 6066 3) ---

Config sni_server(const Policy& policy) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  // The default first, so that a name that matched nothing would get it.
  EXPECT_TRUE(b.load_chain(chain_of("sni/default-ecdsa")).ok());
  EXPECT_TRUE(b.load_chain(chain_of("sni/www-ecdsa")).ok());
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

std::string leaf_subject(const CertificateChain* chain) {
  return chain == nullptr || chain->is_empty() ? std::string() : (*chain)[0].subject();
}

TEST(TrailingDot, ClientSendsAndChecksTheNameWithoutIt) {
  for (const Policy& pol : {Policy::DEFAULT, named("20240501")}) {
    Pair p(client_config(pol), server_config("ecdsa-p256", pol));
    ASSERT_TRUE(p.client.set_server_name("localhost.").ok());
    expect_success(drive_pair(p.client, p.server));
    // The server saw the name without the dot; the client keeps what the application set.
    ASSERT_TRUE(p.server.server_name().has_value());
    EXPECT_EQ(*p.server.server_name(), "localhost");
    ASSERT_TRUE(p.client.server_name().has_value());
    EXPECT_EQ(*p.client.server_name(), "localhost.");
    EXPECT_EQ(transfer(p.client, p.server, "dot"), "dot");
  }
}

TEST(TrailingDot, ClientNameWithDotSelectsAndVerifiesTheCertificate) {
  for (const Policy& pol : {Policy::DEFAULT, named("20240501")}) {
    Pair p(client_config(pol), sni_server(pol));
    ASSERT_TRUE(p.client.set_server_name("www.example.com.").ok());
    expect_success(drive_pair(p.client, p.server));
    EXPECT_EQ(p.server.certificate_match(), CertSNIMatch::ExactMatch);
    EXPECT_NE(leaf_subject(p.server.selected_cert()).find("www-ecdsa"), std::string::npos);
  }
}

TEST(TrailingDot, ServerSelectsAsWithoutTheDot) {
  for (const Policy& pol : {Policy::DEFAULT, named("20240501")}) {
    // snr's client never sends the dot: its name is rewritten on the wire to one with a dot
    // of the same length ("www.example.comm" -> "www.example.com.").
    std::string seen_by_callback;
    auto b = Config::builder();
    ASSERT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
    ASSERT_TRUE(b.with_system_certs(false).ok());
    ASSERT_TRUE(b.set_security_policy(pol).ok());
    ASSERT_TRUE(b.load_chain(chain_of("sni/default-ecdsa")).ok());
    ASSERT_TRUE(b.load_chain(chain_of("sni/www-ecdsa")).ok());
    ASSERT_TRUE(b.set_client_hello_callback([&](Connection& conn) {
                   if (auto n = conn.server_name()) seen_by_callback = std::string(*n);
                   return ClientHelloResult::done();
                 }).ok());
    auto server_cfg = b.build();
    ASSERT_TRUE(server_cfg.ok());
    Pair p(client_config(pol), *server_cfg);
    ASSERT_TRUE(p.client.set_server_name("www.example.comm").ok());
    ASSERT_TRUE(p.client.poll_negotiate().is_pending());
    const std::string needle = "www.example.comm";
    auto it = std::search(p.c2s.bytes.begin(), p.c2s.bytes.end(), needle.begin(), needle.end());
    ASSERT_NE(it, p.c2s.bytes.end());
    *(it + static_cast<std::ptrdiff_t>(needle.size() - 1)) = '.';
    // The server chooses its certificate from the hello (the client then fails: its
    // transcript holds the hello it sent, which is the point of the rewrite).
    Poll<void> s = p.server.poll_negotiate();
    ASSERT_FALSE(s.is_error()) << s.error().message();
    EXPECT_EQ(seen_by_callback, "www.example.com.");
    EXPECT_EQ(p.server.certificate_match(), CertSNIMatch::ExactMatch);
    EXPECT_NE(leaf_subject(p.server.selected_cert()).find("www-ecdsa"), std::string::npos);
  }
}

// --- 3. policies whose certificate rules apply locally ---

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::string bio_text(BIO* b) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(b, &data);
  return std::string(data, static_cast<size_t>(n));
}

// A P-384 leaf for localhost issued by the test root, signed with `md` (PEM cert, PEM key).
std::pair<std::string, std::string> p384_leaf_signed_with(const EVP_MD* md) {
  const std::string ca_pem = read_file(data_path("ca-cert.pem"));
  const std::string ca_key_pem = read_file(data_path("ca-key.pem"));
  std::unique_ptr<BIO, BioFree> cb(BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())));
  std::unique_ptr<X509, X509Free> ca(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
  std::unique_ptr<BIO, BioFree> kb(
      BIO_new_mem_buf(ca_key_pem.data(), static_cast<int>(ca_key_pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyFree> ca_key(
      PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
  std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-384"));
  std::unique_ptr<X509, X509Free> x(X509_new());
  if (!ca || !ca_key || !key || !x) return {};
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 4242);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600L * 24 * 365);
  X509_set_pubkey(x.get(), key.get());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(x.get(), X509_get_subject_name(ca.get()));
  if (X509_sign(x.get(), ca_key.get(), md) <= 0) return {};
  std::unique_ptr<BIO, BioFree> out(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioFree> kout(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(out.get(), x.get());
  PEM_write_bio_PrivateKey(kout.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return {bio_text(out.get()), bio_text(kout.get())};
}

Err load_error(const Policy& policy, const std::string& cert_pem, const std::string& key_pem) {
  auto b = Config::builder();
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  Status s = b.load_pem(cert_pem, key_pem);
  if (s.ok()) {
    auto c = b.build();
    EXPECT_TRUE(c.ok());
    return Err::kCount;
  }
  return err_of(s.error());
}
Err load_error(const Policy& policy, const std::string& kind) {
  return load_error(policy, read_file(data_path(kind + "-cert.pem")),
                    read_file(data_path(kind + "-key.pem")));
}

TEST(LocalCertPolicy, LoadPemRefusesChainsTheRulesForbid) {
  for (std::string_view name : {"rfc9151", "20251013", "cnsa_1"}) {
    SCOPED_TRACE(std::string(name));
    const Policy pol = named(name);
    // P-384 signed with ecdsa_secp384r1_sha384 (the root's self-signature is not judged).
    EXPECT_EQ(load_error(pol, "ecdsa-p384"), Err::kCount);
    // Keys the policy does not list.
    EXPECT_EQ(load_error(pol, "ecdsa-p256"), Err::SECURITY_POLICY_INCOMPATIBLE_CERT);
    EXPECT_EQ(load_error(pol, "rsa2048"), Err::SECURITY_POLICY_INCOMPATIBLE_CERT);
    EXPECT_EQ(load_error(pol, "ed25519"), Err::SECURITY_POLICY_INCOMPATIBLE_CERT);
    // An allowed key under a signature the policy does not list.
    auto [sha256_cert, sha256_key] = p384_leaf_signed_with(EVP_sha256());
    ASSERT_FALSE(sha256_cert.empty());
    EXPECT_EQ(load_error(pol, sha256_cert, sha256_key), Err::SECURITY_POLICY_INCOMPATIBLE_CERT);
    auto [sha384_cert, sha384_key] = p384_leaf_signed_with(EVP_sha384());
    ASSERT_FALSE(sha384_cert.empty());
    EXPECT_EQ(load_error(pol, sha384_cert, sha384_key), Err::kCount);
  }
  // Policies whose rules bind only the peer's chain accept anything.
  EXPECT_EQ(load_error(Policy::DEFAULT, "ecdsa-p256"), Err::kCount);
  EXPECT_EQ(load_error(named("default_fips"), "rsa2048"), Err::kCount);
}

TEST(LocalCertPolicy, ErrorNameAndKind) {
  auto b = Config::builder();
  ASSERT_TRUE(b.set_security_policy(named("rfc9151")).ok());
  Status s = b.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                        read_file(data_path("ecdsa-p256-key.pem")));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().name(), "S2N_ERR_SECURITY_POLICY_INCOMPATIBLE_CERT");
  EXPECT_EQ(s.error().kind(), ErrorKind::Usage);
  // The refused chain is not kept: another one can be loaded.
  EXPECT_TRUE(b.load_pem(read_file(data_path("ecdsa-p384-cert.pem")),
                         read_file(data_path("ecdsa-p384-key.pem")))
                  .ok());
}

TEST(LocalCertPolicy, SettingThePolicyAfterTheChain) {
  auto b = Config::builder();
  ASSERT_TRUE(b.with_system_certs(false).ok());
  ASSERT_TRUE(
      b.load_pem(read_file(data_path("rsa2048-cert.pem")), read_file(data_path("rsa2048-key.pem")))
          .ok());
  Status s = b.set_security_policy(named("rfc9151"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(err_of(s.error()), Err::SECURITY_POLICY_INCOMPATIBLE_CERT);
  // The old policy stays.
  auto c = b.build();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->data().policy, &Policy::DEFAULT.data());

  auto ok = Config::builder();
  ASSERT_TRUE(ok.load_chain(chain_of("ecdsa-p384")).ok());
  EXPECT_TRUE(ok.set_security_policy(named("rfc9151")).ok());
  auto bad = Config::builder();
  ASSERT_TRUE(bad.load_chain(chain_of("ecdsa-p384")).ok());
  ASSERT_TRUE(bad.load_chain(chain_of("ecdsa-p256")).ok());
  EXPECT_EQ(err_of(bad.set_security_policy(named("cnsa_1")).error()),
            Err::SECURITY_POLICY_INCOMPATIBLE_CERT);
}

TEST(LocalCertPolicy, LoadChainAndDefaultChains) {
  auto b = Config::builder();
  ASSERT_TRUE(b.set_security_policy(named("rfc9151")).ok());
  EXPECT_EQ(err_of(b.load_chain(chain_of("ecdsa-p256")).error()),
            Err::SECURITY_POLICY_INCOMPATIBLE_CERT);
  const CertificateChain rsa = chain_of("rsa2048");
  EXPECT_EQ(err_of(b.set_default_chains(std::span<const CertificateChain>(&rsa, 1)).error()),
            Err::SECURITY_POLICY_INCOMPATIBLE_CERT);
  EXPECT_TRUE(b.load_chain(chain_of("ecdsa-p384")).ok());
  EXPECT_TRUE(b.build().ok());
}

TEST(LocalCertPolicy, ConnectionPolicyAgainstTheConfigsChains) {
  const Policy strict = named("rfc9151");
  // A connection setting the policy while its config holds a chain that breaks it.
  Connection a = Connection::new_server();
  ASSERT_TRUE(a.set_config(server_config("ecdsa-p256")).ok());
  Status s = a.set_security_policy(strict);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(err_of(s.error()), Err::SECURITY_POLICY_INCOMPATIBLE_CERT);
  // The policy first, then such a config.
  Connection b = Connection::new_server();
  ASSERT_TRUE(b.set_security_policy(strict).ok());
  Status c = b.set_config(server_config("rsa2048"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(err_of(c.error()), Err::SECURITY_POLICY_INCOMPATIBLE_CERT);
  // A compatible chain handshakes under the policy, both versions.
  for (const Policy& client_pol : {Policy::DEFAULT, named("20240501")}) {
    Pair p(client_config(client_pol), server_config("ecdsa-p384"));
    ASSERT_TRUE(p.server.set_security_policy(strict).ok());
    expect_success(drive_pair(p.client, p.server));
    EXPECT_EQ(*p.server.actual_protocol_version(),
              client_pol == Policy::DEFAULT ? Version::TLS13 : Version::TLS12);
  }
}

}  // namespace
}  // namespace snr::test
