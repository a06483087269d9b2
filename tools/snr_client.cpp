// snr-client: a TLS client for tests and interop. It sends one line and prints the reply
// (--send), or copies stdin to the server and the server's data to stdout.

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common.hpp"
#include "snr/config.hpp"
#include "snr/connection.hpp"

namespace snr::tools {
namespace {

using Clock = std::chrono::steady_clock;

// How long the client waits for the server's close_notify after sending its own.
constexpr auto kShutdownGrace = std::chrono::seconds(5);
constexpr size_t kChunk = 16 * 1024;

constexpr char kUsage[] =
    "usage: snr-client [options] HOST PORT\n"
    "  --server-name NAME  SNI and the name checked in the certificate (default: HOST)\n"
    "  --ca-file FILE      trust these CAs instead of the system store\n"
    "  --cert FILE --key FILE  client certificate chain and key, PEM, sent when asked\n"
    "  --client-auth MODE  none, optional (default) or required: refuse a certificate\n"
    "                      request, answer one, or also fail when the server asks none\n"
    "  --insecure          do not verify the server certificate\n"
    "  --status            ask for a stapled OCSP response (checked unless --insecure)\n"
    "  --policy NAME       security policy (e.g. default_tls13)\n"
    "  --alpn LIST         ALPN protocols, comma-separated, most preferred first\n"
    "  --send TEXT         send TEXT and a newline, print the reply line, then close\n"
    "                      (default: copy stdin to the server and its data to stdout)\n"
    "  --keylog FILE       append NSS key-log lines (default: $SSLKEYLOGFILE)\n"
    "  --reconnect N       connect N more times, resuming the newest session each time\n"
    "  --sess-in FILE      resume the session saved in FILE\n"
    "  --sess-out FILE     save the newest session to FILE (before exiting)\n"
    "  --psk ID:HEXKEY[:sha384]  offer this external TLS 1.3 PSK\n"
    "  --low-latency       records of at most 1435 bytes of data (default 16384)\n"
    "  --mfl N             ask for max_fragment_length N: 512, 1024, 2048 or 4096 (RFC 6066)\n"
    "  --blinding MODE     builtin, self-service or off (default: off, unlike the library's\n"
    "                      builtin): after a failure the peer caused, wait 10-30 s\n"
    "  --key-update        TLS 1.3: update the sending key before the data goes out\n"
    "  --export LABEL:LEN  print LEN bytes of exported keying material (RFC 8446 7.5, RFC 5705)\n"
    "  --early-data FILE   on resumed connections, send FILE as TLS 1.3 early data (0-RTT);\n"
    "                      if the server refuses it, it is sent after the handshake\n";

struct Options {
  std::string host;
  uint16_t port = 0;
  std::optional<std::string> server_name;
  std::optional<std::string> ca_file;
  std::optional<std::string> cert;
  std::optional<std::string> key;
  std::optional<std::string> client_auth;
  std::optional<std::string> policy;
  std::optional<std::string> alpn;
  std::optional<std::string> send;
  std::optional<std::string> keylog;
  std::optional<std::string> sess_in;
  std::optional<std::string> sess_out;
  std::optional<std::string> psk;
  std::optional<std::string> early_data;
  unsigned reconnect = 0;
  BlindingChoice blinding = BlindingChoice::Off;
  bool low_latency = false;
  std::optional<MaxFragmentLength> mfl;
  bool key_update = false;
  std::optional<std::string> export_spec;
  bool insecure = false;
  bool status = false;  // --status: ask for OCSP stapling
  bool help = false;
};

std::optional<Options> parse_options(int argc, char** argv) {
  Options opt;
  std::vector<std::string_view> positional;
  ArgReader args(argc, argv);
  while (!args.done()) {
    const std::string_view arg = args.next();
    bool ok = true;
    if (arg == "--server-name") {
      ok = args.take(arg, opt.server_name);
    } else if (arg == "--ca-file") {
      ok = args.take(arg, opt.ca_file);
    } else if (arg == "--cert") {
      ok = args.take(arg, opt.cert);
    } else if (arg == "--key") {
      ok = args.take(arg, opt.key);
    } else if (arg == "--client-auth") {
      ok = args.take(arg, opt.client_auth) && parse_client_auth(*opt.client_auth).has_value();
    } else if (arg == "--policy") {
      ok = args.take(arg, opt.policy);
    } else if (arg == "--alpn") {
      ok = args.take(arg, opt.alpn);
    } else if (arg == "--send") {
      ok = args.take(arg, opt.send);
    } else if (arg == "--keylog") {
      ok = args.take(arg, opt.keylog);
    } else if (arg == "--sess-in") {
      ok = args.take(arg, opt.sess_in);
    } else if (arg == "--psk") {
      ok = args.take(arg, opt.psk);
    } else if (arg == "--early-data") {
      ok = args.take(arg, opt.early_data);
    } else if (arg == "--sess-out") {
      ok = args.take(arg, opt.sess_out);
    } else if (arg == "--reconnect") {
      std::optional<std::string> n;
      ok = args.take(arg, n);
      if (ok) {
        char* end = nullptr;
        const unsigned long v = std::strtoul(n->c_str(), &end, 10);
        ok = !n->empty() && *end == '\0' && v <= 1000;
        if (!ok) print_error("usage", "--reconnect takes a count from 0 to 1000");
        opt.reconnect = static_cast<unsigned>(v);
      }
    } else if (arg == "--low-latency") {
      opt.low_latency = true;
    } else if (arg == "--mfl") {
      std::optional<std::string> n;
      ok = args.take(arg, n);
      if (ok) {
        for (auto [text, length] : {std::pair{"512", MaxFragmentLength::Len512},
                                    std::pair{"1024", MaxFragmentLength::Len1024},
                                    std::pair{"2048", MaxFragmentLength::Len2048},
                                    std::pair{"4096", MaxFragmentLength::Len4096}}) {
          if (*n == text) opt.mfl = length;
        }
        ok = opt.mfl.has_value();
        if (!ok) print_error("usage", "--mfl takes 512, 1024, 2048 or 4096");
      }
    } else if (arg == "--blinding") {
      std::optional<std::string> mode;
      std::optional<BlindingChoice> choice;
      ok = args.take(arg, mode) && (choice = parse_blinding(*mode)).has_value();
      if (ok) opt.blinding = *choice;
    } else if (arg == "--key-update") {
      opt.key_update = true;
    } else if (arg == "--export") {
      ok = args.take(arg, opt.export_spec);
    } else if (arg == "--insecure") {
      opt.insecure = true;
    } else if (arg == "--status") {
      opt.status = true;
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
  if (positional.size() != 2) {
    print_error("usage", "expected HOST PORT");
    return std::nullopt;
  }
  opt.host = std::string(positional[0]);
  std::optional<uint16_t> port = parse_port(positional[1], /*allow_zero=*/false);
  if (!port) return std::nullopt;
  opt.port = *port;
  return opt;
}

std::optional<Config> build_config(const Options& opt) {
  Config::Builder builder = Config::builder();
  if (opt.ca_file) {
    if (!check(builder.with_system_certs(false)) ||
        !check(builder.trust_location(*opt.ca_file, ""))) {
      return std::nullopt;
    }
  } else if (!check(builder.with_system_certs(true))) {
    return std::nullopt;
  }
  if (opt.insecure && !check(builder.disable_x509_verification())) return std::nullopt;
  if (opt.status && !check(builder.enable_ocsp())) return std::nullopt;
  if (opt.cert.has_value() != opt.key.has_value()) {
    print_error("usage", "--cert and --key must be given together");
    return std::nullopt;
  }
  if (opt.cert) {
    std::optional<std::string> c = read_file(*opt.cert);
    std::optional<std::string> k = c ? read_file(*opt.key) : std::nullopt;
    if (!c || !k || !check(builder.load_pem(*c, *k))) return std::nullopt;
  }
  if (opt.client_auth &&
      !check(builder.set_client_auth_type(*parse_client_auth(*opt.client_auth)))) {
    return std::nullopt;
  }
  if (!configure_common(builder, opt.policy, opt.keylog, opt.alpn)) return std::nullopt;
  if (!configure_blinding(builder, opt.blinding)) return std::nullopt;
  if (opt.mfl && !check(builder.send_max_fragment_length(*opt.mfl))) return std::nullopt;
  if ((opt.reconnect > 0 || opt.sess_in || opt.sess_out) &&
      !check(builder.enable_session_tickets(true))) {
    return std::nullopt;
  }
  Result<Config> config = builder.build();
  if (!config) {
    print_error(config.error());
    return std::nullopt;
  }
  return std::move(config).value();
}

// Waits until fd is ready for `events`; false when timeout_ms (-1: none) ran out first.
bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  int rc;
  do {
    rc = ::poll(&p, 1, timeout_ms);
  } while (rc < 0 && errno == EINTR);
  // A poll(2) failure on one valid fd is not expected; the caller's retry then reports it.
  return rc != 0;
}

// Repeats op until it is Ready or fails, waiting on the socket whenever it is Pending.
template <class Op>
auto drive(int fd, Op op) {
  for (;;) {
    auto p = op();
    if (!p.is_pending()) return p;
    wait_for(fd, events_for(p.blocked()), -1);
  }
}

// Sends close_notify and waits (a bounded time) for the server's; failures are ignored
// because the data has already been exchanged.
void shutdown_best_effort(Connection& conn, int fd) {
  const Clock::time_point deadline = Clock::now() + kShutdownGrace;
  for (;;) {
    Poll<void> p = conn.poll_shutdown();
    if (!p.is_pending()) return;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0 || !wait_for(fd, events_for(p.blocked()), static_cast<int>(left.count())))
      return;
  }
}

bool write_stdout(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      print_errno("write to stdout");
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string_view as_text(const std::array<uint8_t, kChunk>& buf, size_t n) {
  return std::string_view(reinterpret_cast<const char*>(buf.data()), n);
}

int fail(const Error& err) {
  print_error(err);
  return 1;
}

// --send: one line out, at least one line (or everything up to the close) back.
int send_and_receive(Connection& conn, int fd, const std::string& text) {
  const std::string line = text + "\n";
  for (size_t sent = 0; sent < line.size();) {
    Poll<size_t> p = drive(fd, [&] { return conn.poll_send(std::string_view(line).substr(sent)); });
    if (p.is_error()) return fail(p.error());
    sent += p.value();
  }
  if (Poll<void> p = drive(fd, [&] { return conn.poll_flush(); }); p.is_error()) {
    return fail(p.error());
  }
  std::string reply;
  std::array<uint8_t, kChunk> buf;
  while (reply.find('\n') == std::string::npos) {
    Poll<size_t> p = drive(fd, [&] { return conn.poll_recv(buf); });
    if (p.is_error()) {
      write_stdout(reply);
      return fail(p.error());
    }
    if (p.value() == 0) break;
    reply.append(as_text(buf, p.value()));
  }
  if (!write_stdout(reply)) return 1;
  shutdown_best_effort(conn, fd);
  return 0;
}

// Copies stdin to the server and the server's data to stdout until the server closes.
int relay(Connection& conn, int fd) {
  std::string pending;  // stdin bytes not yet accepted by poll_send
  size_t pos = 0;
  bool need_flush = false;
  bool stdin_open = true;
  bool close_sent = false;
  std::array<uint8_t, kChunk> buf;
  for (;;) {
    short socket_events = 0;
    // Outbound, until it blocks: pending stdin data, a flush, then close_notify at stdin EOF.
    for (;;) {
      if (pos < pending.size()) {
        Poll<size_t> p = conn.poll_send(std::string_view(pending).substr(pos));
        if (p.is_error()) return fail(p.error());
        if (p.is_pending()) {
          socket_events |= events_for(p.blocked());
          break;
        }
        pos += p.value();
        need_flush = true;
      } else if (need_flush) {
        Poll<void> p = conn.poll_flush();
        if (p.is_error()) return fail(p.error());
        if (p.is_pending()) {
          socket_events |= events_for(p.blocked());
          break;
        }
        need_flush = false;
      } else if (!stdin_open && !close_sent) {
        Poll<void> p = conn.poll_shutdown_send();
        if (p.is_error()) return fail(p.error());
        if (p.is_pending()) {
          socket_events |= events_for(p.blocked());
          break;
        }
        close_sent = true;
      } else {
        break;
      }
    }
    // Inbound, until it blocks.
    for (;;) {
      Poll<size_t> p = conn.poll_recv(buf);
      if (p.is_error()) return fail(p.error());
      if (p.is_pending()) {
        socket_events |= events_for(p.blocked());
        break;
      }
      if (p.value() == 0) {
        if (!close_sent) shutdown_best_effort(conn, fd);
        return 0;
      }
      if (!write_stdout(as_text(buf, p.value()))) return 1;
    }
    // Read stdin only once its previous chunk is gone; fd -1 makes poll(2) skip the entry.
    const bool want_stdin = stdin_open && pos == pending.size();
    pollfd fds[2] = {{fd, socket_events, 0}, {want_stdin ? STDIN_FILENO : -1, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      print_errno("poll");
      return 1;
    }
    if (fds[1].revents != 0) {
      const ssize_t n = ::read(STDIN_FILENO, buf.data(), buf.size());
      if (n > 0) {
        pending.assign(as_text(buf, static_cast<size_t>(n)));
        pos = 0;
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        if (n < 0) print_errno("read from stdin");
        stdin_open = false;
      }
    }
  }
}

// Reads what the server sends for a moment after the handshake: TLS 1.3 session tickets
// arrive after it, and a client that only reconnects has no other reason to read.
void collect_tickets(Connection& conn, int fd) {
  constexpr int kWaitMs = 300;
  std::array<uint8_t, kChunk> buf;
  for (;;) {
    Poll<size_t> p = conn.poll_recv(buf);
    if (!p.is_pending()) return;
    if (!wait_for(fd, events_for(p.blocked()), kWaitMs)) return;
  }
}

bool save_session(const Connection& conn, const std::string& path) {
  Result<size_t> len = conn.session_ticket_length();
  if (!len || *len == 0) {
    print_error("session", "the server issued no session to save");
    return false;
  }
  std::vector<uint8_t> blob(*len);
  if (Result<size_t> r = conn.session_ticket(blob); !r) {
    print_error(r.error());
    return false;
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    print_errno("open " + path);
    return false;
  }
  const bool ok = std::fwrite(blob.data(), 1, blob.size(), f) == blob.size();
  return std::fclose(f) == 0 && ok;
}

// --export LABEL:LEN: "exporter: <hex>" on stderr, after the summary.
bool print_exporter(const Connection& conn, const std::string& spec) {
  const size_t colon = spec.rfind(':');
  char* end = nullptr;
  const unsigned long len =
      colon == std::string::npos ? 0 : std::strtoul(spec.c_str() + colon + 1, &end, 10);
  if (colon == std::string::npos || colon == 0 || *end != '\0' || len == 0 || len > 1024) {
    print_error("usage", "--export takes LABEL:LEN (LEN 1-1024)");
    return false;
  }
  const std::string label = spec.substr(0, colon);
  std::vector<uint8_t> out(len);
  const auto* l = reinterpret_cast<const uint8_t*>(label.data());
  if (!check(conn.tls_exporter(std::span<const uint8_t>(l, label.size()), {}, out))) return false;
  std::string hex;
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (uint8_t b : out) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 15];
  }
  std::fprintf(stderr, "exporter: %s\n", hex.c_str());
  return true;
}

// One connection: handshake (resuming `session` when given), the data exchange, close.
// Leaves the newest session the server issued in `session`.
int connect_once(const Options& opt, const Config& config, std::vector<uint8_t>& session,
                 bool last) {
  UniqueFd fd = connect_to(opt.host, opt.port);
  if (!fd.valid()) return 1;
  if (!set_nonblocking(fd.get())) {
    print_errno("fcntl");
    return 1;
  }
  Connection conn(Mode::Client);
  // Destroyed before fd: a self-service blinded failure keeps the socket open for its delay.
  BlindingWait blinding_wait{conn};
  if (!apply_blinding(conn, opt.blinding)) return 1;
  // With an IP literal as HOST the name still drives the check against the IP SANs.
  const std::string server_name = opt.server_name.value_or(opt.host);
  if (!check(conn.set_config(config)) || !check(conn.set_server_name(server_name)) ||
      !check(conn.set_fd(fd.get()))) {
    return 1;
  }
  if (!session.empty() && !check(conn.set_session_ticket(session))) return 1;
  if (opt.low_latency && !check(conn.prefer_low_latency())) return 1;
  if (opt.psk) {
    std::optional<Psk> psk = parse_psk(*opt.psk);
    if (!psk || !check(conn.append_psk(*psk))) return 1;
  }
  // 0-RTT: as much of the file as the server allows goes before the handshake completes.
  std::string early;
  size_t early_sent = 0;
  if (opt.early_data && !session.empty()) {
    std::optional<std::string> data = read_file(*opt.early_data);
    if (!data) return 1;
    early = std::move(*data);
    while (early_sent < early.size()) {
      Poll<size_t> p = conn.poll_send_early_data(std::string_view(early).substr(early_sent));
      if (p.is_error()) return fail(p.error());
      if (p.is_pending()) break;  // the ClientHello is out; the rest waits for the handshake
      if (p.value() == 0) break;
      early_sent += p.value();
    }
  }
  if (Poll<void> p = drive(fd.get(), [&] { return conn.poll_negotiate(); }); p.is_error()) {
    return fail(p.error());
  }
  print_summary(conn);
  if (opt.status) {
    // A response that failed its check has already failed the handshake.
    const size_t n = conn.ocsp_response().size();
    std::fprintf(stderr, "OCSP response: %zu bytes\nOCSP validation: %s\n", n,
                 n == 0         ? "none stapled"
                 : opt.insecure ? "not checked"
                                : "good");
  }
  if (opt.export_spec && !print_exporter(conn, *opt.export_spec)) return 1;
  if (opt.key_update && !check(conn.request_key_update(PeerKeyUpdate::KeyUpdateNotRequested)))
    return 1;
  // Refused early data, and what did not fit, is sent as ordinary data.
  if (!early.empty()) {
    size_t pos = conn.early_data_status() == EarlyDataStatus::Accepted ? early_sent : 0;
    while (pos < early.size()) {
      Poll<size_t> p =
          drive(fd.get(), [&] { return conn.poll_send(std::string_view(early).substr(pos)); });
      if (p.is_error()) return fail(p.error());
      pos += p.value();
    }
  }
  int rc = 0;
  if (opt.send) {
    rc = send_and_receive(conn, fd.get(), *opt.send);
  } else if (!last) {
    collect_tickets(conn, fd.get());
    shutdown_best_effort(conn, fd.get());
  } else {
    rc = relay(conn, fd.get());
  }
  if (Result<size_t> len = conn.session_ticket_length(); len && *len > 0) {
    session.resize(*len);
    (void)conn.session_ticket(session);
  }
  if (last && rc == 0 && opt.sess_out && !save_session(conn, *opt.sess_out)) return 1;
  return rc;
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
  std::vector<uint8_t> session;
  if (opt->sess_in) {
    std::optional<std::string> blob = read_file(*opt->sess_in);
    if (!blob) return 1;
    session.assign(blob->begin(), blob->end());
  }
  for (unsigned i = 0; i <= opt->reconnect; ++i) {
    const int rc = connect_once(*opt, *config, session, i == opt->reconnect);
    if (rc != 0) return rc;
  }
  return 0;
}

}  // namespace
}  // namespace snr::tools

int main(int argc, char** argv) {
  // Writes to a server that has gone must fail with EPIPE, not kill the client.
  std::signal(SIGPIPE, SIG_IGN);
  return snr::tools::run(argc, argv);
}
