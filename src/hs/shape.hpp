// The handshake-type string (SPEC 6.2): the set flags' names joined with '|', "INITIAL"
// when none is set. TLS 1.3 and TLS 1.2 name the upper bits differently.
#pragma once

#include <cstdint>
#include <string>

#include "snr/enums.hpp"

namespace snr::hs {

std::string handshake_type_name(uint32_t flags, Version version);

}  // namespace snr::hs
