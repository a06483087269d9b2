// Application callback types.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace snr {

class Connection;

// s2n's I/O callback contract: return the number of bytes moved, -1 with errno EAGAIN or
// EWOULDBLOCK when the operation would block, 0 when the transport is closed.
using SendCallback = int (*)(void* ctx, const uint8_t* buf, uint32_t len);
using RecvCallback = int (*)(void* ctx, uint8_t* buf, uint32_t len);
using SendFunction = std::function<int(const uint8_t* buf, uint32_t len)>;
using RecvFunction = std::function<int(uint8_t* buf, uint32_t len)>;

// Called once per SAN DNS/IP entry of the peer's leaf certificate (or its CN when it has no
// SAN names); returns true to accept the name.
using VerifyHostNameCallback = std::function<bool(std::string_view host_name)>;

// Receives NSS key-log lines ("CLIENT_HANDSHAKE_TRAFFIC_SECRET <random> <secret>").
using KeyLogCallback = std::function<void(const Connection& conn, std::string_view line)>;

// Wall clock in nanoseconds since the Unix epoch (certificate validity checks).
using WallClock = std::function<uint64_t()>;

}  // namespace snr
