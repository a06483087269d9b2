// Serialized connections (Connection::deserialize, SPEC 6.11): any input is either refused
// with INVALID_SERIALIZED_CONNECTION and leaves the connection untouched, or restores a
// connection whose first received record (here: the input's tail, as a record) fails cleanly
// or yields data — never a crash, hang or unbounded allocation.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace snr;
  const ByteView input(data, size);
  for (Mode mode : {Mode::Client, Mode::Server}) {
    Connection conn(mode);
    Status s = conn.deserialize(input);
    if (!s.ok()) {
      fuzz::check(s.error().kind() == ErrorKind::Usage);
      // Refused input changes nothing: the connection can still negotiate as new.
      fuzz::check(!conn.is_handshake_complete());
      continue;
    }
    fuzz::check(conn.is_handshake_complete());
    // A second restore into the same connection is refused.
    fuzz::check(!conn.deserialize(input).ok());
    // Feed a record made of the input's last bytes; whatever happens must be a clean result.
    const size_t take = std::min<size_t>(size, 64);
    Bytes record(5 + take);
    record[0] = 23;  // application_data, TLS 1.2 record version, length `take`
    record[1] = 3;
    record[2] = 3;
    record[4] = static_cast<uint8_t>(take);
    std::copy_n(input.last(take).begin(), take, record.begin() + 5);
    size_t pos = 0;
    (void)conn.set_receive_callback([&](uint8_t* buf, uint32_t len) -> int {
      if (pos == record.size()) return 0;
      const size_t n = std::min<size_t>(len, record.size() - pos);
      std::copy_n(record.begin() + static_cast<std::ptrdiff_t>(pos), n, buf);
      pos += n;
      return static_cast<int>(n);
    });
    (void)conn.set_send_callback(
        [](const uint8_t*, uint32_t len) { return static_cast<int>(len); });
    // A failing record must not sleep out s2n's built-in blinding delay: only record it.
    fuzz::check(conn.set_blinding(Blinding::SelfService).ok());
    uint8_t buf[256];
    for (int i = 0; i < 4; ++i) {
      auto r = conn.poll_recv(buf);
      if (r.is_error() || (r.is_ready() && r.value() == 0)) break;
    }
  }
  return 0;
}
