// The snr backend: snr::Connection over the bench pipes through the C-style callbacks.
#include <cerrno>
#include <cstdio>

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

snr::Policy policy_for(Cipher c) { return snr::Policy(&kPolicies[static_cast<int>(c)]); }

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

  std::string describe() override {
    std::string d = "TLSv1.3 ";
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
    const snr::Policy policy = policy_for(setup.cipher);
    {
      auto b = snr::Config::builder();
      check(b.with_system_certs(false), "with_system_certs");
      check(b.set_security_policy(policy), "policy");
      check(b.load_pem(files_.cert_pem(setup.cert), files_.key_pem(setup.cert)), "load_pem");
      auto c = b.build();
      if (!c.ok()) die("snr: server config: " + c.error().message());
      server_config_ = std::make_unique<snr::Config>(*c);
    }
    {
      auto b = snr::Config::builder();
      check(b.with_system_certs(false), "with_system_certs");
      check(b.set_security_policy(policy), "policy");
      check(b.trust_pem(files_.ca_pem), "trust_pem");
      auto c = b.build();
      if (!c.ok()) die("snr: client config: " + c.error().message());
      client_config_ = std::make_unique<snr::Config>(*c);
    }
  }

  std::unique_ptr<Conn> client(Link& link) override {
    return std::make_unique<SnrConn>(snr::Mode::Client, *client_config_, link.s2c, link.c2s);
  }
  std::unique_ptr<Conn> server(Link& link) override {
    return std::make_unique<SnrConn>(snr::Mode::Server, *server_config_, link.c2s, link.s2c);
  }

 private:
  const DataFiles& files_;
  std::unique_ptr<snr::Config> client_config_;
  std::unique_ptr<snr::Config> server_config_;
};

}  // namespace

std::unique_ptr<Backend> make_snr_backend(const DataFiles& files) {
  return std::make_unique<SnrBackend>(files);
}

}  // namespace bench
