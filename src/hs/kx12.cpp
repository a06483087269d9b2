// The finite-field DHE (RFC 5246 8.1.2) and RSA (RFC 5246 7.4.7.1) key exchanges.
#include "crypto/dh.hpp"
#include "crypto/rsa_kx.hpp"
#include "hs/common12.hpp"
#include "util/error_code.hpp"

namespace snr::hs {

Status client_dhe_exchange(Handshake& hs, const msg::ServerKeyExchange& ske) {
  SNR_TRY_ASSIGN(crypto::DhKey mine, crypto::DhKey::generate(ske.dh_p, ske.dh_g));
  SNR_TRY_ASSIGN(hs.pre_master, mine.derive(ske.dh_ys));
  hs.kx_public.assign(mine.public_key().begin(), mine.public_key().end());
  return {};
}

Status client_rsa_exchange(Handshake& hs) {
  // The premaster starts with the version the client offered (RFC 5246 7.4.7.1).
  SecureBytes pm(crypto::kRsaPremasterSize);
  SNR_TRY(hs.settings.provider->random(pm.mut_view()));
  pm[0] = static_cast<uint8_t>(hs.client_version >> 8);
  pm[1] = static_cast<uint8_t>(hs.client_version);
  SNR_TRY_ASSIGN(hs.kx_public, crypto::rsa_encrypt_premaster(*hs.peer_key, pm));
  hs.pre_master = std::move(pm);
  return {};
}

Status server_dhe_params(Handshake& hs, msg::ServerKeyExchange& ske) {
  const crypto::DhParams& params = *hs.settings.config->dh_params;
  SNR_TRY_ASSIGN(crypto::DhKey mine, crypto::DhKey::generate(params));
  ske.dh_p.assign(params.p().begin(), params.p().end());
  ske.dh_g.assign(params.g().begin(), params.g().end());
  ske.dh_ys.assign(mine.public_key().begin(), mine.public_key().end());
  hs.dh_key.emplace(std::move(mine));
  return {};
}

Status server_dhe_finish(Handshake& hs, ByteView client_public) {
  SNR_ENSURE(hs.dh_key.has_value(), Err::INTERNAL);
  SNR_TRY_ASSIGN(hs.pre_master, hs.dh_key->derive(client_public));
  hs.dh_key.reset();
  return {};
}

// The server's RSA decryption is in pkey_ops.cpp (decrypt_premaster_or_offload): it may go to
// the private key callback.

}  // namespace snr::hs
