// The handshake transcript hash. Messages arrive before the hash is known (the client learns
// it from ServerHello), so they are buffered until set_hash() replays them.
#pragma once

#include <optional>

#include "crypto/hash.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::keys {

class Transcript {
 public:
  Status add(ByteView message);
  Status set_hash(crypto::HashAlg alg);
  bool has_hash() const { return hash_.has_value(); }
  crypto::HashAlg alg() const { return hash_->alg(); }
  // Hash of all messages so far (set_hash must have been called).
  Result<crypto::Digest> current() const;
  // Hash of all messages so far followed by `extra`, without adding it (PSK binders hash a
  // truncated ClientHello). Before set_hash, `alg` names the hash to use.
  Result<crypto::Digest> current_with(crypto::HashAlg alg, ByteView extra) const;
  // RFC 8446 4.4.1: after a HelloRetryRequest, ClientHello1 is replaced by message_hash.
  // Call after ClientHello1 was added and the hash is set, before adding the HRR.
  Status replace_with_message_hash();

  // TLS 1.2 and older: a client CertificateVerify signs the handshake messages themselves
  // with its scheme's hash, which need not be the PRF hash the transcript runs. While kept
  // (call before set_hash), every message stays in messages() as well, until
  // release_messages().
  void keep_messages() { keep_ = true; }
  bool keeps_messages() const { return keep_; }
  ByteView messages() const { return pending_; }
  void release_messages();

 private:
  bool keep_ = false;
  Bytes pending_;
  std::optional<crypto::Hash> hash_;
};

}  // namespace snr::keys
