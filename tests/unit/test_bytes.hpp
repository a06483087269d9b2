// Byte helpers shared by the unit tests.
#pragma once

#include <initializer_list>

#include "util/hex.hpp"

namespace snr {

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace snr
