// Application callback types.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "snr/cert_chain.hpp"
#include "snr/enums.hpp"
#include "snr/poll.hpp"

namespace snr {

class Connection;

// s2n's I/O callback contract: return the number of bytes moved, -1 with errno EAGAIN or
// EWOULDBLOCK when the operation would block, 0 when the transport is closed.
using SendCallback = int (*)(void* ctx, const uint8_t* buf, uint32_t len);
using RecvCallback = int (*)(void* ctx, uint8_t* buf, uint32_t len);
using SendFunction = std::function<int(const uint8_t* buf, uint32_t len)>;
using RecvFunction = std::function<int(uint8_t* buf, uint32_t len)>;

// Called once per SAN DNS/IP entry of the peer's leaf certificate (or its CN when it has no
// SAN names); returns true to accept the name.
using VerifyHostNameCallback = std::function<bool(std::string_view host_name)>;

// Receives NSS key-log lines ("CLIENT_HANDSHAKE_TRAFFIC_SECRET <random> <secret>").
using KeyLogCallback = std::function<void(const Connection& conn, std::string_view line)>;

// Wall clock in nanoseconds since the Unix epoch (certificate validity checks).
using WallClock = std::function<uint64_t()>;
// Monotonic clock in nanoseconds (record-size timers, blinding).
using MonotonicClock = std::function<uint64_t()>;

// Tells the application that a pending connection can make progress: poll it again.
using Waker = std::function<void()>;

// A resumable session handed to a client: `data` is the blob for
// Connection::set_session_ticket (valid only during the callback: copy it), `lifetime` how long
// the server promised to accept it.
struct SessionTicket {
  std::span<const uint8_t> data;
  std::chrono::seconds lifetime{0};
};

// Called on the client for every session the server issues (each TLS 1.3 NewSessionTicket; the
// TLS 1.2 ticket or session id at the end of the handshake).
using SessionTicketCallback = std::function<void(Connection& conn, const SessionTicket& ticket)>;

// Server, TLS 1.2: a session-ID cache the application keeps (s2n's store / retrieve /
// delete callbacks). Keys are session ids (1-32 bytes); values are opaque session states that
// hold the master secret: keep them as secret as keys. retrieve returns nullopt on a miss.
struct SessionCache {
  std::function<void(std::span<const uint8_t> key, std::span<const uint8_t> value,
                     std::chrono::seconds ttl)>
      store;
  std::function<std::optional<std::vector<uint8_t>>(std::span<const uint8_t> key)> retrieve;
  std::function<void(std::span<const uint8_t> key)> remove;
};

// Server: early data a client offers with a resumed session (RFC 8446 4.2.10). snr has no
// anti-replay store of its own: the callback is where an application applies one (RFC 8446
// 8), and Defer lets it decide later (Connection::accept_early_data / reject_early_data).
enum class EarlyDataDecision : uint8_t { Accept, Reject, Defer };
struct OfferedEarlyData {
  uint32_t max_early_data = 0;  // the most the client may send
};
using EarlyDataCallback =
    std::function<EarlyDataDecision(Connection& conn, const OfferedEarlyData& offer)>;

// Async work an application callback started (the Rust binding's ConnectionFuture):
// poll_negotiate polls it, with the connection, on each call until it is no longer Pending.
// When it returns Pending it must arrange for the connection's waker to be called once
// polling again can make progress. Ready: the handshake continues; an Error fails it.
class ConnectionFuture {
 public:
  virtual ~ConnectionFuture() = default;
  virtual Poll<void> poll(Connection& conn) = 0;
};

// What an async-capable callback answers (the Rust binding's ConnectionFutureResult):
//   done()       the work is finished, the handshake goes on;
//   pending()    the application finishes later and says so on the connection (for the
//                client hello callback: Connection::client_hello_callback_done(), as s2n's
//                s2n_client_hello_cb_done); poll_negotiate is Pending(OnApplicationInput);
//   future(f)    poll_negotiate polls `f` until it is ready;
//   fail(why)    the handshake fails (CLIENT_HELLO_CANCELLED, handshake_failure alert).
class ConnectionFutureResult {
 public:
  enum class Kind : uint8_t { Done, Pending, Future, Fail };

  static ConnectionFutureResult done() { return ConnectionFutureResult(Kind::Done); }
  static ConnectionFutureResult pending() { return ConnectionFutureResult(Kind::Pending); }
  static ConnectionFutureResult future(std::unique_ptr<ConnectionFuture> f) {
    ConnectionFutureResult r(f ? Kind::Future : Kind::Done);
    r.future_ = std::move(f);
    return r;
  }
  static ConnectionFutureResult fail(std::string reason = {}) {
    ConnectionFutureResult r(Kind::Fail);
    r.reason_ = std::move(reason);
    return r;
  }

  Kind kind() const { return kind_; }
  const std::string& reason() const { return reason_; }
  std::unique_ptr<ConnectionFuture> take_future() { return std::move(future_); }

 private:
  explicit ConnectionFutureResult(Kind k) : kind_(k) {}
  Kind kind_;
  std::string reason_;
  std::unique_ptr<ConnectionFuture> future_;
};
using ClientHelloResult = ConnectionFutureResult;

// Server: runs once per handshake when the first ClientHello has arrived (not again after a
// HelloRetryRequest), before the version, suite or certificate are chosen. It may read
// conn.client_hello() and conn.server_name(), swap the config with conn.set_config() (the
// handshake then uses the new config's certificate, policy, ALPN list...), and call
// conn.server_name_extension_used() when the name decided something, so that the server
// acknowledges it (an empty server_name extension, RFC 6066 3). The Rust binding's
// ClientHelloCallback::on_client_hello.
using ClientHelloCallback = std::function<ClientHelloResult(Connection& conn)>;

// Runs once per connection, at its first poll_negotiate, before any handshake byte is read or
// written, in both roles (s2n's ConnectionInitializer). It exists so that per-connection setup
// that belongs with the config (server name, ALPN, application context, a policy, a waker)
// is done in one place for every connection the config serves, pooled ones included; wipe()
// makes a reused connection run it again. Answers: done() goes on; future(f) is polled with
// the connection on each poll_negotiate until ready (MISSING_WAKER without a waker); fail(why)
// fails the handshake with CONNECTION_INITIALIZER_FAILED and no alert (nothing was sent yet).
// pending() is refused the same way with INVALID_ARGUMENT: s2n's initializer has no such
// answer (return a future instead). A config the client hello callback swaps in does not run
// its initializer: the connection already ran one.
using ConnectionInitializer = std::function<ConnectionFutureResult(Connection& conn)>;

// Both initializers as one (s2n's `(A, B)` tuple): `first` is called, then `second`, each
// once; the handshake goes on when both are done (their futures are polled side by side) and
// fails as soon as either fails. An empty function counts as done().
ConnectionInitializer both(ConnectionInitializer first, ConnectionInitializer second);

namespace detail {
struct PkeyOp;
}

// One private-key operation handed to the application (s2n's async pkey op; the Rust binding's
// PrivateKeyOperation). Sign: input() is the digest of the to-be-signed content under
// hash_algorithm() (RSA PKCS#1 / PSS and ECDSA; MD5_SHA1 is the 36-byte MD5 || SHA-1 of TLS
// 1.0/1.1 RSA signatures); Ed25519 has no prehash, so input() is the whole message there.
// Decrypt: input() is the TLS 1.2 RSA EncryptedPreMasterSecret and the output is the PKCS#1
// v1.5 plaintext (a failed decryption may answer anything: a wrong output is handled like a
// bad padding, with a random premaster, so the handshake then fails at Finished).
// set_output(conn, bytes) completes it, once. Move-only: a handle dropped without output while
// the operation is still pending fails the handshake on the next poll (ASYNC_NOT_PERFORMED)
// instead of leaving it blocked for ever.
class PrivateKeyOperation {
 public:
  enum class Kind : uint8_t { Decrypt, Sign };

  Kind kind() const;
  // Sign only (Anonymous / None for Decrypt).
  SignatureAlgorithm signature_algorithm() const;
  HashAlgorithm hash_algorithm() const;
  size_t input_size() const;
  std::span<const uint8_t> input() const;
  // Gives the result to the connection whose operation this is, and wakes it (its waker)
  // when the callback has already returned. ASYNC_ALREADY_APPLIED when output was already
  // given; ASYNC_WRONG_CONNECTION for another connection, or once the handshake moved on.
  // A signature is checked against the certificate before it is sent (s2n's verify after
  // sign): a wrong one fails the handshake with ASYNC_BAD_SIGNATURE.
  Status set_output(Connection& conn, std::span<const uint8_t> output);

  explicit PrivateKeyOperation(std::shared_ptr<detail::PkeyOp> op);
  PrivateKeyOperation(PrivateKeyOperation&&) noexcept;
  PrivateKeyOperation& operator=(PrivateKeyOperation&&) noexcept;
  PrivateKeyOperation(const PrivateKeyOperation&) = delete;
  PrivateKeyOperation& operator=(const PrivateKeyOperation&) = delete;
  ~PrivateKeyOperation();

 private:
  std::shared_ptr<detail::PkeyOp> op_;
};

// Performs every private-key operation of connections with this config (even when the config
// also holds the key). Answers like the client hello callback: done() after set_output inside
// the call; pending() and set_output later (poll_negotiate is Pending(OnApplicationInput)
// meanwhile, MISSING_WAKER without a waker); future(f) whose poll calls set_output and then
// returns Ready; fail(why) fails the handshake (ASYNC_CALLBACK_FAILED, internal_error alert).
// Resumed handshakes need no private key and never call it.
using PrivateKeyCallback =
    std::function<ConnectionFutureResult(Connection& conn, PrivateKeyOperation op)>;

// Client: a server's CertificateRequest, as the certificate request callback sees it (s2n's
// unstable s2n_certificate_request). Views into the handshake: valid during the callback.
class CertificateRequest {
 public:
  CertificateRequest(std::span<const uint16_t> schemes,
                     std::span<const std::vector<uint8_t>> authorities)
      : schemes_(schemes), authorities_(authorities) {}

  // The signature schemes the server accepts (IANA code points, its order).
  std::span<const uint16_t> signature_schemes() const { return schemes_; }
  // The DER distinguished names of the CAs the server trusts (certificate_authorities; may
  // be empty).
  std::span<const std::vector<uint8_t>> certificate_authorities() const { return authorities_; }
  // Answers the request with `chain`, a cert_chain::Builder chain (INVALID_ARGUMENT for any
  // other). Its key must fit one of signature_schemes(), or the handshake fails with
  // NO_VALID_SIGNATURE_SCHEME.
  Status set_certificate(const CertificateChain& chain);
  // Forgets the chain set: the config's chains are offered as without a callback.
  void reset() { chain_.reset(); }
  // The chain set, or null.
  const CertificateChain* certificate() const { return chain_ ? &*chain_ : nullptr; }

 private:
  std::span<const uint16_t> schemes_;
  std::span<const std::vector<uint8_t>> authorities_;
  std::optional<CertificateChain> chain_;
};
// Client: called when a CertificateRequest arrives (TLS 1.2 and 1.3, client auth not None),
// before a chain is chosen. Without set_certificate the config's chains are offered (the
// first whose key fits the request); false fails the handshake (CANCELLED, user_canceled).
using CertificateRequestCallback =
    std::function<bool(Connection& conn, CertificateRequest& request)>;

// What a certificate validation callback sees: the validated path, leaf first, trust anchor
// last.
struct CertValidationInfo {
  std::span<const Certificate> chain;
};
// Called after the peer's chain validated and its names were checked (client: the server's
// chain; server: a client certificate); false rejects it (CERT_REJECTED, bad_certificate
// alert). Not called when x509 verification is disabled: nothing was validated (as s2n).
using CertValidationCallback = std::function<bool(Connection& conn, CertValidationInfo& info)>;

}  // namespace snr
