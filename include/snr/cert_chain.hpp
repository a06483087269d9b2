// snr::CertificateChain: an owned list of DER certificates, leaf first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace snr {

class Certificate {
 public:
  explicit Certificate(std::vector<uint8_t> der) : der_(std::move(der)) {}
  std::span<const uint8_t> der() const { return der_; }
  // One-line subject, e.g. "CN=localhost, O=snr test" (empty if it cannot be parsed).
  std::string subject() const;

 private:
  std::vector<uint8_t> der_;
};

class CertificateChain {
 public:
  CertificateChain() = default;
  explicit CertificateChain(std::vector<Certificate> certs) : certs_(std::move(certs)) {}
  size_t len() const { return certs_.size(); }
  bool is_empty() const { return certs_.empty(); }
  const Certificate& operator[](size_t i) const { return certs_[i]; }
  auto begin() const { return certs_.begin(); }
  auto end() const { return certs_.end(); }

 private:
  std::vector<Certificate> certs_;
};

}  // namespace snr
