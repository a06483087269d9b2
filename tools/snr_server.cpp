// snr-server: a TLS server for tests and interop. It echoes application data (or answers
// HTTP requests with --http) on many connections at once, from one thread: a poll(2) loop
// over non-blocking sockets, each connection a state machine driven by the poll_* API.

#include <poll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common.hpp"
#include "embedded_cert.hpp"
#include "offload_key.hpp"
#include "snr/config.hpp"
#include "snr/connection.hpp"

namespace snr::tools {
namespace {

using Clock = std::chrono::steady_clock;

// How long a closing connection waits for the peer's close_notify before it is dropped.
constexpr auto kShutdownGrace = std::chrono::seconds(5);
// Request headers past this size are not waited for: the page is sent anyway.
constexpr size_t kMaxRequest = 16 * 1024;
constexpr size_t kReadChunk = 16 * 1024;

constexpr char kUsage[] =
    "usage: snr-server [options] [HOST] PORT\n"
    "  HOST defaults to 127.0.0.1; PORT 0 picks a free port (printed on stdout).\n"
    "  --cert FILE --key FILE  certificate chain and key, PEM (default: embedded test cert);\n"
    "                          repeat the pair for several, chosen by the client's SNI\n"
    "  --offload-key           sign and decrypt through the private key callback (the tool\n"
    "                          answers each operation one event-loop turn later)\n"
    "  --ca-file FILE          trust store for client certificates\n"
    "  --client-auth MODE      none (default), optional or required: ask for a client\n"
    "                          certificate, validated against --ca-file (names unchecked)\n"
    "  --policy NAME           security policy (e.g. default_tls13)\n"
    "  --alpn LIST             ALPN protocols, comma-separated, in preference order\n"
    "  --dhparams FILE         PEM DH parameters, enabling the DHE suites\n"
    "  --echo                  echo application data back (default)\n"
    "  --http                  answer each request with a small HTTP/1.0 page\n"
    "  --once                  serve one connection, then exit\n"
    "  --keylog FILE           append NSS key-log lines (default: $SSLKEYLOGFILE)\n"
    "  --quiet                 print no handshake summaries\n"
    "  --tickets               issue session tickets (a random key made at start)\n"
    "  --ticket-key FILE       issue session tickets sealed with the key material in FILE\n"
    "  --psk ID:HEXKEY[:sha384]  accept this external TLS 1.3 PSK\n"
    "  --max-early-data N      accept up to N bytes of TLS 1.3 early data (with --tickets)\n"
    "  --session-cache         keep TLS 1.2 sessions by session id (in memory)\n"
    "  --low-latency           records of at most 1435 bytes of data (default 16384)\n"
    "  --accept-mfl            grant clients' max_fragment_length requests (RFC 6066)\n"
    "  --ocsp FILE             staple this DER OCSP response for the certificate when asked\n"
    "  --blinding MODE         builtin, self-service or off (default: off, unlike the library's\n"
    "                          builtin): after a failure the client caused, wait 10-30 s\n"
    "                          (builtin stalls every connection; self-service only that one)\n"
    "  --handshake-timeout S   drop a connection whose handshake is not done after S seconds\n";

struct Options {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::vector<std::string> certs;
  std::vector<std::string> keys;
  std::optional<std::string> ca_file;
  std::optional<std::string> client_auth;
  std::optional<std::string> policy;
  std::optional<std::string> alpn;
  std::optional<std::string> keylog;
  std::optional<std::string> dhparams;
  std::optional<std::string> ticket_key;
  std::optional<std::string> psk;
  std::optional<std::string> max_early_data;
  std::optional<std::string> handshake_timeout;
  std::optional<std::string> ocsp;
  unsigned handshake_timeout_s = 0;  // 0: none
  bool tickets = false;
  bool session_cache = false;
  bool low_latency = false;
  bool accept_mfl = false;
  bool offload_key = false;
  BlindingChoice blinding = BlindingChoice::Off;
  bool http = false;
  bool once = false;
  bool quiet = false;
  bool help = false;
};

std::optional<Options> parse_options(int argc, char** argv) {
  Options opt;
  std::vector<std::string_view> positional;
  ArgReader args(argc, argv);
  while (!args.done()) {
    const std::string_view arg = args.next();
    bool ok = true;
    if (arg == "--cert") {
      ok = args.take(arg, opt.certs);
    } else if (arg == "--key") {
      ok = args.take(arg, opt.keys);
    } else if (arg == "--ca-file") {
      ok = args.take(arg, opt.ca_file);
    } else if (arg == "--client-auth") {
      ok = args.take(arg, opt.client_auth) && parse_client_auth(*opt.client_auth).has_value();
    } else if (arg == "--policy") {
      ok = args.take(arg, opt.policy);
    } else if (arg == "--alpn") {
      ok = args.take(arg, opt.alpn);
    } else if (arg == "--keylog") {
      ok = args.take(arg, opt.keylog);
    } else if (arg == "--dhparams") {
      ok = args.take(arg, opt.dhparams);
    } else if (arg == "--echo") {
      opt.http = false;
    } else if (arg == "--http") {
      opt.http = true;
    } else if (arg == "--low-latency") {
      opt.low_latency = true;
    } else if (arg == "--ocsp") {
      ok = args.take(arg, opt.ocsp);
    } else if (arg == "--accept-mfl") {
      opt.accept_mfl = true;
    } else if (arg == "--blinding") {
      std::optional<std::string> mode;
      std::optional<BlindingChoice> choice;
      ok = args.take(arg, mode) && (choice = parse_blinding(*mode)).has_value();
      if (ok) opt.blinding = *choice;
    } else if (arg == "--session-cache") {
      opt.session_cache = true;
    } else if (arg == "--tickets") {
      opt.tickets = true;
    } else if (arg == "--psk") {
      ok = args.take(arg, opt.psk);
    } else if (arg == "--max-early-data") {
      ok = args.take(arg, opt.max_early_data);
    } else if (arg == "--ticket-key") {
      ok = args.take(arg, opt.ticket_key);
    } else if (arg == "--handshake-timeout") {
      ok = args.take(arg, opt.handshake_timeout);
    } else if (arg == "--once") {
      opt.once = true;
    } else if (arg == "--quiet") {
      opt.quiet = true;
    } else if (arg == "--offload-key") {
      opt.offload_key = true;
    } else if (arg == "-h" || arg == "--help") {
      opt.help = true;
      return opt;
    } else if (arg.size() > 1 && arg[0] == '-') {
      print_error("usage", "unknown option " + std::string(arg));
      return std::nullopt;
    } else {
      positional.push_back(arg);
    }
    if (!ok) return std::nullopt;
  }
  if (opt.handshake_timeout) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(opt.handshake_timeout->c_str(), &end, 10);
    if (opt.handshake_timeout->empty() || *end != '\0' || n == 0 || n > 3600) {
      print_error("usage", "--handshake-timeout takes seconds from 1 to 3600");
      return std::nullopt;
    }
    opt.handshake_timeout_s = static_cast<unsigned>(n);
  }
  if (positional.empty() || positional.size() > 2) {
    print_error("usage", "expected [HOST] PORT");
    return std::nullopt;
  }
  if (positional.size() == 2) opt.host = std::string(positional[0]);
  std::optional<uint16_t> port = parse_port(positional.back(), /*allow_zero=*/true);
  if (!port) return std::nullopt;
  opt.port = *port;
  if (opt.certs.size() != opt.keys.size()) {
    print_error("usage", "--cert and --key must be given in pairs");
    return std::nullopt;
  }
  if (opt.certs.size() > 1 && (opt.offload_key || opt.ocsp)) {
    print_error("usage", "--offload-key and --ocsp take a single --cert/--key pair");
    return std::nullopt;
  }
  return opt;
}

// --session-cache: the process's sessions by id; expired entries go when they are looked up.
SessionCache memory_session_cache() {
  struct Entry {
    std::vector<uint8_t> value;
    Clock::time_point expires;
  };
  auto entries = std::make_shared<std::map<std::vector<uint8_t>, Entry>>();
  SessionCache c;
  c.store = [entries](std::span<const uint8_t> key, std::span<const uint8_t> value,
                      std::chrono::seconds ttl) {
    (*entries)[{key.begin(), key.end()}] = Entry{{value.begin(), value.end()}, Clock::now() + ttl};
  };
  c.retrieve = [entries](std::span<const uint8_t> key) -> std::optional<std::vector<uint8_t>> {
    auto it = entries->find({key.begin(), key.end()});
    if (it == entries->end()) return std::nullopt;
    if (it->second.expires < Clock::now()) {
      entries->erase(it);
      return std::nullopt;
    }
    return it->second.value;
  };
  c.remove = [entries](std::span<const uint8_t> key) { entries->erase({key.begin(), key.end()}); };
  return c;
}

// Several --cert/--key pairs: each is a chain the server picks by the client's server_name
// (SPEC 6.15); the first of each key type is that type's default.
bool load_chains(Config::Builder& builder, const Options& opt) {
  for (size_t i = 0; i < opt.certs.size(); ++i) {
    std::optional<std::string> c = read_file(opt.certs[i]);
    std::optional<std::string> k = c ? read_file(opt.keys[i]) : std::nullopt;
    if (!c || !k) return false;
    cert_chain::Builder chain;
    if (!check(chain.load_pem(*c, *k))) return false;
    Result<CertificateChain> built = chain.build();
    if (!built.ok()) return check(Status(built.error()));
    if (!check(builder.load_chain(*built))) return false;
  }
  return true;
}

std::optional<Config> build_config(const Options& opt) {
  Config::Builder builder = Config::builder();
  // The trust store only matters for client certificates: never the system store.
  if (!check(builder.with_system_certs(false))) return std::nullopt;
  if (opt.ca_file && !check(builder.trust_location(*opt.ca_file, ""))) return std::nullopt;
  if (opt.client_auth &&
      !check(builder.set_client_auth_type(*parse_client_auth(*opt.client_auth)))) {
    return std::nullopt;
  }
  if (opt.certs.size() > 1 && !load_chains(builder, opt)) return std::nullopt;
  std::string cert = kEmbeddedCertPem;
  std::string key = kEmbeddedKeyPem;
  if (!opt.certs.empty()) {
    std::optional<std::string> c = read_file(opt.certs[0]);
    std::optional<std::string> k = c ? read_file(opt.keys[0]) : std::nullopt;
    if (!c || !k) return std::nullopt;
    cert = std::move(*c);
    key = std::move(*k);
  }
  if (opt.offload_key) {
    std::optional<PrivateKeyCallback> cb = offload_key_callback(key);
    if (!cb || !check(builder.load_public_pem(cert)) ||
        !check(builder.set_private_key_callback(std::move(*cb))))
      return std::nullopt;
  } else if (opt.certs.size() <= 1 && !check(builder.load_pem(cert, key))) {
    return std::nullopt;
  }
  if (opt.ocsp) {
    std::optional<std::string> der = read_file(*opt.ocsp);
    if (!der || !check(builder.set_ocsp_data(std::span<const uint8_t>(
                    reinterpret_cast<const uint8_t*>(der->data()), der->size()))))
      return std::nullopt;
  }
  if (opt.dhparams) {
    std::optional<std::string> dh = read_file(*opt.dhparams);
    if (!dh || !check(builder.add_dhparams(*dh))) return std::nullopt;
  }
  if (!configure_common(builder, opt.policy, opt.keylog, opt.alpn)) return std::nullopt;
  if (!configure_blinding(builder, opt.blinding)) return std::nullopt;
  if (opt.accept_mfl && !check(builder.accept_max_fragment_length())) return std::nullopt;
  if (opt.tickets || opt.ticket_key) {
    std::string material;
    if (opt.ticket_key) {
      std::optional<std::string> k = read_file(*opt.ticket_key);
      if (!k) return std::nullopt;
      material = std::move(*k);
    } else {
      material.resize(32);
      if (::getrandom(material.data(), material.size(), 0) != 32) {
        print_errno("getrandom");
        return std::nullopt;
      }
    }
    const std::string_view name = "snr-server";
    const auto as_span = [](std::string_view v) {
      return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size());
    };
    if (!check(builder.add_session_ticket_key(as_span(name), as_span(material))))
      return std::nullopt;
  }
  if (opt.session_cache && !check(builder.set_session_cache(memory_session_cache())))
    return std::nullopt;
  if (opt.max_early_data) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(opt.max_early_data->c_str(), &end, 10);
    if (opt.max_early_data->empty() || *end != '\0' || n > UINT32_MAX) {
      print_error("usage", "--max-early-data takes a byte count");
      return std::nullopt;
    }
    if (!check(builder.set_server_max_early_data_size(static_cast<uint32_t>(n))))
      return std::nullopt;
  }
  Result<Config> config = builder.build();
  if (!config) {
    print_error(config.error());
    return std::nullopt;
  }
  return std::move(config).value();
}

bool headers_complete(const std::string& request) {
  return request.find("\r\n\r\n") != std::string::npos || request.find("\n\n") != std::string::npos;
}

std::string http_page(const Connection& conn) {
  const std::string body = "snr-server\n\n" + format_summary(conn);
  return "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// One client connection: handshake, then echo (or one HTTP reply), then close_notify.
class Session {
 public:
  // A handshake still running after `handshake_timeout` (if any) is dropped.
  Session(UniqueFd fd, Connection conn, bool http, bool quiet,
          std::optional<std::chrono::seconds> handshake_timeout)
      : fd_(std::move(fd)), conn_(std::move(conn)), http_(http), quiet_(quiet) {
    if (handshake_timeout) deadline_ = Clock::now() + *handshake_timeout;
  }

  // Runs the connection until it has to wait for its socket or has ended.
  void advance();
  // --offload-key: the connection's waker marks it for another advance() without waiting
  // for its socket (the session lives on the heap, so `this` stays valid).
  bool install_waker() {
    return check(conn_.set_waker([this] { woken_ = true; }));
  }
  bool woken() const { return woken_; }

  int fd() const { return fd_.get(); }
  short events() const { return events_; }
  bool failed() const { return failed_; }
  bool ended() const { return ended_; }
  // Self-service blinding: an ended session keeps its socket open this much longer.
  std::chrono::nanoseconds blinding_left() const { return conn_.remaining_blinding_delay(); }
  // The deadline passed: a stalled handshake is a failure, a slow close_notify is not.
  void expire() {
    if (phase_ == Phase::Handshake) {
      print_error("timeout", "the handshake did not complete in time");
      failed_ = true;
    }
    ended_ = true;
  }
  // The handshake timeout while handshaking, the close_notify grace while closing.
  const std::optional<Clock::time_point>& deadline() const { return deadline_; }

 private:
  enum class Phase { Handshake, Serve, Shutdown };

  void wait(Blocked reason) { events_ = events_for(reason); }
  void fail(const Error& err) {
    print_error(err);
    failed_ = true;
    ended_ = true;
  }
  void on_data(std::string_view data);

  // Declared before conn_ so that the connection is destroyed before its socket is closed.
  UniqueFd fd_;
  Connection conn_;
  bool http_;
  bool quiet_;
  Phase phase_ = Phase::Handshake;
  short events_ = POLLIN;
  std::string out_;  // bytes to send: the echo of the last read, or the HTTP page
  size_t out_pos_ = 0;
  bool flushed_ = true;
  bool reply_queued_ = false;  // --http: the page is queued; close once it is out
  std::string request_;
  std::optional<Clock::time_point> deadline_;
  bool failed_ = false;
  bool ended_ = false;
  bool woken_ = false;
};

void Session::advance() {
  woken_ = false;
  std::array<uint8_t, kReadChunk> buf;
  for (;;) {
    switch (phase_) {
      case Phase::Handshake: {
        Poll<void> p = conn_.poll_negotiate();
        if (p.is_pending()) return wait(p.blocked());
        if (p.is_error()) return fail(p.error());
        if (!quiet_) print_summary(conn_);
        phase_ = Phase::Serve;
        deadline_.reset();
        break;
      }
      case Phase::Serve: {
        if (out_pos_ < out_.size()) {
          Poll<size_t> p = conn_.poll_send(std::string_view(out_).substr(out_pos_));
          if (p.is_pending()) return wait(p.blocked());
          if (p.is_error()) return fail(p.error());
          out_pos_ += p.value();
          flushed_ = false;
          break;
        }
        if (!flushed_) {
          Poll<void> p = conn_.poll_flush();
          if (p.is_pending()) return wait(p.blocked());
          if (p.is_error()) return fail(p.error());
          flushed_ = true;
        }
        if (reply_queued_) {
          phase_ = Phase::Shutdown;
          break;
        }
        Poll<size_t> p = conn_.poll_recv(buf);
        if (p.is_pending()) return wait(p.blocked());
        if (p.is_error()) return fail(p.error());
        if (p.value() == 0) {
          phase_ = Phase::Shutdown;
          break;
        }
        on_data(std::string_view(reinterpret_cast<const char*>(buf.data()), p.value()));
        break;
      }
      case Phase::Shutdown: {
        if (!deadline_) deadline_ = Clock::now() + kShutdownGrace;
        Poll<void> p = conn_.poll_shutdown();
        if (p.is_pending()) return wait(p.blocked());
        // Best effort: a peer that closes without its close_notify is not an error here.
        ended_ = true;
        return;
      }
    }
  }
}

void Session::on_data(std::string_view data) {
  if (!http_) {
    out_.assign(data);
    out_pos_ = 0;
    return;
  }
  request_.append(data);
  if (headers_complete(request_) || request_.size() >= kMaxRequest) {
    out_ = http_page(conn_);
    out_pos_ = 0;
    reply_queued_ = true;
  }
}

class Server {
 public:
  Server(const Options& opt, Config config, std::optional<Psk> psk, UniqueFd listener)
      : opt_(opt),
        handshake_timeout_(opt.handshake_timeout_s != 0
                               ? std::optional(std::chrono::seconds(opt.handshake_timeout_s))
                               : std::nullopt),
        config_(std::move(config)),
        psk_(std::move(psk)),
        listener_(std::move(listener)) {}
  int run();

 private:
  void accept_all();
  void open_session(UniqueFd fd);
  int poll_timeout_ms() const;

  const Options& opt_;
  std::optional<std::chrono::seconds> handshake_timeout_;
  Config config_;
  std::optional<Psk> psk_;
  UniqueFd listener_;
  std::vector<std::unique_ptr<Session>> sessions_;
  bool any_failed_ = false;
};

int Server::run() {
  std::vector<pollfd> fds;
  for (;;) {
    if (!listener_.valid() && sessions_.empty()) return any_failed_ ? 1 : 0;
    fds.clear();
    const size_t first = listener_.valid() ? 1 : 0;
    if (listener_.valid()) fds.push_back({listener_.get(), POLLIN, 0});
    // poll() skips negative fds: a session kept open for blinding is not read.
    for (const auto& s : sessions_) fds.push_back({s->ended() ? -1 : s->fd(), s->events(), 0});
    if (::poll(fds.data(), fds.size(), poll_timeout_ms()) < 0) {
      if (errno == EINTR) continue;
      print_errno("poll");
      return 1;
    }
    // Sessions first: accept_all() appends to sessions_, which would shift the indices.
    for (size_t i = 0; i < sessions_.size(); ++i) {
      if (fds[first + i].revents != 0 || sessions_[i]->woken()) sessions_[i]->advance();
    }
    if (first == 1 && fds[0].revents != 0) accept_all();
    const Clock::time_point now = Clock::now();
    for (auto& s : sessions_) {
      if (s->deadline() && *s->deadline() <= now) s->expire();
      if (s->ended() && s->failed()) any_failed_ = true;
    }
    std::erase_if(sessions_,
                  [](const auto& s) { return s->ended() && s->blinding_left().count() <= 0; });
  }
}

void Server::accept_all() {
  while (listener_.valid()) {
    UniqueFd fd(::accept(listener_.get(), nullptr, nullptr));
    if (!fd.valid()) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) print_errno("accept");
      return;
    }
    // --once: stop listening, so that later clients are refused rather than left waiting.
    if (opt_.once) listener_.reset();
    open_session(std::move(fd));
  }
}

void Server::open_session(UniqueFd fd) {
  if (!set_nonblocking(fd.get())) {
    print_errno("fcntl");
    any_failed_ = true;
    return;
  }
  set_nodelay(fd.get());
  Connection conn(Mode::Server);
  if (!check(conn.set_config(config_)) || !check(conn.set_fd(fd.get())) ||
      (psk_ && !check(conn.append_psk(*psk_))) ||
      (opt_.low_latency && !check(conn.prefer_low_latency())) ||
      !apply_blinding(conn, opt_.blinding)) {
    any_failed_ = true;
    return;
  }
  auto session = std::make_unique<Session>(std::move(fd), std::move(conn), opt_.http, opt_.quiet,
                                           handshake_timeout_);
  if (opt_.offload_key && !session->install_waker()) {
    any_failed_ = true;
    return;
  }
  // The ClientHello may already be waiting, so start the handshake without a poll round.
  session->advance();
  sessions_.push_back(std::move(session));
}

int Server::poll_timeout_ms() const {
  std::optional<Clock::time_point> next;
  for (const auto& s : sessions_) {
    if (s->woken()) return 0;  // its async operation can go on now
    if (s->deadline() && (!next || *s->deadline() < *next)) next = s->deadline();
    if (s->ended() && s->blinding_left().count() > 0) {
      const Clock::time_point end =
          Clock::now() + std::chrono::ceil<Clock::duration>(s->blinding_left());
      if (!next || end < *next) next = end;
    }
  }
  if (!next) return -1;
  const auto wait = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now());
  return static_cast<int>(std::max<int64_t>(wait.count(), 0));
}

int run(int argc, char** argv) {
  std::optional<Options> opt = parse_options(argc, argv);
  if (!opt) return 1;
  if (opt->help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::optional<Config> config = build_config(*opt);
  if (!config) return 1;
  std::optional<Psk> psk;
  if (opt->psk && !(psk = parse_psk(*opt->psk))) return 1;
  UniqueFd listener = listen_on(opt->host, opt->port);
  if (!listener.valid()) return 1;
  std::optional<uint16_t> port = local_port(listener.get());
  if (!port) return 1;
  std::printf("listening on %s:%u\n", opt->host.c_str(), static_cast<unsigned>(*port));
  std::fflush(stdout);
  Server server(*opt, std::move(*config), std::move(psk), std::move(listener));
  return server.run();
}

}  // namespace
}  // namespace snr::tools

int main(int argc, char** argv) {
  // A peer that resets its connection must not kill the server through a write.
  std::signal(SIGPIPE, SIG_IGN);
  // Each connection holds a descriptor: lift the soft limit (often 1024) to the hard one.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &files);
  }
  return snr::tools::run(argc, argv);
}
