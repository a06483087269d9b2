// Hex text: key-log lines, test vectors, diagnostics.
#pragma once

#include <string>
#include <string_view>

#include "util/bytes.hpp"

namespace snr {

// Lowercase, two digits per byte.
std::string to_hex(ByteView bytes);
// Reads hex digit pairs, skipping anything else (spaces, colons, newlines), so RFC-style
// dumps can be pasted as they are.
Bytes from_hex(std::string_view text);

}  // namespace snr
