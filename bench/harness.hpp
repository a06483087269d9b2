// The library-neutral part of snr-bench: an in-memory transport, the interface every backend
// implements, and per-side accounting of each library call (time, heap, callgrind
// collection).
//
// Client and server of a pair live on one thread and talk through two byte pipes: no
// sockets, no syscalls, so everything measured is the libraries' own work.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alloc_hook.hpp"

namespace bench {

[[noreturn]] void die(std::string_view what);

uint64_t now_ns();         // CLOCK_MONOTONIC
uint64_t cpu_ns();         // CLOCK_PROCESS_CPUTIME_ID
uint64_t thread_cpu_ns();  // CLOCK_THREAD_CPUTIME_ID

// A one-way byte pipe. Reading consumes from the front; once drained it rewinds, so steady
// traffic never allocates. Growth happens outside the sides' heap accounting: transport
// buffers are not the libraries' memory.
class Pipe {
 public:
  Pipe();
  void write(std::span<const uint8_t> data);
  size_t read(std::span<uint8_t> out);
  size_t available() const { return end_ - begin_; }
  std::span<const uint8_t> unread() const {
    return std::span<const uint8_t>(buf_).subspan(begin_, end_ - begin_);
  }
  void clear() { begin_ = end_ = 0; }
  // Gives the buffer back to the heap (before memory is measured).
  void release();

 private:
  std::vector<uint8_t> buf_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

// One client<->server wire. The client writes c2s and reads s2c.
struct Link {
  Pipe c2s;
  Pipe s2c;
  void clear() {
    c2s.clear();
    s2c.clear();
  }
};

enum class Io : uint8_t { kDone, kWant, kError };

enum class CertKind : uint8_t { kEcdsa, kRsa };
enum class Cipher : uint8_t { kAes128Gcm, kAes256Gcm, kChacha20 };
const char* cipher_tag(Cipher c);  // "aes128gcm", as in the scenario names

// The work every backend is configured for: TLS 1.3 only, X25519 only, one cipher suite,
// the server presents `cert` (leaf only, signed by the test CA), the client trusts the CA
// and checks the chain and the host name "localhost". No session tickets, no session cache,
// unless `tickets` is set.
struct Setup {
  CertKind cert = CertKind::kEcdsa;
  Cipher cipher = Cipher::kAes128Gcm;
  bool release_buffers = false;  // ask the library to drop idle I/O buffers, where it can
  // TLS 1.2 only, with ECDHE-ECDSA-AES128-GCM-SHA256 (`cipher` is ignored; `cert` must be
  // kEcdsa). Still X25519 only, no tickets, no session cache.
  bool tls12 = false;
  // TLS 1.3 stateless session tickets: the server, whose ticket key is fixed, sends exactly
  // one NewSessionTicket after every handshake; the client asks for tickets. Once
  // Backend::keep_session() has saved a client's session, every new client offers it.
  bool tickets = false;
};

// The certificates of tests/data, read once.
struct DataFiles {
  std::string dir;
  std::string ca_pem;
  std::string ecdsa_cert_pem, ecdsa_key_pem;
  std::string rsa_cert_pem, rsa_key_pem;

  static DataFiles load(const std::string& dir);
  const std::string& cert_pem(CertKind k) const {
    return k == CertKind::kEcdsa ? ecdsa_cert_pem : rsa_cert_pem;
  }
  const std::string& key_pem(CertKind k) const {
    return k == CertKind::kEcdsa ? ecdsa_key_pem : rsa_key_pem;
  }
};

class Conn {
 public:
  virtual ~Conn() = default;
  virtual Io handshake() = 0;
  // On kDone, `n` is the number of bytes taken or returned.
  virtual Io write(std::span<const uint8_t> data, size_t& n) = 0;
  virtual Io read(std::span<uint8_t> out, size_t& n) = 0;
  virtual void release_buffers() {}
  // The handshake resumed an earlier session (a ticket's PSK).
  virtual bool resumed() = 0;
  // What was negotiated ("TLSv1.3 TLS_AES_128_GCM_SHA256 x25519 ..."), logged once per
  // scenario so every run shows that the backends did the same work.
  virtual std::string describe() = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;  // "snr", "openssl", "gnutls"
  virtual std::string version() const = 0;
  // Builds the shared configuration objects (contexts, credentials). Not timed. Forgets any
  // session kept before.
  virtual void configure(const Setup& setup) = 0;
  // Setup::tickets: saves the session `client` holds (after its handshake and its read of the
  // server's ticket); clients created from now on resume it. Dies when there is none.
  virtual void keep_session(Conn& client) = 0;
  virtual std::unique_ptr<Conn> client(Link& link) = 0;
  virtual std::unique_ptr<Conn> server(Link& link) = 0;
};

std::unique_ptr<Backend> make_snr_backend(const DataFiles& files);
std::unique_ptr<Backend> make_openssl_backend(const DataFiles& files);
#ifdef SNR_BENCH_HAVE_GNUTLS
std::unique_ptr<Backend> make_gnutls_backend(const DataFiles& files);
#endif

// Which side's library calls callgrind counts (--callgrind-one); bit 1 << Side.
extern uint8_t g_callgrind_sides;
void callgrind_toggle();

// Charges library calls to a side: CPU time, heap (ChargeTo) and, under callgrind, the
// instructions.
//
// The time is this thread's CPU time, not the wall clock: the machine is shared, and a
// preemption in the middle of a call must not be charged to the library. Reading that clock
// is a system call (~0.4 us), so calls that take only microseconds (record writes and reads)
// are measured in batches: `f` may make many calls.
class Meter {
 public:
  template <class F>
  auto run(Side side, F&& f) {
    ChargeTo charge(side);
    const bool collect = (g_callgrind_sides >> static_cast<int>(side)) & 1;
    if (collect) callgrind_toggle();
    const uint64_t t0 = thread_cpu_ns();
    auto r = f();
    ns_[static_cast<int>(side)] += thread_cpu_ns() - t0;
    if (collect) callgrind_toggle();
    return r;
  }
  double seconds(Side side) const {
    return 1e-9 * static_cast<double>(ns_[static_cast<int>(side)]);
  }

 private:
  uint64_t ns_[kSideCount] = {};
};

// Runs both handshakes to completion (the client first in every round, as a real client
// speaks first). Dies on any failure.
void handshake_both(Conn& client, Conn& server, Meter& meter);
// Lets the client read once so that it processes whatever the server sent after its Finished
// (TLS 1.3 NewSessionTickets); the read must come back wanting more. Dies otherwise.
void client_read_once(Conn& client, Meter& meter);

// One connected pair whose creation and teardown are charged to the sides: handshake_both,
// then client_read_once.
struct Pair {
  std::unique_ptr<Conn> client;
  std::unique_ptr<Conn> server;
  // What the server had sent that the client had not read when both handshakes were done:
  // the NewSessionTicket records in TLS 1.3 (none without tickets), nothing in TLS 1.2.
  size_t tail_bytes = 0;
  size_t tail_records = 0;
  static Pair connect(Backend& backend, Link& link, Meter& meter);
  void close(Meter& meter);
};

// Pushes `total` bytes server -> client in `chunk`-sized writes; the server's calls are the
// send side, the client's the receive side. The server writes a batch of chunks, then the
// client reads them (a batch stays within the L2 cache). Checks the bytes that arrive.
void transfer(Pair& pair, uint64_t total, size_t chunk, Meter& meter);

}  // namespace bench
