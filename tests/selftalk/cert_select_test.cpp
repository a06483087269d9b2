// Server certificate selection by SNI (SPEC 6.15): cert_chain::Builder chains loaded with
// Config::Builder::load_chain / set_default_chains, looked up by exact name, then one-label
// wildcard, then the per-type defaults, and among those by what the client can verify;
// certificate_match(), selected_cert() and the empty server_name acknowledgement.
// Certificates: tests/data/sni (make.sh there says which names each one has).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "hello_bytes.hpp"
#include "pair.hpp"
#include "util/error_code.hpp"

namespace snr::test {
namespace {

std::string sni_file(const std::string& name, const char* part) {
  return read_file(data_path("sni/" + name + "-" + part + ".pem"));
}

// A chain whose application context is its file name (what the tests compare).
CertificateChain chain(const std::string& name) {
  cert_chain::Builder b;
  EXPECT_TRUE(b.load_pem(sni_file(name, "cert"), sni_file(name, "key")).ok()) << name;
  EXPECT_TRUE(b.set_application_context(name).ok());
  auto c = b.build();
  EXPECT_TRUE(c.ok()) << name;
  return c.ok() ? *c : CertificateChain();
}

Config::Builder base_builder(const Policy& policy) {
  auto b = Config::builder();
  EXPECT_TRUE(b.set_max_blinding_delay(std::chrono::seconds(0)).ok());
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy).ok());
  return b;
}

Config build(Config::Builder& b) {
  auto c = b.build();
  EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message());
  return *c;
}

Config server_with(const std::vector<CertificateChain>& chains,
                   const Policy& policy = Policy::DEFAULT) {
  auto b = base_builder(policy);
  for (const CertificateChain& c : chains) EXPECT_TRUE(b.load_chain(c).ok());
  return build(b);
}

// Validates the chain against the test root but accepts any name: the tests choose names
// that the default chains do not carry.
Config client_with(const Policy& policy = Policy::DEFAULT) {
  auto b = base_builder(policy);
  EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  EXPECT_TRUE(b.set_verify_host_callback([](std::string_view) { return true; }).ok());
  return build(b);
}

// A policy owning its lists (TLS 1.3 when a TLS 1.3 suite is listed, else TLS 1.2).
struct TestPolicy {
  std::vector<uint16_t> suites, schemes, groups;
  detail::PolicyData data;
  TestPolicy(std::vector<uint16_t> s, std::vector<uint16_t> sig,
             std::vector<uint16_t> g = {0x001d, 0x0017})
      : suites(std::move(s)), schemes(std::move(sig)), groups(std::move(g)) {
    data = detail::PolicyData{"test", Version::TLS12, suites, schemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

const std::vector<uint16_t> kAllSchemes = {0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501};

// A client and a server over in-memory pipes; the client names `sni` (none: no server_name).
struct Sides {
  Pipe c2s, s2c;
  Connection client = Connection::new_client();
  Connection server = Connection::new_server();

  Sides(Config client_cfg, Config server_cfg, std::optional<std::string> sni) {
    EXPECT_TRUE(client.set_config(std::move(client_cfg)).ok());
    EXPECT_TRUE(server.set_config(std::move(server_cfg)).ok());
    if (sni) {
      EXPECT_TRUE(client.set_server_name(*sni).ok());
    }
    EXPECT_TRUE(
        client.set_send_callback([this](const uint8_t* b, uint32_t n) { return c2s.write(b, n); })
            .ok());
    EXPECT_TRUE(
        client.set_receive_callback([this](uint8_t* b, uint32_t n) { return s2c.read(b, n); })
            .ok());
    EXPECT_TRUE(
        server.set_send_callback([this](const uint8_t* b, uint32_t n) { return s2c.write(b, n); })
            .ok());
    EXPECT_TRUE(
        server.set_receive_callback([this](uint8_t* b, uint32_t n) { return c2s.read(b, n); })
            .ok());
  }
  Sides(const Sides&) = delete;

  // Both handshakes to the end; the first error (client's, then server's) if any.
  std::optional<Error> handshake() {
    bool c_done = false, s_done = false;
    std::optional<Error> c_err, s_err;
    for (int i = 0; i < 100000 && !(c_done && s_done); ++i) {
      if (!c_done && !c_err) {
        auto r = client.poll_negotiate();
        if (r.is_error()) c_err = r.error();
        c_done = r.is_ready();
      }
      if (!s_done && !s_err) {
        auto r = server.poll_negotiate();
        if (r.is_error()) s_err = r.error();
        s_done = r.is_ready();
      }
      if (c_err && s_err) break;
    }
    if (s_err) return s_err;
    if (c_err) return c_err;
    if (!(c_done && s_done)) return Error(0, "handshake did not finish");
    return std::nullopt;
  }

  // The file name of the chain the server picked ("" if none / not a builder chain).
  std::string picked() const {
    const CertificateChain* mine = server.selected_cert();
    if (mine == nullptr) return "";
    const std::string* name = mine->application_context<std::string>();
    return name ? *name : "";
  }
  // The leaf's subject as the client received it.
  std::string client_saw() const {
    auto chain = client.peer_cert_chain();
    if (!chain.ok() || chain->is_empty()) return "";
    return (*chain)[0].subject();
  }
};

// The leaf's CN: the file name, except where the CN is a name (tests/data/sni/make.sh).
std::string cn_of(const std::string& file) {
  if (file == "cn-only") return "cnonly.example.com";
  if (file == "cn-san") return "ignored.example.com";
  return file;
}

struct Picked {
  std::string name;
  CertSNIMatch match = CertSNIMatch::NoSNI;
};

// One handshake; fails the test if it fails.
Picked run(const Config& client, const Config& server, std::optional<std::string> sni) {
  Sides s(client, server, std::move(sni));
  std::optional<Error> e = s.handshake();
  EXPECT_FALSE(e) << (e ? std::string(e->name()) + ": " + std::string(e->message()) : "");
  if (e) return {};
  // The client got the chain the server says it sent.
  EXPECT_NE(s.client_saw().find("CN=" + cn_of(s.picked())), std::string::npos)
      << s.client_saw() << " vs " << s.picked();
  return {s.picked(), s.server.certificate_match()};
}

void expect_pick(const Picked& p, const std::string& name, CertSNIMatch match) {
  EXPECT_EQ(p.name, name);
  EXPECT_EQ(p.match, match);
}

TEST(CertSelect, ExactNameBothVersions) {
  Config server = server_with({chain("default-ecdsa"), chain("www-ecdsa")});
  TestPolicy tls12({0xc02b, 0xc02f}, kAllSchemes);
  for (const Config& client : {client_with(), client_with(tls12.policy())}) {
    expect_pick(run(client, server, "www.example.com"), "www-ecdsa", CertSNIMatch::ExactMatch);
    expect_pick(run(client, server, "default.example.net"), "default-ecdsa",
                CertSNIMatch::ExactMatch);
  }
}

TEST(CertSelect, WildcardCoversExactlyOneLabel) {
  Config server = server_with({chain("default-ecdsa"), chain("wild-ecdsa")});
  Config client = client_with();
  expect_pick(run(client, server, "a.example.com"), "wild-ecdsa", CertSNIMatch::WildcardMatch);
  expect_pick(run(client, server, "www.example.com"), "wild-ecdsa", CertSNIMatch::WildcardMatch);
  expect_pick(run(client, server, "a.b.example.com"), "default-ecdsa", CertSNIMatch::NoMatch);
  expect_pick(run(client, server, "example.com"), "default-ecdsa", CertSNIMatch::NoMatch);
}

TEST(CertSelect, ExactMatchBeatsWildcard) {
  Config server = server_with({chain("wild-ecdsa"), chain("www-ecdsa")});
  Config client = client_with();
  expect_pick(run(client, server, "www.example.com"), "www-ecdsa", CertSNIMatch::ExactMatch);
  expect_pick(run(client, server, "mail.example.com"), "wild-ecdsa", CertSNIMatch::WildcardMatch);
}

TEST(CertSelect, NamesAreCaseInsensitive) {
  Config server = server_with({chain("default-rsa"), chain("www-rsa"), chain("wild-ecdsa")});
  Config client = client_with();
  // The client's name in capitals; the certificate's SAN "Mixed.Example.COM" in lower case.
  expect_pick(run(client, server, "WWW.Example.COM"), "www-rsa", CertSNIMatch::ExactMatch);
  expect_pick(run(client, server, "mixed.example.com"), "www-rsa", CertSNIMatch::ExactMatch);
  expect_pick(run(client, server, "A.EXAMPLE.com"), "wild-ecdsa", CertSNIMatch::WildcardMatch);
}

TEST(CertSelect, NoNameGetsTheDefault) {
  Config server = server_with({chain("default-ecdsa"), chain("www-ecdsa"), chain("wild-ecdsa")});
  Config client = client_with();
  expect_pick(run(client, server, std::nullopt), "default-ecdsa", CertSNIMatch::NoSNI);
}

TEST(CertSelect, UnknownNameGetsTheDefault) {
  Config server = server_with({chain("www-ecdsa"), chain("default-ecdsa")});
  Config client = client_with();
  // The first chain loaded of a type is its default, whatever its names.
  expect_pick(run(client, server, "unknown.example.org"), "www-ecdsa", CertSNIMatch::NoMatch);
}

TEST(CertSelect, CommonNameOnlyWithoutSan) {
  Config server = server_with({chain("default-ecdsa"), chain("cn-only"), chain("cn-san")});
  Config client = client_with();
  expect_pick(run(client, server, "cnonly.example.com"), "cn-only", CertSNIMatch::ExactMatch);
  expect_pick(run(client, server, "san.example.com"), "cn-san", CertSNIMatch::ExactMatch);
  // cn-san has a SAN: its CN is no name to look it up by.
  expect_pick(run(client, server, "ignored.example.com"), "default-ecdsa", CertSNIMatch::NoMatch);
}

TEST(CertSelect, Tls13ByClientSignatureAlgorithms) {
  Config server = server_with({chain("www-ecdsa"), chain("www-rsa")});
  TestPolicy pss_only({0x1301}, {0x0804});
  TestPolicy ecdsa_only({0x1301}, {0x0403});
  expect_pick(run(client_with(pss_only.policy()), server, "www.example.com"), "www-rsa",
              CertSNIMatch::ExactMatch);
  expect_pick(run(client_with(ecdsa_only.policy()), server, "www.example.com"), "www-ecdsa",
              CertSNIMatch::ExactMatch);
  // Both verifiable: the server's policy prefers ECDSA.
  expect_pick(run(client_with(), server, "www.example.com"), "www-ecdsa", CertSNIMatch::ExactMatch);
  // No name: the defaults, still by what the client verifies.
  expect_pick(run(client_with(pss_only.policy()), server, std::nullopt), "www-rsa",
              CertSNIMatch::NoSNI);
}

TEST(CertSelect, UnusableMatchFallsBackToAUsableDefault) {
  Config server = server_with({chain("default-rsa"), chain("www-ecdsa")});
  TestPolicy pss_only({0x1301}, {0x0804});
  expect_pick(run(client_with(pss_only.policy()), server, "www.example.com"), "default-rsa",
              CertSNIMatch::NoMatch);
  TestPolicy rsa_suite({0xc02f}, kAllSchemes);
  expect_pick(run(client_with(rsa_suite.policy()), server, "www.example.com"), "default-rsa",
              CertSNIMatch::NoMatch);
}

TEST(CertSelect, NothingUsableFailsAsBefore) {
  Config server = server_with({chain("www-ecdsa")});
  TestPolicy pss_only({0x1301}, {0x0804});
  Sides s(client_with(pss_only.policy()), server, "www.example.com");
  std::optional<Error> e = s.handshake();
  ASSERT_TRUE(e);
  EXPECT_EQ(err_of(*e), Err::NO_VALID_SIGNATURE_SCHEME) << e->name();
  TestPolicy rsa_suite({0xc02f}, kAllSchemes);
  Sides s12(client_with(rsa_suite.policy()), server, "www.example.com");
  e = s12.handshake();
  ASSERT_TRUE(e);
  EXPECT_EQ(err_of(*e), Err::CIPHER_NOT_SUPPORTED) << e->name();
}

TEST(CertSelect, Tls12BySuite) {
  Config server = server_with({chain("www-ecdsa"), chain("www-rsa")});
  TestPolicy rsa_suite({0xc02f}, kAllSchemes);
  TestPolicy ecdsa_suite({0xc02b}, kAllSchemes);
  TestPolicy both({0xc02f, 0xc02b}, kAllSchemes);
  Picked p = run(client_with(rsa_suite.policy()), server, "www.example.com");
  expect_pick(p, "www-rsa", CertSNIMatch::ExactMatch);
  expect_pick(run(client_with(ecdsa_suite.policy()), server, "www.example.com"), "www-ecdsa",
              CertSNIMatch::ExactMatch);
  // The server's suite order decides (the default policy lists ECDHE-ECDSA first).
  expect_pick(run(client_with(both.policy()), server, "www.example.com"), "www-ecdsa",
              CertSNIMatch::ExactMatch);
  Sides s(client_with(rsa_suite.policy()), server, "www.example.com");
  ASSERT_FALSE(s.handshake());
  EXPECT_EQ(*s.client.actual_protocol_version(), Version::TLS12);
  EXPECT_EQ(s.picked(), "www-rsa");
}

TEST(CertSelect, RsaPssKeyIsItsOwnType) {
  // rsapss and www-ecdsa share a name but not a type: both are kept.
  Config server = server_with({chain("www-ecdsa"), chain("rsapss")});
  TestPolicy pss_pss({0x1301}, {0x0809});
  expect_pick(run(client_with(pss_pss.policy()), server, "www.example.com"), "rsapss",
              CertSNIMatch::ExactMatch);
}

TEST(CertSelect, SetDefaultChainsReplacesTheImplicitOnes) {
  CertificateChain www = chain("www-ecdsa");
  auto b = base_builder(Policy::DEFAULT);
  ASSERT_TRUE(b.load_chain(chain("default-ecdsa")).ok());
  ASSERT_TRUE(b.load_chain(chain("default-rsa")).ok());
  const CertificateChain defaults[] = {www};
  ASSERT_TRUE(b.set_default_chains(defaults).ok());
  Config server = build(b);
  expect_pick(run(client_with(), server, std::nullopt), "www-ecdsa", CertSNIMatch::NoSNI);
  expect_pick(run(client_with(), server, "nope.example.org"), "www-ecdsa", CertSNIMatch::NoMatch);
  // The other chains still answer to their names.
  expect_pick(run(client_with(), server, "default.example.net"), "default-ecdsa",
              CertSNIMatch::ExactMatch);
  // default-rsa is no default any more: an RSA-only client without its name gets nothing.
  TestPolicy pss_only({0x1301}, {0x0804});
  Sides s(client_with(pss_only.policy()), server, "nope.example.org");
  EXPECT_TRUE(s.handshake());
  expect_pick(run(client_with(pss_only.policy()), server, "default.example.net"), "default-rsa",
              CertSNIMatch::ExactMatch);
}

TEST(CertSelect, SetDefaultChainsChecksItsList) {
  auto b = base_builder(Policy::DEFAULT);
  EXPECT_EQ(err_of(b.set_default_chains({}).error()), Err::INVALID_ARGUMENT);
  const CertificateChain two_ecdsa[] = {chain("www-ecdsa"), chain("default-ecdsa")};
  EXPECT_EQ(err_of(b.set_default_chains(two_ecdsa).error()), Err::INVALID_ARGUMENT);
  const CertificateChain plain[] = {CertificateChain()};
  EXPECT_EQ(err_of(b.set_default_chains(plain).error()), Err::INVALID_ARGUMENT);
  const CertificateChain ok[] = {chain("www-ecdsa"), chain("www-rsa")};
  EXPECT_TRUE(b.set_default_chains(ok).ok());
  Config server = build(b);
  TestPolicy pss_only({0x1301}, {0x0804});
  expect_pick(run(client_with(pss_only.policy()), server, std::nullopt), "www-rsa",
              CertSNIMatch::NoSNI);
}

TEST(CertSelect, LaterDuplicateNameAndTypeIgnored) {
  Config first = server_with({chain("www-ecdsa"), chain("dup-ecdsa")});
  Config second = server_with({chain("dup-ecdsa"), chain("www-ecdsa")});
  Config client = client_with();
  expect_pick(run(client, first, "www.example.com"), "www-ecdsa", CertSNIMatch::ExactMatch);
  expect_pick(run(client, second, "www.example.com"), "dup-ecdsa", CertSNIMatch::ExactMatch);
}

TEST(CertSelect, CertOwnership) {
  const std::string pem = sni_file("www-ecdsa", "cert");
  const std::string key = sni_file("www-ecdsa", "key");
  {
    auto b = base_builder(Policy::DEFAULT);
    ASSERT_TRUE(b.load_pem(pem, key).ok());
    EXPECT_EQ(err_of(b.load_chain(chain("www-rsa")).error()), Err::CERT_OWNERSHIP);
    const CertificateChain defaults[] = {chain("www-rsa")};
    EXPECT_EQ(err_of(b.set_default_chains(defaults).error()), Err::CERT_OWNERSHIP);
  }
  {
    auto b = base_builder(Policy::DEFAULT);
    ASSERT_TRUE(b.load_chain(chain("www-rsa")).ok());
    EXPECT_EQ(err_of(b.load_pem(pem, key).error()), Err::CERT_OWNERSHIP);
    EXPECT_EQ(err_of(b.load_public_pem(pem).error()), Err::CERT_OWNERSHIP);
  }
  // Only builder chains carry a key.
  auto b = base_builder(Policy::DEFAULT);
  EXPECT_EQ(err_of(b.load_chain(CertificateChain()).error()), Err::INVALID_ARGUMENT);
}

TEST(CertSelect, BuilderChecksItsInput) {
  cert_chain::Builder b;
  EXPECT_EQ(err_of(b.build().error()), Err::INVALID_STATE);
  EXPECT_EQ(err_of(b.load_pem(sni_file("www-ecdsa", "cert"), sni_file("www-rsa", "key")).error()),
            Err::KEY_MISMATCH);
  ASSERT_TRUE(b.load_pem(sni_file("www-ecdsa", "cert"), sni_file("www-ecdsa", "key")).ok());
  EXPECT_EQ(err_of(b.load_pem(sni_file("www-ecdsa", "cert"), sni_file("www-ecdsa", "key")).error()),
            Err::INVALID_STATE);
  auto c = b.build();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->len(), 1u);
  EXPECT_NE((*c)[0].subject().find("CN=www-ecdsa"), std::string::npos);
  EXPECT_EQ(c->application_context<std::string>(), nullptr);
  EXPECT_EQ(err_of(b.build().error()), Err::INVALID_STATE);

  // A public-only chain needs the private key callback.
  cert_chain::Builder pub;
  ASSERT_TRUE(pub.load_public_pem(sni_file("www-rsa", "cert")).ok());
  auto public_only = pub.build();
  ASSERT_TRUE(public_only.ok());
  auto cb = base_builder(Policy::DEFAULT);
  ASSERT_TRUE(cb.load_chain(*public_only).ok());
  auto built = cb.build();
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(err_of(built.error()), Err::NO_PRIVATE_KEY);
}

TEST(CertSelect, OneChainSharedByTwoConfigs) {
  CertificateChain www = chain("www-ecdsa");
  CertificateChain copy = www;  // copies share the list and the context
  EXPECT_TRUE(copy.same_chain(www));
  EXPECT_EQ(copy.application_context<std::string>(), www.application_context<std::string>());
  Config a = server_with({www});
  Config b = server_with({chain("default-rsa"), copy});
  for (const Config* server : {&a, &b}) {
    Sides s(client_with(), *server, "www.example.com");
    ASSERT_FALSE(s.handshake());
    const CertificateChain* mine = s.server.selected_cert();
    ASSERT_NE(mine, nullptr);
    // selected_cert() is the loaded chain itself: same certificates, same context object.
    EXPECT_TRUE(mine->same_chain(www));
    EXPECT_EQ(mine->application_context<std::string>(), www.application_context<std::string>());
    ASSERT_EQ(mine->len(), www.len());
    EXPECT_TRUE(std::equal((*mine)[0].der().begin(), (*mine)[0].der().end(), www[0].der().begin(),
                           www[0].der().end()));
  }
  // The configs are gone; the application's chain still works.
  EXPECT_EQ(*www.application_context<std::string>(), "www-ecdsa");
}

TEST(CertSelect, LoadPemChainIsMatchedByName) {
  Config server = server_config("ecdsa-p256");
  Config client = client_with();
  Sides s(client, server, "localhost");
  ASSERT_FALSE(s.handshake());
  EXPECT_EQ(s.server.certificate_match(), CertSNIMatch::ExactMatch);
  ASSERT_NE(s.server.selected_cert(), nullptr);
  Sides other(client, server, "other.example.org");
  ASSERT_FALSE(other.handshake());
  EXPECT_EQ(other.server.certificate_match(), CertSNIMatch::NoMatch);
  Sides none(client, server, std::nullopt);
  ASSERT_FALSE(none.handshake());
  EXPECT_EQ(none.server.certificate_match(), CertSNIMatch::NoSNI);
}

TEST(CertSelect, ChosenAfterTheClientHelloCallbackSwapsTheConfig) {
  Config chains = server_with({chain("default-rsa"), chain("www-ecdsa")});
  auto b = base_builder(Policy::DEFAULT);
  ASSERT_TRUE(
      b.load_pem(read_file(data_path("rsa2048-cert.pem")), read_file(data_path("rsa2048-key.pem")))
          .ok());
  ASSERT_TRUE(b.set_client_hello_callback([chains](Connection& conn) {
                 EXPECT_TRUE(conn.set_config(chains).ok());
                 return ClientHelloResult::done();
               }).ok());
  Config first = build(b);
  expect_pick(run(client_with(), first, "www.example.com"), "www-ecdsa", CertSNIMatch::ExactMatch);
  expect_pick(run(client_with(), first, "x.example.org"), "www-ecdsa", CertSNIMatch::NoMatch);
}

// TLS 1.2: the empty server_name is in the plaintext ServerHello.
TEST(CertSelect, Tls12EchoesTheNameOnlyWhenItMatched) {
  Config server = server_with({chain("default-ecdsa"), chain("www-ecdsa"), chain("wild-ecdsa")});
  TestPolicy tls12({0xc02b}, kAllSchemes);
  struct Case {
    std::optional<std::string> sni;
    bool echo;
  };
  for (const Case& c : {Case{"www.example.com", true}, Case{"a.example.com", true},
                        Case{"other.example.org", false}, Case{std::nullopt, false}}) {
    Sides s(client_with(tls12.policy()), server, c.sni);
    ASSERT_TRUE(s.client.poll_negotiate().is_pending());
    ASSERT_TRUE(s.server.poll_negotiate().is_pending());
    EXPECT_EQ(server_hello_acks_name(s.s2c.bytes), std::optional<bool>(c.echo))
        << c.sni.value_or("(none)");
    // The client takes the acknowledgement.
    ASSERT_FALSE(s.handshake());
  }
}

TEST(CertSelect, Tls12NoEchoOnResumption) {
  auto sb = base_builder(Policy::DEFAULT);
  ASSERT_TRUE(sb.load_chain(chain("www-ecdsa")).ok());
  const std::string key = "cert select test ticket key!";
  ASSERT_TRUE(sb.add_session_ticket_key(std::vector<uint8_t>{'c', 's'},
                                        std::vector<uint8_t>(key.begin(), key.end()))
                  .ok());
  Config server = build(sb);
  TestPolicy tls12({0xc02b}, kAllSchemes);
  auto cb = base_builder(tls12.policy());
  ASSERT_TRUE(cb.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  ASSERT_TRUE(cb.enable_session_tickets(true).ok());
  Config client = build(cb);

  std::vector<uint8_t> blob;
  {
    Sides first(client, server, "www.example.com");
    ASSERT_TRUE(first.client.poll_negotiate().is_pending());
    ASSERT_TRUE(first.server.poll_negotiate().is_pending());
    EXPECT_EQ(server_hello_acks_name(first.s2c.bytes), std::optional<bool>(true));
    ASSERT_FALSE(first.handshake());
    blob.resize(*first.client.session_ticket_length());
    ASSERT_FALSE(blob.empty());
    ASSERT_TRUE(first.client.session_ticket(blob).ok());
  }
  Sides again(client, server, "www.example.com");
  ASSERT_TRUE(again.client.set_session_ticket(blob).ok());
  ASSERT_TRUE(again.client.poll_negotiate().is_pending());
  ASSERT_TRUE(again.server.poll_negotiate().is_pending());
  EXPECT_EQ(server_hello_acks_name(again.s2c.bytes), std::optional<bool>(false));
  ASSERT_FALSE(again.handshake());
  EXPECT_TRUE(again.server.resumed());
  EXPECT_EQ(again.server.certificate_match(), CertSNIMatch::NoSNI);
}

// TLS 1.3: EncryptedExtensions is encrypted. With one RSA chain (fixed-size signatures) as
// both the match and the default, the server's flight is exactly 4 bytes (an empty
// server_name) longer when the name matched.
TEST(CertSelect, Tls13EchoesTheNameOnlyWhenItMatched) {
  Config server = server_with({chain("www-rsa")});
  std::vector<size_t> flight;
  for (const char* name : {"other.example.org", "www.example.com"}) {
    Sides s(client_with(), server, std::string(name));
    ASSERT_TRUE(s.client.poll_negotiate().is_pending());
    ASSERT_TRUE(s.server.poll_negotiate().is_pending());
    flight.push_back(s.s2c.bytes.size());
    ASSERT_FALSE(s.handshake());
    EXPECT_EQ(*s.client.actual_protocol_version(), Version::TLS13);
    EXPECT_EQ(s.picked(), "www-rsa");
  }
  ASSERT_EQ(flight.size(), 2u);
  EXPECT_EQ(flight[1], flight[0] + 4);
}

}  // namespace
}  // namespace snr::test
