// Handshake message and extension codec: RFC 8448 traces parse and re-serialize byte for byte;
// malformed input fails with the right error; hand-built messages round-trip.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "msg/messages.hpp"
#include "msg/types.hpp"
#include "test_bytes.hpp"
#include "util/bytes.hpp"
#include "util/error_code.hpp"

namespace snr::msg {
namespace {

// ---- RFC 8448 messages (4-byte handshake header included) ----

// RFC 8448 section 3: ClientHello (196 octets)
constexpr const char* kCh1Rtt =
    "010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7000006130113"
    "031302010000910000000b0009000006736572766572ff01000100000a00140012001d001700180019010001"
    "0101020103010400230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae"
    "4d5413691e529aaf2c002b0003020304000d0020001e04030503060302030804080508060401050106010201"
    "0402050206020202002d00020101001c00024001";

// RFC 8448 section 3: ServerHello (90 octets)
constexpr const char* kSh1Rtt =
    "020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155772ed3e2692800130100002e"
    "00330024001d0020c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f002b0002"
    "0304";

// RFC 8448 section 3: EncryptedExtensions (40 octets)
constexpr const char* kEe1Rtt =
    "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000";

// RFC 8448 section 3: Certificate (445 octets)
constexpr const char* kCert1Rtt =
    "0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a864886f70d01010b0500300e"
    "310c300a06035504031303727361301e170d3136303733303031323335395a170d3236303733303031323335"
    "395a300e310c300a0603550403130372736130819f300d06092a864886f70d010101050003818d0030818902"
    "818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd2de49a91d015abbc9a"
    "95137ace6c1af19eaa6af98c7ced43120998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda43"
    "0846748030530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f02"
    "03010001a31a301830090603551d1304023000300b0603551d0f0404030205a0300d06092a864886f70d0101"
    "0b05000381810085aad2a0e5b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a5"
    "8c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102702e608ccae6bec1fc63a42a"
    "99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b4"
    "2b4de10000";

// RFC 8448 section 3: CertificateVerify (136 octets)
constexpr const char* kCv1Rtt =
    "0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145ab3ff52f1fda8477b0b7abc90"
    "db78e2d33a5c141a078653fa6bef780c5ea248eeaaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac"
    "027671459e46445c9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea20d53dfac"
    "d42f74f3";

// RFC 8448 section 3: Finished (36 octets)
constexpr const char* kServerFin1Rtt =
    "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";

// RFC 8448 section 3: Finished (36 octets)
constexpr const char* kClientFin1Rtt =
    "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";

// RFC 8448 section 3: NewSessionTicket (205 octets)
constexpr const char* kNst1Rtt =
    "040000c90000001efad6aac502000000b22c035d829359ee5ff7af4ec900000000262a6494dc486d2c8a34cb"
    "33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a982117283f82a03a143efd3ff5dd36d64"
    "e861be7fd61d2827db279cce145077d454a3664d4e6da4d29ee03725a6a4dafcd0fc67d2aea70529513e3da2"
    "677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac5c03272e970727c621a79141ef5f"
    "7de6505e5bfbc388e93343694093934ae4d3570008002a000400000400";

// RFC 8448 section 4: ClientHello with PSK binders (512 octets, the "payload" sent)
constexpr const char* kChResume =
    "010001fc03031bc3ceb6bbe39cff938355b5a50adb6db21b7a6af649d7b4bc419d7876487d95000006130113"
    "031302010001cd0000000b0009000006736572766572ff01000100000a00140012001d001700180019010001"
    "01010201030104003300260024001d0020e4ffb68ac05f8d96c99da26698346c6be16482badddafe051a66b4"
    "f18d668f0b002a0000002b0003020304000d0020001e04030503060302030804080508060401050106010201"
    "0402050206020202002d00020101001c00024001001500570000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000002900dd00b800b22c035d829359ee5ff7af4ec900"
    "000000262a6494dc486d2c8a34cb33fa90bf1b0070ad3c498883c9367c09a2be785abc55cd226097a3a98211"
    "7283f82a03a143efd3ff5dd36d64e861be7fd61d2827db279cce145077d454a3664d4e6da4d29ee03725a6a4"
    "dafcd0fc67d2aea70529513e3da2677fa5906c5b3f7d8f92f228bda40dda721470f9fbf297b5aea617646fac"
    "5c03272e970727c621a79141ef5f7de6505e5bfbc388e93343694093934ae4d357fad6aacb0021203add4fb2"
    "d8fdf822a0ca3cf7678ef5e88dae990141c5924d57bb6fa31b9e5f9d";

// RFC 8448 section 4: ServerHello (96 octets)
constexpr const char* kShResume =
    "0200005c03033ccfd2dec890222763472ae8136777c9d7358777bb66e91ea5122495f559ea2d001301000034"
    "00290002000000330024001d0020121761ee42c333e1b9e77b60dd57c2053cd94512ab47f115e86eff50942c"
    "ea31002b00020304";

// RFC 8448 section 4: EncryptedExtensions (44 octets)
constexpr const char* kEeResume =
    "080000280026000a00140012001d00170018001901000101010201030104001c0002400100000000002a0000";

// RFC 8448 section 5: ClientHello (180 octets)
constexpr const char* kChHrr1 =
    "010000b00303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee9258a346677b6f000006130113"
    "031302010000810000000b0009000006736572766572ff01000100000a00080006001d001700180033002600"
    "24001d0020e8e8e3f3b93a25ed97a14a7dcacb8a272c6288e585c6484d05262fcad062ad1f002b0003020304"
    "000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c"
    "00024001";

// RFC 8448 section 5: ServerHello (176 octets)
constexpr const char* kHrr =
    "020000ac0303cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c001301000084"
    "003300020017002c0074007271dcd04bb88bc3189119398a00000000eefafc76c146b823b096f8aacad365dd"
    "0030953f4edf625636e5f21bb2e23fcc654b1b5b40318d10d137abcbb87574e36e8a1f025f7dfa5d6e50781b"
    "5eda4aa15b0c8be778257d16aa3030e9e7841dd9e4c0342267e8ca0caf571fb2b7cff0f934b0002b00020304";

// RFC 8448 section 5: ClientHello (512 octets)
constexpr const char* kChHrr2 =
    "010001fc0303b0b1c5a5aa37c5919f2ed1d5c6fff7fcb7849716945a2b8cee9258a346677b6f000006130113"
    "031302010001cd0000000b0009000006736572766572ff01000100000a00080006001d001700180033004700"
    "450017004104a6da7392ec591e17abfd535964b99894d13befb221b3def2ebe3830eac8f0151812677c4d6d2"
    "237e85cf01d6910cfb83954e76ba7352830534159897e8065780002b0003020304000d0020001e0403050306"
    "03020308040805080604010501060102010402050206020202002c0074007271dcd04bb88bc3189119398a00"
    "000000eefafc76c146b823b096f8aacad365dd0030953f4edf625636e5f21bb2e23fcc654b1b5b40318d10d1"
    "37abcbb87574e36e8a1f025f7dfa5d6e50781b5eda4aa15b0c8be778257d16aa3030e9e7841dd9e4c0342267"
    "e8ca0caf571fb2b7cff0f934b0002d00020101001c00024001001500af000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000000000000";

// RFC 8448 section 5: ServerHello (123 octets)
constexpr const char* kShHrr =
    "020000770303bb341d847fd789c47c387172dc0c9bf147fccacb5043d86ca4c598d3ff571b9800130100004f"
    "003300450017004104583e054b7a66672ae020ad9d2686fcc85b5ad41a134a0f03ee72b893052bd85b4c8de6"
    "776f5b04ac07d83540eab3e3d9c547bc6528c4317d294686093a6cad7d002b00020304";

// RFC 8448 section 5: EncryptedExtensions (28 octets)
constexpr const char* kEeHrr = "080000180016000a0008000600170018001d001c0002400100000000";

// RFC 8448 section 6: CertificateRequest (43 octets)
constexpr const char* kCrClientAuth =
    "0d000027000024000d0020001e040305030603020308040805080604010501060102010402050206020202";

// RFC 8448 section 6: CertificateVerify (79 octets)
constexpr const char* kCvEcdsaClientAuth =
    "0f00004b040300473045022100d7a4d34bd54f55fee1a89625678c3dd5e5f60dac73ec940c5c7b9304a02084"
    "a90220289f595ed488b9ac689a3d192b1a8bb38f34af7874c059c9806a1f38269353e8";

// RFC 8448 section 6: Certificate (451 octets)
constexpr const char* kClientCertClientAuth =
    "0b0001bf000001bb0001b6308201b23082011ba003020102020101300d06092a864886f70d01010b05003011"
    "310f300d06035504031306636c69656e74301e170d3136303733303031323335395a170d3236303733303031"
    "323335395a3011310f300d06035504031306636c69656e7430819f300d06092a864886f70d01010105000381"
    "8d0030818902818100c38175e004a68d093f823b9c379d201fbc0bb7a1c791905e3fbf76847e44e751ebbcd3"
    "60bd945c81e5222bcc8846d3a8a0f93e9bf5bebabd92edf1de1ff19021703e7ab6c0901513f97e39b111f09c"
    "9348971c7b211984a754cd45fe095af0ea4236829bccf7a7fe9b2888e78ab477690a5b9e1ccbe91c6a4a0f97"
    "a7e02842010203010001a31a301830090603551d1304023000300b0603551d0f040403020780300d06092a86"
    "4886f70d01010b0500038181001a7a5a018532b022af0767d486160cff2d167a1915d23835b54594916dc680"
    "be5d2e626076c5d52722ebcc775d7d99f980be2fc94d34acf6cc00ba90cbcfb0608aa1e7e3971ef0c07a41d4"
    "7ad8345d1f81fe418a1cf41054429fd217bd777dc1cf08f05df90799c659361e0f1a8ee4ac0f7897420bdbc8"
    "23da80a2f2ba23081c0000";

// RFC 8448 section 7: ClientHello (224 octets)
constexpr const char* kChCompat =
    "010000dc03034e640a3f2c2738f09c9418bd78edccd7559d0531199276d4d92a0e9ee9d77d0920a80c165581"
    "a8e0d06c0018d54d3a06dd32cfd4051eb026fad3fd0ba99269e6ef00061301130313020100008d0000000b00"
    "09000006736572766572ff01000100000a00140012001d001700180019010001010102010301040033002600"
    "24001d00208e7292cf3056dbb0d25fcbe55c107dc9bbf83dd9708f39203ba341249a7d9b63002b0003020304"
    "000d0020001e040305030603020308040805080604010501060102010402050206020202002d00020101001c"
    "00024001";

// RFC 8448 section 7: ServerHello (122 octets)
constexpr const char* kShCompat =
    "020000760303e5dd5948c435f7a38f0f0130708dc322d9df09abd4838117c183a7bb6d994f2c20a80c165581"
    "a8e0d06c0018d54d3a06dd32cfd4051eb026fad3fd0ba99269e6ef130100002e00330024001d00203e30f0f4"
    "ba551afd62768341175f5265e4daf0c8841617aa4fafdd2142320c22002b00020304";
// ---- helpers ----

Bytes u16(size_t v) { return {static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}; }
Bytes u24(size_t v) {
  return {static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

// One extension: type, u16 length, data.
Bytes ext(uint16_t type, const Bytes& data) { return cat({u16(type), u16(data.size()), data}); }

// A u16-length-prefixed extension block.
Bytes block(std::initializer_list<Bytes> exts) {
  Bytes body = cat(exts);
  return cat({u16(body.size()), body});
}

const Bytes kRandom(32, 0x42);

// A minimal ClientHello body followed by `tail` (usually an extension block).
Bytes ch_body(const Bytes& tail) {
  return cat({from_hex("0303"), kRandom,
              from_hex("00"
                       "00021301"
                       "0100"),
              tail});
}

// A TLS 1.3 ServerHello (or, with the HRR random, HelloRetryRequest) body.
Bytes sh_body(const Bytes& tail, bool hrr = false) {
  Bytes random = hrr ? Bytes(std::begin(kHelloRetryRandom), std::end(kHelloRetryRandom)) : kRandom;
  return cat({from_hex("0303"), random,
              from_hex("00"
                       "1301"
                       "00"),
              tail});
}

// A Certificate body (empty context) with one entry.
Bytes cert_body(const Bytes& der, const Bytes& ext_block) {
  Bytes entry = cat({u24(der.size()), der, ext_block});
  return cat({from_hex("00"), u24(entry.size()), entry});
}

ByteView body_of(const Bytes& msg) { return ByteView(msg).subspan(4); }

template <class R>
testing::AssertionResult succeeds(const R& r) {
  if (r.ok()) return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << "failed with " << r.error().name() << ": " << r.error().message();
}

template <class R>
testing::AssertionResult fails_with(const R& r, Err want) {
  if (r.ok()) return testing::AssertionFailure() << "succeeded; wanted " << make_error(want).name();
  if (err_of(r.error()) != want)
    return testing::AssertionFailure()
           << "failed with " << r.error().name() << " (" << r.error().message() << "); wanted "
           << make_error(want).name();
  return testing::AssertionSuccess();
}

template <class M>
Bytes serialized(const M& m) {
  Bytes out;
  EXPECT_TRUE(succeeds(serialize(m, out)));
  return out;
}

// Parses a whole message by its header type and serializes the result again.
Result<Bytes> reparse(const Bytes& msg) {
  if (msg.size() < 4) return make_error(Err::DECODE);
  const size_t len = size_t{msg[1]} << 16 | size_t{msg[2]} << 8 | msg[3];
  EXPECT_EQ(len, msg.size() - 4);
  ByteView body = body_of(msg);
  Bytes out;
  auto run = [&](auto parsed) -> Result<Bytes> {
    if (!parsed.ok()) return std::move(parsed).error();
    SNR_TRY(serialize(*parsed, out));
    return out;
  };
  switch (static_cast<HandshakeType>(msg[0])) {
    case HandshakeType::client_hello:
      return run(parse_client_hello(body));
    case HandshakeType::server_hello:
      return run(parse_server_hello(body));
    case HandshakeType::encrypted_extensions:
      return run(parse_encrypted_extensions(body));
    case HandshakeType::certificate:
      return run(parse_certificate(body));
    case HandshakeType::certificate_request:
      return run(parse_certificate_request(body));
    case HandshakeType::certificate_verify:
      return run(parse_certificate_verify(body));
    case HandshakeType::finished:
      return run(parse_finished(body));
    case HandshakeType::new_session_ticket:
      return run(parse_new_session_ticket(body));
    case HandshakeType::key_update:
      return run(parse_key_update(body));
    default:
      return make_error(Err::UNEXPECTED_MESSAGE);
  }
}

const RawExtension* raw(const Extensions& e, uint16_t type) {
  for (const RawExtension& r : e.unknown)
    if (r.type == type) return &r;
  return nullptr;
}

void expect_same(const Extensions& a, const Extensions& b) {
  EXPECT_EQ(a.order, b.order);
  EXPECT_EQ(a.server_name, b.server_name);
  EXPECT_EQ(a.supported_groups, b.supported_groups);
  EXPECT_EQ(a.signature_algorithms, b.signature_algorithms);
  EXPECT_EQ(a.signature_algorithms_cert, b.signature_algorithms_cert);
  EXPECT_EQ(a.supported_versions, b.supported_versions);
  EXPECT_EQ(a.selected_version, b.selected_version);
  EXPECT_EQ(a.key_shares, b.key_shares);
  EXPECT_EQ(a.hrr_group, b.hrr_group);
  EXPECT_EQ(a.cookie, b.cookie);
  EXPECT_EQ(a.psk_key_exchange_modes, b.psk_key_exchange_modes);
  EXPECT_EQ(a.alpn, b.alpn);
  EXPECT_EQ(a.ec_point_formats, b.ec_point_formats);
  EXPECT_EQ(a.renegotiation_info, b.renegotiation_info);
  EXPECT_EQ(a.record_size_limit, b.record_size_limit);
  EXPECT_EQ(a.psk_identities, b.psk_identities);
  EXPECT_EQ(a.psk_binders, b.psk_binders);
  EXPECT_EQ(a.psk_selected_identity, b.psk_selected_identity);
  EXPECT_EQ(a.max_early_data_size, b.max_early_data_size);
  EXPECT_EQ(a.session_ticket, b.session_ticket);
  EXPECT_EQ(a.unknown, b.unknown);
}

const std::vector<uint16_t> kRfcSigAlgs = {0x0403, 0x0503, 0x0603, 0x0203, 0x0804,
                                           0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
                                           0x0201, 0x0402, 0x0502, 0x0602, 0x0202};
const std::vector<uint16_t> kRfcGroups = {0x001d, 0x0017, 0x0018, 0x0019, 0x0100,
                                          0x0101, 0x0102, 0x0103, 0x0104};

// ---- RFC 8448 section 3: simple 1-RTT handshake ----

TEST(MsgRfc8448, ClientHello) {
  const Bytes msg = from_hex(kCh1Rtt);
  ASSERT_EQ(msg[0], static_cast<uint8_t>(HandshakeType::client_hello));
  auto ch = parse_client_hello(body_of(msg));
  ASSERT_TRUE(succeeds(ch));
  EXPECT_EQ(ch->legacy_version, version::TLS12);
  EXPECT_EQ(Bytes(ch->random.begin(), ch->random.end()),
            from_hex("cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"));
  EXPECT_TRUE(ch->session_id.empty());
  EXPECT_EQ(ch->cipher_suites, (std::vector<uint16_t>{0x1301, 0x1303, 0x1302}));
  EXPECT_EQ(ch->compression_methods, Bytes{0});

  const Extensions& e = ch->ext;
  EXPECT_EQ(e.order,
            (std::vector<uint16_t>{ext::server_name, ext::renegotiation_info, ext::supported_groups,
                                   ext::session_ticket, ext::key_share, ext::supported_versions,
                                   ext::signature_algorithms, ext::psk_key_exchange_modes,
                                   ext::record_size_limit}));
  EXPECT_EQ(e.server_name, "server");
  EXPECT_TRUE(e.renegotiation_info.empty());
  EXPECT_EQ(e.supported_groups, kRfcGroups);
  ASSERT_EQ(e.key_shares.size(), 1u);
  EXPECT_EQ(e.key_shares[0].group, 0x001d);
  EXPECT_EQ(e.key_shares[0].key_exchange,
            from_hex("99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c"));
  EXPECT_EQ(e.supported_versions, std::vector<uint16_t>{version::TLS13});
  EXPECT_EQ(e.signature_algorithms, kRfcSigAlgs);
  EXPECT_EQ(e.psk_key_exchange_modes, std::vector<uint8_t>{1});
  EXPECT_EQ(e.record_size_limit, 0x4001);
  // session_ticket: present and empty (the client asks for a TLS 1.2 ticket).
  EXPECT_TRUE(e.has(ext::session_ticket));
  EXPECT_TRUE(e.session_ticket.empty());
  EXPECT_TRUE(e.unknown.empty());
  EXPECT_TRUE(e.has(ext::key_share));
  EXPECT_FALSE(e.has(ext::cookie));

  EXPECT_EQ(serialized(*ch), msg);
}

TEST(MsgRfc8448, ServerHello) {
  const Bytes msg = from_hex(kSh1Rtt);
  auto sh = parse_server_hello(body_of(msg));
  ASSERT_TRUE(succeeds(sh));
  EXPECT_FALSE(sh->is_hello_retry_request());
  EXPECT_EQ(sh->legacy_version, version::TLS12);
  EXPECT_EQ(sh->random[0], 0xa6);
  EXPECT_EQ(sh->random[31], 0x28);
  EXPECT_TRUE(sh->session_id.empty());
  EXPECT_EQ(sh->cipher_suite, 0x1301);
  EXPECT_EQ(sh->compression_method, 0);
  EXPECT_EQ(sh->ext.order, (std::vector<uint16_t>{ext::key_share, ext::supported_versions}));
  EXPECT_EQ(sh->ext.selected_version, version::TLS13);
  ASSERT_EQ(sh->ext.key_shares.size(), 1u);
  EXPECT_EQ(sh->ext.key_shares[0].group, 0x001d);
  EXPECT_EQ(sh->ext.key_shares[0].key_exchange,
            from_hex("c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f"));
  EXPECT_TRUE(sh->ext.unknown.empty());
  EXPECT_EQ(serialized(*sh), msg);
}

TEST(MsgRfc8448, EncryptedExtensions) {
  const Bytes msg = from_hex(kEe1Rtt);
  auto ee = parse_encrypted_extensions(body_of(msg));
  ASSERT_TRUE(succeeds(ee));
  EXPECT_EQ(ee->ext.order, (std::vector<uint16_t>{ext::supported_groups, ext::record_size_limit,
                                                  ext::server_name}));
  EXPECT_EQ(ee->ext.supported_groups, kRfcGroups);
  EXPECT_EQ(ee->ext.record_size_limit, 0x4001);
  EXPECT_TRUE(ee->ext.server_name.empty());
  EXPECT_EQ(serialized(*ee), msg);
}

TEST(MsgRfc8448, Certificate) {
  const Bytes msg = from_hex(kCert1Rtt);
  auto cert = parse_certificate(body_of(msg));
  ASSERT_TRUE(succeeds(cert));
  EXPECT_TRUE(cert->request_context.empty());
  ASSERT_EQ(cert->entries.size(), 1u);
  const Bytes& der = cert->entries[0].cert_data;
  ASSERT_EQ(der.size(), 0x1b0u);
  // A DER SEQUENCE covering the whole certificate.
  EXPECT_EQ(Bytes(der.begin(), der.begin() + 4), from_hex("308201ac"));
  EXPECT_TRUE(cert->entries[0].ext.order.empty());
  EXPECT_EQ(serialized(*cert), msg);
}

TEST(MsgRfc8448, CertificateVerify) {
  const Bytes msg = from_hex(kCv1Rtt);
  auto cv = parse_certificate_verify(body_of(msg));
  ASSERT_TRUE(succeeds(cv));
  EXPECT_EQ(cv->scheme, 0x0804);  // rsa_pss_rsae_sha256
  ASSERT_EQ(cv->signature.size(), 128u);
  EXPECT_EQ(cv->signature[0], 0x5a);
  EXPECT_EQ(serialized(*cv), msg);
}

TEST(MsgRfc8448, Finished) {
  for (const char* h : {kServerFin1Rtt, kClientFin1Rtt}) {
    const Bytes msg = from_hex(h);
    ASSERT_EQ(msg[0], static_cast<uint8_t>(HandshakeType::finished));
    auto fin = parse_finished(body_of(msg));
    ASSERT_TRUE(succeeds(fin));
    EXPECT_EQ(fin->verify_data.size(), 32u);
    EXPECT_EQ(fin->verify_data, Bytes(msg.begin() + 4, msg.end()));
    EXPECT_EQ(serialized(*fin), msg);
  }
}

TEST(MsgRfc8448, NewSessionTicket) {
  const Bytes msg = from_hex(kNst1Rtt);
  auto nst = parse_new_session_ticket(body_of(msg));
  ASSERT_TRUE(succeeds(nst));
  EXPECT_EQ(nst->lifetime, 30u);
  EXPECT_EQ(nst->age_add, 0xfad6aac5u);
  EXPECT_EQ(nst->nonce, (Bytes{0, 0}));
  ASSERT_EQ(nst->ticket.size(), 0xb2u);
  EXPECT_EQ(nst->ticket[0], 0x2c);
  // early_data carries max_early_data_size = 0x400 in a NewSessionTicket.
  EXPECT_EQ(nst->ext.order, std::vector<uint16_t>{ext::early_data});
  EXPECT_EQ(nst->ext.max_early_data_size, 0x400u);
  EXPECT_EQ(serialized(*nst), msg);
}

// ---- RFC 8448 section 5: HelloRetryRequest ----

TEST(MsgRfc8448, HelloRetryRequest) {
  const Bytes msg = from_hex(kHrr);
  auto hrr = parse_server_hello(body_of(msg));
  ASSERT_TRUE(succeeds(hrr));
  EXPECT_TRUE(hrr->is_hello_retry_request());
  EXPECT_EQ(hrr->cipher_suite, 0x1301);
  EXPECT_EQ(hrr->ext.order,
            (std::vector<uint16_t>{ext::key_share, ext::cookie, ext::supported_versions}));
  EXPECT_EQ(hrr->ext.hrr_group, 0x0017);  // secp256r1
  EXPECT_TRUE(hrr->ext.key_shares.empty());
  ASSERT_EQ(hrr->ext.cookie.size(), 0x72u);
  EXPECT_EQ(Bytes(hrr->ext.cookie.begin(), hrr->ext.cookie.begin() + 4), from_hex("71dcd04b"));
  EXPECT_EQ(hrr->ext.selected_version, version::TLS13);
  EXPECT_EQ(serialized(*hrr), msg);

  // The ordinary ServerHello of section 3 is not mistaken for one.
  auto sh = parse_server_hello(body_of(from_hex(kSh1Rtt)));
  ASSERT_TRUE(succeeds(sh));
  EXPECT_FALSE(sh->is_hello_retry_request());
}

TEST(MsgRfc8448, ClientHelloAfterHelloRetryRequest) {
  auto ch1 = parse_client_hello(body_of(from_hex(kChHrr1)));
  ASSERT_TRUE(succeeds(ch1));
  auto hrr = parse_server_hello(body_of(from_hex(kHrr)));
  ASSERT_TRUE(succeeds(hrr));
  const Bytes msg = from_hex(kChHrr2);
  auto ch2 = parse_client_hello(body_of(msg));
  ASSERT_TRUE(succeeds(ch2));

  EXPECT_EQ(ch2->random, ch1->random);
  EXPECT_EQ(ch2->cipher_suites, ch1->cipher_suites);
  ASSERT_EQ(ch1->ext.key_shares.size(), 1u);
  EXPECT_EQ(ch1->ext.key_shares[0].group, 0x001d);
  // The new share is for the group the HRR asked for: an uncompressed P-256 point.
  ASSERT_EQ(ch2->ext.key_shares.size(), 1u);
  EXPECT_EQ(ch2->ext.key_shares[0].group, hrr->ext.hrr_group);
  ASSERT_EQ(ch2->ext.key_shares[0].key_exchange.size(), 65u);
  EXPECT_EQ(ch2->ext.key_shares[0].key_exchange[0], 0x04);
  EXPECT_EQ(ch2->ext.cookie, hrr->ext.cookie);
  EXPECT_FALSE(ch1->ext.has(ext::cookie));
  EXPECT_EQ(ch2->ext.supported_groups, (std::vector<uint16_t>{0x001d, 0x0017, 0x0018}));
  // Padded to 512 bytes with the padding extension, carried raw.
  ASSERT_NE(raw(ch2->ext, ext::padding), nullptr);
  EXPECT_EQ(raw(ch2->ext, ext::padding)->data, Bytes(0xaf, 0));
  EXPECT_EQ(ch2->ext.order.back(), ext::padding);
  EXPECT_EQ(serialized(*ch2), msg);
}

// Every message of the traces above (and of sections 4, 6 and 7: PSK, client auth, compat
// mode) comes back byte for byte.
TEST(MsgRfc8448, EveryMessageRoundTrips) {
  for (const char* h : {kCh1Rtt,
                        kSh1Rtt,
                        kEe1Rtt,
                        kCert1Rtt,
                        kCv1Rtt,
                        kServerFin1Rtt,
                        kClientFin1Rtt,
                        kNst1Rtt,
                        kChResume,
                        kShResume,
                        kEeResume,
                        kChHrr1,
                        kHrr,
                        kChHrr2,
                        kShHrr,
                        kEeHrr,
                        kCrClientAuth,
                        kClientCertClientAuth,
                        kCvEcdsaClientAuth,
                        kChCompat,
                        kShCompat}) {
    const Bytes msg = from_hex(h);
    SCOPED_TRACE(testing::Message()
                 << "message type " << int{msg[0]} << ", " << msg.size() << " bytes");
    auto again = reparse(msg);
    ASSERT_TRUE(succeeds(again));
    EXPECT_EQ(*again, msg);
  }
}

TEST(MsgRfc8448, PskClientHelloAndCompatMode) {
  auto ch = parse_client_hello(body_of(from_hex(kChResume)));
  ASSERT_TRUE(succeeds(ch));
  EXPECT_EQ(ch->ext.order.back(), ext::pre_shared_key);
  EXPECT_TRUE(ch->ext.has(ext::early_data));
  // One identity (the ticket of section 3's NewSessionTicket) and its 32-byte binder; the
  // binders take the last 35 bytes of the message.
  ASSERT_EQ(ch->ext.psk_identities.size(), 1u);
  EXPECT_EQ(ch->ext.psk_identities[0].identity.size(), 0xb2u);
  // The ticket's age_add (0xfad6aac5) plus the client's view of its age (6 ms).
  EXPECT_EQ(ch->ext.psk_identities[0].obfuscated_ticket_age, 0xfad6aacbu);
  ASSERT_EQ(ch->ext.psk_binders.size(), 1u);
  EXPECT_EQ(ch->ext.psk_binders[0].size(), 32u);
  EXPECT_EQ(psk_binders_size(ch->ext), 35u);

  auto sh = parse_server_hello(body_of(from_hex(kShResume)));
  ASSERT_TRUE(succeeds(sh));
  EXPECT_TRUE(sh->ext.has(ext::pre_shared_key));
  EXPECT_EQ(sh->ext.psk_selected_identity, 0u);

  auto ee = parse_encrypted_extensions(body_of(from_hex(kEeResume)));
  ASSERT_TRUE(succeeds(ee));
  EXPECT_TRUE(ee->ext.has(ext::early_data));

  auto compat_ch = parse_client_hello(body_of(from_hex(kChCompat)));
  auto compat_sh = parse_server_hello(body_of(from_hex(kShCompat)));
  ASSERT_TRUE(succeeds(compat_ch));
  ASSERT_TRUE(succeeds(compat_sh));
  EXPECT_EQ(compat_ch->session_id.size(), 32u);
  EXPECT_EQ(compat_sh->session_id, compat_ch->session_id);
}

TEST(MsgRfc8448, CertificateRequestAndClientCertificate) {
  auto cr = parse_certificate_request(body_of(from_hex(kCrClientAuth)));
  ASSERT_TRUE(succeeds(cr));
  EXPECT_TRUE(cr->context.empty());
  EXPECT_EQ(cr->ext.order, std::vector<uint16_t>{ext::signature_algorithms});
  EXPECT_EQ(cr->ext.signature_algorithms, kRfcSigAlgs);

  auto cv = parse_certificate_verify(body_of(from_hex(kCvEcdsaClientAuth)));
  ASSERT_TRUE(succeeds(cv));
  EXPECT_EQ(cv->scheme, 0x0403);  // ecdsa_secp256r1_sha256
  EXPECT_EQ(cv->signature.size(), 0x47u);
}

// ---- truncation ----

// The only accepted prefix of a hello ends right after its fixed fields: TLS 1.2 hellos
// may omit the extension block. Every other truncation is a decode error.
TEST(MsgTruncation, HellosFailAtEveryLengthButTheExtensionlessOne) {
  struct Case {
    const char* data;
    bool client;
  };
  for (const Case& c :
       {Case{kCh1Rtt, true}, Case{kChHrr2, true}, Case{kChResume, true}, Case{kChCompat, true},
        Case{kSh1Rtt, false}, Case{kHrr, false}, Case{kShCompat, false}}) {
    const Bytes msg = from_hex(c.data);
    const ByteView body = body_of(msg);
    size_t fixed_end = 0;
    if (c.client) {
      auto full = parse_client_hello(body);
      ASSERT_TRUE(succeeds(full));
      fixed_end = 2 + 32 + 1 + full->session_id.size() + 2 + 2 * full->cipher_suites.size() + 1 +
                  full->compression_methods.size();
    } else {
      auto full = parse_server_hello(body);
      ASSERT_TRUE(succeeds(full));
      fixed_end = 2 + 32 + 1 + full->session_id.size() + 2 + 1;
    }
    for (size_t len = 0; len < body.size(); ++len) {
      SCOPED_TRACE(testing::Message() << "type " << int{msg[0]} << " truncated to " << len);
      const ByteView cut = body.first(len);
      if (len == fixed_end) {
        if (c.client) {
          auto m = parse_client_hello(cut);
          ASSERT_TRUE(succeeds(m));
          EXPECT_TRUE(m->ext.order.empty());
        } else {
          auto m = parse_server_hello(cut);
          ASSERT_TRUE(succeeds(m));
          EXPECT_TRUE(m->ext.order.empty());
        }
      } else if (c.client) {
        EXPECT_TRUE(fails_with(parse_client_hello(cut), Err::DECODE));
      } else {
        EXPECT_TRUE(fails_with(parse_server_hello(cut), Err::DECODE));
      }
    }
  }
}

TEST(MsgTruncation, OtherMessagesFailAtEveryLength) {
  for (const char* h :
       {kEe1Rtt, kCert1Rtt, kCv1Rtt, kNst1Rtt, kCrClientAuth, kClientCertClientAuth}) {
    const Bytes msg = from_hex(h);
    for (size_t len = 4; len < msg.size(); ++len) {
      SCOPED_TRACE(testing::Message() << "type " << int{msg[0]} << " truncated to " << len);
      Bytes cut(msg.begin(), msg.begin() + len);
      // Fix the header so that only the body is short.
      cut[1] = static_cast<uint8_t>((len - 4) >> 16);
      cut[2] = static_cast<uint8_t>((len - 4) >> 8);
      cut[3] = static_cast<uint8_t>(len - 4);
      EXPECT_TRUE(fails_with(reparse(cut), Err::DECODE));
    }
  }
}

// ---- hello syntax errors ----

TEST(MsgClientHelloErrors, FixedFields) {
  const Bytes empty_block = block({});
  ASSERT_TRUE(succeeds(parse_client_hello(ch_body(empty_block))));
  // Session id of 33 bytes.
  EXPECT_TRUE(
      fails_with(parse_client_hello(cat({from_hex("0303"), kRandom, from_hex("21"), Bytes(33, 1),
                                         from_hex("000213010100"), empty_block})),
                 Err::DECODE));
  // 32 is the maximum.
  EXPECT_TRUE(
      succeeds(parse_client_hello(cat({from_hex("0303"), kRandom, from_hex("20"), Bytes(32, 1),
                                       from_hex("000213010100"), empty_block}))));
  // Empty or odd cipher_suites.
  EXPECT_TRUE(fails_with(parse_client_hello(cat({from_hex("0303"), kRandom,
                                                 from_hex("00"
                                                          "0000"
                                                          "0100"),
                                                 empty_block})),
                         Err::DECODE));
  EXPECT_TRUE(fails_with(parse_client_hello(cat({from_hex("0303"), kRandom,
                                                 from_hex("00"
                                                          "0003130113"
                                                          "0100"),
                                                 empty_block})),
                         Err::DECODE));
  // Empty compression_methods.
  EXPECT_TRUE(fails_with(parse_client_hello(cat({from_hex("0303"), kRandom,
                                                 from_hex("00"
                                                          "00021301"
                                                          "00"),
                                                 empty_block})),
                         Err::DECODE));
  // Anything after the extension block.
  EXPECT_TRUE(
      fails_with(parse_client_hello(ch_body(cat({empty_block, from_hex("00")}))), Err::DECODE));
  // A lone byte where the block length should be.
  EXPECT_TRUE(fails_with(parse_client_hello(ch_body(from_hex("00"))), Err::DECODE));
}

TEST(MsgClientHelloErrors, MissingBlockIsAcceptedAndEmptyBlockToo) {
  auto none = parse_client_hello(ch_body({}));
  ASSERT_TRUE(succeeds(none));
  EXPECT_TRUE(none->ext.order.empty());
  auto empty = parse_client_hello(ch_body(block({})));
  ASSERT_TRUE(succeeds(empty));
  EXPECT_TRUE(empty->ext.order.empty());
  // We always write the (possibly empty) block.
  EXPECT_EQ(serialized(*none), serialized(*empty));
}

TEST(MsgServerHelloErrors, FixedFields) {
  EXPECT_TRUE(fails_with(parse_server_hello(cat({from_hex("0303"), kRandom, from_hex("21"),
                                                 Bytes(33, 1), from_hex("130100"), block({})})),
                         Err::DECODE));
  EXPECT_TRUE(
      fails_with(parse_server_hello(sh_body(cat({block({}), from_hex("01")}))), Err::DECODE));
}

// ---- extension rules ----

TEST(MsgExtensionErrors, Duplicates) {
  const Bytes groups = ext(ext::supported_groups, from_hex("0002001d"));
  EXPECT_TRUE(
      fails_with(parse_client_hello(ch_body(block({groups, groups}))), Err::DUPLICATE_EXTENSION));
  // Also for types carried raw, known or not.
  const Bytes ems = ext(ext::extended_master_secret, {});
  EXPECT_TRUE(
      fails_with(parse_client_hello(ch_body(block({ems, groups, ems}))), Err::DUPLICATE_EXTENSION));
  const Bytes grease = ext(0x0a0a, {});
  EXPECT_TRUE(
      fails_with(parse_client_hello(ch_body(block({grease, grease}))), Err::DUPLICATE_EXTENSION));
  const Bytes versions = ext(ext::supported_versions, from_hex("0304"));
  EXPECT_TRUE(fails_with(parse_server_hello(sh_body(block({versions, versions}))),
                         Err::DUPLICATE_EXTENSION));
}

TEST(MsgExtensionErrors, KnownExtensionInTheWrongMessage) {
  const Bytes groups = ext(ext::supported_groups, from_hex("0002001d"));
  const Bytes sig_algs = ext(ext::signature_algorithms, from_hex("00020804"));
  const Bytes key_share = ext(ext::key_share, from_hex("001d00020102"));
  const Bytes modes = ext(ext::psk_key_exchange_modes, from_hex("0101"));
  const Bytes cookie = ext(ext::cookie, from_hex("0001ff"));
  EXPECT_TRUE(fails_with(parse_server_hello(sh_body(block({groups}))), Err::ILLEGAL_PARAMETER));
  EXPECT_TRUE(fails_with(parse_server_hello(sh_body(block({modes}))), Err::ILLEGAL_PARAMETER));
  EXPECT_TRUE(fails_with(parse_server_hello(sh_body(block({cookie}))), Err::ILLEGAL_PARAMETER));
  EXPECT_TRUE(
      fails_with(parse_server_hello(sh_body(block({groups}), true)), Err::ILLEGAL_PARAMETER));
  EXPECT_TRUE(fails_with(parse_encrypted_extensions(block({sig_algs})), Err::ILLEGAL_PARAMETER));
  EXPECT_TRUE(fails_with(parse_encrypted_extensions(block({key_share})), Err::ILLEGAL_PARAMETER));
  EXPECT_TRUE(fails_with(parse_certificate_request(cat({from_hex("00"), block({groups})})),
                         Err::ILLEGAL_PARAMETER));
  EXPECT_TRUE(fails_with(parse_new_session_ticket(cat({from_hex("0000000100000002"
                                                                "00"
                                                                "0001ff"),
                                                       block({cookie})})),
                         Err::ILLEGAL_PARAMETER));
  EXPECT_TRUE(fails_with(parse_certificate(cert_body(from_hex("ff"), block({sig_algs}))),
                         Err::ILLEGAL_PARAMETER));
  // The same extensions are fine where they belong.
  EXPECT_TRUE(succeeds(parse_encrypted_extensions(block({groups}))));
  EXPECT_TRUE(succeeds(parse_certificate_request(cat({from_hex("00"), block({sig_algs})}))));
  EXPECT_TRUE(succeeds(parse_client_hello(ch_body(
      block({groups, sig_algs, ext(ext::key_share, from_hex("0006001d00020102")), modes})))));
}

TEST(MsgExtensionErrors, UninterpretedAndUnknownTypesAreCarried) {
  // status_request in a CertificateEntry, an unknown type in EncryptedExtensions: carried
  // raw, in order. (early_data in a NewSessionTicket is interpreted.)
  auto nst = parse_new_session_ticket(cat({from_hex("0000000100000002"
                                                    "00"
                                                    "0001ff"),
                                           block({ext(ext::early_data, from_hex("00004000"))})}));
  ASSERT_TRUE(succeeds(nst));
  EXPECT_EQ(nst->ext.max_early_data_size, 0x4000u);
  auto cert = parse_certificate(
      cert_body(from_hex("ff"), block({ext(ext::status_request, from_hex("0102"))})));
  ASSERT_TRUE(succeeds(cert));
  EXPECT_EQ(cert->entries[0].ext.unknown,
            std::vector<RawExtension>{(RawExtension{ext::status_request, from_hex("0102")})});
  auto ee = parse_encrypted_extensions(
      block({ext(0x1234, from_hex("abcd")), ext(ext::supported_groups, from_hex("0002001d"))}));
  ASSERT_TRUE(succeeds(ee));
  EXPECT_EQ(ee->ext.order, (std::vector<uint16_t>{0x1234, ext::supported_groups}));
  EXPECT_EQ(ee->ext.unknown, std::vector<RawExtension>{(RawExtension{0x1234, from_hex("abcd")})});
  const Bytes ee_block =
      block({ext(0x1234, from_hex("abcd")), ext(ext::supported_groups, from_hex("0002001d"))});
  EXPECT_EQ(serialized(*ee), cat({from_hex("08"), u24(ee_block.size()), ee_block}));
}

TEST(MsgExtensionErrors, Lengths) {
  // Extension data length runs past the block.
  EXPECT_TRUE(fails_with(parse_client_hello(ch_body(from_hex("0006"
                                                             "000a000a0002001d"))),
                         Err::DECODE));
  // Block length runs past the message.
  EXPECT_TRUE(fails_with(parse_client_hello(ch_body(from_hex("0010"
                                                             "000a00040002001d"))),
                         Err::DECODE));
  // Extension data runs past the end of the block, though not past the message.
  EXPECT_TRUE(fails_with(parse_client_hello(ch_body(from_hex("0006"
                                                             "000a00040002001d"))),
                         Err::DECODE));
  // Half an extension header.
  EXPECT_TRUE(fails_with(parse_client_hello(ch_body(from_hex("0002"
                                                             "000a"))),
                         Err::DECODE));
  // Data left over inside an extension, and data missing.
  EXPECT_TRUE(fails_with(
      parse_server_hello(sh_body(block({ext(ext::supported_versions, from_hex("030400"))}))),
      Err::DECODE));
  EXPECT_TRUE(
      fails_with(parse_server_hello(sh_body(block({ext(ext::supported_versions, from_hex("03"))}))),
                 Err::DECODE));
  EXPECT_TRUE(fails_with(
      parse_client_hello(ch_body(block({ext(ext::supported_groups, from_hex("0002001d0017"))}))),
      Err::DECODE));
  // The server's server_name acknowledgement is empty.
  EXPECT_TRUE(fails_with(parse_encrypted_extensions(block({ext(ext::server_name, from_hex("00"))})),
                         Err::DECODE));
}

TEST(MsgExtensionErrors, ListSyntax) {
  auto ch_with = [](uint16_t type, const char* data) {
    return parse_client_hello(ch_body(block({ext(type, from_hex(data))})));
  };
  EXPECT_TRUE(fails_with(ch_with(ext::supported_groups, "0000"), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::supported_groups, "0003001d17"), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::signature_algorithms, "0000"), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::signature_algorithms_cert, "0000"), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::supported_versions, "00"), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::supported_versions, "030304"), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::psk_key_exchange_modes, "00"), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::ec_point_formats, "00"), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::cookie, "0000"), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::alpn, "0000"), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::alpn,
                                 "000300"
                                 "0161"),
                         Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::key_share, "0004001d0000"), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::renegotiation_info, ""), Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(ext::record_size_limit, "40"), Err::DECODE));
  // An empty client key_share list asks for a HelloRetryRequest; that is legal.
  auto no_shares = ch_with(ext::key_share, "0000");
  ASSERT_TRUE(succeeds(no_shares));
  EXPECT_TRUE(no_shares->ext.has(ext::key_share));
  EXPECT_TRUE(no_shares->ext.key_shares.empty());
  // The server selects exactly one ALPN protocol.
  EXPECT_TRUE(fails_with(parse_encrypted_extensions(block({ext(ext::alpn, from_hex("0004016101"
                                                                                   "62"))})),
                         Err::DECODE));
  auto one = parse_encrypted_extensions(block({ext(ext::alpn, from_hex("0003026832"))}));
  ASSERT_TRUE(succeeds(one));
  EXPECT_EQ(one->ext.alpn, std::vector<Bytes>{from_hex("6832")});
}

TEST(MsgExtensionErrors, ServerName) {
  auto with_list = [](const Bytes& list) {
    return parse_client_hello(
        ch_body(block({ext(ext::server_name, cat({u16(list.size()), list}))})));
  };
  auto entry = [](uint8_t type, const Bytes& name) {
    return cat({Bytes{type}, u16(name.size()), name});
  };
  const Bytes host(255, 'a');
  auto ok = with_list(entry(0, host));
  ASSERT_TRUE(succeeds(ok));
  EXPECT_EQ(ok->ext.server_name, std::string(255, 'a'));
  EXPECT_TRUE(fails_with(with_list(entry(0, Bytes(256, 'a'))), Err::DECODE));
  EXPECT_TRUE(fails_with(with_list(entry(0, {})), Err::DECODE));
  EXPECT_TRUE(fails_with(with_list(entry(0, Bytes{'a', 0, 'b'})), Err::DECODE));
  EXPECT_TRUE(
      fails_with(with_list(cat({entry(0, Bytes{'a'}), entry(0, Bytes{'b'})})), Err::DECODE));
  EXPECT_TRUE(fails_with(with_list({}), Err::DECODE));
  // Other name types are skipped, not confused with the host name.
  auto other = with_list(cat({entry(7, Bytes{'x'}), entry(0, Bytes{'b'})}));
  ASSERT_TRUE(succeeds(other));
  EXPECT_EQ(other->ext.server_name, "b");
}

TEST(MsgExtensionErrors, RecordSizeLimit) {
  EXPECT_TRUE(
      fails_with(parse_encrypted_extensions(block({ext(ext::record_size_limit, from_hex("003f"))})),
                 Err::ILLEGAL_PARAMETER));
  auto ok = parse_encrypted_extensions(block({ext(ext::record_size_limit, from_hex("0040"))}));
  ASSERT_TRUE(succeeds(ok));
  EXPECT_EQ(ok->ext.record_size_limit, 64);
}

TEST(MsgExtensionErrors, PreSharedKeyMustBeLastInClientHello) {
  // An OfferedPsks: one identity "aa" with age 1, one 32-byte binder.
  const Bytes offered = cat({from_hex("0007"
                                      "0001aa"
                                      "00000001"
                                      "0021"
                                      "20"),
                             Bytes(32, 0xbb)});
  const Bytes psk = ext(ext::pre_shared_key, offered);
  const Bytes selected = ext(ext::pre_shared_key, from_hex("0000"));
  const Bytes groups = ext(ext::supported_groups, from_hex("0002001d"));
  EXPECT_TRUE(
      fails_with(parse_client_hello(ch_body(block({psk, groups}))), Err::ILLEGAL_PARAMETER));
  EXPECT_TRUE(succeeds(parse_client_hello(ch_body(block({groups, psk})))));
  // In a ServerHello its position does not matter.
  EXPECT_TRUE(succeeds(parse_server_hello(
      sh_body(block({selected, ext(ext::supported_versions, from_hex("0304"))})))));
}

TEST(MsgExtensionErrors, PreSharedKeyShapes) {
  const auto ch_with = [](const Bytes& data) {
    return parse_client_hello(ch_body(block({ext(ext::pre_shared_key, data)})));
  };
  // Identities and binders must match in number (one identity, two binders).
  EXPECT_TRUE(fails_with(ch_with(cat({from_hex("0007"
                                               "0001aa"
                                               "00000001"
                                               "0042"
                                               "20"),
                                      Bytes(32, 1), from_hex("20"), Bytes(32, 2)})),
                         Err::ILLEGAL_PARAMETER));
  // A binder shorter than 32 bytes, an empty identity, an empty list: decode errors.
  EXPECT_TRUE(fails_with(ch_with(cat({from_hex("0007"
                                               "0001aa"
                                               "00000001"
                                               "0011"
                                               "10"),
                                      Bytes(16, 1)})),
                         Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(cat({from_hex("0006"
                                               "0000"
                                               "00000001"
                                               "0021"
                                               "20"),
                                      Bytes(32, 1)})),
                         Err::DECODE));
  EXPECT_TRUE(fails_with(ch_with(from_hex("00000000")), Err::DECODE));
  // early_data in a ClientHello is empty; session_ticket carries any bytes.
  EXPECT_TRUE(fails_with(parse_client_hello(ch_body(block({ext(ext::early_data, from_hex("00"))}))),
                         Err::DECODE));
  auto st = parse_client_hello(ch_body(block({ext(ext::session_ticket, from_hex("abcdef"))})));
  ASSERT_TRUE(succeeds(st));
  EXPECT_EQ(st->ext.session_ticket, from_hex("abcdef"));
}

TEST(MsgExtensionErrors, AtMost128Extensions) {
  auto many = [](size_t n) {
    Bytes exts;
    for (size_t i = 0; i < n; ++i) {
      Bytes one = ext(static_cast<uint16_t>(0x1000 + i), {});
      exts.insert(exts.end(), one.begin(), one.end());
    }
    return cat({u16(exts.size()), exts});
  };
  auto ok = parse_client_hello(ch_body(many(128)));
  ASSERT_TRUE(succeeds(ok));
  EXPECT_EQ(ok->ext.order.size(), 128u);
  EXPECT_TRUE(fails_with(parse_client_hello(ch_body(many(129))), Err::DECODE));
}

TEST(MsgExtensionErrors, HelloRetryRequestUsesItsOwnSyntax) {
  // A ServerHello-style key_share (group + key) under the HRR random is malformed: the HRR
  // carries only the group.
  const Bytes sh_share = ext(ext::key_share, from_hex("001d0002aabb"));
  EXPECT_TRUE(succeeds(parse_server_hello(sh_body(block({sh_share})))));
  EXPECT_TRUE(fails_with(parse_server_hello(sh_body(block({sh_share}), true)), Err::DECODE));
  auto hrr = parse_server_hello(sh_body(block({ext(ext::key_share, from_hex("0017"))}), true));
  ASSERT_TRUE(succeeds(hrr));
  EXPECT_EQ(hrr->ext.hrr_group, 0x0017);
  EXPECT_TRUE(fails_with(
      parse_server_hello(sh_body(block({ext(ext::key_share, from_hex("0017"))}))), Err::DECODE));
}

TEST(MsgParseExtensions, WholeBlockOnlyAndOutputUntouchedOnError) {
  Extensions e;
  const Bytes good = block({ext(ext::supported_groups, from_hex("0002001d"))});
  ASSERT_TRUE(succeeds(parse_extensions(good, Where::EncryptedExtensions, e)));
  EXPECT_EQ(e.supported_groups, std::vector<uint16_t>{0x001d});
  EXPECT_TRUE(fails_with(
      parse_extensions(cat({good, from_hex("00")}), Where::EncryptedExtensions, e), Err::DECODE));
  EXPECT_TRUE(fails_with(parse_extensions(block({ext(ext::cookie, from_hex("0001aa"))}),
                                          Where::EncryptedExtensions, e),
                         Err::ILLEGAL_PARAMETER));
  EXPECT_EQ(e.order, std::vector<uint16_t>{ext::supported_groups});
  EXPECT_EQ(e.supported_groups, std::vector<uint16_t>{0x001d});
}

// ---- other messages ----

TEST(MsgOtherMessages, KeyUpdate) {
  for (uint8_t v : {0, 1}) {
    auto ku = parse_key_update(Bytes{v});
    ASSERT_TRUE(succeeds(ku));
    EXPECT_EQ(ku->request_update, v);
    EXPECT_EQ(serialized(*ku), (Bytes{24, 0, 0, 1, v}));
  }
  EXPECT_TRUE(fails_with(parse_key_update(Bytes{2}), Err::ILLEGAL_PARAMETER));
  EXPECT_TRUE(fails_with(parse_key_update(Bytes{0xff}), Err::ILLEGAL_PARAMETER));
  EXPECT_TRUE(fails_with(parse_key_update(Bytes{}), Err::DECODE));
  EXPECT_TRUE(fails_with(parse_key_update(Bytes{0, 0}), Err::DECODE));
}

TEST(MsgOtherMessages, SyntaxErrors) {
  EXPECT_TRUE(fails_with(parse_finished(Bytes{}), Err::DECODE));
  EXPECT_TRUE(fails_with(parse_certificate_verify(from_hex("08040000")), Err::DECODE));
  EXPECT_TRUE(fails_with(parse_certificate_verify(from_hex("0804000101"
                                                           "00")),
                         Err::DECODE));
  // Empty cert_data; trailing bytes after the list.
  EXPECT_TRUE(fails_with(parse_certificate(from_hex("00"
                                                    "000005"
                                                    "000000"
                                                    "0000")),
                         Err::DECODE));
  EXPECT_TRUE(fails_with(parse_certificate(from_hex("00"
                                                    "000000"
                                                    "00")),
                         Err::DECODE));
  // Empty ticket.
  EXPECT_TRUE(fails_with(parse_new_session_ticket(from_hex("0000000100000002"
                                                           "00"
                                                           "0000"
                                                           "0000")),
                         Err::DECODE));
  EXPECT_TRUE(fails_with(parse_encrypted_extensions(Bytes{}), Err::DECODE));
  EXPECT_TRUE(fails_with(parse_certificate_request(from_hex("00")), Err::DECODE));
}

TEST(MsgOtherMessages, EmptyCertificateListIsWellFormed) {
  auto cert =
      parse_certificate(from_hex("01aa"
                                 "000000"));
  ASSERT_TRUE(succeeds(cert));
  EXPECT_EQ(cert->request_context, Bytes{0xaa});
  EXPECT_TRUE(cert->entries.empty());
  EXPECT_EQ(serialized(*cert), from_hex("0b000005"
                                        "01aa"
                                        "000000"));
}

TEST(MsgOtherMessages, MessageHash) {
  const Bytes h32(32, 0x11), h48(48, 0x22);
  EXPECT_EQ(message_hash(h32), cat({from_hex("fe000020"), h32}));
  EXPECT_EQ(message_hash(h48), cat({from_hex("fe000030"), h48}));
}

// ---- build-your-own round trips ----

Extensions every_client_extension() {
  Extensions e;
  e.add(ext::server_name);
  e.server_name = "example.com";
  e.add(ext::supported_groups);
  e.supported_groups = {0x001d, 0x0017, 0x0018};
  e.add(ext::signature_algorithms);
  e.signature_algorithms = {0x0804, 0x0403};
  e.add(ext::signature_algorithms_cert);
  e.signature_algorithms_cert = {0x0401};
  e.add(ext::alpn);
  e.alpn = {from_hex("6832"), from_hex("687474702f312e31")};
  e.add(ext::supported_versions);
  e.supported_versions = {version::TLS13, version::TLS12};
  e.add(ext::ec_point_formats);
  e.ec_point_formats = {0};
  e.add(ext::renegotiation_info);
  e.add(ext::record_size_limit);
  e.record_size_limit = 16385;
  e.add(ext::extended_master_secret);
  e.unknown.push_back({ext::extended_master_secret, {}});
  e.add(0x7a7a);
  e.unknown.push_back({0x7a7a, from_hex("00")});
  e.add(ext::key_share);
  e.key_shares = {{0x001d, Bytes(32, 7)}, {0x0017, cat({from_hex("04"), Bytes(64, 8)})}};
  e.add(ext::cookie);
  e.cookie = from_hex("c00c1e");
  e.add(ext::psk_key_exchange_modes);
  e.psk_key_exchange_modes = {1};
  e.add(ext::session_ticket);
  e.session_ticket = from_hex("7171");
  e.add(ext::early_data);
  // One identity, one binder (last, as the RFC requires).
  e.add(ext::pre_shared_key);
  e.psk_identities = {PskIdentity{from_hex("aa"), 1}};
  e.psk_binders = {Bytes(32, 0xbb)};
  return e;
}

TEST(MsgRoundTrip, ClientHelloWithEveryKnownExtension) {
  ClientHello ch;
  ch.legacy_version = version::TLS12;
  for (size_t i = 0; i < ch.random.size(); ++i) ch.random[i] = static_cast<uint8_t>(i);
  ch.session_id = Bytes(32, 0x5e);
  ch.cipher_suites = {0x1301, 0x1302, 0xc02f};
  ch.compression_methods = {0};
  ch.ext = every_client_extension();

  const Bytes wire = serialized(ch);
  ASSERT_GE(wire.size(), 4u);
  EXPECT_EQ(wire[0], 1);
  auto parsed = parse_client_hello(body_of(wire));
  ASSERT_TRUE(succeeds(parsed));
  EXPECT_EQ(parsed->legacy_version, ch.legacy_version);
  EXPECT_EQ(parsed->random, ch.random);
  EXPECT_EQ(parsed->session_id, ch.session_id);
  EXPECT_EQ(parsed->cipher_suites, ch.cipher_suites);
  EXPECT_EQ(parsed->compression_methods, ch.compression_methods);
  expect_same(parsed->ext, ch.ext);
  EXPECT_EQ(raw(parsed->ext, ext::extended_master_secret)->data, Bytes{});
  EXPECT_EQ(serialized(*parsed), wire);
}

TEST(MsgRoundTrip, ServerSideMessages) {
  ServerHello sh;
  sh.random.fill(0x33);
  sh.session_id = Bytes(32, 0x5e);
  sh.cipher_suite = 0x1302;
  sh.ext.add(ext::supported_versions);
  sh.ext.selected_version = version::TLS13;
  sh.ext.add(ext::key_share);
  sh.ext.key_shares = {{0x001d, Bytes(32, 9)}};
  auto sh2 = parse_server_hello(body_of(serialized(sh)));
  ASSERT_TRUE(succeeds(sh2));
  EXPECT_FALSE(sh2->is_hello_retry_request());
  expect_same(sh2->ext, sh.ext);
  EXPECT_EQ(serialized(*sh2), serialized(sh));

  ServerHello hrr;
  std::copy(std::begin(kHelloRetryRandom), std::end(kHelloRetryRandom), hrr.random.begin());
  hrr.cipher_suite = 0x1301;
  hrr.ext.add(ext::supported_versions);
  hrr.ext.selected_version = version::TLS13;
  hrr.ext.add(ext::key_share);
  hrr.ext.hrr_group = 0x0018;
  hrr.ext.add(ext::cookie);
  hrr.ext.cookie = Bytes(100, 0xcc);
  const Bytes hrr_wire = serialized(hrr);
  auto hrr2 = parse_server_hello(body_of(hrr_wire));
  ASSERT_TRUE(succeeds(hrr2));
  EXPECT_TRUE(hrr2->is_hello_retry_request());
  expect_same(hrr2->ext, hrr.ext);
  EXPECT_EQ(serialized(*hrr2), hrr_wire);

  // TLS 1.2 ServerHello extensions.
  ServerHello sh12;
  sh12.random.fill(0x12);
  sh12.cipher_suite = 0xc02f;
  sh12.ext.add(ext::renegotiation_info);
  sh12.ext.add(ext::ec_point_formats);
  sh12.ext.ec_point_formats = {0};
  sh12.ext.add(ext::extended_master_secret);
  sh12.ext.add(ext::server_name);
  sh12.ext.add(ext::alpn);
  sh12.ext.alpn = {from_hex("6832")};
  auto sh12b = parse_server_hello(body_of(serialized(sh12)));
  ASSERT_TRUE(succeeds(sh12b));
  // extended_master_secret was added as a flag; it comes back as an empty raw extension.
  Extensions want12 = sh12.ext;
  want12.unknown = {{ext::extended_master_secret, {}}};
  expect_same(sh12b->ext, want12);
  EXPECT_EQ(serialized(*sh12b), serialized(sh12));

  EncryptedExtensions ee;
  ee.ext.add(ext::server_name);
  ee.ext.add(ext::supported_groups);
  ee.ext.supported_groups = {0x001d};
  ee.ext.add(ext::alpn);
  ee.ext.alpn = {from_hex("6832")};
  ee.ext.add(ext::record_size_limit);
  ee.ext.record_size_limit = 64;
  ee.ext.add(ext::early_data);
  auto ee2 = parse_encrypted_extensions(body_of(serialized(ee)));
  ASSERT_TRUE(succeeds(ee2));
  EXPECT_EQ(ee2->ext.order, ee.ext.order);
  EXPECT_EQ(ee2->ext.alpn, ee.ext.alpn);
  EXPECT_EQ(serialized(*ee2), serialized(ee));

  CertificateRequest cr;
  cr.context = from_hex("0102");
  cr.ext.add(ext::signature_algorithms);
  cr.ext.signature_algorithms = {0x0804};
  cr.ext.add(ext::signature_algorithms_cert);
  cr.ext.signature_algorithms_cert = {0x0401};
  cr.ext.add(ext::certificate_authorities);
  cr.ext.unknown.push_back({ext::certificate_authorities, from_hex("0003000130")});
  auto cr2 = parse_certificate_request(body_of(serialized(cr)));
  ASSERT_TRUE(succeeds(cr2));
  EXPECT_EQ(cr2->context, cr.context);
  expect_same(cr2->ext, cr.ext);

  Certificate cert;
  cert.request_context = from_hex("0102");
  cert.entries.resize(2);
  cert.entries[0].cert_data = Bytes(300, 0x30);
  cert.entries[0].ext.add(ext::status_request);
  cert.entries[0].ext.unknown.push_back({ext::status_request, from_hex("01000003aabbcc")});
  cert.entries[1].cert_data = Bytes(5, 0x31);
  auto cert2 = parse_certificate(body_of(serialized(cert)));
  ASSERT_TRUE(succeeds(cert2));
  ASSERT_EQ(cert2->entries.size(), 2u);
  EXPECT_EQ(cert2->entries[0].cert_data, cert.entries[0].cert_data);
  EXPECT_EQ(cert2->entries[1].cert_data, cert.entries[1].cert_data);
  expect_same(cert2->entries[0].ext, cert.entries[0].ext);
  EXPECT_TRUE(cert2->entries[1].ext.order.empty());

  NewSessionTicket nst;
  nst.lifetime = 7200;
  nst.age_add = 0xdeadbeef;
  nst.nonce = from_hex("00");
  nst.ticket = Bytes(64, 0x71);
  nst.ext.add(ext::early_data);
  nst.ext.max_early_data_size = 0x4000;
  auto nst2 = parse_new_session_ticket(body_of(serialized(nst)));
  ASSERT_TRUE(succeeds(nst2));
  EXPECT_EQ(nst2->lifetime, nst.lifetime);
  EXPECT_EQ(nst2->age_add, nst.age_add);
  EXPECT_EQ(nst2->nonce, nst.nonce);
  EXPECT_EQ(nst2->ticket, nst.ticket);
  expect_same(nst2->ext, nst.ext);

  CertificateVerify cv;
  cv.scheme = 0x0807;
  cv.signature = Bytes(64, 0x99);
  EXPECT_EQ(serialized(cv), cat({from_hex("0f000044"
                                          "0807"
                                          "0040"),
                                 cv.signature}));
  Finished fin;
  fin.verify_data = Bytes(48, 0xf1);
  EXPECT_EQ(serialized(fin), cat({from_hex("14000030"), Bytes(48, 0xf1)}));
}

TEST(MsgExtensions, AddHasAndWrite) {
  Extensions e;
  EXPECT_FALSE(e.has(ext::key_share));
  e.add(ext::extended_master_secret);
  e.add(ext::supported_groups);
  e.add(ext::extended_master_secret);
  EXPECT_EQ(e.order, (std::vector<uint16_t>{ext::extended_master_secret, ext::supported_groups}));
  EXPECT_TRUE(e.has(ext::supported_groups));
  e.supported_groups = {0x001d};
  Bytes out = {0xaa};
  write_extensions(e, Where::ClientHello, out);
  EXPECT_EQ(out, from_hex("aa"
                          "000c"
                          "00170000"
                          "000a0004"
                          "0002001d"));
  // Nothing present: an empty block is still written.
  Bytes empty;
  write_extensions(Extensions{}, Where::EncryptedExtensions, empty);
  EXPECT_EQ(empty, from_hex("0000"));
}

TEST(MsgSerialize, UnencodableMessagesFailWithInternalAndLeaveOutputAlone) {
  const Bytes before = {1, 2, 3};
  auto check = [&](const auto& m, const char* what) {
    SCOPED_TRACE(what);
    Bytes out = before;
    EXPECT_TRUE(fails_with(serialize(m, out), Err::INTERNAL));
    EXPECT_EQ(out, before);
  };
  ClientHello long_sid;
  long_sid.cipher_suites = {0x1301};
  long_sid.session_id = Bytes(33, 0);
  check(long_sid, "33-byte session id");
  long_sid.session_id = Bytes(300, 0);
  check(long_sid, "session id longer than its prefix");

  ClientHello big_cookie;
  big_cookie.cipher_suites = {0x1301};
  big_cookie.ext.add(ext::cookie);
  big_cookie.ext.cookie = Bytes(70000, 0);
  check(big_cookie, "cookie longer than its prefix");

  ClientHello twice;
  twice.cipher_suites = {0x1301};
  twice.ext.order = {ext::padding, ext::padding};
  check(twice, "repeated extension");

  ServerHello no_share;
  no_share.ext.add(ext::key_share);
  check(no_share, "ServerHello key_share without a share");

  EncryptedExtensions misplaced;
  misplaced.ext.add(ext::key_share);
  check(misplaced, "key_share in EncryptedExtensions");

  EncryptedExtensions two_protocols;
  two_protocols.ext.add(ext::alpn);
  two_protocols.ext.alpn = {from_hex("6832"), from_hex("6833")};
  check(two_protocols, "server ALPN with two protocols");

  Finished huge;
  huge.verify_data = Bytes(size_t{1} << 24, 0);
  check(huge, "body longer than a handshake message");
}

}  // namespace
}  // namespace snr::msg
