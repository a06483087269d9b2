#include "raw_aead.hpp"

#include <openssl/evp.h>

#include <vector>

namespace bench {
namespace {

constexpr size_t kTagSize = 16;
constexpr size_t kNonceSize = 12;
constexpr size_t kHeaderSize = 5;

const char* evp_name(Cipher c) {
  switch (c) {
    case Cipher::kAes128Gcm:
      return "AES-128-GCM";
    case Cipher::kAes256Gcm:
      return "AES-256-GCM";
    case Cipher::kChacha20:
      return "ChaCha20-Poly1305";
  }
  return "?";
}

void ensure(bool ok, const char* what) {
  if (!ok) die(std::string("raw EVP: ") + what);
}

void set_nonce(uint8_t (&nonce)[kNonceSize], uint64_t seq) {
  for (size_t i = 0; i < 8; ++i) nonce[kNonceSize - 1 - i] = static_cast<uint8_t>(seq >> (8 * i));
}

}  // namespace

AeadRates measure_raw_aead(Cipher cipher, uint64_t total, size_t record) {
  EVP_CIPHER* alg = EVP_CIPHER_fetch(nullptr, evp_name(cipher), nullptr);
  EVP_CIPHER_CTX* enc = EVP_CIPHER_CTX_new();
  EVP_CIPHER_CTX* dec = EVP_CIPHER_CTX_new();
  ensure(alg != nullptr && enc != nullptr && dec != nullptr, "fetch");
  const uint8_t key[32] = {7};
  uint8_t nonce[kNonceSize] = {9};
  ensure(EVP_EncryptInit_ex2(enc, alg, key, nonce, nullptr) == 1, "encrypt init");
  ensure(EVP_DecryptInit_ex2(dec, alg, key, nonce, nullptr) == 1, "decrypt init");

  // A TLS 1.3 record: the 5-byte header is the additional data, the plaintext carries one
  // more byte (the inner content type).
  const uint8_t header[kHeaderSize] = {23, 3, 3, 0x40, 0x11};
  const size_t inner = record + 1;
  std::vector<uint8_t> buf(inner, 0x5a);
  std::vector<uint8_t> sealed(inner);
  std::vector<uint8_t> plain(inner);
  uint8_t tag[kTagSize];
  int len = 0;

  auto seal = [&](uint64_t seq, uint8_t* out) {
    set_nonce(nonce, seq);
    ensure(EVP_EncryptInit_ex2(enc, nullptr, nullptr, nonce, nullptr) == 1 &&
               EVP_EncryptUpdate(enc, nullptr, &len, header, kHeaderSize) == 1 &&
               EVP_EncryptUpdate(enc, out, &len, buf.data(), static_cast<int>(inner)) == 1 &&
               EVP_EncryptFinal_ex(enc, out + len, &len) == 1 &&
               EVP_CIPHER_CTX_ctrl(enc, EVP_CTRL_AEAD_GET_TAG, kTagSize, tag) == 1,
           "seal");
  };
  const uint64_t records = (total + record - 1) / record;
  const double mb = static_cast<double>(records * record) / 1e6;

  uint64_t t0 = thread_cpu_ns();
  for (uint64_t i = 0; i < records; ++i) seal(i, buf.data());
  const double seal_s = 1e-9 * static_cast<double>(thread_cpu_ns() - t0);

  // One sealed record, opened again and again under its own nonce.
  std::fill(buf.begin(), buf.end(), 0x5a);
  seal(0, sealed.data());
  uint8_t sealed_tag[kTagSize];
  std::copy(tag, tag + kTagSize, sealed_tag);
  set_nonce(nonce, 0);
  t0 = thread_cpu_ns();
  for (uint64_t i = 0; i < records; ++i) {
    ensure(EVP_DecryptInit_ex2(dec, nullptr, nullptr, nonce, nullptr) == 1 &&
               EVP_DecryptUpdate(dec, nullptr, &len, header, kHeaderSize) == 1 &&
               EVP_DecryptUpdate(dec, plain.data(), &len, sealed.data(), static_cast<int>(inner)) ==
                   1 &&
               EVP_CIPHER_CTX_ctrl(dec, EVP_CTRL_AEAD_SET_TAG, kTagSize, sealed_tag) == 1 &&
               EVP_DecryptFinal_ex(dec, plain.data() + len, &len) == 1,
           "open");
  }
  const double open_s = 1e-9 * static_cast<double>(thread_cpu_ns() - t0);
  ensure(plain == buf, "opened record differs");

  EVP_CIPHER_CTX_free(enc);
  EVP_CIPHER_CTX_free(dec);
  EVP_CIPHER_free(alg);
  return {mb / seal_s, mb / open_s};
}

}  // namespace bench
