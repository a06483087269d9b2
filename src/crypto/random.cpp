#include "crypto/random.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>

#include "util/error_code.hpp"

namespace snr::crypto {

Status random_bytes(MutByteView out) {
  size_t done = 0;
  // RAND_bytes takes an int length.
  while (done < out.size()) {
    const size_t n = std::min(out.size() - done, static_cast<size_t>(INT_MAX));
    if (RAND_bytes(out.data() + done, static_cast<int>(n)) != 1) {
      ERR_clear_error();
      return make_error(Err::RANDOM, "RAND_bytes");
    }
    done += n;
  }
  return {};
}

}  // namespace snr::crypto
