#pragma once

#include "snr/config.hpp"
#include "snr/enums.hpp"

namespace snr::detail {

// The config a connection uses when none was set: policy "default", the system trust
// store, verification on. Built once per process.
Result<Config> default_config(Mode mode);

}  // namespace snr::detail
