// QUIC mode's handshake sink (RFC 9001 4): the second hs::HandshakeIo beside the record
// layer. Steps write the same whole messages; here they leave as plaintext tagged with their
// encryption level, and installed secrets move the levels instead of creating record keys.
#pragma once

#include <array>
#include <deque>
#include <functional>
#include <optional>
#include <string_view>

#include "hs/handshake.hpp"
#include "snr/poll.hpp"
#include "snr/quic.hpp"
#include "util/bytes.hpp"

namespace snr::quic {

// The type of the secret the key schedule logs under an NSS key-log label, if it is one the
// QUIC layer gets.
std::optional<SecretType> secret_type(std::string_view key_log_label);
// The level whose keys a secret makes.
QuicLevel level_of(SecretType type);

class QuicIo final : public hs::HandshakeIo {
 public:
  explicit QuicIo(Mode mode) : mode_(mode) {}

  // --- what the application set (Connection's QUIC calls) ---
  bool enabled = false;
  Bytes local_params;                // our quic_transport_parameters
  std::optional<Bytes> peer_params;  // the peer's, once received
  SecretCallback secret_cb;
  QuicSendFunction level_out;  // per-level output; unset: the connection's send callback
  // Writes bytes with s2n's callback contract (-1 and errno EAGAIN: would block). Set by the
  // connection; used when level_out is unset.
  std::function<int(const uint8_t* buf, size_t len)> write_bytes;

  // A secret the key schedule derived (hs::Settings::on_secret), with its key-log label.
  void on_secret(std::string_view label, ByteView secret);

  // The level the connection expects its next handshake bytes at.
  QuicLevel read_level() const { return read_level_; }
  // The level of the bytes being handed to the send callback (during the call), else the
  // level new handshake messages are written at.
  QuicLevel write_level() const { return giving_.value_or(write_level_); }
  // Handshake bytes received but not yet a whole message (checked at a key change).
  void set_input(const Bytes* pending) { input_ = pending; }
  // A failure of the secret callback (sticky: the handshake must not go on).
  const std::optional<Error>& failure() const { return failure_; }

  // Hands queued messages out, in order. Pending(OnWrite) when the send callback would block.
  Poll<void> flush();
  bool output_empty() const { return out_.empty(); }

  // --- hs::HandshakeIo ---
  Status send_message(ByteView message) override;
  Status send_change_cipher_spec() override;
  Status set_read_secret(const policy::CipherSuite& suite, ByteView secret) override;
  Status set_write_secret(const policy::CipherSuite& suite, ByteView secret) override;
  Status set_read_keys12(const policy::CipherSuite& suite, Version version,
                         const keys::DirectionKeys& keys) override;
  Status set_write_keys12(const policy::CipherSuite& suite, Version version,
                          const keys::DirectionKeys& keys) override;
  void version_known(uint16_t) override {}
  // QUIC carries 0-RTT data itself: nothing to do here.
  void set_early_data(hs::EarlyMode, uint32_t) override {}
  Status clear_write_key() override;

 private:
  struct Chunk {
    QuicLevel level;
    Bytes data;
    size_t sent = 0;
  };
  // The level `secret` opens, recognised among the derived secrets (the steps install keys
  // without naming them); its copy is wiped once matched.
  Result<QuicLevel> level_for(ByteView secret);
  Status deliver(SecretType type, ByteView secret);

  Mode mode_;
  QuicLevel read_level_ = QuicLevel::Initial;
  QuicLevel write_level_ = QuicLevel::Initial;
  std::optional<QuicLevel> giving_;
  std::deque<Chunk> out_;
  const Bytes* input_ = nullptr;
  std::array<SecureBytes, 6> derived_;  // by SecretType, until installed
  std::optional<Error> failure_;
};

}  // namespace snr::quic
