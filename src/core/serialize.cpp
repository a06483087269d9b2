// Connection serialization (SPEC 6.11): the record state of an established connection, moved
// into a blob that a fresh Connection of the same mode (in another process, or on another
// host) restores to go on talking to the same peer.
//
// The V1 blob (all integers big-endian). It carries keys in the clear: it has no MAC and no
// encryption, and the caller must protect it.
//
//   u64  serialization version        1
//   u8   protocol version             snr::Version value (31 TLS 1.0 ... 34 TLS 1.3)
//   u16  cipher suite                 IANA value
//   u64  client sequence number       next record number from client to server
//   u64  server sequence number       next record number from server to client
//   u16  max outgoing fragment        512..16384
//   TLS 1.3:
//     u8-length-prefixed client application traffic secret   (the current one, after any
//     u8-length-prefixed server application traffic secret    KeyUpdate; hash-sized)
//     u8-length-prefixed resumption master secret             (hash-sized)
//   TLS 1.0 - 1.2:
//     48 bytes  master secret
//     32 bytes  client random
//     32 bytes  server random          (the key block is re-derived from these three)
//     TLS 1.0 only (its CBC suites chain the IV from record to record):
//     16 bytes  client implicit IV     the IV of the next record from client to server
//     16 bytes  server implicit IV     the IV of the next record from server to client
//
// The blob names directions, not roles, so it has no mode field: restored into a connection
// of the wrong mode, it reads and writes with swapped keys and the first record fails to
// decrypt. Readers accept only versions they know (backward, not forward, compatible).
#include <algorithm>

#include "core/connection_state.hpp"
#include "core/default_config.hpp"
#include "keys/prf12.hpp"
#include "record/protection12.hpp"
#include "snr/connection.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr {

using detail::ConnectionState;

namespace {

constexpr uint64_t kSerializationV1 = 1;
constexpr size_t kFixedSize = 8 + 1 + 2 + 8 + 8 + 2;
constexpr size_t kMasterSecretSize = 48;
constexpr size_t kRandomSize = 32;
constexpr size_t kImplicitIvSize = 16;
// RFC 6066 4: the smallest fragment limit max_fragment_length can negotiate (2^9).
constexpr size_t kMinFragment = 512;

bool known_version(uint8_t v) {
  return v == static_cast<uint8_t>(Version::TLS10) || v == static_cast<uint8_t>(Version::TLS11) ||
         v == static_cast<uint8_t>(Version::TLS12) || v == static_cast<uint8_t>(Version::TLS13);
}

uint16_t wire_version(Version v) {
  switch (v) {
    case Version::TLS10:
      return msg::version::TLS10;
    case Version::TLS11:
      return msg::version::TLS11;
    default:
      return msg::version::TLS12;  // TLS 1.3 records also say 0x0303
  }
}

// The protections in client-to-server and server-to-client order.
struct Directions {
  const record::Protection* client;
  const record::Protection* server;
};
Directions directions(const ConnectionState& s) {
  const record::Protection* w = s.rl.write_protection();
  const record::Protection* r = s.rl.read_protection();
  return s.mode == Mode::Client ? Directions{w, r} : Directions{r, w};
}

// What serialization_length() needs: the format chosen and the version known.
Status check_negotiated(const ConnectionState& s) {
  SNR_ENSURE(s.config && s.config->data().serialization_version == SerializationVersion::V1,
             Err::SERIALIZATION_NOT_ALLOWED);
  SNR_ENSURE(s.complete && !s.failed && s.neg.suite != nullptr && !s.read_closed && !s.write_closed,
             Err::SERIALIZATION_NOT_ALLOWED);
  const Directions d = directions(s);
  SNR_ENSURE(d.client != nullptr && d.server != nullptr, Err::SERIALIZATION_NOT_ALLOWED);
  return {};
}

// serialize() also needs every buffer empty: bytes received but not returned, or written but
// not sent, would be lost with the connection.
Status check_allowed(const ConnectionState& s) {
  SNR_TRY(check_negotiated(s));
  SNR_ENSURE(s.rl.input_empty() && s.app_pending.empty() && s.hs_in.empty(),
             Err::SERIALIZATION_NOT_ALLOWED);
  SNR_ENSURE(s.rl.output_empty() && s.hs_out.empty(), Err::SERIALIZATION_NOT_ALLOWED);
  return {};
}

size_t blob_size(const ConnectionState& s) {
  if (s.neg.version == Version::TLS13) {
    const size_t h = crypto::hash_size(s.neg.suite->hash);
    return kFixedSize + 3 * (1 + h);
  }
  size_t n = kFixedSize + kMasterSecretSize + 2 * kRandomSize;
  if (s.neg.version == Version::TLS10) n += 2 * kImplicitIvSize;
  return n;
}

Status write_blob(const ConnectionState& s, Bytes& out) {
  const Directions d = directions(s);
  wire::Writer w(out);
  w.u64(kSerializationV1);
  w.u8(static_cast<uint8_t>(s.neg.version));
  w.u16(s.neg.suite->iana);
  w.u64(d.client->sequence());
  w.u64(d.server->sequence());
  w.u16(s.rl.max_fragment());
  if (s.neg.version == Version::TLS13) {
    const size_t h = crypto::hash_size(s.neg.suite->hash);
    const ByteView cs = d.client->traffic_secret();
    const ByteView ss = d.server->traffic_secret();
    const ByteView rs = s.neg.resumption_secret.view();
    SNR_ENSURE(cs.size() == h && ss.size() == h && rs.size() == h, Err::SERIALIZATION_NOT_ALLOWED);
    w.prefixed_bytes<1>(cs);
    w.prefixed_bytes<1>(ss);
    w.prefixed_bytes<1>(rs);
  } else {
    SNR_ENSURE(s.neg.master_secret.size() == kMasterSecretSize, Err::SERIALIZATION_NOT_ALLOWED);
    w.bytes(s.neg.master_secret.view());
    w.bytes(s.neg.client_random);
    w.bytes(s.neg.server_random);
    if (s.neg.version == Version::TLS10) {
      const ByteView civ = d.client->implicit_iv();
      const ByteView siv = d.server->implicit_iv();
      SNR_ENSURE(civ.size() == kImplicitIvSize && siv.size() == kImplicitIvSize,
                 Err::SERIALIZATION_NOT_ALLOWED);
      w.bytes(civ);
      w.bytes(siv);
    }
  }
  SNR_ENSURE(w.ok(), Err::INTERNAL);
  return {};
}

// A parsed blob: views into it, checked against the registry.
struct Parsed {
  Version version = Version::Unknown;
  const policy::CipherSuite* suite = nullptr;
  uint64_t client_seq = 0;
  uint64_t server_seq = 0;
  uint16_t max_fragment = 0;
  ByteView client_secret, server_secret, resumption_secret;  // TLS 1.3
  ByteView master, client_random, server_random;             // TLS 1.0 - 1.2
  ByteView client_iv, server_iv;                             // TLS 1.0
};

Result<Parsed> parse_blob(ByteView blob) {
  constexpr Err kBad = Err::INVALID_SERIALIZED_CONNECTION;
  wire::Reader r(blob);
  Parsed p;
  uint64_t format = 0;
  uint8_t version = 0;
  uint16_t suite = 0;
  SNR_ENSURE(r.u64(format) && r.u8(version) && r.u16(suite) && r.u64(p.client_seq) &&
                 r.u64(p.server_seq) && r.u16(p.max_fragment),
             kBad);
  SNR_ENSURE(format == kSerializationV1, kBad);
  SNR_ENSURE(known_version(version), kBad);
  p.version = static_cast<Version>(version);
  p.suite = policy::find_suite(suite);
  SNR_ENSURE(p.suite != nullptr && p.suite->implemented, kBad);
  SNR_ENSURE(p.suite->is_tls13() == (p.version == Version::TLS13), kBad);
  SNR_ENSURE(p.suite->min_version <= p.version, kBad);
  SNR_ENSURE(p.max_fragment >= kMinFragment && p.max_fragment <= record::kMaxPlaintext, kBad);
  if (p.version == Version::TLS13) {
    const size_t h = crypto::hash_size(p.suite->hash);
    SNR_ENSURE(r.prefixed_bytes<1>(p.client_secret) && r.prefixed_bytes<1>(p.server_secret) &&
                   r.prefixed_bytes<1>(p.resumption_secret),
               kBad);
    SNR_ENSURE(p.client_secret.size() == h && p.server_secret.size() == h &&
                   p.resumption_secret.size() == h,
               kBad);
  } else {
    SNR_ENSURE(r.bytes(kMasterSecretSize, p.master) && r.bytes(kRandomSize, p.client_random) &&
                   r.bytes(kRandomSize, p.server_random),
               kBad);
    if (p.version == Version::TLS10)
      SNR_ENSURE(r.bytes(kImplicitIvSize, p.client_iv) && r.bytes(kImplicitIvSize, p.server_iv),
                 kBad);
  }
  SNR_ENSURE(r.empty(), kBad);
  return p;
}

struct Protections {
  std::unique_ptr<record::Protection> client, server;
};

Result<Protections> make_protections(const Parsed& p) {
  Protections out;
  const policy::CipherSuite& suite = *p.suite;
  if (p.version == Version::TLS13) {
    SNR_TRY_ASSIGN(out.client,
                   record::Protection13::create(suite.aead(), suite.hash, p.client_secret));
    SNR_TRY_ASSIGN(out.server,
                   record::Protection13::create(suite.aead(), suite.hash, p.server_secret));
  } else {
    SNR_TRY_ASSIGN(keys::KeyBlock kb,
                   keys::key_block(suite, p.version, p.master, p.client_random, p.server_random));
    if (p.version == Version::TLS10) {
      // The key block's IVs served the first records only; the chain has moved on.
      kb.client.iv.assign(p.client_iv);
      kb.server.iv.assign(p.server_iv);
    }
    SNR_TRY_ASSIGN(out.client, record::make_protection12(suite, p.version, kb.client));
    SNR_TRY_ASSIGN(out.server, record::make_protection12(suite, p.version, kb.server));
  }
  out.client->set_sequence(p.client_seq);
  out.server->set_sequence(p.server_seq);
  return out;
}

}  // namespace

Result<size_t> Connection::serialization_length() const {
  SNR_TRY(check_negotiated(*s_));
  return blob_size(*s_);
}

Status Connection::serialize(std::span<uint8_t> out) {
  ConnectionState& s = *s_;
  SNR_TRY(check_allowed(s));
  const size_t n = blob_size(s);
  SNR_ENSURE(out.size() >= n, Err::BUFFER_TOO_SMALL);
  Bytes blob;
  blob.reserve(n);  // no reallocation: no stray copies of the secrets
  Status st = write_blob(s, blob);
  if (st.ok() && blob.size() != n) st = make_error(Err::INTERNAL, "serialized size");
  if (st.ok()) std::copy(blob.begin(), blob.end(), out.begin());
  secure_wipe(blob.data(), blob.size());
  SNR_TRY(std::move(st));

  // The keys now live in the blob. Another connection restored from it would reuse this one's
  // nonces if both went on writing, so this one is closed for good and forgets its keys.
  s.rl.set_read_protection(nullptr);
  s.rl.set_write_protection(nullptr);
  s.rl.release_input();
  s.rl.release_output();
  s.neg.master_secret.wipe();
  s.neg.resumption_secret = crypto::Digest();
  s.neg.exporter_secret = crypto::Digest();
  s.read_closed = s.write_closed = true;
  s.failed = make_error(Err::CLOSED, "the connection was serialized");
  return {};
}

Status Connection::deserialize(std::span<const uint8_t> blob) {
  ConnectionState& s = *s_;
  SNR_ENSURE(!s.hs && !s.complete && !s.failed, Err::INVALID_STATE);
  SNR_TRY_ASSIGN(Parsed p, parse_blob(blob));
  auto prot = make_protections(p);
  if (!prot.ok()) {
    // The blob parsed but its keys do not make protections (a format checked above should
    // rule this out); either way the blob is at fault.
    return make_error(Err::INVALID_SERIALIZED_CONNECTION, prot.error().message());
  }
  std::optional<Config> config;
  if (!s.config) {
    SNR_TRY_ASSIGN(Config c, detail::default_config(s.mode));
    config = std::move(c);
  }

  // Nothing fails from here on.
  if (config) s.config = std::move(config);
  Protections& pr = prot.value();
  if (s.mode == Mode::Client) {
    s.rl.set_write_protection(std::move(pr.client));
    s.rl.set_read_protection(std::move(pr.server));
  } else {
    s.rl.set_read_protection(std::move(pr.client));
    s.rl.set_write_protection(std::move(pr.server));
  }
  s.rl.set_record_version(wire_version(p.version));
  s.rl.set_max_fragment(p.max_fragment);
  s.neg.version = p.version;
  s.neg.suite = p.suite;
  if (p.version == Version::TLS13) {
    s.neg.resumption_secret.len = p.resumption_secret.size();
    std::copy(p.resumption_secret.begin(), p.resumption_secret.end(),
              s.neg.resumption_secret.bytes.begin());
  } else {
    s.neg.master_secret.assign(p.master);
    std::copy(p.client_random.begin(), p.client_random.end(), s.neg.client_random.begin());
    std::copy(p.server_random.begin(), p.server_random.end(), s.neg.server_random.begin());
  }
  s.complete = true;
  return {};
}

}  // namespace snr
