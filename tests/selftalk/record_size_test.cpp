// Record sizing (SPEC 6.5): the records on the wire for the default, prefer_low_latency and
// the dynamic threshold with its idle timeout (on a fake monotonic clock), TLS 1.3 and 1.2.
#include <gtest/gtest.h>

#include <memory>

#include "pair.hpp"

namespace snr::test {
namespace {

const uint16_t kSchemes[] = {0x0403, 0x0804};

struct P {
  std::vector<uint16_t> suites, groups{0x001d};
  detail::PolicyData data;
  P(uint16_t suite, Version min) : suites{suite} {
    data = detail::PolicyData{"rec", min, suites, kSchemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

// The body lengths of the application-data records waiting in `pipe` (protected records
// all say application_data in TLS 1.3; in TLS 1.2 handshake records are not expected here).
std::vector<size_t> record_lengths(const Pipe& pipe) {
  std::vector<size_t> out;
  std::vector<uint8_t> b(pipe.bytes.begin(), pipe.bytes.end());
  for (size_t i = 0; i + 5 <= b.size();) {
    const size_t len = size_t{b[i + 3]} << 8 | b[i + 4];
    if (b[i] == 23) out.push_back(len);
    i += 5 + len;
  }
  return out;
}

struct Fixture {
  std::shared_ptr<uint64_t> now = std::make_shared<uint64_t>(1'000'000'000);
  std::unique_ptr<P> policy;
  std::unique_ptr<Pair> pair;
  Fixture(uint16_t suite, Version v) : policy(std::make_unique<P>(suite, v)) {
    auto cb = Config::builder();
    (void)cb.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
    EXPECT_TRUE(cb.with_system_certs(false).ok());
    EXPECT_TRUE(cb.set_security_policy(policy->policy()).ok());
    EXPECT_TRUE(cb.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
    auto n = now;
    EXPECT_TRUE(cb.set_monotonic_clock([n] { return *n; }).ok());
    auto c = cb.build();
    pair = std::make_unique<Pair>(*c, server_config("ecdsa-p256", policy->policy()));
    EXPECT_FALSE(pair->handshake());
    pair->s2c.bytes.clear();
  }
  // Sends `n` bytes from the client; returns the record lengths, then delivers them.
  std::vector<size_t> send(size_t n) {
    std::string data(n, 'r');
    size_t sent = 0;
    while (sent < n) {
      auto r = pair->client.poll_send(std::string_view(data).substr(sent));
      EXPECT_TRUE(r.is_ready());
      if (!r.is_ready()) break;
      sent += r.value();
    }
    auto lengths = record_lengths(pair->c2s);
    std::string got;
    for (int i = 0; i < 100000 && got.size() < n; ++i) {
      uint8_t buf[16384];
      auto r = pair->server.poll_recv(buf);
      if (!r.is_ready()) break;
      got.append(reinterpret_cast<char*>(buf), r.value());
    }
    EXPECT_EQ(got, data);
    return lengths;
  }
};

TEST(RecordSize, DefaultFillsRecords) {
  Fixture f(0x1301, Version::TLS13);
  auto l = f.send(40000);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], 16384u + 17);  // payload + content type + tag
  EXPECT_EQ(l[2], 40000u - 2 * 16384 + 17);
}

TEST(RecordSize, LowLatencyAndBackToThroughput) {
  Fixture f(0x1301, Version::TLS13);
  ASSERT_TRUE(f.pair->client.prefer_low_latency().ok());
  auto l = f.send(5000);
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[0], 1435u + 17);
  ASSERT_TRUE(f.pair->client.prefer_throughput().ok());
  EXPECT_EQ(f.send(5000), std::vector<size_t>{5000u + 17});
}

TEST(RecordSize, DynamicThresholdRampsUpAndRestartsWhenIdle) {
  struct Case {
    uint16_t suite;
    Version v;
    size_t small;
    size_t overhead;
  };
  // TLS 1.3 AES-GCM: 1395 - 17 = 1378; TLS 1.2 AES-GCM: 1395 - 8 - 16 = 1371.
  for (Case c : {Case{0x1301, Version::TLS13, 1378, 17}, Case{0xC02B, Version::TLS12, 1371, 24}}) {
    SCOPED_TRACE(c.suite);
    Fixture f(c.suite, c.v);
    ASSERT_TRUE(f.pair->client.set_dynamic_record_threshold(3000, 2).ok());
    auto l = f.send(20000);
    // 3000 bytes in segment-sized records (1378 + 1378 + 244), then full records.
    ASSERT_GE(l.size(), 4u);
    EXPECT_EQ(l[0], c.small + c.overhead);
    EXPECT_EQ(l[1], c.small + c.overhead);
    EXPECT_EQ(l[2], 3000 - 2 * c.small + c.overhead);
    EXPECT_EQ(l[3], 16384u + c.overhead);
    // Busy connection: still full records.
    *f.now += 1'000'000'000;
    EXPECT_EQ(f.send(2000), std::vector<size_t>{2000 + c.overhead});
    // Idle past the timeout: small records again.
    *f.now += 3'000'000'000;
    EXPECT_EQ(f.send(2000)[0], c.small + c.overhead);
  }
  Connection conn = Connection::new_client();
  EXPECT_FALSE(conn.set_dynamic_record_threshold(8u * 1024 * 1024 + 1, 1).ok());
}

}  // namespace
}  // namespace snr::test
