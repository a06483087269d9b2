// snr-load: a bounded load generator for snr-server (issue #7). It opens every connection at
// once, from one thread, and drives them with poll(2):
//   good     full TLS handshake (verifying the server), one line echoed, close_notify;
//   stall    connects and stops mid-handshake (nothing, a partial record header, or half a
//            ClientHello record) — the server must drop it (its --handshake-timeout);
//   garbage  sends bytes that are not TLS (text, an oversized record header, random bytes) —
//            the server must close it.
// Everything is bounded: the run ends when every connection has finished or at --deadline.
// Exit status 0 only if every good connection completed and every bad one was closed by the
// server.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "snr/snr.hpp"

namespace {

using Clock = std::chrono::steady_clock;

enum class Kind { Good, Stall, Garbage };
enum class Phase { Connecting, Handshake, Send, Receive, Shutdown, WaitClose, Done };

struct Options {
  uint16_t port = 0;
  unsigned good = 500, stall = 250, garbage = 250;
  unsigned deadline_s = 60;
  std::string ca_file;
};

struct Peer {
  Peer(Kind k, unsigned i) : kind(k), index(i) {}
  Kind kind;
  unsigned index;
  int fd = -1;
  Phase phase = Phase::Connecting;
  short events = POLLOUT;
  std::optional<snr::Connection> tls;
  std::string line, received;
  size_t sent = 0;
  bool ok = false;
  std::string why;  // why it failed
};

void close_fd(Peer& p) {
  if (p.fd >= 0) ::close(p.fd);
  p.fd = -1;
}

void finish(Peer& p, bool ok, std::string why = {}) {
  p.ok = ok;
  p.why = std::move(why);
  p.phase = Phase::Done;
  p.tls.reset();
  close_fd(p);
}

// The poll(2) events a pending snr call waits for (the client registers no async callbacks).
template <class T>
short events_for(const snr::Poll<T>& r) {
  return r.blocked() == snr::Blocked::OnWrite ? POLLOUT : POLLIN;
}

int open_socket(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 && errno != EINPROGRESS) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// The bytes a bad peer sends, by variant.
std::string bad_bytes(Kind kind, unsigned i) {
  if (kind == Kind::Stall) {
    switch (i % 3) {
      case 0:
        return {};  // connected, silent
      case 1:
        return std::string("\x16\x03\x01", 3);  // a record header cut short
      default: {
        // A ClientHello record announcing 512 bytes, of which half arrive.
        std::string s("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
        s.resize(11 + 256, '\x5a');
        return s;
      }
    }
  }
  switch (i % 3) {
    case 0:
      return "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    case 1:
      return std::string("\x16\x03\x01\xff\xff", 5) + std::string(64, '\x01');  // oversized
    default: {
      std::string s(300, '\0');
      (void)getrandom(s.data(), s.size(), 0);
      s[0] = '\x17';  // application data before any handshake
      return s;
    }
  }
}

// Drives one peer as far as it goes without waiting.
void advance(Peer& p, const snr::Config& config) {
  for (;;) {
    switch (p.phase) {
      case Phase::Connecting: {
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(p.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0)
          return finish(p, false, std::string("connect: ") + std::strerror(err ? err : errno));
        if (p.kind != Kind::Good) {
          const std::string bytes = bad_bytes(p.kind, p.index);
          if (!bytes.empty() && ::send(p.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) < 0 &&
              errno != EAGAIN)
            return finish(p, true);  // already closed by the server
          p.phase = Phase::WaitClose;
          p.events = POLLIN;
          return;
        }
        p.tls.emplace(snr::Mode::Client);
        if (!p.tls->set_config(config).ok() || !p.tls->set_server_name("localhost").ok() ||
            !p.tls->set_fd(p.fd).ok())
          return finish(p, false, "setup");
        p.line = "load line " + std::to_string(p.index) + "\n";
        p.phase = Phase::Handshake;
        break;
      }
      case Phase::Handshake: {
        auto r = p.tls->poll_negotiate();
        if (r.is_pending()) {
          p.events = events_for(r);
          return;
        }
        if (r.is_error()) return finish(p, false, "handshake: " + r.error().message());
        p.phase = Phase::Send;
        break;
      }
      case Phase::Send: {
        if (p.sent < p.line.size()) {
          auto r = p.tls->poll_send(std::string_view(p.line).substr(p.sent));
          if (r.is_pending()) {
            p.events = events_for(r);
            return;
          }
          if (r.is_error()) return finish(p, false, "send: " + r.error().message());
          p.sent += r.value();
          break;
        }
        auto f = p.tls->poll_flush();
        if (f.is_pending()) {
          p.events = events_for(f);
          return;
        }
        if (f.is_error()) return finish(p, false, "flush: " + f.error().message());
        p.phase = Phase::Receive;
        break;
      }
      case Phase::Receive: {
        uint8_t buf[256];
        auto r = p.tls->poll_recv(buf);
        if (r.is_pending()) {
          p.events = events_for(r);
          return;
        }
        if (r.is_error()) return finish(p, false, "recv: " + r.error().message());
        if (r.value() == 0) return finish(p, false, "closed before the echo");
        p.received.append(reinterpret_cast<const char*>(buf), r.value());
        if (p.received.size() >= p.line.size()) {
          if (p.received != p.line) return finish(p, false, "wrong echo");
          p.phase = Phase::Shutdown;
        }
        break;
      }
      case Phase::Shutdown: {
        auto r = p.tls->poll_shutdown();
        if (r.is_pending()) {
          p.events = events_for(r);
          return;
        }
        // The echo arrived: the connection did its work; a close without close_notify
        // counts as completed too.
        return finish(p, true);
      }
      case Phase::WaitClose: {
        char buf[512];
        for (;;) {
          const ssize_t n = ::recv(p.fd, buf, sizeof buf, 0);
          if (n == 0) return finish(p, true);  // the server closed it
          if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            if (errno == EINTR) continue;
            return finish(p, true);  // reset by the server: closed too
          }
          // An alert or other reply: keep reading until the close.
        }
      }
      case Phase::Done:
        return;
    }
  }
}

bool parse_unsigned(const char* s, unsigned max, unsigned& out) {
  char* end = nullptr;
  const unsigned long v = std::strtoul(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v > max) return false;
  out = static_cast<unsigned>(v);
  return true;
}

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  std::vector<std::string_view> pos;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](unsigned max, unsigned& out) {
      return i + 1 < argc && parse_unsigned(argv[++i], max, out);
    };
    bool ok = true;
    if (a == "--good") {
      ok = value(100000, o.good);
    } else if (a == "--stall") {
      ok = value(100000, o.stall);
    } else if (a == "--garbage") {
      ok = value(100000, o.garbage);
    } else if (a == "--deadline") {
      ok = value(3600, o.deadline_s);
    } else if (a == "--ca-file" && i + 1 < argc) {
      o.ca_file = argv[++i];
    } else if (!a.empty() && a[0] == '-') {
      ok = false;
    } else {
      pos.push_back(a);
    }
    if (!ok) return std::nullopt;
  }
  unsigned port = 0;
  if (pos.size() != 1 || !parse_unsigned(pos[0].data(), 65535, port) || port == 0 ||
      o.ca_file.empty())
    return std::nullopt;
  o.port = static_cast<uint16_t>(port);
  return o;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> opt = parse(argc, argv);
  if (!opt) {
    std::fputs(
        "usage: snr-load --ca-file FILE [--good N] [--stall N] [--garbage N] [--deadline S] "
        "PORT\n  (connects to 127.0.0.1:PORT)\n",
        stderr);
    return 2;
  }
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &files);
  }
  auto builder = snr::Config::builder();
  (void)builder.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  if (!builder.with_system_certs(false).ok() || !builder.trust_pem(read_file(opt->ca_file)).ok()) {
    std::fprintf(stderr, "snr-load: cannot load %s\n", opt->ca_file.c_str());
    return 2;
  }
  auto config = builder.build();
  if (!config.ok()) return 2;

  std::vector<Peer> peers;
  const unsigned total = opt->good + opt->stall + opt->garbage;
  peers.reserve(total);
  // Interleaved kinds, so that bad connections sit between good ones in the server's table.
  for (unsigned i = 0, g = 0, s = 0, b = 0; i < total; ++i) {
    Kind k = Kind::Good;
    if (g < opt->good && (i % 4 < 2 || (s >= opt->stall && b >= opt->garbage))) {
      k = Kind::Good, ++g;
    } else if (s < opt->stall && (i % 4 == 2 || b >= opt->garbage)) {
      k = Kind::Stall, ++s;
    } else if (b < opt->garbage) {
      k = Kind::Garbage, ++b;
    } else {
      k = Kind::Good, ++g;
    }
    peers.emplace_back(k, i);
  }
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::seconds(opt->deadline_s);
  unsigned opened = 0;
  for (Peer& p : peers) {
    p.fd = open_socket(opt->port);
    if (p.fd < 0) {
      finish(p, false, std::string("socket/connect: ") + std::strerror(errno));
    } else {
      ++opened;
    }
  }
  std::printf("snr-load: %u connections open at once (%u good, %u stalling, %u garbage)\n", opened,
              opt->good, opt->stall, opt->garbage);

  std::vector<pollfd> fds;
  std::vector<Peer*> live;
  for (;;) {
    fds.clear();
    live.clear();
    for (Peer& p : peers) {
      if (p.phase == Phase::Done) continue;
      fds.push_back({p.fd, p.events, 0});
      live.push_back(&p);
    }
    if (live.empty() || Clock::now() >= deadline) break;
    const int rc = ::poll(fds.data(), fds.size(), 200);
    if (rc < 0 && errno != EINTR) {
      std::perror("poll");
      return 2;
    }
    for (size_t i = 0; i < live.size(); ++i)
      if (fds[i].revents != 0) advance(*live[i], *config);
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();

  unsigned ok[3] = {}, n[3] = {};
  std::string first_failure[3];
  for (Peer& p : peers) {
    const int k = static_cast<int>(p.kind);
    ++n[k];
    if (p.phase != Phase::Done) finish(p, false, "still open at the deadline");
    if (p.ok) {
      ++ok[k];
    } else if (first_failure[k].empty()) {
      first_failure[k] = "#" + std::to_string(p.index) + ": " + p.why;
    }
  }
  std::printf("good: %u/%u completed (handshake, echo, close)\n", ok[0], n[0]);
  std::printf("stall: %u/%u closed by the server\n", ok[1], n[1]);
  std::printf("garbage: %u/%u closed by the server\n", ok[2], n[2]);
  std::printf("time: %.2f s\n", secs);
  bool all = true;
  for (int k = 0; k < 3; ++k) {
    if (ok[k] != n[k]) {
      all = false;
      std::printf("first failure (%s): %s\n",
                  k == 0   ? "good"
                  : k == 1 ? "stall"
                           : "garbage",
                  first_failure[k].c_str());
    }
  }
  return all ? 0 : 1;
}
