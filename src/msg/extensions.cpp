// Extension blocks (RFC 8446 4.2): one table says, per extension type, which messages may carry
// it and how its data is read and written. parse_extensions and write_extensions are the only
// loops; everything extension-specific is a row of kRules.
#include <algorithm>
#include <array>
#include <string>

#include "msg/codec.hpp"
#include "msg/messages.hpp"
#include "util/error_code.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr::msg {

using detail::decode_error;

namespace {

constexpr uint8_t bit(Where w) { return static_cast<uint8_t>(1u << static_cast<unsigned>(w)); }
constexpr uint8_t kCH = bit(Where::ClientHello);
constexpr uint8_t kSH = bit(Where::ServerHello);
constexpr uint8_t kHRR = bit(Where::HelloRetryRequest);
constexpr uint8_t kEE = bit(Where::EncryptedExtensions);
constexpr uint8_t kCR = bit(Where::CertificateRequest);
constexpr uint8_t kNST = bit(Where::NewSessionTicket);
constexpr uint8_t kCT = bit(Where::CertificateEntry);
constexpr uint8_t kAnywhere = 0x7f;

// Hostile input must stay bounded: no real peer sends anywhere near this many.
constexpr size_t kMaxExtensions = 128;

// Reads one extension's data; the caller then checks that it was consumed exactly.
using ParseFn = Status (*)(wire::Reader& r, Where where, Extensions& e);
// Appends one extension's data; false when the fields cannot be encoded for `where`.
using WriteFn = bool (*)(const Extensions& e, Where where, wire::Writer& w);

struct ExtRule {
  uint16_t type;
  uint8_t allowed;  // bitmask of Where values the extension may appear in
  ParseFn parse;    // nullptr: carried uninterpreted in Extensions::unknown
  WriteFn write;
  uint8_t last_in;  // messages in which it must be the last extension
};

// ---- field codecs ----

template <int N, class List>
bool read_u16_list(wire::Reader& r, List& out) {
  wire::Reader list;
  if (!r.prefixed<N>(list) || list.empty() || list.remaining() % 2 != 0) return false;
  out.clear();
  uint16_t v = 0;
  while (list.u16(v)) out.push_back(v);
  return true;
}

template <int N>
void write_u16_list(wire::Writer& w, std::span<const uint16_t> values) {
  w.prefixed<N>([&](wire::Writer& l) {
    for (uint16_t v : values) l.u16(v);
  });
}

bool read_key_share_entry(wire::Reader& r, KeyShareEntry& out) {
  ByteView key;
  // RFC 8446 4.2.8: opaque key_exchange<1..2^16-1>.
  if (!r.u16(out.group) || !r.prefixed_bytes<2>(key) || key.empty()) return false;
  out.key_exchange.assign(key.begin(), key.end());
  return true;
}

void write_key_share_entry(wire::Writer& w, const KeyShareEntry& e) {
  w.u16(e.group);
  w.prefixed_bytes<2>(e.key_exchange);
}

// ---- one parse/write pair per interpreted extension ----

// RFC 6066 3. The client names the server; the server's acknowledgement is empty.
Status parse_server_name(wire::Reader& r, Where where, Extensions& e) {
  if (where != Where::ClientHello) return {};
  wire::Reader list;
  if (!r.prefixed<2>(list) || list.empty()) return decode_error("server_name list");
  bool seen_host_name = false;
  while (!list.empty()) {
    uint8_t name_type = 0;
    ByteView name;
    if (!list.u8(name_type) || !list.prefixed_bytes<2>(name)) return decode_error("server_name");
    // host_name (0) is the only type defined; others are skipped, not guessed at.
    if (name_type != 0) continue;
    if (seen_host_name) return decode_error("more than one host_name");
    if (name.empty() || name.size() > 255 || std::find(name.begin(), name.end(), 0) != name.end())
      return decode_error("invalid host_name");
    e.server_name.assign(as_string(name));
    seen_host_name = true;
  }
  return {};
}

bool write_server_name(const Extensions& e, Where where, wire::Writer& w) {
  if (where != Where::ClientHello) return true;
  // What parse_server_name would reject. A parsed list that held only other name types also
  // ends up here with an empty name: it cannot be written back as it was.
  if (e.server_name.empty() || e.server_name.size() > 255 ||
      e.server_name.find('\0') != std::string::npos)
    return false;
  w.prefixed<2>([&](wire::Writer& l) {
    l.u8(0);
    l.prefixed_bytes<2>(as_bytes(e.server_name));
  });
  return true;
}

// supported_groups, signature_algorithms(_cert): a non-empty u16 list of u16 code points.
template <auto Field>
Status parse_u16_list(wire::Reader& r, Where, Extensions& e) {
  if (!read_u16_list<2>(r, e.*Field)) return decode_error("u16 list");
  return {};
}

template <auto Field>
bool write_u16_list_field(const Extensions& e, Where, wire::Writer& w) {
  write_u16_list<2>(w, e.*Field);
  return true;
}

// psk_key_exchange_modes, ec_point_formats: a non-empty u8 list of u8 values.
template <auto Field>
Status parse_u8_list(wire::Reader& r, Where, Extensions& e) {
  ByteView v;
  if (!r.prefixed_bytes<1>(v) || v.empty()) return decode_error("u8 list");
  (e.*Field).assign(v.begin(), v.end());
  return {};
}

template <auto Field>
bool write_u8_list_field(const Extensions& e, Where, wire::Writer& w) {
  w.prefixed_bytes<1>(e.*Field);
  return true;
}

// RFC 7301 3.1. The server answers with exactly one of the offered names.
Status parse_alpn(wire::Reader& r, Where where, Extensions& e) {
  wire::Reader list;
  if (!r.prefixed<2>(list) || list.empty()) return decode_error("alpn list");
  e.alpn.clear();
  while (!list.empty()) {
    ByteView name;
    if (!list.prefixed_bytes<1>(name) || name.empty()) return decode_error("alpn name");
    e.alpn.emplace_back(name.begin(), name.end());
  }
  if (where != Where::ClientHello && e.alpn.size() != 1)
    return decode_error("alpn: server must select exactly one protocol");
  return {};
}

bool write_alpn(const Extensions& e, Where where, wire::Writer& w) {
  if (where != Where::ClientHello && e.alpn.size() != 1) return false;
  w.prefixed<2>([&](wire::Writer& l) {
    for (const Bytes& name : e.alpn) l.prefixed_bytes<1>(name);
  });
  return true;
}

// RFC 8446 4.2.1. ClientHello offers a list; ServerHello and HRR carry the selected version.
Status parse_supported_versions(wire::Reader& r, Where where, Extensions& e) {
  bool ok = where == Where::ClientHello ? read_u16_list<1>(r, e.supported_versions)
                                        : r.u16(e.selected_version);
  if (!ok) return decode_error("supported_versions");
  return {};
}

bool write_supported_versions(const Extensions& e, Where where, wire::Writer& w) {
  if (where == Where::ClientHello)
    write_u16_list<1>(w, e.supported_versions);
  else
    w.u16(e.selected_version);
  return true;
}

// RFC 8446 4.2.8. ClientHello: a list of shares (possibly empty, to ask for an HRR);
// ServerHello: one share; HelloRetryRequest: just the group.
Status parse_key_share(wire::Reader& r, Where where, Extensions& e) {
  e.key_shares.clear();
  if (where == Where::HelloRetryRequest) {
    if (!r.u16(e.hrr_group)) return decode_error("key_share group");
    return {};
  }
  if (where == Where::ServerHello) {
    KeyShareEntry entry;
    if (!read_key_share_entry(r, entry)) return decode_error("key_share entry");
    e.key_shares.push_back(std::move(entry));
    return {};
  }
  wire::Reader list;
  if (!r.prefixed<2>(list)) return decode_error("key_share list");
  while (!list.empty()) {
    KeyShareEntry entry;
    if (!read_key_share_entry(list, entry)) return decode_error("key_share entry");
    e.key_shares.push_back(std::move(entry));
  }
  return {};
}

bool write_key_share(const Extensions& e, Where where, wire::Writer& w) {
  if (where == Where::HelloRetryRequest) {
    w.u16(e.hrr_group);
  } else if (where == Where::ServerHello) {
    if (e.key_shares.size() != 1) return false;
    write_key_share_entry(w, e.key_shares[0]);
  } else {
    w.prefixed<2>([&](wire::Writer& l) {
      for (const KeyShareEntry& entry : e.key_shares) write_key_share_entry(l, entry);
    });
  }
  return true;
}

// RFC 8446 4.2.2: opaque cookie<1..2^16-1>.
Status parse_cookie(wire::Reader& r, Where, Extensions& e) {
  ByteView v;
  if (!r.prefixed_bytes<2>(v) || v.empty()) return decode_error("cookie");
  e.cookie.assign(v.begin(), v.end());
  return {};
}

bool write_cookie(const Extensions& e, Where, wire::Writer& w) {
  w.prefixed_bytes<2>(e.cookie);
  return true;
}

// RFC 5746 3.2: opaque renegotiated_connection<0..255>.
Status parse_renegotiation_info(wire::Reader& r, Where, Extensions& e) {
  ByteView v;
  if (!r.prefixed_bytes<1>(v)) return decode_error("renegotiation_info");
  e.renegotiation_info.assign(v.begin(), v.end());
  return {};
}

bool write_renegotiation_info(const Extensions& e, Where, wire::Writer& w) {
  w.prefixed_bytes<1>(e.renegotiation_info);
  return true;
}

// RFC 8449 4.
Status parse_record_size_limit(wire::Reader& r, Where, Extensions& e) {
  if (!r.u16(e.record_size_limit)) return decode_error("record_size_limit");
  // "An endpoint MUST treat receipt of a smaller value as a fatal error and generate an
  // illegal_parameter alert."
  if (e.record_size_limit < 64) return make_error(Err::ILLEGAL_PARAMETER, "record_size_limit < 64");
  return {};
}

bool write_record_size_limit(const Extensions& e, Where, wire::Writer& w) {
  w.u16(e.record_size_limit);
  return true;
}

// RFC 8446 4.2.11. ClientHello: OfferedPsks (identities<7..2^16-1>, binders<33..2^16-1>,
// one binder per identity); ServerHello: the selected index.
Status parse_pre_shared_key(wire::Reader& r, Where where, Extensions& e) {
  if (where == Where::ServerHello) {
    if (!r.u16(e.psk_selected_identity)) return decode_error("pre_shared_key selected_identity");
    return {};
  }
  wire::Reader ids, binders;
  if (!r.prefixed<2>(ids) || ids.empty()) return decode_error("psk identities");
  e.psk_identities.clear();
  while (!ids.empty()) {
    PskIdentity id;
    ByteView name;
    if (!ids.prefixed_bytes<2>(name) || name.empty() || !ids.u32(id.obfuscated_ticket_age))
      return decode_error("psk identity");
    id.identity.assign(name.begin(), name.end());
    e.psk_identities.push_back(std::move(id));
  }
  if (!r.prefixed<2>(binders) || binders.empty()) return decode_error("psk binders");
  e.psk_binders.clear();
  while (!binders.empty()) {
    ByteView b;
    // PskBinderEntry<32..255>
    if (!binders.prefixed_bytes<1>(b) || b.size() < 32) return decode_error("psk binder");
    e.psk_binders.emplace_back(b.begin(), b.end());
  }
  // "Clients MUST NOT ... [and servers] MUST validate ... The number of binders must match."
  if (e.psk_binders.size() != e.psk_identities.size())
    return make_error(Err::ILLEGAL_PARAMETER, "psk identities and binders differ in number");
  return {};
}

bool write_pre_shared_key(const Extensions& e, Where where, wire::Writer& w) {
  if (where == Where::ServerHello) {
    w.u16(e.psk_selected_identity);
    return true;
  }
  if (e.psk_identities.empty() || e.psk_identities.size() != e.psk_binders.size()) return false;
  w.prefixed<2>([&](wire::Writer& l) {
    for (const PskIdentity& id : e.psk_identities) {
      l.prefixed_bytes<2>(id.identity);
      l.u32(id.obfuscated_ticket_age);
    }
  });
  w.prefixed<2>([&](wire::Writer& l) {
    for (const Bytes& b : e.psk_binders) l.prefixed_bytes<1>(b);
  });
  return true;
}

// RFC 8446 4.2.10: empty, except max_early_data_size in NewSessionTicket.
Status parse_early_data(wire::Reader& r, Where where, Extensions& e) {
  if (where == Where::NewSessionTicket && !r.u32(e.max_early_data_size))
    return decode_error("early_data max_early_data_size");
  return {};
}

bool write_early_data(const Extensions& e, Where where, wire::Writer& w) {
  if (where == Where::NewSessionTicket) w.u32(e.max_early_data_size);
  return true;
}

// RFC 5077 3.2: the ClientHello's data is the ticket (possibly empty); the ServerHello's is
// empty.
Status parse_session_ticket(wire::Reader& r, Where where, Extensions& e) {
  ByteView v;
  if (!r.bytes(r.remaining(), v)) return decode_error("session_ticket");
  if (where != Where::ClientHello && !v.empty()) return decode_error("session_ticket ack");
  e.session_ticket.assign(v.begin(), v.end());
  return {};
}

bool write_session_ticket(const Extensions& e, Where where, wire::Writer& w) {
  if (where == Where::ClientHello) w.bytes(e.session_ticket);
  return true;
}

// RFC 6066 4: one byte, 1-4. "If a server receives a maximum fragment length negotiation
// request for a value other than the allowed values, it MUST abort the handshake with an
// "illegal_parameter" alert"; a client treats a bad answer alike.
Status parse_max_fragment_length(wire::Reader& r, Where, Extensions& e) {
  if (!r.u8(e.max_fragment_length)) return decode_error("max_fragment_length");
  if (e.max_fragment_length < 1 || e.max_fragment_length > 4)
    return make_error(Err::ILLEGAL_PARAMETER, "max_fragment_length code not 1-4");
  return {};
}

bool write_max_fragment_length(const Extensions& e, Where, wire::Writer& w) {
  w.u8(e.max_fragment_length);
  return true;
}

// RFC 9001 8.2: the QUIC transport parameters, opaque here (the whole extension data).
Status parse_quic_transport_parameters(wire::Reader& r, Where, Extensions& e) {
  ByteView v;
  if (!r.bytes(r.remaining(), v)) return decode_error("quic_transport_parameters");
  e.quic_transport_parameters.assign(v.begin(), v.end());
  return {};
}

bool write_quic_transport_parameters(const Extensions& e, Where, wire::Writer& w) {
  w.bytes(e.quic_transport_parameters);
  return true;
}

// Rows with no parse function are recognized but carried raw, allowed anywhere, until some
// feature interprets them; they still count for the duplicate check.
constexpr std::array<ExtRule, 25> kRules = {{
    {ext::server_name, kCH | kSH | kEE, parse_server_name, write_server_name, 0},
    {ext::supported_groups, kCH | kEE, parse_u16_list<&Extensions::supported_groups>,
     write_u16_list_field<&Extensions::supported_groups>, 0},
    {ext::signature_algorithms, kCH | kCR, parse_u16_list<&Extensions::signature_algorithms>,
     write_u16_list_field<&Extensions::signature_algorithms>, 0},
    {ext::signature_algorithms_cert, kCH | kCR,
     parse_u16_list<&Extensions::signature_algorithms_cert>,
     write_u16_list_field<&Extensions::signature_algorithms_cert>, 0},
    {ext::alpn, kCH | kSH | kEE, parse_alpn, write_alpn, 0},
    {ext::supported_versions, kCH | kSH | kHRR, parse_supported_versions, write_supported_versions,
     0},
    {ext::key_share, kCH | kSH | kHRR, parse_key_share, write_key_share, 0},
    {ext::cookie, kCH | kHRR, parse_cookie, write_cookie, 0},
    {ext::psk_key_exchange_modes, kCH, parse_u8_list<&Extensions::psk_key_exchange_modes>,
     write_u8_list_field<&Extensions::psk_key_exchange_modes>, 0},
    {ext::ec_point_formats, kCH | kSH, parse_u8_list<&Extensions::ec_point_formats>,
     write_u8_list_field<&Extensions::ec_point_formats>, 0},
    {ext::renegotiation_info, kCH | kSH, parse_renegotiation_info, write_renegotiation_info, 0},
    {ext::record_size_limit, kCH | kEE, parse_record_size_limit, write_record_size_limit, 0},
    {ext::extended_master_secret, kAnywhere, nullptr, nullptr, 0},
    {ext::session_ticket, kCH | kSH, parse_session_ticket, write_session_ticket, 0},
    // RFC 6066 8 and RFC 8446 4.2: ClientHello, TLS 1.2 ServerHello, CertificateRequest,
    // Certificate entry; carried raw and read by hs/ocsp.cpp.
    {ext::status_request, kCH | kSH | kCR | kCT, nullptr, nullptr, 0},
    // RFC 8446 4.2.11: "The pre_shared_key extension MUST be the last extension in the
    // ClientHello ... Servers MUST check that it is the last extension and otherwise fail the
    // handshake with an illegal_parameter alert."
    {ext::pre_shared_key, kCH | kSH, parse_pre_shared_key, write_pre_shared_key, kCH},
    {ext::early_data, kCH | kEE | kNST, parse_early_data, write_early_data, 0},
    {ext::signed_certificate_timestamp, kAnywhere, nullptr, nullptr, 0},
    {ext::padding, kAnywhere, nullptr, nullptr, 0},
    {ext::post_handshake_auth, kAnywhere, nullptr, nullptr, 0},
    {ext::certificate_authorities, kAnywhere, nullptr, nullptr, 0},
    {ext::oid_filters, kAnywhere, nullptr, nullptr, 0},
    {ext::quic_transport_parameters, kCH | kEE, parse_quic_transport_parameters,
     write_quic_transport_parameters, 0},
    {ext::max_fragment_length, kCH | kSH | kEE, parse_max_fragment_length,
     write_max_fragment_length, 0},
    {ext::encrypt_then_mac, kAnywhere, nullptr, nullptr, 0},
}};

const ExtRule* find_rule(uint16_t type) {
  for (const ExtRule& rule : kRules)
    if (rule.type == type) return &rule;
  return nullptr;
}

// The rule that interprets `type` in `where`, or nullptr when the data is carried raw. A
// ClientHello may carry anything (servers ignore what they do not use); elsewhere an
// extension the table does not allow is an error (RFC 8446 4.2: "If an implementation
// receives an extension which it recognizes and which is not specified for the message in
// which it appears, it MUST abort the handshake with an illegal_parameter alert").
Result<const ExtRule*> rule_for(uint16_t type, Where where) {
  const ExtRule* rule = find_rule(type);
  if (rule == nullptr) return static_cast<const ExtRule*>(nullptr);
  if ((rule->allowed & bit(where)) == 0) {
    if (where != Where::ClientHello)
      return make_error(Err::ILLEGAL_PARAMETER,
                        "extension " + std::to_string(type) + " not allowed in this message");
    return static_cast<const ExtRule*>(nullptr);
  }
  return rule->parse != nullptr ? rule : nullptr;
}

const RawExtension* find_raw(const Extensions& e, uint16_t type) {
  for (const RawExtension& raw : e.unknown)
    if (raw.type == type) return &raw;
  return nullptr;
}

}  // namespace

size_t psk_binders_size(const Extensions& ext) {
  if (ext.psk_binders.empty()) return 0;
  size_t n = 2;
  for (const Bytes& b : ext.psk_binders) n += 1 + b.size();
  return n;
}

bool Extensions::has(uint16_t type) const {
  return std::find(order.begin(), order.end(), type) != order.end();
}

void Extensions::add(uint16_t type) {
  if (!has(type)) order.push_back(type);
}

namespace detail {

Status read_extensions(wire::Reader& r, Where where, Extensions& out) {
  wire::Reader list;
  if (!r.prefixed<2>(list)) return decode_error("extension block length");
  Extensions e;
  while (!list.empty()) {
    uint16_t type = 0;
    ByteView data;
    if (!list.u16(type) || !list.prefixed_bytes<2>(data)) return decode_error("extension header");
    if (e.order.size() == kMaxExtensions) return decode_error("too many extensions");
    if (e.has(type))
      return make_error(Err::DUPLICATE_EXTENSION, "extension " + std::to_string(type));
    e.order.push_back(type);
    SNR_TRY_ASSIGN(const ExtRule* rule, rule_for(type, where));
    if (rule == nullptr) {
      e.unknown.push_back(RawExtension{type, Bytes(data.begin(), data.end())});
      continue;
    }
    wire::Reader body(data);
    SNR_TRY(rule->parse(body, where, e));
    if (!body.empty()) return decode_error("extension " + std::to_string(type) + " has extra data");
  }
  for (const ExtRule& rule : kRules) {
    if ((rule.last_in & bit(where)) != 0 && e.has(rule.type) && e.order.back() != rule.type)
      return make_error(Err::ILLEGAL_PARAMETER,
                        "extension " + std::to_string(rule.type) + " must be last");
  }
  out = std::move(e);
  return {};
}

bool write_extension_block(const Extensions& ext, Where where, wire::Writer& w) {
  bool ok = true;
  w.prefixed<2>([&](wire::Writer& block) {
    for (auto it = ext.order.begin(); it != ext.order.end() && ok; ++it) {
      const uint16_t type = *it;
      auto rule = rule_for(type, where);
      // A repeated type or one the message may not carry would be rejected by the peer.
      if (!rule.ok() || std::find(ext.order.begin(), it, type) != it) {
        ok = false;
        break;
      }
      block.u16(type);
      block.prefixed<2>([&](wire::Writer& data) {
        if (*rule != nullptr) {
          ok = (*rule)->write(ext, where, data);
        } else if (const RawExtension* raw = find_raw(ext, type)) {
          data.bytes(raw->data);
        }
        // Otherwise the extension is a flag with empty data (e.g. extended_master_secret).
      });
    }
  });
  return ok;
}

}  // namespace detail

Status parse_extensions(ByteView block, Where where, Extensions& out) {
  wire::Reader r(block);
  Extensions parsed;
  SNR_TRY(detail::read_extensions(r, where, parsed));
  if (!r.empty()) return decode_error("data after extension block");
  out = std::move(parsed);
  return {};
}

void write_extensions(const Extensions& ext, Where where, Bytes& out) {
  wire::Writer w(out);
  // The interface has no error channel; serialize() reports these failures as Err::INTERNAL.
  (void)detail::write_extension_block(ext, where, w);
}

}  // namespace snr::msg
