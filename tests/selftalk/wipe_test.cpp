// Secrets are wiped when freed (issue #7): secure_wipe's test observer sees every wipe right
// after the zeroing, so these tests check both that the memory is zero before it is released
// and that the secrets of a connection, a session and a ticket key pass through it.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "pair.hpp"
#include "util/bytes.hpp"

namespace snr::test {
namespace {

struct Wipe {
  size_t size;
  bool zero;
};
std::vector<Wipe>* g_wipes = nullptr;

void observe(const void* p, size_t n) {
  if (g_wipes == nullptr) return;
  const auto* b = static_cast<const uint8_t*>(p);
  g_wipes->push_back(Wipe{n, std::all_of(b, b + n, [](uint8_t x) { return x == 0; })});
}

// Records the wipes made during its lifetime.
struct Recorder {
  std::vector<Wipe> wipes;
  Recorder() {
    g_wipes = &wipes;
    set_wipe_observer(observe);
  }
  ~Recorder() {
    set_wipe_observer(nullptr);
    g_wipes = nullptr;
  }
  size_t count(size_t size) const {
    return static_cast<size_t>(
        std::count_if(wipes.begin(), wipes.end(), [&](const Wipe& w) { return w.size == size; }));
  }
  bool all_zero() const {
    return std::all_of(wipes.begin(), wipes.end(), [](const Wipe& w) { return w.zero; });
  }
};

const uint16_t kSchemes[] = {0x0403, 0x0804};

TEST(Wipe, SecureBytesAreZeroBeforeRelease) {
  Recorder r;
  {
    SecureBytes s(ByteView(Bytes(37, 0xab)));
    SecureBytes copy = s;
    copy.resize(100);  // growing moves the bytes: the old storage is wiped first
  }
  EXPECT_GE(r.count(37), 2u);  // the original, and the copy's storage before it grew
  EXPECT_GE(r.count(100), 1u);
  EXPECT_TRUE(r.all_zero());
}

TEST(Wipe, ConnectionSecretsOnDestruction) {
  for (Version v : {Version::TLS13, Version::TLS12}) {
    SCOPED_TRACE(to_string(v));
    std::vector<uint16_t> suites{v == Version::TLS13 ? uint16_t{0x1301} : uint16_t{0xC02B}};
    std::vector<uint16_t> groups{0x001d};
    detail::PolicyData data{"wipe", v, suites, kSchemes, groups, {}};
    auto p = std::make_unique<Pair>(client_config(Policy(&data)),
                                    server_config("ecdsa-p256", Policy(&data)));
    ASSERT_FALSE(p->handshake());
    EXPECT_EQ(transfer(p->client, p->server, "secret data"), "secret data");
    Recorder r;
    p.reset();
    // TLS 1.3: traffic, exporter and resumption secrets (hash-sized digests in 64-byte
    // buffers); TLS 1.2: the 48-byte master secret of each side.
    if (v == Version::TLS13) {
      EXPECT_GE(r.count(64), 4u);
    } else {
      EXPECT_GE(r.count(48), 2u);
    }
    EXPECT_TRUE(r.all_zero());
  }
}

TEST(Wipe, TicketKeysAndSessionsOnDestruction) {
  std::vector<uint16_t> suites{0x1301}, groups{0x001d};
  detail::PolicyData data{"wipe", Version::TLS13, suites, kSchemes, groups, {}};
  const std::string material = "ticket key material: 31 bytes!!";
  ASSERT_EQ(material.size(), 31u);
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  ASSERT_TRUE(b.with_system_certs(false).ok());
  ASSERT_TRUE(b.set_security_policy(Policy(&data)).ok());
  ASSERT_TRUE(b.load_pem(read_file(data_path("ecdsa-p256-cert.pem")),
                         read_file(data_path("ecdsa-p256-key.pem")))
                  .ok());
  const std::vector<uint8_t> name{'k'};
  ASSERT_TRUE(
      b.add_session_ticket_key(name, std::vector<uint8_t>(material.begin(), material.end())).ok());
  auto server = b.build();
  ASSERT_TRUE(server.ok());
  auto cb = Config::builder();
  (void)cb.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  ASSERT_TRUE(cb.with_system_certs(false).ok());
  ASSERT_TRUE(cb.set_security_policy(Policy(&data)).ok());
  ASSERT_TRUE(cb.trust_pem(read_file(data_path("ca-cert.pem"))).ok());
  ASSERT_TRUE(cb.enable_session_tickets(true).ok());
  auto client = cb.build();
  ASSERT_TRUE(client.ok());
  // The pair holds the only references to the configs.
  auto p = std::make_unique<Pair>(std::move(*client), std::move(*server));
  ASSERT_FALSE(p->handshake());
  EXPECT_EQ(transfer(p->server, p->client, "t"), "t");
  const size_t blob = *p->client.session_ticket_length();
  EXPECT_GT(blob, 0u);
  Recorder r;
  p.reset();
  // The client's session blob holds the PSK; the server config's ticket key material.
  EXPECT_GE(r.count(blob), 1u);
  EXPECT_GE(r.count(material.size()), 1u);
  EXPECT_TRUE(r.all_zero());
}

}  // namespace
}  // namespace snr::test
