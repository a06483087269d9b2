// The connection initializer (SPEC 3; s2n's Config::Builder::set_connection_initializer):
// the config's hook that every connection runs once, at its first poll_negotiate, before the
// handshake starts; and snr::both, which composes two of them.
#include <utility>

#include "core/connection_state.hpp"
#include "hs/config_data.hpp"
#include "util/error_code.hpp"

namespace snr {

namespace {

// Polls the futures of two initializers side by side; ready when both are.
class BothFuture final : public ConnectionFuture {
 public:
  BothFuture(std::unique_ptr<ConnectionFuture> a, std::unique_ptr<ConnectionFuture> b)
      : a_(std::move(a)), b_(std::move(b)) {}

  Poll<void> poll(Connection& conn) override {
    for (std::unique_ptr<ConnectionFuture>* f : {&a_, &b_}) {
      if (!*f) continue;
      Poll<void> p = (*f)->poll(conn);
      if (p.is_error()) return p;
      if (p.is_ready()) f->reset();
    }
    if (a_ || b_) return Pending{Blocked::OnApplicationInput};
    return Ready{};
  }

 private:
  std::unique_ptr<ConnectionFuture> a_, b_;
};

}  // namespace

ConnectionInitializer both(ConnectionInitializer first, ConnectionInitializer second) {
  return [first = std::move(first),
          second = std::move(second)](Connection& conn) -> ConnectionFutureResult {
    std::unique_ptr<ConnectionFuture> futures[2];
    const ConnectionInitializer* parts[2] = {&first, &second};
    for (size_t i = 0; i < 2; ++i) {
      if (!*parts[i]) continue;
      ConnectionFutureResult r = (*parts[i])(conn);
      switch (r.kind()) {
        case ConnectionFutureResult::Kind::Done:
          break;
        case ConnectionFutureResult::Kind::Future:
          futures[i] = r.take_future();
          break;
        // Whichever part answers first with these decides: the other's work is moot.
        case ConnectionFutureResult::Kind::Fail:
        case ConnectionFutureResult::Kind::Pending:
          return r;
      }
    }
    if (!futures[0] && !futures[1]) return ConnectionFutureResult::done();
    if (!futures[1]) return ConnectionFutureResult::future(std::move(futures[0]));
    if (!futures[0]) return ConnectionFutureResult::future(std::move(futures[1]));
    return ConnectionFutureResult::future(
        std::make_unique<BothFuture>(std::move(futures[0]), std::move(futures[1])));
  };
}

Status Config::Builder::set_connection_initializer(ConnectionInitializer cb) {
  SNR_ENSURE(!built_ && data_, Err::INVALID_STATE);
  data_->connection_initializer = std::move(cb);
  return {};
}

namespace detail {

Poll<void> ConnectionState::connection_initializer() {
  if (!init_run) {
    init_run = true;
    // Without a config the default one is used, which has no initializer.
    if (!config || !config->data().connection_initializer) return Ready{};
    // Copied: the initializer may set another config, releasing the one that holds it.
    const ConnectionInitializer run = config->data().connection_initializer;
    ConnectionFutureResult res = run(*owner);
    switch (res.kind()) {
      case ConnectionFutureResult::Kind::Done:
        return Ready{};
      case ConnectionFutureResult::Kind::Fail:
        return make_error(Err::CONNECTION_INITIALIZER_FAILED, res.reason());
      case ConnectionFutureResult::Kind::Pending:
        // Nothing could complete it: s2n's initializer answers with a future or not at all.
        return make_error(Err::INVALID_ARGUMENT,
                          "a connection initializer cannot answer pending(); return a future");
      case ConnectionFutureResult::Kind::Future:
        init_future = res.take_future();
        break;  // polled at once (SPEC 3)
    }
  }
  if (!init_future) return Ready{};
  // SPEC 3: a future is only polled when it can wake the connection (MISSING_WAKER).
  if (!waker) return Pending{Blocked::OnApplicationInput};
  Poll<void> p = init_future->poll(*owner);
  if (p.is_pending()) return Pending{Blocked::OnApplicationInput};
  init_future.reset();
  if (p.is_error()) {
    const Error& e = p.error();
    // Reported under one name, so that an application can tell its own initializer's
    // failure from the handshake's; the future's text is kept.
    if (err_of(e) == Err::CONNECTION_INITIALIZER_FAILED) return e;
    return make_error(Err::CONNECTION_INITIALIZER_FAILED, e.message());
  }
  return Ready{};
}

}  // namespace detail

}  // namespace snr
