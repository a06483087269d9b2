// Raw AES-CBC over libcrypto for the TLS 1.0-1.2 record layer: no padding (TLS pads on its
// own), the IV given with every call (explicit per record, or chained in TLS 1.0). One
// EVP_CIPHER_CTX per object, keyed once.
#pragma once

#include <cstddef>
#include <cstdint>

#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

enum class CbcAlg : uint8_t { AES_128_CBC, AES_256_CBC };

size_t cbc_key_size(CbcAlg alg);
inline constexpr size_t kCbcBlockSize = 16;

class Cbc {
 public:
  // `encrypt` picks the direction the key schedule is prepared for; calling the other
  // direction later works but sets the key up again.
  static Result<Cbc> create(CbcAlg alg, ByteView key, bool encrypt);
  Cbc(Cbc&& o) noexcept;
  Cbc& operator=(Cbc&& o) noexcept;
  Cbc(const Cbc&) = delete;
  Cbc& operator=(const Cbc&) = delete;
  ~Cbc();

  CbcAlg alg() const { return alg_; }
  // Encrypt/decrypt `data` (a multiple of 16 bytes) in place with the 16-byte `iv`.
  Status encrypt(ByteView iv, MutByteView data) { return crypt(iv, data, true); }
  Status decrypt(ByteView iv, MutByteView data) { return crypt(iv, data, false); }

 private:
  Cbc(CbcAlg alg, void* ctx, ByteView key, bool encrypt)
      : alg_(alg), ctx_(ctx), key_(key), encrypt_(encrypt) {}
  Status crypt(ByteView iv, MutByteView data, bool encrypt);

  CbcAlg alg_;
  void* ctx_;        // EVP_CIPHER_CTX
  SecureBytes key_;  // kept only to switch direction
  bool encrypt_;
};

}  // namespace snr::crypto
