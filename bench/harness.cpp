#include "harness.hpp"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define SNR_BENCH_CALLGRIND_TOGGLE() CALLGRIND_TOGGLE_COLLECT
#else
#define SNR_BENCH_CALLGRIND_TOGGLE() \
  do {                               \
  } while (0)
#endif

namespace bench {

namespace {
// Enough for a whole handshake flight with an RSA certificate and for a 16 KiB record, so
// that a pipe reaches its working size once, outside any measured call.
constexpr size_t kPipeCapacity = 64 * 1024;
// Records per batch in transfer(): 256 KiB of 16 KiB records.
constexpr size_t kTransferBatch = 16;

uint64_t clock_ns(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

// TLS records (5-byte headers) in `bytes`; a partial record counts as one.
size_t count_records(std::span<const uint8_t> bytes) {
  size_t n = 0;
  for (size_t at = 0; at < bytes.size(); ++n) {
    if (bytes.size() - at < 5) return n + 1;
    at += 5 + ((size_t{bytes[at + 3]} << 8) | bytes[at + 4]);
  }
  return n;
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

uint8_t g_callgrind_sides = 0;

void callgrind_toggle() { SNR_BENCH_CALLGRIND_TOGGLE(); }

void die(std::string_view what) {
  std::fprintf(stderr, "snr-bench: FATAL: %.*s\n", static_cast<int>(what.size()), what.data());
  std::fflush(stdout);
  std::exit(2);
}

uint64_t now_ns() { return clock_ns(CLOCK_MONOTONIC); }
uint64_t cpu_ns() { return clock_ns(CLOCK_PROCESS_CPUTIME_ID); }
uint64_t thread_cpu_ns() { return clock_ns(CLOCK_THREAD_CPUTIME_ID); }

const char* cipher_tag(Cipher c) {
  switch (c) {
    case Cipher::kAes128Gcm:
      return "aes128gcm";
    case Cipher::kAes256Gcm:
      return "aes256gcm";
    case Cipher::kChacha20:
      return "chacha20";
  }
  return "?";
}

// --- Pipe ---

Pipe::Pipe() {
  ChargeTo none(Side::kNone);
  buf_.resize(kPipeCapacity);
}

void Pipe::write(std::span<const uint8_t> data) {
  if (buf_.size() - end_ < data.size()) {
    // Compact first; grow only if the unread bytes and the new ones still do not fit.
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    if (buf_.size() - end_ < data.size()) {
      ChargeTo none(Side::kNone);
      buf_.resize(std::max(buf_.size() * 2, end_ + data.size()));
    }
  }
  std::memcpy(buf_.data() + end_, data.data(), data.size());
  end_ += data.size();
}

size_t Pipe::read(std::span<uint8_t> out) {
  const size_t n = std::min(out.size(), available());
  std::memcpy(out.data(), buf_.data() + begin_, n);
  begin_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
  return n;
}

void Pipe::release() {
  ChargeTo none(Side::kNone);
  std::vector<uint8_t>().swap(buf_);
  begin_ = end_ = 0;
}

// --- DataFiles ---

DataFiles DataFiles::load(const std::string& dir) {
  DataFiles f;
  f.dir = dir;
  f.ca_pem = read_whole_file(dir + "/ca-cert.pem");
  f.ecdsa_cert_pem = read_whole_file(dir + "/ecdsa-p256-cert.pem");
  f.ecdsa_key_pem = read_whole_file(dir + "/ecdsa-p256-key.pem");
  f.rsa_cert_pem = read_whole_file(dir + "/rsa2048-cert.pem");
  f.rsa_key_pem = read_whole_file(dir + "/rsa2048-key.pem");
  return f;
}

// --- driving ---

void handshake_both(Conn& client, Conn& server, Meter& meter) {
  bool client_done = false;
  bool server_done = false;
  for (int round = 0; !(client_done && server_done); ++round) {
    // A handshake takes two rounds (TLS 1.3) or three (TLS 1.2); anything near this bound is
    // a stall.
    if (round > 50) die("handshake did not finish");
    if (!client_done) {
      const Io r = meter.run(Side::kClient, [&] { return client.handshake(); });
      if (r == Io::kError) die("client handshake failed");
      client_done = r == Io::kDone;
    }
    if (!server_done) {
      const Io r = meter.run(Side::kServer, [&] { return server.handshake(); });
      if (r == Io::kError) die("server handshake failed");
      server_done = r == Io::kDone;
    }
  }
}

void client_read_once(Conn& client, Meter& meter) {
  uint8_t scratch[256];
  size_t n = 0;
  const Io r = meter.run(Side::kClient, [&] { return client.read(scratch, n); });
  if (r == Io::kError) die("client failed reading after the handshake");
  if (r == Io::kDone) die("unexpected application data after the handshake");
}

Pair Pair::connect(Backend& backend, Link& link, Meter& meter) {
  Pair p;
  p.client = meter.run(Side::kClient, [&] { return backend.client(link); });
  p.server = meter.run(Side::kServer, [&] { return backend.server(link); });
  handshake_both(*p.client, *p.server, meter);
  p.tail_bytes = link.s2c.available();
  p.tail_records = count_records(link.s2c.unread());
  client_read_once(*p.client, meter);
  // Every backend must have taken in all of it, so that all do the same work per pair.
  if (link.s2c.available() != 0 || link.c2s.available() != 0)
    die("bytes left unread after the handshake: " + std::to_string(link.s2c.available()) + " " +
        std::to_string(link.c2s.available()) + " tail " + std::to_string(p.tail_bytes));
  return p;
}

void Pair::close(Meter& meter) {
  meter.run(Side::kClient, [&] {
    client.reset();
    return 0;
  });
  meter.run(Side::kServer, [&] {
    server.reset();
    return 0;
  });
}

void transfer(Pair& pair, uint64_t total, size_t chunk, Meter& meter) {
  const uint64_t chunks = (total + chunk - 1) / chunk;
  std::vector<uint8_t> out(chunk);
  std::vector<uint8_t> in(chunk * kTransferBatch);
  uint8_t stamp = 0;
  for (uint64_t done = 0; done < chunks;) {
    const size_t batch = static_cast<size_t>(std::min<uint64_t>(kTransferBatch, chunks - done));
    // A different byte per batch, so that a replayed or misplaced record shows.
    ++stamp;
    std::fill(out.begin(), out.end(), stamp);
    meter.run(Side::kServer, [&] {
      for (size_t i = 0; i < batch; ++i) {
        for (size_t written = 0; written < chunk;) {
          size_t n = 0;
          if (pair.server->write(std::span<const uint8_t>(out).subspan(written), n) != Io::kDone)
            die("server write failed");
          written += n;
        }
      }
      return 0;
    });
    const size_t want = batch * chunk;
    meter.run(Side::kClient, [&] {
      for (size_t got = 0; got < want;) {
        size_t n = 0;
        if (pair.client->read(std::span<uint8_t>(in).subspan(got, want - got), n) != Io::kDone ||
            n == 0)
          die("client read failed or stalled");
        got += n;
      }
      return 0;
    });
    if (std::any_of(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(want),
                    [&](uint8_t b) { return b != stamp; }))
      die("received data differs from what was sent");
    done += batch;
  }
}

}  // namespace bench
