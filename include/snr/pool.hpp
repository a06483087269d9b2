// Connection pools (SPEC 5): reuse wiped connections instead of allocating new ones (a
// connection costs tens of KiB of allocations).
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include "snr/config.hpp"
#include "snr/connection.hpp"
#include "snr/enums.hpp"
#include "snr/error.hpp"

namespace snr {

// Where connections come from and go back to. Implementations must be thread-safe.
class Pool {
 public:
  virtual ~Pool() = default;
  virtual Mode mode() const = 0;
  // A connection ready for a handshake.
  virtual Result<Connection> take() = 0;
  // A connection the application is done with.
  virtual void give(Connection conn) = 0;
};

// Connections of one mode with one config. take() hands out a given-back connection (wiped,
// its config set again) or a new one; give() wipes the connection and keeps it while the pool
// holds fewer than max_pool_size, else frees it.
class ConfigPool final : public Pool {
 public:
  class Builder;

  Mode mode() const override { return mode_; }
  Result<Connection> take() override;
  void give(Connection conn) override;
  // Connections waiting to be taken.
  size_t pool_size() const;
  size_t max_pool_size() const { return max_size_; }

  ConfigPool(Mode mode, Config config, size_t max_size)
      : mode_(mode), config_(std::move(config)), max_size_(max_size) {}

 private:
  const Mode mode_;
  const Config config_;
  const size_t max_size_;
  mutable std::mutex mu_;
  std::deque<Connection> free_;
};

class ConfigPool::Builder {
 public:
  Builder(Mode mode, Config config) : mode_(mode), config_(std::move(config)) {}
  // The most idle connections kept (default: no limit, as s2n's ConfigPoolBuilder).
  Builder& set_max_pool_size(size_t n) {
    max_size_ = n;
    return *this;
  }
  std::shared_ptr<ConfigPool> build() const {
    return std::make_shared<ConfigPool>(mode_, config_, max_size_);
  }

 private:
  Mode mode_;
  Config config_;
  size_t max_size_ = SIZE_MAX;
};

// A connection taken from a pool, given back when this handle is destroyed.
class PooledConnection {
 public:
  static Result<PooledConnection> create(std::shared_ptr<Pool> pool);

  PooledConnection(PooledConnection&&) noexcept = default;
  PooledConnection& operator=(PooledConnection&& o) noexcept;
  PooledConnection(const PooledConnection&) = delete;
  PooledConnection& operator=(const PooledConnection&) = delete;
  ~PooledConnection() { give_back(); }

  Connection& operator*() { return *conn_; }
  const Connection& operator*() const { return *conn_; }
  Connection* operator->() { return &*conn_; }
  const Connection* operator->() const { return &*conn_; }

 private:
  PooledConnection(std::shared_ptr<Pool> pool, Connection conn)
      : pool_(std::move(pool)), conn_(std::move(conn)) {}
  void give_back();

  std::shared_ptr<Pool> pool_;
  std::optional<Connection> conn_;
};

}  // namespace snr
