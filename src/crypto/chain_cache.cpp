#include "crypto/chain_cache.hpp"

#include <algorithm>

#include "crypto/hash.hpp"
#include "util/error_code.hpp"

namespace snr::crypto {

Result<ChainCache::Key> ChainCache::key_of(const std::vector<ByteView>& chain, int max_depth) {
  SNR_TRY_ASSIGN(Hash h, Hash::create(HashAlg::SHA256));
  // Lengths go in with the bytes, so that no two different chains hash the same input.
  std::array<uint8_t, 4> be{};
  auto put32 = [&be](uint64_t v) {
    for (size_t i = 0; i < be.size(); ++i) be[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
    return ByteView(be.data(), be.size());
  };
  SNR_TRY(h.update(put32(static_cast<uint32_t>(max_depth))));
  SNR_TRY(h.update(put32(chain.size())));
  for (ByteView der : chain) {
    SNR_TRY(h.update(put32(der.size())));
    SNR_TRY(h.update(der));
  }
  SNR_TRY_ASSIGN(Digest d, h.peek());
  Key key{};
  std::copy_n(d.bytes.begin(), key.size(), key.begin());
  return key;
}

std::shared_ptr<const ValidatedChain> ChainCache::find(const Key& key, int64_t now) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Entry& e : entries_) {
    if (e.key == key) {
      if (now < e.not_before || now > e.not_after) return nullptr;
      return e.chain;
    }
  }
  return nullptr;
}

void ChainCache::insert(const Key& key, int64_t not_before, int64_t not_after,
                        std::shared_ptr<const ValidatedChain> chain) {
  std::lock_guard<std::mutex> lock(mu_);
  for (Entry& e : entries_) {
    if (e.key == key) {  // validated again after its window: refresh
      e.not_before = not_before;
      e.not_after = not_after;
      e.chain = std::move(chain);
      return;
    }
  }
  Entry fresh{key, not_before, not_after, std::move(chain)};
  if (entries_.size() < kCapacity) {
    entries_.push_back(std::move(fresh));
    return;
  }
  entries_[next_] = std::move(fresh);
  next_ = (next_ + 1) % kCapacity;
}

void ChainCache::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
  next_ = 0;
}

size_t ChainCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace snr::crypto
