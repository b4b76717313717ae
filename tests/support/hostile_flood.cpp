// HostileFlood (see hostile_flood.h). One thread: a poll loop over one UDP socket per source
// address, a state machine per connection (Hello -> Challenge -> Connect -> Accept -> open), and
// a queue of crafted datagrams paced out between reads so the server's socket is not simply
// overrun.
#include "hostile_flood.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <unordered_map>

#include "base/bytes.h"
#include "crypto/crypto.h"
#include "transport/budget.h"
#include "transport/frames.h"
#include "transport/wire.h"

namespace outpost::test {

namespace budget = transport::budget;
namespace frames = transport::frames;
namespace wire = transport::wire;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kResend = std::chrono::milliseconds(400);
// A cookie is good for 4 to 8 s (src/transport/cookie.h). A Connect unanswered this long starts
// over from Hello for a fresh cookie, as a client would: a server stalled past the cookie's life
// (a slow sanitizer build) drops every later resend of the old Connect (dropped.bad_cookie).
constexpr auto kConnectRestart = std::chrono::seconds(3);
constexpr size_t kDatagram = 1500;
constexpr int kSendBurst = 256;  // datagrams sent between two reads of the sockets

enum class State { kWaiting, kHello, kConnect, kOpen, kRefused, kClosed, kTimedOut };

struct Conn {
  int source = 0;
  uint32_t client_id = 0;
  uint32_t server_id = 0;
  State state = State::kWaiting;
  Clock::time_point last_sent{};
  Clock::time_point connect_sent{};  // when this cookie's Connect was first sent
  crypto::KxKeyPair kx;
  std::vector<uint8_t> connect;  // the signed Connect, resent until answered
  std::unique_ptr<crypto::Aead> tx, rx;
  uint64_t next_pn = 1;
  uint64_t largest_rx = 0;
  bool closed_by_server = false;
};

struct Source {
  int fd = -1;
  std::unordered_map<uint32_t, size_t> by_client_id;  // -> index into conns
};

}  // namespace

struct HostileFlood::Impl {
  FloodOptions o;
  sockaddr_in server{};
  std::vector<Source> sources;
  std::vector<Conn> conns;
  crypto::IdentityKeyPair identity = crypto::IdentityKeyPair::generate();
  std::deque<std::pair<size_t, std::vector<uint8_t>>> outbox;  // (connection, plaintext frames)
  uint64_t sent = 0;
  FloodResult result;

  void sendRaw(const Conn& c, const uint8_t* p, size_t n) {
    if (::sendto(sources[static_cast<size_t>(c.source)].fd, p, n, 0, reinterpret_cast<const sockaddr*>(&server),
                 sizeof server) > 0)
      ++sent;
  }

  void sendHello(Conn& c) {
    uint8_t buf[wire::kHelloSize];
    wire::Hello h;
    h.client_connection_id = c.client_id;
    sendRaw(c, buf, wire::writeHello(h, buf));
    c.state = State::kHello;
    c.last_sent = Clock::now();
  }

  void onChallenge(Conn& c, const wire::Challenge& ch) {
    if (c.state != State::kHello) return;
    // One key pair per connection: a restarted handshake keeps it, so an Accept the server sends
    // again for the first Connect (it answers a known client id again) still matches our keys.
    if (c.connect.empty()) c.kx = crypto::KxKeyPair::generate();
    wire::Connect m;
    m.cipher_mask = crypto::supportedCipherMask();
    m.client_connection_id = c.client_id;
    m.cookie = ch.cookie;
    m.kx_public = c.kx.public_key;
    m.identity_public = identity.public_key;
    uint8_t buf[1024];
    size_t n = wire::writeConnectUnsigned(m, buf, sizeof buf - crypto::kSignatureBytes);
    uint8_t msg[1200];
    size_t mlen = wire::connectSignedMessage({buf, n}, msg, sizeof msg);
    auto sig = identity.sign({msg, mlen});
    std::memcpy(buf + n, sig.data(), sig.size());
    c.connect.assign(buf, buf + n + sig.size());
    sendRaw(c, c.connect.data(), c.connect.size());
    c.state = State::kConnect;
    c.last_sent = Clock::now();
    c.connect_sent = c.last_sent;
  }

  void onAccept(size_t index, const wire::Accept& a) {
    Conn& c = conns[index];
    if (c.state != State::kConnect) return;
    if (a.flags & wire::kAcceptRejected) {
      c.state = State::kRefused;
      ++result.refused;
      ++result.refused_by_reason[a.reject_reason];
      ++result.refusal_texts[a.reject_debug];
      return;
    }
    crypto::SessionKeys keys;
    if (!crypto::deriveClientKeys(c.kx, a.kx_public, keys)) {
      c.state = State::kTimedOut;
      return;
    }
    auto cipher = static_cast<crypto::Cipher>(a.cipher);
    c.tx = std::make_unique<crypto::Aead>();
    c.rx = std::make_unique<crypto::Aead>();
    c.tx->init(cipher, keys.tx);
    c.rx->init(cipher, keys.rx);
    c.server_id = a.server_connection_id;
    c.state = State::kOpen;
    c.connect.clear();
    c.connect.shrink_to_fit();
    ++result.connected;
    queuePattern(index);
  }

  // Frames for one datagram, built by `fill` into a plaintext buffer.
  template <typename F>
  void queueFrames(size_t index, F fill) {
    std::vector<uint8_t> plain(1200);
    base::ByteWriter w(plain.data(), plain.size());
    fill(w);
    plain.resize(w.size());
    outbox.emplace_back(index, std::move(plain));
  }

  void queueReliable(size_t index, uint16_t lane, uint64_t offset, const std::vector<uint8_t>& data) {
    queueFrames(index, [&](base::ByteWriter& w) { frames::writeReliable(w, lane, offset, data); });
  }
  void queueUnreliable(size_t index, uint64_t number, uint32_t offset, uint32_t total, size_t len) {
    std::vector<uint8_t> data(len, 0x5A);
    queueFrames(index, [&](base::ByteWriter& w) { frames::writeUnreliable(w, 0, number, offset, total, data); });
  }

  void queuePattern(size_t index) {
    const uint64_t window = budget::kUntrustedWindowBytes;
    if (o.pattern == FloodPattern::kIssue11) {
      // One reliable byte at the far edge of the initial window, one fragment each of four
      // 512 KiB unreliable messages: 5 datagrams (7 with the handshake).
      queueReliable(index, 0, window - 1, {0x42});
      for (uint64_t m = 1; m <= 4; ++m) queueUnreliable(index, m, 0, 524288, 1100);
      return;
    }
    if (o.pattern == FloodPattern::kPastBudget) {
      for (uint64_t k = 0; k < budget::kUntrustedSegments + 8; ++k) queueReliable(index, 0, 2 * k + 1, {0x42});
      queueReliable(index, 20, 0, {0x01, 0x00});
      return;
    }
    // kFill. Lanes 1..kUntrustedLanes-1: one out-of-order byte each (a segment and a lane each).
    const uint16_t lanes = budget::kUntrustedLanes;
    queueFrames(index, [&](base::ByteWriter& w) {
      uint8_t one = 0x42;
      for (uint16_t l = 1; l < lanes; ++l) frames::writeReliable(w, l, 1, {&one, 1});
    });
    uint64_t budget_left = window - 2u * (lanes - 1u);  // sum of the lanes' highest offsets
    // Lane 0: a message that never completes (header: delta 1, size 100,000), its first half in
    // order, then the remaining out-of-order segments with one-byte gaps up to the window's edge.
    std::vector<uint8_t> stream;
    uint8_t header[16];
    base::ByteWriter hw(header, sizeof header);
    hw.varint(1);
    hw.varint(100000);
    stream.assign(header, header + hw.size());
    uint64_t in_order = budget_left / 2;
    stream.resize(in_order, 0x33);
    for (uint64_t off = 0; off < in_order; off += 1100)
      queueReliable(index, 0, off,
                    {stream.begin() + static_cast<long>(off),
                     stream.begin() + static_cast<long>(std::min<uint64_t>(off + 1100, in_order))});
    size_t segments = budget::kUntrustedSegments - (lanes - 1u);
    uint64_t span = (budget_left - in_order) / segments;  // each: a 1-byte gap, then span-1 bytes
    for (size_t k = 0; k < segments; ++k) {
      uint64_t start = in_order + k * span + 1;
      uint64_t len = std::min<uint64_t>(span - 1, 1100);
      queueReliable(index, 0, start, std::vector<uint8_t>(len, 0x44));
    }
    // Unreliable: four partial messages, each missing a piece, up to the reassembly budget.
    size_t per_message = (budget::kUntrustedQueueBytes - 512) / 4;
    size_t fragment = 900;
    for (uint64_t m = 1; m <= 4; ++m) {
      uint32_t total = static_cast<uint32_t>(per_message * 3);  // far more than is sent
      size_t held = 0;
      for (uint32_t off = 0; held + fragment + 2 * 64 <= per_message; off += 2 * static_cast<uint32_t>(fragment)) {
        queueUnreliable(index, m, off, total, fragment);
        held += fragment + 64;
      }
    }
  }

  void sendData(size_t index, const std::vector<uint8_t>& plain) {
    Conn& c = conns[index];
    if (c.state != State::kOpen) return;
    uint8_t out[kDatagram];
    uint64_t pn = c.next_pn++;
    wire::writeDataHeader({c.server_id, static_cast<uint32_t>(pn)}, out);
    size_t n = c.tx->seal(pn, {out, wire::kDataHeaderSize}, plain, out + wire::kDataHeaderSize);
    sendRaw(c, out, wire::kDataHeaderSize + n);
  }

  void flushOutbox(int budget) {
    while (budget-- > 0 && !outbox.empty()) {
      auto [index, plain] = std::move(outbox.front());
      outbox.pop_front();
      sendData(index, plain);
    }
  }

  void onData(Source& s, std::span<const uint8_t> in) {
    auto h = wire::parseDataHeader(in, nullptr);
    if (!h) return;
    auto it = s.by_client_id.find(h->connection_id);
    if (it == s.by_client_id.end()) return;
    Conn& c = conns[it->second];
    if (c.state != State::kOpen || !c.rx) return;
    uint64_t pn = wire::reconstructPacketNumber(c.largest_rx + 1, h->packet_number_low);
    uint8_t plain[kDatagram];
    size_t len = 0;
    if (in.size() > kDatagram ||
        !c.rx->open(pn, in.first(wire::kDataHeaderSize), in.subspan(wire::kDataHeaderSize), plain, &len))
      return;
    c.largest_rx = std::max(c.largest_rx, pn);
    struct CloseSeen final : frames::FrameVisitor {
      bool closed = false;
      void onClose(const frames::CloseFrame&) override { closed = true; }
    } v;
    if (frames::parseFrames({plain, len}, &v, nullptr, nullptr) && v.closed) {
      c.closed_by_server = true;
      c.state = State::kClosed;
    }
  }

  void readAll(int timeout_ms) {
    std::vector<pollfd> fds;
    for (const Source& s : sources) fds.push_back({s.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), timeout_ms) <= 0) return;
    uint8_t buf[65536];
    for (size_t i = 0; i < sources.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      for (int k = 0; k < 4096; ++k) {
        ssize_t n = ::recv(sources[i].fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) break;
        std::span<const uint8_t> in(buf, static_cast<size_t>(n));
        switch (static_cast<wire::PacketType>(buf[0])) {
          case wire::PacketType::kChallenge:
            if (auto ch = wire::parseChallenge(in, nullptr)) {
              auto it = sources[i].by_client_id.find(ch->client_connection_id);
              if (it != sources[i].by_client_id.end()) onChallenge(conns[it->second], *ch);
            }
            break;
          case wire::PacketType::kAccept:
            if (auto a = wire::parseAccept(in, nullptr)) {
              auto it = sources[i].by_client_id.find(a->client_connection_id);
              if (it != sources[i].by_client_id.end()) onAccept(it->second, *a);
            }
            break;
          case wire::PacketType::kData: onData(sources[i], in); break;
          default: break;
        }
      }
    }
  }
};

HostileFlood::HostileFlood(FloodOptions options) : impl_(std::make_unique<Impl>()) {
  crypto::init();
  Impl& m = *impl_;
  m.o = std::move(options);
  m.server.sin_family = AF_INET;
  m.server.sin_port = htons(m.o.server_port);
  ::inet_pton(AF_INET, m.o.server_ip.c_str(), &m.server.sin_addr);
  for (const std::string& ip : m.o.sources) {
    Source s;
    s.fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int size = 4 << 20;
    ::setsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    ::setsockopt(s.fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    ::bind(s.fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    m.sources.push_back(std::move(s));
  }
  for (size_t si = 0; si < m.sources.size(); ++si) {
    for (int k = 0; k < m.o.connections_per_source; ++k) {
      Conn c;
      c.source = static_cast<int>(si);
      do c.client_id = crypto::randomU32();
      while (c.client_id == 0 || m.sources[si].by_client_id.count(c.client_id));
      m.sources[si].by_client_id[c.client_id] = m.conns.size();
      m.conns.push_back(std::move(c));
    }
  }
}

HostileFlood::~HostileFlood() {
  for (Source& s : impl_->sources) ::close(s.fd);
}

FloodResult HostileFlood::open() {
  Impl& m = *impl_;
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::milliseconds(m.o.timeout_ms);
  m.result.attempted = static_cast<int>(m.conns.size());
  size_t next = 0;
  for (;;) {
    auto now = Clock::now();
    int in_flight = 0;
    bool pending = next < m.conns.size();
    for (Conn& c : m.conns) {
      if (c.state != State::kHello && c.state != State::kConnect) continue;
      pending = true;
      ++in_flight;
      if (now - c.last_sent < kResend) continue;
      if (c.state == State::kHello || now - c.connect_sent >= kConnectRestart) {
        m.sendHello(c);
      } else {
        m.sendRaw(c, c.connect.data(), c.connect.size());
        c.last_sent = now;
      }
    }
    while (next < m.conns.size() && in_flight < m.o.handshakes_in_flight) {
      m.sendHello(m.conns[next++]);
      ++in_flight;
    }
    m.flushOutbox(kSendBurst);
    if (!pending && m.outbox.empty()) break;
    if (now >= deadline) break;
    m.readAll(1);
  }
  for (Conn& c : m.conns) {
    if (c.state == State::kHello || c.state == State::kConnect || c.state == State::kWaiting) {
      c.state = State::kTimedOut;
      ++m.result.timed_out;
    }
  }
  while (!m.outbox.empty()) {
    m.flushOutbox(kSendBurst);
    m.readAll(1);
  }
  m.result.datagrams_sent = m.sent;
  m.result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return m.result;
}

void HostileFlood::drain(int ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < deadline) impl_->readAll(5);
}

void HostileFlood::keepAlive() {
  Impl& m = *impl_;
  for (size_t i = 0; i < m.conns.size(); ++i) {
    if (m.conns[i].state != State::kOpen) continue;
    m.queueFrames(i, [](base::ByteWriter& w) { frames::writePing(w); });
  }
  while (!m.outbox.empty()) {
    m.flushOutbox(kSendBurst);
    m.readAll(1);
  }
}

void HostileFlood::closeAll() {
  Impl& m = *impl_;
  for (size_t i = 0; i < m.conns.size(); ++i) {
    if (m.conns[i].state != State::kOpen) continue;
    static const char kWhy[] = "flood over";
    m.queueFrames(i, [](base::ByteWriter& w) {
      frames::writeClose(w, 1000, {reinterpret_cast<const uint8_t*>(kWhy), sizeof kWhy - 1});
    });
  }
  while (!m.outbox.empty()) {
    m.flushOutbox(kSendBurst);
    m.readAll(1);
  }
  for (Conn& c : m.conns)
    if (c.state == State::kOpen) c.state = State::kClosed;
}

int HostileFlood::openConnections() const {
  int n = 0;
  for (const Conn& c : impl_->conns) n += c.state == State::kOpen;
  return n;
}

int HostileFlood::closedByServer() const {
  int n = 0;
  for (const Conn& c : impl_->conns) n += c.closed_by_server;
  return n;
}

uint64_t HostileFlood::datagramsSent() const { return impl_->sent; }

}  // namespace outpost::test
