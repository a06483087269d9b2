// Private keys (signing) and public keys from certificates (verification).
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "crypto/hash.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::crypto {

enum class KeyType : uint8_t { Unknown, RSA, RSA_PSS, EC_P256, EC_P384, EC_P521, ED25519 };
std::string_view to_string(KeyType t);

// How a signature is made: the TLS signature scheme tables map a scheme to this.
enum class SigKind : uint8_t { RSA_PKCS1, RSA_PSS, ECDSA, ED25519 };
struct SigParams {
  SigKind kind;
  HashAlg hash;  // ignored for ED25519; RSA-PSS uses salt length = hash length, MGF1 same hash
};

class PublicKey;

class PrivateKey {
 public:
  // PEM: PKCS#8, traditional RSA/EC, with or without "ENCRYPTED" (unencrypted only).
  static Result<PrivateKey> from_pem(std::string_view pem);
  KeyType type() const;
  // Signs `message` (the whole to-be-signed content; it is hashed inside as params say).
  Result<Bytes> sign(SigParams params, ByteView message) const;
  // True when `pub` is the public half of this key.
  bool matches(const PublicKey& pub) const;
  size_t bits() const;
  // The EVP_PKEY, for other src/crypto code (the RSA key exchange).
  void* native_handle() const { return pkey_.get(); }

  PrivateKey(const PrivateKey&) = default;
  PrivateKey& operator=(const PrivateKey&) = default;
  PrivateKey(PrivateKey&&) noexcept = default;
  PrivateKey& operator=(PrivateKey&&) noexcept = default;
  ~PrivateKey();

 private:
  friend class PublicKey;
  explicit PrivateKey(std::shared_ptr<void> pkey);
  std::shared_ptr<void> pkey_;  // EVP_PKEY, freed by its deleter
  KeyType type_;                // asking libcrypto allocates: asked once
};

class PublicKey {
 public:
  // The subject public key of a DER certificate.
  static Result<PublicKey> from_certificate(ByteView der);
  // Takes ownership of an EVP_PKEY* (for code inside src/crypto that already has one).
  static PublicKey adopt_native(void* evp_pkey);
  KeyType type() const;
  size_t bits() const;
  // Err::VERIFY_SIGNATURE when the signature does not verify.
  Status verify(SigParams params, ByteView message, ByteView signature) const;
  // The EVP_PKEY, for other src/crypto code (the RSA key exchange).
  void* native_handle() const { return pkey_.get(); }

  PublicKey(const PublicKey&) = default;
  PublicKey& operator=(const PublicKey&) = default;
  PublicKey(PublicKey&&) noexcept = default;
  PublicKey& operator=(PublicKey&&) noexcept = default;
  ~PublicKey();

 private:
  friend class PrivateKey;
  explicit PublicKey(std::shared_ptr<void> pkey);
  std::shared_ptr<void> pkey_;  // EVP_PKEY
  KeyType type_;                // asking libcrypto allocates: asked once
};

}  // namespace snr::crypto
