// QUIC mode (SPEC 6.18, RFC 9001): the Connection and Config calls, and the connection's
// side of the QUIC sink (src/quic/): where handshake bytes come from and where secrets go.
#include <cerrno>
#include <cstring>

#include "core/connection_state.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"

namespace snr {

using detail::ConnectionState;

Status Config::Builder::enable_quic() {
  SNR_ENSURE(!built_ && data_, Err::INVALID_STATE);
  data_->quic = true;
  return {};
}

Status Connection::enable_quic() {
  SNR_ENSURE(!s_->hs && !s_->complete && !s_->failed, Err::INVALID_STATE);
  s_->quic_state().enabled = true;
  return {};
}

bool Connection::is_quic_enabled() const { return s_->quic_on(); }

Status Connection::set_quic_transport_parameters(std::span<const uint8_t> params) {
  SNR_ENSURE(!s_->hs && !s_->complete, Err::INVALID_STATE);
  // The extension's data has a 16-bit length.
  SNR_ENSURE(params.size() <= 0xffff, Err::QUIC_TRANSPORT_PARAMS_TOO_LARGE);
  s_->quic_state().local_params.assign(params.begin(), params.end());
  return {};
}

std::span<const uint8_t> Connection::quic_transport_parameters() const {
  if (!s_->neg.quic_transport_params) return {};
  return *s_->neg.quic_transport_params;
}

Status Connection::set_secret_callback(SecretCallback cb) {
  s_->quic_state().secret_cb = std::move(cb);
  return {};
}

Status Connection::set_secret_callback(SecretCallbackFn cb, void* ctx) {
  if (cb == nullptr) return set_secret_callback(SecretCallback());
  // The state outlives moves of the Connection; owner follows them.
  ConnectionState* st = s_.get();
  return set_secret_callback([st, cb, ctx](SecretType type, std::span<const uint8_t> secret) {
    return cb(ctx, st->owner, type, secret.data(), static_cast<uint8_t>(secret.size()));
  });
}

Poll<void> Connection::quic_process_post_handshake_message() {
  ConnectionState& s = *s_;
  if (s.failed) return *s.failed;
  SNR_ENSURE(s.quic_on(), Err::INVALID_STATE);
  SNR_ENSURE(s.complete, Err::NOT_NEGOTIATED);
  return s.quic_post_handshake();
}

QuicLevel Connection::quic_read_level() const {
  return s_->quic ? s_->quic->read_level() : QuicLevel::Initial;
}

QuicLevel Connection::quic_write_level() const {
  return s_->quic ? s_->quic->write_level() : QuicLevel::Initial;
}

Status Connection::quic_provide_data(QuicLevel level, std::span<const uint8_t> data) {
  return s_->quic_provide(level, data);
}

Status Connection::set_quic_send_function(QuicSendFunction fn) {
  s_->quic_state().level_out = std::move(fn);
  return {};
}

namespace detail {

bool ConnectionState::quic_on() const {
  return (quic && quic->enabled) || (config && config->data().quic);
}

quic::QuicIo& ConnectionState::quic_state() {
  if (!quic) quic = std::make_unique<quic::QuicIo>(mode);
  return *quic;
}

void ConnectionState::quic_configure(hs::Settings& s) {
  quic::QuicIo& q = quic_state();
  q.enabled = true;
  q.write_bytes = [this](const uint8_t* buf, size_t len) { return io_send(buf, len); };
  q.set_input(&hs_in);
  s.quic = true;
  s.quic_transport_params = q.local_params;
  s.on_secret = [&q](std::string_view label, ByteView secret) { q.on_secret(label, secret); };
  // QUIC has no early-data calls on the connection: a client offers 0-RTT whenever the
  // session it resumes allows it, and the QUIC layer sends the data with the early secret.
  if (mode == Mode::Client && session_in) s.send_early_data = true;
}

Poll<void> ConnectionState::quic_read() {
  if (!recv_fn && !recv_cb && read_fd < 0) return Pending{Blocked::OnRead};
  // Only the missing part of one message: the bytes after it may belong to the next level,
  // which the connection has no keys for yet.
  size_t want = 4 - std::min<size_t>(hs_in.size(), 4);
  if (want == 0) {
    wire::Reader r(hs_in);
    uint8_t type = 0;
    uint32_t len = 0;
    if (!r.u8(type) || !r.u24(len)) return make_error(Err::INTERNAL);
    want = 4 + size_t{len} - hs_in.size();
  }
  const size_t old = hs_in.size();
  hs_in.resize(old + want);
  errno = 0;
  const int n = io_recv(hs_in.data() + old, want);
  hs_in.resize(old + static_cast<size_t>(std::max(n, 0)));
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return Pending{Blocked::OnRead};
    return make_error(Err::IO, std::strerror(errno)).with_errno(errno);
  }
  if (n == 0) return make_error(Err::CLOSED, "the QUIC layer closed the handshake stream");
  return Ready{};
}

Status ConnectionState::quic_provide(QuicLevel level, ByteView data) {
  if (failed) return *failed;
  SNR_ENSURE(quic_on(), Err::INVALID_STATE);
  const QuicLevel expected = quic ? quic->read_level() : QuicLevel::Initial;
  if (level != expected)
    return fail(make_error(Err::QUIC_WRONG_LEVEL, "got " + std::string(to_string(level)) +
                                                      " data, expected " +
                                                      std::string(to_string(expected))));
  hs_in.insert(hs_in.end(), data.begin(), data.end());
  // The next message's length is checked as soon as its header is here, before its bytes
  // are waited for (the messages before it were taken by earlier polls).
  wire::Reader r(hs_in);
  uint8_t type = 0;
  uint32_t len = 0;
  if (r.u8(type) && r.u24(len) && len > limits().max_handshake_message)
    return fail(make_error(Err::MAX_HANDSHAKE_MESSAGE_SIZE));
  return {};
}

Poll<void> ConnectionState::quic_post_handshake() {
  auto m = next_handshake_message();
  if (m.is_pending()) return Pending{m.blocked()};
  if (m.is_error()) return fail(m.error());
  const hs::InMessage& in = m.value();
  // RFC 9001 6: "Endpoints MUST treat the receipt of a TLS KeyUpdate message as a connection
  // error of type 0x010a, equivalent to a fatal TLS alert of unexpected_message".
  if (in.type == msg::HandshakeType::key_update)
    return fail(make_error(Err::KEY_UPDATE, "KeyUpdate in QUIC mode"));
  const size_t used = in.whole.size();
  Status s = on_post_handshake(in);
  if (!s.ok()) return fail(std::move(s).error());
  hs_in.erase(hs_in.begin(), hs_in.begin() + static_cast<std::ptrdiff_t>(used));
  return Ready{};
}

}  // namespace detail
}  // namespace snr
