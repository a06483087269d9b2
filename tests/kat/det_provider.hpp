// A deterministic crypto::Provider for the known-answer tests: the randoms, ephemeral keys and
// signatures of a recorded trace instead of fresh ones.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "crypto/provider.hpp"
#include "util/error_code.hpp"

namespace snr::kat {

class DetProvider final : public crypto::Provider {
 public:
  // Randoms are handed out in the order given; each request must ask for exactly the next
  // one's size. Asking for more than the trace holds is an error, so that a change in how snr
  // consumes randomness shows up as a failure rather than a silent mismatch.
  void add_random(Bytes r) { randoms_.push_back(std::move(r)); }
  // The private key generate_key_share() returns for `group`.
  void set_private_key(uint16_t group, Bytes private_key) { keys_[group] = std::move(private_key); }
  // A recorded signature and the certificate whose key made it. sign() returns it only when it
  // verifies for the message being signed; otherwise (the message differs from the trace's)
  // it signs with the real key so that the handshake stays valid, and says so in the log.
  void set_recorded_signature(Bytes cert_der, Bytes signature) {
    cert_der_ = std::move(cert_der);
    signature_ = std::move(signature);
  }

  struct SignCall {
    Bytes message;
    bool recorded;  // the recorded signature was returned
  };
  const std::vector<SignCall>& sign_log() const { return sign_log_; }
  size_t randoms_left() const { return randoms_.size() - next_random_; }

  Status random(MutByteView out) override {
    if (next_random_ == randoms_.size())
      return make_error(Err::INTERNAL, "deterministic provider: no recorded random left");
    const Bytes& r = randoms_[next_random_++];
    if (r.size() != out.size())
      return make_error(Err::INTERNAL, "deterministic provider: random of " +
                                           std::to_string(out.size()) + " bytes requested, " +
                                           std::to_string(r.size()) + " recorded");
    std::copy(r.begin(), r.end(), out.begin());
    return {};
  }

  Result<crypto::KeyShare> generate_key_share(uint16_t group) override {
    auto it = keys_.find(group);
    if (it == keys_.end())
      return make_error(Err::INTERNAL, "deterministic provider: no private key for group " +
                                           std::to_string(group));
    return crypto::KeyShare::from_private(group, it->second);
  }

  Result<Bytes> sign(const crypto::PrivateKey& key, crypto::SigParams params,
                     ByteView message) override {
    if (!signature_.empty()) {
      SNR_TRY_ASSIGN(crypto::PublicKey pub, crypto::PublicKey::from_certificate(cert_der_));
      if (pub.verify(params, message, signature_).ok()) {
        sign_log_.push_back(SignCall{Bytes(message.begin(), message.end()), true});
        return signature_;
      }
    }
    sign_log_.push_back(SignCall{Bytes(message.begin(), message.end()), false});
    return key.sign(params, message);
  }

 private:
  std::vector<Bytes> randoms_;
  size_t next_random_ = 0;
  std::map<uint16_t, Bytes> keys_;
  Bytes cert_der_;
  Bytes signature_;
  std::vector<SignCall> sign_log_;
};

}  // namespace snr::kat
