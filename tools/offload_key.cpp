#include "offload_key.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <vector>

#include "common.hpp"

namespace snr::tools {
namespace {

using KeyPtr = std::shared_ptr<EVP_PKEY>;

const EVP_MD* md_of(HashAlgorithm h) {
  switch (h) {
    case HashAlgorithm::MD5:
      return EVP_md5();
    case HashAlgorithm::SHA1:
      return EVP_sha1();
    case HashAlgorithm::SHA224:
      return EVP_sha224();
    case HashAlgorithm::SHA256:
      return EVP_sha256();
    case HashAlgorithm::SHA384:
      return EVP_sha384();
    case HashAlgorithm::SHA512:
      return EVP_sha512();
    case HashAlgorithm::MD5_SHA1:
      return EVP_md5_sha1();
    case HashAlgorithm::None:
      break;
  }
  return nullptr;
}

// Ed25519 signs the message itself (no prehash).
std::vector<uint8_t> sign_message(EVP_PKEY* key, std::span<const uint8_t> in) {
  std::vector<uint8_t> out;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  if (ctx && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestSign(ctx, nullptr, &len, in.data(), in.size()) == 1) {
    out.resize(len);
    if (EVP_DigestSign(ctx, out.data(), &len, in.data(), in.size()) == 1) {
      out.resize(len);
    } else {
      out.clear();
    }
  }
  EVP_MD_CTX_free(ctx);
  return out;
}

// Signs a digest, or decrypts an RSA premaster. An empty result is a failure (for a
// decryption the library then carries on with a random premaster, as it must).
std::vector<uint8_t> perform(EVP_PKEY* key, const PrivateKeyOperation& op) {
  const std::span<const uint8_t> in = op.input();
  const bool decrypt = op.kind() == PrivateKeyOperation::Kind::Decrypt;
  if (!decrypt && op.signature_algorithm() == SignatureAlgorithm::ED25519)
    return sign_message(key, in);
  std::vector<uint8_t> out;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
  if (!ctx) return out;
  bool ok = false;
  if (decrypt) {
    ok = EVP_PKEY_decrypt_init(ctx) == 1 &&
         EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  } else {
    ok = EVP_PKEY_sign_init(ctx) == 1 &&
         EVP_PKEY_CTX_set_signature_md(ctx, md_of(op.hash_algorithm())) == 1;
    const SignatureAlgorithm alg = op.signature_algorithm();
    if (ok && (alg == SignatureAlgorithm::RSA_PSS_RSAE || alg == SignatureAlgorithm::RSA_PSS_PSS))
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1;
    else if (ok && alg == SignatureAlgorithm::RSA_PKCS1)
      ok = EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
  }
  size_t len = 0;
  const auto run = [&](uint8_t* dst) {
    return decrypt ? EVP_PKEY_decrypt(ctx, dst, &len, in.data(), in.size())
                   : EVP_PKEY_sign(ctx, dst, &len, in.data(), in.size());
  };
  if (ok && run(nullptr) == 1) {
    out.resize(len);
    if (run(out.data()) == 1) {
      out.resize(len);
    } else {
      out.clear();
    }
  }
  EVP_PKEY_CTX_free(ctx);
  return out;
}

// Pending on its first poll (it wakes the connection), done on the next: the operation
// completes one event-loop turn after it was asked for.
class NextTurn : public ConnectionFuture {
 public:
  NextTurn(KeyPtr key, PrivateKeyOperation op) : key_(std::move(key)), op_(std::move(op)) {}
  Poll<void> poll(Connection& conn) override {
    if (!turned_) {
      turned_ = true;
      if (const Waker* w = conn.waker()) (*w)();
      return Pending{Blocked::OnApplicationInput};
    }
    Status s = op_.set_output(conn, perform(key_.get(), op_));
    if (!s.ok()) return s.error();
    return Ready{};
  }

 private:
  KeyPtr key_;
  PrivateKeyOperation op_;
  bool turned_ = false;
};

}  // namespace

std::optional<PrivateKeyCallback> offload_key_callback(std::string_view key_pem) {
  BIO* bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (!raw) {
    print_error("usage", "--offload-key: cannot read the private key");
    return std::nullopt;
  }
  KeyPtr key(raw, EVP_PKEY_free);
  return PrivateKeyCallback([key](Connection&, PrivateKeyOperation op) {
    return ConnectionFutureResult::future(std::make_unique<NextTurn>(key, std::move(op)));
  });
}

}  // namespace snr::tools
