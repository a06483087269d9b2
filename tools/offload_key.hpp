// snr-server --offload-key: the tool plays the application's key service. It holds the key
// itself and answers each private-key operation through the callback one event-loop turn
// later (the future form), so the asynchronous path is reachable from the command line.
#pragma once

#include <optional>
#include <string_view>

#include "snr/callbacks.hpp"

namespace snr::tools {

// A callback serving `key_pem` (PEM private key), or nullopt (after printing an error) when
// the key cannot be read.
std::optional<PrivateKeyCallback> offload_key_callback(std::string_view key_pem);

}  // namespace snr::tools
