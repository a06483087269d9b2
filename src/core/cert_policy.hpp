// Security policies whose certificate rules bind the local chains too (rfc9151, cnsa_1, ...:
// PolicyData::cert_prefs_apply_locally): a chain that breaks them is refused when it meets
// the policy (SPEC 5: "adding to a config validates against policy's local-cert
// restrictions"), with SECURITY_POLICY_INCOMPATIBLE_CERT.
#pragma once

#include <memory>
#include <vector>

#include "hs/config_data.hpp"
#include "snr/error.hpp"

namespace snr::detail {

// One chain: every certificate's key must be one of the policy's cert_keys (key type and
// exact size), and every certificate's signature one of its cert_sig_schemes, except the
// signature of a self-signed certificate (a root: nobody relies on it, RFC 8446 4.2.3).
// Always Ok for a policy whose rules do not apply locally.
Status check_local_chain(const PolicyData& policy, const CertifiedKey& chain);

// Every chain a config (or a config being built) holds: the load_pem / load_public_pem one
// and the load_chain ones.
Status check_local_chains(const PolicyData& policy, const ConfigData& config);

}  // namespace snr::detail
