#include "snr/config.hpp"

#include <mutex>

#include "core/cert_policy.hpp"
#include "core/default_config.hpp"
#include "crypto/dh.hpp"
#include "crypto/x509.hpp"
#include "hs/alpn.hpp"
#include "hs/config_data.hpp"
#include "resume/ticket_keys.hpp"
#include "util/error_code.hpp"

namespace snr {

Config::Builder Config::builder() { return Builder(); }

Result<Config> Config::create() { return Builder().build(); }

Config::Builder::Builder() : data_(std::make_shared<detail::ConfigData>()) {
  data_->policy = &Policy::DEFAULT.data();
}
Config::Builder::Builder(Builder&&) noexcept = default;
Config::Builder& Config::Builder::operator=(Builder&&) noexcept = default;
Config::Builder::~Builder() = default;

#define SNR_BUILDER_OPEN() SNR_ENSURE(!built_ && data_, Err::INVALID_STATE)

namespace {
Status ensure_store(detail::ConfigData& d) {
  if (d.trust) return {};
  SNR_TRY_ASSIGN(d.trust, crypto::TrustStore::create());
  return {};
}

// The chain load_pem / load_public_pem just loaded, against the policy set so far; refused
// (and unloaded) when it breaks the policy's local certificate rules.
Status check_new_cert(detail::ConfigData& d) {
  Status s = detail::check_local_chain(*d.policy, *d.cert);
  if (!s.ok()) d.cert.reset();
  return s;
}
}  // namespace

Status Config::Builder::set_security_policy(const Policy& policy) {
  SNR_BUILDER_OPEN();
  // The chains already loaded must obey it (s2n: SECURITY_POLICY_INCOMPATIBLE_CERT).
  SNR_TRY(detail::check_local_chains(policy.data(), *data_));
  data_->policy = &policy.data();
  return {};
}

Status Config::Builder::load_pem(std::string_view cert_chain_pem,
                                 std::string_view private_key_pem) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(!data_->cert && !data_->chains.has_app_chains(), Err::CERT_OWNERSHIP);
  SNR_TRY_ASSIGN(std::vector<Bytes> chain, crypto::pem_to_der_chain(cert_chain_pem));
  SNR_TRY_ASSIGN(crypto::PrivateKey key, crypto::PrivateKey::from_pem(private_key_pem));
  SNR_TRY_ASSIGN(crypto::PublicKey pub, crypto::PublicKey::from_certificate(chain.front()));
  SNR_ENSURE(key.matches(pub), Err::KEY_MISMATCH);
  SNR_ENSURE(key.type() != crypto::KeyType::Unknown, Err::CERT_TYPE_UNSUPPORTED);
  std::vector<Certificate> certs;
  for (const Bytes& der : chain) certs.emplace_back(der);
  crypto::KeyType type = key.type();
  data_->cert.emplace(detail::CertifiedKey{std::move(chain), CertificateChain(std::move(certs)),
                                           std::move(key), type, Bytes{}});
  return check_new_cert(*data_);
}

Status Config::Builder::load_public_pem(std::string_view cert_chain_pem) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(!data_->cert && !data_->chains.has_app_chains(), Err::CERT_OWNERSHIP);
  SNR_TRY_ASSIGN(std::vector<Bytes> chain, crypto::pem_to_der_chain(cert_chain_pem));
  SNR_TRY_ASSIGN(crypto::PublicKey pub, crypto::PublicKey::from_certificate(chain.front()));
  SNR_ENSURE(pub.type() != crypto::KeyType::Unknown, Err::CERT_TYPE_UNSUPPORTED);
  std::vector<Certificate> certs;
  for (const Bytes& der : chain) certs.emplace_back(der);
  crypto::KeyType type = pub.type();
  data_->cert.emplace(detail::CertifiedKey{std::move(chain), CertificateChain(std::move(certs)),
                                           std::nullopt, type, Bytes{}});
  return check_new_cert(*data_);
}

Status Config::Builder::set_private_key_callback(PrivateKeyCallback cb) {
  SNR_BUILDER_OPEN();
  data_->private_key_cb = std::move(cb);
  return {};
}

Status Config::Builder::set_cert_validation_callback_sync(CertValidationCallback cb) {
  SNR_BUILDER_OPEN();
  data_->cert_validation_cb = std::move(cb);
  return {};
}

Status Config::Builder::trust_pem(std::string_view pem) {
  SNR_BUILDER_OPEN();
  SNR_TRY(ensure_store(*data_));
  return data_->trust->add_pem(pem);
}

Status Config::Builder::trust_location(std::string_view ca_file, std::string_view ca_dir) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(!ca_file.empty() || !ca_dir.empty(), Err::INVALID_ARGUMENT);
  SNR_TRY(ensure_store(*data_));
  return data_->trust->add_location(ca_file, ca_dir);
}

Status Config::Builder::with_system_certs(bool enabled) {
  SNR_BUILDER_OPEN();
  data_->system_certs = enabled;
  return {};
}

Status Config::Builder::wipe_trust_store() {
  SNR_BUILDER_OPEN();
  data_->trust.reset();
  data_->system_certs = false;
  return {};
}

Status Config::Builder::set_verify_host_callback(VerifyHostNameCallback cb) {
  SNR_BUILDER_OPEN();
  data_->verify_host = std::move(cb);
  return {};
}

Status Config::Builder::set_client_auth_type(ClientAuthType type) {
  SNR_BUILDER_OPEN();
  data_->client_auth = type;
  return {};
}

Status Config::Builder::set_certificate_authorities_from_trust_store() {
  SNR_BUILDER_OPEN();
  data_->ca_names_from_trust = true;
  return {};
}

Status Config::Builder::disable_x509_verification() {
  SNR_BUILDER_OPEN();
  data_->verify_x509 = false;
  return {};
}

Status Config::Builder::set_max_cert_chain_depth(uint16_t depth) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(depth > 0, Err::INVALID_ARGUMENT);
  data_->max_chain_depth = depth;
  return {};
}

Status Config::Builder::enable_ocsp() {
  SNR_BUILDER_OPEN();
  data_->ocsp_request = true;
  return {};
}

Status Config::Builder::set_ocsp_data(std::span<const uint8_t> der) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(!data_->chains.has_app_chains(), Err::CERT_OWNERSHIP);
  SNR_ENSURE(data_->cert.has_value(), Err::UPDATING_EXTENSION);
  data_->cert->ocsp_response.assign(der.begin(), der.end());
  return {};
}

Status Config::Builder::set_check_stapled_ocsp_response(bool check) {
  SNR_BUILDER_OPEN();
  data_->check_ocsp = check;
  return {};
}

Status Config::Builder::set_application_protocol_preference(
    std::span<const std::string_view> protocols) {
  SNR_BUILDER_OPEN();
  std::vector<Bytes> list;
  for (std::string_view p : protocols) {
    SNR_TRY(hs::check_protocol_name(p));
    list.emplace_back(p.begin(), p.end());
  }
  data_->alpn = std::move(list);
  return {};
}

Status Config::Builder::append_application_protocol_preference(std::string_view protocol) {
  SNR_BUILDER_OPEN();
  SNR_TRY(hs::check_protocol_name(protocol));
  data_->alpn.emplace_back(protocol.begin(), protocol.end());
  return {};
}

Status Config::Builder::add_dhparams(std::string_view pem) {
  SNR_BUILDER_OPEN();
  SNR_TRY_ASSIGN(data_->dh_params, crypto::DhParams::from_pem(pem));
  return {};
}

Status Config::Builder::set_key_log_callback(KeyLogCallback cb) {
  SNR_BUILDER_OPEN();
  data_->key_log = std::move(cb);
  return {};
}

Status Config::Builder::set_monotonic_clock(MonotonicClock clock) {
  SNR_BUILDER_OPEN();
  data_->monotonic_clock = std::move(clock);
  return {};
}

Status Config::Builder::set_wall_clock(WallClock clock) {
  SNR_BUILDER_OPEN();
  data_->wall_clock = std::move(clock);
  return {};
}

Status Config::Builder::set_serialization_version(SerializationVersion version) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(version == SerializationVersion::None || version == SerializationVersion::V1,
             Err::INVALID_ARGUMENT);
  data_->serialization_version = version;
  return {};
}

Status Config::Builder::set_alert_behavior(AlertBehavior behavior) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(behavior == AlertBehavior::FailOnWarnings || behavior == AlertBehavior::IgnoreWarnings,
             Err::INVALID_ARGUMENT);
  data_->alert_behavior = behavior;
  return {};
}

Status Config::Builder::set_max_handshake_message_size(uint32_t bytes) {
  SNR_BUILDER_OPEN();
  // Below 4 KiB ordinary ClientHellos (post-quantum key shares) and certificates stop fitting;
  // 16 MiB is past the 24-bit length field, so it means "no limit".
  SNR_ENSURE(bytes >= 4 * 1024 && bytes <= 16 * 1024 * 1024, Err::INVALID_ARGUMENT);
  data_->limits.max_handshake_message = bytes;
  return {};
}

Status Config::Builder::set_max_cert_chain_length(uint16_t count) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(count > 0, Err::INVALID_ARGUMENT);
  data_->limits.max_cert_chain_length = count;
  return {};
}

Status Config::Builder::set_max_empty_records(uint16_t count) {
  SNR_BUILDER_OPEN();
  data_->limits.max_empty_records = count;
  return {};
}

Status Config::Builder::set_max_warning_alerts(uint16_t count) {
  SNR_BUILDER_OPEN();
  data_->limits.max_warning_alerts = count;
  return {};
}

Status Config::Builder::set_max_key_updates(uint16_t count) {
  SNR_BUILDER_OPEN();
  data_->limits.max_key_updates = count;
  return {};
}

Status Config::Builder::set_max_session_tickets(uint16_t count) {
  SNR_BUILDER_OPEN();
  data_->limits.max_session_tickets = count;
  return {};
}

Status Config::Builder::set_max_hello_requests(uint16_t count) {
  SNR_BUILDER_OPEN();
  data_->limits.max_hello_requests = count;
  return {};
}

namespace {
uint64_t to_ns(std::chrono::system_clock::time_point t) {
  if (t.time_since_epoch().count() <= 0) return 0;
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

uint64_t seconds_to_ns(std::chrono::seconds s) {
  return static_cast<uint64_t>(s.count()) * resume::kNsPerSecond;
}

void enable_tickets(detail::ConfigData& d) {
  d.session_tickets = true;
  if (!d.ticket_count_set) d.ticket_count = 1;
}

resume::TicketKeyStore& ticket_store(detail::ConfigData& d) {
  if (!d.ticket_keys) d.ticket_keys = std::make_shared<resume::TicketKeyStore>();
  return *d.ticket_keys;
}
}  // namespace

Status Config::Builder::enable_session_tickets(bool enabled) {
  SNR_BUILDER_OPEN();
  if (enabled) {
    enable_tickets(*data_);
  } else {
    data_->session_tickets = false;
  }
  return {};
}

Status Config::Builder::add_session_ticket_key(std::span<const uint8_t> name,
                                               std::span<const uint8_t> key,
                                               std::chrono::system_clock::time_point intro) {
  SNR_BUILDER_OPEN();
  SNR_TRY(ticket_store(*data_).add_key(name, key, to_ns(intro), data_->now()));
  enable_tickets(*data_);
  return {};
}

Status Config::add_session_ticket_key(std::span<const uint8_t> name, std::span<const uint8_t> key,
                                      std::chrono::system_clock::time_point intro) const {
  // The store is shared and synchronized; a config built without tickets has none to add to.
  SNR_ENSURE(data_->ticket_keys != nullptr, Err::INVALID_STATE);
  return data_->ticket_keys->add_key(name, key, to_ns(intro), data_->now());
}

Status Config::Builder::set_ticket_key_encrypt_decrypt_lifetime(std::chrono::seconds lifetime) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(lifetime.count() > 0, Err::INVALID_ARGUMENT);
  ticket_store(*data_).set_encrypt_decrypt_lifetime(seconds_to_ns(lifetime));
  return {};
}

Status Config::Builder::set_ticket_key_decrypt_lifetime(std::chrono::seconds lifetime) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(lifetime.count() >= 0, Err::INVALID_ARGUMENT);
  ticket_store(*data_).set_decrypt_lifetime(seconds_to_ns(lifetime));
  return {};
}

Status Config::Builder::set_initial_ticket_count(uint16_t count) {
  SNR_BUILDER_OPEN();
  data_->ticket_count = count;
  data_->ticket_count_set = true;
  return {};
}

Status Config::Builder::set_session_ticket_callback(SessionTicketCallback cb) {
  SNR_BUILDER_OPEN();
  data_->ticket_cb = std::move(cb);
  enable_tickets(*data_);
  return {};
}

Status Config::Builder::require_ticket_forward_secrecy(bool required) {
  SNR_BUILDER_OPEN();
  data_->require_ticket_fs = required;
  return {};
}

Status Config::Builder::set_server_max_early_data_size(uint32_t bytes) {
  SNR_BUILDER_OPEN();
  data_->max_early_data = bytes;
  return {};
}

Status Config::Builder::set_early_data_callback(EarlyDataCallback cb) {
  SNR_BUILDER_OPEN();
  data_->early_data_cb = std::move(cb);
  return {};
}

Status Config::Builder::set_client_hello_callback(ClientHelloCallback cb) {
  SNR_BUILDER_OPEN();
  data_->client_hello_cb = std::move(cb);
  return {};
}

Status Config::Builder::set_session_cache(SessionCache cache) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(cache.store && cache.retrieve && cache.remove, Err::INVALID_ARGUMENT);
  data_->session_cache = std::move(cache);
  return {};
}

Status Config::Builder::set_session_state_lifetime(std::chrono::seconds lifetime) {
  SNR_BUILDER_OPEN();
  SNR_ENSURE(lifetime.count() > 0, Err::INVALID_ARGUMENT);
  data_->session_state_lifetime = seconds_to_ns(lifetime);
  return {};
}

Result<Config> Config::Builder::build() {
  SNR_BUILDER_OPEN();
  if (data_->system_certs) {
    SNR_TRY(ensure_store(*data_));
    SNR_TRY(data_->trust->add_system());
  }
  // Bounded so that a CertificateRequest stays far below the 64 KiB handshake message limit
  // that peers commonly apply.
  if (data_->ca_names_from_trust && data_->trust)
    data_->ca_names = data_->trust->subject_names(32 * 1024);
  // Checked here rather than at the first handshake: a chain without its key is unusable
  // without someone to sign with it.
  if (data_->cert && !data_->cert->key && !data_->private_key_cb)
    return make_error(Err::NO_PRIVATE_KEY, "load_public_pem needs set_private_key_callback");
  SNR_TRY(detail::check_local_chains(*data_->policy, *data_));
  // SNI selection (SPEC 6.15) looks every chain up by name, the load_pem one included.
  SNR_TRY(data_->chains.index(data_->cert ? &*data_->cert : nullptr));
  if (data_->chains.any_without_key() && !data_->private_key_cb)
    return make_error(Err::NO_PRIVATE_KEY, "a public-only chain needs set_private_key_callback");
  built_ = true;
  return Config(std::shared_ptr<const detail::ConfigData>(std::move(data_)));
}

namespace detail {

Result<Config> default_config(Mode) {
  // Built on first use and shared by every connection without a config, as s2n does.
  static std::once_flag once;
  static std::optional<Result<Config>> cfg;
  std::call_once(once, [] { cfg.emplace(Config::create()); });
  return *cfg;
}

}  // namespace detail
}  // namespace snr
