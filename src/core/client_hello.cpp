// ClientHello parsing for inspection and fingerprinting. The handshake has its own parser
// (msg::parse_client_hello), which interprets and validates each extension it knows; this one
// keeps every extension as raw bytes, so that a hello the handshake would refuse can still be
// inspected and fingerprinted.
#include "snr/client_hello.hpp"

#include <algorithm>

#include "core/connection_state.hpp"
#include "msg/types.hpp"
#include "util/error_code.hpp"
#include "util/small_vector.hpp"
#include "wire/reader.hpp"

namespace snr {

namespace {

constexpr size_t kHeaderSize = 4;
constexpr size_t kRandomSize = 32;
constexpr size_t kMaxSessionId = 32;
constexpr uint8_t kHostName = 0;  // NameType host_name (RFC 6066 3)

Error decode_error(const char* what) {
  return make_error(Err::DECODE, std::string("ClientHello: ") + what);
}

// RFC 6066 3: ServerNameList <1..2^16-1>, entries {NameType, opaque<1..2^16-1>}. The first
// host_name counts (empty without one); names of other (unassigned) types are skipped.
Result<ByteView> parse_server_name(ByteView data) {
  wire::Reader r(data);
  wire::Reader list;
  if (!r.prefixed<2>(list) || !r.empty()) return decode_error("bad server_name");
  ByteView first;
  bool found = false;
  while (!list.empty()) {
    uint8_t type = 0;
    ByteView name;
    if (!list.u8(type) || !list.prefixed_bytes<2>(name)) return decode_error("bad server_name");
    if (type == kHostName && !found) {
      first = name;
      found = true;
    }
  }
  return first;
}

// The u16 list of supported_groups, appended to `out`.
Status parse_u16_list(ByteView data, std::vector<uint16_t>& out) {
  wire::Reader r(data);
  wire::Reader list;
  if (!r.prefixed<2>(list) || !r.empty() || list.remaining() % 2 != 0)
    return decode_error("bad supported_groups");
  out.reserve(out.size() + list.remaining() / 2);
  uint16_t v = 0;
  while (list.u16(v)) out.push_back(v);
  return {};
}

}  // namespace

template <class F>
void ClientHello::find_extension(F&& f) const {
  wire::Reader exts(slice(extension_block_));
  uint16_t type = 0;
  ByteView data;
  // parse() checked the block, so each read succeeds.
  while (exts.u16(type) && exts.prefixed_bytes<2>(data)) {
    if (f(type, data)) return;
  }
}

Result<ClientHello> ClientHello::parse(std::span<const uint8_t> message) {
  wire::Reader hdr(message);
  uint8_t type = 0;
  uint32_t len = 0;
  if (!hdr.u8(type) || !hdr.u24(len)) return decode_error("truncated header");
  if (type != static_cast<uint8_t>(msg::HandshakeType::client_hello))
    return decode_error("not a ClientHello");
  if (hdr.remaining() != len) return decode_error("length does not match the message");

  ClientHello ch;
  const ByteView body = message.subspan(kHeaderSize);
  wire::Reader r(body);
  // The slice of the body that `part` (a view into it) is.
  auto slice_of = [&body](ByteView part) {
    return Slice{static_cast<uint32_t>(part.data() - body.data()),
                 static_cast<uint32_t>(part.size())};
  };

  if (!r.u16(ch.legacy_version_)) return decode_error("truncated legacy_version");
  if (!r.copy(ch.random_)) return decode_error("truncated random");

  ByteView session_id;
  if (!r.prefixed_bytes<1>(session_id)) return decode_error("truncated session_id");
  if (session_id.size() > kMaxSessionId) return decode_error("session_id longer than 32 bytes");
  ch.session_id_ = slice_of(session_id);

  wire::Reader suites;
  if (!r.prefixed<2>(suites)) return decode_error("truncated cipher_suites");
  if (suites.remaining() % 2 != 0) return decode_error("odd cipher_suites length");
  ByteView compression;
  if (!r.prefixed_bytes<1>(compression)) return decode_error("truncated compression_methods");
  ch.compression_methods_ = slice_of(compression);

  std::optional<ByteView> sni;
  std::optional<ByteView> groups;
  // RFC 5246 7.4.1.2: a hello may end here, without an extension block.
  if (!r.empty()) {
    ByteView block;
    if (!r.prefixed_bytes<2>(block)) return decode_error("truncated extensions");
    if (!r.empty()) return decode_error("bytes after the extensions");
    ch.extension_block_ = slice_of(block);
    // RFC 8446 4.2 (and RFC 5246 7.4.1.4): no extension type may appear twice. Sorted, not
    // compared pairwise: a 64 KiB block can hold 16 Ki empty extensions.
    SmallVector<uint16_t, 32> types;
    wire::Reader exts(block);
    while (!exts.empty()) {
      uint16_t ext_type = 0;
      ByteView data;
      if (!exts.u16(ext_type) || !exts.prefixed_bytes<2>(data))
        return decode_error("truncated extension");
      types.push_back(ext_type);
      if (ext_type == msg::ext::server_name) sni = data;
      if (ext_type == msg::ext::supported_groups) groups = data;
    }
    std::sort(types.begin(), types.end());
    if (std::adjacent_find(types.begin(), types.end()) != types.end())
      return make_error(Err::DUPLICATE_EXTENSION, "in ClientHello");
  }

  if (sni) {
    SNR_TRY_ASSIGN(const ByteView name, parse_server_name(*sni));
    if (!name.empty()) ch.server_name_ = slice_of(name);
  }
  ch.numbers_.reserve(suites.remaining() / 2);
  uint16_t suite = 0;
  while (suites.u16(suite)) ch.numbers_.push_back(suite);
  ch.suite_count_ = ch.numbers_.size();
  if (groups) SNR_TRY(parse_u16_list(*groups, ch.numbers_));

  // Slices taken from `body` index the copy alike. s2n zeroes the random in the raw message;
  // random() still reports it.
  ch.message_.assign(body.begin(), body.end());
  std::fill_n(ch.message_.begin() + sizeof(uint16_t), kRandomSize, uint8_t{0});
  return ch;
}

std::vector<ClientHello::Extension> ClientHello::extensions() const {
  std::vector<Extension> out;
  find_extension([&out](uint16_t type, ByteView data) {
    out.push_back(Extension{type, data});
    return false;
  });
  return out;
}

std::optional<std::span<const uint8_t>> ClientHello::extension(uint16_t type) const {
  std::optional<std::span<const uint8_t>> found;
  find_extension([&](uint16_t t, ByteView data) {
    if (t == type) found = data;
    return found.has_value();
  });
  return found;
}

Result<Fingerprint> ClientHello::fingerprint(FingerprintType type) const {
  return fingerprint::Builder(type).build(*this);
}

// Connection's accessor lives here so that connection.cpp needs no change for it.
const ClientHello* Connection::client_hello() const {
  if (s_->mode != Mode::Server || !s_->client_hello) return nullptr;
  return &*s_->client_hello;
}

}  // namespace snr
