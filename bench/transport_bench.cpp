// transport_bench: the Outpost side of `bench/run transport` (contract in bench/README.md).
// One binary, two roles: `server` accepts one connection and verifies every message; `client`
// drives a workload (tput_64, tput_4k, ping_32, loss10_64) and prints one JSON row. Encryption
// is on (the default). By default the SDK's service thread does the I/O; with
// OUTPOST_BENCH_MODE=manual the process drives I/O itself through poll(), like ENet's
// single-threaded model. Loss for loss10_64 is the SDK's own receive-side fake loss
// (FAKE_PACKET_LOSS_RECV = 10 on both sides, set once connected).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "outpost/networking_sockets.h"

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

double cpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
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
  double cpu0 = cpuSeconds();
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
        if (expected == kPingWarmup) cpu0 = cpuSeconds();
        s.net.sendMessageToConnection(s.conn, m.payload, NETWORKING_SEND_RELIABLE_NO_NAGLE);
      }
      ++expected;
    }
    if (n == 0) waitIo(s.net, 1);
  }
  std::string reply = std::string(failed || expected != total ? "X" : "F") + std::to_string(expected);
  s.net.sendMessageToConnection(s.conn, {reinterpret_cast<const uint8_t*>(reply.data()), reply.size()},
                                NETWORKING_SEND_RELIABLE_NO_NAGLE);
  cpu_end = cpuSeconds();
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
  if (w.loss) s.net.setGlobalConfigValueFloat(NETWORKING_CONFIG_FAKE_PACKET_LOSS_RECV, 10.f);

  std::vector<uint8_t> msg(w.payload);
  std::vector<double> rtts;
  MessageBatch batch;
  uint64_t done = 0;
  double cpu0 = cpuSeconds();
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
    if (failure.empty() && final_reply != "F" + std::to_string(w.count))
      failure = "server reported " + final_reply;
  } else if (failure.empty()) {
    uint64_t total = w.count + kPingWarmup;
    for (uint64_t seq = 0; seq < total && failure.empty(); ++seq) {
      if (seq == kPingWarmup) {
        cpu0 = cpuSeconds();
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
      if (seq >= kPingWarmup)
        rtts.push_back(std::chrono::duration<double, std::micro>(Clock::now() - sent_at).count());
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
  double cpu = cpuSeconds() - cpu0;
  double seconds = std::chrono::duration<double>(t_end - t0).count();
  s.net.closeConnection(s.conn, 0, "done", true);
  for (int i = 0; i < 50; ++i) waitIo(s.net, 2);  // let the close go out

  char p50[32] = "null", p99[32] = "null";
  if (!rtts.empty()) {
    std::sort(rtts.begin(), rtts.end());
    auto rank = [&](double q) { return rtts[std::min(rtts.size() - 1, static_cast<size_t>(q * rtts.size()))]; };
    std::snprintf(p50, sizeof p50, "%.1f", rank(0.50));
    std::snprintf(p99, sizeof p99, "%.1f", rank(0.99));
  }
  if (!failure.empty()) std::fprintf(stderr, "client: %s\n", failure.c_str());
  auto counters = s.net.getTransportCounters();
  std::fprintf(stderr, "client: datagrams sent %llu, received %llu, dropped %llu\n",
               static_cast<unsigned long long>(counters["datagrams_sent"]),
               static_cast<unsigned long long>(counters["datagrams_received"]),
               static_cast<unsigned long long>(counters["dropped_total"]));
  std::printf(
      "{\"role\":\"client\",\"workload\":\"%s\",\"impl\":\"outpost\",\"mode\":\"%s\",\"messages\":%llu,"
      "\"bytes\":%llu,\"seconds\":%.6f,\"msgs_per_s\":%.1f,\"mb_per_s\":%.3f,\"p50_us\":%s,\"p99_us\":%s,"
      "\"cpu_s\":%.6f,\"ok\":%s}\n",
      w.name.c_str(), manualMode() ? "manual" : "thread", static_cast<unsigned long long>(done),
      static_cast<unsigned long long>(done * w.payload), seconds, seconds > 0 ? done / seconds : 0.0,
      seconds > 0 ? done * w.payload / seconds / 1e6 : 0.0, p50, p99, cpu, failure.empty() ? "true" : "false");
  return failure.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: transport_bench server|client --port P --workload W [--count N] [--timeout S]\n");
    return 2;
  }
  std::string role = argv[1];
  int port = 0, timeout_s = 60;
  long long count = -1;
  Workload w;
  bool have_workload = false;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--port") port = std::atoi(argv[i + 1]);
    else if (k == "--workload") have_workload = parseWorkload(argv[i + 1], w);
    else if (k == "--count") count = std::atoll(argv[i + 1]);
    else if (k == "--timeout") timeout_s = std::atoi(argv[i + 1]);
  }
  if (port <= 0 || port > 65535 || !have_workload || (role != "server" && role != "client")) {
    std::fprintf(stderr, "transport_bench: bad arguments\n");
    return 2;
  }
  if (count > 0) w.count = static_cast<uint64_t>(count);
  return role == "server" ? runServer(port, w, timeout_s) : runClient(port, w, timeout_s);
}
