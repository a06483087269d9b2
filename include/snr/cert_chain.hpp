// snr::CertificateChain: an immutable list of DER certificates, leaf first; and
// snr::cert_chain::Builder, which makes a server chain with its private key for
// Config::Builder::load_chain (SPEC 5, 6.15).
#pragma once

#include <any>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "snr/error.hpp"

namespace snr {

namespace detail {
struct CertifiedKey;
struct ChainAccess;
}  // namespace detail
namespace cert_chain {
class Builder;
}

class Certificate {
 public:
  explicit Certificate(std::vector<uint8_t> der) : der_(std::move(der)) {}
  std::span<const uint8_t> der() const { return der_; }
  // One-line subject, e.g. "CN=localhost, O=snr test" (empty if it cannot be parsed).
  std::string subject() const;

 private:
  std::vector<uint8_t> der_;
};

// The peer's chain, the chain this side presented (Connection::selected_cert), or a server
// chain with its private key made by cert_chain::Builder (for Config::Builder::load_chain).
//
// Copies are cheap and share one immutable certificate list, one application context and,
// for a cert_chain::Builder chain, one private key: the same chain can be loaded into several
// Configs, and the chain a server picked (selected_cert) carries the application context it
// was built with.
class CertificateChain {
 public:
  CertificateChain() = default;
  explicit CertificateChain(std::vector<Certificate> certs)
      : data_(std::make_shared<const Data>(Data{std::move(certs), {}})) {}
  size_t len() const { return list().size(); }
  bool is_empty() const { return list().empty(); }
  const Certificate& operator[](size_t i) const { return list()[i]; }
  auto begin() const { return list().begin(); }
  auto end() const { return list().end(); }

  // The value given to cert_chain::Builder::set_application_context, if it was a T (null
  // otherwise, and for chains not made by the builder).
  template <class T>
  const T* application_context() const {
    return data_ ? std::any_cast<T>(&data_->context) : nullptr;
  }
  // Whether both share one certificate list (a copy of, or the same chain as, the other).
  bool same_chain(const CertificateChain& other) const {
    return data_ != nullptr && data_ == other.data_;
  }

 private:
  friend class cert_chain::Builder;
  friend struct detail::ChainAccess;
  struct Data {
    std::vector<Certificate> certs;
    std::any context;
  };
  const std::vector<Certificate>& list() const {
    static const std::vector<Certificate> kNone;
    return data_ ? data_->certs : kNone;
  }

  std::shared_ptr<const Data> data_;
  // Set only on chains from cert_chain::Builder: the chain with its key, as a server uses it.
  std::shared_ptr<const detail::CertifiedKey> key_;
};

namespace cert_chain {

// Makes a server certificate chain with its key, for Config::Builder::load_chain and
// set_default_chains. Load exactly one of load_pem / load_public_pem, then build().
class Builder {
 public:
  Builder();
  Builder(Builder&&) noexcept;
  Builder& operator=(Builder&&) noexcept;
  ~Builder();

  // The chain (PEM, leaf first) and the leaf's private key (PEM).
  Status load_pem(std::string_view chain_pem, std::string_view private_key_pem);
  // The chain only: a Config using it signs through its private key callback.
  Status load_public_pem(std::string_view chain_pem);
  // The DER OCSPResponse stapled with this chain when a client asks.
  Status set_ocsp_data(std::span<const uint8_t> der);
  // Any copyable value, readable from the built chain (and from Connection::selected_cert)
  // with application_context<T>().
  template <class T>
  Status set_application_context(T value) {
    context_ = std::move(value);
    return {};
  }
  // The chain; fails with INVALID_STATE when nothing was loaded or it was already built.
  Result<CertificateChain> build();

 private:
  std::unique_ptr<detail::CertifiedKey> pending_;
  std::any context_;
  bool built_ = false;
};

}  // namespace cert_chain

}  // namespace snr
