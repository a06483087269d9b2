// Public enumerations, named as in s2n-tls's Rust bindings.
#pragma once

#include <cstdint>
#include <string_view>

namespace snr {

enum class Mode : uint8_t { Server, Client };

// Numeric values match s2n's C API (s2n_tls_version).
enum class Version : uint8_t {
  Unknown = 0,
  SSLV2 = 20,
  SSLV3 = 30,
  TLS10 = 31,
  TLS11 = 32,
  TLS12 = 33,
  TLS13 = 34,
};
// "TLSv1.3", "TLSv1.2", ... (the names openssl prints).
std::string_view to_string(Version v);

enum class Blinding : uint8_t { SelfService, BuiltIn };
enum class ClientAuthType : uint8_t { Required, Optional, None };
// Connection::request_key_update: whether the peer is asked to update its key too (s2n's
// spelling; s2n accepts only KeyUpdateNotRequested, snr both).
enum class PeerKeyUpdate : uint8_t { KeyUpdateNotRequested, KeyUpdatedRequested };
// What a TLS 1.2 (and older) warning alert does (s2n_alert_behavior). TLS 1.3 alerts other
// than close_notify and user_canceled are always fatal (RFC 8446 6.2).
enum class AlertBehavior : uint8_t { FailOnWarnings, IgnoreWarnings };
// The format Connection::serialize writes (SPEC 6.11); None forbids serialization.
enum class SerializationVersion : uint8_t { None, V1 };

// Values match s2n's C API (s2n_tls_signature_algorithm).
enum class SignatureAlgorithm : uint8_t {
  Anonymous = 0,
  RSA_PKCS1 = 1,
  ECDSA = 3,
  MLDSA = 9,
  RSA_PSS_RSAE = 224,
  RSA_PSS_PSS = 225,
  ED25519 = 226,  // not in s2n; snr supports ed25519 certificates
};

// Values match s2n's C API (s2n_tls_hash_algorithm).
enum class HashAlgorithm : uint8_t {
  None = 0,
  MD5 = 1,
  SHA1 = 2,
  SHA224 = 3,
  SHA256 = 4,
  SHA384 = 5,
  SHA512 = 6,
  MD5_SHA1 = 224,
};

// External PSKs (snr::Psk): the hash of the PSK's key schedule.
enum class PskHmac : uint8_t { SHA256, SHA384 };
// Which kind of PSK a connection uses: resumption tickets or external keys (exclusive).
enum class PskMode : uint8_t { Resumption, External };

// 0-RTT (Connection::early_data_status): not offered; offered and not answered yet; taken
// by the server; refused (the application data must be sent again after the handshake).
enum class EarlyDataStatus : uint8_t { NotRequested, Requested, Accepted, Rejected };

// max_fragment_length (RFC 6066 4): the largest record plaintext a client asks for, as s2n's
// s2n_max_frag_len; the values are the extension's codes (2^9 to 2^12 bytes).
enum class MaxFragmentLength : uint8_t { Len512 = 1, Len1024 = 2, Len2048 = 3, Len4096 = 4 };

// ClientHello fingerprints (snr::fingerprint::Builder).
enum class FingerprintType : uint8_t { JA3, JA4 };

// How the server's certificate matched the client's server_name
// (Connection::certificate_match): no name sent; a chain named exactly; a chain for
// "*.<parent>"; neither, so a default chain.
enum class CertSNIMatch : uint8_t { NoSNI, ExactMatch, WildcardMatch, NoMatch };

}  // namespace snr
