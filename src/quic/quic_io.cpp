#include "quic/quic_io.hpp"

#include <cerrno>
#include <cstring>

#include "util/error_code.hpp"

namespace snr {

std::string_view to_string(QuicLevel level) {
  switch (level) {
    case QuicLevel::Initial:
      return "initial";
    case QuicLevel::EarlyData:
      return "early_data";
    case QuicLevel::Handshake:
      return "handshake";
    case QuicLevel::Application:
      return "application";
  }
  return "unknown";
}

namespace quic {

std::optional<SecretType> secret_type(std::string_view label) {
  struct Name {
    std::string_view label;
    SecretType type;
  };
  static constexpr Name kNames[] = {
      {"CLIENT_EARLY_TRAFFIC_SECRET", SecretType::ClientEarlyTraffic},
      {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", SecretType::ClientHandshakeTraffic},
      {"SERVER_HANDSHAKE_TRAFFIC_SECRET", SecretType::ServerHandshakeTraffic},
      {"CLIENT_TRAFFIC_SECRET_0", SecretType::ClientApplicationTraffic},
      {"SERVER_TRAFFIC_SECRET_0", SecretType::ServerApplicationTraffic},
      {"EXPORTER_SECRET", SecretType::Exporter},
  };
  for (const Name& n : kNames)
    if (n.label == label) return n.type;
  return std::nullopt;
}

QuicLevel level_of(SecretType type) {
  switch (type) {
    case SecretType::ClientEarlyTraffic:
      return QuicLevel::EarlyData;
    case SecretType::ClientHandshakeTraffic:
    case SecretType::ServerHandshakeTraffic:
      return QuicLevel::Handshake;
    case SecretType::ClientApplicationTraffic:
    case SecretType::ServerApplicationTraffic:
    case SecretType::Exporter:
      break;
  }
  return QuicLevel::Application;
}

void QuicIo::on_secret(std::string_view label, ByteView secret) {
  const std::optional<SecretType> type = secret_type(label);
  if (!type || failure_) return;
  if (*type != SecretType::Exporter) derived_[static_cast<size_t>(*type)] = SecureBytes(secret);
  // A server may still refuse the early data it derived this key for: the QUIC layer gets it
  // only once it is installed (accepted), so that rejected 0-RTT packets stay unreadable.
  if (*type == SecretType::ClientEarlyTraffic && mode_ == Mode::Server) return;
  Status s = deliver(*type, secret);
  if (!s.ok()) failure_ = std::move(s).error();
}

Status QuicIo::deliver(SecretType type, ByteView secret) {
  if (!secret_cb) return {};
  // The callback gets a copy that is wiped when it returns, whatever it did with it.
  SecureBytes copy(secret);
  const int rc = secret_cb(type, copy.view());
  SNR_ENSURE(rc == 0, Err::QUIC_SECRET_CALLBACK);
  return {};
}

Result<QuicLevel> QuicIo::level_for(ByteView secret) {
  for (size_t i = 0; i < derived_.size(); ++i) {
    SecureBytes& d = derived_[i];
    if (d.size() == 0 || d.size() != secret.size() || !ct_equal(d.view(), secret)) continue;
    d.wipe();
    const auto type = static_cast<SecretType>(i);
    if (type == SecretType::ClientEarlyTraffic && mode_ == Mode::Server)
      SNR_TRY(deliver(type, secret));
    return level_of(type);
  }
  return make_error(Err::INTERNAL, "QUIC: a key was installed from an unknown secret");
}

Poll<void> QuicIo::flush() {
  while (!out_.empty()) {
    Chunk& c = out_.front();
    if (level_out) {
      level_out(c.level, ByteView(c.data).subspan(c.sent));
      out_.pop_front();
      continue;
    }
    if (!write_bytes) return make_error(Err::NO_IO);
    giving_ = c.level;
    errno = 0;
    const ByteView rest = ByteView(c.data).subspan(c.sent);
    const int n = write_bytes(rest.data(), rest.size());
    giving_.reset();
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Pending{Blocked::OnWrite};
      if (errno == 0) return make_error(Err::NO_IO);
      return make_error(Err::IO, std::strerror(errno)).with_errno(errno);
    }
    if (n == 0) return make_error(Err::IO, "send returned 0");
    c.sent += static_cast<size_t>(n);
    if (c.sent >= c.data.size()) out_.pop_front();
  }
  return Ready{};
}

Status QuicIo::send_message(ByteView message) {
  if (failure_) return *failure_;
  if (!out_.empty() && out_.back().level == write_level_ && out_.back().sent == 0) {
    Bytes& d = out_.back().data;
    d.insert(d.end(), message.begin(), message.end());
  } else {
    out_.push_back(Chunk{write_level_, Bytes(message.begin(), message.end())});
  }
  // Out at once, so that the bytes of a level reach the QUIC layer before the secrets of the
  // next (the order s2n's byte-callback users route by). A blocked callback keeps them queued.
  auto f = flush();
  if (f.is_error()) return f.error();
  return {};
}

Status QuicIo::send_change_cipher_spec() {
  // RFC 9001 8.4: no middlebox compatibility mode in QUIC.
  return make_error(Err::CCS_NOT_ALLOWED, "QUIC: no change_cipher_spec");
}

Status QuicIo::set_read_secret(const policy::CipherSuite&, ByteView secret) {
  if (failure_) return *failure_;
  // RFC 9001 4.1.3: bytes received at the old level must not run past the key change.
  SNR_ENSURE(input_ == nullptr || input_->empty(), Err::HANDSHAKE_MSG_SPANS_KEY_CHANGE);
  SNR_TRY_ASSIGN(read_level_, level_for(secret));
  return {};
}

Status QuicIo::set_write_secret(const policy::CipherSuite&, ByteView secret) {
  if (failure_) return *failure_;
  SNR_TRY_ASSIGN(write_level_, level_for(secret));
  return {};
}

Status QuicIo::set_read_keys12(const policy::CipherSuite&, Version, const keys::DirectionKeys&) {
  return make_error(Err::PROTOCOL_VERSION_UNSUPPORTED, "QUIC needs TLS 1.3");
}

Status QuicIo::set_write_keys12(const policy::CipherSuite&, Version, const keys::DirectionKeys&) {
  return make_error(Err::PROTOCOL_VERSION_UNSUPPORTED, "QUIC needs TLS 1.3");
}

Status QuicIo::clear_write_key() {
  // The client's second ClientHello after rejected 0-RTT goes at the Initial level again.
  write_level_ = QuicLevel::Initial;
  return {};
}

}  // namespace quic
}  // namespace snr
