#include "hs/mfl.hpp"

#include "util/error_code.hpp"

namespace snr::hs {

namespace ext = msg::ext;

uint16_t mfl_bytes(uint8_t code) {
  if (code < 1 || code > 4) return 0;
  return static_cast<uint16_t>(1u << (8 + code));
}

void offer_mfl(const Handshake& hs, msg::Extensions& ch) {
  const uint8_t code = hs.settings.config->send_mfl;
  if (code == 0) return;
  ch.add(ext::max_fragment_length);
  ch.max_fragment_length = code;
}

void answer_mfl(Handshake& hs, const msg::Extensions& offered, msg::Extensions& reply) {
  if (!hs.settings.config->accept_mfl || !offered.has(ext::max_fragment_length)) return;
  // The parser has refused codes outside 1-4.
  reply.add(ext::max_fragment_length);
  reply.max_fragment_length = offered.max_fragment_length;
  hs.out->max_fragment_length = mfl_bytes(offered.max_fragment_length);
}

Status accept_mfl_answer(Handshake& hs, const msg::Extensions& reply) {
  if (!reply.has(ext::max_fragment_length)) return {};
  const uint8_t asked = hs.settings.config->send_mfl;
  if (asked == 0 || reply.max_fragment_length != asked)
    return make_error(Err::ILLEGAL_PARAMETER,
                      "max_fragment_length answer differs from the request");
  hs.out->max_fragment_length = mfl_bytes(asked);
  return {};
}

}  // namespace snr::hs
