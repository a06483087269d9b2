// The TLS 1.2 PRF (RFC 5246 5) and the TLS 1.0/1.1 one (RFC 2246 5: P_MD5 xor P_SHA1), the
// master secret (with RFC 7627's extended variant), the key block and Finished.
#pragma once

#include <string_view>

#include "crypto/hash.hpp"
#include "policy/registry.hpp"
#include "snr/enums.hpp"
#include "snr/error.hpp"
#include "util/bytes.hpp"

namespace snr::keys {

// PRF(secret, label, seed1 + seed2) into out. For version < TLS12 the hash argument is
// ignored and the MD5/SHA-1 PRF is used.
Status prf12(Version version, crypto::HashAlg hash, ByteView secret, std::string_view label,
             ByteView seed1, ByteView seed2, MutByteView out);

// 48 bytes: PRF(pre_master, "master secret", client_random + server_random), or with
// extended master secret PRF(pre_master, "extended master secret", session_hash).
Result<SecureBytes> master_secret(Version version, crypto::HashAlg hash, ByteView pre_master,
                                  ByteView client_random, ByteView server_random);
Result<SecureBytes> extended_master_secret(Version version, crypto::HashAlg hash,
                                           ByteView pre_master, ByteView session_hash);

// One direction's record keys from the key block (RFC 5246 6.3).
struct DirectionKeys {
  SecureBytes mac_key;  // empty for AEAD suites
  SecureBytes enc_key;
  SecureBytes iv;  // GCM: 4-byte salt; ChaCha20: 12 bytes; CBC: TLS 1.0 only (16)
};
struct KeyBlock {
  DirectionKeys client, server;
};
Result<KeyBlock> key_block(const policy::CipherSuite& suite, Version version, ByteView master,
                           ByteView client_random, ByteView server_random);

// 12-byte verify_data: PRF(master, "client finished"/"server finished", handshake_hash).
Result<Bytes> finished12(Version version, crypto::HashAlg hash, ByteView master, bool client,
                         ByteView handshake_hash);

}  // namespace snr::keys
