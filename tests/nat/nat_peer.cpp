// nat_peer: a small program on the public SDK that the NAT test bed (tests/nat/nat_test.cpp) and
// `bench/run p2p` start inside network namespaces (`ip netns exec`). It logs on to a real
// outpost-hub as a player and either listens for P2P connections on a virtual port (accepting
// each and echoing every message back) or connects P2P to a Steam ID, sends a message, waits for
// the echo, and reports. One line per event on stdout:
//   ready steam_id=<id>                      logged on
//   listening                                the hub confirmed the listen socket
//   accepted remote=<addr>                   (listener) a connection came in
//   connected us=<setup> remote=<addr>       (connector) connectP2P -> CONNECTED, microseconds
//   echo ok us=<round trip>                  (connector) the message came back
//   failed reason=<end reason> ms=<t> debug=<text>
//   hub_rtt_us=<us>                          (connector, --hub-rtt) STUN round trips to the hub port
// Exit status 0 when every connection connected and echoed, 1 otherwise, 2 on bad arguments.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/address.h"
#include "outpost/networking_sockets.h"
#include "outpost/user.h"
#include "stun/stun.h"

using namespace outpost;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string hub, hub_key, user, password;
  uint32_t app = 480;
  int listen = -1;
  uint64_t connect = 0;
  int vport = 0;
  int count = 1;
  int timeout_ms = 15000;
  int hub_rtt = 0;      // STUN round trips to measure
  int fake_lag_ms = 0;  // FAKE_PACKET_LAG_SEND for this process (every datagram it sends)
  int interval_ms = 0;  // between the starts of successive connections (--count)
};

int64_t msSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t).count();
}

// Median of `n` STUN round trips from a plain UDP socket to the hub port, in microseconds.
int64_t hubRttUs(const std::string& hub, int n) {
  auto addr = base::SocketAddress::parse(hub, true);
  if (!addr) return -1;
  int fd = ::socket(addr->family(), SOCK_DGRAM, 0);
  std::vector<int64_t> samples;
  for (int i = 0; i < n; ++i) {
    std::array<uint8_t, 12> txn{};
    for (auto& b : txn) b = static_cast<uint8_t>(std::rand());
    uint8_t req[64];
    size_t len = stun::writeBindingRequest(txn, req);
    auto t = Clock::now();
    ::sendto(fd, req, len, 0, addr->sa(), addr->len());
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 1000) <= 0) continue;
    uint8_t buf[256];
    if (::recv(fd, buf, sizeof buf, 0) > 0) samples.push_back(msSince(t));
  }
  ::close(fd);
  if (samples.empty()) return -1;
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--hub") a.hub = v;
    else if (k == "--hub-key") a.hub_key = v;
    else if (k == "--user") a.user = v;
    else if (k == "--password") a.password = v;
    else if (k == "--app") a.app = static_cast<uint32_t>(std::stoul(v));
    else if (k == "--listen") a.listen = std::stoi(v);
    else if (k == "--connect") a.connect = std::stoull(v);
    else if (k == "--vport") a.vport = std::stoi(v);
    else if (k == "--count") a.count = std::stoi(v);
    else if (k == "--timeout-ms") a.timeout_ms = std::stoi(v);
    else if (k == "--hub-rtt") a.hub_rtt = std::stoi(v);
    else if (k == "--fake-lag-ms") a.fake_lag_ms = std::stoi(v);
    else if (k == "--interval-ms") a.interval_ms = std::stoi(v);
    else {
      std::fprintf(stderr, "nat_peer: unknown argument %s\n", k.c_str());
      return 2;
    }
  }
  if (a.hub.empty() || a.user.empty() || (a.listen < 0 && !a.connect)) {
    std::fprintf(stderr,
                 "usage: nat_peer --hub ADDR --hub-key HEX --user NAME --password PW "
                 "(--listen VPORT | --connect STEAMID --vport N [--count N] [--hub-rtt N])\n");
    return 2;
  }
  setvbuf(stdout, nullptr, _IOLBF, 0);
  NetworkingSockets net;
  if (a.fake_lag_ms > 0) net.setGlobalConfigValueInt32(NETWORKING_CONFIG_FAKE_PACKET_LAG_SEND, a.fake_lag_ms);
  User user;
  user.certifyNetworkingSockets(net);
  user.setHub(a.hub, a.hub_key);
  int r = user.logOn(a.user, a.password, a.app);
  if (r != RESULT_OK) {
    std::printf("failed reason=logon result=%d\n", r);
    return 1;
  }
  std::printf("ready steam_id=%llu\n", static_cast<unsigned long long>(user.getSteamID()));
  auto deadline = Clock::now() + std::chrono::milliseconds(a.timeout_ms);

  if (a.listen >= 0) {
    uint32_t ls = net.createListenSocketP2P(a.listen);
    if (!ls) return 1;
    bool said = false;
    uint32_t group = net.createPollGroup();
    std::vector<uint32_t> conns;
    net.connect_network_connection_status_changed([&](const NetworkConnectionStatusChanged& s) {
      if (s.connection.listen_socket && s.connection.connection_state == CONNECTION_STATE_CONNECTING) {
        net.acceptConnection(s.connect_handle);
        net.setConnectionPollGroup(s.connect_handle, group);
        std::printf("accepted remote=%s\n", s.connection.remote_address.c_str());
      } else if (s.connection.connection_state == CONNECTION_STATE_CLOSED_BY_PEER ||
                 s.connection.connection_state == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
        net.closeConnection(s.connect_handle, 0, "", false);
      }
    });
    while (Clock::now() < deadline) {
      net.runNetworkingCallbacks();
      if (!said && net.getTransportCounters()["p2p.signal_received.listen_result"] >= 1) {
        std::printf("listening\n");
        said = true;
      }
      for (auto& m : net.receiveMessagesOnPollGroup(group, 32))
        net.sendMessageToConnection(m.connection, m.payload, NETWORKING_SEND_RELIABLE_NO_NAGLE);
      net.waitForActivity(5);
    }
    return 0;
  }

  if (a.hub_rtt > 0) std::printf("hub_rtt_us=%lld\n", static_cast<long long>(hubRttUs(a.hub, a.hub_rtt)));
  int ok = 0;
  auto last_start = Clock::now();
  for (int i = 0; i < a.count && Clock::now() < deadline; ++i) {
    if (i > 0 && a.interval_ms > 0)
      std::this_thread::sleep_until(last_start + std::chrono::milliseconds(a.interval_ms));
    auto started = Clock::now();
    last_start = started;
    uint32_t h = net.connectP2P(a.connect, a.vport);
    int state = CONNECTION_STATE_CONNECTING;
    std::optional<ConnectionInfo> info;
    while (Clock::now() < deadline) {
      net.runNetworkingCallbacks();
      info = net.getConnectionInfo(h);
      state = info ? info->connection_state : CONNECTION_STATE_NONE;
      if (state != CONNECTION_STATE_CONNECTING && state != CONNECTION_STATE_FINDING_ROUTE) break;
      net.waitForActivity(1);
    }
    if (state != CONNECTION_STATE_CONNECTED) {
      std::printf("failed reason=%d ms=%lld debug=%s\n", info ? info->end_reason : -1,
                  static_cast<long long>(msSince(started) / 1000), info ? info->end_debug.c_str() : "");
      net.closeConnection(h, 0, "", false);
      continue;
    }
    std::printf("connected us=%lld remote=%s\n", static_cast<long long>(msSince(started)),
                info->remote_address.c_str());
    std::string ping = "ping " + std::to_string(i);
    auto ping_sent = Clock::now();
    net.sendMessageToConnection(h, std::vector<uint8_t>(ping.begin(), ping.end()), NETWORKING_SEND_RELIABLE_NO_NAGLE);
    bool echoed = false;
    while (!echoed && Clock::now() < deadline) {
      for (auto& m : net.receiveMessagesOnConnection(h, 4))
        echoed = echoed || std::string(m.payload.begin(), m.payload.end()) == ping;
      if (!echoed) net.waitForActivity(5);
    }
    if (echoed) {
      std::printf("echo ok us=%lld\n", static_cast<long long>(msSince(ping_sent)));
      ++ok;
    }
    net.closeConnection(h, 0, "done", true);
  }
  return ok == a.count ? 0 : 1;
}
