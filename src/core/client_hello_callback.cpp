// The server's client hello callback (SPEC 1, 3): run once on the first ClientHello, before
// the hello step chooses version, suite and certificate; sync, pending (completed with
// client_hello_callback_done) or a ConnectionFuture polled by poll_negotiate. The callback may
// swap the config and ask for the server_name acknowledgement (RFC 6066 3).
#include "core/connection_state.hpp"
#include "util/error_code.hpp"
#include "util/hex.hpp"

namespace snr::detail {

Poll<void> ConnectionState::await_application() {
  // Nothing would tell the application when to poll again: refuse to pend (the connection
  // stays usable; it can set a waker and poll).
  if (!waker) return make_error(Err::MISSING_WAKER);
  return Pending{Blocked::OnApplicationInput};
}

Poll<void> ConnectionState::client_hello_callback() {
  if (hello_cb == HelloCb::NotRun) {
    const ClientHelloCallback* cb = config ? &config->data().client_hello_cb : nullptr;
    // A hello the public parser refused is left for the step to reject: the callback would
    // have nothing to read.
    if (!cb || !*cb || !client_hello) {
      hello_cb = HelloCb::Done;
      return Ready{};
    }
    // The name is readable from the callback (the hello step records it again later).
    neg.server_name = std::string(client_hello->server_name());
    hello_cb = HelloCb::Running;
    // Copied: the callback may replace the config that holds it.
    const ClientHelloCallback run = *cb;
    ClientHelloResult res = run(*owner);
    switch (res.kind()) {
      case ClientHelloResult::Kind::Done:
        hello_cb = HelloCb::Done;
        return Ready{};
      case ClientHelloResult::Kind::Fail:
        hello_cb = HelloCb::Done;
        return make_error(Err::CLIENT_HELLO_CANCELLED, res.reason());
      case ClientHelloResult::Kind::Pending:
        hello_cb = HelloCb::Pending;
        return Pending{Blocked::OnApplicationInput};
      case ClientHelloResult::Kind::Future:
        hello_cb = HelloCb::Pending;
        hello_future = res.take_future();
        break;  // polled at once (SPEC 3)
    }
  }
  if (hello_cb == HelloCb::Done) return Ready{};
  // Simple form: client_hello_callback_done() moves it to Done.
  if (!hello_future) return Pending{Blocked::OnApplicationInput};
  // The future must be able to wake us before it is worth polling (SPEC 3: MissingWaker).
  if (!waker) return Pending{Blocked::OnApplicationInput};
  Poll<void> p = hello_future->poll(*owner);
  if (p.is_pending()) return Pending{Blocked::OnApplicationInput};
  hello_future.reset();
  hello_cb = HelloCb::Done;
  if (p.is_error()) {
    const Error& e = p.error();
    // An application error carries no alert of its own: the peer still learns that the
    // handshake failed.
    if (alert_for(err_of(e)) < 0) return make_error(Err::CLIENT_HELLO_CANCELLED, e.message());
    return e;
  }
  return Ready{};
}

Status ConnectionState::replace_config(Config next) {
  SNR_ENSURE(mode == Mode::Server && hs && !failed, Err::INVALID_STATE);
  // QUIC mode is fixed once the handshake started (its I/O is already wired).
  const bool quic_conn = quic && quic->enabled;
  SNR_ENSURE((quic_conn || next.data().quic) == quic_on(), Err::INVALID_STATE);
  // A server needs something to authenticate with (as start_handshake checks).
  SNR_ENSURE(next.data().has_cert() || !psks.empty(), Err::NO_CERTIFICATE);
  // The first config stays alive until the connection is wiped or freed: the handshake
  // may still hold pointers into it (a later replacement is only reachable via `config`).
  if (!replaced_config) {
    replaced_config = std::move(config);
  }
  config = std::move(next);
  // The hello step has not run: whatever it reads from the settings now follows the new
  // config (certificate, policy, ALPN, client auth, early data).
  const ConfigData& d = config->data();
  hs::Settings& s = hs->settings;
  s.config = &d;
  s.policy = &policy();
  if (!verify_host) s.verify_host = &d.verify_host;
  s.client_auth = client_auth_type(*this);
  if (!alpn) s.alpn = &d.alpn;
  s.max_early_data = max_early_data.value_or(d.max_early_data);
  hs->cert = d.cert ? &*d.cert : nullptr;
  // The key log follows the config too (the hook reads the config it writes to).
  install_key_log(s);
  return {};
}

}  // namespace snr::detail

namespace snr {

Status Connection::client_hello_callback_done() {
  detail::ConnectionState& s = *s_;
  // Only the simple form waits for this call; a future completes itself.
  SNR_ENSURE(s.hello_cb == detail::ConnectionState::HelloCb::Pending && !s.hello_future,
             Err::INVALID_STATE);
  s.hello_cb = detail::ConnectionState::HelloCb::Done;
  if (s.waker) s.waker();
  return {};
}

Status Connection::server_name_extension_used() {
  detail::ConnectionState& s = *s_;
  SNR_ENSURE(s.mode == Mode::Server && s.in_client_hello_callback() && s.hs, Err::INVALID_STATE);
  s.server_name_used = true;
  s.hs->settings.server_name_used = true;
  return {};
}

}  // namespace snr
