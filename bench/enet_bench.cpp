// enet_bench: the ENet (1.3.x) half of Outpost's two-process transport benchmark.
//
// One process runs as `server`, another as `client`; together they run one workload
// (throughput, ping-pong latency, or throughput under 10 % datagram loss) over
// 127.0.0.1 and each prints exactly one JSON line on stdout.  The CLI and the JSON
// fields are the contract shared with bench/transport_bench.cpp (the Outpost side),
// so bench/run can drive both implementations identically; see bench/README.md.
//
// ENet is used the way an application would use it: one channel, no bandwidth
// limits, every message ENET_PACKET_FLAG_RELIABLE.  The client never has more than
// 512 KiB of payload queued-but-unacknowledged inside ENet (tracked through the
// packet free callback), and every wait is bounded by --timeout.

#include <enet/enet.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proc_usage.h"  // selfCpuSeconds (header-only, no Outpost library)

namespace {

// ---------------------------------------------------------------------------
// Workload definitions (shared meaning with the Outpost side; see README).

struct Workload {
  std::string_view name;
  std::size_t payload_bytes;    // size of every workload message
  std::uint64_t default_count;  // measured messages (round trips for ping)
  bool ping;                    // ping-pong instead of one-way stream
  bool lossy;                   // drop 10 % of received datagrams on both sides
};

constexpr Workload kWorkloads[] = {
    {"tput_64", 64, 200'000, false, false},
    {"tput_4k", 4096, 20'000, false, false},
    {"ping_32", 32, 10'000, true, false},
    {"loss10_64", 64, 20'000, false, true},
};

constexpr std::uint64_t kPingWarmup = 200;           // un-measured round trips first
constexpr std::size_t kMaxQueuedBytes = 512 * 1024;  // client-side unacked payload cap
constexpr std::uint32_t kDropOneIn = 10;             // 10 % loss in lossy workloads
constexpr std::uint8_t kVerdictOk = 'F';             // server: all N verified
constexpr std::uint8_t kVerdictBad = 'X';            // server: verification failed
constexpr std::size_t kVerdictBytes = 9;             // verdict byte + u64 LE count verified
constexpr double kLingerSeconds = 10.0;              // bounded graceful shutdown
constexpr std::uint32_t kPollSliceMs = 50;           // max single blocking wait

// Exit codes (part of the runner contract).
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitBind = 3;

// ---------------------------------------------------------------------------
// Message content: bytes [0,8) = sequence number (little endian), byte i >= 8 =
// (seq * 7 + i) mod 256.  Every message is fully checked by its receiver.

void fill_payload(std::uint8_t* p, std::size_t len, std::uint64_t seq) {
  for (std::size_t b = 0; b < 8 && b < len; ++b) p[b] = static_cast<std::uint8_t>(seq >> (8 * b));
  const auto base = static_cast<std::uint8_t>(seq * 7);
  for (std::size_t i = 8; i < len; ++i) p[i] = static_cast<std::uint8_t>(base + i);
}

bool check_payload(const std::uint8_t* p, std::size_t len, std::size_t expected_len, std::uint64_t seq) {
  if (len != expected_len) return false;
  for (std::size_t b = 0; b < 8 && b < len; ++b)
    if (p[b] != static_cast<std::uint8_t>(seq >> (8 * b))) return false;
  const auto base = static_cast<std::uint8_t>(seq * 7);
  std::uint8_t diff = 0;
  for (std::size_t i = 8; i < len; ++i) diff |= static_cast<std::uint8_t>(p[i] ^ (base + i));
  return diff == 0;
}

// ---------------------------------------------------------------------------
// Small utilities.

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

Clock::time_point deadline_after(double seconds) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// Milliseconds to wait in one blocking call: at most kPollSliceMs, never past the deadline.
std::uint32_t slice_until(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return 0;
  return static_cast<std::uint32_t>(std::min<std::int64_t>(left.count(), kPollSliceMs));
}

void note(const char* role, const std::string& msg) { std::fprintf(stderr, "enet_bench %s: %s\n", role, msg.c_str()); }

// Nearest-rank percentile of an ascending-sorted sample.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// ---------------------------------------------------------------------------
// Loss injection: ENet calls host->intercept for every received UDP datagram;
// returning 1 swallows it.  One host per process, so process-wide state is fine.

struct LossState {
  std::uint64_t rng = 0;
  std::uint64_t seen = 0;
  std::uint64_t dropped = 0;
} g_loss;

std::uint64_t next_random() {  // splitmix64
  std::uint64_t z = (g_loss.rng += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

int ENET_CALLBACK drop_some(ENetHost*, ENetEvent*) {
  ++g_loss.seen;
  if (next_random() % kDropOneIn == 0) {
    ++g_loss.dropped;
    return 1;
  }
  return 0;
}

void enable_loss(ENetHost* host, std::uint64_t seed) {
  g_loss.rng = seed;
  host->intercept = drop_some;
}

void report_loss(const char* role) {
  if (g_loss.seen == 0) return;
  char buf[160];
  std::snprintf(buf, sizeof buf, "dropped %llu of %llu received datagrams (%.1f%%)",
                static_cast<unsigned long long>(g_loss.dropped), static_cast<unsigned long long>(g_loss.seen),
                100.0 * static_cast<double>(g_loss.dropped) / static_cast<double>(g_loss.seen));
  note(role, buf);
}

// ---------------------------------------------------------------------------
// Command line.

struct Options {
  bool server = false;
  std::uint16_t port = 0;
  const Workload* workload = nullptr;
  std::uint64_t count = 0;
  double timeout_s = 60.0;
};

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr,
               "enet_bench: %s\n"
               "usage: enet_bench server|client --port P --workload W [--count N] [--timeout S]\n"
               "  W: tput_64 | tput_4k | ping_32 | loss10_64\n",
               msg);
  std::exit(kExitUsage);
}

template <typename T>
bool parse_number(std::string_view s, T& out) {
  const auto* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc{} && ptr == end;
}

Options parse_args(int argc, char** argv) {
  if (argc < 2) usage("missing role");
  Options o;
  const std::string_view role = argv[1];
  if (role == "server") o.server = true;
  else if (role != "client") usage("role must be 'server' or 'client'");

  bool have_port = false;
  std::optional<std::uint64_t> count;
  for (int i = 2; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) usage("flag without a value");
    const std::string_view value = argv[++i];
    if (flag == "--port") {
      unsigned p = 0;
      if (!parse_number(value, p) || p == 0 || p > 65535) usage("--port must be 1..65535");
      o.port = static_cast<std::uint16_t>(p);
      have_port = true;
    } else if (flag == "--workload") {
      for (const auto& w : kWorkloads)
        if (w.name == value) o.workload = &w;
      if (o.workload == nullptr) usage("unknown workload");
    } else if (flag == "--count") {
      std::uint64_t n = 0;
      if (!parse_number(value, n) || n == 0) usage("--count must be a positive integer");
      count = n;
    } else if (flag == "--timeout") {
      double t = 0;
      if (!parse_number(value, t) || !(t > 0)) usage("--timeout must be positive seconds");
      o.timeout_s = t;
    } else {
      usage("unknown flag");
    }
  }
  if (!have_port) usage("--port is required");
  if (o.workload == nullptr) usage("--workload is required");
  o.count = count.value_or(o.workload->default_count);
  return o;
}

// ---------------------------------------------------------------------------
// Shared ENet plumbing.

ENetAddress loopback(std::uint16_t port) {
  ENetAddress a{};
  enet_address_set_host_ip(&a, "127.0.0.1");
  a.port = port;
  return a;
}

bool send_reliable(ENetPeer* peer, const void* data, std::size_t len) {
  ENetPacket* p = enet_packet_create(data, len, ENET_PACKET_FLAG_RELIABLE);
  if (p == nullptr) return false;
  if (enet_peer_send(peer, 0, p) < 0) {
    enet_packet_destroy(p);
    return false;
  }
  return true;
}

// Services `host` until a DISCONNECT event or the deadline; incoming packets are discarded.
bool drain_until_disconnect(ENetHost* host, Clock::time_point deadline) {
  ENetEvent ev;
  while (Clock::now() < deadline) {
    const int r = enet_host_service(host, &ev, slice_until(deadline));
    if (r < 0) return false;
    if (r == 0) continue;
    if (ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
    if (ev.type == ENET_EVENT_TYPE_DISCONNECT) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Server: accept one peer, verify the workload, answer with a verdict, exit.

int run_server(const Options& o) {
  const Workload& w = *o.workload;
  double cpu_used = 0.0;
  const auto finish = [&](int rc) {
    std::printf("{\"role\":\"server\",\"cpu_s\":%.6f}\n", cpu_used);
    std::fflush(stdout);
    return rc;
  };

  const ENetAddress addr = loopback(o.port);
  ENetHost* host = enet_host_create(&addr, 1, 1, 0, 0);
  if (host == nullptr) {
    note("server", "cannot bind 127.0.0.1:" + std::to_string(o.port));
    return finish(kExitBind);
  }

  ENetEvent ev;
  ENetPeer* peer = nullptr;
  std::string failure;

  // 1. Wait for the client.
  for (auto deadline = deadline_after(o.timeout_s); peer == nullptr;) {
    if (Clock::now() >= deadline) {
      failure = "timeout waiting for a client";
      break;
    }
    const int r = enet_host_service(host, &ev, slice_until(deadline));
    if (r < 0) {
      failure = "enet_host_service failed";
      break;
    }
    if (r > 0 && ev.type == ENET_EVENT_TYPE_CONNECT) peer = ev.peer;
    else if (r > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
  }

  // 2. Measured phase.  Throughput: from connect until the verdict is sent.
  //    Ping: from the first measured ping until the last echo is sent.
  const std::uint64_t total = w.ping ? kPingWarmup + o.count : o.count;
  std::uint64_t expected = 0;  // next sequence number
  bool verified = false;       // verdict sent (F or X)
  bool bad = false;
  double cpu_start = 0.0;
  bool measuring = false;
  if (peer != nullptr) {
    if (w.lossy) enable_loss(host, 0x5E4E4E4ULL);
    if (!w.ping) {
      cpu_start = outpost::bench::selfCpuSeconds();
      measuring = true;
    }
    const auto deadline = deadline_after(o.timeout_s);
    const auto send_verdict = [&](std::uint8_t v) {
      std::uint8_t msg[kVerdictBytes] = {v};
      for (std::size_t b = 0; b < 8; ++b) msg[1 + b] = static_cast<std::uint8_t>(expected >> (8 * b));
      if (!send_reliable(peer, msg, sizeof msg) && failure.empty()) failure = "cannot queue verdict";
      enet_host_flush(host);
      verified = true;
    };
    while (!verified && failure.empty()) {
      if (Clock::now() >= deadline) {
        failure = "timeout: received " + std::to_string(expected) + " of " + std::to_string(total) + " messages";
        break;
      }
      const int r = enet_host_service(host, &ev, slice_until(deadline));
      if (r < 0) {
        failure = "enet_host_service failed";
        break;
      }
      if (r == 0) continue;
      if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
        failure = "client disconnected early";
        break;
      }
      if (ev.type != ENET_EVENT_TYPE_RECEIVE) continue;

      ENetPacket* pkt = ev.packet;
      if (w.ping && expected == kPingWarmup && !measuring) {
        cpu_start = outpost::bench::selfCpuSeconds();
        measuring = true;
      }
      const bool good = expected < total && check_payload(pkt->data, pkt->dataLength, w.payload_bytes, expected);
      if (good && w.ping) {
        if (!send_reliable(peer, pkt->data, pkt->dataLength)) failure = "cannot queue echo";
        enet_host_flush(host);
      }
      enet_packet_destroy(pkt);
      if (!good) {
        bad = true;
        failure = "bad message at position " + std::to_string(expected);
        send_verdict(kVerdictBad);
        break;
      }
      if (++expected == total) send_verdict(kVerdictOk);
    }
    if (measuring) cpu_used = outpost::bench::selfCpuSeconds() - cpu_start;
    if (!verified && !bad && peer->state == ENET_PEER_STATE_CONNECTED)
      send_verdict(kVerdictBad);  // lets the client fail fast
    // 3. Keep servicing (retransmissions of the verdict) until the client leaves.
    if (peer->state != ENET_PEER_STATE_DISCONNECTED &&
        !drain_until_disconnect(host, deadline_after(std::min(o.timeout_s, kLingerSeconds))))
      note("server", "client did not disconnect cleanly");
  }

  if (w.lossy) report_loss("server");
  enet_host_destroy(host);
  if (!failure.empty()) {
    note("server", failure);
    return finish(kExitFailed);
  }
  return finish(kExitOk);
}

// ---------------------------------------------------------------------------
// Client: connect, drive the workload, print the result row.

struct SendWindow {
  std::size_t queued_bytes = 0;  // payload handed to ENet and not yet released by it
};

void ENET_CALLBACK on_packet_freed(ENetPacket* p) {
  static_cast<SendWindow*>(p->userData)->queued_bytes -= p->dataLength;
}

struct Result {
  std::uint64_t messages = 0;
  double seconds = 0.0;
  double cpu_s = 0.0;
  std::optional<double> p50_us, p99_us;
  bool ok = false;
};

void print_client_row(const Options& o, const Result& r) {
  const Workload& w = *o.workload;
  const double bytes = static_cast<double>(r.messages) * static_cast<double>(w.payload_bytes);
  const double secs = r.seconds > 0 ? r.seconds : 0.0;
  const double mps = secs > 0 ? static_cast<double>(r.messages) / secs : 0.0;
  const double mbps = secs > 0 ? bytes / secs / 1e6 : 0.0;
  char p50[32] = "null", p99[32] = "null";
  if (r.p50_us) std::snprintf(p50, sizeof p50, "%.1f", *r.p50_us);
  if (r.p99_us) std::snprintf(p99, sizeof p99, "%.1f", *r.p99_us);
  std::printf(
      "{\"role\":\"client\",\"workload\":\"%.*s\",\"impl\":\"enet\",\"messages\":%llu,"
      "\"bytes\":%llu,\"seconds\":%.6f,\"msgs_per_s\":%.1f,\"mb_per_s\":%.3f,"
      "\"p50_us\":%s,\"p99_us\":%s,\"cpu_s\":%.6f,\"ok\":%s}\n",
      static_cast<int>(w.name.size()), w.name.data(), static_cast<unsigned long long>(r.messages),
      static_cast<unsigned long long>(r.messages * w.payload_bytes), secs, mps, mbps, p50, p99, r.cpu_s,
      r.ok ? "true" : "false");
  std::fflush(stdout);
}

// Interprets a packet that should be the server's verdict: 'F' or 'X' followed by the
// number of messages the server verified (u64 little endian).  Good only if it is 'F'
// and the server verified exactly as many messages as this client sent.
bool is_good_verdict(const ENetPacket* p, std::uint64_t sent, std::string& failure) {
  if (p->dataLength != kVerdictBytes || (p->data[0] != kVerdictOk && p->data[0] != kVerdictBad)) {
    failure = "unexpected message from server";
    return false;
  }
  std::uint64_t verified = 0;
  for (std::size_t b = 0; b < 8; ++b) verified |= std::uint64_t{p->data[1 + b]} << (8 * b);
  if (p->data[0] == kVerdictOk && verified == sent) return true;
  failure = (p->data[0] == kVerdictOk ? "server verified " : "server rejected the stream after ") +
            std::to_string(verified) + " of " + std::to_string(sent) + " messages";
  return false;
}

// One-way stream of `count` messages with at most kMaxQueuedBytes queued in ENet.
Result run_stream(const Options& o, ENetHost* host, ENetPeer* peer, std::string& failure) {
  const Workload& w = *o.workload;
  SendWindow window;
  Result res;
  std::uint64_t next = 0;
  bool done = false;
  ENetEvent ev;

  const auto can_send = [&] { return next < o.count && window.queued_bytes + w.payload_bytes <= kMaxQueuedBytes; };
  const auto deadline = deadline_after(o.timeout_s);
  const double cpu0 = outpost::bench::selfCpuSeconds();
  const auto t0 = Clock::now();
  while (!done && failure.empty()) {
    while (can_send()) {
      ENetPacket* p = enet_packet_create(nullptr, w.payload_bytes, ENET_PACKET_FLAG_RELIABLE);
      if (p == nullptr) {
        failure = "out of memory";
        break;
      }
      fill_payload(p->data, w.payload_bytes, next);
      p->userData = &window;
      p->freeCallback = on_packet_freed;
      window.queued_bytes += w.payload_bytes;
      if (enet_peer_send(peer, 0, p) < 0) {
        enet_packet_destroy(p);  // runs on_packet_freed
        failure = "enet_peer_send failed";
        break;
      }
      ++next;
    }
    // Non-blocking service: transmit, absorb acks (which release packets), dispatch.
    int r;
    while (failure.empty() && !done && (r = enet_host_service(host, &ev, 0)) != 0) {
      if (r < 0) {
        failure = "enet_host_service failed";
        break;
      }
      if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
        failure = "server disconnected";
        break;
      }
      if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
        done = is_good_verdict(ev.packet, o.count, failure);
        enet_packet_destroy(ev.packet);
      }
    }
    if (done || !failure.empty()) break;
    if (Clock::now() >= deadline) {
      failure = "timeout after sending " + std::to_string(next) + " of " + std::to_string(o.count) + " messages";
      break;
    }
    if (can_send()) continue;
    // Window full or everything sent: sleep until a datagram arrives (at most 1 ms,
    // so ENet's retransmission timers keep running).
    enet_uint32 cond = ENET_SOCKET_WAIT_RECEIVE | ENET_SOCKET_WAIT_INTERRUPT;
    if (enet_socket_wait(host->socket, &cond, 1) < 0) failure = "socket wait failed";
  }
  res.seconds = seconds_between(t0, Clock::now());
  res.cpu_s = outpost::bench::selfCpuSeconds() - cpu0;
  res.messages = done ? o.count : next;
  res.ok = done && failure.empty();
  return res;
}

// Ping-pong: kPingWarmup un-measured round trips, then `count` measured ones.
Result run_ping(const Options& o, ENetHost* host, ENetPeer* peer, std::string& failure) {
  const Workload& w = *o.workload;
  Result res;
  std::vector<double> rtt_us;
  rtt_us.reserve(o.count);
  std::vector<std::uint8_t> msg(w.payload_bytes);
  ENetEvent ev;
  const std::uint64_t total = kPingWarmup + o.count;
  const auto deadline = deadline_after(o.timeout_s);
  double cpu0 = 0.0;
  Clock::time_point t0{};

  for (std::uint64_t seq = 0; seq < total && failure.empty(); ++seq) {
    if (seq == kPingWarmup) {
      cpu0 = outpost::bench::selfCpuSeconds();
      t0 = Clock::now();
    }
    const auto sent_at = Clock::now();
    fill_payload(msg.data(), msg.size(), seq);
    if (!send_reliable(peer, msg.data(), msg.size())) {
      failure = "cannot queue ping";
      break;
    }
    enet_host_flush(host);
    bool answered = false;
    while (!answered && failure.empty()) {
      if (Clock::now() >= deadline) {
        failure = "timeout waiting for echo " + std::to_string(seq);
        break;
      }
      const int r = enet_host_service(host, &ev, slice_until(deadline));
      if (r < 0) {
        failure = "enet_host_service failed";
        break;
      }
      if (r == 0) continue;
      if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
        failure = "server disconnected";
        break;
      }
      if (ev.type != ENET_EVENT_TYPE_RECEIVE) continue;
      const auto got_at = Clock::now();
      if (check_payload(ev.packet->data, ev.packet->dataLength, w.payload_bytes, seq)) {
        answered = true;
        if (seq >= kPingWarmup) rtt_us.push_back(std::chrono::duration<double, std::micro>(got_at - sent_at).count());
      } else {
        is_good_verdict(ev.packet, total, failure);  // an early 'X', or garbage
        if (failure.empty()) failure = "bad echo for ping " + std::to_string(seq);
      }
      enet_packet_destroy(ev.packet);
    }
  }
  if (t0 != Clock::time_point{}) {
    res.seconds = seconds_between(t0, Clock::now());
    res.cpu_s = outpost::bench::selfCpuSeconds() - cpu0;
  }
  res.messages = rtt_us.size();

  // The verdict follows the last echo; it is not part of the measured phase.
  bool verdict = false;
  while (!verdict && failure.empty()) {
    if (Clock::now() >= deadline) {
      failure = "timeout waiting for verdict";
      break;
    }
    const int r = enet_host_service(host, &ev, slice_until(deadline));
    if (r < 0) {
      failure = "enet_host_service failed";
      break;
    }
    if (r == 0) continue;
    if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
      failure = "server disconnected";
      break;
    }
    if (ev.type != ENET_EVENT_TYPE_RECEIVE) continue;
    verdict = is_good_verdict(ev.packet, total, failure);
    enet_packet_destroy(ev.packet);
  }

  if (!rtt_us.empty()) {
    std::sort(rtt_us.begin(), rtt_us.end());
    res.p50_us = percentile(rtt_us, 0.50);
    res.p99_us = percentile(rtt_us, 0.99);
  }
  res.ok = verdict && failure.empty() && rtt_us.size() == o.count;
  return res;
}

int run_client(const Options& o) {
  const Workload& w = *o.workload;
  std::string failure;
  Result res;

  const ENetAddress local = loopback(0);
  ENetHost* host = enet_host_create(&local, 1, 1, 0, 0);
  if (host == nullptr) {
    note("client", "cannot create ENet host");
    print_client_row(o, res);
    return kExitFailed;
  }
  const ENetAddress server = loopback(o.port);
  ENetPeer* peer = enet_host_connect(host, &server, 1, 0);
  bool connected = false;
  if (peer == nullptr) failure = "enet_host_connect failed";

  ENetEvent ev;
  for (auto deadline = deadline_after(o.timeout_s); peer != nullptr && !connected;) {
    if (Clock::now() >= deadline) {
      failure = "timeout connecting";
      break;
    }
    const int r = enet_host_service(host, &ev, slice_until(deadline));
    if (r < 0) {
      failure = "enet_host_service failed";
      break;
    }
    if (r > 0 && ev.type == ENET_EVENT_TYPE_CONNECT) connected = true;
    if (r > 0 && ev.type == ENET_EVENT_TYPE_DISCONNECT) {
      failure = "connection refused/timed out";
      break;
    }
    if (r > 0 && ev.type == ENET_EVENT_TYPE_RECEIVE) enet_packet_destroy(ev.packet);
  }

  if (connected) {
    if (w.lossy) enable_loss(host, 0xC11E47ULL);
    res = w.ping ? run_ping(o, host, peer, failure) : run_stream(o, host, peer, failure);
    if (peer->state != ENET_PEER_STATE_DISCONNECTED) {
      enet_peer_disconnect(peer, 0);
      if (!drain_until_disconnect(host, deadline_after(std::min(o.timeout_s, kLingerSeconds)))) enet_peer_reset(peer);
    }
  }
  if (w.lossy) report_loss("client");
  enet_host_destroy(host);

  if (!failure.empty()) {
    note("client", failure);
    res.ok = false;
  }
  print_client_row(o, res);
  return res.ok ? kExitOk : kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse_args(argc, argv);
  if (enet_initialize() != 0) {
    note(o.server ? "server" : "client", "enet_initialize failed");
    return kExitFailed;
  }
  const int rc = o.server ? run_server(o) : run_client(o);
  enet_deinitialize();
  return rc;
}
