#include "resume/session_state.hpp"

#include "crypto/hash.hpp"
#include "policy/registry.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr::resume {
namespace {

constexpr uint8_t kStateFormat = 1;
constexpr uint8_t kFlagExtendedMasterSecret = 0x01;
constexpr uint8_t kFlagClientAuthenticated = 0x02;
constexpr uint8_t kKnownFlags = kFlagExtendedMasterSecret | kFlagClientAuthenticated;
constexpr size_t kMasterSecretSize = 48;
constexpr size_t kMaxSessionIdSize = 32;

Error invalid(std::string detail) {
  return make_error(Err::INVALID_SERIALIZED_SESSION_STATE, std::move(detail));
}

bool known_version(Version v) {
  switch (v) {
    case Version::SSLV3:
    case Version::TLS10:
    case Version::TLS11:
    case Version::TLS12:
    case Version::TLS13:
      return true;
    default:
      return false;
  }
}

// The checks both directions share, so that encode never writes what decode would refuse.
Status check_state(const SessionState& s) {
  if (!known_version(s.version)) return invalid("unknown protocol version");
  const policy::CipherSuite* suite = policy::find_suite(s.cipher_suite);
  if (suite == nullptr) return invalid("unknown cipher suite");
  if (s.version == Version::TLS13) {
    if (!suite->is_tls13()) return invalid("cipher suite is not a TLS 1.3 suite");
    // The PSK comes out of the suite's HKDF, so it is exactly one hash long.
    if (s.secret.size() != crypto::hash_size(suite->hash))
      return invalid("secret size does not match the suite's hash");
  } else {
    if (suite->is_tls13() || suite->min_version > s.version)
      return invalid("cipher suite does not exist in this protocol version");
    if (s.secret.size() != kMasterSecretSize) return invalid("master secret is not 48 bytes");
  }
  if (s.alpn.size() > 255) return invalid("alpn longer than 255 bytes");
  if (s.server_name.size() > 255) return invalid("server name longer than 255 bytes");
  return {};
}

// The encoding's size: reserved up front, so that no reallocation leaves a copy of the secret
// in freed memory.
size_t state_size(const SessionState& s) {
  return 1 + 1 + 2 + 8 + 4 + 4 + 8 + 4 + 1 + 3 + s.secret.size() + s.alpn.size() +
         s.server_name.size();
}

void write_state(const SessionState& s, wire::Writer& w) {
  w.u8(kStateFormat);
  w.u8(static_cast<uint8_t>(s.version));
  w.u16(s.cipher_suite);
  w.u64(s.issue_time);
  w.u32(s.lifetime);
  w.u32(s.ticket_age_add);
  w.u64(s.keying_material_expiry);
  w.u32(s.max_early_data);
  w.u8((s.extended_master_secret ? kFlagExtendedMasterSecret : 0) |
       (s.client_authenticated ? kFlagClientAuthenticated : 0));
  w.prefixed_bytes<1>(s.secret.view());
  w.prefixed_bytes<1>(s.alpn);
  w.prefixed_bytes<1>(as_bytes(s.server_name));
}

Result<SessionState> read_state(wire::Reader& r) {
  SessionState s;
  uint8_t format = 0;
  uint8_t version = 0;
  uint8_t flags = 0;
  ByteView secret;
  ByteView alpn;
  ByteView server_name;
  if (!r.u8(format)) return invalid("truncated");
  if (format != kStateFormat) return invalid("unknown format");
  if (!r.u8(version) || !r.u16(s.cipher_suite) || !r.u64(s.issue_time) || !r.u32(s.lifetime) ||
      !r.u32(s.ticket_age_add) || !r.u64(s.keying_material_expiry) || !r.u32(s.max_early_data) ||
      !r.u8(flags) || !r.prefixed_bytes<1>(secret) || !r.prefixed_bytes<1>(alpn) ||
      !r.prefixed_bytes<1>(server_name)) {
    return invalid("truncated");
  }
  if (!r.empty()) return invalid("trailing bytes");
  // Unknown flags are refused rather than dropped: a blob must decode to one meaning only.
  if ((flags & ~kKnownFlags) != 0) return invalid("unknown flags");
  s.version = static_cast<Version>(version);
  s.extended_master_secret = (flags & kFlagExtendedMasterSecret) != 0;
  s.client_authenticated = (flags & kFlagClientAuthenticated) != 0;
  s.secret.assign(secret);
  s.alpn.assign(alpn.begin(), alpn.end());
  s.server_name.assign(as_string(server_name));
  SNR_TRY(check_state(s));
  return s;
}

Status check_id(ClientSession::Kind kind, size_t size) {
  switch (kind) {
    case ClientSession::Kind::SessionId:
      if (size < 1 || size > kMaxSessionIdSize) return invalid("session id must be 1-32 bytes");
      return {};
    case ClientSession::Kind::Ticket:
      if (size < 1 || size > 0xFFFF) return invalid("ticket must be 1-65535 bytes");
      return {};
  }
  return invalid("unknown session kind");
}

}  // namespace

Status encode_state(const SessionState& s, Bytes& out) {
  SNR_TRY(check_state(s));
  const size_t start = out.size();
  out.reserve(start + state_size(s));
  wire::Writer w(out);
  write_state(s, w);
  if (!w.ok()) {
    out.resize(start);
    return invalid("field out of range");
  }
  return {};
}

Result<SessionState> decode_state(ByteView in) {
  wire::Reader r(in);
  return read_state(r);
}

Status encode_client_session(const ClientSession& s, Bytes& out) {
  SNR_TRY(check_id(s.kind, s.id.size()));
  SNR_TRY(check_state(s.state));
  const size_t start = out.size();
  out.reserve(start + 3 + s.id.size() + state_size(s.state));
  wire::Writer w(out);
  w.u8(static_cast<uint8_t>(s.kind));
  w.prefixed<2>([&](wire::Writer& inner) { inner.bytes(s.id); });
  write_state(s.state, w);
  if (!w.ok()) {
    out.resize(start);
    return invalid("field out of range");
  }
  return {};
}

Result<ClientSession> decode_client_session(ByteView in) {
  wire::Reader r(in);
  ClientSession s;
  uint8_t kind = 0;
  ByteView id;
  if (!r.u8(kind) || !r.prefixed_bytes<2>(id)) return invalid("truncated");
  if (kind != static_cast<uint8_t>(ClientSession::Kind::SessionId) &&
      kind != static_cast<uint8_t>(ClientSession::Kind::Ticket)) {
    return invalid("unknown session kind");
  }
  s.kind = static_cast<ClientSession::Kind>(kind);
  SNR_TRY(check_id(s.kind, id.size()));
  s.id.assign(id.begin(), id.end());
  SNR_TRY_ASSIGN(s.state, read_state(r));
  return s;
}

}  // namespace snr::resume
