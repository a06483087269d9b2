// snr::Error, snr::Result<T> and snr::Status: errors are values; nothing here throws.
#pragma once

#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace snr {

// What class of failure an Error is (s2n's error types).
enum class ErrorKind : uint8_t {
  Blocked,      // retry later: I/O would block or an async operation is pending
  Closed,       // the connection is closed
  Protocol,     // the peer broke the protocol (we sent an alert)
  Usage,        // the API was misused
  IOError,      // the transport failed (errno in io_errno())
  Alert,        // the peer sent a fatal alert (alert() tells which)
  Internal,     // a bug or a libcrypto failure
  Application,  // an application callback failed
};

std::string_view to_string(ErrorKind kind);

// Every error snr reports is one entry of the library's error table.
class Error {
 public:
  // `code` indexes the library's error table (see error_code.hpp inside the library).
  explicit Error(uint16_t code, std::string detail = {})
      : code_(code), detail_(std::move(detail)) {}

  ErrorKind kind() const;
  // Stable identifier, "S2N_ERR_" + s2n's name where one exists (e.g. S2N_ERR_CERT_UNTRUSTED).
  std::string_view name() const;
  // Human-readable text: the table's text, then any detail given at the failure site.
  std::string message() const;
  // The TLS alert received from the peer (kind Alert), or the alert this side sent.
  std::optional<uint8_t> alert() const { return alert_; }
  int io_errno() const { return errno_; }
  bool is_retryable() const { return kind() == ErrorKind::Blocked; }
  uint16_t code() const { return code_; }

  Error& with_alert(uint8_t alert) {
    alert_ = alert;
    return *this;
  }
  Error& with_errno(int e) {
    errno_ = e;
    return *this;
  }

 private:
  uint16_t code_;
  std::optional<uint8_t> alert_;
  int errno_ = 0;
  std::string detail_;
};

// A value or an Error; [[nodiscard]] so that an error cannot be dropped silently.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(const T& v) : ok_(true) { new (&value_) T(v); }
  Result(T&& v) : ok_(true) { new (&value_) T(std::move(v)); }
  Result(Error e) : ok_(false) { new (&error_) Error(std::move(e)); }
  template <class U,
            std::enable_if_t<
                std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Result> &&
                    !std::is_same_v<std::decay_t<U>, Error> && !std::is_same_v<std::decay_t<U>, T>,
                int> = 0>
  Result(U&& u) : ok_(true) {
    new (&value_) T(std::forward<U>(u));
  }
  Result(const Result& o) : ok_(o.ok_) {
    if (ok_)
      new (&value_) T(o.value_);
    else
      new (&error_) Error(o.error_);
  }
  Result(Result&& o) noexcept : ok_(o.ok_) {
    if (ok_)
      new (&value_) T(std::move(o.value_));
    else
      new (&error_) Error(std::move(o.error_));
  }
  Result& operator=(Result o) noexcept {
    destroy();
    ok_ = o.ok_;
    if (ok_)
      new (&value_) T(std::move(o.value_));
    else
      new (&error_) Error(std::move(o.error_));
    return *this;
  }
  ~Result() { destroy(); }

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  T& value() & { return value_; }
  const T& value() const& { return value_; }
  T&& value() && { return std::move(value_); }
  T& operator*() & { return value_; }
  const T& operator*() const& { return value_; }
  T* operator->() { return &value_; }
  const T* operator->() const { return &value_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  void destroy() {
    if (ok_)
      value_.~T();
    else
      error_.~Error();
  }
  bool ok_;
  union {
    T value_;
    Error error_;
  };
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e) : error_(std::move(e)) {}
  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace snr
