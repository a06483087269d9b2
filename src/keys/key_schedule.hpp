// The TLS 1.3 key schedule (RFC 8446 7.1), staged: early -> handshake -> master. Each stage
// derives its traffic secrets from the transcript hash at the point the RFC names.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::keys {

// HKDF-Expand-Label(Secret, Label, Context, Length), the "tls13 " prefix added here.
Status hkdf_expand_label(crypto::HashAlg alg, ByteView secret, std::string_view label,
                         ByteView context, MutByteView out);
// The same with the secret as an HMAC key already set up, for a secret expanded more than once.
Status hkdf_expand_label(crypto::Hmac& secret, std::string_view label, ByteView context,
                         MutByteView out);
// Derive-Secret(Secret, Label, Messages) with the transcript hash already computed.
Result<crypto::Digest> derive_secret(crypto::HashAlg alg, ByteView secret, std::string_view label,
                                     ByteView transcript_hash);
Result<crypto::Digest> derive_secret(crypto::Hmac& secret, std::string_view label,
                                     ByteView transcript_hash);

// A traffic key and IV for one direction (RFC 8446 7.3).
struct TrafficKey {
  std::array<uint8_t, 32> key_bytes{};  // inline: every key change derives one
  size_t key_len = 0;
  std::array<uint8_t, crypto::kAeadNonceSize> iv{};
  ByteView key() const { return ByteView(key_bytes.data(), key_len); }
  ~TrafficKey() {
    secure_wipe(key_bytes.data(), key_bytes.size());
    secure_wipe(iv.data(), iv.size());
  }
};
Result<TrafficKey> traffic_key(crypto::HashAlg hash, crypto::AeadAlg aead, ByteView secret);
// application_traffic_secret_N+1 (RFC 8446 7.2).
Result<crypto::Digest> next_traffic_secret(crypto::HashAlg alg, ByteView secret);
// Finished verify_data = HMAC(finished_key(base_key), transcript_hash) (RFC 8446 4.4.4).
Result<crypto::Digest> finished_verify_data(crypto::HashAlg alg, ByteView base_key,
                                            ByteView transcript_hash);

// The PSK a NewSessionTicket stands for (RFC 8446 4.6.1):
// HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, Hash.length).
Result<crypto::Digest> resumption_psk(crypto::HashAlg alg, ByteView resumption_master_secret,
                                      ByteView ticket_nonce);

class KeySchedule {
 public:
  explicit KeySchedule(crypto::HashAlg alg) : alg_(alg) {}
  crypto::HashAlg alg() const { return alg_; }

  // Early Secret = HKDF-Extract(0, PSK or zeros).
  Status early(ByteView psk);
  // After early(): the PSK binder key (RFC 8446 7.1; "ext binder" for external PSKs, "res
  // binder" for resumption) and the binder value over a truncated-ClientHello transcript hash.
  Result<crypto::Digest> binder_key(bool external) const;
  Result<crypto::Digest> binder(bool external, ByteView truncated_hello_hash) const;
  // After early(): client_early_traffic_secret from hash(ClientHello).
  Result<crypto::Digest> client_early_traffic_secret(ByteView hello_hash) const;
  // Handshake Secret from the (EC)DHE secret (empty: psk_ke, no (EC)DHE); traffic secrets from
  // hash(CH..SH).
  Status handshake(ByteView dhe, ByteView hello_hash);
  // Master Secret; application traffic and exporter secrets from hash(CH..server Finished).
  Status master(ByteView server_finished_hash);
  // resumption_master_secret from hash(CH..client Finished).
  Status resumption(ByteView client_finished_hash);

  const crypto::Digest& client_handshake_secret() const { return c_hs_; }
  const crypto::Digest& server_handshake_secret() const { return s_hs_; }
  const crypto::Digest& client_application_secret() const { return c_ap_; }
  const crypto::Digest& server_application_secret() const { return s_ap_; }
  const crypto::Digest& exporter_master_secret() const { return exp_; }
  const crypto::Digest& resumption_master_secret() const { return res_; }
  const crypto::Digest& handshake_secret() const { return hs_; }
  const crypto::Digest& master_secret() const { return ms_; }
  const crypto::Digest& early_secret() const { return early_; }

 private:
  crypto::HashAlg alg_;
  crypto::Digest early_, hs_, ms_;
  crypto::Digest c_hs_, s_hs_, c_ap_, s_ap_, exp_, res_;
};

}  // namespace snr::keys
