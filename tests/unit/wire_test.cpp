// wire::Reader and wire::Writer: bounds, truncation and length back-patching.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "util/bytes.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace snr::wire {
namespace {

// One read of the composite input: where it ends, and a read that checks the value it got.
struct Step {
  const char* what;
  size_t end;
  std::function<bool(Reader&)> read;
};

const Bytes kComposite = {
    0x01,                                            // u8
    0x02, 0x03,                                      // u16
    0x04, 0x05, 0x06,                                // u24
    0x07, 0x08, 0x09, 0x0a,                          // u32
    0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12,  // u64
    0x02, 0xaa, 0xbb,                                // prefixed<1>
    0x00, 0x03, 0xcc, 0xdd, 0xee,                    // prefixed<2>
    0x00, 0x00, 0x01, 0xff,                          // prefixed<3>
    0x00, 0x00,                                      // prefixed_bytes<2>, empty
    0x13, 0x14,                                      // bytes(2)
    0x15, 0x16, 0x17,                                // copy(3)
    0x18,                                            // skip(1)
};

std::vector<Step> composite_steps() {
  return {
      {"u8", 1,
       [](Reader& r) {
         uint8_t v = 0;
         if (!r.u8(v)) return false;
         EXPECT_EQ(v, 0x01);
         return true;
       }},
      {"u16", 3,
       [](Reader& r) {
         uint16_t v = 0;
         if (!r.u16(v)) return false;
         EXPECT_EQ(v, 0x0203);
         return true;
       }},
      {"u24", 6,
       [](Reader& r) {
         uint32_t v = 0;
         if (!r.u24(v)) return false;
         EXPECT_EQ(v, 0x040506u);
         return true;
       }},
      {"u32", 10,
       [](Reader& r) {
         uint32_t v = 0;
         if (!r.u32(v)) return false;
         EXPECT_EQ(v, 0x0708090au);
         return true;
       }},
      {"u64", 18,
       [](Reader& r) {
         uint64_t v = 0;
         if (!r.u64(v)) return false;
         EXPECT_EQ(v, 0x0b0c0d0e0f101112ull);
         return true;
       }},
      {"prefixed<1>", 21,
       [](Reader& r) {
         Reader sub;
         if (!r.prefixed<1>(sub)) return false;
         EXPECT_EQ(sub.remaining(), 2u);
         uint16_t v = 0;
         EXPECT_TRUE(sub.u16(v));
         EXPECT_EQ(v, 0xaabb);
         EXPECT_TRUE(sub.empty());
         return true;
       }},
      {"prefixed<2>", 26,
       [](Reader& r) {
         ByteView v;
         if (!r.prefixed_bytes<2>(v)) return false;
         EXPECT_EQ(Bytes(v.begin(), v.end()), (Bytes{0xcc, 0xdd, 0xee}));
         return true;
       }},
      {"prefixed<3>", 30,
       [](Reader& r) {
         ByteView v;
         if (!r.prefixed_bytes<3>(v)) return false;
         EXPECT_EQ(Bytes(v.begin(), v.end()), Bytes{0xff});
         return true;
       }},
      {"empty prefixed<2>", 32,
       [](Reader& r) {
         Reader sub;
         if (!r.prefixed<2>(sub)) return false;
         EXPECT_TRUE(sub.empty());
         return true;
       }},
      {"bytes(2)", 34,
       [](Reader& r) {
         ByteView v;
         if (!r.bytes(2, v)) return false;
         EXPECT_EQ(Bytes(v.begin(), v.end()), (Bytes{0x13, 0x14}));
         return true;
       }},
      {"copy(3)", 37,
       [](Reader& r) {
         uint8_t buf[3] = {0, 0, 0};
         if (!r.copy(buf)) return false;
         EXPECT_EQ(buf[0], 0x15);
         EXPECT_EQ(buf[2], 0x17);
         return true;
       }},
      {"skip(1)", 38, [](Reader& r) { return r.skip(1); }},
  };
}

TEST(WireReader, EveryTruncationOfCompositeInput) {
  const std::vector<Step> steps = composite_steps();
  ASSERT_EQ(steps.back().end, kComposite.size());
  for (size_t len = 0; len <= kComposite.size(); ++len) {
    SCOPED_TRACE(testing::Message() << "truncated to " << len);
    Reader r(ByteView(kComposite).first(len));
    for (const Step& step : steps) {
      SCOPED_TRACE(step.what);
      const size_t before = r.position();
      const bool ok = step.read(r);
      if (step.end <= len) {
        ASSERT_TRUE(ok);
        EXPECT_EQ(r.position(), step.end);
      } else {
        EXPECT_FALSE(ok);
        EXPECT_EQ(r.position(), before);
        EXPECT_EQ(r.remaining(), len - before);
        break;
      }
    }
    if (len == kComposite.size()) {
      EXPECT_TRUE(r.empty());
    }
  }
}

TEST(WireReader, RestAndViewsPointIntoInput) {
  Reader r(kComposite);
  ASSERT_TRUE(r.skip(3));
  EXPECT_EQ(r.rest().data(), kComposite.data() + 3);
  EXPECT_EQ(r.rest().size(), kComposite.size() - 3);
  ByteView v;
  ASSERT_TRUE(r.bytes(0, v));
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(r.position(), 3u);
  EXPECT_FALSE(r.skip(kComposite.size()));
  EXPECT_EQ(r.position(), 3u);
}

template <int N>
void check_prefixed_bounds() {
  SCOPED_TRACE(N);
  constexpr size_t kMax = (size_t{1} << (8 * N)) - 1;
  // The largest length this prefix can carry, N = 3 capped to keep the test light.
  const size_t len = N == 3 ? 70000 : kMax;
  Bytes in;
  for (int i = N - 1; i >= 0; --i) in.push_back(static_cast<uint8_t>(len >> (8 * i)));
  in.resize(N + len, 0x5a);

  {  // Length exactly equal to what follows.
    Reader r(in);
    Reader sub;
    ASSERT_TRUE(r.prefixed<N>(sub));
    EXPECT_EQ(sub.remaining(), len);
    EXPECT_TRUE(r.empty());
  }
  {  // One byte short: fails and leaves the reader where it was.
    Reader r(ByteView(in).first(in.size() - 1));
    Reader sub;
    ByteView v;
    EXPECT_FALSE(r.prefixed<N>(sub));
    EXPECT_FALSE(r.prefixed_bytes<N>(v));
    EXPECT_EQ(r.position(), 0u);
  }
  {  // A sub-reader cannot read past its own end, even with more input behind it.
    Bytes two = {0};
    for (int i = 1; i < N; ++i) two.push_back(0);
    two.back() = 1;
    two.push_back(0x77);
    two.push_back(0x88);
    Reader r(two);
    Reader sub;
    ASSERT_TRUE(r.prefixed<N>(sub));
    uint16_t v16 = 0;
    EXPECT_FALSE(sub.u16(v16));
    uint8_t v8 = 0;
    ASSERT_TRUE(sub.u8(v8));
    EXPECT_EQ(v8, 0x77);
    EXPECT_FALSE(sub.u8(v8));
    EXPECT_EQ(r.remaining(), 1u);
  }
  {  // Only part of the length itself.
    Reader r(ByteView(in).first(N - 1));
    Reader sub;
    EXPECT_FALSE(r.prefixed<N>(sub));
    EXPECT_EQ(r.position(), 0u);
  }
}

TEST(WireReader, PrefixedBounds) {
  check_prefixed_bounds<1>();
  check_prefixed_bounds<2>();
  check_prefixed_bounds<3>();
}

TEST(WireWriter, IntegersAreBigEndian) {
  Bytes out;
  Writer w(out);
  w.u8(0x01);
  w.u16(0x0203);
  w.u24(0x040506);
  w.u32(0x0708090a);
  w.u64(0x0b0c0d0e0f101112ull);
  w.zeros(2);
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(out, (Bytes{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
                        0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x00, 0x00}));
  EXPECT_EQ(w.size(), out.size());
}

TEST(WireWriter, PrefixedBackPatchesNestedLengths) {
  Bytes out = {0xee};  // lengths must be patched relative to where the block starts
  Writer w(out);
  w.prefixed<2>([](Writer& a) {
    a.u8(0x01);
    a.prefixed<1>([](Writer& b) { b.bytes(Bytes{0xaa, 0xbb, 0xcc}); });
    a.prefixed<3>([](Writer&) {});
    a.prefixed_bytes<2>(Bytes{0xdd});
  });
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(out, (Bytes{0xee, 0x00, 0x0b, 0x01, 0x03, 0xaa, 0xbb, 0xcc, 0x00, 0x00, 0x00, 0x00,
                        0x01, 0xdd}));

  // And the reader takes it apart again.
  Reader r(ByteView(out).subspan(1));
  Reader outer;
  ASSERT_TRUE(r.prefixed<2>(outer));
  EXPECT_TRUE(r.empty());
  uint8_t tag = 0;
  ByteView inner, empty, last;
  ASSERT_TRUE(outer.u8(tag));
  ASSERT_TRUE(outer.prefixed_bytes<1>(inner));
  ASSERT_TRUE(outer.prefixed_bytes<3>(empty));
  ASSERT_TRUE(outer.prefixed_bytes<2>(last));
  EXPECT_TRUE(outer.empty());
  EXPECT_EQ(inner.size(), 3u);
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(last[0], 0xdd);
}

TEST(WireWriter, PrefixLimits) {
  {
    Bytes out;
    Writer w(out);
    w.prefixed_bytes<1>(Bytes(255, 1));
    EXPECT_TRUE(w.ok());
    EXPECT_EQ(out[0], 0xff);
    EXPECT_EQ(out.size(), 256u);
  }
  {
    Bytes out;
    Writer w(out);
    w.prefixed_bytes<1>(Bytes(256, 1));
    EXPECT_FALSE(w.ok());
  }
  {
    Bytes out;
    Writer w(out);
    w.prefixed_bytes<2>(Bytes(65535, 1));
    EXPECT_TRUE(w.ok());
    w.prefixed_bytes<2>(Bytes(65536, 1));
    EXPECT_FALSE(w.ok());
  }
  {
    Bytes out;
    Writer w(out);
    w.prefixed_bytes<3>(Bytes(65536, 1));
    EXPECT_TRUE(w.ok());
    EXPECT_EQ(out[0], 0x01);
    EXPECT_EQ(out[1], 0x00);
    EXPECT_EQ(out[2], 0x00);
  }
}

TEST(WireWriter, OverflowPoisonsForGood) {
  struct Case {
    const char* what;
    std::function<void(Writer&)> bad;
  };
  const Case cases[] = {
      {"u8", [](Writer& w) { w.u8(0x100); }},
      {"u16", [](Writer& w) { w.u16(0x10000); }},
      {"u24", [](Writer& w) { w.u24(0x1000000); }},
      {"u32", [](Writer& w) { w.u32(uint64_t{1} << 32); }},
      {"nested prefix",
       [](Writer& w) { w.prefixed<2>([](Writer& in) { in.prefixed_bytes<1>(Bytes(300, 0)); }); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Bytes out;
    Writer w(out);
    w.u8(0xff);
    w.u16(0xffff);
    w.u24(0xffffff);
    w.u32(0xffffffff);
    ASSERT_TRUE(w.ok());
    c.bad(w);
    EXPECT_FALSE(w.ok());
    w.u8(1);
    w.prefixed<1>([](Writer& in) { in.u8(2); });
    EXPECT_FALSE(w.ok());
  }
}

}  // namespace
}  // namespace snr::wire
