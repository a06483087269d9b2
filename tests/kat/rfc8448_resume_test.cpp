// RFC 8448 section 4 ("Resumed 0-RTT Handshake") known-answer tests: the resumption key
// schedule (PSK, binder, early secrets), the record protection, and snr's client resuming
// section 3's session with early data through its public poll API, byte for byte.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/connection_state.hpp"
#include "crypto/hash.hpp"
#include "crypto/key_share.hpp"
#include "det_provider.hpp"
#include "kat_util.hpp"
#include "keys/key_schedule.hpp"
#include "msg/messages.hpp"
#include "policy/policy_data.hpp"
#include "record/record_layer.hpp"
#include "resume/session_state.hpp"
#include "rfc8448_resume_vectors.hpp"
#include "rfc8448_vectors.hpp"
#include "snr/snr.hpp"

namespace snr::kat {
namespace {

namespace s3 = rfc8448;          // section 3: the full handshake that issued the ticket
using namespace rfc8448_resume;  // NOLINT(build/namespaces): section 4 is this file's subject
using msg::ContentType;

constexpr crypto::HashAlg kSha256 = crypto::HashAlg::SHA256;
constexpr crypto::AeadAlg kAes128 = crypto::AeadAlg::AES_128_GCM;
constexpr uint16_t kAes128GcmSha256 = 0x1301;

// The ClientHello's binders list: u16 length 33, u8 length 32, the binder.
constexpr size_t kBindersSize = 2 + 1 + 32;
// The obfuscated_ticket_age of the one identity: the 4 bytes before the binders list.
constexpr size_t kAgeOffset = 477 - 4;
// What the trace's hello says: section 3's ticket_age_add (fad6aac5) plus an age of 6 ms.
constexpr uint32_t kObfuscatedAge = 0xfad6aacb;
constexpr uint64_t kTicketAgeMs = 6;
// Any wall-clock time will do as the ticket's issue time; the client's clock then reads 6 ms
// later.
constexpr uint64_t kIssueTime = 1'546'300'800ull * 1'000'000'000;  // 2019-01-01, ns
constexpr uint64_t kResumeTime = kIssueTime + kTicketAgeMs * 1'000'000;

Bytes app_data() {
  Bytes b(s3::kAppDataSize);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i);
  return b;
}

ByteView body_of(ByteView message) { return message.subspan(4); }

// Records sent back to back, as one hex string.
std::string records(std::string_view a, std::string_view b) {
  return std::string(a) + std::string(b);
}

std::string hash_hex(std::initializer_list<ByteView> messages) {
  auto d = crypto::hash_once(kSha256, concat(messages));
  EXPECT_TRUE(d.ok());
  return d.ok() ? to_hex(d->view()) : std::string();
}

std::string hex_of(const Result<crypto::Digest>& d) {
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message());
  return d.ok() ? to_hex(d->view()) : std::string();
}

std::unique_ptr<record::Protection13> protection(ByteView secret) {
  auto p = record::Protection13::create(kAes128, kSha256, secret);
  EXPECT_TRUE(p.ok());
  return p.ok() ? std::move(p).value() : nullptr;
}
std::unique_ptr<record::Protection13> protection(std::string_view secret_hex) {
  return protection(unhex(secret_hex));
}

std::string seal_hex(record::Protection13& p, ContentType type, ByteView plaintext) {
  Bytes out;
  Status s = p.seal(type, plaintext, out);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message());
  return to_hex(out);
}

struct Opened {
  ContentType type = ContentType::application_data;
  Bytes plaintext;
};

std::optional<Opened> open_record(record::Protection13& p, ByteView rec) {
  if (rec.size() < record::kHeaderSize) return std::nullopt;
  Bytes body(rec.begin() + record::kHeaderSize, rec.end());
  Opened o;
  auto n = p.open(rec.first(record::kHeaderSize), body, o.type);
  if (!n.ok()) return std::nullopt;
  o.plaintext.assign(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(*n));
  return o;
}

// Splits a byte stream into whole records (header included).
std::vector<Bytes> split_records(ByteView stream) {
  std::vector<Bytes> out;
  while (stream.size() >= record::kHeaderSize) {
    size_t len = size_t{stream[3]} << 8 | stream[4];
    if (stream.size() < record::kHeaderSize + len) break;
    ByteView rec = stream.first(record::kHeaderSize + len);
    out.emplace_back(rec.begin(), rec.end());
    stream = stream.subspan(rec.size());
  }
  EXPECT_TRUE(stream.empty()) << "trailing partial record";
  return out;
}

// Section 3's NewSessionTicket, parsed by snr's codec.
msg::NewSessionTicket section3_ticket() {
  auto t = msg::parse_new_session_ticket(body_of(unhex(s3::kNewSessionTicket)));
  EXPECT_TRUE(t.ok());
  return t.ok() ? std::move(t).value() : msg::NewSessionTicket{};
}

// ---------------------------------------------------------------------------------------------
// 1. The key schedule of the resumed handshake (RFC 8446 4.2.11.2, 4.6.1, 7.1).

TEST(Rfc8448ResumeKeySchedule, Section3TicketGivesThePsk) {
  const msg::NewSessionTicket t = section3_ticket();
  EXPECT_EQ(t.lifetime, 30u);
  EXPECT_EQ(t.age_add, 0xfad6aac5u);
  EXPECT_EQ(to_hex(t.nonce), "0000");
  EXPECT_EQ(t.ticket.size(), 178u);
  ASSERT_TRUE(t.ext.has(msg::ext::early_data));
  EXPECT_EQ(t.ext.max_early_data_size, 1024u);
  // PSK = HKDF-Expand-Label(resumption_master_secret, "resumption", ticket_nonce, 32).
  EXPECT_EQ(hex_of(keys::resumption_psk(kSha256, unhex(s3::kResumptionMaster), t.nonce)), kPsk);
  EXPECT_EQ(kPsk, s3::kTicketPsk);

  // The hello's one identity is that ticket, with the age the client computed.
  const Bytes ch = unhex(kClientHello);
  auto parsed = msg::parse_client_hello(body_of(ch));
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->ext.psk_identities.size(), 1u);
  EXPECT_EQ(to_hex(parsed->ext.psk_identities[0].identity), to_hex(t.ticket));
  EXPECT_EQ(parsed->ext.psk_identities[0].obfuscated_ticket_age, kObfuscatedAge);
  EXPECT_EQ(kObfuscatedAge - t.age_add, kTicketAgeMs);
  ASSERT_EQ(parsed->ext.psk_binders.size(), 1u);
  EXPECT_EQ(to_hex(parsed->ext.psk_binders[0]), kBinder);
}

TEST(Rfc8448ResumeKeySchedule, EarlySecretAndBinder) {
  keys::KeySchedule ks(kSha256);
  ASSERT_TRUE(ks.early(unhex(kPsk)).ok());
  EXPECT_EQ(to_hex(ks.early_secret().view()), kEarlySecret);
  // A resumption PSK: "res binder".
  EXPECT_EQ(hex_of(ks.binder_key(false)), kBinderKey);
  EXPECT_NE(hex_of(ks.binder_key(true)), kBinderKey);
  EXPECT_EQ(hex_of(keys::derive_secret(kSha256, unhex(kBinderKey), "finished", {})),
            kBinderFinishedKey);

  // The binder covers the hello up to the binders list (the "truncated" hello of 4.2.11.2).
  const Bytes ch = unhex(kClientHello);
  ASSERT_EQ(ch.size(), 512u);
  EXPECT_EQ(to_hex(ByteView(ch).first(ch.size() - kBindersSize)), kTruncatedClientHello);
  EXPECT_EQ(to_hex(ByteView(ch).last(kBindersSize)), "002120" + std::string(kBinder));
  EXPECT_EQ(hash_hex({unhex(kTruncatedClientHello)}), kBinderHash);
  EXPECT_EQ(hex_of(ks.binder(false, unhex(kBinderHash))), kBinder);
  // The binder is the Finished construction over the binder key.
  EXPECT_EQ(hex_of(keys::finished_verify_data(kSha256, unhex(kBinderKey), unhex(kBinderHash))),
            kBinder);
  // msg::psk_binders_size says where the truncation is.
  auto parsed = msg::parse_client_hello(body_of(ch));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(msg::psk_binders_size(parsed->ext), kBindersSize);

  // The early secrets cover the whole ClientHello.
  EXPECT_EQ(hash_hex({ch}), kClientHelloHash);
  EXPECT_EQ(hex_of(ks.client_early_traffic_secret(unhex(kClientHelloHash))), kClientEarlyTraffic);
  EXPECT_EQ(hex_of(keys::derive_secret(kSha256, unhex(kEarlySecret), "e exp master",
                                       unhex(kClientHelloHash))),
            kEarlyExporterMaster);
}

TEST(Rfc8448ResumeKeySchedule, HandshakeAndApplicationSecrets) {
  auto client = crypto::KeyShare::from_private(crypto::group::x25519, unhex(kClientPrivateKey));
  auto server = crypto::KeyShare::from_private(crypto::group::x25519, unhex(kServerPrivateKey));
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE(server.ok());
  EXPECT_EQ(to_hex(client->public_key()), kClientPublicKey);
  EXPECT_EQ(to_hex(server->public_key()), kServerPublicKey);
  auto c = client->derive(unhex(kServerPublicKey));
  auto s = server->derive(unhex(kClientPublicKey));
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(to_hex(c->view()), kSharedSecret);
  EXPECT_EQ(to_hex(s->view()), kSharedSecret);

  const Bytes ch = unhex(kClientHello), sh = unhex(kServerHello);
  const Bytes ee = unhex(kEncryptedExtensions), sfin = unhex(kServerFinished);
  const Bytes eoed = unhex(kEndOfEarlyData), cfin = unhex(kClientFinished);
  EXPECT_EQ(hash_hex({ch, sh}), kHelloHash);
  EXPECT_EQ(hash_hex({ch, sh, ee, sfin}), kServerFinishedHash);
  // EndOfEarlyData is part of the transcript the resumption secret covers.
  EXPECT_EQ(hash_hex({ch, sh, ee, sfin, eoed, cfin}), kClientFinishedHash);

  keys::KeySchedule ks(kSha256);
  ASSERT_TRUE(ks.early(unhex(kPsk)).ok());
  EXPECT_EQ(
      hex_of(keys::derive_secret(kSha256, unhex(kEarlySecret), "derived", unhex(s3::kEmptyHash))),
      kDerivedForHandshake);
  ASSERT_TRUE(ks.handshake(unhex(kSharedSecret), unhex(kHelloHash)).ok());
  EXPECT_EQ(to_hex(ks.handshake_secret().view()), kHandshakeSecret);
  EXPECT_EQ(to_hex(ks.client_handshake_secret().view()), kClientHsTraffic);
  EXPECT_EQ(to_hex(ks.server_handshake_secret().view()), kServerHsTraffic);
  EXPECT_EQ(hex_of(keys::derive_secret(kSha256, unhex(kHandshakeSecret), "derived",
                                       unhex(s3::kEmptyHash))),
            kDerivedForMaster);
  ASSERT_TRUE(ks.master(unhex(kServerFinishedHash)).ok());
  EXPECT_EQ(to_hex(ks.master_secret().view()), kMasterSecret);
  EXPECT_EQ(to_hex(ks.client_application_secret().view()), kClientApTraffic);
  EXPECT_EQ(to_hex(ks.server_application_secret().view()), kServerApTraffic);
  EXPECT_EQ(to_hex(ks.exporter_master_secret().view()), kExporterMaster);
  ASSERT_TRUE(ks.resumption(unhex(kClientFinishedHash)).ok());
  EXPECT_EQ(to_hex(ks.resumption_master_secret().view()), kResumptionMaster);
}

TEST(Rfc8448ResumeKeySchedule, FinishedAndTrafficKeys) {
  EXPECT_EQ(hex_of(keys::derive_secret(kSha256, unhex(kServerHsTraffic), "finished", {})),
            kServerFinishedKey);
  EXPECT_EQ(hex_of(keys::derive_secret(kSha256, unhex(kClientHsTraffic), "finished", {})),
            kClientFinishedKey);
  const Bytes ch = unhex(kClientHello), sh = unhex(kServerHello);
  EXPECT_EQ(
      hex_of(keys::finished_verify_data(kSha256, unhex(kServerHsTraffic),
                                        unhex(hash_hex({ch, sh, unhex(kEncryptedExtensions)})))),
      kServerVerifyData);
  // The client's Finished covers EndOfEarlyData too.
  EXPECT_EQ(hex_of(keys::finished_verify_data(
                kSha256, unhex(kClientHsTraffic),
                unhex(hash_hex({ch, sh, unhex(kServerFlight), unhex(kEndOfEarlyData)})))),
            kClientVerifyData);
  EXPECT_EQ(to_hex(body_of(unhex(kServerFinished))), kServerVerifyData);
  EXPECT_EQ(to_hex(body_of(unhex(kClientFinished))), kClientVerifyData);

  struct Case {
    std::string_view secret, key, iv;
  };
  const Case cases[] = {
      {kClientEarlyTraffic, kClientEarlyKey, kClientEarlyIv},
      {kServerHsTraffic, kServerHsKey, kServerHsIv},
      {kClientHsTraffic, kClientHsKey, kClientHsIv},
      {kServerApTraffic, kServerApKey, kServerApIv},
      {kClientApTraffic, kClientApKey, kClientApIv},
  };
  for (const Case& c : cases) {
    auto tk = keys::traffic_key(kSha256, kAes128, unhex(c.secret));
    ASSERT_TRUE(tk.ok());
    EXPECT_EQ(to_hex(tk->key()), c.key) << "secret " << c.secret;
    EXPECT_EQ(to_hex(tk->iv), c.iv) << "secret " << c.secret;
  }
}

TEST(Rfc8448ResumeKeySchedule, EarlyHkdfLabels) {
  struct Case {
    std::string_view label, info, expanded;
  };
  // The trace gives the HkdfLabel of both early Derive-Secrets; HKDF-Expand with it must give
  // what hkdf_expand_label gives.
  const Case cases[] = {
      {"c e traffic", kEarlyTrafficInfo, kClientEarlyTraffic},
      {"e exp master", kEarlyExporterInfo, kEarlyExporterMaster},
  };
  for (const Case& c : cases) {
    Bytes got(32);
    ASSERT_TRUE(
        keys::hkdf_expand_label(kSha256, unhex(kEarlySecret), c.label, unhex(kClientHelloHash), got)
            .ok());
    EXPECT_EQ(to_hex(got), c.expanded) << c.label;
    Bytes raw(32);
    ASSERT_TRUE(crypto::hkdf_expand(kSha256, unhex(kEarlySecret), unhex(c.info), raw).ok());
    EXPECT_EQ(to_hex(raw), c.expanded) << c.label;
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Record protection: sealing the trace's plaintexts under its keys gives its records.

TEST(Rfc8448ResumeRecord, EveryRecordOfTheTrace) {
  const Bytes data = app_data();
  const Bytes close_notify = unhex(s3::kCloseNotify);
  // Early key: the early data (sequence 0), then EndOfEarlyData (1).
  auto early = protection(kClientEarlyTraffic);
  EXPECT_EQ(seal_hex(*early, ContentType::application_data, unhex(kEarlyData)), kEarlyDataRecord);
  EXPECT_EQ(seal_hex(*early, ContentType::handshake, unhex(kEndOfEarlyData)),
            kEndOfEarlyDataRecord);
  auto server_hs = protection(kServerHsTraffic);
  EXPECT_EQ(seal_hex(*server_hs, ContentType::handshake, unhex(kServerFlight)),
            kServerFlightRecord);
  auto client_hs = protection(kClientHsTraffic);
  EXPECT_EQ(seal_hex(*client_hs, ContentType::handshake, unhex(kClientFinished)),
            kClientFinishedRecord);
  auto client_ap = protection(kClientApTraffic);
  EXPECT_EQ(seal_hex(*client_ap, ContentType::application_data, data), kClientAppDataRecord);
  EXPECT_EQ(seal_hex(*client_ap, ContentType::alert, close_notify), kClientAlertRecord);
  // No NewSessionTicket this time: the server's data is the first record under its key.
  auto server_ap = protection(kServerApTraffic);
  EXPECT_EQ(seal_hex(*server_ap, ContentType::application_data, data), kServerAppDataRecord);
  EXPECT_EQ(seal_hex(*server_ap, ContentType::alert, close_notify), kServerAlertRecord);

  auto open = protection(kClientEarlyTraffic);
  auto o = open_record(*open, unhex(kEarlyDataRecord));
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->type, ContentType::application_data);
  EXPECT_EQ(to_hex(o->plaintext), kEarlyData);
  EXPECT_EQ(std::string(o->plaintext.begin(), o->plaintext.end()), "ABCDEF");
}

TEST(Rfc8448ResumeMessages, CodecReproducesEveryMessage) {
  auto round_trip = [](std::string_view hex, auto parse) {
    Bytes whole = unhex(hex);
    auto m = parse(body_of(whole));
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message());
    if (!m.ok()) return std::string();
    Bytes out;
    EXPECT_TRUE(msg::serialize(*m, out).ok());
    return to_hex(out);
  };
  EXPECT_EQ(round_trip(kClientHello, msg::parse_client_hello), kClientHello);
  EXPECT_EQ(round_trip(kServerHello, msg::parse_server_hello), kServerHello);
  EXPECT_EQ(round_trip(kEncryptedExtensions, msg::parse_encrypted_extensions),
            kEncryptedExtensions);
  EXPECT_EQ(round_trip(kServerFinished, msg::parse_finished), kServerFinished);
  EXPECT_EQ(round_trip(kClientFinished, msg::parse_finished), kClientFinished);
}

// ---------------------------------------------------------------------------------------------
// Connections replaying the trace.

// A policy owning its lists: exactly what the RFC's peers chose or offered.
struct TestPolicy {
  std::vector<uint16_t> suites, schemes, groups;
  detail::PolicyData data;
  TestPolicy(std::vector<uint16_t> s, std::vector<uint16_t> sig, std::vector<uint16_t> g)
      : suites(std::move(s)), schemes(std::move(sig)), groups(std::move(g)) {
    data = detail::PolicyData{"rfc8448", Version::TLS13, suites, schemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

// NSS key-log lines by label; all of them must carry one client random.
struct KeyLog {
  std::map<std::string, std::string> secrets;
  std::vector<std::string> randoms;

  KeyLogCallback callback() {
    return [this](const Connection&, std::string_view line) {
      size_t a = line.find(' ');
      size_t b = line.find(' ', a + 1);
      ASSERT_NE(b, std::string_view::npos) << line;
      randoms.emplace_back(line.substr(a + 1, b - a - 1));
      secrets[std::string(line.substr(0, a))] = std::string(line.substr(b + 1));
    };
  }
  std::string get(const std::string& label) const {
    auto it = secrets.find(label);
    return it == secrets.end() ? "(not logged)" : it->second;
  }
};

void connect(Connection& conn, Pipe& in, Pipe& out) {
  ASSERT_TRUE(
      conn.set_send_callback([&out](const uint8_t* b, uint32_t n) { return out.write(b, n); })
          .ok());
  ASSERT_TRUE(
      conn.set_receive_callback([&in](uint8_t* b, uint32_t n) { return in.read(b, n); }).ok());
}

// The client session blob section 3's NewSessionTicket stands for, issued at `issue_time`.
Bytes section3_session_blob(uint64_t issue_time, uint32_t age_add_delta = 0) {
  const msg::NewSessionTicket t = section3_ticket();
  auto psk = keys::resumption_psk(kSha256, unhex(s3::kResumptionMaster), t.nonce);
  EXPECT_TRUE(psk.ok());
  resume::ClientSession s;
  s.kind = resume::ClientSession::Kind::Ticket;
  s.id = t.ticket;
  resume::SessionState& st = s.state;
  st.version = Version::TLS13;
  st.cipher_suite = kAes128GcmSha256;
  st.issue_time = issue_time;
  st.lifetime = t.lifetime;
  st.ticket_age_add = t.age_add + age_add_delta;
  st.max_early_data = t.ext.max_early_data_size;
  st.secret = SecureBytes(psk->view());
  st.server_name = "server";
  Bytes blob;
  EXPECT_TRUE(resume::encode_client_session(s, blob).ok());
  return blob;
}

// The ClientHello record snr sent is the trace's, byte for byte (header included: the initial
// ClientHello says 0x0301 even though the early data after it says 0x0303).
void expect_trace_client_hello_record(ByteView got) {
  EXPECT_EQ(to_hex(got), to_hex(unhex(kClientHelloRecord)));
}

// The trace's ClientHello body with its obfuscated age and binder zeroed: what the client
// sends in their place must be its own computation from the session.
Bytes client_hello_without_age_and_binder() {
  Bytes ch = unhex(kClientHello);
  std::fill(ch.end() - 32, ch.end(), uint8_t{0});
  std::fill(ch.begin() + kAgeOffset, ch.begin() + kAgeOffset + 4, uint8_t{0});
  return Bytes(ch.begin() + 4, ch.end());
}

const TestPolicy& client_policy() {
  static const TestPolicy p{
      {0x1301, 0x1303, 0x1302},
      {0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601},
      {crypto::group::x25519, crypto::group::secp256r1, crypto::group::secp384r1,
       crypto::group::secp521r1}};
  return p;
}

// A client configured like the RFC's: its offer, the server's self-signed certificate taken
// as is, session tickets on, and a wall clock the test sets.
Result<Config> client_config(KeyLog& log, const uint64_t& clock) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  SNR_TRY(b.with_system_certs(false));
  SNR_TRY(b.set_security_policy(client_policy().policy()));
  SNR_TRY(b.disable_x509_verification());
  SNR_TRY(b.set_key_log_callback(log.callback()));
  SNR_TRY(b.enable_session_tickets(true));
  SNR_TRY(b.set_wall_clock([&clock] { return clock; }));
  return b.build();
}

// ---------------------------------------------------------------------------------------------
// 3. snr's client resuming section 3's session: the trace's ClientHello through the test seam
// (its age and binder zeroed, so that the client computes them), the trace's x25519 key, and
// the trace's server records. Everything it sends must be the trace's bytes.

class Rfc8448ResumeClient : public ::testing::Test {
 protected:
  void SetUp() override {
    provider_.set_private_key(crypto::group::x25519, unhex(kClientPrivateKey));
    auto cfg = client_config(log_, clock_);
    ASSERT_TRUE(cfg.ok()) << cfg.error().message();
    ASSERT_TRUE(client_.set_config(*cfg).ok());
    ASSERT_TRUE(client_.set_server_name("server").ok());
    client_.state().provider = &provider_;
    client_.state().test_client_hello = client_hello_without_age_and_binder();
    connect(client_, in_, out_);
  }

  // Sends the early data (which sends the ClientHello first); returns the records written.
  std::vector<Bytes> send_early_data(bool taken = true) {
    const Bytes early = unhex(kEarlyData);
    auto e = client_.poll_send_early_data(early);
    EXPECT_TRUE(e.is_ready()) << (e.is_error() ? e.error().message() : "pending");
    if (e.is_ready()) {
      EXPECT_EQ(e.value(), taken ? early.size() : 0u);
    }
    return split_records(out_.take());
  }

  uint64_t clock_ = kResumeTime;
  DetProvider provider_;
  KeyLog log_;
  Connection client_ = Connection::new_client();
  Pipe in_, out_;
};

TEST_F(Rfc8448ResumeClient, FullTraceByteForByte) {
  ASSERT_TRUE(client_.set_session_ticket(section3_session_blob(kIssueTime)).ok());

  // The ClientHello (with the age and binder snr computed) and the early data record.
  std::vector<Bytes> first = send_early_data();
  ASSERT_EQ(first.size(), 2u);
  expect_trace_client_hello_record(first[0]);
  EXPECT_EQ(to_hex(first[1]), kEarlyDataRecord);
  EXPECT_EQ(client_.early_data_status(), EarlyDataStatus::Requested);
  EXPECT_EQ(log_.get("CLIENT_EARLY_TRAFFIC_SECRET"), kClientEarlyTraffic);

  // The server's ServerHello and its flight (EncryptedExtensions with early_data, Finished).
  in_.push(unhex(kServerHelloRecord));
  in_.push(unhex(kServerFlightRecord));
  auto r = client_.poll_negotiate();
  ASSERT_TRUE(r.is_ready()) << (r.is_error() ? r.error().message() : "pending");
  // EndOfEarlyData under the early key, then Finished under the handshake key: the trace's.
  std::vector<Bytes> second = split_records(out_.take());
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(to_hex(second[0]), kEndOfEarlyDataRecord);
  EXPECT_EQ(to_hex(second[1]), kClientFinishedRecord);

  EXPECT_EQ(client_.early_data_status(), EarlyDataStatus::Accepted);
  EXPECT_TRUE(client_.resumed());
  EXPECT_EQ(*client_.handshake_type(), "NEGOTIATED|WITH_EARLY_DATA");
  EXPECT_EQ(*client_.cipher_suite(), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(*client_.selected_curve(), "x25519");
  EXPECT_FALSE(client_.signature_scheme().has_value());
  EXPECT_EQ(to_hex(client_.negotiated_psk_identity()), to_hex(section3_ticket().ticket));

  EXPECT_EQ(log_.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET"), kClientHsTraffic);
  EXPECT_EQ(log_.get("SERVER_HANDSHAKE_TRAFFIC_SECRET"), kServerHsTraffic);
  EXPECT_EQ(log_.get("CLIENT_TRAFFIC_SECRET_0"), kClientApTraffic);
  EXPECT_EQ(log_.get("SERVER_TRAFFIC_SECRET_0"), kServerApTraffic);
  EXPECT_EQ(log_.get("EXPORTER_SECRET"), kExporterMaster);
  const Bytes ch = unhex(kClientHello);
  const std::string client_random = to_hex(ByteView(ch).subspan(4 + 2, 32));
  EXPECT_EQ(log_.secrets.size(), 6u);  // the early, handshake and application secrets
  for (const std::string& rnd : log_.randoms) EXPECT_EQ(rnd, client_random);
  EXPECT_EQ(to_hex(client_.state().neg.exporter_secret.view()), kExporterMaster);
  EXPECT_EQ(to_hex(client_.state().neg.resumption_secret.view()), kResumptionMaster);

  // Application data both ways, then close_notify both ways: the trace's records.
  const Bytes data = app_data();
  auto s = client_.poll_send(data);
  ASSERT_TRUE(s.is_ready());
  EXPECT_EQ(s.value(), data.size());
  EXPECT_EQ(to_hex(out_.take()), kClientAppDataRecord);

  uint8_t buf[256];
  in_.push(unhex(kServerAppDataRecord));
  auto d = client_.poll_recv(buf);
  ASSERT_TRUE(d.is_ready()) << (d.is_error() ? d.error().message() : "pending");
  EXPECT_EQ(to_hex(ByteView(buf, d.value())), to_hex(data));

  auto c = client_.poll_shutdown_send();
  ASSERT_TRUE(c.is_ready());
  EXPECT_EQ(to_hex(out_.take()), kClientAlertRecord);
  in_.push(unhex(kServerAlertRecord));
  auto e = client_.poll_recv(buf);
  ASSERT_TRUE(e.is_ready()) << (e.is_error() ? e.error().message() : "pending");
  EXPECT_EQ(e.value(), 0u);
}

TEST_F(Rfc8448ResumeClient, ServerRecordsOneByteAtATime) {
  ASSERT_TRUE(client_.set_session_ticket(section3_session_blob(kIssueTime)).ok());
  std::vector<Bytes> first = send_early_data();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(to_hex(first[1]), kEarlyDataRecord);
  const Bytes server = concat({unhex(kServerHelloRecord), unhex(kServerFlightRecord)});
  auto r = client_.poll_negotiate();
  for (size_t i = 0; i < server.size(); ++i) {
    ASSERT_TRUE(r.is_pending()) << "ready before byte " << i;
    in_.push(ByteView(server).subspan(i, 1));
    r = client_.poll_negotiate();
    ASSERT_FALSE(r.is_error()) << "at byte " << i << ": " << r.error().message();
  }
  ASSERT_TRUE(r.is_ready());
  EXPECT_EQ(to_hex(out_.take()), records(kEndOfEarlyDataRecord, kClientFinishedRecord));
}

// RFC 8446 4.2.11.2: the binder covers the whole hello before it, the obfuscated age
// included. A session whose ticket_age_add differs by one gives a hello that differs in that
// age, and a binder that differs with it.
TEST_F(Rfc8448ResumeClient, BinderCoversTheObfuscatedAge) {
  ASSERT_TRUE(client_.set_session_ticket(section3_session_blob(kIssueTime, 1)).ok());
  std::vector<Bytes> first = send_early_data();
  ASSERT_EQ(first.size(), 2u);
  const Bytes want = unhex(kClientHelloRecord);
  const Bytes& got = first[0];
  ASSERT_EQ(got.size(), want.size());
  constexpr size_t kRecordAge = record::kHeaderSize + kAgeOffset;
  std::vector<size_t> diff;
  for (size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i]) diff.push_back(i);
  // Not the record header's version (see expect_trace_client_hello_record).
  std::erase_if(diff, [](size_t i) { return i == 1 || i == 2; });
  ASSERT_FALSE(diff.empty());
  // The age's last byte (cb + 1), then only binder bytes.
  EXPECT_EQ(diff.front(), kRecordAge + 3);
  EXPECT_EQ(got[kRecordAge + 3], 0xcc);
  for (size_t i = 1; i < diff.size(); ++i) EXPECT_GE(diff[i], got.size() - 32) << diff[i];
  EXPECT_GT(diff.size(), 16u);  // a different binder, not a one-bit change

  // The binder snr sent is the binder of the hello it sent.
  ByteView hello = ByteView(got).subspan(record::kHeaderSize);
  keys::KeySchedule ks(kSha256);
  ASSERT_TRUE(ks.early(unhex(kPsk)).ok());
  auto h = crypto::hash_once(kSha256, hello.first(hello.size() - kBindersSize));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(hex_of(ks.binder(false, h->view())), to_hex(hello.last(32)));
  EXPECT_NE(to_hex(hello.last(32)), kBinder);
  // The early data goes out under the early key of that (different) hello.
  EXPECT_NE(to_hex(first[1]), kEarlyDataRecord);
  auto hh = crypto::hash_once(kSha256, hello);
  ASSERT_TRUE(hh.ok());
  auto early = ks.client_early_traffic_secret(hh->view());
  ASSERT_TRUE(early.ok());
  auto p = protection(early->view());
  auto o = open_record(*p, first[1]);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(to_hex(o->plaintext), kEarlyData);
}

// A different clock gives a different age: the ticket's age is the client's computation.
TEST_F(Rfc8448ResumeClient, AgeFollowsTheWallClock) {
  ASSERT_TRUE(client_.set_session_ticket(section3_session_blob(kIssueTime)).ok());
  clock_ = kResumeTime + 1'000'000;  // 7 ms
  std::vector<Bytes> first = send_early_data();
  ASSERT_EQ(first.size(), 2u);
  constexpr size_t kRecordAge = record::kHeaderSize + kAgeOffset;
  EXPECT_EQ(to_hex(ByteView(first[0]).subspan(kRecordAge, 4)), "fad6aacc");
  EXPECT_NE(to_hex(first[0]), kClientHelloRecord);
}

// Without a session the hello's pre_shared_key is the given one and no early data goes out:
// the resumption offer comes from the session, not from the seam.
TEST_F(Rfc8448ResumeClient, NoSessionNoEarlyData) {
  std::vector<Bytes> first = send_early_data(false);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(to_hex(ByteView(first[0]).subspan(record::kHeaderSize)),
            "01" + to_hex(ByteView(unhex(kClientHello)).subspan(1, 3)) +
                to_hex(client_hello_without_age_and_binder()));
  EXPECT_EQ(client_.early_data_status(), EarlyDataStatus::NotRequested);
}

// The session blob snr itself makes from section 3's NewSessionTicket resumes to the same
// bytes: section 3's client trace, the ticket received, then section 4 from its blob.
TEST(Rfc8448ResumeChain, SessionFromTheSection3Trace) {
  uint64_t clock = kIssueTime;
  Bytes blob;
  {
    DetProvider provider;
    provider.set_private_key(crypto::group::x25519, unhex(s3::kClientPrivateKey));
    KeyLog log;
    auto cfg = client_config(log, clock);
    ASSERT_TRUE(cfg.ok());
    Connection client = Connection::new_client();
    ASSERT_TRUE(client.set_config(*cfg).ok());
    ASSERT_TRUE(client.set_server_name("server").ok());
    client.state().provider = &provider;
    Bytes ch = unhex(s3::kClientHello);
    client.state().test_client_hello.assign(ch.begin() + 4, ch.end());
    Pipe in, out;
    connect(client, in, out);
    auto r = client.poll_negotiate();
    ASSERT_TRUE(r.is_pending());
    EXPECT_EQ(to_hex(out.take()), s3::kClientHelloRecord);
    in.push(unhex(s3::kServerHelloRecord));
    in.push(unhex(s3::kServerFlightRecord));
    r = client.poll_negotiate();
    ASSERT_TRUE(r.is_ready()) << (r.is_error() ? r.error().message() : "pending");
    EXPECT_EQ(to_hex(out.take()), s3::kClientFinishedRecord);
    in.push(unhex(s3::kNewSessionTicketRecord));
    uint8_t buf[64];
    auto t = client.poll_recv(buf);
    ASSERT_TRUE(t.is_pending()) << (t.is_error() ? t.error().message() : "ready");
    auto len = client.session_ticket_length();
    ASSERT_TRUE(len.ok());
    ASSERT_GT(*len, 0u);
    blob.resize(*len);
    ASSERT_TRUE(client.session_ticket(blob).ok());
  }
  auto session = resume::decode_client_session(blob);
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(to_hex(session->id), to_hex(section3_ticket().ticket));
  EXPECT_EQ(to_hex(session->state.secret.view()), kPsk);
  EXPECT_EQ(session->state.issue_time, kIssueTime);
  EXPECT_EQ(session->state.lifetime, 30u);
  EXPECT_EQ(session->state.ticket_age_add, 0xfad6aac5u);
  EXPECT_EQ(session->state.max_early_data, 1024u);
  EXPECT_EQ(session->state.cipher_suite, kAes128GcmSha256);

  clock = kResumeTime;
  DetProvider provider;
  provider.set_private_key(crypto::group::x25519, unhex(kClientPrivateKey));
  KeyLog log;
  auto cfg = client_config(log, clock);
  ASSERT_TRUE(cfg.ok());
  Connection client = Connection::new_client();
  ASSERT_TRUE(client.set_config(*cfg).ok());
  ASSERT_TRUE(client.set_server_name("server").ok());
  client.state().provider = &provider;
  client.state().test_client_hello = client_hello_without_age_and_binder();
  ASSERT_TRUE(client.set_session_ticket(blob).ok());
  Pipe in, out;
  connect(client, in, out);
  auto e = client.poll_send_early_data(unhex(kEarlyData));
  ASSERT_TRUE(e.is_ready()) << (e.is_error() ? e.error().message() : "pending");
  std::vector<Bytes> first = split_records(out.take());
  ASSERT_EQ(first.size(), 2u);
  expect_trace_client_hello_record(first[0]);
  EXPECT_EQ(to_hex(first[1]), kEarlyDataRecord);
  in.push(unhex(kServerHelloRecord));
  in.push(unhex(kServerFlightRecord));
  auto r = client.poll_negotiate();
  ASSERT_TRUE(r.is_ready()) << (r.is_error() ? r.error().message() : "pending");
  EXPECT_EQ(to_hex(out.take()), records(kEndOfEarlyDataRecord, kClientFinishedRecord));
}

// ---------------------------------------------------------------------------------------------
// 4. snr's server answering the trace's ClientHello and early data, given the trace's server
// random and x25519 key. The trace's ticket was sealed by the RFC's server, so snr cannot open
// it: the test seam hs::Settings::psk_state_override maps it to the session state section 3
// stands for.
//
// Two documented differences from the trace, both permitted by RFC 8446:
// - snr's ServerHello lists its extensions as key_share, supported_versions, pre_shared_key;
//   the RFC's server puts pre_shared_key first. Same bytes otherwise (checked below), but the
//   transcript from the ServerHello on differs, and with it the handshake traffic secrets.
// - snr's EncryptedExtensions holds early_data only (no supported_groups, record_size_limit or
//   server_name acknowledgement), as in section 3.
// What depends only on the ClientHello and the keys must match exactly: the binder check, the
// early traffic secret (snr decrypts the trace's early data and EndOfEarlyData records), the
// ServerHello's content and the handshake secret.

constexpr size_t kRandomOffset = 4 + 2;  // after the message header and legacy_version

// The extensions of a ServerHello (no session id) reordered by type.
Bytes reorder_server_hello_extensions(ByteView sh, std::initializer_list<uint16_t> order) {
  constexpr size_t kExtensionsOffset = 4 + 2 + 32 + 1 + 2 + 1 + 2;
  std::map<uint16_t, ByteView> blocks;
  for (ByteView rest = sh.subspan(kExtensionsOffset); rest.size() >= 4;) {
    const uint16_t type = static_cast<uint16_t>(rest[0] << 8 | rest[1]);
    const size_t len = size_t{rest[2]} << 8 | rest[3];
    blocks[type] = rest.first(4 + len);
    rest = rest.subspan(4 + len);
  }
  Bytes out(sh.begin(), sh.begin() + kExtensionsOffset);
  for (uint16_t t : order) out.insert(out.end(), blocks[t].begin(), blocks[t].end());
  EXPECT_EQ(out.size(), sh.size());
  return out;
}

// What section 3's ticket holds for its server.
resume::SessionState section3_session_state() {
  const msg::NewSessionTicket t = section3_ticket();
  resume::SessionState st;
  st.version = Version::TLS13;
  st.cipher_suite = kAes128GcmSha256;
  st.issue_time = kIssueTime;
  st.lifetime = t.lifetime;
  st.ticket_age_add = t.age_add;
  st.max_early_data = t.ext.max_early_data_size;
  st.secret = SecureBytes(unhex(kPsk));
  st.server_name = "server";
  return st;
}

class Rfc8448ResumeServer : public ::testing::Test {
 protected:
  void SetUp() override {
    Bytes sh = unhex(kServerHello);
    provider_.add_random(Bytes(sh.begin() + kRandomOffset, sh.begin() + kRandomOffset + 32));
    provider_.set_private_key(crypto::group::x25519, unhex(kServerPrivateKey));
    auto b = Config::builder();
    (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
    ASSERT_TRUE(b.with_system_certs(false).ok());
    ASSERT_TRUE(b.set_security_policy(policy_.policy()).ok());
    ASSERT_TRUE(b.load_pem(read_file(data_path("server_certificate.pem")),
                           read_file(data_path("server_key.pem")))
                    .ok());
    ASSERT_TRUE(b.set_key_log_callback(log_.callback()).ok());
    ASSERT_TRUE(b.set_wall_clock([this] { return clock_; }).ok());
    ASSERT_TRUE(b.set_server_max_early_data_size(1024).ok());
    auto cfg = b.build();
    ASSERT_TRUE(cfg.ok());
    ASSERT_TRUE(server_.set_config(*cfg).ok());
    server_.state().provider = &provider_;
    connect(server_, in_, out_);
    // The handshake starts (waiting for a ClientHello) so that the seam can be set on it.
    auto r = server_.poll_negotiate();
    ASSERT_TRUE(r.is_pending());
    ASSERT_NE(server_.state().hs, nullptr);
    server_.state().hs->settings.psk_state_override =
        [this](ByteView identity) -> std::optional<resume::SessionState> {
      ++lookups_;
      if (to_hex(identity) != to_hex(section3_ticket().ticket)) return std::nullopt;
      return section3_session_state();
    };
  }

  // Feeds the trace's ClientHello and early data; returns snr's ServerHello and flight.
  void first_flight(Bytes& server_hello_record, Bytes& flight_record, std::string& early) {
    in_.push(unhex(kClientHelloRecord));
    in_.push(unhex(kEarlyDataRecord));
    uint8_t buf[64];
    auto e = server_.poll_recv_early_data(buf);
    ASSERT_TRUE(e.is_ready()) << (e.is_error() ? e.error().message() : "pending");
    early.assign(buf, buf + e.value());
    std::vector<Bytes> records = split_records(out_.take());
    ASSERT_EQ(records.size(), 2u);
    server_hello_record = records[0];
    flight_record = records[1];
  }

  TestPolicy policy_{{kAes128GcmSha256}, {0x0804}, {crypto::group::x25519}};
  uint64_t clock_ = kResumeTime;
  int lookups_ = 0;
  DetProvider provider_;
  KeyLog log_;
  Connection server_ = Connection::new_server();
  Pipe in_, out_;
};

TEST_F(Rfc8448ResumeServer, ResumesAndReadsTheTraceEarlyData) {
  Bytes sh_record, flight;
  std::string early;
  ASSERT_NO_FATAL_FAILURE(first_flight(sh_record, flight, early));
  EXPECT_EQ(lookups_, 1);
  EXPECT_EQ(early, "ABCDEF");
  EXPECT_EQ(provider_.randoms_left(), 0u);
  EXPECT_EQ(log_.get("CLIENT_EARLY_TRAFFIC_SECRET"), kClientEarlyTraffic);

  // The trace's ServerHello (its random, key share, suite and selected identity 0) with the
  // extensions in snr's order, in a record like the trace's.
  const Bytes sh = reorder_server_hello_extensions(
      unhex(kServerHello),
      {msg::ext::key_share, msg::ext::supported_versions, msg::ext::pre_shared_key});
  EXPECT_EQ(to_hex(sh_record), to_hex(concat({unhex("1603030060"), sh})));

  // The handshake secret is the trace's (PSK and x25519 secret); its traffic secrets cover
  // snr's ServerHello.
  const Bytes ch = unhex(kClientHello);
  keys::KeySchedule ks(kSha256);
  ASSERT_TRUE(ks.early(unhex(kPsk)).ok());
  ASSERT_TRUE(ks.handshake(unhex(kSharedSecret), unhex(hash_hex({ch, sh}))).ok());
  EXPECT_EQ(to_hex(ks.handshake_secret().view()), kHandshakeSecret);
  EXPECT_EQ(log_.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
            to_hex(ks.client_handshake_secret().view()));
  EXPECT_EQ(log_.get("SERVER_HANDSHAKE_TRAFFIC_SECRET"),
            to_hex(ks.server_handshake_secret().view()));

  // EncryptedExtensions accepts the early data; no Certificate: the PSK authenticates.
  auto server_hs = protection(ks.server_handshake_secret().view());
  auto o = open_record(*server_hs, flight);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->type, ContentType::handshake);
  const Bytes ee = unhex("080000060004002a0000");
  ASSERT_EQ(o->plaintext.size(), ee.size() + 36);
  EXPECT_EQ(to_hex(ByteView(o->plaintext).first(ee.size())), to_hex(ee));
  const Bytes sfin(o->plaintext.begin() + static_cast<std::ptrdiff_t>(ee.size()),
                   o->plaintext.end());
  auto svd = keys::finished_verify_data(kSha256, ks.server_handshake_secret().view(),
                                        unhex(hash_hex({ch, sh, ee})));
  ASSERT_TRUE(svd.ok());
  EXPECT_EQ(to_hex(sfin), "14000020" + to_hex(svd->view()));

  // The trace's EndOfEarlyData record (under the early key), then the client's Finished over
  // snr's transcript.
  const Bytes eoed = unhex(kEndOfEarlyData);
  auto cvd = keys::finished_verify_data(kSha256, ks.client_handshake_secret().view(),
                                        unhex(hash_hex({ch, sh, ee, sfin, eoed})));
  ASSERT_TRUE(cvd.ok());
  const Bytes cfin = concat({unhex("14000020"), cvd->view()});
  auto client_hs = protection(ks.client_handshake_secret().view());
  Bytes cfin_record;
  ASSERT_TRUE(client_hs->seal(ContentType::handshake, cfin, cfin_record).ok());
  in_.push(unhex(kEndOfEarlyDataRecord));
  in_.push(cfin_record);
  auto r = server_.poll_negotiate();
  ASSERT_TRUE(r.is_ready()) << (r.is_error() ? r.error().message() : "pending");
  EXPECT_TRUE(out_.bytes.empty());  // no NewSessionTicket: this server has no ticket key

  EXPECT_EQ(server_.early_data_status(), EarlyDataStatus::Accepted);
  EXPECT_TRUE(server_.resumed());
  EXPECT_EQ(*server_.handshake_type(), "NEGOTIATED|WITH_EARLY_DATA");
  EXPECT_EQ(*server_.cipher_suite(), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(to_hex(server_.negotiated_psk_identity()), to_hex(section3_ticket().ticket));

  ASSERT_TRUE(ks.master(unhex(hash_hex({ch, sh, ee, sfin}))).ok());
  EXPECT_EQ(log_.get("CLIENT_TRAFFIC_SECRET_0"), to_hex(ks.client_application_secret().view()));
  EXPECT_EQ(log_.get("SERVER_TRAFFIC_SECRET_0"), to_hex(ks.server_application_secret().view()));
  ASSERT_TRUE(ks.resumption(unhex(hash_hex({ch, sh, ee, sfin, eoed, cfin}))).ok());
  EXPECT_EQ(to_hex(server_.state().neg.resumption_secret.view()),
            to_hex(ks.resumption_master_secret().view()));

  // Application data both ways under those secrets.
  const Bytes data = app_data();
  auto s = server_.poll_send(data);
  ASSERT_TRUE(s.is_ready());
  auto server_ap = protection(ks.server_application_secret().view());
  auto got = open_record(*server_ap, out_.take());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(to_hex(got->plaintext), to_hex(data));
  auto client_ap = protection(ks.client_application_secret().view());
  Bytes rec;
  ASSERT_TRUE(client_ap->seal(ContentType::application_data, data, rec).ok());
  in_.push(rec);
  uint8_t buf[256];
  auto rr = server_.poll_recv(buf);
  ASSERT_TRUE(rr.is_ready()) << (rr.is_error() ? rr.error().message() : "pending");
  EXPECT_EQ(to_hex(ByteView(buf, rr.value())), to_hex(data));
}

// RFC 8446 4.2.11: "If this value does not validate, the server MUST abort the handshake";
// 6.2: a PSK binder that does not validate is a decrypt_error.
TEST_F(Rfc8448ResumeServer, RejectsAlteredBinder) {
  Bytes ch_record = unhex(kClientHelloRecord);
  ch_record.back() ^= 0x01;
  in_.push(ch_record);
  auto r = server_.poll_negotiate();
  ASSERT_TRUE(r.is_error());
  EXPECT_EQ(r.error().code(), static_cast<uint16_t>(Err::BAD_PSK_BINDER));
  ASSERT_TRUE(r.error().alert().has_value());
  EXPECT_EQ(*r.error().alert(), 51);
  EXPECT_EQ(lookups_, 1);  // the ticket was known: the binder is what failed
  // No ServerHello: only the alert, in the clear.
  std::vector<Bytes> out = split_records(out_.take());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0][0], 0x15);
  EXPECT_EQ(to_hex(ByteView(out[0]).subspan(3)), "00020233");
  EXPECT_EQ(provider_.randoms_left(), 1u);
}

// RFC 8446 8.3: a ticket age the server cannot reconcile with its own clock (here the
// server's clock is 11 s ahead, beyond snr's 10 s tolerance) means no early data; the
// resumption itself stands and the trace's early data record is skipped.
TEST_F(Rfc8448ResumeServer, RejectsEarlyDataOfAnImplausibleTicketAge) {
  clock_ = kResumeTime + 11'000'000'000ull;
  Bytes sh_record, flight;
  std::string early;
  ASSERT_NO_FATAL_FAILURE(first_flight(sh_record, flight, early));
  EXPECT_TRUE(early.empty());
  EXPECT_EQ(server_.early_data_status(), EarlyDataStatus::Rejected);
  EXPECT_EQ(log_.get("CLIENT_EARLY_TRAFFIC_SECRET"), "(not logged)");

  const Bytes ch = unhex(kClientHello);
  const Bytes sh(sh_record.begin() + record::kHeaderSize, sh_record.end());
  keys::KeySchedule ks(kSha256);
  ASSERT_TRUE(ks.early(unhex(kPsk)).ok());
  ASSERT_TRUE(ks.handshake(unhex(kSharedSecret), unhex(hash_hex({ch, sh}))).ok());
  auto server_hs = protection(ks.server_handshake_secret().view());
  auto o = open_record(*server_hs, flight);
  ASSERT_TRUE(o.has_value());
  const Bytes ee = unhex("080000020000");  // no early_data: rejected
  ASSERT_EQ(to_hex(ByteView(o->plaintext).first(ee.size())), to_hex(ee));
  auto cvd = keys::finished_verify_data(kSha256, ks.client_handshake_secret().view(),
                                        unhex(hash_hex({ch, sh, o->plaintext})));
  ASSERT_TRUE(cvd.ok());
  auto client_hs = protection(ks.client_handshake_secret().view());
  Bytes cfin_record;
  ASSERT_TRUE(
      client_hs->seal(ContentType::handshake, concat({unhex("14000020"), cvd->view()}), cfin_record)
          .ok());
  in_.push(cfin_record);
  auto r = server_.poll_negotiate();
  ASSERT_TRUE(r.is_ready()) << (r.is_error() ? r.error().message() : "pending");
  EXPECT_TRUE(server_.resumed());
  EXPECT_EQ(server_.early_data_status(), EarlyDataStatus::Rejected);
}

}  // namespace
}  // namespace snr::kat
