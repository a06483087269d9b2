// The C-style I/O contract (function pointer + context, as s2n's), the Mode constructor,
// poll_recv_uninitialized and selected_cert: the parts of the seed's surface that the
// std::function-based Pair does not exercise.
#include <gtest/gtest.h>

#include <cstring>

#include "pair.hpp"

namespace snr::test {
namespace {

// One direction of an in-memory transport, reached only through the context pointer.
struct Ends {
  Pipe* out;
  Pipe* in;
  int sends = 0;
  int recvs = 0;
};

int send_cb(void* ctx, const uint8_t* buf, uint32_t len) {
  auto* e = static_cast<Ends*>(ctx);
  ++e->sends;
  return e->out->write(buf, len);
}

int recv_cb(void* ctx, uint8_t* buf, uint32_t len) {
  auto* e = static_cast<Ends*>(ctx);
  ++e->recvs;
  return e->in->read(buf, len);
}

struct CStylePair {
  Pipe c2s, s2c;
  Ends client_ends{&c2s, &s2c};
  Ends server_ends{&s2c, &c2s};
  Connection client{Mode::Client};
  Connection server{Mode::Server};

  explicit CStylePair(size_t max_io = SIZE_MAX) {
    c2s.max_io = s2c.max_io = max_io;
    EXPECT_TRUE(client.set_config(client_config()).ok());
    EXPECT_TRUE(server.set_config(server_config("ecdsa-p256")).ok());
    EXPECT_TRUE(client.set_server_name("localhost").ok());
    EXPECT_TRUE(client.set_send_callback(&send_cb).ok());
    EXPECT_TRUE(client.set_send_context(&client_ends).ok());
    EXPECT_TRUE(client.set_receive_callback(&recv_cb).ok());
    EXPECT_TRUE(client.set_receive_context(&client_ends).ok());
    EXPECT_TRUE(server.set_send_callback(&send_cb).ok());
    EXPECT_TRUE(server.set_send_context(&server_ends).ok());
    EXPECT_TRUE(server.set_receive_callback(&recv_cb).ok());
    EXPECT_TRUE(server.set_receive_context(&server_ends).ok());
  }

  bool handshake() {
    bool c = false, s = false;
    for (int i = 0; i < 100000 && !(c && s); ++i) {
      if (!c) {
        auto r = client.poll_negotiate();
        if (r.is_error()) return false;
        c = r.is_ready();
      }
      if (!s) {
        auto r = server.poll_negotiate();
        if (r.is_error()) return false;
        s = r.is_ready();
      }
    }
    return c && s;
  }
};

TEST(IoCallbacks, FunctionPointerAndContextCarryTheHandshakeAndData) {
  CStylePair p;
  EXPECT_EQ(p.client.mode(), Mode::Client);
  EXPECT_EQ(p.server.mode(), Mode::Server);
  ASSERT_TRUE(p.handshake());
  // Every byte went through the callbacks with the contexts given.
  EXPECT_GT(p.client_ends.sends, 0);
  EXPECT_GT(p.client_ends.recvs, 0);
  EXPECT_GT(p.server_ends.sends, 0);
  EXPECT_GT(p.server_ends.recvs, 0);
  EXPECT_EQ(transfer(p.client, p.server, "through C callbacks"), "through C callbacks");
  EXPECT_EQ(transfer(p.server, p.client, "and back"), "and back");
}

TEST(IoCallbacks, ByteAtATimeThroughContexts) {
  CStylePair p(1);
  ASSERT_TRUE(p.handshake());
  EXPECT_EQ(transfer(p.client, p.server, std::string(3000, 'x')), std::string(3000, 'x'));
}

TEST(IoCallbacks, NoSendCallbackIsAUsageErrorNotACrash) {
  Connection client(Mode::Client);
  ASSERT_TRUE(client.set_config(client_config()).ok());
  auto r = client.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().kind(), ErrorKind::Usage) << r.error().message();
}

TEST(IoCallbacks, RecvUninitializedFillsOnlyWhatArrived) {
  CStylePair p;
  ASSERT_TRUE(p.handshake());
  const std::string msg = "uninitialized buffer";
  size_t sent = 0;
  while (sent < msg.size()) {
    auto r = p.client.poll_send(std::string_view(msg).substr(sent));
    ASSERT_FALSE(r.is_error());
    if (r.is_ready()) sent += r.value();
  }
  (void)p.client.poll_flush();
  // The buffer starts with garbage; only the returned count may be read.
  std::vector<uint8_t> buf(64, 0xAB);
  std::string got;
  for (int i = 0; i < 1000 && got.size() < msg.size(); ++i) {
    auto r = p.server.poll_recv_uninitialized(buf);
    ASSERT_FALSE(r.is_error()) << r.error().message();
    if (r.is_ready()) got.append(reinterpret_cast<const char*>(buf.data()), r.value());
  }
  EXPECT_EQ(got, msg);
  EXPECT_EQ(buf[msg.size()], 0xAB);
}

TEST(IoCallbacks, SelectedCertIsTheChainTheServerSent) {
  CStylePair p;
  EXPECT_EQ(p.server.selected_cert(), nullptr);  // nothing chosen before the handshake
  ASSERT_TRUE(p.handshake());
  const CertificateChain* mine = p.server.selected_cert();
  ASSERT_NE(mine, nullptr);
  ASSERT_GE(mine->len(), 1u);
  auto peer = p.client.peer_cert_chain();
  ASSERT_TRUE(peer.ok());
  ASSERT_GE(peer->len(), 1u);
  // The client validated exactly the leaf the server says it sent.
  const auto a = (*mine)[0].der(), b = (*peer)[0].der();
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size()), 0);
  EXPECT_EQ((*mine)[0].subject(), "CN=localhost");
}

}  // namespace
}  // namespace snr::test
