#include "hs/handshake.hpp"

#include "util/error_code.hpp"

namespace snr::hs {

const StepRow& Handshake::row() const { return steps[step]; }

std::unique_ptr<Handshake> start(Settings settings, Negotiated* out) {
  auto hs = std::make_unique<Handshake>();
  hs->settings = std::move(settings);
  hs->out = out;
  hs->steps = hs->settings.mode == Mode::Client ? client13_steps() : server13_steps();
  if (hs->settings.mode == Mode::Server && hs->settings.config->cert)
    hs->cert = &*hs->settings.config->cert;
  return hs;
}

Result<Outcome> run_step(Handshake& hs, const InMessage* in) {
  const StepRow& r = hs.row();
  SNR_TRY_ASSIGN(Outcome o, r.fn(hs, in));
  if (o.kind == Outcome::Kind::Next) hs.step = o.next;
  return o;
}

}  // namespace snr::hs
