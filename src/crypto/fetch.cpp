#include "crypto/fetch.hpp"

#include <openssl/err.h>

#include <array>

namespace snr::crypto {

namespace {
constexpr size_t kCount = static_cast<size_t>(CipherId::kCount);
constexpr std::array<const char*, kCount> kNames = {
    "AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305", "AES-128-CBC", "AES-256-CBC"};

struct Table {
  std::array<EVP_CIPHER*, kCount> c{};
  Table() {
    for (size_t i = 0; i < kCount; ++i) c[i] = EVP_CIPHER_fetch(nullptr, kNames[i], nullptr);
    ERR_clear_error();
  }
  ~Table() {
    for (EVP_CIPHER* e : c) EVP_CIPHER_free(e);
  }
};
}  // namespace

const EVP_CIPHER* fetched_cipher(CipherId id) {
  static const Table table;
  const size_t i = static_cast<size_t>(id);
  return i < kCount ? table.c[i] : nullptr;
}

}  // namespace snr::crypto
