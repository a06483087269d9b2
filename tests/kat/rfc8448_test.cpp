// RFC 8448 section 3 ("Simple 1-RTT Handshake") known-answer tests: the key schedule, the
// record protection, and snr's server and client replaying the trace through their public
// poll API with a deterministic crypto provider.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/connection_state.hpp"
#include "crypto/hash.hpp"
#include "crypto/key_share.hpp"
#include "crypto/pkey.hpp"
#include "crypto/x509.hpp"
#include "det_provider.hpp"
#include "kat_util.hpp"
#include "keys/key_schedule.hpp"
#include "msg/messages.hpp"
#include "policy/policy_data.hpp"
#include "record/record_layer.hpp"
#include "rfc8448_vectors.hpp"
#include "snr/snr.hpp"

namespace snr::kat {
namespace {

using namespace rfc8448;  // NOLINT(build/namespaces): the vectors are this file's subject
using msg::ContentType;

constexpr crypto::HashAlg kSha256 = crypto::HashAlg::SHA256;
constexpr crypto::AeadAlg kAes128 = crypto::AeadAlg::AES_128_GCM;
constexpr crypto::SigParams kRsaPssSha256{crypto::SigKind::RSA_PSS, crypto::HashAlg::SHA256};
constexpr uint16_t kRsaPssRsaeSha256 = 0x0804;

// Offsets into the trace's messages (header included).
constexpr size_t kHelloRandomOffset = 4 + 2;              // after the header and legacy_version
constexpr size_t kCertVerifySignatureOffset = 4 + 2 + 2;  // after the header, scheme, length

Bytes app_data() {
  Bytes b(kAppDataSize);
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i);
  return b;
}

ByteView body_of(ByteView message) { return message.subspan(4); }

Bytes server_certificate_der() {
  auto chain = crypto::pem_to_der_chain(read_file(data_path("server_certificate.pem")));
  if (!chain.ok() || chain->size() != 1) return {};
  return chain->front();
}

// SHA-256 over the concatenation of `messages`, as hex.
std::string transcript_hash(std::initializer_list<ByteView> messages) {
  auto d = crypto::hash_once(kSha256, concat(messages));
  EXPECT_TRUE(d.ok());
  return d.ok() ? to_hex(d->view()) : std::string();
}

std::string hex_of(const Result<crypto::Digest>& d) {
  EXPECT_TRUE(d.ok()) << (d.ok() ? "" : d.error().message());
  return d.ok() ? to_hex(d->view()) : std::string();
}

// The content a server CertificateVerify signs (RFC 8446 4.4.3), built here independently
// of snr's handshake code.
Bytes server_cert_verify_content(ByteView transcript_hash_bytes) {
  Bytes content(64, 0x20);
  for (char c : std::string_view("TLS 1.3, server CertificateVerify")) content.push_back(c);
  content.push_back(0);
  content.insert(content.end(), transcript_hash_bytes.begin(), transcript_hash_bytes.end());
  return content;
}

std::unique_ptr<record::Protection13> protection(ByteView secret) {
  auto p = record::Protection13::create(kAes128, kSha256, secret);
  EXPECT_TRUE(p.ok());
  return p.ok() ? std::move(p).value() : nullptr;
}
std::unique_ptr<record::Protection13> protection(std::string_view secret_hex) {
  return protection(unhex(secret_hex));
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

// Splits handshake bytes into whole messages (header included).
std::vector<Bytes> split_messages(ByteView data) {
  std::vector<Bytes> out;
  while (data.size() >= 4) {
    size_t len = size_t{data[1]} << 16 | size_t{data[2]} << 8 | data[3];
    if (data.size() < 4 + len) break;
    out.emplace_back(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(4 + len));
    data = data.subspan(4 + len);
  }
  EXPECT_TRUE(data.empty()) << "trailing partial handshake message";
  return out;
}

struct Opened {
  ContentType type = ContentType::application_data;
  Bytes plaintext;
};

// Decrypts one protected record with `p` (which advances its sequence number).
std::optional<Opened> open_record(record::Protection13& p, ByteView rec) {
  if (rec.size() < record::kHeaderSize) return std::nullopt;
  Bytes body(rec.begin() + record::kHeaderSize, rec.end());
  Opened o;
  auto n = p.open(rec.first(record::kHeaderSize), body, o.type);
  if (!n.ok()) return std::nullopt;
  o.plaintext.assign(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(*n));
  return o;
}

std::string seal_hex(record::Protection13& p, ContentType type, ByteView plaintext) {
  Bytes out;
  Status s = p.seal(type, plaintext, out);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message());
  return to_hex(out);
}

// ---------------------------------------------------------------------------------------------
// 1. The key schedule (RFC 8446 7.1) against the trace's secrets.

TEST(Rfc8448KeySchedule, TranscriptHashesOfTheTraceMessages) {
  EXPECT_EQ(to_hex(crypto::hash_once(kSha256, {})->view()), kEmptyHash);
  EXPECT_EQ(transcript_hash({unhex(kClientHello), unhex(kServerHello)}), kHelloHash);
  EXPECT_EQ(transcript_hash({unhex(kClientHello), unhex(kServerHello), unhex(kServerFlight)}),
            kServerFinishedHash);
  EXPECT_EQ(transcript_hash({unhex(kClientHello), unhex(kServerHello), unhex(kServerFlight),
                             unhex(kClientFinished)}),
            kClientFinishedHash);
}

TEST(Rfc8448KeySchedule, X25519SharesAndSharedSecret) {
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
}

TEST(Rfc8448KeySchedule, EverySecretOfTheTrace) {
  keys::KeySchedule ks(kSha256);
  ASSERT_TRUE(ks.early({}).ok());
  EXPECT_EQ(to_hex(ks.early_secret().view()), kEarlySecret);

  ASSERT_TRUE(ks.handshake(unhex(kSharedSecret), unhex(kHelloHash)).ok());
  EXPECT_EQ(to_hex(ks.handshake_secret().view()), kHandshakeSecret);
  EXPECT_EQ(to_hex(ks.client_handshake_secret().view()), kClientHsTraffic);
  EXPECT_EQ(to_hex(ks.server_handshake_secret().view()), kServerHsTraffic);

  ASSERT_TRUE(ks.master(unhex(kServerFinishedHash)).ok());
  EXPECT_EQ(to_hex(ks.master_secret().view()), kMasterSecret);
  EXPECT_EQ(to_hex(ks.client_application_secret().view()), kClientApTraffic);
  EXPECT_EQ(to_hex(ks.server_application_secret().view()), kServerApTraffic);
  EXPECT_EQ(to_hex(ks.exporter_master_secret().view()), kExporterMaster);

  ASSERT_TRUE(ks.resumption(unhex(kClientFinishedHash)).ok());
  EXPECT_EQ(to_hex(ks.resumption_master_secret().view()), kResumptionMaster);
}

TEST(Rfc8448KeySchedule, IntermediateDerivedSecrets) {
  // The "derived" salts between the stages, and the extracts they feed.
  EXPECT_EQ(hex_of(keys::derive_secret(kSha256, unhex(kEarlySecret), "derived", unhex(kEmptyHash))),
            kDerivedForHandshake);
  EXPECT_EQ(
      hex_of(crypto::hkdf_extract(kSha256, unhex(kDerivedForHandshake), unhex(kSharedSecret))),
      kHandshakeSecret);
  EXPECT_EQ(
      hex_of(keys::derive_secret(kSha256, unhex(kHandshakeSecret), "derived", unhex(kEmptyHash))),
      kDerivedForMaster);
  EXPECT_EQ(hex_of(crypto::hkdf_extract(kSha256, unhex(kDerivedForMaster), Bytes(32, 0))),
            kMasterSecret);
  // An empty salt means HashLen zeros (RFC 5869 2.2): the early secret.
  EXPECT_EQ(hex_of(crypto::hkdf_extract(kSha256, {}, Bytes(32, 0))), kEarlySecret);
}

TEST(Rfc8448KeySchedule, TrafficKeysAndIvs) {
  struct Case {
    std::string_view secret, key, iv;
  };
  const Case cases[] = {
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

TEST(Rfc8448KeySchedule, FinishedKeysAndVerifyData) {
  EXPECT_EQ(hex_of(keys::derive_secret(kSha256, unhex(kServerHsTraffic), "finished", {})),
            kServerFinishedKey);
  EXPECT_EQ(hex_of(keys::derive_secret(kSha256, unhex(kClientHsTraffic), "finished", {})),
            kClientFinishedKey);
  // The server's Finished covers ClientHello..CertificateVerify.
  Bytes through_cv = concat({unhex(kClientHello), unhex(kServerHello), unhex(kEncryptedExtensions),
                             unhex(kCertificate), unhex(kCertificateVerify)});
  auto h = crypto::hash_once(kSha256, through_cv);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(hex_of(keys::finished_verify_data(kSha256, unhex(kServerHsTraffic), h->view())),
            kServerVerifyData);
  EXPECT_EQ(hex_of(keys::finished_verify_data(kSha256, unhex(kClientHsTraffic),
                                              unhex(kServerFinishedHash))),
            kClientVerifyData);
  EXPECT_EQ(to_hex(body_of(unhex(kServerFinished))), kServerVerifyData);
  EXPECT_EQ(to_hex(body_of(unhex(kClientFinished))), kClientVerifyData);
}

TEST(Rfc8448KeySchedule, HkdfExpandLabelKnownAnswers) {
  struct Case {
    std::string_view secret, label, context, info, expanded;
  };
  // The trace gives each HkdfLabel ("info"): HKDF-Expand with it must give what
  // hkdf_expand_label gives, which checks the label encoding as well as the output.
  const Case cases[] = {
      {kHandshakeSecret, "c hs traffic", kHelloHash, kClientHsTrafficInfo, kClientHsTraffic},
      {kServerHsTraffic, "key", "", kKeyInfo, kServerHsKey},
      {kServerHsTraffic, "iv", "", kIvInfo, kServerHsIv},
      {kServerHsTraffic, "finished", "", kFinishedInfo, kServerFinishedKey},
      {kResumptionMaster, "resumption", "0000", kResumptionInfo, kTicketPsk},
  };
  for (const Case& c : cases) {
    Bytes want = unhex(c.expanded);
    Bytes got(want.size());
    ASSERT_TRUE(
        keys::hkdf_expand_label(kSha256, unhex(c.secret), c.label, unhex(c.context), got).ok());
    EXPECT_EQ(to_hex(got), c.expanded) << c.label;
    Bytes raw(want.size());
    ASSERT_TRUE(crypto::hkdf_expand(kSha256, unhex(c.secret), unhex(c.info), raw).ok());
    EXPECT_EQ(to_hex(raw), c.expanded) << c.label;
  }
}

// ---------------------------------------------------------------------------------------------
// The trace's messages: snr's codec reproduces them, and the trace's signature is valid for
// the RFC's certificate (the deterministic provider relies on both).

TEST(Rfc8448Messages, ParseAndSerializeReproduceEveryMessage) {
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
  EXPECT_EQ(round_trip(kCertificate, msg::parse_certificate), kCertificate);
  EXPECT_EQ(round_trip(kCertificateVerify, msg::parse_certificate_verify), kCertificateVerify);
  EXPECT_EQ(round_trip(kServerFinished, msg::parse_finished), kServerFinished);
  EXPECT_EQ(round_trip(kClientFinished, msg::parse_finished), kClientFinished);
  EXPECT_EQ(round_trip(kNewSessionTicket, msg::parse_new_session_ticket), kNewSessionTicket);
}

TEST(Rfc8448Messages, CertificateIsTheDataFileCertificate) {
  Bytes der = server_certificate_der();
  ASSERT_FALSE(der.empty());
  auto cert = msg::parse_certificate(body_of(unhex(kCertificate)));
  ASSERT_TRUE(cert.ok());
  ASSERT_EQ(cert->entries.size(), 1u);
  EXPECT_EQ(to_hex(cert->entries[0].cert_data), to_hex(der));
  EXPECT_TRUE(cert->entries[0].ext.order.empty());
}

TEST(Rfc8448Messages, TraceCertificateVerifyIsValid) {
  auto pub = crypto::PublicKey::from_certificate(server_certificate_der());
  ASSERT_TRUE(pub.ok());
  auto cv = msg::parse_certificate_verify(body_of(unhex(kCertificateVerify)));
  ASSERT_TRUE(cv.ok());
  EXPECT_EQ(cv->scheme, kRsaPssRsaeSha256);
  auto h = crypto::hash_once(kSha256, concat({unhex(kClientHello), unhex(kServerHello),
                                              unhex(kEncryptedExtensions), unhex(kCertificate)}));
  ASSERT_TRUE(h.ok());
  Bytes content = server_cert_verify_content(h->view());
  EXPECT_TRUE(pub->verify(kRsaPssSha256, content, cv->signature).ok());
  content.back() ^= 1;
  EXPECT_FALSE(pub->verify(kRsaPssSha256, content, cv->signature).ok());
}

TEST(Rfc8448Messages, DeterministicProviderReplaysTheTraceSignature) {
  auto key = crypto::PrivateKey::from_pem(read_file(data_path("server_key.pem")));
  ASSERT_TRUE(key.ok());
  const Bytes cv = unhex(kCertificateVerify);
  const Bytes recorded(cv.begin() + kCertVerifySignatureOffset, cv.end());
  DetProvider provider;
  provider.set_recorded_signature(server_certificate_der(), recorded);
  auto h = crypto::hash_once(kSha256, concat({unhex(kClientHello), unhex(kServerHello),
                                              unhex(kEncryptedExtensions), unhex(kCertificate)}));
  ASSERT_TRUE(h.ok());
  Bytes content = server_cert_verify_content(h->view());
  auto same = provider.sign(*key, kRsaPssSha256, content);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(to_hex(*same), to_hex(recorded));

  // Any other content gets a fresh signature, valid for it.
  content.back() ^= 1;
  auto fresh = provider.sign(*key, kRsaPssSha256, content);
  ASSERT_TRUE(fresh.ok());
  EXPECT_NE(to_hex(*fresh), to_hex(recorded));
  auto pub = crypto::PublicKey::from_certificate(server_certificate_der());
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->verify(kRsaPssSha256, content, *fresh).ok());
  ASSERT_EQ(provider.sign_log().size(), 2u);
  EXPECT_TRUE(provider.sign_log()[0].recorded);
  EXPECT_FALSE(provider.sign_log()[1].recorded);
}

// ---------------------------------------------------------------------------------------------
// 2. Record protection (RFC 8446 5.2): sealing the trace's plaintexts gives its records.

TEST(Rfc8448Record, ServerHandshakeFlight) {
  auto seal = protection(kServerHsTraffic);
  EXPECT_EQ(seal_hex(*seal, ContentType::handshake, unhex(kServerFlight)), kServerFlightRecord);
  EXPECT_EQ(seal->sequence(), 1u);

  auto open = protection(kServerHsTraffic);
  auto o = open_record(*open, unhex(kServerFlightRecord));
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->type, ContentType::handshake);
  EXPECT_EQ(to_hex(o->plaintext), kServerFlight);
}

TEST(Rfc8448Record, ClientFinished) {
  auto seal = protection(kClientHsTraffic);
  EXPECT_EQ(seal_hex(*seal, ContentType::handshake, unhex(kClientFinished)), kClientFinishedRecord);
  auto open = protection(kClientHsTraffic);
  auto o = open_record(*open, unhex(kClientFinishedRecord));
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->type, ContentType::handshake);
  EXPECT_EQ(to_hex(o->plaintext), kClientFinished);
}

TEST(Rfc8448Record, ServerApplicationRecords) {
  // Under the server's application key: NewSessionTicket (sequence 0), data (1), alert (2).
  auto seal = protection(kServerApTraffic);
  EXPECT_EQ(seal_hex(*seal, ContentType::handshake, unhex(kNewSessionTicket)),
            kNewSessionTicketRecord);
  EXPECT_EQ(seal_hex(*seal, ContentType::application_data, app_data()), kServerAppDataRecord);
  EXPECT_EQ(seal_hex(*seal, ContentType::alert, unhex(kCloseNotify)), kServerAlertRecord);

  auto open = protection(kServerApTraffic);
  struct Want {
    std::string_view record;
    ContentType type;
    Bytes plaintext;
  };
  const Want wants[] = {
      {kNewSessionTicketRecord, ContentType::handshake, unhex(kNewSessionTicket)},
      {kServerAppDataRecord, ContentType::application_data, app_data()},
      {kServerAlertRecord, ContentType::alert, unhex(kCloseNotify)},
  };
  for (const Want& w : wants) {
    auto o = open_record(*open, unhex(w.record));
    ASSERT_TRUE(o.has_value()) << w.record;
    EXPECT_EQ(o->type, w.type);
    EXPECT_EQ(to_hex(o->plaintext), to_hex(w.plaintext));
  }
}

TEST(Rfc8448Record, ClientApplicationRecords) {
  auto seal = protection(kClientApTraffic);
  EXPECT_EQ(seal_hex(*seal, ContentType::application_data, app_data()), kClientAppDataRecord);
  EXPECT_EQ(seal_hex(*seal, ContentType::alert, unhex(kCloseNotify)), kClientAlertRecord);

  auto open = protection(kClientApTraffic);
  auto data = open_record(*open, unhex(kClientAppDataRecord));
  ASSERT_TRUE(data.has_value());
  EXPECT_EQ(data->type, ContentType::application_data);
  EXPECT_EQ(to_hex(data->plaintext), to_hex(app_data()));
  auto alert = open_record(*open, unhex(kClientAlertRecord));
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->type, ContentType::alert);
  EXPECT_EQ(to_hex(alert->plaintext), kCloseNotify);
}

TEST(Rfc8448Record, OpenFailsOutOfSequenceOrTampered) {
  // The server's data record is its second under that key: at sequence 0 the nonce is wrong.
  auto p = protection(kServerApTraffic);
  EXPECT_FALSE(open_record(*p, unhex(kServerAppDataRecord)).has_value());

  Bytes rec = unhex(kClientFinishedRecord);
  rec[10] ^= 0x01;
  auto q = protection(kClientHsTraffic);
  EXPECT_FALSE(open_record(*q, rec).has_value());
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

// NSS key-log lines by label; all of them must carry the trace's client random.
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

std::string trace_client_random() {
  Bytes ch = unhex(kClientHello);
  return to_hex(ByteView(ch).subspan(kHelloRandomOffset, 32));
}

void connect(Connection& conn, Pipe& in, Pipe& out) {
  ASSERT_TRUE(
      conn.set_send_callback([&out](const uint8_t* b, uint32_t n) { return out.write(b, n); })
          .ok());
  ASSERT_TRUE(
      conn.set_receive_callback([&in](uint8_t* b, uint32_t n) { return in.read(b, n); }).ok());
}

// ---------------------------------------------------------------------------------------------
// 3. snr's server, given the trace's server random, x25519 key and certificate, answering the
// trace's ClientHello.
//
// snr's EncryptedExtensions is empty (08 00 00 02 00 00). The RFC's server sends
// supported_groups, record_size_limit and a server_name acknowledgement, none of which snr's
// server implements. That is a design difference, and everything the transcript covers from
// there on differs with it: the CertificateVerify signs a transcript hash that includes EE (so
// the trace's RSA-PSS signature cannot be valid for snr's flight, and snr's is a fresh
// randomized one), and the server Finished, the application secrets and the resumption secret
// all cover EE. What does not depend on EE must match exactly: the ServerHello record, the
// handshake traffic secrets (hash of ClientHello..ServerHello) and hence the record key of the
// flight, and the Certificate message.

class Rfc8448Server : public ::testing::Test {
 protected:
  void SetUp() override {
    Bytes sh = unhex(kServerHello);
    provider_.add_random(
        Bytes(sh.begin() + kHelloRandomOffset, sh.begin() + kHelloRandomOffset + 32));
    provider_.set_private_key(crypto::group::x25519, unhex(kServerPrivateKey));
    Bytes cv = unhex(kCertificateVerify);
    provider_.set_recorded_signature(server_certificate_der(),
                                     Bytes(cv.begin() + kCertVerifySignatureOffset, cv.end()));

    auto b = Config::builder();
    (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
    ASSERT_TRUE(b.with_system_certs(false).ok());
    ASSERT_TRUE(b.set_security_policy(policy_.policy()).ok());
    ASSERT_TRUE(b.load_pem(read_file(data_path("server_certificate.pem")),
                           read_file(data_path("server_key.pem")))
                    .ok());
    ASSERT_TRUE(b.set_key_log_callback(log_.callback()).ok());
    auto cfg = b.build();
    ASSERT_TRUE(cfg.ok());
    ASSERT_TRUE(server_.set_config(*cfg).ok());
    server_.state().provider = &provider_;
    connect(server_, in_, out_);
  }

  // Feeds the trace's ClientHello; returns snr's ServerHello record and its encrypted flight.
  void run_first_flight(Bytes& server_hello_record, Bytes& flight_record) {
    in_.push(unhex(kClientHelloRecord));
    auto r = server_.poll_negotiate();
    ASSERT_TRUE(r.is_pending()) << (r.is_error() ? r.error().message() : "ready");
    EXPECT_EQ(r.blocked(), Blocked::OnRead);
    std::vector<Bytes> records = split_records(out_.take());
    // No change_cipher_spec: the trace's ClientHello has an empty legacy_session_id, so this
    // is not middlebox compatibility mode (RFC 8446 D.4).
    ASSERT_EQ(records.size(), 2u);
    server_hello_record = records[0];
    flight_record = records[1];
  }

  TestPolicy policy_{{0x1301}, {kRsaPssRsaeSha256}, {crypto::group::x25519}};
  DetProvider provider_;
  KeyLog log_;
  Connection server_ = Connection::new_server();
  Pipe in_, out_;
};

TEST_F(Rfc8448Server, ServerHelloRecordIsTheTrace) {
  Bytes sh, flight;
  ASSERT_NO_FATAL_FAILURE(run_first_flight(sh, flight));
  EXPECT_EQ(to_hex(sh), kServerHelloRecord);
  EXPECT_EQ(provider_.randoms_left(), 0u);
  // The handshake traffic secrets cover ClientHello..ServerHello only.
  EXPECT_EQ(log_.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET"), kClientHsTraffic);
  EXPECT_EQ(log_.get("SERVER_HANDSHAKE_TRAFFIC_SECRET"), kServerHsTraffic);
  for (const std::string& r : log_.randoms) EXPECT_EQ(r, trace_client_random());
}

TEST_F(Rfc8448Server, EncryptedFlightUnderTheTraceKey) {
  Bytes sh, flight;
  ASSERT_NO_FATAL_FAILURE(run_first_flight(sh, flight));
  // Decrypting with the key of the trace's server_handshake_traffic_secret proves snr used it.
  auto p = protection(kServerHsTraffic);
  auto o = open_record(*p, flight);
  ASSERT_TRUE(o.has_value()) << "snr's flight does not open under the trace's handshake key";
  EXPECT_EQ(o->type, ContentType::handshake);
  std::vector<Bytes> msgs = split_messages(o->plaintext);
  ASSERT_EQ(msgs.size(), 4u);
  const Bytes& ee = msgs[0];
  const Bytes& cert = msgs[1];
  const Bytes& cv = msgs[2];
  const Bytes& fin = msgs[3];

  // The documented difference: an empty EncryptedExtensions (see the comment above).
  EXPECT_EQ(to_hex(ee), "080000020000");
  // The same one-certificate chain, no per-entry extensions: the trace's message exactly.
  EXPECT_EQ(to_hex(cert), kCertificate);

  // CertificateVerify: rsa_pss_rsae_sha256 by the RFC's key over snr's own transcript.
  const Bytes ch = unhex(kClientHello);
  const Bytes shm = unhex(kServerHello);
  auto h_cert = crypto::hash_once(kSha256, concat({ch, shm, ee, cert}));
  ASSERT_TRUE(h_cert.ok());
  const Bytes content = server_cert_verify_content(h_cert->view());
  auto parsed_cv = msg::parse_certificate_verify(body_of(cv));
  ASSERT_TRUE(parsed_cv.ok());
  EXPECT_EQ(parsed_cv->scheme, kRsaPssRsaeSha256);
  EXPECT_EQ(parsed_cv->signature.size(), 128u);
  auto pub = crypto::PublicKey::from_certificate(server_certificate_der());
  ASSERT_TRUE(pub.ok());
  EXPECT_TRUE(pub->verify(kRsaPssSha256, content, parsed_cv->signature).ok());
  // snr asked for exactly that content to be signed; because EE differs, the trace's
  // signature does not verify for it and the provider had to sign afresh.
  ASSERT_EQ(provider_.sign_log().size(), 1u);
  EXPECT_EQ(to_hex(provider_.sign_log()[0].message), to_hex(content));
  EXPECT_FALSE(provider_.sign_log()[0].recorded);

  // Finished over snr's transcript with the trace's server handshake secret.
  auto h_cv = crypto::hash_once(kSha256, concat({ch, shm, ee, cert, cv}));
  ASSERT_TRUE(h_cv.ok());
  auto vd = keys::finished_verify_data(kSha256, unhex(kServerHsTraffic), h_cv->view());
  ASSERT_TRUE(vd.ok());
  EXPECT_EQ(to_hex(fin), "14000020" + to_hex(vd->view()));
}

TEST_F(Rfc8448Server, CompletesWithTheTraceClientHandshakeKey) {
  Bytes sh, flight;
  ASSERT_NO_FATAL_FAILURE(run_first_flight(sh, flight));
  auto p = protection(kServerHsTraffic);
  auto o = open_record(*p, flight);
  ASSERT_TRUE(o.has_value());

  // The client's side of snr's transcript, computed here from the trace's secrets.
  const Bytes through_sfin = concat({unhex(kClientHello), unhex(kServerHello), o->plaintext});
  auto h_sfin = crypto::hash_once(kSha256, through_sfin);
  ASSERT_TRUE(h_sfin.ok());
  auto vd = keys::finished_verify_data(kSha256, unhex(kClientHsTraffic), h_sfin->view());
  ASSERT_TRUE(vd.ok());
  const Bytes client_fin = concat({unhex("14000020"), vd->view()});
  auto client_hs = protection(kClientHsTraffic);
  Bytes fin_record;
  ASSERT_TRUE(client_hs->seal(ContentType::handshake, client_fin, fin_record).ok());
  in_.push(fin_record);
  auto r = server_.poll_negotiate();
  ASSERT_TRUE(r.is_ready()) << (r.is_error() ? r.error().message() : "pending");
  EXPECT_TRUE(out_.bytes.empty());

  EXPECT_EQ(*server_.cipher_suite(), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(*server_.selected_curve(), "x25519");
  ASSERT_TRUE(server_.signature_scheme().has_value());
  EXPECT_EQ(*server_.signature_scheme(), "rsa_pss_rsae_sha256");
  EXPECT_EQ(*server_.handshake_type(), "NEGOTIATED|FULL_HANDSHAKE");
  ASSERT_TRUE(server_.server_name().has_value());
  EXPECT_EQ(*server_.server_name(), "server");

  // The application secrets follow from the trace's shared secret and snr's transcript.
  keys::KeySchedule ks(kSha256);
  ASSERT_TRUE(ks.handshake(unhex(kSharedSecret), unhex(kHelloHash)).ok());
  ASSERT_TRUE(ks.master(h_sfin->view()).ok());
  EXPECT_EQ(log_.get("CLIENT_TRAFFIC_SECRET_0"), to_hex(ks.client_application_secret().view()));
  EXPECT_EQ(log_.get("SERVER_TRAFFIC_SECRET_0"), to_hex(ks.server_application_secret().view()));
  EXPECT_EQ(log_.get("EXPORTER_SECRET"), to_hex(ks.exporter_master_secret().view()));
  auto h_cfin = crypto::hash_once(kSha256, concat({through_sfin, client_fin}));
  ASSERT_TRUE(h_cfin.ok());
  ASSERT_TRUE(ks.resumption(h_cfin->view()).ok());
  EXPECT_EQ(to_hex(server_.state().neg.resumption_secret.view()),
            to_hex(ks.resumption_master_secret().view()));

  // Application data both ways under those secrets: the trace's payload.
  auto server_ap_send = protection(ks.server_application_secret().view());
  auto client_ap = protection(ks.client_application_secret().view());
  const Bytes data = app_data();
  auto s = server_.poll_send(data);
  ASSERT_TRUE(s.is_ready());
  EXPECT_EQ(s.value(), data.size());
  Bytes sent = out_.take();
  auto got = open_record(*server_ap_send, sent);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->type, ContentType::application_data);
  EXPECT_EQ(to_hex(got->plaintext), to_hex(data));

  Bytes rec;
  ASSERT_TRUE(client_ap->seal(ContentType::application_data, data, rec).ok());
  in_.push(rec);
  uint8_t buf[256];
  auto rr = server_.poll_recv(buf);
  ASSERT_TRUE(rr.is_ready()) << (rr.is_error() ? rr.error().message() : "pending");
  EXPECT_EQ(to_hex(ByteView(buf, rr.value())), to_hex(data));
}

// ---------------------------------------------------------------------------------------------
// 4. snr's client, sending the trace's ClientHello (test seam) with the trace's x25519 key, fed
// the trace's server records. Everything it sends must be the trace's bytes.

class Rfc8448Client : public ::testing::Test {
 protected:
  void SetUp() override {
    provider_.set_private_key(crypto::group::x25519, unhex(kClientPrivateKey));
    auto b = Config::builder();
    (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
    ASSERT_TRUE(b.with_system_certs(false).ok());
    ASSERT_TRUE(b.set_security_policy(policy_.policy()).ok());
    // The trace's certificate is self-signed ("CN=rsa") and expires in 2026.
    ASSERT_TRUE(b.disable_x509_verification().ok());
    ASSERT_TRUE(b.set_key_log_callback(log_.callback()).ok());
    auto cfg = b.build();
    ASSERT_TRUE(cfg.ok());
    ASSERT_TRUE(client_.set_config(*cfg).ok());
    ASSERT_TRUE(client_.set_server_name("server").ok());
    client_.state().provider = &provider_;
    Bytes ch = unhex(kClientHello);
    client_.state().test_client_hello.assign(ch.begin() + 4, ch.end());
    connect(client_, in_, out_);
  }

  // Sends the ClientHello and feeds the server's first flight (records given as hex).
  Poll<void> handshake(std::string_view flight_record_hex) {
    auto r = client_.poll_negotiate();
    EXPECT_TRUE(r.is_pending());
    EXPECT_EQ(to_hex(out_.take()), kClientHelloRecord);
    in_.push(unhex(kServerHelloRecord));
    in_.push(unhex(flight_record_hex));
    return client_.poll_negotiate();
  }

  TestPolicy policy_{{0x1301, 0x1303, 0x1302},
                     {0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601},
                     {crypto::group::x25519, crypto::group::secp256r1, crypto::group::secp384r1,
                      crypto::group::secp521r1}};
  DetProvider provider_;
  KeyLog log_;
  Connection client_ = Connection::new_client();
  Pipe in_, out_;
};

TEST_F(Rfc8448Client, FullTraceByteForByte) {
  auto r = handshake(kServerFlightRecord);
  ASSERT_TRUE(r.is_ready()) << (r.is_error() ? r.error().message() : "pending");
  // Exactly the trace's Finished record. No change_cipher_spec precedes it: with the trace's
  // empty legacy_session_id the client is not in middlebox compatibility mode (RFC 8446 D.4).
  EXPECT_EQ(to_hex(out_.take()), kClientFinishedRecord);

  EXPECT_EQ(log_.get("CLIENT_HANDSHAKE_TRAFFIC_SECRET"), kClientHsTraffic);
  EXPECT_EQ(log_.get("SERVER_HANDSHAKE_TRAFFIC_SECRET"), kServerHsTraffic);
  EXPECT_EQ(log_.get("CLIENT_TRAFFIC_SECRET_0"), kClientApTraffic);
  EXPECT_EQ(log_.get("SERVER_TRAFFIC_SECRET_0"), kServerApTraffic);
  EXPECT_EQ(log_.get("EXPORTER_SECRET"), kExporterMaster);
  EXPECT_EQ(log_.randoms.size(), 5u);
  for (const std::string& rnd : log_.randoms) EXPECT_EQ(rnd, trace_client_random());
  EXPECT_EQ(to_hex(client_.state().neg.exporter_secret.view()), kExporterMaster);
  EXPECT_EQ(to_hex(client_.state().neg.resumption_secret.view()), kResumptionMaster);

  EXPECT_EQ(*client_.cipher_suite(), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(*client_.selected_curve(), "x25519");
  ASSERT_TRUE(client_.signature_scheme().has_value());
  EXPECT_EQ(*client_.signature_scheme(), "rsa_pss_rsae_sha256");
  auto chain = client_.peer_cert_chain();
  ASSERT_TRUE(chain.ok());
  ASSERT_EQ(chain->len(), 1u);
  const Bytes der = server_certificate_der();
  EXPECT_EQ(to_hex(ByteView((*chain)[0].der())), to_hex(der));

  // The server's NewSessionTicket (its first record under the application key) is accepted
  // and yields no data.
  uint8_t buf[256];
  in_.push(unhex(kNewSessionTicketRecord));
  auto t = client_.poll_recv(buf);
  ASSERT_TRUE(t.is_pending()) << (t.is_error() ? t.error().message() : "ready");
  EXPECT_EQ(t.blocked(), Blocked::OnRead);
  EXPECT_TRUE(out_.bytes.empty());

  // The server's application data.
  in_.push(unhex(kServerAppDataRecord));
  auto d = client_.poll_recv(buf);
  ASSERT_TRUE(d.is_ready()) << (d.is_error() ? d.error().message() : "pending");
  EXPECT_EQ(to_hex(ByteView(buf, d.value())), to_hex(app_data()));

  // The client's application data: the trace's record.
  const Bytes data = app_data();
  auto s = client_.poll_send(data);
  ASSERT_TRUE(s.is_ready());
  EXPECT_EQ(s.value(), data.size());
  EXPECT_EQ(to_hex(out_.take()), kClientAppDataRecord);

  // close_notify both ways: the trace's alert records.
  auto c = client_.poll_shutdown_send();
  ASSERT_TRUE(c.is_ready());
  EXPECT_EQ(to_hex(out_.take()), kClientAlertRecord);
  in_.push(unhex(kServerAlertRecord));
  auto e = client_.poll_recv(buf);
  ASSERT_TRUE(e.is_ready()) << (e.is_error() ? e.error().message() : "pending");
  EXPECT_EQ(e.value(), 0u);
}

TEST_F(Rfc8448Client, ServerRecordsOneByteAtATime) {
  auto r = client_.poll_negotiate();
  ASSERT_TRUE(r.is_pending());
  EXPECT_EQ(to_hex(out_.take()), kClientHelloRecord);
  const Bytes server = concat({unhex(kServerHelloRecord), unhex(kServerFlightRecord)});
  for (size_t i = 0; i < server.size(); ++i) {
    ASSERT_TRUE(r.is_pending()) << "ready before byte " << i;
    in_.push(ByteView(server).subspan(i, 1));
    r = client_.poll_negotiate();
    ASSERT_FALSE(r.is_error()) << "at byte " << i << ": " << r.error().message();
  }
  ASSERT_TRUE(r.is_ready());
  EXPECT_EQ(to_hex(out_.take()), kClientFinishedRecord);
}

TEST_F(Rfc8448Client, RejectsAlteredServerSignature) {
  // The trace's flight with one bit of the CertificateVerify signature flipped, re-sealed under
  // the trace's key: the records are well-formed, so only the signature check can catch it.
  Bytes flight = unhex(kServerFlight);
  const size_t sig =
      unhex(kEncryptedExtensions).size() + unhex(kCertificate).size() + kCertVerifySignatureOffset;
  flight[sig + 10] ^= 0x01;
  auto p = protection(kServerHsTraffic);
  auto r = handshake(seal_hex(*p, ContentType::handshake, flight));
  ASSERT_TRUE(r.is_error());
  // RFC 8446 4.4.3: a CertificateVerify that does not verify is a decrypt_error.
  ASSERT_TRUE(r.error().alert().has_value());
  EXPECT_EQ(*r.error().alert(), 51);
  // No Finished: the only output after the ClientHello is the alert, in one protected record.
  std::vector<Bytes> out = split_records(out_.take());
  ASSERT_EQ(out.size(), 1u);
  auto cp = protection(kClientHsTraffic);
  auto a = open_record(*cp, out[0]);
  // The alert goes out under the client's handshake key if it was installed by then, in the
  // clear otherwise; either way it must say decrypt_error.
  if (a.has_value()) {
    EXPECT_EQ(a->type, ContentType::alert);
    EXPECT_EQ(to_hex(a->plaintext), "0233");
  } else {
    EXPECT_EQ(to_hex(out[0]), "15030300020233");
  }
}

TEST_F(Rfc8448Client, RejectsAlteredServerFinished) {
  Bytes flight = unhex(kServerFlight);
  flight.back() ^= 0x80;
  auto p = protection(kServerHsTraffic);
  auto r = handshake(seal_hex(*p, ContentType::handshake, flight));
  ASSERT_TRUE(r.is_error());
  ASSERT_TRUE(r.error().alert().has_value());
  EXPECT_EQ(*r.error().alert(), 51);  // decrypt_error (RFC 8446 4.4.4)
}

}  // namespace
}  // namespace snr::kat
