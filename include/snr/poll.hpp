// snr::Poll<T>: the outcome of every poll_* call — Ready(value), Pending(reason) or an Error.
#pragma once

#include <variant>

#include "snr/error.hpp"

namespace snr {

// What a Pending operation waits for (s2n's blocked status).
enum class Blocked : uint8_t {
  OnRead,              // the receive callback would block
  OnWrite,             // the send callback would block
  OnApplicationInput,  // an async callback has not completed
  OnEarlyData,         // early data handling is pending
  OnBlinding,          // SelfService blinding: shutdown waits for remaining_blinding_delay()
};

struct Pending {
  Blocked reason;
};

template <class T>
class [[nodiscard]] Poll {
 public:
  Poll(T v) : v_(std::in_place_index<0>, std::move(v)) {}
  Poll(Pending p) : v_(std::in_place_index<1>, p) {}
  Poll(Error e) : v_(std::in_place_index<2>, std::move(e)) {}

  bool is_ready() const { return v_.index() == 0; }
  bool is_pending() const { return v_.index() == 1; }
  bool is_error() const { return v_.index() == 2; }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  Blocked blocked() const { return std::get<1>(v_).reason; }
  const Error& error() const { return std::get<2>(v_); }

 private:
  std::variant<T, Pending, Error> v_;
};

// Poll<void> carries no value: Ready is the monostate.
struct Ready {};
template <>
class [[nodiscard]] Poll<void> {
 public:
  Poll(Ready) : v_(std::in_place_index<0>) {}
  Poll(Pending p) : v_(std::in_place_index<1>, p) {}
  Poll(Error e) : v_(std::in_place_index<2>, std::move(e)) {}
  bool is_ready() const { return v_.index() == 0; }
  bool is_pending() const { return v_.index() == 1; }
  bool is_error() const { return v_.index() == 2; }
  Blocked blocked() const { return std::get<1>(v_).reason; }
  const Error& error() const { return std::get<2>(v_); }

 private:
  std::variant<std::monostate, Pending, Error> v_;
};

}  // namespace snr
