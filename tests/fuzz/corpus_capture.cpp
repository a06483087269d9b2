// Records the seed corpora of tests/fuzz (run by make-corpus.sh, never by the build):
//
//   fuzz_corpus_capture selftalk OUTDIR
//       In-memory handshakes between the fuzz targets' own client/server (same configuration
//       and deterministic provider as fuzz_client / fuzz_server) and snr peers of many
//       versions, suites and certificates. Writes the peer's byte stream as a whole-connection
//       seed, every handshake message (TLS 1.3 ones decrypted through the peer's key log) as
//       message, hello and extension seeds, and record-layer seeds.
//   fuzz_corpus_capture selftalk-null OUTDIR
//       The same with null crypto on both sides (NullFuzzProvider): snr clients against the
//       server_null server and snr servers against the client_null client; the peer's stream
//       (for server_null behind the config byte) is the seed. TLS 1.3 peers also send a
//       KeyUpdate and more data after the handshake.
//   fuzz_corpus_capture serve PORT FILE
//       The fuzz server on 127.0.0.1:PORT for one connection (e.g. from openssl s_client);
//       echoes application data; writes what the client sent to FILE.
//   fuzz_corpus_capture connect PORT FILE
//       The fuzz client against 127.0.0.1:PORT; sends "ping\n", reads until the server stops;
//       writes what the server sent to FILE.
//   fuzz_corpus_capture split OUTDIR NAME FILE
//       The plaintext handshake messages of a recorded stream (no keys: hellos and TLS 1.2
//       flights only) into the message, hello and extension corpora, named NAME-*.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/connection_state.hpp"
#include "fuzz_common.hpp"
#include "msg/messages.hpp"
#include "msg/messages12.hpp"
#include "policy/policy_data.hpp"
#include "policy/registry.hpp"
#include "record/record_layer.hpp"

namespace snr::fuzz {
namespace {

using msg::HandshakeType;

// ---- output ----

class Corpus {
 public:
  explicit Corpus(std::filesystem::path root) : root_(std::move(root)) {}

  // Writes OUTDIR/target/name unless the same bytes are already in that target's corpus.
  void add(const std::string& target, const std::string& name, ByteView data) {
    const std::filesystem::path dir = root_ / target;
    if (!seen_.count(target)) {
      std::filesystem::create_directories(dir);
      for (const auto& e : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(e.path(), std::ios::binary);
        seen_[target].insert(
            Bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()});
      }
    }
    Bytes bytes(data.begin(), data.end());
    if (!seen_[target].insert(bytes).second) return;
    std::string file = name;
    for (int i = 2; std::filesystem::exists(dir / file); ++i) file = name + "-" + std::to_string(i);
    std::ofstream out(dir / file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    std::printf("  %s/%s (%zu bytes)\n", target.c_str(), file.c_str(), bytes.size());
  }

 private:
  std::filesystem::path root_;
  std::map<std::string, std::set<Bytes>> seen_;
};

Bytes with_prefix(uint8_t first, ByteView rest) {
  Bytes out{first};
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

// ---- transcript decoding ----

Bytes unhex(std::string_view s) {
  Bytes out;
  for (size_t i = 0; i + 1 < s.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// NSS key-log lines: LABEL <client_random> <secret>.
std::map<std::string, Bytes> parse_key_log(const std::vector<std::string>& lines) {
  std::map<std::string, Bytes> out;
  for (const std::string& line : lines) {
    const size_t a = line.find(' ');
    const size_t b = line.find(' ', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    out[line.substr(0, a)] = unhex(std::string_view(line).substr(b + 1));
  }
  return out;
}

struct Negotiated {
  Version version = Version::Unknown;
  const policy::CipherSuite* suite = nullptr;
};

// What a ServerHello says was negotiated.
Negotiated negotiated(const msg::ServerHello& sh) {
  Negotiated n;
  const uint16_t v =
      sh.ext.has(msg::ext::supported_versions) ? sh.ext.selected_version : sh.legacy_version;
  n.version = v == msg::version::TLS13   ? Version::TLS13
              : v == msg::version::TLS12 ? Version::TLS12
              : v == msg::version::TLS11 ? Version::TLS11
                                         : Version::TLS10;
  n.suite = policy::find_suite(sh.cipher_suite);
  return n;
}

// The handshake messages (header included) of one direction's stream. TLS 1.3 records are
// decrypted with the handshake secret, then the application secret after this side's
// Finished; without secrets (or in TLS 1.2 after ChangeCipherSpec) the rest is skipped.
std::vector<Bytes> handshake_messages(ByteView stream, const Negotiated& n, ByteView hs_secret,
                                      ByteView app_secret) {
  std::vector<Bytes> out;
  Bytes pending;
  std::unique_ptr<record::Protection13> prot;
  bool app = false;
  auto take_messages = [&] {
    while (pending.size() >= 4) {
      const size_t len = (size_t{pending[1]} << 16) | (size_t{pending[2]} << 8) | pending[3];
      if (pending.size() < 4 + len) return;
      out.emplace_back(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(4 + len));
      const bool finished = pending[0] == static_cast<uint8_t>(HandshakeType::finished);
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(4 + len));
      if (finished && !app && !app_secret.empty() && n.suite != nullptr) {
        auto p = record::Protection13::create(n.suite->aead(), n.suite->hash, app_secret);
        prot = p.ok() ? std::move(*p) : nullptr;
        app = true;
      }
    }
  };
  size_t at = 0;
  while (at + record::kHeaderSize <= stream.size()) {
    const uint8_t type = stream[at];
    const size_t len = (size_t{stream[at + 3]} << 8) | stream[at + 4];
    if (at + record::kHeaderSize + len > stream.size()) break;
    Bytes header(stream.begin() + static_cast<std::ptrdiff_t>(at),
                 stream.begin() + static_cast<std::ptrdiff_t>(at + record::kHeaderSize));
    Bytes body(stream.begin() + static_cast<std::ptrdiff_t>(at + record::kHeaderSize),
               stream.begin() + static_cast<std::ptrdiff_t>(at + record::kHeaderSize + len));
    at += record::kHeaderSize + len;
    if (type == static_cast<uint8_t>(msg::ContentType::handshake)) {
      pending.insert(pending.end(), body.begin(), body.end());
      take_messages();
    } else if (type == static_cast<uint8_t>(msg::ContentType::change_cipher_spec)) {
      if (n.version != Version::TLS13) break;
    } else if (type == static_cast<uint8_t>(msg::ContentType::application_data)) {
      if (n.version != Version::TLS13 || n.suite == nullptr || hs_secret.empty()) break;
      if (!prot && !app) {
        auto p = record::Protection13::create(n.suite->aead(), n.suite->hash, hs_secret);
        if (!p.ok()) break;
        prot = std::move(*p);
      }
      if (!prot) break;
      msg::ContentType inner{};
      auto r = prot->open(header, body, inner);
      if (!r.ok()) break;
      if (inner == msg::ContentType::handshake) {
        pending.insert(pending.end(), body.begin(), body.begin() + static_cast<std::ptrdiff_t>(*r));
        take_messages();
      }
    }
  }
  return out;
}

std::string message_name(uint8_t type) {
  switch (static_cast<HandshakeType>(type)) {
    case HandshakeType::client_hello:
      return "client_hello";
    case HandshakeType::server_hello:
      return "server_hello";
    case HandshakeType::new_session_ticket:
      return "new_session_ticket";
    case HandshakeType::encrypted_extensions:
      return "encrypted_extensions";
    case HandshakeType::certificate:
      return "certificate";
    case HandshakeType::server_key_exchange:
      return "server_key_exchange";
    case HandshakeType::certificate_request:
      return "certificate_request";
    case HandshakeType::server_hello_done:
      return "server_hello_done";
    case HandshakeType::certificate_verify:
      return "certificate_verify";
    case HandshakeType::client_key_exchange:
      return "client_key_exchange";
    case HandshakeType::finished:
      return "finished";
    case HandshakeType::key_update:
      return "key_update";
    default:
      return "type" + std::to_string(type);
  }
}

// The fuzz_messages selector for a message (see kParsers there); -1: none.
int selector(uint8_t type, const Negotiated& n) {
  const bool tls13 = n.version == Version::TLS13;
  const bool with_scheme = n.version == Version::TLS12;
  const policy::KeyExchange kx = n.suite ? n.suite->kx : policy::KeyExchange::ECDHE;
  switch (static_cast<HandshakeType>(type)) {
    case HandshakeType::client_hello:
      return 0;
    case HandshakeType::server_hello:
      return 1;
    case HandshakeType::encrypted_extensions:
      return 2;
    case HandshakeType::certificate:
      return tls13 ? 3 : 9;
    case HandshakeType::certificate_request:
      return 4;
    case HandshakeType::certificate_verify:
      return 5;
    case HandshakeType::finished:
      return 6;
    case HandshakeType::new_session_ticket:
      return 7;
    case HandshakeType::key_update:
      return 8;
    case HandshakeType::server_key_exchange:
      if (kx == policy::KeyExchange::DHE) return with_scheme ? 12 : 13;
      return with_scheme ? 10 : 11;
    case HandshakeType::server_hello_done:
      return 15;
    case HandshakeType::client_key_exchange:
      return kx == policy::KeyExchange::DHE ? 17 : kx == policy::KeyExchange::RSA ? 18 : 16;
    default:
      return -1;
  }
}

// Message, hello and extension seeds from a list of messages.
void add_messages(Corpus& corpus, const std::string& name, const std::vector<Bytes>& messages,
                  const Negotiated& n) {
  for (const Bytes& m : messages) {
    const uint8_t type = m[0];
    const ByteView body = ByteView(m).subspan(4);
    const std::string base = name + "-" + message_name(type);
    const int sel = selector(type, n);
    if (sel >= 0) corpus.add("messages", base, with_prefix(static_cast<uint8_t>(sel), body));
    Bytes block;
    msg::Where where{};
    bool has_ext = true;
    switch (static_cast<HandshakeType>(type)) {
      case HandshakeType::client_hello: {
        corpus.add("client_hello", name, body);
        auto ch = msg::parse_client_hello(body);
        if (ch.ok()) msg::write_extensions(ch->ext, where = msg::Where::ClientHello, block);
        break;
      }
      case HandshakeType::server_hello: {
        corpus.add("server_hello", name, body);
        auto sh = msg::parse_server_hello(body);
        if (!sh.ok()) break;
        where =
            sh->is_hello_retry_request() ? msg::Where::HelloRetryRequest : msg::Where::ServerHello;
        msg::write_extensions(sh->ext, where, block);
        break;
      }
      case HandshakeType::encrypted_extensions: {
        auto ee = msg::parse_encrypted_extensions(body);
        if (ee.ok()) msg::write_extensions(ee->ext, where = msg::Where::EncryptedExtensions, block);
        break;
      }
      default:
        has_ext = false;
    }
    if (has_ext && !block.empty())
      corpus.add("extensions", base, with_prefix(static_cast<uint8_t>(where), block));
  }
}

// The negotiated parameters of a connection from its server's stream.
Negotiated from_server_stream(ByteView s2c) {
  for (const Bytes& m : handshake_messages(s2c, Negotiated{}, {}, {})) {
    if (m[0] != static_cast<uint8_t>(HandshakeType::server_hello)) continue;
    auto sh = msg::parse_server_hello(ByteView(m).subspan(4));
    // After a HelloRetryRequest the real ServerHello follows.
    if (sh.ok() && !sh->is_hello_retry_request()) return negotiated(*sh);
  }
  return {};
}

// ---- in-memory connections ----

struct Stream {
  std::deque<uint8_t> queue;
  Bytes log;
  int write(const uint8_t* buf, uint32_t len) {
    queue.insert(queue.end(), buf, buf + len);
    log.insert(log.end(), buf, buf + len);
    return static_cast<int>(len);
  }
  int read(uint8_t* buf, uint32_t len) {
    if (queue.empty()) {
      errno = EAGAIN;
      return -1;
    }
    const size_t n = std::min<size_t>(len, queue.size());
    std::copy_n(queue.begin(), n, buf);
    queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(n));
    return static_cast<int>(n);
  }
};

const uint16_t kSchemes[] = {0x0403, 0x0503, 0x0603, 0x0807, 0x0804, 0x0805, 0x0806, 0x0809,
                             0x080a, 0x080b, 0x0401, 0x0501, 0x0601, 0x0201, 0x0203};
const uint16_t kAllGroups[] = {0x001d, 0x0017, 0x0018, 0x0019};

struct PeerPolicy {
  std::vector<uint16_t> suites;
  std::vector<uint16_t> groups;
  detail::PolicyData data;
  PeerPolicy(std::vector<uint16_t> s, std::vector<uint16_t> g)
      : suites(std::move(s)), groups(std::move(g)) {
    data = detail::PolicyData{"capture", Version::TLS10, suites, kSchemes, groups, {}};
  }
  Policy policy() const { return Policy(&data); }
};

struct Peer {
  std::string name;
  std::vector<uint16_t> suites;
  std::vector<uint16_t> groups;  // empty: all
  Version max_version;
  std::string cert;        // server peers: the chain file prefix ("rsa2048" -> rsa2048-cert.pem)
  std::string chain_file;  // overrides <cert>-cert.pem
};

struct Transcript {
  Bytes c2s, s2c;
  std::vector<std::string> key_log;
  bool ok = false;
};

bool handshake(Connection& a, Connection& b) {
  bool a_done = false, b_done = false;
  for (int i = 0; i < 1000 && !(a_done && b_done); ++i) {
    if (!a_done) {
      auto r = a.poll_negotiate();
      if (r.is_error()) {
        std::fprintf(stderr, "    handshake: %s\n", r.error().message().c_str());
        return false;
      }
      a_done = r.is_ready();
    }
    if (!b_done) {
      auto r = b.poll_negotiate();
      if (r.is_error()) {
        std::fprintf(stderr, "    handshake: %s\n", r.error().message().c_str());
        return false;
      }
      b_done = r.is_ready();
    }
  }
  return a_done && b_done;
}

// `from` sends `text`, `to` reads it.
bool exchange(Connection& from, Connection& to, std::string_view text) {
  auto s = from.poll_send(text);
  if (!s.is_ready() || s.value() != text.size()) return false;
  uint8_t buf[256];
  size_t got = 0;
  for (int i = 0; i < 100 && got < text.size(); ++i) {
    auto r = to.poll_recv(buf);
    if (r.is_error()) return false;
    if (r.is_ready()) got += r.value();
  }
  return got == text.size();
}

Transcript run(Connection& client, Connection& server) {
  Transcript t;
  auto c2s = std::make_shared<Stream>();
  auto s2c = std::make_shared<Stream>();
  (void)client.set_send_callback([c2s](const uint8_t* b, uint32_t n) { return c2s->write(b, n); });
  (void)client.set_receive_callback([s2c](uint8_t* b, uint32_t n) { return s2c->read(b, n); });
  (void)server.set_send_callback([s2c](const uint8_t* b, uint32_t n) { return s2c->write(b, n); });
  (void)server.set_receive_callback([c2s](uint8_t* b, uint32_t n) { return c2s->read(b, n); });
  t.ok = handshake(client, server) && exchange(client, server, "ping\n") &&
         exchange(server, client, "pong\n");
  if (t.ok) {
    // close_notify both ways.
    (void)client.poll_shutdown_send();
    uint8_t buf[16];
    (void)server.poll_recv(buf);
    (void)server.poll_shutdown_send();
    (void)client.poll_recv(buf);
  }
  t.c2s = c2s->log;
  t.s2c = s2c->log;
  return t;
}

Result<Config> peer_client_config(const PeerPolicy& pol, std::vector<std::string>& key_log) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  SNR_TRY(b.with_system_certs(false));
  SNR_TRY(b.set_security_policy(pol.policy()));
  SNR_TRY(b.trust_pem(read_data_file("ca-cert.pem")));
  SNR_TRY(b.set_wall_clock([] { return kFuzzClockNs; }));
  SNR_TRY(b.set_key_log_callback(
      [&key_log](const Connection&, std::string_view line) { key_log.emplace_back(line); }));
  return b.build();
}

Result<Config> peer_server_config(const PeerPolicy& pol, const Peer& peer,
                                  std::vector<std::string>& key_log) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));  // failures must not sleep
  SNR_TRY(b.with_system_certs(false));
  SNR_TRY(b.set_security_policy(pol.policy()));
  const std::string chain = peer.chain_file.empty() ? peer.cert + "-cert.pem" : peer.chain_file;
  SNR_TRY(b.load_pem(read_data_file(chain), read_data_file(peer.cert + "-key.pem")));
  SNR_TRY(b.add_dhparams(read_data_file("dhparams-ffdhe2048.pem")));
  SNR_TRY(b.set_key_log_callback(
      [&key_log](const Connection&, std::string_view line) { key_log.emplace_back(line); }));
  return b.build();
}

// Message seeds of both directions, TLS 1.3 ones decrypted with the key log.
void add_transcript_messages(Corpus& corpus, const std::string& name, const Transcript& t) {
  const Negotiated n = from_server_stream(t.s2c);
  auto keys = parse_key_log(t.key_log);
  add_messages(corpus, name + "-c",
               handshake_messages(t.c2s, n, keys["CLIENT_HANDSHAKE_TRAFFIC_SECRET"],
                                  keys["CLIENT_TRAFFIC_SECRET_0"]),
               n);
  add_messages(corpus, name + "-s",
               handshake_messages(t.s2c, n, keys["SERVER_HANDSHAKE_TRAFFIC_SECRET"],
                                  keys["SERVER_TRAFFIC_SECRET_0"]),
               n);
}

// The fuzz server against snr clients: the client streams are `server` seeds.
void capture_server_side(Corpus& corpus) {
  const std::vector<Peer> peers = {
      {"tls13-aes128-x25519", {0x1301}, {0x001d}, Version::TLS13, "", ""},
      {"tls13-aes256-p256", {0x1302}, {0x0017}, Version::TLS13, "", ""},
      {"tls13-chacha-p384", {0x1303}, {0x0018}, Version::TLS13, "", ""},
      {"tls13-p521", {0x1301, 0x1302, 0x1303}, {0x0019}, Version::TLS13, "", ""},
      {"tls12-ecdsa-gcm", {0xC02B}, {}, Version::TLS12, "", ""},
      {"tls12-ecdsa-aes256-sha384", {0xC024}, {0x0018}, Version::TLS12, "", ""},
      {"tls12-ecdsa-chacha", {0xCCA9}, {}, Version::TLS12, "", ""},
      {"tls11-ecdsa-cbc", {0xC009}, {}, Version::TLS11, "", ""},
      {"tls10-ecdsa-cbc", {0xC00A}, {0x0017}, Version::TLS10, "", ""},
  };
  auto server_cfg = fuzz_server_config();
  if (!server_cfg.ok()) {
    std::fprintf(stderr, "fuzz server config: %s\n", server_cfg.error().message().c_str());
    std::exit(1);
  }
  for (const Peer& peer : peers) {
    std::printf("server <- %s\n", peer.name.c_str());
    PeerPolicy pol(peer.suites, peer.groups.empty() ? std::vector<uint16_t>(std::begin(kAllGroups),
                                                                            std::end(kAllGroups))
                                                    : peer.groups);
    Transcript t;
    auto client_cfg = peer_client_config(pol, t.key_log);
    if (!client_cfg.ok()) continue;
    Connection client(Mode::Client), server(Mode::Server);
    FuzzProvider provider;
    (void)client.set_config(*client_cfg);
    (void)client.set_server_name(kFuzzServerName);
    client.state().test_max_version = peer.max_version;
    (void)server.set_config(*server_cfg);
    server.state().provider = &provider;
    Transcript r = run(client, server);
    if (!r.ok) {
      std::fprintf(stderr, "  %s: no complete handshake, skipped\n", peer.name.c_str());
      continue;
    }
    t.c2s = std::move(r.c2s);
    t.s2c = std::move(r.s2c);
    corpus.add("server", peer.name, t.c2s);
    add_transcript_messages(corpus, peer.name, t);
  }
}

// The fuzz client against snr servers: the server streams are `client` seeds.
void capture_client_side(Corpus& corpus) {
  const std::vector<Peer> peers = {
      {"tls13-ecdsa-p256", {0x1301}, {}, Version::TLS13, "ecdsa-p256", ""},
      {"tls13-rsa-pss", {0x1302}, {}, Version::TLS13, "rsa2048", ""},
      {"tls13-ed25519-chacha", {0x1303}, {}, Version::TLS13, "ed25519", ""},
      {"tls13-hrr-p384", {0x1301}, {0x0018}, Version::TLS13, "ecdsa-p384", ""},
      {"tls13-intermediate", {0x1301}, {}, Version::TLS13, "int-leaf", "int-leaf-chain.pem"},
      {"tls12-ecdhe-ecdsa-gcm", {0xC02B}, {}, Version::TLS12, "ecdsa-p256", ""},
      {"tls12-ecdhe-rsa-aes256-sha384", {0xC028}, {0x0017}, Version::TLS12, "rsa2048", ""},
      {"tls12-dhe-rsa-gcm", {0x009E}, {}, Version::TLS12, "rsa2048", ""},
      {"tls12-rsa-kx-gcm", {0x009C}, {}, Version::TLS12, "rsa2048", ""},
      {"tls11-ecdhe-rsa-cbc", {0xC013}, {}, Version::TLS11, "rsa2048", ""},
      {"tls10-rsa-kx-cbc", {0x0035}, {}, Version::TLS10, "rsa2048", ""},
  };
  auto client_cfg = fuzz_client_config();
  if (!client_cfg.ok()) {
    std::fprintf(stderr, "fuzz client config: %s\n", client_cfg.error().message().c_str());
    std::exit(1);
  }
  for (const Peer& peer : peers) {
    std::printf("client <- %s\n", peer.name.c_str());
    PeerPolicy pol(peer.suites, peer.groups.empty() ? std::vector<uint16_t>(std::begin(kAllGroups),
                                                                            std::end(kAllGroups))
                                                    : peer.groups);
    Transcript t;
    auto server_cfg = peer_server_config(pol, peer, t.key_log);
    if (!server_cfg.ok()) {
      std::fprintf(stderr, "  %s: %s\n", peer.name.c_str(), server_cfg.error().message().c_str());
      continue;
    }
    Connection client(Mode::Client), server(Mode::Server);
    FuzzProvider provider;
    (void)client.set_config(*client_cfg);
    (void)client.set_server_name(kFuzzServerName);
    client.state().provider = &provider;
    (void)server.set_config(*server_cfg);
    server.state().test_max_version = peer.max_version;
    Transcript r = run(client, server);
    if (!r.ok) {
      std::fprintf(stderr, "  %s: no complete handshake, skipped\n", peer.name.c_str());
      continue;
    }
    t.c2s = std::move(r.c2s);
    t.s2c = std::move(r.s2c);
    corpus.add("client", peer.name, t.s2c);
    add_transcript_messages(corpus, peer.name, t);
  }
}

// Messages snr's own handshakes never carry, built from their structs.
void add_synthetic_messages(Corpus& corpus) {
  const Negotiated tls13{Version::TLS13, policy::find_suite(0x1301)};
  std::vector<Bytes> messages;
  auto add = [&](const auto& m) {
    Bytes out;
    if (msg::serialize(m, out).ok()) messages.push_back(std::move(out));
  };
  msg::NewSessionTicket nst;
  nst.lifetime = 7200;
  nst.age_add = 0x01020304;
  nst.nonce = {0};
  nst.ticket = Bytes(48, 0xA5);
  nst.ext.add(msg::ext::early_data);
  nst.ext.unknown.push_back({msg::ext::early_data, {0, 0, 0x40, 0}});
  add(nst);
  add(msg::KeyUpdate{0});
  add(msg::KeyUpdate{1});
  msg::CertificateRequest cr;
  cr.ext.add(msg::ext::signature_algorithms);
  cr.ext.signature_algorithms = {0x0403, 0x0804, 0x0401};
  cr.ext.add(msg::ext::certificate_authorities);
  cr.ext.unknown.push_back({msg::ext::certificate_authorities, {0, 4, 0, 2, 0x30, 0}});
  add(cr);
  msg::ServerHello hrr;
  std::copy(std::begin(msg::kHelloRetryRandom), std::end(msg::kHelloRetryRandom),
            hrr.random.begin());
  hrr.cipher_suite = 0x1301;
  hrr.ext.add(msg::ext::supported_versions);
  hrr.ext.selected_version = msg::version::TLS13;
  hrr.ext.add(msg::ext::key_share);
  hrr.ext.hrr_group = 0x0017;
  hrr.ext.add(msg::ext::cookie);
  hrr.ext.cookie = Bytes(16, 0xC0);
  add(hrr);
  add_messages(corpus, "synthetic", messages, tls13);
  // The TLS 1.0/1.1 ServerKeyExchange without a scheme and a DHE one.
  msg::ServerKeyExchange ske;
  ske.kind = msg::KxKind::DHE;
  ske.dh_p = Bytes(32, 0xFF);
  ske.dh_g = {2};
  ske.dh_ys = Bytes(32, 0x17);
  ske.signature = Bytes(64, 0x5A);
  Bytes out;
  if (msg::serialize(ske, out).ok())
    corpus.add("messages", "synthetic-dhe-ske-tls10", with_prefix(13, ByteView(out).subspan(4)));
}

// Record-layer seeds in fuzz_record's input format.
void add_record_seeds(Corpus& corpus, const Transcript& sample) {
  auto op = [](Bytes& out, uint8_t kind, uint8_t type, ByteView data) {
    out.push_back(kind);
    out.push_back(type);
    out.push_back(static_cast<uint8_t>(data.size() >> 8));
    out.push_back(static_cast<uint8_t>(data.size()));
    out.insert(out.end(), data.begin(), data.end());
  };
  const Bytes hello = {1, 0, 0, 4, 3, 3, 0, 0};
  const Bytes app(300, 'a');
  const Bytes alert = {1, 0};
  const char* names[] = {"plain",         "tls13-aes128gcm",  "tls13-chacha",
                         "tls12-cbc-sha", "tls12-cbc-sha384", "tls10-cbc-chained",
                         "tls12-gcm"};
  for (uint8_t mode = 0; mode < 7; ++mode) {
    Bytes seed = {mode, 0};
    op(seed, 1, 2, hello);                  // handshake (20 + 2)
    op(seed, 1, 3, app);                    // application data
    op(seed, 1, 0, Bytes{1});               // change_cipher_spec
    Bytes inner = {'h', 'i', 23, 0, 0, 0};  // TLS 1.3: content, type, padding
    op(seed, 2, 23, inner);
    Bytes padded = {7, 0x00, 'x', 'y', 'z'};  // CBC: 7 padding bytes, uncorrupted
    op(seed, 3, 3, padded);
    op(seed, 1, 1, alert);
    corpus.add("record", names[mode], seed);
    // The same, handed over three bytes at a time.
    seed[1] = 3;
    corpus.add("record", std::string(names[mode]) + "-step3", seed);
  }
  // A whole unprotected transcript as raw bytes.
  Bytes raw = {0, 0};
  op(raw, 0, 0, ByteView(sample.c2s).first(std::min<size_t>(sample.c2s.size(), 2000)));
  corpus.add("record", "plain-raw-transcript", raw);
}

int selftalk(const std::string& outdir) {
  Corpus corpus(outdir);
  capture_server_side(corpus);
  capture_client_side(corpus);
  add_synthetic_messages(corpus);
  Transcript sample;
  {
    const std::filesystem::path p = std::filesystem::path(outdir) / "server" / "tls12-ecdsa-gcm";
    std::ifstream in(p, std::ios::binary);
    sample.c2s = Bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  add_record_seeds(corpus, sample);
  return 0;
}

// ---- null crypto (server_null, client_null) ----

// What the null-crypto captures vary besides version, suites and groups.
struct NullPeer {
  std::string name;
  std::vector<uint16_t> suites;
  std::vector<uint16_t> groups;  // empty: all
  Version max_version;
  std::string cert;          // the server's certificate (server_null: "rsa2048" or P-256)
  bool client_auth = false;  // a CertificateRequest, answered with a certificate
  bool resume = false;       // a second handshake resuming the first one's ticket
};

// Like run(), and once the data went both ways in TLS 1.3 the non-fuzzed peer sends a
// KeyUpdate (update_requested) and more data, so the seed covers post-handshake input.
Transcript run_null(Connection& client, Connection& server, bool fuzzed_is_server) {
  Transcript t;
  auto c2s = std::make_shared<Stream>();
  auto s2c = std::make_shared<Stream>();
  (void)client.set_send_callback([c2s](const uint8_t* b, uint32_t n) { return c2s->write(b, n); });
  (void)client.set_receive_callback([s2c](uint8_t* b, uint32_t n) { return s2c->read(b, n); });
  (void)server.set_send_callback([s2c](const uint8_t* b, uint32_t n) { return s2c->write(b, n); });
  (void)server.set_receive_callback([c2s](uint8_t* b, uint32_t n) { return c2s->read(b, n); });
  t.ok = handshake(client, server) && exchange(client, server, "ping\n") &&
         exchange(server, client, "pong\n");
  Connection& peer = fuzzed_is_server ? client : server;
  Connection& fuzzed = fuzzed_is_server ? server : client;
  if (t.ok && *peer.actual_protocol_version() == Version::TLS13) {
    t.ok = peer.request_key_update(PeerKeyUpdate::KeyUpdatedRequested).ok() &&
           exchange(peer, fuzzed, "after key update\n");
  }
  if (t.ok) {
    (void)client.poll_shutdown_send();
    uint8_t buf[16];
    (void)server.poll_recv(buf);
    (void)server.poll_shutdown_send();
    (void)client.poll_recv(buf);
  }
  t.c2s = c2s->log;
  t.s2c = s2c->log;
  return t;
}

Result<Config> null_peer_client_config(const PeerPolicy& pol, bool client_auth,
                                       std::vector<Bytes>& tickets) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));
  SNR_TRY(b.with_system_certs(false));
  SNR_TRY(b.set_security_policy(pol.policy()));
  SNR_TRY(b.set_wall_clock([] { return kFuzzClockNs; }));
  SNR_TRY(b.disable_x509_verification());
  if (client_auth) {
    SNR_TRY(
        b.load_pem(read_data_file("ecdsa-p384-cert.pem"), read_data_file("ecdsa-p384-key.pem")));
    SNR_TRY(b.set_client_auth_type(ClientAuthType::Optional));
  }
  SNR_TRY(b.set_session_ticket_callback([&tickets](Connection&, const SessionTicket& st) {
    tickets.emplace_back(st.data.begin(), st.data.end());
  }));
  return b.build();
}

Result<Config> null_peer_server_config(const PeerPolicy& pol, const NullPeer& peer) {
  auto b = Config::builder();
  (void)b.set_max_blinding_delay(std::chrono::seconds(0));
  SNR_TRY(b.with_system_certs(false));
  SNR_TRY(b.set_security_policy(pol.policy()));
  SNR_TRY(b.set_wall_clock([] { return kFuzzClockNs; }));
  SNR_TRY(
      b.load_pem(read_data_file(peer.cert + "-cert.pem"), read_data_file(peer.cert + "-key.pem")));
  SNR_TRY(b.add_dhparams(read_data_file("dhparams-ffdhe2048.pem")));
  SNR_TRY(b.disable_x509_verification());
  static const uint8_t kName[] = {'p', 'e', 'e', 'r'};
  static const uint8_t kKey[32] = {0x70, 0x65, 0x65, 0x72};
  SNR_TRY(
      b.add_session_ticket_key(kName, kKey,
                               std::chrono::system_clock::time_point(
                                   std::chrono::duration_cast<std::chrono::system_clock::duration>(
                                       std::chrono::nanoseconds(kFuzzClockNs)))));
  if (peer.client_auth) SNR_TRY(b.set_client_auth_type(ClientAuthType::Optional));
  return b.build();
}

std::vector<uint16_t> groups_or_all(const std::vector<uint16_t>& g) {
  return g.empty() ? std::vector<uint16_t>(std::begin(kAllGroups), std::end(kAllGroups)) : g;
}

void report(const std::string& name, Connection& fuzzed) {
  auto type = fuzzed.handshake_type();
  auto suite = fuzzed.cipher_suite();
  std::printf("  %s: %s, %s\n", name.c_str(), suite.ok() ? std::string(*suite).c_str() : "?",
              type.ok() ? std::string(*type).c_str() : "?");
}

// snr clients (NullFuzzProvider) against the server_null server: the client streams, behind
// the target's config byte, are `server_null` seeds.
void capture_server_null(Corpus& corpus) {
  const std::vector<NullPeer> peers = {
      {"tls13-aes128-x25519", {0x1301}, {0x001d}, Version::TLS13, "", false, false},
      {"tls13-aes256-p256", {0x1302}, {0x0017}, Version::TLS13, "", false, false},
      {"tls13-chacha-p384", {0x1303}, {0x0018}, Version::TLS13, "", false, false},
      {"tls13-p521", {0x1301}, {0x0019}, Version::TLS13, "", false, false},
      // Two groups offered, the share for the first (the server accepts it: no HRR).
      {"tls13-p521-x25519", {0x1301}, {0x0019, 0x001d}, Version::TLS13, "", false, false},
      {"tls13-client-auth", {0x1301}, {}, Version::TLS13, "", true, false},
      {"tls13-resume", {0x1301}, {0x001d}, Version::TLS13, "", false, true},
      {"tls12-ecdhe-gcm", {0xC02B}, {}, Version::TLS12, "", false, false},
      {"tls12-ecdhe-cbc-sha384", {0xC024}, {0x0018}, Version::TLS12, "", false, false},
      {"tls12-ecdhe-chacha", {0xCCA9}, {}, Version::TLS12, "", false, false},
      {"tls12-rsa-kx-gcm", {0x009C}, {}, Version::TLS12, "rsa2048", false, false},
      {"tls12-rsa-kx-cbc", {0x002F}, {}, Version::TLS12, "rsa2048", false, false},
      {"tls12-dhe-rsa-gcm", {0x009E}, {}, Version::TLS12, "rsa2048", false, false},
      {"tls12-client-auth", {0xC02B}, {}, Version::TLS12, "", true, false},
      {"tls12-resume", {0xC02B}, {}, Version::TLS12, "", false, true},
      {"tls11-ecdhe-cbc", {0xC009}, {}, Version::TLS11, "", false, false},
      {"tls10-rsa-kx-cbc", {0x0035}, {}, Version::TLS10, "rsa2048", false, false},
  };
  for (const NullPeer& peer : peers) {
    const bool rsa = peer.cert == "rsa2048";
    auto server_cfg = fuzz_server_null_config(peer.client_auth, rsa);
    if (!server_cfg.ok()) {
      std::fprintf(stderr, "server_null config: %s\n", server_cfg.error().message().c_str());
      std::exit(1);
    }
    PeerPolicy pol(peer.suites, groups_or_all(peer.groups));
    std::vector<Bytes> tickets;
    auto client_cfg = null_peer_client_config(pol, peer.client_auth, tickets);
    if (!client_cfg.ok()) {
      std::fprintf(stderr, "  %s: %s\n", peer.name.c_str(), client_cfg.error().message().c_str());
      continue;
    }
    Transcript r;
    for (int round = 0; round < (peer.resume ? 2 : 1); ++round) {
      Connection client(Mode::Client), server(Mode::Server);
      NullFuzzProvider client_provider, server_provider;
      (void)client.set_config(*client_cfg);
      (void)client.set_server_name(kFuzzServerName);
      client.state().provider = &client_provider;
      client.state().test_max_version = peer.max_version;
      if (round == 1) {
        if (tickets.empty()) break;
        (void)client.set_session_ticket(tickets.back());
      }
      (void)server.set_config(*server_cfg);
      server.state().provider = &server_provider;
      r = run_null(client, server, true);
      if (r.ok) report(peer.name, server);
    }
    if (!r.ok) {
      std::fprintf(stderr, "  %s: no complete handshake, skipped\n", peer.name.c_str());
      continue;
    }
    const uint8_t variant = static_cast<uint8_t>((peer.client_auth ? 1 : 0) | (rsa ? 2 : 0));
    corpus.add("server_null", peer.name, with_prefix(variant, r.c2s));
  }
}

// snr servers (NullFuzzProvider) against the client_null client: the server streams are
// `client_null` seeds.
void capture_client_null(Corpus& corpus) {
  const std::vector<NullPeer> peers = {
      {"tls13-ecdsa-p256", {0x1301}, {}, Version::TLS13, "ecdsa-p256", false, false},
      {"tls13-rsa-pss-aes256", {0x1302}, {}, Version::TLS13, "rsa2048", false, false},
      {"tls13-ed25519-chacha", {0x1303}, {}, Version::TLS13, "ed25519", false, false},
      {"tls13-hrr-p384", {0x1301}, {0x0018}, Version::TLS13, "ecdsa-p384", false, false},
      {"tls13-client-auth", {0x1301}, {}, Version::TLS13, "ecdsa-p256", true, false},
      {"tls12-ecdhe-ecdsa-gcm", {0xC02B}, {}, Version::TLS12, "ecdsa-p256", false, false},
      {"tls12-ecdhe-rsa-cbc-sha384", {0xC028}, {0x0017}, Version::TLS12, "rsa2048", false, false},
      {"tls12-ecdhe-chacha", {0xCCA8}, {}, Version::TLS12, "rsa2048", false, false},
      {"tls12-dhe-rsa-gcm", {0x009E}, {}, Version::TLS12, "rsa2048", false, false},
      {"tls12-rsa-kx-gcm", {0x009C}, {}, Version::TLS12, "rsa2048", false, false},
      {"tls12-client-auth", {0xC02F}, {}, Version::TLS12, "rsa2048", true, false},
      {"tls11-ecdhe-rsa-cbc", {0xC013}, {}, Version::TLS11, "rsa2048", false, false},
      {"tls10-rsa-kx-cbc", {0x0035}, {}, Version::TLS10, "rsa2048", false, false},
  };
  auto client_cfg = fuzz_client_null_config();
  if (!client_cfg.ok()) {
    std::fprintf(stderr, "client_null config: %s\n", client_cfg.error().message().c_str());
    std::exit(1);
  }
  for (const NullPeer& peer : peers) {
    PeerPolicy pol(peer.suites, groups_or_all(peer.groups));
    auto server_cfg = null_peer_server_config(pol, peer);
    if (!server_cfg.ok()) {
      std::fprintf(stderr, "  %s: %s\n", peer.name.c_str(), server_cfg.error().message().c_str());
      continue;
    }
    Connection client(Mode::Client), server(Mode::Server);
    NullFuzzProvider client_provider, server_provider;
    (void)client.set_config(*client_cfg);
    (void)client.set_server_name(kFuzzServerName);
    client.state().provider = &client_provider;
    (void)server.set_config(*server_cfg);
    server.state().provider = &server_provider;
    server.state().test_max_version = peer.max_version;
    Transcript r = run_null(client, server, false);
    if (!r.ok) {
      std::fprintf(stderr, "  %s: no complete handshake, skipped\n", peer.name.c_str());
      continue;
    }
    report(peer.name, client);
    corpus.add("client_null", peer.name, r.s2c);
  }
}

int selftalk_null(const std::string& outdir) {
  Corpus corpus(outdir);
  capture_server_null(corpus);
  capture_client_null(corpus);
  return 0;
}

// ---- over TCP, against other implementations ----

int tcp_run(bool server_side, int port, const std::string& file) {
  int fd = -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (server_side) {
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(lfd, 1) != 0) {
      std::perror("listen");
      return 1;
    }
    std::printf("listening\n");
    std::fflush(stdout);
    fd = accept(lfd, nullptr, nullptr);
    close(lfd);
  } else {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      std::perror("connect");
      return 1;
    }
  }
  if (fd < 0) return 1;
  auto cfg = server_side ? fuzz_server_config() : fuzz_client_config();
  if (!cfg.ok()) return 1;
  Connection conn(server_side ? Mode::Server : Mode::Client);
  FuzzProvider provider;
  (void)conn.set_config(*cfg);
  conn.state().provider = &provider;
  if (!server_side) (void)conn.set_server_name(kFuzzServerName);
  Bytes received;
  (void)conn.set_receive_callback([&](uint8_t* buf, uint32_t len) {
    const ssize_t n = ::recv(fd, buf, len, 0);
    if (n > 0) received.insert(received.end(), buf, buf + n);
    return static_cast<int>(n);
  });
  (void)conn.set_send_callback([&](const uint8_t* buf, uint32_t len) {
    return static_cast<int>(::send(fd, buf, len, MSG_NOSIGNAL));
  });
  auto r = conn.poll_negotiate();
  if (!r.is_ready()) {
    std::fprintf(stderr, "handshake: %s\n", r.is_error() ? r.error().message().c_str() : "pending");
  } else {
    std::printf("negotiated %s %s\n", std::string(*conn.cipher_suite()).c_str(),
                std::string(*conn.handshake_type()).c_str());
    if (!server_side) (void)conn.poll_send(std::string_view("ping\n"));
    uint8_t buf[4096];
    for (int i = 0; i < 100; ++i) {
      auto rr = conn.poll_recv(buf);
      if (!rr.is_ready() || rr.value() == 0) break;
      if (server_side) {
        (void)conn.poll_send(std::span<const uint8_t>(buf, rr.value()));
      } else {
        // The peer has answered; close.
        break;
      }
    }
    (void)conn.poll_shutdown_send();
  }
  close(fd);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(received.data()),
            static_cast<std::streamsize>(received.size()));
  std::printf("%zu bytes -> %s\n", received.size(), file.c_str());
  return received.empty() ? 1 : 0;
}

int split(const std::string& outdir, const std::string& name, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  const Bytes stream{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  Corpus corpus(outdir);
  // A server's stream says what was negotiated; a client's stream says nothing more.
  add_messages(corpus, name, handshake_messages(stream, from_server_stream(stream), {}, {}),
               from_server_stream(stream));
  return 0;
}

}  // namespace
}  // namespace snr::fuzz

int main(int argc, char** argv) {
  using namespace snr::fuzz;
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "selftalk" && argc == 3) return selftalk(argv[2]);
  if (cmd == "selftalk-null" && argc == 3) return selftalk_null(argv[2]);
  if ((cmd == "serve" || cmd == "connect") && argc == 4)
    return tcp_run(cmd == "serve", std::atoi(argv[2]), argv[3]);
  if (cmd == "split" && argc == 5) return split(argv[2], argv[3], argv[4]);
  std::fprintf(
      stderr,
      "usage: %s selftalk OUTDIR | selftalk-null OUTDIR | serve PORT FILE | connect PORT FILE | "
      "split OUTDIR NAME FILE\n",
      argv[0]);
  return 2;
}
