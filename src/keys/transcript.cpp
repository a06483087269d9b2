#include "keys/transcript.hpp"

#include "msg/messages.hpp"
#include "util/error_code.hpp"

namespace snr::keys {

Status Transcript::add(ByteView message) {
  if (!hash_ || keep_) pending_.insert(pending_.end(), message.begin(), message.end());
  if (hash_) return hash_->update(message);
  return {};
}

Status Transcript::set_hash(crypto::HashAlg alg) {
  SNR_TRY_ASSIGN(crypto::Hash h, crypto::Hash::create(alg));
  SNR_TRY(h.update(pending_));
  hash_.emplace(std::move(h));
  if (!keep_) release_messages();
  return {};
}

void Transcript::release_messages() {
  keep_ = false;
  Bytes().swap(pending_);
}

Result<crypto::Digest> Transcript::current() const {
  SNR_ENSURE(hash_.has_value(), Err::INTERNAL);
  return hash_->peek();
}

Result<crypto::Digest> Transcript::current_with(crypto::HashAlg alg, ByteView extra) const {
  if (hash_) {
    SNR_ENSURE(hash_->alg() == alg, Err::INTERNAL);
    crypto::Hash h = *hash_;
    SNR_TRY(h.update(extra));
    return h.peek();
  }
  SNR_TRY_ASSIGN(crypto::Hash h, crypto::Hash::create(alg));
  SNR_TRY(h.update(pending_));
  SNR_TRY(h.update(extra));
  return h.peek();
}

Status Transcript::replace_with_message_hash() {
  SNR_TRY_ASSIGN(crypto::Digest ch1, current());
  SNR_TRY_ASSIGN(crypto::Hash h, crypto::Hash::create(hash_->alg()));
  SNR_TRY(h.update(msg::message_hash(ch1.view())));
  hash_.emplace(std::move(h));
  return {};
}

}  // namespace snr::keys
