// A bounded cache of chains a trust store has validated, so that a client reconnecting to the
// same server (or a server seeing the same client certificate) skips decoding and verifying
// the chain again. Only successes are kept, each with the window of time in which every
// certificate of its validated path is valid: outside it, the chain is validated afresh.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "crypto/x509.hpp"
#include "snr/error.hpp"

namespace snr::crypto {

class ChainCache {
 public:
  static constexpr size_t kCapacity = 32;

  // What identifies a validation: the certificates as sent and the depth allowed.
  using Key = std::array<uint8_t, 32>;
  static Result<Key> key_of(const std::vector<ByteView>& chain, int max_depth);

  // The cached result for `key` if it is valid at `now` (Unix seconds).
  std::shared_ptr<const ValidatedChain> find(const Key& key, int64_t now) const;
  void insert(const Key& key, int64_t not_before, int64_t not_after,
              std::shared_ptr<const ValidatedChain> chain);
  // The trust store changed: earlier results may no longer hold.
  void clear();
  size_t size() const;

 private:
  struct Entry {
    Key key{};
    int64_t not_before = 0;
    int64_t not_after = 0;
    std::shared_ptr<const ValidatedChain> chain;
  };
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  size_t next_ = 0;  // the slot replaced next once full (oldest first)
};

}  // namespace snr::crypto
