// The transport side: the application's callbacks, or a file descriptor.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "core/connection_state.hpp"

namespace snr::detail {

bool ConnectionState::has_io() const {
  return (send_fn || send_cb || write_fd >= 0) && (recv_fn || recv_cb || read_fd >= 0);
}

namespace {
// A call interrupted by a signal is retried, as s2n does (S2N_IO_RETRY_EINTR).
template <class F>
int retry_eintr(F call) {
  int r;
  do {
    errno = 0;
    r = call();
  } while (r < 0 && errno == EINTR);
  return r;
}
}  // namespace

int ConnectionState::io_send(const uint8_t* buf, size_t len) {
  return retry_eintr([&] { return io_send_once(buf, len); });
}

int ConnectionState::io_recv(uint8_t* buf, size_t len) {
  return retry_eintr([&] { return io_recv_once(buf, len); });
}

int ConnectionState::io_send_once(const uint8_t* buf, size_t len) {
  uint32_t n = static_cast<uint32_t>(std::min<size_t>(len, INT32_MAX));
  if (send_fn) return send_fn(buf, n);
  if (send_cb) return send_cb(send_ctx, buf, n);
  if (write_fd >= 0) {
    // MSG_NOSIGNAL: a closed peer is an error value, not a SIGPIPE.
    ssize_t r = ::send(write_fd, buf, n, MSG_NOSIGNAL);
    if (r < 0 && errno == ENOTSOCK) r = ::write(write_fd, buf, n);
    return static_cast<int>(r);
  }
  errno = 0;
  return -1;
}

int ConnectionState::io_recv_once(uint8_t* buf, size_t len) {
  uint32_t n = static_cast<uint32_t>(std::min<size_t>(len, INT32_MAX));
  if (recv_fn) return recv_fn(buf, n);
  if (recv_cb) return recv_cb(recv_ctx, buf, n);
  if (read_fd >= 0) {
    ssize_t r = ::read(read_fd, buf, n);
    return static_cast<int>(r);
  }
  errno = 0;
  return -1;
}

}  // namespace snr::detail
