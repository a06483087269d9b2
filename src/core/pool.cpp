// Connection pools (SPEC 5).
#include "snr/pool.hpp"

#include "util/error_code.hpp"

namespace snr {

Result<Connection> ConfigPool::take() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_.empty()) {
      Connection conn = std::move(free_.front());
      free_.pop_front();
      return conn;
    }
  }
  Connection conn(mode_);
  SNR_TRY(conn.set_config(config_));
  return conn;
}

void ConfigPool::give(Connection conn) {
  // A connection of the other mode, or one the application moved a different config into,
  // would surprise the next taker: it is freed instead.
  if (conn.mode() != mode_) return;
  // Wiped outside the lock: destroying the old state (wiping its secrets) takes a while.
  if (!conn.wipe().ok()) return;
  if (!conn.set_config(config_).ok()) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (free_.size() < max_size_) free_.push_back(std::move(conn));
}

size_t ConfigPool::pool_size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return free_.size();
}

Result<PooledConnection> PooledConnection::create(std::shared_ptr<Pool> pool) {
  SNR_ENSURE(pool != nullptr, Err::INVALID_ARGUMENT);
  SNR_TRY_ASSIGN(Connection conn, pool->take());
  SNR_ENSURE(conn.mode() == pool->mode(), Err::INVALID_STATE);
  return PooledConnection(std::move(pool), std::move(conn));
}

PooledConnection& PooledConnection::operator=(PooledConnection&& o) noexcept {
  if (this != &o) {
    give_back();
    pool_ = std::move(o.pool_);
    conn_ = std::move(o.conn_);
  }
  return *this;
}

void PooledConnection::give_back() {
  if (pool_ && conn_) pool_->give(std::move(*conn_));
  conn_.reset();
  pool_.reset();
}

}  // namespace snr
