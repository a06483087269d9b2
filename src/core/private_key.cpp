// Private-key offload (SPEC 2, 3): the operation object the application completes, and the
// connection's one pending slot for it. The handshake asks through hs::Settings::pkey_offload
// (hs/pkey_ops.cpp); a step whose operation is with the application pauses, and the driver
// polls the operation (or its future) before running the step again.
#include "core/connection_state.hpp"
#include "util/error_code.hpp"

namespace snr::detail {

struct PkeyOp {
  PrivateKeyOperation::Kind kind = PrivateKeyOperation::Kind::Sign;
  SignatureAlgorithm sig_alg = SignatureAlgorithm::Anonymous;
  HashAlgorithm hash_alg = HashAlgorithm::None;
  Bytes input;
  std::optional<SecureBytes> output;
  bool invoking = true;    // the callback has not returned yet
  bool abandoned = false;  // the last handle went away without output
};

namespace {

SignatureAlgorithm signature_algorithm(const hs::PkeyRequest& req) {
  switch (req.params.kind) {
    case crypto::SigKind::RSA_PKCS1:
      return SignatureAlgorithm::RSA_PKCS1;
    case crypto::SigKind::RSA_PSS:
      // RFC 8446 4.2.3: rsa_pss_pss_* for RSASSA-PSS keys, rsa_pss_rsae_* for rsaEncryption.
      return req.key_type == crypto::KeyType::RSA_PSS ? SignatureAlgorithm::RSA_PSS_PSS
                                                      : SignatureAlgorithm::RSA_PSS_RSAE;
    case crypto::SigKind::ECDSA:
      return SignatureAlgorithm::ECDSA;
    case crypto::SigKind::ED25519:
      return SignatureAlgorithm::ED25519;
  }
  return SignatureAlgorithm::Anonymous;
}

HashAlgorithm hash_algorithm(const hs::PkeyRequest& req) {
  if (req.params.kind == crypto::SigKind::ED25519) return HashAlgorithm::None;
  switch (req.params.hash) {
    case crypto::HashAlg::SHA256:
      return HashAlgorithm::SHA256;
    case crypto::HashAlg::SHA384:
      return HashAlgorithm::SHA384;
    case crypto::HashAlg::SHA512:
      return HashAlgorithm::SHA512;
    case crypto::HashAlg::SHA224:
      return HashAlgorithm::SHA224;
    case crypto::HashAlg::SHA1:
      return HashAlgorithm::SHA1;
    case crypto::HashAlg::MD5:
      return HashAlgorithm::MD5;
    case crypto::HashAlg::MD5_SHA1:
      return HashAlgorithm::MD5_SHA1;
  }
  return HashAlgorithm::None;
}

// The callback's own failure carries no alert: the peer still learns the handshake failed.
Error as_callback_failure(const Error& e) {
  if (alert_for(err_of(e)) >= 0) return e;
  return make_error(Err::ASYNC_CALLBACK_FAILED, e.message());
}

}  // namespace

Result<std::optional<SecureBytes>> ConnectionState::offload_private_key(
    const hs::PkeyRequest& req) {
  using Out = std::optional<SecureBytes>;
  if (pkey_op) {
    // The paused step runs again: the driver only lets it once the output is there.
    if (!pkey_op->output) return Out();
    Out out = std::move(pkey_op->output);
    pkey_op.reset();
    return out;
  }
  const PrivateKeyCallback* cb = config ? &config->data().private_key_cb : nullptr;
  SNR_ENSURE(cb && *cb, Err::INTERNAL);
  auto op = std::make_shared<PkeyOp>();
  op->kind = req.decrypt ? PrivateKeyOperation::Kind::Decrypt : PrivateKeyOperation::Kind::Sign;
  if (!req.decrypt) {
    op->sig_alg = signature_algorithm(req);
    op->hash_alg = hash_algorithm(req);
  }
  op->input.assign(req.input.begin(), req.input.end());
  pkey_op = op;
  // Copied: the callback may replace the config that holds it.
  const PrivateKeyCallback run = *cb;
  ConnectionFutureResult res = run(*owner, PrivateKeyOperation(op));
  op->invoking = false;
  switch (res.kind()) {
    case ConnectionFutureResult::Kind::Fail:
      pkey_op.reset();
      return make_error(Err::ASYNC_CALLBACK_FAILED, res.reason());
    case ConnectionFutureResult::Kind::Future:
      pkey_future = res.take_future();
      return Out();  // polled by the driver at once
    case ConnectionFutureResult::Kind::Done:
      if (!op->output) {
        pkey_op.reset();
        return make_error(Err::ASYNC_NOT_PERFORMED, "the callback returned done without output");
      }
      break;
    case ConnectionFutureResult::Kind::Pending:
      if (!op->output) return Out();  // the driver reports a dropped handle
      break;
  }
  Out out = std::move(op->output);
  pkey_op.reset();
  return out;
}

Poll<void> ConnectionState::poll_private_key() {
  if (pkey_future) {
    // The future must be able to wake us before it is worth polling (SPEC 3: MissingWaker).
    if (!waker) return Pending{Blocked::OnApplicationInput};
    Poll<void> p = pkey_future->poll(*owner);
    if (p.is_pending()) return Pending{Blocked::OnApplicationInput};
    // Dropping the future drops the handle it held: whether it gave output is decided below.
    pkey_future.reset();
    if (p.is_error()) {
      pkey_op.reset();
      return as_callback_failure(p.error());
    }
    if (!pkey_op->output) {
      pkey_op.reset();
      return make_error(Err::ASYNC_NOT_PERFORMED, "the future completed without set_output");
    }
  }
  if (pkey_op->output) return Ready{};
  if (pkey_op->abandoned) {
    pkey_op.reset();
    return make_error(Err::ASYNC_NOT_PERFORMED, "the operation was dropped without set_output");
  }
  return Pending{Blocked::OnApplicationInput};
}

}  // namespace snr::detail

namespace snr {

PrivateKeyOperation::PrivateKeyOperation(std::shared_ptr<detail::PkeyOp> op) : op_(std::move(op)) {}
PrivateKeyOperation::PrivateKeyOperation(PrivateKeyOperation&&) noexcept = default;

PrivateKeyOperation& PrivateKeyOperation::operator=(PrivateKeyOperation&& o) noexcept {
  if (this != &o) {
    if (op_ && !op_->output) op_->abandoned = true;
    op_ = std::move(o.op_);
  }
  return *this;
}

PrivateKeyOperation::~PrivateKeyOperation() {
  if (op_ && !op_->output) op_->abandoned = true;
}

PrivateKeyOperation::Kind PrivateKeyOperation::kind() const { return op_ ? op_->kind : Kind::Sign; }
SignatureAlgorithm PrivateKeyOperation::signature_algorithm() const {
  return op_ ? op_->sig_alg : SignatureAlgorithm::Anonymous;
}
HashAlgorithm PrivateKeyOperation::hash_algorithm() const {
  return op_ ? op_->hash_alg : HashAlgorithm::None;
}
size_t PrivateKeyOperation::input_size() const { return op_ ? op_->input.size() : 0; }
std::span<const uint8_t> PrivateKeyOperation::input() const {
  return op_ ? std::span<const uint8_t>(op_->input) : std::span<const uint8_t>();
}

Status PrivateKeyOperation::set_output(Connection& conn, std::span<const uint8_t> output) {
  SNR_ENSURE(op_ != nullptr, Err::INVALID_STATE);
  SNR_ENSURE(!op_->output, Err::ASYNC_ALREADY_APPLIED);
  detail::ConnectionState& s = conn.state();
  SNR_ENSURE(s.pkey_op == op_ && !s.failed, Err::ASYNC_WRONG_CONNECTION);
  op_->output.emplace(ByteView(output.data(), output.size()));
  // The simple form: poll_negotiate can go on now. (Inside the callback or a future's poll
  // the connection is being polled already.)
  if (!op_->invoking && !s.pkey_future && s.waker) s.waker();
  return {};
}

}  // namespace snr
