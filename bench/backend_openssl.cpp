// The OpenSSL libssl backend: an SSL over a custom BIO that reads and writes the bench pipes.
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "harness.hpp"

namespace bench {
namespace {

[[noreturn]] void ossl_die(const std::string& what) {
  ERR_print_errors_fp(stderr);
  die("openssl: " + what);
}

struct Endpoint {
  Pipe* rx;
  Pipe* tx;
};

int bio_write(BIO* b, const char* p, int n) {
  BIO_clear_retry_flags(b);
  static_cast<Endpoint*>(BIO_get_data(b))
      ->tx->write({reinterpret_cast<const uint8_t*>(p), static_cast<size_t>(n)});
  return n;
}

int bio_read(BIO* b, char* p, int n) {
  BIO_clear_retry_flags(b);
  Pipe* rx = static_cast<Endpoint*>(BIO_get_data(b))->rx;
  if (rx->available() == 0) {
    BIO_set_retry_read(b);
    return -1;
  }
  return static_cast<int>(rx->read({reinterpret_cast<uint8_t*>(p), static_cast<size_t>(n)}));
}

long bio_ctrl(BIO*, int cmd, long, void*) { return cmd == BIO_CTRL_FLUSH ? 1 : 0; }

int bio_create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

BIO_METHOD* pipe_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "bench-pipe");
    if (m == nullptr || BIO_meth_set_write(m, bio_write) != 1 ||
        BIO_meth_set_read(m, bio_read) != 1 || BIO_meth_set_ctrl(m, bio_ctrl) != 1 ||
        BIO_meth_set_create(m, bio_create) != 1)
      ossl_die("BIO_METHOD");
    return m;
  }();
  return method;
}

class OsslConn final : public Conn {
 public:
  OsslConn(SSL* ssl, Pipe& rx, Pipe& tx) : ssl_(ssl), ep_{&rx, &tx} {
    BIO* b = BIO_new(pipe_method());
    if (b == nullptr) ossl_die("BIO_new");
    BIO_set_data(b, &ep_);
    SSL_set_bio(ssl_, b, b);
  }
  ~OsslConn() override {
    // No close_notify goes out (the peer may be gone); marking the connection shut down
    // also keeps OpenSSL from flagging its session as broken.
    SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(ssl_);
  }
  OsslConn(const OsslConn&) = delete;
  OsslConn& operator=(const OsslConn&) = delete;

  Io handshake() override { return status(SSL_do_handshake(ssl_)); }
  Io write(std::span<const uint8_t> data, size_t& n) override {
    return status(SSL_write_ex(ssl_, data.data(), data.size(), &n));
  }
  Io read(std::span<uint8_t> out, size_t& n) override {
    return status(SSL_read_ex(ssl_, out.data(), out.size(), &n));
  }
  void release_buffers() override { SSL_free_buffers(ssl_); }
  bool resumed() override { return SSL_session_reused(ssl_) == 1; }
  SSL* ssl() const { return ssl_; }

  std::string describe() override {
    const char* group = SSL_group_to_name(ssl_, SSL_get_negotiated_group(ssl_));
    int sig_nid = NID_undef;
    const bool have_sig = SSL_get_peer_signature_type_nid(ssl_, &sig_nid) == 1;
    std::string d = std::string(SSL_get_version(ssl_)) + " " + SSL_get_cipher_name(ssl_) + " " +
                    (group != nullptr ? group : "?");
    d += " sig=";
    d += have_sig ? OBJ_nid2sn(sig_nid) : "?";
    d += " verify=";
    d += X509_verify_cert_error_string(SSL_get_verify_result(ssl_));
    if (SSL_version(ssl_) == TLS1_2_VERSION)
      d += SSL_get_extms_support(ssl_) == 1 ? " ems" : " no-ems";
    return d;
  }

 private:
  Io status(int r) {
    if (r == 1) return Io::kDone;
    const int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Io::kWant;
    ERR_print_errors_fp(stderr);
    return Io::kError;
  }

  SSL* ssl_;
  Endpoint ep_;
};

class OsslBackend final : public Backend {
 public:
  explicit OsslBackend(const DataFiles& files) : files_(files) {}
  ~OsslBackend() override { reset(); }
  OsslBackend(const OsslBackend&) = delete;
  OsslBackend& operator=(const OsslBackend&) = delete;

  const char* name() const override { return "openssl"; }
  std::string version() const override { return OpenSSL_version(OPENSSL_VERSION); }

  void configure(const Setup& setup) override {
    reset();
    const char* suite = setup.cipher == Cipher::kAes128Gcm   ? "TLS_AES_128_GCM_SHA256"
                        : setup.cipher == Cipher::kAes256Gcm ? "TLS_AES_256_GCM_SHA384"
                                                             : "TLS_CHACHA20_POLY1305_SHA256";
    const int version = setup.tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    server_ctx_ = SSL_CTX_new(TLS_server_method());
    client_ctx_ = SSL_CTX_new(TLS_client_method());
    if (server_ctx_ == nullptr || client_ctx_ == nullptr) ossl_die("SSL_CTX_new");
    for (SSL_CTX* c : {server_ctx_, client_ctx_}) {
      // TLS 1.2 also needs the leaf's curve among the client's groups (RFC 8422, 5.1): P-256
      // second, so that X25519 is still the ECDHE group.
      if (SSL_CTX_set_min_proto_version(c, version) != 1 ||
          SSL_CTX_set_max_proto_version(c, version) != 1 ||
          SSL_CTX_set1_groups_list(c, setup.tls12 ? "X25519:P-256" : "X25519") != 1)
        ossl_die("context setup");
      const bool suites_ok = setup.tls12
                                 ? SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256") == 1
                                 : SSL_CTX_set_ciphersuites(c, suite) == 1;
      if (!suites_ok) ossl_die("cipher suites");
      if (setup.release_buffers) SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS);
      // TLS 1.2 session tickets are a separate extension; keep them out like the session cache.
      if (setup.tls12) SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
    }
    const bool ecdsa = setup.cert == CertKind::kEcdsa;
    const std::string cert = files_.dir + (ecdsa ? "/ecdsa-p256-cert.pem" : "/rsa2048-cert.pem");
    const std::string key = files_.dir + (ecdsa ? "/ecdsa-p256-key.pem" : "/rsa2048-key.pem");
    if (SSL_CTX_use_certificate_chain_file(server_ctx_, cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(server_ctx_, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(server_ctx_) != 1)
      ossl_die("server certificate");
    // Like the other backends: no session cache; tickets only with Setup::tickets. Stateless
    // TLS 1.3 tickets need no cache on either side: the client keeps the SSL_SESSION itself.
    SSL_CTX_set_session_cache_mode(server_ctx_, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_session_cache_mode(client_ctx_, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(server_ctx_, setup.tickets ? 1 : 0);
    if (setup.tickets) {
      // A fixed ticket key (name, HMAC and AES keys) rather than the context's random one, as
      // in the other backends. Anti-replay only applies with early data (off here), where it
      // would make the server look tickets up in its cache and use each once; switching it
      // off states that every resumption of the one saved session must work.
      unsigned char keys[80];
      for (size_t i = 0; i < sizeof keys; ++i) keys[i] = static_cast<unsigned char>(0x5a ^ i);
      if (SSL_CTX_set_tlsext_ticket_keys(server_ctx_, keys, sizeof keys) != 1)
        ossl_die("ticket keys");
      SSL_CTX_set_options(server_ctx_, SSL_OP_NO_ANTI_REPLAY);
    }
    if (SSL_CTX_load_verify_file(client_ctx_, (files_.dir + "/ca-cert.pem").c_str()) != 1)
      ossl_die("client trust store");
    SSL_CTX_set_verify(client_ctx_, SSL_VERIFY_PEER, nullptr);
  }

  std::unique_ptr<Conn> client(Link& link) override {
    SSL* s = SSL_new(client_ctx_);
    if (s == nullptr) ossl_die("SSL_new");
    SSL_set_connect_state(s);
    if (SSL_set_tlsext_host_name(s, "localhost") != 1 || SSL_set1_host(s, "localhost") != 1)
      ossl_die("host name");
    if (session_ != nullptr && SSL_set_session(s, session_) != 1) ossl_die("SSL_set_session");
    return std::make_unique<OsslConn>(s, link.s2c, link.c2s);
  }

  std::unique_ptr<Conn> server(Link& link) override {
    SSL* s = SSL_new(server_ctx_);
    if (s == nullptr) ossl_die("SSL_new");
    SSL_set_accept_state(s);
    return std::make_unique<OsslConn>(s, link.c2s, link.s2c);
  }

  void keep_session(Conn& client) override {
    SSL_SESSION_free(session_);
    // In TLS 1.3 the session holding the ticket replaces the handshake's when the client
    // reads the NewSessionTicket.
    session_ = SSL_get1_session(static_cast<OsslConn&>(client).ssl());
    if (session_ == nullptr || SSL_SESSION_is_resumable(session_) != 1)
      ossl_die("the client holds no resumable session");
  }

 private:
  void reset() {
    SSL_SESSION_free(session_);
    session_ = nullptr;
    SSL_CTX_free(server_ctx_);
    SSL_CTX_free(client_ctx_);
    server_ctx_ = client_ctx_ = nullptr;
  }

  const DataFiles& files_;
  SSL_CTX* server_ctx_ = nullptr;
  SSL_CTX* client_ctx_ = nullptr;
  SSL_SESSION* session_ = nullptr;  // offered by every new client once kept
};

}  // namespace

std::unique_ptr<Backend> make_openssl_backend(const DataFiles& files) {
  return std::make_unique<OsslBackend>(files);
}

}  // namespace bench
