#include "hs/alpn.hpp"

#include <algorithm>

#include "util/error_code.hpp"

namespace snr::hs {

void offer_alpn(const Handshake& hs, msg::Extensions& ext) {
  if (hs.settings.alpn == nullptr || hs.settings.alpn->empty()) return;
  ext.add(msg::ext::alpn);
  ext.alpn = *hs.settings.alpn;
}

Status accept_alpn(Handshake& hs, const msg::Extensions& server_ext) {
  if (!server_ext.has(msg::ext::alpn)) return {};
  const Bytes& chosen = server_ext.alpn.front();
  // RFC 7301 3.1: the server selects one of the client's protocols.
  const auto& offered = *hs.settings.alpn;
  SNR_ENSURE(std::find(offered.begin(), offered.end(), chosen) != offered.end(),
             Err::ILLEGAL_PARAMETER);
  hs.out->alpn = chosen;
  return {};
}

void select_alpn(Handshake& hs, const msg::ClientHello& ch, msg::Extensions& reply) {
  if (!ch.ext.has(msg::ext::alpn) || hs.settings.alpn == nullptr) return;
  for (const Bytes& mine : *hs.settings.alpn) {
    if (std::find(ch.ext.alpn.begin(), ch.ext.alpn.end(), mine) != ch.ext.alpn.end()) {
      hs.out->alpn = mine;
      reply.add(msg::ext::alpn);
      reply.alpn = {mine};
      return;
    }
  }
}

Status check_protocol_name(std::string_view name) {
  SNR_ENSURE(!name.empty() && name.size() <= 255, Err::INVALID_ARGUMENT);
  return {};
}

}  // namespace snr::hs
