// The GnuTLS backend: a session whose push/pull functions use the bench pipes.
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include <cerrno>
#include <cstdio>
#include <vector>

#include "harness.hpp"

namespace bench {
namespace {

void gt_check(int r, const char* what) {
  if (r < 0) die(std::string("gnutls: ") + what + ": " + gnutls_strerror(r));
}

struct Endpoint {
  Pipe* rx;
  Pipe* tx;
  gnutls_session_t session;
};

ssize_t push(gnutls_transport_ptr_t ctx, const void* buf, size_t n) {
  static_cast<Endpoint*>(ctx)->tx->write({static_cast<const uint8_t*>(buf), n});
  return static_cast<ssize_t>(n);
}

ssize_t pull(gnutls_transport_ptr_t ctx, void* buf, size_t n) {
  auto* ep = static_cast<Endpoint*>(ctx);
  if (ep->rx->available() == 0) {
    gnutls_transport_set_errno(ep->session, EAGAIN);
    return -1;
  }
  return static_cast<ssize_t>(ep->rx->read({static_cast<uint8_t*>(buf), n}));
}

int pull_timeout(gnutls_transport_ptr_t ctx, unsigned int) {
  return static_cast<Endpoint*>(ctx)->rx->available() > 0 ? 1 : 0;
}

std::string or_dash(const char* s) { return s != nullptr ? s : "-"; }

// The server's ticket master key of Setup::tickets (GnuTLS wants 64 bytes): the same for the
// whole run, as in the other backends.
constexpr size_t kTicketKeySize = 64;

class GtConn final : public Conn {
 public:
  GtConn(gnutls_session_t s, Pipe& rx, Pipe& tx) : s_(s), ep_{&rx, &tx, s} {
    gnutls_transport_set_ptr(s_, &ep_);
    gnutls_transport_set_push_function(s_, push);
    gnutls_transport_set_pull_function(s_, pull);
    gnutls_transport_set_pull_timeout_function(s_, pull_timeout);
  }
  ~GtConn() override { gnutls_deinit(s_); }
  GtConn(const GtConn&) = delete;
  GtConn& operator=(const GtConn&) = delete;

  // A server created with GNUTLS_NO_AUTO_SEND_TICKET: its handshake call sends one
  // NewSessionTicket once gnutls_handshake is done.
  void send_ticket_after_handshake() { send_ticket_ = true; }

  Io handshake() override {
    int r = gnutls_handshake(s_);
    if (r == 0 && send_ticket_) {
      r = gnutls_session_ticket_send(s_, 1, 0);
      if (r == 0) send_ticket_ = false;
    }
    return status(r);
  }
  bool resumed() override { return gnutls_session_is_resumed(s_) != 0; }
  gnutls_session_t session() const { return s_; }

  Io write(std::span<const uint8_t> data, size_t& n) override {
    const ssize_t r = gnutls_record_send(s_, data.data(), data.size());
    if (r < 0) return status(static_cast<int>(r));
    n = static_cast<size_t>(r);
    return Io::kDone;
  }

  Io read(std::span<uint8_t> out, size_t& n) override {
    const ssize_t r = gnutls_record_recv(s_, out.data(), out.size());
    if (r == 0) return Io::kError;  // the peer closed: never expected here
    if (r < 0) return status(static_cast<int>(r));
    n = static_cast<size_t>(r);
    return Io::kDone;
  }

  std::string describe() override {
    const auto sig = static_cast<gnutls_sign_algorithm_t>(gnutls_sign_algorithm_get(s_));
    return or_dash(gnutls_protocol_get_name(gnutls_protocol_get_version(s_))) + " " +
           or_dash(gnutls_cipher_get_name(gnutls_cipher_get(s_))) + " " +
           or_dash(gnutls_group_get_name(gnutls_group_get(s_))) +
           " sig=" + or_dash(gnutls_sign_get_name(sig)) +
           (gnutls_protocol_get_version(s_) != GNUTLS_TLS1_2   ? ""
            : gnutls_session_ext_master_secret_status(s_) != 0 ? " ems"
                                                               : " no-ems");
  }

 private:
  static Io status(int r) {
    if (r == 0) return Io::kDone;
    if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) return Io::kWant;
    std::fprintf(stderr, "gnutls: %s\n", gnutls_strerror(r));
    return Io::kError;
  }

  gnutls_session_t s_;
  Endpoint ep_;
  bool send_ticket_ = false;
};

class GtBackend final : public Backend {
 public:
  explicit GtBackend(const DataFiles& files) : files_(files) {
    gt_check(gnutls_global_init(), "global_init");
    for (size_t i = 0; i < kTicketKeySize; ++i)
      ticket_key_[i] = static_cast<unsigned char>(0xa5 ^ (7 * i));
  }
  ~GtBackend() override {
    reset();
    gnutls_global_deinit();
  }
  GtBackend(const GtBackend&) = delete;
  GtBackend& operator=(const GtBackend&) = delete;

  const char* name() const override { return "gnutls"; }
  std::string version() const override {
    return std::string("GnuTLS ") + gnutls_check_version(nullptr);
  }

  void configure(const Setup& setup) override {
    reset();
    const char* cipher = setup.cipher == Cipher::kAes128Gcm   ? "AES-128-GCM"
                         : setup.cipher == Cipher::kAes256Gcm ? "AES-256-GCM"
                                                              : "CHACHA20-POLY1305";
    // TLS 1.2: ECDHE-ECDSA-AES128-GCM-SHA256 is the only suite left (the MAC of a GCM suite is
    // AEAD, its PRF SHA-256). The leaf's curve must be among the client's groups (RFC 8422,
    // 5.1): P-256 after X25519, which stays the ECDHE group.
    const std::string prio =
        setup.tls12 ? std::string(
                          "NORMAL:-VERS-ALL:+VERS-TLS1.2:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:"
                          "-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-ECDSA")
                    : std::string(
                          "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-X25519:"
                          "-CIPHER-ALL:+") +
                          cipher;
    tickets_ = setup.tickets;
    const char* err_pos = nullptr;
    gt_check(gnutls_priority_init(&prio_, prio.c_str(), &err_pos), "priority_init");
    const bool ecdsa = setup.cert == CertKind::kEcdsa;
    const std::string cert = files_.dir + (ecdsa ? "/ecdsa-p256-cert.pem" : "/rsa2048-cert.pem");
    const std::string key = files_.dir + (ecdsa ? "/ecdsa-p256-key.pem" : "/rsa2048-key.pem");
    gt_check(gnutls_certificate_allocate_credentials(&server_cred_), "server credentials");
    gt_check(gnutls_certificate_set_x509_key_file(server_cred_, cert.c_str(), key.c_str(),
                                                  GNUTLS_X509_FMT_PEM),
             "server certificate");
    gt_check(gnutls_certificate_allocate_credentials(&client_cred_), "client credentials");
    gt_check(gnutls_certificate_set_x509_trust_file(
                 client_cred_, (files_.dir + "/ca-cert.pem").c_str(), GNUTLS_X509_FMT_PEM),
             "trust file");
  }

  std::unique_ptr<Conn> client(Link& link) override {
    gnutls_session_t s = nullptr;
    gt_check(gnutls_init(&s, GNUTLS_CLIENT | GNUTLS_NONBLOCK | (tickets_ ? 0 : GNUTLS_NO_TICKETS)),
             "init");
    gt_check(gnutls_priority_set(s, prio_), "priority_set");
    gt_check(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, client_cred_), "credentials");
    gt_check(gnutls_server_name_set(s, GNUTLS_NAME_DNS, "localhost", 9), "server name");
    gnutls_session_set_verify_cert(s, "localhost", 0);
    if (!session_.empty())
      gt_check(gnutls_session_set_data(s, session_.data(), session_.size()), "session_set_data");
    return std::make_unique<GtConn>(s, link.s2c, link.c2s);
  }

  std::unique_ptr<Conn> server(Link& link) override {
    gnutls_session_t s = nullptr;
    // GnuTLS 3.7 sends two NewSessionTickets after each TLS 1.3 handshake; the other backends
    // are configured for one, so this server sends its one itself (GtConn::handshake).
    const unsigned ticket_flags = tickets_ ? GNUTLS_NO_AUTO_SEND_TICKET : GNUTLS_NO_TICKETS;
    gt_check(gnutls_init(&s, GNUTLS_SERVER | GNUTLS_NONBLOCK | ticket_flags), "init");
    gt_check(gnutls_priority_set(s, prio_), "priority_set");
    gt_check(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, server_cred_), "credentials");
    if (tickets_) {
      const gnutls_datum_t key{ticket_key_, kTicketKeySize};
      gt_check(gnutls_session_ticket_enable_server(s, &key), "session_ticket_enable_server");
    }
    auto conn = std::make_unique<GtConn>(s, link.c2s, link.s2c);
    if (tickets_) conn->send_ticket_after_handshake();
    return conn;
  }

  void keep_session(Conn& client) override {
    gnutls_datum_t d{};
    // TLS 1.3: available once the client has read the NewSessionTicket.
    gt_check(gnutls_session_get_data2(static_cast<GtConn&>(client).session(), &d),
             "session_get_data2");
    session_.assign(d.data, d.data + d.size);
    gnutls_free(d.data);
    if (session_.empty()) die("gnutls: the client holds no session");
  }

 private:
  void reset() {
    session_.clear();
    tickets_ = false;
    if (prio_ != nullptr) gnutls_priority_deinit(prio_);
    if (server_cred_ != nullptr) gnutls_certificate_free_credentials(server_cred_);
    if (client_cred_ != nullptr) gnutls_certificate_free_credentials(client_cred_);
    prio_ = nullptr;
    server_cred_ = client_cred_ = nullptr;
  }

  const DataFiles& files_;
  gnutls_priority_t prio_ = nullptr;
  gnutls_certificate_credentials_t server_cred_ = nullptr;
  gnutls_certificate_credentials_t client_cred_ = nullptr;
  bool tickets_ = false;
  unsigned char ticket_key_[kTicketKeySize] = {};
  std::vector<uint8_t> session_;  // the client's session data, offered by every new client
};

}  // namespace

std::unique_ptr<Backend> make_gnutls_backend(const DataFiles& files) {
  return std::make_unique<GtBackend>(files);
}

}  // namespace bench
