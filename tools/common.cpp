#include "common.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

#include "snr/cert_chain.hpp"
#include "snr/enums.hpp"
#include "snr/security.hpp"

namespace snr::tools {

void print_error(const Error& err) {
  std::string line = "error: ";
  line += err.name();
  line += ": ";
  line += err.message();
  if (err.alert()) line += " (alert: " + std::to_string(*err.alert()) + ")";
  // The table's text for I/O errors says "check system errno": show it.
  if (err.kind() == ErrorKind::IOError && err.io_errno() != 0) {
    line += " (errno: ";
    line += std::strerror(err.io_errno());
    line += ")";
  }
  line += '\n';
  // One write per line so that lines never interleave with other output.
  std::fputs(line.c_str(), stderr);
}

void print_error(std::string_view name, std::string_view message) {
  std::string line = "error: ";
  line += name;
  line += ": ";
  line += message;
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

void print_errno(std::string_view what) {
  const int saved = errno;
  std::string message(what);
  message += ": ";
  message += std::strerror(saved);
  print_error("system", message);
}

bool check(const Status& st) {
  if (!st) print_error(st.error());
  return st.ok();
}

std::optional<std::string> ArgReader::value(std::string_view name) {
  if (done()) {
    print_error("usage", std::string("option ") + std::string(name) + " needs a value");
    return std::nullopt;
  }
  return std::string(next());
}

bool ArgReader::take(std::string_view name, std::optional<std::string>& slot) {
  std::optional<std::string> v = value(name);
  if (!v) return false;
  slot = std::move(v);
  return true;
}

bool ArgReader::take(std::string_view name, std::vector<std::string>& slots) {
  std::optional<std::string> v = value(name);
  if (!v) return false;
  slots.push_back(std::move(*v));
  return true;
}

std::optional<uint16_t> parse_port(std::string_view text, bool allow_zero) {
  unsigned port = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, port);
  if (text.empty() || ec != std::errc() || ptr != end || port > 65535 ||
      (port == 0 && !allow_zero)) {
    print_error("usage", "invalid port '" + std::string(text) + "'");
    return std::nullopt;
  }
  return static_cast<uint16_t>(port);
}

std::optional<std::string> read_file(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"),
                                             [](FILE* f) { return std::fclose(f); });
  if (!file) {
    print_errno("cannot open " + path);
    return std::nullopt;
  }
  std::string contents;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), file.get())) > 0) contents.append(buf, n);
  if (std::ferror(file.get())) {
    print_errno("cannot read " + path);
    return std::nullopt;
  }
  return contents;
}

namespace {

// Key-log files hold traffic secrets, so they are created readable by the owner only.
std::shared_ptr<FILE> open_key_log(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  FILE* file = ::fdopen(fd, "a");
  if (file == nullptr) {
    ::close(fd);
    return nullptr;
  }
  return std::shared_ptr<FILE>(file, [](FILE* f) { std::fclose(f); });
}

bool install_key_log(Config::Builder& builder, const std::optional<std::string>& keylog_path) {
  std::string path;
  if (keylog_path) {
    path = *keylog_path;
  } else if (const char* env = std::getenv("SSLKEYLOGFILE"); env != nullptr && *env != '\0') {
    path = env;
  } else {
    return true;
  }
  std::shared_ptr<FILE> file = open_key_log(path);
  if (!file) {
    print_errno("cannot open key log " + path);
    return false;
  }
  return check(builder.set_key_log_callback([file](const Connection&, std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    std::fprintf(file.get(), "%.*s\n", static_cast<int>(line.size()), line.data());
    // Flushed per line so that a capture tool sees the secrets while the connection runs.
    std::fflush(file.get());
  }));
}

}  // namespace

bool configure_common(Config::Builder& builder, const std::optional<std::string>& policy,
                      const std::optional<std::string>& keylog_path,
                      const std::optional<std::string>& alpn) {
  if (alpn) {
    std::string_view rest = *alpn;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      if (!check(builder.append_application_protocol_preference(rest.substr(0, comma))))
        return false;
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  if (policy) {
    Result<Policy> p = Policy::from_version(*policy);
    if (!p) {
      print_error(p.error());
      return false;
    }
    if (!check(builder.set_security_policy(*p))) return false;
  }
  return install_key_log(builder, keylog_path);
}

std::optional<Psk> parse_psk(std::string_view spec) {
  const size_t colon = spec.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    print_error("usage", "--psk takes IDENTITY:HEXKEY[:sha384]");
    return std::nullopt;
  }
  const std::string_view identity = spec.substr(0, colon);
  std::string_view hex = spec.substr(colon + 1);
  PskHmac hmac = PskHmac::SHA256;
  if (const size_t c2 = hex.find(':'); c2 != std::string_view::npos) {
    if (hex.substr(c2 + 1) != "sha384" && hex.substr(c2 + 1) != "sha256") {
      print_error("usage", "--psk: the hash is sha256 or sha384");
      return std::nullopt;
    }
    if (hex.substr(c2 + 1) == "sha384") hmac = PskHmac::SHA384;
    hex = hex.substr(0, c2);
  }
  std::vector<uint8_t> key;
  const auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    const int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) break;
    key.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  if (key.size() * 2 != hex.size()) {
    print_error("usage", "--psk: the key must be hex digits");
    return std::nullopt;
  }
  Psk::Builder b = Psk::builder();
  const auto* id = reinterpret_cast<const uint8_t*>(identity.data());
  if (!check(b.set_identity(std::span<const uint8_t>(id, identity.size()))) ||
      !check(b.set_secret(key)) || !check(b.set_hmac(hmac)))
    return std::nullopt;
  Result<Psk> psk = b.build();
  if (!psk) {
    print_error(psk.error());
    return std::nullopt;
  }
  return *psk;
}

std::optional<ClientAuthType> parse_client_auth(std::string_view text) {
  if (text == "none") return ClientAuthType::None;
  if (text == "optional") return ClientAuthType::Optional;
  if (text == "required") return ClientAuthType::Required;
  print_error("usage", "--client-auth takes none, optional or required");
  return std::nullopt;
}

std::optional<BlindingChoice> parse_blinding(std::string_view text) {
  if (text == "off") return BlindingChoice::Off;
  if (text == "builtin") return BlindingChoice::BuiltIn;
  if (text == "self-service") return BlindingChoice::SelfService;
  print_error("usage", "--blinding takes builtin, self-service or off");
  return std::nullopt;
}

bool configure_blinding(Config::Builder& builder, BlindingChoice choice) {
  if (choice != BlindingChoice::Off) return true;
  return check(builder.set_max_blinding_delay(std::chrono::seconds(0)));
}

bool apply_blinding(Connection& conn, BlindingChoice choice) {
  return check(conn.set_blinding(choice == BlindingChoice::SelfService ? Blinding::SelfService
                                                                       : Blinding::BuiltIn));
}

BlindingWait::~BlindingWait() { std::this_thread::sleep_for(conn.remaining_blinding_delay()); }

std::string format_summary(const Connection& conn) {
  const auto text = [](const Result<std::string_view>& r) {
    return r.ok() ? std::string(*r) : std::string("NONE");
  };
  const auto optional_text = [](std::optional<std::string_view> v) {
    return v ? std::string(*v) : std::string("NONE");
  };
  const Result<Version> version = conn.actual_protocol_version();
  std::string peer = "NONE";
  if (Result<CertificateChain> chain = conn.peer_cert_chain(); chain.ok() && !chain->is_empty()) {
    peer = (*chain)[0].subject();
  }
  std::string out;
  const auto line = [&out](std::string_view key, const std::string& value) {
    out += key;
    out += ": ";
    out += value;
    out += '\n';
  };
  line("version", version.ok() ? std::string(to_string(*version)) : std::string("NONE"));
  line("cipher_suite", text(conn.cipher_suite()));
  line("group", text(conn.selected_curve()));
  line("signature_scheme", optional_text(conn.signature_scheme()));
  line("alpn", optional_text(conn.application_protocol()));
  line("handshake_type", text(conn.handshake_type()));
  line("resumed", conn.resumed() ? "yes" : "no");
  static constexpr const char* kEarly[] = {"NOT_REQUESTED", "REQUESTED", "ACCEPTED", "REJECTED"};
  line("early_data", kEarly[static_cast<int>(conn.early_data_status())]);
  line("server_name", optional_text(conn.server_name()));
  line("peer_certificate", peer);
  // The client certificate's subject when client authentication happened (the server's
  // peer, the client's own chain), else NONE.
  std::string client_cert = "NONE";
  if (conn.client_cert_used()) {
    if (conn.mode() == Mode::Server) {
      client_cert = peer;
    } else if (const CertificateChain* mine = conn.selected_cert(); mine && !mine->is_empty()) {
      client_cert = (*mine)[0].subject();
    }
  }
  line("client_certificate", client_cert);
  return out;
}

void print_summary(const Connection& conn) {
  const std::string summary = format_summary(conn);
  std::fwrite(summary.data(), 1, summary.size(), stderr);
  std::fflush(stderr);
}

short events_for(Blocked reason) {
  // Only read and write blocking can occur: the tools register no async callbacks.
  return reason == Blocked::OnWrite ? POLLOUT : POLLIN;
}

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

bool set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

void set_nodelay(int fd) {
  const int one = 1;
  // Best effort: a socket without it still works, only slower.
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

namespace {

using AddrInfoPtr = std::unique_ptr<addrinfo, void (*)(addrinfo*)>;

AddrInfoPtr resolve(const std::string& host, uint16_t port, int flags) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags | AI_NUMERICSERV;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
  if (rc != 0) {
    print_error("system", "cannot resolve " + host + ": " + ::gai_strerror(rc));
    return AddrInfoPtr(nullptr, ::freeaddrinfo);
  }
  return AddrInfoPtr(list, ::freeaddrinfo);
}

std::string endpoint(const std::string& host, uint16_t port) {
  return host + ":" + std::to_string(port);
}

}  // namespace

UniqueFd listen_on(const std::string& host, uint16_t port) {
  AddrInfoPtr list = resolve(host, port, AI_PASSIVE);
  if (!list) return UniqueFd();
  int saved_errno = 0;
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd.valid()) {
      saved_errno = errno;
      continue;
    }
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd.get(), SOMAXCONN) == 0 &&
        set_nonblocking(fd.get())) {
      return fd;
    }
    saved_errno = errno;
  }
  errno = saved_errno;
  print_errno("cannot listen on " + endpoint(host, port));
  return UniqueFd();
}

std::optional<uint16_t> local_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    print_errno("getsockname");
    return std::nullopt;
  }
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  }
  print_error("system", "unexpected address family of the listening socket");
  return std::nullopt;
}

UniqueFd connect_to(const std::string& host, uint16_t port) {
  AddrInfoPtr list = resolve(host, port, 0);
  if (!list) return UniqueFd();
  int saved_errno = 0;
  for (const addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd.valid()) {
      saved_errno = errno;
      continue;
    }
    // No signal handlers are installed, so a blocking connect is not interrupted (EINTR).
    if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) == 0) {
      set_nodelay(fd.get());
      return fd;
    }
    saved_errno = errno;
  }
  errno = saved_errno;
  print_errno("cannot connect to " + endpoint(host, port));
  return UniqueFd();
}

}  // namespace snr::tools
