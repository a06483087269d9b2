#include "keys/prf12.hpp"

#include <algorithm>

#include "util/error_code.hpp"

namespace snr::keys {

namespace {

constexpr size_t kMasterSecretSize = 48;
constexpr size_t kFinishedSize = 12;

// RFC 5246 5: P_hash(secret, seed) = HMAC(secret, A(1) + seed) + HMAC(secret, A(2) + seed) + ...
// with A(0) = seed, A(i) = HMAC(secret, A(i-1)); here seed = label + seed1 + seed2. With
// `xor_into` the output is XORed into `out` (the TLS 1.0 PRF combines two P_hash streams).
Status p_hash(crypto::HashAlg alg, ByteView secret, ByteView label, ByteView seed1, ByteView seed2,
              MutByteView out, bool xor_into) {
  SNR_TRY_ASSIGN(crypto::Hmac mac, crypto::Hmac::create(alg, secret));
  auto feed_seed = [&]() -> Status {
    SNR_TRY(mac.update(label));
    SNR_TRY(mac.update(seed1));
    return mac.update(seed2);
  };
  SNR_TRY(feed_seed());
  SNR_TRY_ASSIGN(crypto::Digest a, mac.finish());  // A(1)
  size_t done = 0;
  while (done < out.size()) {
    SNR_TRY(mac.update(a.view()));
    SNR_TRY(feed_seed());
    SNR_TRY_ASSIGN(crypto::Digest block, mac.finish());
    const size_t n = std::min(block.len, out.size() - done);
    for (size_t i = 0; i < n; ++i) {
      out[done + i] =
          xor_into ? static_cast<uint8_t>(out[done + i] ^ block.bytes[i]) : block.bytes[i];
    }
    done += n;
    if (done < out.size()) {
      SNR_TRY(mac.update(a.view()));
      SNR_TRY_ASSIGN(a, mac.finish());
    }
  }
  return {};
}

bool legacy_prf(Version v) { return v == Version::TLS10 || v == Version::TLS11; }

// Key, IV and MAC sizes of a suite's record protection at `version` (RFC 5246 6.3 and
// Appendix C; RFC 2246 6.3 for the TLS 1.0 CBC IVs).
struct KeySizes {
  size_t mac = 0, key = 0, iv = 0;
};

Result<KeySizes> key_sizes(const policy::CipherSuite& suite, Version version) {
  using policy::BulkCipher;
  KeySizes s;
  if (!suite.is_aead()) s.mac = crypto::hash_size(suite.mac);
  // A block cipher's IV comes from the key block only in TLS 1.0: TLS 1.1 (RFC 4346 6.3)
  // dropped it for the explicit per-record IV, and TLS 1.2 keeps only AEAD implicit nonces.
  const bool implicit_cbc_iv = version == Version::TLS10;
  switch (suite.cipher) {
    case BulkCipher::AES_128_GCM:
      s.key = 16;
      s.iv = 4;
      break;
    case BulkCipher::AES_256_GCM:
      s.key = 32;
      s.iv = 4;
      break;
    case BulkCipher::CHACHA20_POLY1305:
      s.key = 32;
      s.iv = 12;
      break;
    case BulkCipher::AES_128_CBC:
      s.key = 16;
      s.iv = implicit_cbc_iv ? 16 : 0;
      break;
    case BulkCipher::AES_256_CBC:
      s.key = 32;
      s.iv = implicit_cbc_iv ? 16 : 0;
      break;
    case BulkCipher::TDES_CBC:
      s.key = 24;
      s.iv = implicit_cbc_iv ? 8 : 0;
      break;
    case BulkCipher::RC4_128:
      s.key = 16;
      break;
  }
  if (suite.is_aead() && version != Version::TLS12) {
    return make_error(Err::INVALID_ARGUMENT, "AEAD suites need TLS 1.2");
  }
  return s;
}

}  // namespace

Status prf12(Version version, crypto::HashAlg hash, ByteView secret, std::string_view label,
             ByteView seed1, ByteView seed2, MutByteView out) {
  if (version == Version::TLS12) {
    return p_hash(hash, secret, as_bytes(label), seed1, seed2, out, false);
  }
  if (!legacy_prf(version)) return make_error(Err::INVALID_ARGUMENT, "no TLS 1.2 PRF here");
  // RFC 2246 5: S1 is the first half of the secret, S2 the second; with an odd length the
  // middle byte belongs to both.
  const size_t half = (secret.size() + 1) / 2;
  SNR_TRY(
      p_hash(crypto::HashAlg::MD5, secret.first(half), as_bytes(label), seed1, seed2, out, false));
  return p_hash(crypto::HashAlg::SHA1, secret.last(half), as_bytes(label), seed1, seed2, out, true);
}

Result<SecureBytes> master_secret(Version version, crypto::HashAlg hash, ByteView pre_master,
                                  ByteView client_random, ByteView server_random) {
  SecureBytes ms(kMasterSecretSize);
  SNR_TRY(prf12(version, hash, pre_master, "master secret", client_random, server_random,
                ms.mut_view()));
  return ms;
}

// RFC 7627 4.
Result<SecureBytes> extended_master_secret(Version version, crypto::HashAlg hash,
                                           ByteView pre_master, ByteView session_hash) {
  SecureBytes ms(kMasterSecretSize);
  SNR_TRY(
      prf12(version, hash, pre_master, "extended master secret", session_hash, {}, ms.mut_view()));
  return ms;
}

Result<KeyBlock> key_block(const policy::CipherSuite& suite, Version version, ByteView master,
                           ByteView client_random, ByteView server_random) {
  if (suite.is_tls13()) return make_error(Err::INVALID_ARGUMENT, "TLS 1.3 suite");
  SNR_TRY_ASSIGN(KeySizes sizes, key_sizes(suite, version));
  const size_t total = 2 * (sizes.mac + sizes.key + sizes.iv);
  SecureBytes block(total);
  // The key block seeds with server_random first (RFC 5246 6.3), unlike the master secret.
  SNR_TRY(prf12(version, suite.hash, master, "key expansion", server_random, client_random,
                block.mut_view()));
  // client MAC, server MAC, client key, server key, client IV, server IV.
  size_t at = 0;
  auto take = [&](size_t n, SecureBytes& into) {
    into.assign(block.view().subspan(at, n));
    at += n;
  };
  KeyBlock kb;
  take(sizes.mac, kb.client.mac_key);
  take(sizes.mac, kb.server.mac_key);
  take(sizes.key, kb.client.enc_key);
  take(sizes.key, kb.server.enc_key);
  take(sizes.iv, kb.client.iv);
  take(sizes.iv, kb.server.iv);
  return kb;
}

Result<Bytes> finished12(Version version, crypto::HashAlg hash, ByteView master, bool client,
                         ByteView handshake_hash) {
  Bytes out(kFinishedSize);
  SNR_TRY(prf12(version, hash, master, client ? "client finished" : "server finished",
                handshake_hash, {}, out));
  return out;
}

}  // namespace snr::keys
