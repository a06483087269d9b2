// Connection lifecycle: blinding (SPEC 6.1), wipe and buffer release (SPEC 6.6), corked I/O
// (SPEC 6.7), the send buffer, application contexts, the waker, and the one-line description.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <ostream>
#include <thread>

#include "core/connection_state.hpp"
#include "crypto/random.hpp"
#include "hs/config_data.hpp"
#include "util/error_code.hpp"

namespace snr {

namespace {
// s2n's smallest send buffer: one record of a small fragment with its overhead.
constexpr uint32_t kMinSendBufferSize = 1034;
constexpr uint64_t kNsPerSecond = 1'000'000'000;
}  // namespace

// --- Config::Builder ---

Status Config::Builder::set_max_blinding_delay(std::chrono::seconds max) {
  SNR_ENSURE(!built_ && data_, Err::INVALID_STATE);
  SNR_ENSURE(max.count() >= 0 && static_cast<uint64_t>(max.count()) <= UINT64_MAX / kNsPerSecond,
             Err::INVALID_ARGUMENT);
  const uint64_t max_ns = static_cast<uint64_t>(max.count()) * kNsPerSecond;
  data_->blinding_max_ns = max_ns;
  data_->blinding_min_ns = max_ns / 3;
  return {};
}

Status Config::Builder::set_send_buffer_size(uint32_t bytes) {
  SNR_ENSURE(!built_ && data_, Err::INVALID_STATE);
  SNR_ENSURE(bytes >= kMinSendBufferSize, Err::INVALID_ARGUMENT);
  data_->send_buffer_size = bytes;
  return {};
}

namespace detail {

namespace {
// SPEC 6.1: failures the peer can cause are blinded, so that their timing tells an attacker
// nothing (e.g. which check of a forged record failed). A few errors only close: they say
// nothing secret (no common cipher or version), or no peer caused them.
bool blinds(const Error& e) {
  switch (e.kind()) {
    case ErrorKind::Protocol:
    case ErrorKind::Alert:
    case ErrorKind::Internal:
      break;
    default:
      return false;
  }
  switch (err_of(e)) {
    case Err::CIPHER_NOT_SUPPORTED:
    case Err::PROTOCOL_VERSION_UNSUPPORTED:
      return false;
    default:
      return true;
  }
}

uint64_t random_below(uint64_t bound) {
  if (bound == 0) return 0;
  uint8_t b[8] = {};
  // Without randomness the delay is the longest one: never shorter than promised.
  if (!crypto::random_bytes(b).ok()) return bound - 1;
  uint64_t v = 0;
  for (uint8_t x : b) v = (v << 8) | x;
  return v % bound;
}

uint64_t monotonic(const std::optional<Config>& config) {
  static const ConfigData kNoConfig;
  return config ? config->data().monotonic_now() : kNoConfig.monotonic_now();
}
}  // namespace

void ConnectionState::after_failure(const Error& e) {
  if (corked) (void)set_cork(false);
  if (!blinds(e)) return;
  app_pending = {};
  rl.discard_input();
  Bytes().swap(hs_in);
  static const ConfigData kDefaults;
  const ConfigData& cfg = config ? config->data() : kDefaults;
  if (cfg.blinding_max_ns == 0) return;
  const uint64_t min = std::min(cfg.blinding_min_ns, cfg.blinding_max_ns);
  const uint64_t delay = min + random_below(cfg.blinding_max_ns - min + 1);
  // QUIC owns how a connection ends (SPEC 6.1: QUIC users run SelfService), so a QUIC
  // connection is never put to sleep.
  if (blinding == Blinding::BuiltIn && !quic_on()) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(delay));
    return;
  }
  blinding_until_ns = std::max<uint64_t>(monotonic(config) + delay, 1);
}

uint64_t ConnectionState::blinding_remaining_ns() const {
  if (blinding_until_ns == 0) return 0;
  const uint64_t now = monotonic(config);
  return now >= blinding_until_ns ? 0 : blinding_until_ns - now;
}

Status ConnectionState::set_cork(bool on) {
  if (!corked_io || corked == on || write_fd < 0 || send_fn || send_cb) return {};
  const int v = on ? 1 : 0;
  if (::setsockopt(write_fd, IPPROTO_TCP, TCP_CORK, &v, sizeof v) != 0) {
    // Pipes and non-TCP sockets have no cork: they are simply not corked.
    if (errno == ENOTSOCK || errno == EOPNOTSUPP || errno == ENOPROTOOPT) {
      corked_io = false;
      return {};
    }
    return make_error(Err::IO, std::strerror(errno)).with_errno(errno);
  }
  corked = on;
  return {};
}

Poll<void> ConnectionState::uncork(Poll<void> p) {
  if (Status s = set_cork(false); !s.ok()) return fail(std::move(s).error());
  return p;
}

size_t ConnectionState::send_limit() const {
  const uint32_t n =
      send_buffer_size.value_or(config ? config->data().send_buffer_size : uint32_t{0});
  return n == 0 ? SIZE_MAX : n;
}

size_t ConnectionState::fragment_cap() const {
  const size_t limit = send_limit();
  const record::Protection* p = rl.write_protection();
  if (limit == SIZE_MAX || p == nullptr) return max_fragment;
  const size_t overhead = record::kHeaderSize + p->max_overhead();
  if (limit <= overhead) return max_fragment;
  return std::max<size_t>(1, std::min(max_fragment, limit - overhead));
}

}  // namespace detail

// --- Connection ---

Status Connection::set_blinding(Blinding blinding) {
  SNR_ENSURE(blinding == Blinding::BuiltIn || blinding == Blinding::SelfService,
             Err::INVALID_ARGUMENT);
  s_->blinding = blinding;
  return {};
}

std::chrono::nanoseconds Connection::remaining_blinding_delay() const {
  return std::chrono::nanoseconds(static_cast<int64_t>(s_->blinding_remaining_ns()));
}

Status Connection::wipe() {
  // The fd belongs to the application: it is not left corked.
  if (s_->corked) (void)s_->set_cork(false);
  std::optional<Config> config = std::move(s_->config);
  const Mode mode = s_->mode;
  // Rebuilt in place, so that a pooled connection costs no new allocation of its state; the
  // old state's SecureBytes wipe the secrets as it is destroyed.
  detail::ConnectionState* s = s_.get();
  std::destroy_at(s);
  std::construct_at(s, mode);
  s->config = std::move(config);
  s->owner = this;
  return {};
}

Status Connection::release_buffers() {
  detail::ConnectionState& s = *s_;
  SNR_ENSURE(s.rl.output_empty() && s.hs_out.empty(), Err::INVALID_STATE);
  SNR_ENSURE(s.rl.input_empty() && s.app_pending.empty(), Err::INVALID_STATE);
  s.rl.release_output();
  s.rl.release_input();
  s.rl.release_crypto();
  if (s.hs_in.empty()) Bytes().swap(s.hs_in);
  return {};
}

Status Connection::use_corked_io() {
  // Only the library's own fd I/O can be corked (s2n: managed send I/O).
  SNR_ENSURE(s_->write_fd >= 0 && !s_->send_fn && !s_->send_cb, Err::INVALID_STATE);
  s_->corked_io = true;
  return {};
}

Status Connection::set_send_buffer_size(uint32_t bytes) {
  SNR_ENSURE(bytes >= kMinSendBufferSize, Err::INVALID_ARGUMENT);
  s_->send_buffer_size = bytes;
  return {};
}

void Connection::set_context(const void* tag, ContextPtr value) {
  for (auto& c : s_->app_contexts) {
    if (c.tag == tag) {
      c.value = std::move(value);
      return;
    }
  }
  s_->app_contexts.push_back(detail::ConnectionState::AppContext{tag, std::move(value)});
}

void* Connection::context(const void* tag) const {
  for (const auto& c : s_->app_contexts)
    if (c.tag == tag) return c.value.get();
  return nullptr;
}

Connection::ContextPtr Connection::take_context(const void* tag) {
  auto& list = s_->app_contexts;
  for (auto it = list.begin(); it != list.end(); ++it) {
    if (it->tag == tag) {
      ContextPtr p = std::move(it->value);
      list.erase(it);
      return p;
    }
  }
  return ContextPtr(nullptr, [](void*) {});
}

Status Connection::set_waker(Waker waker) {
  s_->waker = std::move(waker);
  return {};
}

const Waker* Connection::waker() const { return s_->waker ? &s_->waker : nullptr; }

std::ostream& operator<<(std::ostream& os, const Connection& conn) {
  auto text = [](const Result<std::string_view>& r) {
    return r.ok() ? std::string(*r) : std::string("?");
  };
  const Result<Version> v = conn.actual_protocol_version();
  os << "Connection { mode: " << (conn.mode() == Mode::Client ? "Client" : "Server")
     << ", handshake_type: " << text(conn.handshake_type())
     << ", cipher_suite: " << text(conn.cipher_suite())
     << ", version: " << (v.ok() ? to_string(*v) : std::string_view("none"))
     << ", group: " << text(conn.selected_curve()) << " }";
  return os;
}

}  // namespace snr
