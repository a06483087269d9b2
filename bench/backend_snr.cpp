// The snr backend: snr::Connection over the bench pipes through the C-style callbacks.
#include <cerrno>
#include <cstdio>
#include <vector>

#include "harness.hpp"
#include "policy/policy_data.hpp"
#include "snr/snr.hpp"

namespace bench {
namespace {

// Bench policies: the same work OpenSSL and GnuTLS are configured for (TLS 1.3 only, X25519
// only, one suite). The named s2n policies offer several of each, which would make the
// client send extra key shares or let the suite differ between backends.
constexpr uint16_t kX25519[] = {0x001d};
constexpr uint16_t kAes128[] = {0x1301};
constexpr uint16_t kAes256[] = {0x1302};
constexpr uint16_t kChacha20[] = {0x1303};
// What OpenSSL 3.0 offers for TLS 1.3, in its order; the server picks ecdsa_secp256r1_sha256
// or rsa_pss_rsae_sha256 for the bench certificates, as the other two libraries do.
constexpr uint16_t kSchemes[] = {0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809,
                                 0x080a, 0x080b, 0x0804, 0x0805, 0x0806};

constexpr snr::detail::PolicyData kPolicies[] = {
    {"bench-aes128gcm", snr::Version::TLS13, kAes128, kSchemes, kX25519, {}},
    {"bench-aes256gcm", snr::Version::TLS13, kAes256, kSchemes, kX25519, {}},
    {"bench-chacha20", snr::Version::TLS13, kChacha20, kSchemes, kX25519, {}},
};
// full-tls12: ECDHE-ECDSA-AES128-GCM-SHA256 alone. With no TLS 1.3 suite listed the policy's
// maximum version is TLS 1.2. In TLS 1.2 the client's groups also name the curves it accepts
// for ECDSA certificates (RFC 8422, 5.1), so P-256 comes after X25519, as in the other
// backends; X25519 stays the ECDHE group.
constexpr uint16_t kEcdheEcdsaAes128[] = {0xc02b};
constexpr uint16_t kX25519P256[] = {0x001d, 0x0017};
constexpr snr::detail::PolicyData kTls12Policy = {
    "bench-tls12", snr::Version::TLS12, kEcdheEcdsaAes128, kSchemes, kX25519P256, {}};

snr::Policy policy_for(const Setup& s) {
  return s.tls12 ? snr::Policy(&kTls12Policy) : snr::Policy(&kPolicies[static_cast<int>(s.cipher)]);
}

// The ticket key of Setup::tickets: the same for the whole run, as in the other backends.
constexpr uint8_t kTicketKeyName[] = {'b', 'e', 'n', 'c', 'h', '-', 'k', 'e', 'y'};
constexpr uint8_t kTicketKey[32] = {
    0x5e, 0x11, 0x7a, 0x42, 0x90, 0x0d, 0x3c, 0xe8, 0x21, 0x6f, 0xb4, 0x07, 0xd9, 0x58, 0x8a, 0x13,
    0x66, 0xc2, 0x1f, 0xa0, 0x4b, 0x97, 0x35, 0xee, 0x02, 0x7c, 0xd1, 0x49, 0xb8, 0x2a, 0xf3, 0x64};

void check(const snr::Status& s, const char* what) {
  if (!s.ok()) die(std::string("snr: ") + what + ": " + s.error().message());
}

int pipe_send(void* ctx, const uint8_t* buf, uint32_t len) {
  static_cast<Pipe*>(ctx)->write({buf, len});
  return static_cast<int>(len);
}

int pipe_recv(void* ctx, uint8_t* buf, uint32_t len) {
  auto* pipe = static_cast<Pipe*>(ctx);
  if (pipe->available() == 0) {
    errno = EAGAIN;
    return -1;
  }
  return static_cast<int>(pipe->read({buf, len}));
}

template <class T>
Io status(const snr::Poll<T>& p) {
  if (p.is_pending()) return Io::kWant;
  if (p.is_error()) {
    std::fprintf(stderr, "snr: %s\n", p.error().message().c_str());
    return Io::kError;
  }
  return Io::kDone;
}

class SnrConn final : public Conn {
 public:
  SnrConn(snr::Mode mode, const snr::Config& config, Pipe& rx, Pipe& tx) : conn_(mode) {
    check(conn_.set_config(config), "set_config");
    if (mode == snr::Mode::Client) check(conn_.set_server_name("localhost"), "server name");
    check(conn_.set_send_callback(pipe_send), "send callback");
    check(conn_.set_send_context(&tx), "send context");
    check(conn_.set_receive_callback(pipe_recv), "receive callback");
    check(conn_.set_receive_context(&rx), "receive context");
  }

  Io handshake() override { return status(conn_.poll_negotiate()); }

  void resume(std::span<const uint8_t> session) {
    check(conn_.set_session_ticket(session), "set_session_ticket");
  }

  std::vector<uint8_t> session() const {
    auto len = conn_.session_ticket_length();
    if (!len.ok()) die("snr: session_ticket_length: " + len.error().message());
    std::vector<uint8_t> blob(*len);
    auto got = conn_.session_ticket(blob);
    if (!got.ok()) die("snr: session_ticket: " + got.error().message());
    blob.resize(*got);
    return blob;
  }

  Io write(std::span<const uint8_t> data, size_t& n) override {
    auto r = conn_.poll_send(data);
    if (r.is_ready()) n = r.value();
    return status(r);
  }

  Io read(std::span<uint8_t> out, size_t& n) override {
    auto r = conn_.poll_recv(out);
    if (r.is_ready()) {
      n = r.value();
      // 0 is the peer closing: never expected here.
      if (n == 0) return Io::kError;
    }
    return status(r);
  }

  bool resumed() override { return conn_.resumed(); }

  void release_buffers() override { check(conn_.release_buffers(), "release_buffers"); }

  std::string describe() override {
    auto version = conn_.actual_protocol_version();
    std::string d = version.ok() ? std::string(snr::to_string(*version)) : "?";
    d += ' ';
    auto suite = conn_.cipher_suite();
    auto curve = conn_.selected_curve();
    d += suite.ok() ? std::string(*suite) : "?";
    d += ' ';
    d += curve.ok() ? std::string(*curve) : "?";
    d += " sig=";
    d += std::string(conn_.signature_scheme().value_or("?"));
    auto type = conn_.handshake_type();
    d += " type=";
    d += type.ok() ? std::string(*type) : "?";
    return d;
  }

 private:
  snr::Connection conn_;
};

class SnrBackend final : public Backend {
 public:
  explicit SnrBackend(const DataFiles& files) : files_(files) {}
  const char* name() const override { return "snr"; }
  std::string version() const override { return "snr (this tree)"; }

  void configure(const Setup& setup) override {
    const snr::Policy policy = policy_for(setup);
    session_.clear();
    {
      auto b = snr::Config::builder();
      (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
      check(b.with_system_certs(false), "with_system_certs");
      check(b.set_security_policy(policy), "policy");
      check(b.load_pem(files_.cert_pem(setup.cert), files_.key_pem(setup.cert)), "load_pem");
      if (setup.tickets) {
        check(b.add_session_ticket_key(kTicketKeyName, kTicketKey), "add_session_ticket_key");
        check(b.set_initial_ticket_count(1), "set_initial_ticket_count");
      }
      auto c = b.build();
      if (!c.ok()) die("snr: server config: " + c.error().message());
      server_config_ = std::make_unique<snr::Config>(*c);
    }
    {
      auto b = snr::Config::builder();
      (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
      check(b.with_system_certs(false), "with_system_certs");
      check(b.set_security_policy(policy), "policy");
      check(b.trust_pem(files_.ca_pem), "trust_pem");
      if (setup.tickets) check(b.enable_session_tickets(true), "enable_session_tickets");
      auto c = b.build();
      if (!c.ok()) die("snr: client config: " + c.error().message());
      client_config_ = std::make_unique<snr::Config>(*c);
    }
  }

  std::unique_ptr<Conn> client(Link& link) override {
    auto c = std::make_unique<SnrConn>(snr::Mode::Client, *client_config_, link.s2c, link.c2s);
    if (!session_.empty()) c->resume(session_);
    return c;
  }
  std::unique_ptr<Conn> server(Link& link) override {
    return std::make_unique<SnrConn>(snr::Mode::Server, *server_config_, link.c2s, link.s2c);
  }

  void keep_session(Conn& client) override {
    session_ = static_cast<SnrConn&>(client).session();
    if (session_.empty()) die("snr: the client holds no session ticket");
  }

 private:
  const DataFiles& files_;
  std::unique_ptr<snr::Config> client_config_;
  std::unique_ptr<snr::Config> server_config_;
  std::vector<uint8_t> session_;  // the client's blob, offered by every new client
};

}  // namespace

std::unique_ptr<Backend> make_snr_backend(const DataFiles& files) {
  return std::make_unique<SnrBackend>(files);
}

}  // namespace bench
