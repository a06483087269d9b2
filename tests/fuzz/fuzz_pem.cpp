// Certificate input: crypto::pem_to_der_chain on the input as PEM text, then
// crypto::certificate_names / certificate_subject on every certificate found and on the
// input itself as DER, and chain validation of what was found against the test CA.
#include "crypto/x509.hpp"
#include "fuzz_common.hpp"

namespace {
const snr::crypto::TrustStore* trust_store() {
  static const std::shared_ptr<snr::crypto::TrustStore> store = [] {
    auto s = snr::crypto::TrustStore::create();
    if (!s.ok() || !(*s)->add_pem(snr::fuzz::read_data_file("ca-cert.pem")).ok()) std::abort();
    return *s;
  }();
  return store.get();
}
[[maybe_unused]] const snr::crypto::TrustStore* kLoaded = trust_store();

void names(snr::ByteView der) {
  auto n = snr::crypto::certificate_names(der);
  (void)snr::crypto::certificate_subject(der);
  if (!n.ok()) return;
  for (const std::string& ip : n->ips) snr::fuzz::check(!ip.empty());
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace snr;
  const ByteView input(data, size);
  names(input);
  auto chain = crypto::pem_to_der_chain(as_string(input));
  if (!chain.ok()) return 0;
  fuzz::check(!chain->empty());
  std::vector<ByteView> views;
  for (const Bytes& der : *chain) {
    fuzz::check(!der.empty());
    names(der);
    views.emplace_back(der);
  }
  crypto::ChainCheck cc;
  cc.store = trust_store();
  cc.time_seconds = fuzz::kFuzzClockNs / 1000000000ULL;
  auto path = crypto::verify_chain(views, cc);
  // A validated path starts at the leaf that was sent and ends at an anchor.
  if (path.ok()) fuzz::check(!path->empty() && path->front() == (*chain)[0]);
  return 0;
}
