// QUIC mode against a real peer (issue #8): snr in QUIC mode and GnuTLS in its QUIC mode
// (gnutls_handshake_set_read_function / _set_secret_function / gnutls_handshake_write, the
// transport parameters through gnutls_session_ext_register), in one process, both roles.
// Messages move by encryption level as a QUIC stack would carry them; both sides must derive
// the same handshake and application secrets (and exporter values) and see each other's
// transport parameters.
#include <gtest/gtest.h>

#include <cerrno>
#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "snr/snr.hpp"

#ifdef SNR_HAVE_GNUTLS
#include <gnutls/gnutls.h>

#include "policy/policy_data.hpp"
#endif

namespace snr::test {
namespace {

#ifndef SNR_HAVE_GNUTLS

TEST(QuicGnutls, CrossCheck) {
  GTEST_SKIP() << "GnuTLS >= 3.7.2 (libgnutls28-dev, pkg-config gnutls) was not found when "
                  "this build was configured";
}

#else

using Bytes = std::vector<uint8_t>;

std::string data_path(const std::string& name) {
  return std::string(SNR_TEST_DATA_DIR) + "/" + name;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Bytes bytes(std::string_view s) { return {s.begin(), s.end()}; }

QuicLevel from_gnutls(gnutls_record_encryption_level_t l) {
  switch (l) {
    case GNUTLS_ENCRYPTION_LEVEL_INITIAL:
      return QuicLevel::Initial;
    case GNUTLS_ENCRYPTION_LEVEL_EARLY:
      return QuicLevel::EarlyData;
    case GNUTLS_ENCRYPTION_LEVEL_HANDSHAKE:
      return QuicLevel::Handshake;
    case GNUTLS_ENCRYPTION_LEVEL_APPLICATION:
      break;
  }
  return QuicLevel::Application;
}

gnutls_record_encryption_level_t to_gnutls(QuicLevel l) {
  switch (l) {
    case QuicLevel::Initial:
      return GNUTLS_ENCRYPTION_LEVEL_INITIAL;
    case QuicLevel::EarlyData:
      return GNUTLS_ENCRYPTION_LEVEL_EARLY;
    case QuicLevel::Handshake:
      return GNUTLS_ENCRYPTION_LEVEL_HANDSHAKE;
    case QuicLevel::Application:
      break;
  }
  return GNUTLS_ENCRYPTION_LEVEL_APPLICATION;
}

using Outbox = std::deque<std::pair<QuicLevel, Bytes> >;

// GnuTLS in QUIC mode: its handshake messages go to `out` with their level; secrets arrive
// per level and direction; the transport parameters go through a session extension.
struct GnutlsEnd {
  gnutls_session_t s = nullptr;
  gnutls_certificate_credentials_t cred = nullptr;
  Outbox out;
  std::map<QuicLevel, Bytes> read_secret, write_secret;
  Bytes local_params;
  std::optional<Bytes> peer_params;
  std::optional<int> alert;
  int ccs = 0;
  bool done = false;
  std::string setup_error;

  GnutlsEnd(bool server, const std::string& priority, std::string_view params)
      : local_params(bytes(params)) {
    unsigned flags = (server ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NO_END_OF_EARLY_DATA;
    check(gnutls_init(&s, flags), "gnutls_init");
    check(gnutls_certificate_allocate_credentials(&cred), "allocate_credentials");
    if (server) {
      check(gnutls_certificate_set_x509_key_file(cred, data_path("ecdsa-p256-cert.pem").c_str(),
                                                 data_path("ecdsa-p256-key.pem").c_str(),
                                                 GNUTLS_X509_FMT_PEM),
            "set_x509_key_file");
    } else {
      if (gnutls_certificate_set_x509_trust_file(cred, data_path("ca-cert.pem").c_str(),
                                                 GNUTLS_X509_FMT_PEM) <= 0)
        setup_error += "set_x509_trust_file ";
      gnutls_session_set_verify_cert(s, "localhost", 0);
      check(gnutls_server_name_set(s, GNUTLS_NAME_DNS, "localhost", 9), "server_name_set");
    }
    check(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred), "credentials_set");
    const char* err_pos = nullptr;
    check(gnutls_priority_set_direct(s, priority.c_str(), &err_pos), "priority_set_direct");
    gnutls_session_set_ptr(s, this);
    gnutls_handshake_set_read_function(s, on_message);
    gnutls_handshake_set_secret_function(s, on_secret);
    gnutls_alert_set_read_function(s, on_alert);
    check(gnutls_session_ext_register(
              s, "quic_transport_parameters", 0x39, GNUTLS_EXT_TLS, on_params, send_params, nullptr,
              nullptr, nullptr,
              GNUTLS_EXT_FLAG_TLS | GNUTLS_EXT_FLAG_CLIENT_HELLO | GNUTLS_EXT_FLAG_EE),
          "session_ext_register");
    // No record layer: GnuTLS must never touch the transport.
    gnutls_transport_set_ptr(s, s);
    gnutls_transport_set_pull_function(s, pull);
    gnutls_transport_set_push_function(s, push);
  }
  ~GnutlsEnd() {
    if (s) gnutls_deinit(s);
    if (cred) gnutls_certificate_free_credentials(cred);
  }
  GnutlsEnd(const GnutlsEnd&) = delete;

  void check(int rc, const char* what) {
    if (rc < 0) setup_error += std::string(what) + ": " + gnutls_strerror(rc) + " ";
  }
  static GnutlsEnd& self(gnutls_session_t s) {
    return *static_cast<GnutlsEnd*>(gnutls_session_get_ptr(s));
  }
  static int on_message(gnutls_session_t s, gnutls_record_encryption_level_t level,
                        gnutls_handshake_description_t htype, const void* data, size_t size) {
    if (htype == GNUTLS_HANDSHAKE_CHANGE_CIPHER_SPEC) {
      ++self(s).ccs;
      return 0;
    }
    const auto* p = static_cast<const uint8_t*>(data);
    self(s).out.emplace_back(from_gnutls(level), Bytes(p, p + size));
    return 0;
  }
  static int on_secret(gnutls_session_t s, gnutls_record_encryption_level_t level, const void* read,
                       const void* write, size_t size) {
    GnutlsEnd& e = self(s);
    if (read) {
      const auto* p = static_cast<const uint8_t*>(read);
      e.read_secret[from_gnutls(level)].assign(p, p + size);
    }
    if (write) {
      const auto* p = static_cast<const uint8_t*>(write);
      e.write_secret[from_gnutls(level)].assign(p, p + size);
    }
    return 0;
  }
  static int on_alert(gnutls_session_t s, gnutls_record_encryption_level_t, gnutls_alert_level_t,
                      gnutls_alert_description_t desc) {
    self(s).alert = static_cast<int>(desc);
    return 0;
  }
  static int on_params(gnutls_session_t s, const unsigned char* data, size_t len) {
    self(s).peer_params = Bytes(data, data + len);
    return 0;
  }
  static int send_params(gnutls_session_t s, gnutls_buffer_t buf) {
    const Bytes& p = self(s).local_params;
    return gnutls_buffer_append_data(buf, p.data(), p.size());
  }
  static ssize_t pull(gnutls_transport_ptr_t ptr, void*, size_t) {
    gnutls_transport_set_errno(static_cast<gnutls_session_t>(ptr), EAGAIN);
    return -1;
  }
  static ssize_t push(gnutls_transport_ptr_t ptr, const void*, size_t) {
    gnutls_transport_set_errno(static_cast<gnutls_session_t>(ptr), EIO);
    return -1;
  }

  bool can_read(QuicLevel l) const { return l == QuicLevel::Initial || read_secret.count(l) > 0; }
  // Runs the handshake as far as the data it has allows; false on a fatal error.
  bool step(std::string& error) {
    if (done) return true;
    const int rc = gnutls_handshake(s);
    if (rc == 0) {
      done = true;
      return true;
    }
    if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) return true;
    error = std::string("gnutls_handshake: ") + gnutls_strerror(rc);
    return false;
  }
};

// snr in QUIC mode with the per-level interface.
struct SnrEnd {
  Connection conn;
  Outbox out;
  std::map<SecretType, Bytes> secrets;

  SnrEnd(Mode mode, Config config, std::string_view params) : conn(mode) {
    EXPECT_TRUE(conn.enable_quic().ok());
    EXPECT_TRUE(conn.set_config(std::move(config)).ok());
    EXPECT_TRUE(conn.set_quic_transport_parameters(bytes(params)).ok());
    EXPECT_TRUE(conn.set_quic_send_function([this](QuicLevel l, std::span<const uint8_t> d) {
                      out.emplace_back(l, Bytes(d.begin(), d.end()));
                    })
                    .ok());
    EXPECT_TRUE(conn.set_secret_callback([this](SecretType t, std::span<const uint8_t> s) {
                      secrets[t].assign(s.begin(), s.end());
                      return 0;
                    })
                    .ok());
    if (mode == Mode::Client) {
      EXPECT_TRUE(conn.set_server_name("localhost").ok());
    }
  }
};

const uint16_t kSchemes[] = {0x0403, 0x0503, 0x0804, 0x0805, 0x0809};

struct Case {
  std::string name;
  uint16_t snr_suite;         // the one suite snr allows
  const char* gnutls_cipher;  // the one cipher GnuTLS allows
  bool hrr;                   // the client's first key share is for a group the server refuses
};

const Case kCases[] = {
    {"AES_128_GCM_SHA256", 0x1301, "AES-128-GCM", false},
    {"AES_256_GCM_SHA384", 0x1302, "AES-256-GCM", false},
    {"CHACHA20_POLY1305_SHA256", 0x1303, "CHACHA20-POLY1305", false},
    {"AES_128_GCM_SHA256_HRR", 0x1301, "AES-128-GCM", true},
};

std::string gnutls_priority(const Case& c, bool gnutls_is_server) {
  // snr's client with HRR offers x25519 first; GnuTLS's server takes only P-256. GnuTLS's
  // client with HRR sends shares for x25519 and P-256; snr's server takes only P-384.
  std::string groups = "+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1";
  if (c.hrr && gnutls_is_server) groups = "+GROUP-SECP256R1";
  return std::string("NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+") + c.gnutls_cipher +
         ":-GROUP-ALL:" + groups + ":%DISABLE_TLS13_COMPAT_MODE";
}

struct SnrPolicy {
  std::vector<uint16_t> suites, groups;
  detail::PolicyData data;
  SnrPolicy(const Case& c, bool snr_is_server) : suites{c.snr_suite} {
    if (c.hrr)
      groups =
          snr_is_server ? std::vector<uint16_t>{0x0018} : std::vector<uint16_t>{0x001d, 0x0017};
    else
      groups = {0x001d, 0x0017, 0x0018};
    data = detail::PolicyData{"quic-gnutls", Version::TLS13, suites, kSchemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

Config snr_config(const SnrPolicy& policy, bool server) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  EXPECT_TRUE(b.with_system_certs(false).ok());
  EXPECT_TRUE(b.set_security_policy(policy.policy()).ok());
  if (server) {
    EXPECT_TRUE(b.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                           read_file(data_path("ecdsa-p256-key.pem")))
                    .ok());
  } else {
    EXPECT_TRUE(b.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  }
  auto c = b.build();
  EXPECT_TRUE(c.ok());
  return *c;
}

// Moves messages both ways until both handshakes finish; an error text, or empty.
std::string run(SnrEnd& snr, GnutlsEnd& g, bool snr_first) {
  std::string error;
  bool snr_done = false;
  auto poll_snr = [&]() {
    if (snr_done) return true;
    auto r = snr.conn.poll_negotiate();
    if (r.is_error()) {
      error = "snr: " + std::string(r.error().name()) + ": " + r.error().message();
      return false;
    }
    snr_done = r.is_ready();
    return true;
  };
  for (int i = 0; i < 50; ++i) {
    bool moved = false;
    if (snr_first || i > 0) {
      if (!poll_snr()) return error;
    }
    while (!snr.out.empty() && g.can_read(snr.out.front().first)) {
      auto& [level, data] = snr.out.front();
      const int rc = gnutls_handshake_write(g.s, to_gnutls(level), data.data(), data.size());
      if (rc < 0) return std::string("gnutls_handshake_write: ") + gnutls_strerror(rc);
      snr.out.pop_front();
      moved = true;
    }
    if (!g.step(error)) return error + (g.alert ? " alert " + std::to_string(*g.alert) : "");
    while (!g.out.empty() && g.out.front().first == snr.conn.quic_read_level()) {
      auto& [level, data] = g.out.front();
      Status s = snr.conn.quic_provide_data(level, data);
      if (!s.ok()) return "snr quic_provide_data: " + std::string(s.error().name());
      g.out.pop_front();
      moved = true;
      if (!snr.conn.is_handshake_complete() && !poll_snr()) return error;
    }
    if (snr_done && g.done && !moved) return "";
  }
  return "handshake did not finish";
}

void expect_exporters_equal(SnrEnd& snr, GnutlsEnd& g) {
  const std::string label = "EXPORTER-quic-cross-check";
  const Bytes context = bytes("context");
  Bytes mine(32), theirs(32);
  ASSERT_TRUE(snr.conn.tls_exporter(bytes(label), context, mine).ok());
  ASSERT_EQ(gnutls_prf_rfc5705(g.s, label.size(), label.data(), context.size(),
                               reinterpret_cast<const char*>(context.data()), theirs.size(),
                               reinterpret_cast<char*>(theirs.data())),
            0);
  EXPECT_EQ(mine, theirs);
}

class QuicGnutls : public ::testing::TestWithParam<Case> {};

TEST_P(QuicGnutls, SnrClientGnutlsServer) {
  const Case& c = GetParam();
  SnrPolicy policy(c, false);
  SnrEnd snr(Mode::Client, snr_config(policy, false), "snr client parameters");
  GnutlsEnd g(true, gnutls_priority(c, true), "gnutls server parameters");
  ASSERT_TRUE(g.setup_error.empty()) << g.setup_error;
  const std::string err = run(snr, g, true);
  ASSERT_TRUE(err.empty()) << err;
  ASSERT_TRUE(snr.conn.is_handshake_complete());

  EXPECT_EQ(*snr.conn.handshake_type(),
            c.hrr ? "NEGOTIATED|FULL_HANDSHAKE|HELLO_RETRY_REQUEST" : "NEGOTIATED|FULL_HANDSHAKE");
  const size_t hash_len = c.snr_suite == 0x1302 ? 48 : 32;
  ASSERT_EQ(snr.secrets.size(), 5u);
  EXPECT_EQ(snr.secrets[SecretType::ClientHandshakeTraffic].size(), hash_len);
  EXPECT_EQ(snr.secrets[SecretType::ClientHandshakeTraffic], g.read_secret[QuicLevel::Handshake]);
  EXPECT_EQ(snr.secrets[SecretType::ServerHandshakeTraffic], g.write_secret[QuicLevel::Handshake]);
  EXPECT_EQ(snr.secrets[SecretType::ClientApplicationTraffic],
            g.read_secret[QuicLevel::Application]);
  EXPECT_EQ(snr.secrets[SecretType::ServerApplicationTraffic],
            g.write_secret[QuicLevel::Application]);
  expect_exporters_equal(snr, g);

  ASSERT_TRUE(g.peer_params.has_value());
  EXPECT_EQ(*g.peer_params, bytes("snr client parameters"));
  auto peer = snr.conn.quic_transport_parameters();
  EXPECT_EQ(Bytes(peer.begin(), peer.end()), bytes("gnutls server parameters"));
  EXPECT_EQ(g.ccs, 0);
  EXPECT_FALSE(g.alert.has_value());
}

TEST_P(QuicGnutls, GnutlsClientSnrServer) {
  const Case& c = GetParam();
  SnrPolicy policy(c, true);
  SnrEnd snr(Mode::Server, snr_config(policy, true), "snr server parameters");
  GnutlsEnd g(false, gnutls_priority(c, false), "gnutls client parameters");
  ASSERT_TRUE(g.setup_error.empty()) << g.setup_error;
  // GnuTLS speaks first.
  std::string err;
  ASSERT_TRUE(g.step(err)) << err;
  ASSERT_FALSE(g.out.empty());
  err = run(snr, g, true);
  ASSERT_TRUE(err.empty()) << err;
  ASSERT_TRUE(snr.conn.is_handshake_complete());

  EXPECT_EQ(*snr.conn.handshake_type(),
            c.hrr ? "NEGOTIATED|FULL_HANDSHAKE|HELLO_RETRY_REQUEST" : "NEGOTIATED|FULL_HANDSHAKE");
  ASSERT_EQ(snr.secrets.size(), 5u);
  EXPECT_EQ(snr.secrets[SecretType::ClientHandshakeTraffic], g.write_secret[QuicLevel::Handshake]);
  EXPECT_EQ(snr.secrets[SecretType::ServerHandshakeTraffic], g.read_secret[QuicLevel::Handshake]);
  EXPECT_EQ(snr.secrets[SecretType::ClientApplicationTraffic],
            g.write_secret[QuicLevel::Application]);
  EXPECT_EQ(snr.secrets[SecretType::ServerApplicationTraffic],
            g.read_secret[QuicLevel::Application]);
  expect_exporters_equal(snr, g);

  ASSERT_TRUE(g.peer_params.has_value());
  EXPECT_EQ(*g.peer_params, bytes("snr server parameters"));
  auto peer = snr.conn.quic_transport_parameters();
  EXPECT_EQ(Bytes(peer.begin(), peer.end()), bytes("gnutls client parameters"));
  EXPECT_EQ(g.ccs, 0);
}

// A GnuTLS client without the transport parameters extension: snr's server refuses it with
// missing_extension, which GnuTLS never sees as a record (the QUIC layer would close).
TEST(QuicGnutlsBadInput, ClientWithoutTransportParameters) {
  const Case c = kCases[0];
  SnrPolicy policy(c, true);
  SnrEnd snr(Mode::Server, snr_config(policy, true), "snr");
  gnutls_session_t s = nullptr;
  gnutls_certificate_credentials_t cred = nullptr;
  ASSERT_EQ(gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NO_END_OF_EARLY_DATA), 0);
  ASSERT_EQ(gnutls_certificate_allocate_credentials(&cred), 0);
  ASSERT_EQ(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred), 0);
  ASSERT_EQ(gnutls_priority_set_direct(s, gnutls_priority(c, false).c_str(), nullptr), 0);
  Outbox out;
  gnutls_session_set_ptr(s, &out);
  gnutls_handshake_set_read_function(
      s, [](gnutls_session_t ss, gnutls_record_encryption_level_t level,
            gnutls_handshake_description_t, const void* data, size_t size) {
        const auto* p = static_cast<const uint8_t*>(data);
        static_cast<Outbox*>(gnutls_session_get_ptr(ss))
            ->emplace_back(from_gnutls(level), Bytes(p, p + size));
        return 0;
      });
  gnutls_transport_set_ptr(s, s);
  gnutls_transport_set_pull_function(s, GnutlsEnd::pull);
  gnutls_transport_set_push_function(s, GnutlsEnd::push);
  EXPECT_EQ(gnutls_handshake(s), GNUTLS_E_AGAIN);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(snr.conn.quic_provide_data(QuicLevel::Initial, out.front().second).ok());
  auto r = snr.conn.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().name(), "S2N_ERR_MISSING_EXTENSION");
  EXPECT_EQ(r.error().alert(), std::optional<uint8_t>(109));
  EXPECT_TRUE(snr.out.empty());
  gnutls_deinit(s);
  gnutls_certificate_free_credentials(cred);
}

INSTANTIATE_TEST_SUITE_P(Suites, QuicGnutls, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

#endif  // SNR_HAVE_GNUTLS

}  // namespace
}  // namespace snr::test
