#include "hs/early13.hpp"

#include <algorithm>

#include "hs/common13.hpp"
#include "util/error_code.hpp"

namespace snr::hs {
namespace {

namespace ext = msg::ext;
constexpr uint64_t kNsPerMs = 1'000'000;

void remove_ext(msg::Extensions& e, uint16_t type) {
  e.order.erase(std::remove(e.order.begin(), e.order.end(), type), e.order.end());
}

}  // namespace

void offer_early_data(Handshake& hs, msg::ClientHello& ch) {
  if (!hs.settings.send_early_data || hs.offered_psks.empty()) return;
  // RFC 8446 4.2.10: early data is protected with the first offered PSK.
  const Handshake::Psk& first = hs.offered_psks.front();
  if (!first.state || first.state->max_early_data == 0) return;
  const policy::CipherSuite* suite = policy::find_suite(first.state->cipher_suite);
  if (suite == nullptr || !contains(ch.cipher_suites, suite->iana)) return;
  hs.early_suite = suite;
  hs.out->max_early_data = first.state->max_early_data;
  hs.out->early_data = EarlyState::Requested;
  // early_data goes before pre_shared_key, which stays last.
  ch.ext.add(ext::early_data);
  remove_ext(ch.ext, ext::pre_shared_key);
  ch.ext.order.push_back(ext::pre_shared_key);
}

Status start_early_data(Handshake& hs) {
  if (hs.out->early_data != EarlyState::Requested) return {};
  const Handshake::Psk& first = hs.offered_psks.front();
  keys::KeySchedule ks(first.hash);
  SNR_TRY(ks.early(first.secret.view()));
  SNR_TRY_ASSIGN(crypto::Digest ch_hash, hs.transcript.current_with(first.hash, {}));
  SNR_TRY_ASSIGN(hs.early_secret, ks.client_early_traffic_secret(ch_hash.view()));
  log_secret(hs, "CLIENT_EARLY_TRAFFIC_SECRET", hs.early_secret);
  // RFC 8446 5.1: every record after the initial ClientHello says 0x0303.
  hs.io->version_known(msg::version::TLS12);
  // RFC 8446 D.4: the compatibility CCS goes right after the first ClientHello when the
  // client sends early data.
  if (!hs.session_id.empty() && !hs.ccs_sent) hs.out->flags |= flag::EARLY_CLIENT_CCS;
  SNR_TRY(maybe_send_ccs(hs));
  SNR_TRY(hs.io->set_write_secret(*hs.early_suite, hs.early_secret.view()));
  hs.io->set_early_data(EarlyMode::ClientSending, hs.out->max_early_data);
  return {};
}

Status cancel_early_data(Handshake& hs, msg::ClientHello& ch) {
  if (hs.out->early_data != EarlyState::Requested) return {};
  hs.out->early_data = EarlyState::Rejected;
  hs.io->set_early_data(EarlyMode::None, 0);
  hs.early_secret = crypto::Digest();
  // "A client MUST NOT include the "early_data" extension in its followup ClientHello."
  remove_ext(ch.ext, ext::early_data);
  return hs.io->clear_write_key();
}

Status accept_early_data_answer(Handshake& hs, const msg::Extensions& ee) {
  if (ee.has(ext::early_data)) {
    // Only what was offered, and only on the first PSK with its own suite (RFC 8446 4.2.10).
    SNR_ENSURE(hs.out->early_data == EarlyState::Requested && hs.psk && hs.psk->state &&
                   hs.out->suite == hs.early_suite && hs.psk_index == 0,
               Err::BAD_EARLY_DATA);
    hs.out->early_data = EarlyState::Accepted;
    hs.out->flags |= flag::WITH_EARLY_DATA;
    return {};
  }
  if (hs.out->early_data != EarlyState::Requested) return {};
  hs.out->early_data = EarlyState::Rejected;
  hs.io->set_early_data(EarlyMode::None, 0);
  hs.early_secret = crypto::Digest();
  return hs.io->set_write_secret(*hs.out->suite, hs.ks->client_handshake_secret().view());
}

Status finish_early_data(Handshake& hs) {
  if (hs.out->early_data != EarlyState::Accepted) return {};
  hs.io->set_early_data(EarlyMode::None, 0);
  // EndOfEarlyData: type 5, empty (RFC 8446 4.5), still under the early key. QUIC has none
  // (RFC 9001 8.3).
  if (!hs.settings.quic) {
    static constexpr uint8_t kEndOfEarlyData[4] = {5, 0, 0, 0};
    SNR_TRY(emit(hs, kEndOfEarlyData));
  }
  hs.early_secret = crypto::Digest();
  return hs.io->set_write_secret(*hs.out->suite, hs.ks->client_handshake_secret().view());
}

Status consider_early_data(Handshake& hs, const msg::ClientHello& ch) {
  if (!ch.ext.has(ext::early_data)) return {};
  // Offered: whatever happens, records the server cannot read are skipped up to its limit.
  const uint32_t limit = hs.settings.max_early_data;
  hs.out->early_data = EarlyState::Rejected;
  // A compatibility-mode client sends its CCS right after the ClientHello (as s2n flags it).
  if (!ch.session_id.empty()) hs.out->flags |= flag::EARLY_CLIENT_CCS;
  hs.out->max_early_data = limit;
  if (!hs.psk || !hs.psk->state || hs.psk_index != 0 || hs.hello_retry || limit == 0) return {};
  const resume::SessionState& st = *hs.psk->state;
  // RFC 8446 4.2.10: the same suite and ALPN as the ticket's session, and early data allowed
  // when the ticket was issued.
  if (st.max_early_data == 0 || hs.out->suite->iana != st.cipher_suite) return {};
  Bytes alpn_now;
  if (ch.ext.has(ext::alpn) && hs.settings.alpn != nullptr) {
    for (const Bytes& mine : *hs.settings.alpn)
      if (std::find(ch.ext.alpn.begin(), ch.ext.alpn.end(), mine) != ch.ext.alpn.end()) {
        alpn_now = mine;
        break;
      }
  }
  if (alpn_now != st.alpn) return {};
  // RFC 8446 8.3: the client's idea of the ticket's age must be close to the server's.
  const uint64_t now = hs.settings.config->now();
  const uint64_t server_age = now > st.issue_time ? now - st.issue_time : 0;
  const uint64_t client_age =
      uint64_t{static_cast<uint32_t>(hs.psk->obfuscated_age - st.ticket_age_add)} * kNsPerMs;
  const uint64_t skew = server_age > client_age ? server_age - client_age : client_age - server_age;
  if (skew > kTicketAgeTolerance) return {};
  hs.out->early_data = EarlyState::Requested;
  hs.out->max_early_data = std::min(limit, st.max_early_data);
  keys::KeySchedule ks(hs.psk->hash);
  SNR_TRY(ks.early(hs.psk->secret.view()));
  SNR_TRY_ASSIGN(crypto::Digest ch_hash, hs.transcript.current());
  SNR_TRY_ASSIGN(hs.early_secret, ks.client_early_traffic_secret(ch_hash.view()));
  log_secret(hs, "CLIENT_EARLY_TRAFFIC_SECRET", hs.early_secret);
  return {};
}

std::optional<bool> decide_early_data(Handshake& hs) {
  if (hs.out->early_data != EarlyState::Requested) return false;
  if (!hs.settings.decide_early_data) return true;
  const ByteView context;  // s2n's early data context (app data in the ticket): none yet
  return hs.settings.decide_early_data(context);
}

Status check_end_of_early_data(const InMessage& in) {
  SNR_ENSURE(in.body.empty(), Err::DECODE);
  return {};
}

}  // namespace snr::hs
