#include "hs/common12.hpp"

#include <algorithm>

#include "util/error_code.hpp"

namespace snr::hs {

using crypto::KeyType;

crypto::HashAlg transcript_hash12(Version v, const policy::CipherSuite& suite) {
  return v < Version::TLS12 ? crypto::HashAlg::MD5_SHA1 : suite.hash;
}

msg::KxKind kx_kind(const policy::CipherSuite& suite) {
  switch (suite.kx) {
    case policy::KeyExchange::DHE:
      return msg::KxKind::DHE;
    case policy::KeyExchange::RSA:
      return msg::KxKind::RSA;
    default:
      return msg::KxKind::ECDHE;
  }
}

bool key_fits_auth(KeyType key, policy::Auth auth) {
  switch (auth) {
    case policy::Auth::Any:
      return true;
    case policy::Auth::RSA:
      return key == KeyType::RSA || key == KeyType::RSA_PSS;
    case policy::Auth::ECDSA:
      return key == KeyType::EC_P256 || key == KeyType::EC_P384 || key == KeyType::EC_P521 ||
             key == KeyType::ED25519;
  }
  return false;
}

bool scheme_fits_key_12(const policy::SigScheme& scheme, KeyType key) {
  switch (scheme.params.kind) {
    case crypto::SigKind::ECDSA:
      return key == KeyType::EC_P256 || key == KeyType::EC_P384 || key == KeyType::EC_P521;
    case crypto::SigKind::RSA_PKCS1:
      return key == KeyType::RSA;
    case crypto::SigKind::RSA_PSS:
      return scheme.sig_alg == SignatureAlgorithm::RSA_PSS_PSS ? key == KeyType::RSA_PSS
                                                               : key == KeyType::RSA;
    case crypto::SigKind::ED25519:
      return key == KeyType::ED25519;
  }
  return false;
}

Result<SkeSignature> choose_ske_signature(const Handshake& hs, const msg::ClientHello& ch,
                                          KeyType key) {
  SkeSignature out;
  if (hs.version < Version::TLS12) {
    // RFC 4346 7.4.3: RSA signs MD5||SHA-1 without DigestInfo; ECDSA signs SHA-1.
    if (key == KeyType::RSA) {
      out.params = {crypto::SigKind::RSA_PKCS1, crypto::HashAlg::MD5_SHA1};
      return out;
    }
    if (key == KeyType::EC_P256 || key == KeyType::EC_P384 || key == KeyType::EC_P521) {
      out.params = {crypto::SigKind::ECDSA, crypto::HashAlg::SHA1};
      return out;
    }
    return make_error(Err::NO_VALID_SIGNATURE_SCHEME);
  }
  // RFC 5246 7.4.1.4.1: without the extension the client supports {sha1,rsa} and
  // {sha1,ecdsa}.
  static constexpr uint16_t kDefaults[] = {0x0201, 0x0203};
  const std::span<const uint16_t> offered =
      ch.ext.has(msg::ext::signature_algorithms)
          ? std::span<const uint16_t>(ch.ext.signature_algorithms)
          : std::span<const uint16_t>(kDefaults);
  auto usable = [&](uint16_t id) -> const policy::SigScheme* {
    const policy::SigScheme* s = policy::find_sig_scheme(id);
    bool ok = s != nullptr && s->implemented && scheme_fits_key_12(*s, key) &&
              contains(hs.settings.policy->sig_schemes, id);
    return ok ? s : nullptr;
  };
  const policy::SigScheme* chosen = nullptr;
  for (uint16_t id : hs.settings.policy->sig_schemes) {
    if (contains(offered, id) && (chosen = usable(id)) != nullptr) break;
  }
  // SPEC 6.4: like s2n-tls, when the client offered nothing usable, fall back (for broken
  // peers) to the RFC 5246 SHA-1 defaults if the policy allows them, else to the most
  // preferred scheme the key can make; the client then decides.
  for (uint16_t id : kDefaults)
    if (chosen == nullptr) chosen = usable(id);
  for (uint16_t id : hs.settings.policy->sig_schemes)
    if (chosen == nullptr) chosen = usable(id);
  SNR_ENSURE(chosen != nullptr, Err::NO_VALID_SIGNATURE_SCHEME);
  out.scheme = chosen;
  out.params = chosen->params;
  return out;
}

Bytes ske_signed_content(const Handshake& hs, ByteView params) {
  Bytes content;
  content.reserve(64 + params.size());
  content.insert(content.end(), hs.client_random.begin(), hs.client_random.end());
  content.insert(content.end(), hs.server_random.begin(), hs.server_random.end());
  content.insert(content.end(), params.begin(), params.end());
  return content;
}

Status derive_keys12(Handshake& hs) {
  const policy::CipherSuite& suite = *hs.out->suite;
  SecureBytes master;
  if (hs.ems) {
    // RFC 7627 4: the session hash runs through ClientKeyExchange.
    SNR_TRY_ASSIGN(crypto::Digest session_hash, hs.transcript.current());
    SNR_TRY_ASSIGN(master, keys::extended_master_secret(hs.version, suite.hash, hs.pre_master,
                                                        session_hash.view()));
    hs.out->extended_master_secret = true;
  } else {
    SNR_TRY_ASSIGN(master, keys::master_secret(hs.version, suite.hash, hs.pre_master,
                                               hs.client_random, hs.server_random));
  }
  hs.pre_master.wipe();
  SNR_TRY_ASSIGN(hs.key_block,
                 keys::key_block(suite, hs.version, master, hs.client_random, hs.server_random));
  if (hs.settings.key_log) hs.settings.key_log("CLIENT_RANDOM", hs.client_random, master);
  hs.out->master_secret = std::move(master);
  hs.out->client_random = hs.client_random;
  hs.out->server_random = hs.server_random;
  return {};
}

Result<Bytes> finished12_for(Handshake& hs, bool client) {
  SNR_TRY_ASSIGN(crypto::Digest h, hs.transcript.current());
  return keys::finished12(hs.version, hs.out->suite->hash, hs.out->master_secret, client, h.view());
}

Status check_finished12(Handshake& hs, const InMessage& in, bool client_sent) {
  SNR_TRY_ASSIGN(msg::Finished fin, msg::parse_finished(in.body));
  SNR_TRY_ASSIGN(Bytes expect, finished12_for(hs, client_sent));
  SNR_ENSURE(fin.verify_data.size() == expect.size(), Err::DECODE);
  SNR_ENSURE(ct_equal(fin.verify_data, expect) || crypto::null_crypto(hs.settings.provider),
             Err::BAD_FINISHED);
  return absorb(hs, in);
}

msg::Certificate as_certificate13(const msg::Certificate12& c) {
  msg::Certificate out;
  out.entries.reserve(c.certs.size());
  for (const Bytes& der : c.certs) out.entries.push_back(msg::CertificateEntry{der, {}});
  return out;
}

}  // namespace snr::hs
