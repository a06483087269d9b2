// In-memory client/server pairs for selftalk tests: two byte pipes, optionally 1 byte at a
// time, and helpers to build configs from tests/data.
#pragma once

#include <cerrno>
#include <deque>
#include <fstream>
#include <sstream>
#include <string>

#include "policy/policy_data.hpp"
#include "snr/snr.hpp"

namespace snr::test {

inline std::string data_path(const std::string& name) {
  return std::string(SNR_TEST_DATA_DIR) + "/" + name;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Pipe {
  std::deque<uint8_t> bytes;
  size_t max_io = SIZE_MAX;  // 1 for byte-at-a-time I/O
  bool closed = false;

  int write(const uint8_t* buf, uint32_t len) {
    if (closed) {
      errno = EPIPE;
      return -1;
    }
    size_t n = std::min<size_t>(len, max_io);
    bytes.insert(bytes.end(), buf, buf + n);
    return static_cast<int>(n);
  }
  int read(uint8_t* buf, uint32_t len) {
    if (bytes.empty()) {
      if (closed) return 0;
      errno = EAGAIN;
      return -1;
    }
    size_t n = std::min({static_cast<size_t>(len), bytes.size(), max_io});
    std::copy_n(bytes.begin(), n, buf);
    bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    return static_cast<int>(n);
  }
};

inline Config server_config(const std::string& kind, const Policy& policy = Policy::DEFAULT) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  (void)b.with_system_certs(false);
  (void)b.set_security_policy(policy);
  auto s =
      b.load_pem(read_file(data_path(kind + "-cert.pem")), read_file(data_path(kind + "-key.pem")));
  if (!s.ok()) throw std::runtime_error("load_pem " + kind + ": " + s.error().message());
  auto c = b.build();
  if (!c.ok()) throw std::runtime_error("build: " + c.error().message());
  return *c;
}

inline Config client_config(const Policy& policy = Policy::DEFAULT,
                            const std::string& ca = "ca-cert.pem") {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  (void)b.with_system_certs(false);
  (void)b.set_security_policy(policy);
  auto s = b.trust_pem(read_file(data_path(ca)));
  if (!s.ok()) throw std::runtime_error("trust_pem: " + s.error().message());
  auto c = b.build();
  if (!c.ok()) throw std::runtime_error("build: " + c.error().message());
  return *c;
}

struct Pair {
  Pipe c2s, s2c;
  Connection client = Connection::new_client();
  Connection server = Connection::new_server();

  Pair(Config client_cfg, Config server_cfg, size_t max_io = SIZE_MAX) {
    c2s.max_io = s2c.max_io = max_io;
    (void)client.set_config(std::move(client_cfg));
    (void)server.set_config(std::move(server_cfg));
    (void)client.set_server_name("localhost");
    (void)client.set_send_callback(
        [this](const uint8_t* b, uint32_t n) { return c2s.write(b, n); });
    (void)client.set_receive_callback([this](uint8_t* b, uint32_t n) { return s2c.read(b, n); });
    (void)server.set_send_callback(
        [this](const uint8_t* b, uint32_t n) { return s2c.write(b, n); });
    (void)server.set_receive_callback([this](uint8_t* b, uint32_t n) { return c2s.read(b, n); });
  }
  Pair(const Pair&) = delete;

  // Drives both handshakes; returns the first error, if any (client's first).
  std::optional<Error> handshake(int max_rounds = 100000) {
    bool c_done = false, s_done = false;
    for (int i = 0; i < max_rounds && !(c_done && s_done); ++i) {
      if (!c_done) {
        auto r = client.poll_negotiate();
        if (r.is_error()) return r.error();
        c_done = r.is_ready();
      }
      if (!s_done) {
        auto r = server.poll_negotiate();
        if (r.is_error()) return r.error();
        s_done = r.is_ready();
      }
    }
    if (!(c_done && s_done)) return make_stall_error();
    return std::nullopt;
  }

  static Error make_stall_error() { return Error(0, "handshake did not finish"); }
};

// Sends all of `data` from `from` and reads it on `to`; returns what arrived.
inline std::string transfer(Connection& from, Connection& to, const std::string& data) {
  size_t sent = 0;
  std::string got;
  for (int i = 0; i < 1000000 && got.size() < data.size(); ++i) {
    if (sent < data.size()) {
      auto r = from.poll_send(std::string_view(data).substr(sent));
      if (r.is_error()) throw std::runtime_error("send: " + r.error().message());
      if (r.is_ready()) sent += r.value();
    } else {
      (void)from.poll_flush();
    }
    uint8_t buf[4096];
    auto r = to.poll_recv(buf);
    if (r.is_error()) throw std::runtime_error("recv: " + r.error().message());
    if (r.is_ready()) {
      if (r.value() == 0) break;
      got.append(reinterpret_cast<char*>(buf), r.value());
    }
  }
  return got;
}

// Both sides' outcomes after driving them until both finish, one fails, or nothing moves
// (for tests whose callbacks may fail either side).
struct HandshakeOutcome {
  std::optional<Error> client, server;
  bool done = false;
};

inline HandshakeOutcome drive_pair(Connection& client, Connection& server,
                                   int max_rounds = 200000) {
  HandshakeOutcome o;
  bool c_done = false, s_done = false;
  for (int i = 0; i < max_rounds && !(c_done && s_done); ++i) {
    if (!c_done && !o.client) {
      auto r = client.poll_negotiate();
      if (r.is_error()) o.client = r.error();
      c_done = r.is_ready();
    }
    if (!s_done && !o.server) {
      auto r = server.poll_negotiate();
      if (r.is_error()) o.server = r.error();
      s_done = r.is_ready();
    }
    if (o.client && o.server) break;
  }
  o.done = c_done && s_done;
  return o;
}

inline HandshakeOutcome drive_pair(Pair& p) { return drive_pair(p.client, p.server); }

inline void expect_success(const HandshakeOutcome& o) {
  EXPECT_FALSE(o.client) << o.client->name() << ": " << o.client->message();
  EXPECT_FALSE(o.server) << o.server->name() << ": " << o.server->message();
  EXPECT_TRUE(o.done);
}

}  // namespace snr::test
