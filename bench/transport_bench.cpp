// transport_bench: the Outpost side of `bench/run transport` (contract in bench/README.md).
// One binary, two roles: `server` accepts one connection and verifies every message; `client`
// drives a workload (tput_64, tput_4k, ping_32, loss10_64) and prints one JSON row. Encryption
// is on (the default). By default the SDK's service thread does the I/O; with
// OUTPOST_BENCH_MODE=manual the process drives I/O itself through poll(), like ENet's
// single-threaded model. Loss for loss10_64 is the SDK's own receive-side fake loss
// (FAKE_PACKET_LOSS_RECV = 10 on both sides, set once connected). Both ends trust each other
// (trustConnection) as soon as the connection is up, so the configured buffers apply, not the
// untrusted budget. Flags are parsed strictly (an error names the flag and its range);
// percentiles are nearest-rank (bench_json.h); on failure `messages` is what the server
// confirmed it received and checked (null if it never answered).

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_json.h"
#include "outpost/networking_sockets.h"
#include "proc_usage.h"

using namespace outpost;
using Clock = std::chrono::steady_clock;

namespace {

struct Workload {
  std::string name;
  size_t payload = 64;
  uint64_t count = 0;
  bool ping = false;
  bool loss = false;
};

constexpr uint64_t kPingWarmup = 200;

bool parseWorkload(const std::string& name, Workload& w) {
  w.name = name;
  if (name == "tput_64") w.payload = 64, w.count = 200000;
  else if (name == "tput_4k") w.payload = 4096, w.count = 20000;
  else if (name == "ping_32") w.payload = 32, w.count = 10000, w.ping = true;
  else if (name == "loss10_64") w.payload = 64, w.count = 20000, w.loss = true;
  else return false;
  return true;
}

void fillPayload(uint8_t* p, size_t len, uint64_t seq) {
  for (size_t b = 0; b < 8 && b < len; ++b) p[b] = static_cast<uint8_t>(seq >> (8 * b));
  for (size_t i = 8; i < len; ++i) p[i] = static_cast<uint8_t>(seq * 7 + i);
}

bool checkPayload(std::span<const uint8_t> p, size_t len, uint64_t seq) {
  if (p.size() != len) return false;
  for (size_t b = 0; b < 8 && b < len; ++b)
    if (p[b] != static_cast<uint8_t>(seq >> (8 * b))) return false;
  for (size_t i = 8; i < len; ++i)
    if (p[i] != static_cast<uint8_t>(seq * 7 + i)) return false;
  return true;
}

bool manualMode() {
  const char* m = std::getenv("OUTPOST_BENCH_MODE");
  return m && std::string(m) == "manual";
}

// Waits for network activity: poll() in manual mode drives the I/O itself.
void waitIo(NetworkingSockets& net, int ms) { net.poll(ms); }

struct Session {
  NetworkingSockets net;
  uint32_t conn = 0;
  int state = CONNECTION_STATE_NONE;
  explicit Session(bool manual) : net(manual ? NetworkingSocketsOptions::manual() : NetworkingSocketsOptions{}) {}
};

bool waitConnected(Session& s, Clock::time_point deadline) {
  while (Clock::now() < deadline) {
    s.net.runNetworkingCallbacks();
    if (s.state == CONNECTION_STATE_CONNECTED) return true;
    if (s.state == CONNECTION_STATE_CLOSED_BY_PEER || s.state == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY)
      return false;
    waitIo(s.net, 5);
  }
  return false;
}

int runServer(int port, const Workload& w, int timeout_s) {
  Session s(manualMode());
  s.net.connect_network_connection_status_changed([&](const NetworkConnectionStatusChanged& c) {
    if (c.connection.connection_state == CONNECTION_STATE_CONNECTING) {
      s.conn = c.connect_handle;
      s.net.acceptConnection(c.connect_handle);
      s.net.trustConnection(c.connect_handle);  // the benchmark's own client
    }
    if (c.connect_handle == s.conn) s.state = c.connection.connection_state;
  });
  uint32_t listen = s.net.createListenSocketIP("127.0.0.1:" + std::to_string(port));
  if (!listen) {
    std::printf("{\"role\":\"server\",\"cpu_s\":0}\n");
    return 3;
  }
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  if (!waitConnected(s, deadline)) {
    std::fprintf(stderr, "server: no connection\n");
    std::printf("{\"role\":\"server\",\"cpu_s\":0}\n");
    return 1;
  }
  if (w.loss) s.net.setGlobalConfigValueFloat(NETWORKING_CONFIG_FAKE_PACKET_LOSS_RECV, 10.f);
  double cpu0 = bench::selfCpuSeconds();
  double cpu_end = cpu0;
  MessageBatch batch;
  uint64_t expected = 0;
  uint64_t total = w.ping ? w.count + kPingWarmup : w.count;
  bool failed = false;
  while (expected < total && !failed && Clock::now() < deadline) {
    int n = s.net.receiveMessagesOnConnection(s.conn, batch, 512);
    if (n < 0) {
      failed = true;
      break;
    }
    for (int i = 0; i < n; ++i) {
      const MessageView& m = batch[static_cast<size_t>(i)];
      if (!checkPayload(m.payload, w.payload, expected)) {
        std::fprintf(stderr, "server: bad message %llu\n", static_cast<unsigned long long>(expected));
        failed = true;
        break;
      }
      if (w.ping) {
        if (expected == kPingWarmup) cpu0 = bench::selfCpuSeconds();
        s.net.sendMessageToConnection(s.conn, m.payload, NETWORKING_SEND_RELIABLE_NO_NAGLE);
      }
      ++expected;
    }
    if (n == 0) waitIo(s.net, 1);
  }
  std::string reply = std::string(failed || expected != total ? "X" : "F") + std::to_string(expected);
  s.net.sendMessageToConnection(s.conn, {reinterpret_cast<const uint8_t*>(reply.data()), reply.size()},
                                NETWORKING_SEND_RELIABLE_NO_NAGLE);
  cpu_end = bench::selfCpuSeconds();
  // Keep serving until the client closes, so the reply can be retransmitted (bounded).
  auto linger = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < linger) {
    s.net.runNetworkingCallbacks();
    if (s.state != CONNECTION_STATE_CONNECTED) break;
    waitIo(s.net, 5);
  }
  auto counters = s.net.getTransportCounters();
  std::fprintf(stderr, "server: datagrams sent %llu, received %llu, dropped %llu\n",
               static_cast<unsigned long long>(counters["datagrams_sent"]),
               static_cast<unsigned long long>(counters["datagrams_received"]),
               static_cast<unsigned long long>(counters["dropped_total"]));
  std::printf("{\"role\":\"server\",\"cpu_s\":%.6f}\n", cpu_end - cpu0);
  return failed || expected != total ? 1 : 0;
}

int runClient(int port, const Workload& w, int timeout_s) {
  Session s(manualMode());
  s.net.connect_network_connection_status_changed([&](const NetworkConnectionStatusChanged& c) {
    if (c.connect_handle == s.conn) s.state = c.connection.connection_state;
  });
  s.conn = s.net.connectByIPAddress("127.0.0.1:" + std::to_string(port));
  auto deadline = Clock::now() + std::chrono::seconds(timeout_s);
  std::string failure;
  if (!waitConnected(s, deadline)) failure = "could not connect";
  else s.net.trustConnection(s.conn);
  if (w.loss) s.net.setGlobalConfigValueFloat(NETWORKING_CONFIG_FAKE_PACKET_LOSS_RECV, 10.f);

  std::vector<uint8_t> msg(w.payload);
  std::vector<double> rtts;
  MessageBatch batch;
  uint64_t done = 0;
  double cpu0 = bench::selfCpuSeconds();
  auto t0 = Clock::now();
  auto t_end = t0;
  std::string final_reply;

  if (failure.empty() && !w.ping) {
    for (uint64_t seq = 0; seq < w.count && failure.empty();) {
      fillPayload(msg.data(), msg.size(), seq);
      SendResult r = s.net.sendMessageToConnection(s.conn, msg, NETWORKING_SEND_RELIABLE);
      if (r.result == RESULT_OK) {
        ++seq;
        if ((seq & 1023) == 0 && manualMode()) s.net.poll(0);
      } else if (r.result == RESULT_LIMIT_EXCEEDED) {
        waitIo(s.net, 1);
      } else {
        failure = "send failed with result " + std::to_string(r.result);
      }
      if (Clock::now() > deadline) failure = "timeout while sending";
    }
    s.net.flushMessagesOnConnection(s.conn);
    while (failure.empty() && final_reply.empty()) {
      int n = s.net.receiveMessagesOnConnection(s.conn, batch, 16);
      if (n > 0) {
        auto p = batch[0].payload;
        final_reply.assign(reinterpret_cast<const char*>(p.data()), p.size());
        break;
      }
      if (Clock::now() > deadline) failure = "timeout waiting for the final reply";
      waitIo(s.net, 1);
    }
    t_end = Clock::now();
    done = w.count;
    if (failure.empty() && final_reply != "F" + std::to_string(w.count)) failure = "server reported " + final_reply;
  } else if (failure.empty()) {
    uint64_t total = w.count + kPingWarmup;
    for (uint64_t seq = 0; seq < total && failure.empty(); ++seq) {
      if (seq == kPingWarmup) {
        cpu0 = bench::selfCpuSeconds();
        t0 = Clock::now();
      }
      fillPayload(msg.data(), msg.size(), seq);
      auto sent_at = Clock::now();
      s.net.sendMessageToConnection(s.conn, msg, NETWORKING_SEND_RELIABLE_NO_NAGLE);
      for (;;) {
        int n = s.net.receiveMessagesOnConnection(s.conn, batch, 1);
        if (n > 0) {
          if (!checkPayload(batch[0].payload, w.payload, seq)) failure = "bad echo " + std::to_string(seq);
          break;
        }
        if (Clock::now() > deadline) {
          failure = "timeout waiting for echo " + std::to_string(seq);
          break;
        }
        waitIo(s.net, 1);
      }
      if (seq >= kPingWarmup) rtts.push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent_at).count());
    }
    t_end = Clock::now();
    done = rtts.size();
    while (failure.empty() && final_reply.empty()) {
      int n = s.net.receiveMessagesOnConnection(s.conn, batch, 16);
      if (n > 0) {
        auto p = batch[0].payload;
        final_reply.assign(reinterpret_cast<const char*>(p.data()), p.size());
        break;
      }
      if (Clock::now() > deadline) failure = "timeout waiting for the final reply";
      waitIo(s.net, 1);
    }
    if (failure.empty() && final_reply != "F" + std::to_string(total)) failure = "server reported " + final_reply;
  }
  double cpu = bench::selfCpuSeconds() - cpu0;
  double seconds = std::chrono::duration<double>(t_end - t0).count();
  // On failure, count what was delivered: the server's final reply ("F<n>"/"X<n>") says how many
  // messages it received and checked; without a reply nothing is known to have arrived.
  bool delivered_known = true;
  if (!failure.empty()) {
    if (final_reply.size() > 1 && (final_reply[0] == 'F' || final_reply[0] == 'X')) {
      uint64_t checked = std::strtoull(final_reply.c_str() + 1, nullptr, 10);
      uint64_t warmup = w.ping ? std::min<uint64_t>(checked, kPingWarmup) : 0;
      done = w.ping ? std::min<uint64_t>(done, checked - warmup) : checked;
    } else if (!w.ping) {
      delivered_known = false;
    }
  }
  s.net.closeConnection(s.conn, 0, "done", true);
  for (int i = 0; i < 50; ++i) waitIo(s.net, 2);  // let the close go out

  std::string p50 = "null", p99 = "null";
  if (!rtts.empty()) {
    p50 = outpost::bench::num(outpost::bench::percentile(rtts, 50), 1);
    p99 = outpost::bench::num(outpost::bench::percentile(rtts, 99), 1);
  }
  std::string messages = delivered_known ? std::to_string(done) : "null";
  std::string bytes = delivered_known ? std::to_string(done * w.payload) : "null";
  std::string msgs_per_s = delivered_known && seconds > 0 ? outpost::bench::num(done / seconds, 1) : "null";
  std::string mb_per_s =
      delivered_known && seconds > 0 ? outpost::bench::num(done * w.payload / seconds / 1e6, 3) : "null";
  if (!failure.empty()) std::fprintf(stderr, "client: %s\n", failure.c_str());
  auto counters = s.net.getTransportCounters();
  std::fprintf(stderr, "client: datagrams sent %llu, received %llu, dropped %llu\n",
               static_cast<unsigned long long>(counters["datagrams_sent"]),
               static_cast<unsigned long long>(counters["datagrams_received"]),
               static_cast<unsigned long long>(counters["dropped_total"]));
  std::printf(
      "{\"role\":\"client\",\"workload\":\"%s\",\"impl\":\"outpost\",\"mode\":\"%s\",\"messages\":%s,"
      "\"bytes\":%s,\"seconds\":%.6f,\"msgs_per_s\":%s,\"mb_per_s\":%s,\"p50_us\":%s,\"p99_us\":%s,"
      "\"cpu_s\":%.6f,\"ok\":%s}\n",
      w.name.c_str(), manualMode() ? "manual" : "thread", messages.c_str(), bytes.c_str(), seconds, msgs_per_s.c_str(),
      mb_per_s.c_str(), p50.c_str(), p99.c_str(), cpu, failure.empty() ? "true" : "false");
  return failure.empty() ? 0 : 1;
}

// Strict flag parsing: every flag known, every value present and in range; an error names the
// flag and what it accepts (exit status 2, the contract's usage error).
[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "transport_bench: %s\n", why.c_str());
  std::fprintf(stderr,
               "usage: transport_bench server|client --port P --workload W [--count N] [--timeout S]\n"
               "  --port 1..65535  --workload tput_64|tput_4k|ping_32|loss10_64  --count 1..1000000000"
               "  --timeout 1..3600 (seconds)\n");
  std::exit(2);
}

long long intFlag(const std::string& flag, const char* text, long long lo, long long hi) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text, &end, 10);
  if (!*text || *end || errno == ERANGE || v < lo || v > hi)
    usage(flag + " \"" + text + "\" is not an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage("missing the role (server or client)");
  std::string role = argv[1];
  if (role != "server" && role != "client") usage("the role is \"" + role + "\"; expected server or client");
  int port = 0, timeout_s = 60;
  long long count = -1;
  Workload w;
  bool have_workload = false;
  for (int i = 2; i < argc; i += 2) {
    std::string k = argv[i];
    if (k != "--port" && k != "--workload" && k != "--count" && k != "--timeout") usage("unknown flag " + k);
    if (i + 1 >= argc) usage(k + " needs a value");
    const char* v = argv[i + 1];
    if (k == "--port") port = static_cast<int>(intFlag(k, v, 1, 65535));
    else if (k == "--count") count = intFlag(k, v, 1, 1000000000);
    else if (k == "--timeout") timeout_s = static_cast<int>(intFlag(k, v, 1, 3600));
    else if (!(have_workload = parseWorkload(v, w)))
      usage(std::string("--workload \"") + v + "\" is not one of tput_64, tput_4k, ping_32, loss10_64");
  }
  if (port == 0) usage("--port is required");
  if (!have_workload) usage("--workload is required");
  if (count > 0) w.count = static_cast<uint64_t>(count);
  return role == "server" ? runServer(port, w, timeout_s) : runClient(port, w, timeout_s);
}
