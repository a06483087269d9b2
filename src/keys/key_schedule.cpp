#include "keys/key_schedule.hpp"

#include "util/error_code.hpp"
#include "wire/writer.hpp"

namespace snr::keys {

Status hkdf_expand_label(crypto::Hmac& secret, std::string_view label, ByteView context,
                         MutByteView out) {
  // HkdfLabel: u16 length, opaque label<7..255> = "tls13 " + Label, opaque context<0..255>,
  // fed to HKDF-Expand piece by piece: a key schedule derives dozens of these.
  static constexpr std::string_view kPrefix = "tls13 ";
  SNR_ENSURE(out.size() <= 0xffff && kPrefix.size() + label.size() <= 255 && context.size() <= 255,
             Err::INTERNAL);
  const uint8_t length[2] = {static_cast<uint8_t>(out.size() >> 8),
                             static_cast<uint8_t>(out.size())};
  const uint8_t label_len = static_cast<uint8_t>(kPrefix.size() + label.size());
  const uint8_t context_len = static_cast<uint8_t>(context.size());
  const ByteView info[] = {ByteView(length), ByteView(&label_len, 1),   as_bytes(kPrefix),
                           as_bytes(label),  ByteView(&context_len, 1), context};
  return crypto::hkdf_expand(secret, info, out);
}

Status hkdf_expand_label(crypto::HashAlg alg, ByteView secret, std::string_view label,
                         ByteView context, MutByteView out) {
  SNR_TRY_ASSIGN(crypto::Hmac mac, crypto::Hmac::create(alg, secret));
  return hkdf_expand_label(mac, label, context, out);
}

Result<crypto::Digest> derive_secret(crypto::Hmac& secret, std::string_view label,
                                     ByteView transcript_hash) {
  crypto::Digest d;
  d.len = crypto::hash_size(secret.alg());
  SNR_TRY(hkdf_expand_label(secret, label, transcript_hash, MutByteView(d.bytes.data(), d.len)));
  return d;
}

Result<crypto::Digest> derive_secret(crypto::HashAlg alg, ByteView secret, std::string_view label,
                                     ByteView transcript_hash) {
  SNR_TRY_ASSIGN(crypto::Hmac mac, crypto::Hmac::create(alg, secret));
  return derive_secret(mac, label, transcript_hash);
}

Result<TrafficKey> traffic_key(crypto::HashAlg hash, crypto::AeadAlg aead, ByteView secret) {
  TrafficKey k;
  k.key_len = crypto::aead_key_size(aead);
  SNR_ENSURE(k.key_len <= k.key_bytes.size(), Err::INTERNAL);
  SNR_TRY_ASSIGN(crypto::Hmac mac, crypto::Hmac::create(hash, secret));
  SNR_TRY(hkdf_expand_label(mac, "key", {}, MutByteView(k.key_bytes.data(), k.key_len)));
  SNR_TRY(hkdf_expand_label(mac, "iv", {}, k.iv));
  return k;
}

Result<crypto::Digest> next_traffic_secret(crypto::HashAlg alg, ByteView secret) {
  return derive_secret(alg, secret, "traffic upd", {});
}

Result<crypto::Digest> finished_verify_data(crypto::HashAlg alg, ByteView base_key,
                                            ByteView transcript_hash) {
  SNR_TRY_ASSIGN(crypto::Digest fk, derive_secret(alg, base_key, "finished", {}));
  return crypto::hmac(alg, fk.view(), transcript_hash);
}

Status KeySchedule::early(ByteView psk) {
  uint8_t zeros[crypto::kMaxHashSize] = {};
  size_t n = crypto::hash_size(alg_);
  ByteView ikm = psk.empty() ? ByteView(zeros, n) : psk;
  SNR_TRY_ASSIGN(early_, crypto::hkdf_extract(alg_, {}, ikm));
  return {};
}

namespace {
// "derived" secret of a stage: Derive-Secret(secret, "derived", Hash("")).
Result<crypto::Digest> derived(crypto::HashAlg alg, const crypto::Digest& secret) {
  SNR_TRY_ASSIGN(crypto::Digest empty_hash, crypto::hash_once(alg, {}));
  return derive_secret(alg, secret.view(), "derived", empty_hash.view());
}
}  // namespace

Result<crypto::Digest> resumption_psk(crypto::HashAlg alg, ByteView resumption_master_secret,
                                      ByteView ticket_nonce) {
  crypto::Digest d;
  d.len = crypto::hash_size(alg);
  SNR_TRY(hkdf_expand_label(alg, resumption_master_secret, "resumption", ticket_nonce,
                            MutByteView(d.bytes.data(), d.len)));
  return d;
}

Result<crypto::Digest> KeySchedule::binder_key(bool external) const {
  SNR_TRY_ASSIGN(crypto::Digest empty_hash, crypto::hash_once(alg_, {}));
  return derive_secret(alg_, early_.view(), external ? "ext binder" : "res binder",
                       empty_hash.view());
}

Result<crypto::Digest> KeySchedule::binder(bool external, ByteView truncated_hello_hash) const {
  SNR_TRY_ASSIGN(crypto::Digest key, binder_key(external));
  return finished_verify_data(alg_, key.view(), truncated_hello_hash);
}

Result<crypto::Digest> KeySchedule::client_early_traffic_secret(ByteView hello_hash) const {
  return derive_secret(alg_, early_.view(), "c e traffic", hello_hash);
}

Status KeySchedule::handshake(ByteView dhe, ByteView hello_hash) {
  if (early_.len == 0) SNR_TRY(early({}));
  SNR_TRY_ASSIGN(crypto::Digest salt, derived(alg_, early_));
  // psk_ke: "If a given secret is not available, then the 0-value ... is used" (7.1).
  uint8_t zeros[crypto::kMaxHashSize] = {};
  if (dhe.empty()) dhe = ByteView(zeros, crypto::hash_size(alg_));
  SNR_TRY_ASSIGN(hs_, crypto::hkdf_extract(alg_, salt.view(), dhe));
  SNR_TRY_ASSIGN(crypto::Hmac hs, crypto::Hmac::create(alg_, hs_.view()));
  SNR_TRY_ASSIGN(c_hs_, derive_secret(hs, "c hs traffic", hello_hash));
  SNR_TRY_ASSIGN(s_hs_, derive_secret(hs, "s hs traffic", hello_hash));
  return {};
}

Status KeySchedule::master(ByteView server_finished_hash) {
  SNR_TRY_ASSIGN(crypto::Digest salt, derived(alg_, hs_));
  uint8_t zeros[crypto::kMaxHashSize] = {};
  SNR_TRY_ASSIGN(ms_,
                 crypto::hkdf_extract(alg_, salt.view(), ByteView(zeros, crypto::hash_size(alg_))));
  SNR_TRY_ASSIGN(crypto::Hmac ms, crypto::Hmac::create(alg_, ms_.view()));
  SNR_TRY_ASSIGN(c_ap_, derive_secret(ms, "c ap traffic", server_finished_hash));
  SNR_TRY_ASSIGN(s_ap_, derive_secret(ms, "s ap traffic", server_finished_hash));
  SNR_TRY_ASSIGN(exp_, derive_secret(ms, "exp master", server_finished_hash));
  // The handshake secret is not needed past this point.
  hs_ = crypto::Digest();
  return {};
}

Status KeySchedule::resumption(ByteView client_finished_hash) {
  SNR_TRY_ASSIGN(res_, derive_secret(alg_, ms_.view(), "res master", client_finished_hash));
  return {};
}

}  // namespace snr::keys
