// snr::Connection: the public surface over ConnectionState.
#include "snr/connection.hpp"

#include <algorithm>

#include "core/cert_policy.hpp"
#include "core/connection_state.hpp"
#include "hs/alpn.hpp"
#include "hs/psk_data.hpp"
#include "hs/shape.hpp"
#include "keys/prf12.hpp"
#include "policy/registry.hpp"
#include "resume/session_state.hpp"
#include "util/error_code.hpp"

namespace snr {

using detail::ConnectionState;

Connection::Connection(Mode mode) : s_(std::make_unique<ConnectionState>(mode)) {
  s_->owner = this;
}
Connection::Connection(Connection&& o) noexcept : s_(std::move(o.s_)) {
  if (s_) s_->owner = this;
}
Connection& Connection::operator=(Connection&& o) noexcept {
  s_ = std::move(o.s_);
  if (s_) s_->owner = this;
  return *this;
}
Connection::~Connection() = default;

Mode Connection::mode() const { return s_->mode; }

namespace {
// Setup calls are refused once the handshake has started.
Status setup_allowed(const ConnectionState& s) {
  SNR_ENSURE(!s.hs && !s.complete && !s.failed, Err::INVALID_STATE);
  return {};
}
}  // namespace

Status Connection::set_config(Config config) {
  // A policy set on the connection binds the new config's chains too (as s2n checks).
  if (s_->policy_override) SNR_TRY(detail::check_local_chains(*s_->policy_override, config.data()));
  // The client hello callback may swap the config mid-handshake (client_hello_callback.cpp).
  if (s_->in_client_hello_callback()) return s_->replace_config(std::move(config));
  SNR_TRY(setup_allowed(*s_));
  s_->config = std::move(config);
  return {};
}

Status Connection::set_security_policy(const Policy& policy) {
  SNR_TRY(setup_allowed(*s_));
  // s2n: a policy whose certificate rules apply locally refuses a config holding a chain
  // that breaks them (SECURITY_POLICY_INCOMPATIBLE_CERT).
  if (s_->config) SNR_TRY(detail::check_local_chains(policy.data(), s_->config->data()));
  s_->policy_override = &policy.data();
  return {};
}

Status Connection::set_server_name(std::string_view name) {
  SNR_TRY(setup_allowed(*s_));
  // RFC 6066 3: a HostName is at most 255 bytes, without NUL.
  SNR_ENSURE(!name.empty() && name.size() <= 255 && name.find('\0') == std::string_view::npos,
             Err::INVALID_SERVER_NAME);
  s_->server_name = std::string(name);
  return {};
}

Status Connection::set_verify_host_callback(VerifyHostNameCallback cb) {
  s_->verify_host = std::move(cb);
  return {};
}

Status Connection::set_application_protocol_preference(
    std::span<const std::string_view> protocols) {
  SNR_TRY(setup_allowed(*s_));
  std::vector<Bytes> list;
  for (std::string_view p : protocols) {
    SNR_TRY(hs::check_protocol_name(p));
    list.emplace_back(p.begin(), p.end());
  }
  s_->alpn = std::move(list);
  return {};
}

Status Connection::append_application_protocol_preference(std::string_view protocol) {
  SNR_TRY(setup_allowed(*s_));
  SNR_TRY(hs::check_protocol_name(protocol));
  if (!s_->alpn) s_->alpn = s_->config ? s_->config->data().alpn : std::vector<Bytes>{};
  s_->alpn->emplace_back(protocol.begin(), protocol.end());
  return {};
}

Status Connection::set_send_callback(SendCallback cb) {
  s_->send_cb = cb;
  s_->send_fn = nullptr;
  return {};
}
Status Connection::set_send_context(void* ctx) {
  s_->send_ctx = ctx;
  return {};
}
Status Connection::set_receive_callback(RecvCallback cb) {
  s_->recv_cb = cb;
  s_->recv_fn = nullptr;
  return {};
}
Status Connection::set_receive_context(void* ctx) {
  s_->recv_ctx = ctx;
  return {};
}
Status Connection::set_send_callback(SendFunction fn) {
  s_->send_fn = std::move(fn);
  return {};
}
Status Connection::set_receive_callback(RecvFunction fn) {
  s_->recv_fn = std::move(fn);
  return {};
}
Status Connection::set_fd(int fd) {
  SNR_TRY(set_read_fd(fd));
  return set_write_fd(fd);
}
Status Connection::set_read_fd(int fd) {
  SNR_ENSURE(fd >= 0, Err::INVALID_ARGUMENT);
  s_->read_fd = fd;
  s_->recv_cb = nullptr;
  s_->recv_fn = nullptr;
  return {};
}
Status Connection::set_write_fd(int fd) {
  SNR_ENSURE(fd >= 0, Err::INVALID_ARGUMENT);
  s_->write_fd = fd;
  s_->send_cb = nullptr;
  s_->send_fn = nullptr;
  return {};
}

Poll<void> Connection::poll_negotiate() { return s_->negotiate(); }
Poll<size_t> Connection::poll_send(std::span<const uint8_t> buf) { return s_->send(buf); }
Poll<size_t> Connection::poll_recv(std::span<uint8_t> buf) { return s_->recv(buf); }
Poll<void> Connection::poll_flush() {
  if (s_->failed) return *s_->failed;
  return s_->flush();
}
size_t Connection::peek_len() const { return s_->app_pending.size(); }
Poll<void> Connection::poll_shutdown() { return s_->shutdown(); }
Poll<void> Connection::poll_shutdown_send() { return s_->shutdown_send(); }

std::optional<uint8_t> Connection::alert() const { return s_->peer_alert; }

std::optional<std::string_view> Connection::server_name() const {
  const std::string& n = s_->mode == Mode::Client ? s_->server_name : s_->neg.server_name;
  if (n.empty()) return std::nullopt;
  return std::string_view(n);
}

Result<Version> Connection::actual_protocol_version() const {
  SNR_ENSURE(s_->neg.version != Version::Unknown, Err::NOT_NEGOTIATED);
  return s_->neg.version;
}

Result<std::string_view> Connection::cipher_suite() const {
  const policy::CipherSuite* s = s_->neg.suite;
  if (s == nullptr || s_->neg.version == Version::Unknown)
    return std::string_view("TLS_NULL_WITH_NULL_NULL");
  return s_->neg.version == Version::TLS13 ? s->iana_name : s->openssl_name;
}

Result<std::string_view> Connection::selected_curve() const {
  const policy::Group* g = policy::find_group(s_->neg.group);
  if (g == nullptr || s_->neg.version == Version::Unknown) return std::string_view("NONE");
  return g->name;
}

Result<SignatureAlgorithm> Connection::selected_signature_algorithm() const {
  return detail::signature_algorithm_of(s_->neg.sig_scheme);
}

Result<HashAlgorithm> Connection::selected_hash_algorithm() const {
  return detail::hash_algorithm_of(s_->neg.sig_scheme);
}

// signature_scheme(): getters_extra.cpp.

Result<std::string_view> Connection::handshake_type() const {
  s_->handshake_type_str = hs::handshake_type_name(s_->neg.flags, s_->neg.version);
  return std::string_view(s_->handshake_type_str);
}

Result<CertificateChain> Connection::peer_cert_chain() const {
  SNR_ENSURE(s_->complete, Err::NOT_NEGOTIATED);
  return s_->neg.peer_chain;
}

const CertificateChain* Connection::selected_cert() const { return s_->neg.local_chain; }
CertSNIMatch Connection::certificate_match() const { return s_->neg.cert_match; }

Result<std::vector<uint8_t>> Connection::master_secret() const {
  SNR_ENSURE(s_->complete, Err::NOT_NEGOTIATED);
  SNR_ENSURE(s_->neg.version < Version::TLS13, Err::INVALID_STATE);
  ByteView m = s_->neg.master_secret.view();
  return std::vector<uint8_t>(m.begin(), m.end());
}

std::optional<std::string_view> Connection::application_protocol() const {
  if (s_->neg.alpn.empty()) return std::nullopt;
  return as_string(s_->neg.alpn);
}

bool Connection::is_handshake_complete() const { return s_->complete; }
bool Connection::resumed() const { return s_->complete && s_->neg.resumed; }

Status Connection::prefer_low_latency() {
  s_->max_fragment = 1435;
  return {};
}

Status Connection::prefer_throughput() {
  s_->max_fragment = record::kMaxPlaintext;
  return {};
}

Status Connection::set_dynamic_record_threshold(uint32_t bytes, uint16_t timeout_s) {
  SNR_ENSURE(bytes <= 8u * 1024 * 1024, Err::INVALID_ARGUMENT);
  s_->dynamic_threshold = bytes;
  s_->dynamic_timeout_s = timeout_s;
  s_->dynamic_sent = 0;
  return {};
}

Status Connection::request_key_update(PeerKeyUpdate peer_request) {
  SNR_ENSURE(s_->complete && !s_->failed, Err::NOT_NEGOTIATED);
  SNR_ENSURE(s_->neg.version == Version::TLS13, Err::INVALID_STATE);
  s_->key_update_pending = true;
  // Unlike s2n, snr lets the application ask the peer to update its key too (RFC 8446 4.6.3).
  s_->key_update_ask_peer =
      s_->key_update_ask_peer || peer_request == PeerKeyUpdate::KeyUpdatedRequested;
  return {};
}

Connection::KeyUpdateCounts Connection::key_update_counts() const {
  return KeyUpdateCounts{s_->key_updates_sent, s_->key_updates_received};
}

Status Connection::tls_exporter(std::span<const uint8_t> label, std::span<const uint8_t> context,
                                std::span<uint8_t> out) const {
  SNR_ENSURE(s_->complete, Err::NOT_NEGOTIATED);
  SNR_ENSURE(s_->neg.suite != nullptr, Err::INVALID_STATE);
  if (s_->neg.version < Version::TLS13) {
    // RFC 5705 (beyond s2n): PRF(master_secret, label, client_random + server_random
    // [+ context_length + context]); an empty context means "no context", as OpenSSL's
    // SSL_export_keying_material with use_context 0.
    SNR_ENSURE(s_->neg.master_secret.size() == 48, Err::INVALID_STATE);
    SNR_ENSURE(context.size() <= 0xffff, Err::INVALID_ARGUMENT);
    Bytes randoms(s_->neg.client_random.begin(), s_->neg.client_random.end());
    randoms.insert(randoms.end(), s_->neg.server_random.begin(), s_->neg.server_random.end());
    Bytes with_context;
    if (!context.empty()) {
      with_context = {static_cast<uint8_t>(context.size() >> 8),
                      static_cast<uint8_t>(context.size())};
      with_context.insert(with_context.end(), context.begin(), context.end());
    }
    return keys::prf12(s_->neg.version, s_->neg.suite->hash, s_->neg.master_secret.view(),
                       as_string(label), randoms, with_context, out);
  }
  const crypto::HashAlg alg = s_->neg.suite->hash;
  const crypto::Digest& secret = s_->neg.exporter_secret;
  SNR_ENSURE(secret.len == crypto::hash_size(alg), Err::INVALID_STATE);
  SNR_ENSURE(label.size() <= 249 && out.size() <= 255 * crypto::hash_size(alg),
             Err::INVALID_ARGUMENT);
  // RFC 8446 7.5: HKDF-Expand-Label(Derive-Secret(Secret, label, ""), "exporter",
  // Hash(context_value), key_length).
  SNR_TRY_ASSIGN(crypto::Digest empty_hash, crypto::hash_once(alg, {}));
  SNR_TRY_ASSIGN(crypto::Digest per_label,
                 keys::derive_secret(alg, secret.view(), as_string(label), empty_hash.view()));
  SNR_TRY_ASSIGN(crypto::Digest context_hash, crypto::hash_once(alg, context));
  return keys::hkdf_expand_label(alg, per_label.view(), "exporter", context_hash.view(), out);
}

Poll<size_t> Connection::poll_send_early_data(std::span<const uint8_t> data) {
  return s_->send_early(data);
}

Poll<size_t> Connection::poll_recv_early_data(std::span<uint8_t> buf) {
  return s_->recv_early(buf);
}

EarlyDataStatus Connection::early_data_status() const {
  switch (s_->neg.early_data) {
    case hs::EarlyState::NotRequested:
      return EarlyDataStatus::NotRequested;
    case hs::EarlyState::Requested:
      return EarlyDataStatus::Requested;
    case hs::EarlyState::Accepted:
      return EarlyDataStatus::Accepted;
    case hs::EarlyState::Rejected:
      return EarlyDataStatus::Rejected;
  }
  return EarlyDataStatus::NotRequested;
}

Status Connection::set_server_max_early_data_size(uint32_t bytes) {
  SNR_ENSURE(!s_->hs && !s_->complete, Err::INVALID_STATE);
  s_->max_early_data = bytes;
  return {};
}

Status Connection::accept_early_data() {
  SNR_ENSURE(s_->early_deferred && !s_->early_decision, Err::INVALID_STATE);
  s_->early_decision = true;
  // The handshake can go on: whoever polls it is told so.
  if (s_->waker) s_->waker();
  return {};
}

Status Connection::reject_early_data() {
  SNR_ENSURE(s_->early_deferred && !s_->early_decision, Err::INVALID_STATE);
  s_->early_decision = false;
  if (s_->waker) s_->waker();
  return {};
}

Status Connection::append_psk(const Psk& psk) {
  SNR_ENSURE(!s_->hs && !s_->complete, Err::INVALID_STATE);
  SNR_ENSURE(!s_->session_in, Err::PSK_MODE);
  for (const Psk& p : s_->psks)
    SNR_ENSURE(!std::ranges::equal(p.identity(), psk.identity()), Err::INVALID_PSK);
  s_->psks.push_back(psk);
  return {};
}

Status Connection::set_session_ticket(std::span<const uint8_t> blob) {
  SNR_ENSURE(s_->mode == Mode::Client && !s_->hs && !s_->complete, Err::INVALID_STATE);
  SNR_ENSURE(s_->psks.empty(), Err::PSK_MODE);
  SNR_TRY_ASSIGN(resume::ClientSession session, resume::decode_client_session(blob));
  s_->session_in = std::make_unique<resume::ClientSession>(std::move(session));
  return {};
}

Result<size_t> Connection::session_ticket_length() const { return s_->session_out.size(); }

Result<size_t> Connection::session_ticket(std::span<uint8_t> out) const {
  ByteView blob = s_->session_out.view();
  SNR_ENSURE(out.size() >= blob.size(), Err::BUFFER_TOO_SMALL);
  std::copy(blob.begin(), blob.end(), out.begin());
  return blob.size();
}

bool Connection::are_session_tickets_enabled() const {
  if (!s_->config) return false;
  return s_->config->data().session_tickets;
}

std::span<const uint8_t> Connection::negotiated_psk_identity() const {
  return s_->neg.psk_identity;
}

}  // namespace snr
