// Internal error codes, generated from errors.def, and the helpers that make snr::Error.
#pragma once

#include <cstdint>
#include <string>

#include "snr/error.hpp"

namespace snr {

enum class Err : uint16_t {
#define X(name, kind, alert, text) name,
#include "util/errors.def"
#undef X
  kCount
};

inline Error make_error(Err e, std::string detail = {}) {
  return Error(static_cast<uint16_t>(e), std::move(detail));
}
// The alert a local failure of this code sends, or -1 when it sends none.
int alert_for(Err e);
inline Err err_of(const Error& e) { return static_cast<Err>(e.code()); }

}  // namespace snr

// Early return on failure: SNR_TRY(status_expr); SNR_TRY_ASSIGN(var, result_expr).
#define SNR_TRY(expr)                                           \
  do {                                                          \
    auto snr_try_r_ = (expr);                                   \
    if (!snr_try_r_.ok()) return std::move(snr_try_r_).error(); \
  } while (0)

#define SNR_CONCAT_INNER(a, b) a##b
#define SNR_CONCAT(a, b) SNR_CONCAT_INNER(a, b)
#define SNR_TRY_ASSIGN(lhs, expr) SNR_TRY_ASSIGN_IMPL(SNR_CONCAT(snr_res_, __LINE__), lhs, expr)
#define SNR_TRY_ASSIGN_IMPL(tmp, lhs, expr)     \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  lhs = std::move(tmp).value()

// Fails with `err` unless `cond` holds.
#define SNR_ENSURE(cond, err)                   \
  do {                                          \
    if (!(cond)) return ::snr::make_error(err); \
  } while (0)
