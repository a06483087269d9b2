// TLS 1.2 handshake message codec (msg/messages12.hpp): hand-built messages parse into the
// right fields and re-serialize byte for byte; truncated, padded and malformed bodies fail with
// the right error.
#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "msg/messages12.hpp"
#include "msg/types.hpp"
#include "test_bytes.hpp"
#include "util/bytes.hpp"
#include "util/error_code.hpp"

namespace snr::msg {
namespace {

Bytes u8(size_t v) { return {static_cast<uint8_t>(v)}; }
Bytes u16(size_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }
Bytes u24(size_t v) {
  return {static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}
Bytes filled(size_t n, uint8_t first) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(first + i);
  return b;
}
// The 4-byte handshake header.
Bytes header(HandshakeType t, size_t len) { return cat({u8(static_cast<uint8_t>(t)), u24(len)}); }
Bytes with_header(HandshakeType t, const Bytes& body) {
  return cat({header(t, body.size()), body});
}

template <class R>
Err err_of_result(const R& r) {
  return r.ok() ? Err::kCount : err_of(r.error());
}

// Every strict prefix of `body` must fail to parse with Err::DECODE.
template <class Parse>
void expect_truncations_fail(const Bytes& body, Parse parse) {
  for (size_t n = 0; n < body.size(); ++n) {
    auto r = parse(ByteView(body).first(n));
    ASSERT_FALSE(r.ok()) << "prefix of " << n << " of " << body.size() << " bytes parsed";
    EXPECT_EQ(err_of(r.error()), Err::DECODE) << "prefix " << n;
  }
}

// A byte after a complete message is an error too.
template <class Parse>
void expect_trailing_fails(const Bytes& body, Parse parse) {
  Bytes padded = body;
  padded.push_back(0);
  auto r = parse(padded);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(err_of(r.error()), Err::DECODE);
}

// ---- Certificate ----

const Bytes kDer1 = cat({from_hex("3082"), filled(40, 0x10)});
const Bytes kDer2 = cat({from_hex("3082"), filled(7, 0xa0)});

Bytes cert_body() {
  const Bytes e1 = cat({u24(kDer1.size()), kDer1});
  const Bytes e2 = cat({u24(kDer2.size()), kDer2});
  return cat({u24(e1.size() + e2.size()), e1, e2});
}

TEST(Msg12Certificate, ParsesAndRoundTrips) {
  const Bytes body = cert_body();
  auto m = parse_certificate12(body);
  ASSERT_TRUE(m.ok()) << m.error().message();
  ASSERT_EQ(m->certs.size(), 2u);
  EXPECT_EQ(m->certs[0], kDer1);
  EXPECT_EQ(m->certs[1], kDer2);

  Bytes out = from_hex("ff");  // serialize appends
  ASSERT_TRUE(serialize(*m, out).ok());
  EXPECT_EQ(out, cat({from_hex("ff"), with_header(HandshakeType::certificate, body)}));
}

TEST(Msg12Certificate, EmptyListIsWellFormed) {
  auto m = parse_certificate12(from_hex("000000"));
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(m->certs.empty());
  Bytes out;
  ASSERT_TRUE(serialize(Certificate12{}, out).ok());
  EXPECT_EQ(out, from_hex("0b000003000000"));
}

TEST(Msg12Certificate, MalformedFailsWithDecode) {
  const Bytes body = cert_body();
  expect_truncations_fail(body, [](ByteView b) { return parse_certificate12(b); });
  expect_trailing_fails(body, [](ByteView b) { return parse_certificate12(b); });
  // An empty certificate inside the list.
  EXPECT_EQ(err_of_result(parse_certificate12(from_hex("000003000000"))), Err::DECODE);
  // Entry longer than the list that holds it.
  EXPECT_EQ(err_of_result(parse_certificate12(cat({u24(5), u24(3), from_hex("3082aa")}))),
            Err::DECODE);
  // Junk after the last entry inside the list.
  EXPECT_EQ(
      err_of_result(parse_certificate12(cat({u24(7), u24(3), from_hex("3082aa"), from_hex("00")}))),
      Err::DECODE);
  EXPECT_EQ(err_of_result(parse_certificate12({})), Err::DECODE);
}

TEST(Msg12Certificate, SerializeRejectsEmptyCertificate) {
  Certificate12 m;
  m.certs = {kDer1, Bytes{}};
  Bytes out = from_hex("aabb");
  EXPECT_FALSE(serialize(m, out).ok());
  EXPECT_EQ(out, from_hex("aabb"));  // left as it was
}

// ---- ServerKeyExchange ----

const Bytes kPoint = cat({from_hex("04"), filled(64, 0x30)});
const Bytes kSig = filled(71, 0x80);
const Bytes kDhP = cat({from_hex("ff"), filled(255, 0x01)});
const Bytes kDhG = from_hex("02");
const Bytes kDhYs = filled(256, 0x44);

Bytes ecdhe_params() { return cat({u8(3), u16(0x0017), u8(kPoint.size()), kPoint}); }
Bytes dhe_params() {
  return cat({u16(kDhP.size()), kDhP, u16(kDhG.size()), kDhG, u16(kDhYs.size()), kDhYs});
}
Bytes signed_part(bool with_scheme) {
  return cat({with_scheme ? u16(0x0403) : Bytes{}, u16(kSig.size()), kSig});
}

TEST(Msg12ServerKeyExchange, EcdheParsesAndRoundTrips) {
  const Bytes body = cat({ecdhe_params(), signed_part(true)});
  auto m = parse_server_key_exchange(body, KxKind::ECDHE, true);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->kind, KxKind::ECDHE);
  EXPECT_EQ(m->group, 0x0017);
  EXPECT_EQ(m->point, kPoint);
  EXPECT_EQ(m->scheme, 0x0403);
  EXPECT_EQ(m->signature, kSig);
  EXPECT_TRUE(m->dh_p.empty() && m->dh_g.empty() && m->dh_ys.empty());
  // What the signature covers: the params exactly as sent.
  EXPECT_EQ(m->params(), ecdhe_params());

  Bytes out;
  ASSERT_TRUE(serialize(*m, out).ok());
  EXPECT_EQ(out, with_header(HandshakeType::server_key_exchange, body));
}

TEST(Msg12ServerKeyExchange, EcdheWithoutSchemeForTls10And11) {
  const Bytes body = cat({ecdhe_params(), signed_part(false)});
  auto m = parse_server_key_exchange(body, KxKind::ECDHE, false);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->scheme, 0);
  EXPECT_EQ(m->signature, kSig);
  Bytes out;
  ASSERT_TRUE(serialize(*m, out).ok());
  EXPECT_EQ(out, with_header(HandshakeType::server_key_exchange, body));
  // The TLS 1.2 form has two bytes more than the TLS 1.1 parser accepts.
  EXPECT_EQ(err_of_result(parse_server_key_exchange(cat({ecdhe_params(), signed_part(true)}),
                                                    KxKind::ECDHE, false)),
            Err::DECODE);
}

TEST(Msg12ServerKeyExchange, DheParsesAndRoundTrips) {
  for (bool with_scheme : {true, false}) {
    const Bytes body = cat({dhe_params(), signed_part(with_scheme)});
    auto m = parse_server_key_exchange(body, KxKind::DHE, with_scheme);
    ASSERT_TRUE(m.ok()) << m.error().message();
    EXPECT_EQ(m->kind, KxKind::DHE);
    EXPECT_EQ(m->dh_p, kDhP);
    EXPECT_EQ(m->dh_g, kDhG);
    EXPECT_EQ(m->dh_ys, kDhYs);
    EXPECT_EQ(m->scheme, with_scheme ? 0x0403 : 0);
    EXPECT_EQ(m->signature, kSig);
    EXPECT_EQ(m->params(), dhe_params());
    Bytes out;
    ASSERT_TRUE(serialize(*m, out).ok());
    EXPECT_EQ(out, with_header(HandshakeType::server_key_exchange, body));
  }
}

TEST(Msg12ServerKeyExchange, TruncatedOrPaddedFailsWithDecode) {
  for (bool with_scheme : {true, false}) {
    const Bytes ec = cat({ecdhe_params(), signed_part(with_scheme)});
    const Bytes dh = cat({dhe_params(), signed_part(with_scheme)});
    auto parse_ec = [&](ByteView b) {
      return parse_server_key_exchange(b, KxKind::ECDHE, with_scheme);
    };
    auto parse_dh = [&](ByteView b) {
      return parse_server_key_exchange(b, KxKind::DHE, with_scheme);
    };
    expect_truncations_fail(ec, parse_ec);
    expect_trailing_fails(ec, parse_ec);
    expect_truncations_fail(dh, parse_dh);
    expect_trailing_fails(dh, parse_dh);
  }
}

TEST(Msg12ServerKeyExchange, EmptyFieldsFailWithDecode) {
  const Bytes sig = signed_part(true);
  auto ec = [](const Bytes& b) { return parse_server_key_exchange(b, KxKind::ECDHE, true); };
  auto dh = [](const Bytes& b) { return parse_server_key_exchange(b, KxKind::DHE, true); };
  EXPECT_EQ(err_of_result(ec(cat({u8(3), u16(0x17), u8(0), sig}))), Err::DECODE);
  EXPECT_EQ(err_of_result(ec(cat({ecdhe_params(), u16(0x0403), u16(0)}))), Err::DECODE);
  const Bytes p = cat({u16(kDhP.size()), kDhP});
  const Bytes g = cat({u16(kDhG.size()), kDhG});
  const Bytes ys = cat({u16(kDhYs.size()), kDhYs});
  EXPECT_EQ(err_of_result(dh(cat({u16(0), g, ys, sig}))), Err::DECODE);
  EXPECT_EQ(err_of_result(dh(cat({p, u16(0), ys, sig}))), Err::DECODE);
  EXPECT_EQ(err_of_result(dh(cat({p, g, u16(0), sig}))), Err::DECODE);
  EXPECT_EQ(err_of_result(dh(cat({dhe_params(), u16(0x0403), u16(0)}))), Err::DECODE);
}

TEST(Msg12ServerKeyExchange, ExplicitCurvesAreIllegal) {
  for (uint8_t curve_type : {0, 1, 2, 4, 255}) {
    Bytes body = cat({ecdhe_params(), signed_part(true)});
    body[0] = curve_type;
    EXPECT_EQ(err_of_result(parse_server_key_exchange(body, KxKind::ECDHE, true)),
              Err::ILLEGAL_PARAMETER)
        << int{curve_type};
  }
}

TEST(Msg12ServerKeyExchange, NoneForRsaKeyExchange) {
  const Bytes body = cat({dhe_params(), signed_part(true)});
  EXPECT_EQ(err_of_result(parse_server_key_exchange(body, KxKind::RSA, true)),
            Err::UNEXPECTED_MESSAGE);
  ServerKeyExchange m;
  m.kind = KxKind::RSA;
  m.signature = kSig;
  Bytes out;
  EXPECT_FALSE(serialize(m, out).ok());
  EXPECT_TRUE(out.empty());
  EXPECT_TRUE(m.params().empty());
}

TEST(Msg12ServerKeyExchange, SerializeRejectsWhatCannotBeParsed) {
  ServerKeyExchange ok;
  ok.group = 0x001d;
  ok.point = filled(32, 1);
  ok.scheme = 0x0804;
  ok.signature = kSig;
  Bytes out;
  ASSERT_TRUE(serialize(ok, out).ok());

  auto fails = [](const ServerKeyExchange& m) {
    Bytes o = from_hex("01");
    const bool failed = !serialize(m, o).ok();
    return failed && o == from_hex("01");
  };
  ServerKeyExchange m = ok;
  m.point.clear();
  EXPECT_TRUE(fails(m));
  m = ok;
  m.signature.clear();
  EXPECT_TRUE(fails(m));
  m = ok;
  m.point.assign(256, 4);  // does not fit the u8 prefix
  EXPECT_TRUE(fails(m));
  EXPECT_TRUE(m.params().empty());

  ServerKeyExchange d;
  d.kind = KxKind::DHE;
  d.dh_p = kDhP;
  d.dh_g = kDhG;
  d.dh_ys = kDhYs;
  d.signature = kSig;
  ASSERT_TRUE(serialize(d, out).ok());
  ServerKeyExchange e = d;
  e.dh_g.clear();
  EXPECT_TRUE(fails(e));
  e = d;
  e.dh_ys.clear();
  EXPECT_TRUE(fails(e));
}

// ---- ServerHelloDone ----

TEST(Msg12ServerHelloDone, EmptyBodyOnly) {
  EXPECT_TRUE(parse_server_hello_done({}).ok());
  auto r = parse_server_hello_done(from_hex("00"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(err_of(r.error()), Err::DECODE);
  Bytes out = from_hex("aa");
  ASSERT_TRUE(serialize_server_hello_done(out).ok());
  EXPECT_EQ(out, from_hex("aa0e000000"));
}

// ---- ClientKeyExchange ----

TEST(Msg12ClientKeyExchange, EachKindParsesAndRoundTrips) {
  struct Case {
    KxKind kind;
    Bytes exchange;
    Bytes body;
  };
  const Bytes point = cat({from_hex("04"), filled(96, 7)});
  const Bytes yc = filled(256, 9);
  const Bytes epms = filled(256, 0xc0);
  const Case cases[] = {
      {KxKind::ECDHE, point, cat({u8(point.size()), point})},
      {KxKind::DHE, yc, cat({u16(yc.size()), yc})},
      {KxKind::RSA, epms, cat({u16(epms.size()), epms})},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.kind));
    auto m = parse_client_key_exchange(c.body, c.kind);
    ASSERT_TRUE(m.ok()) << m.error().message();
    EXPECT_EQ(m->kind, c.kind);
    EXPECT_EQ(m->exchange, c.exchange);
    Bytes out;
    ASSERT_TRUE(serialize(*m, out).ok());
    EXPECT_EQ(out, with_header(HandshakeType::client_key_exchange, c.body));

    auto parse = [&](ByteView b) { return parse_client_key_exchange(b, c.kind); };
    expect_truncations_fail(c.body, parse);
    expect_trailing_fails(c.body, parse);
  }
}

TEST(Msg12ClientKeyExchange, MalformedFailsWithDecode) {
  EXPECT_EQ(err_of_result(parse_client_key_exchange(from_hex("00"), KxKind::ECDHE)), Err::DECODE);
  EXPECT_EQ(err_of_result(parse_client_key_exchange(from_hex("0000"), KxKind::DHE)), Err::DECODE);
  EXPECT_EQ(err_of_result(parse_client_key_exchange(from_hex("0000"), KxKind::RSA)), Err::DECODE);
  // A u16-prefixed point where ECDHE wants a u8 prefix: the lengths do not add up.
  EXPECT_EQ(err_of_result(parse_client_key_exchange(from_hex("0002aabb"), KxKind::ECDHE)),
            Err::DECODE);
  // A u8-prefixed Yc where DHE wants a u16 prefix.
  EXPECT_EQ(err_of_result(parse_client_key_exchange(from_hex("02aabb"), KxKind::DHE)), Err::DECODE);

  ClientKeyExchange empty;
  empty.kind = KxKind::RSA;
  Bytes out;
  EXPECT_FALSE(serialize(empty, out).ok());
  EXPECT_TRUE(out.empty());
  ClientKeyExchange big;
  big.kind = KxKind::ECDHE;
  big.exchange.assign(256, 4);
  EXPECT_FALSE(serialize(big, out).ok());
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace snr::msg
