// Pieces shared by snr-server and snr-client: argument parsing, error and summary printing,
// key-log files and socket helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "snr/config.hpp"
#include "snr/connection.hpp"
#include "snr/error.hpp"
#include "snr/poll.hpp"
#include "snr/psk.hpp"

namespace snr::tools {

// --- errors: every failure is one stderr line "error: <name>: <message>" ---

// Adds " (alert: <code>)" when the error carries a TLS alert.
void print_error(const Error& err);
// For failures outside the library; name is a short tag such as "usage" or "system".
void print_error(std::string_view name, std::string_view message);
// A failed system call: "error: system: <what>: <strerror(errno)>".
void print_errno(std::string_view what);
// Prints the error of a failed Status; returns whether it succeeded.
bool check(const Status& st);

// --- command line ---

// Walks argv; options take their value from the next argument ("--cert FILE").
class ArgReader {
 public:
  ArgReader(int argc, char** argv) : args_(argv + 1, argv + argc) {}
  bool done() const { return pos_ >= args_.size(); }
  std::string_view next() { return args_[pos_++]; }
  // The value of option `name`, or nullopt (after printing a usage error) when it is missing.
  std::optional<std::string> value(std::string_view name);
  // Stores (or appends) the value of option `name`; false when it is missing.
  bool take(std::string_view name, std::optional<std::string>& slot);
  bool take(std::string_view name, std::vector<std::string>& slots);

 private:
  std::vector<std::string_view> args_;
  size_t pos_ = 0;
};

// A TCP port number; allow_zero admits 0 (an ephemeral port).
std::optional<uint16_t> parse_port(std::string_view text, bool allow_zero);
std::optional<std::string> read_file(const std::string& path);

// --- configuration shared by both tools ---

// Applies --policy (if given) and the key log: --keylog FILE, else $SSLKEYLOGFILE.
// Also applies --alpn (a comma-separated protocol list, in preference order).
bool configure_common(Config::Builder& builder, const std::optional<std::string>& policy,
                      const std::optional<std::string>& keylog_path,
                      const std::optional<std::string>& alpn);

// --psk IDENTITY:HEXKEY (SHA-256) or IDENTITY:HEXKEY:sha384: an external TLS 1.3 PSK.
// Prints a usage error and returns nullopt when malformed.
std::optional<Psk> parse_psk(std::string_view spec);

// --client-auth none|optional|required. Prints a usage error and returns nullopt otherwise.
std::optional<ClientAuthType> parse_client_auth(std::string_view text);

// --blinding builtin|self-service|off (SPEC 6.1). The tools default to off, unlike the
// library: a blinded failure would hold up the tool (and, built in, every other connection
// it serves) for 10-30 s.
enum class BlindingChoice { Off, BuiltIn, SelfService };
// Prints a usage error and returns nullopt for anything else.
std::optional<BlindingChoice> parse_blinding(std::string_view text);
// Off: connections of this config are not blinded.
bool configure_blinding(Config::Builder& builder, BlindingChoice choice);
bool apply_blinding(Connection& conn, BlindingChoice choice);
// Self-service blinding done by the tool: a failed connection's socket stays open until the
// remaining delay has passed (the holder sleeps that long when destroyed).
struct BlindingWait {
  const Connection& conn;
  ~BlindingWait();
};

// --- handshake summary ---

// "key: value" lines, newline-terminated, in the documented order.
std::string format_summary(const Connection& conn);
void print_summary(const Connection& conn);

// --- sockets and poll(2) ---

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    reset(std::exchange(o.fd_, -1));
    return *this;
  }
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void reset(int fd = -1);

 private:
  int fd_;
};

// The poll(2) events a Pending operation waits for.
short events_for(Blocked reason);
bool set_nonblocking(int fd);
// Disables Nagle's algorithm: handshake flights and echoes are small writes that must not
// wait for the peer's delayed ACK.
void set_nodelay(int fd);
// A non-blocking listening socket bound to host:port; invalid after printing an error.
UniqueFd listen_on(const std::string& host, uint16_t port);
// The port a bound socket ended up on (for port 0).
std::optional<uint16_t> local_port(int fd);
// A blocking connect to host:port; the socket stays blocking. Invalid after printing an error.
UniqueFd connect_to(const std::string& host, uint16_t port);

}  // namespace snr::tools
