#include "crypto/provider.hpp"

#include "crypto/random.hpp"

namespace snr::crypto {

Status Provider::random(MutByteView out) { return random_bytes(out); }

Result<KeyShare> Provider::generate_key_share(uint16_t group) { return KeyShare::generate(group); }

Result<Bytes> Provider::sign(const PrivateKey& key, SigParams params, ByteView message) {
  return key.sign(params, message);
}

Status Provider::verify(const PublicKey& key, SigParams params, ByteView message,
                        ByteView signature) {
  return key.verify(params, message, signature);
}

Result<SecureBytes> Provider::derive(const KeyShare& mine, ByteView peer_public) {
  return mine.derive(peer_public);
}

Provider& Provider::system() {
  static Provider instance;
  return instance;
}

}  // namespace snr::crypto
