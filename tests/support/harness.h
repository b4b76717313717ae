// Test harness for integration tests: a Peer wraps a real NetworkingSockets instance (real UDP
// on 127.0.0.1 or ::1), records every status callback, optionally accepts incoming connections,
// and pumps callbacks until a condition holds or a bounded time passes. Also a FakeNetScope that
// sets the process-wide fake network for one test and restores it afterwards.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <string>
#include <thread>
#include <vector>

#include "outpost/networking_sockets.h"

namespace outpost::test {

using Ms = std::chrono::milliseconds;

struct Peer {
  NetworkingSockets net;
  std::vector<NetworkConnectionStatusChanged> events;
  bool auto_accept = true;
  std::vector<uint32_t> incoming;  // handles seen in CONNECTING on a listen socket

  explicit Peer(bool auto_accept_incoming = true, NetworkingSocketsOptions o = {})
      : net(o), auto_accept(auto_accept_incoming) {
    net.connect_network_connection_status_changed([this](const NetworkConnectionStatusChanged& s) {
      events.push_back(s);
      if (s.connection.listen_socket != 0 && s.connection.connection_state == CONNECTION_STATE_CONNECTING &&
          s.old_state == CONNECTION_STATE_NONE) {
        incoming.push_back(s.connect_handle);
        if (auto_accept) net.acceptConnection(s.connect_handle);
      }
    });
  }

  int state(uint32_t h) {
    auto i = net.getConnectionInfo(h);
    return i ? i->connection_state : CONNECTION_STATE_NONE;
  }
  // The last state a callback reported for h (NONE if none).
  int reportedState(uint32_t h) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->connect_handle == h) return it->connection.connection_state;
    return CONNECTION_STATE_NONE;
  }
  const NetworkConnectionStatusChanged* lastEvent(uint32_t h) const {
    for (auto it = events.rbegin(); it != events.rend(); ++it)
      if (it->connect_handle == h) return &*it;
    return nullptr;
  }
};

// Runs callbacks on every peer until `done` returns true or `limit` passes. Returns done().
inline bool pumpUntil(std::initializer_list<Peer*> peers, const std::function<bool()>& done, Ms limit = Ms(10000)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    for (Peer* p : peers) p->net.runNetworkingCallbacks();
    if (done()) return true;
    (*peers.begin())->net.waitForActivity(2);
  }
  for (Peer* p : peers) p->net.runNetworkingCallbacks();
  return done();
}

struct Link {
  uint32_t listen = 0;
  uint32_t client = 0;  // handle on the client peer
  uint32_t server = 0;  // handle on the server peer
  std::string address;
};

// Opens a listen socket on `bind` (default 127.0.0.1, ephemeral port), connects and waits until
// both ends are CONNECTED. Both applications then trust each other (trustConnection), so the
// connection has its configured budget; pass trust = false to keep the untrusted one.
inline Link connectPeers(Peer& server, Peer& client, const std::string& bind = "127.0.0.1:0",
                         const ConfigOptions& listen_options = {}, const ConfigOptions& connect_options = {},
                         bool trust = true) {
  Link l;
  l.listen = server.net.createListenSocketIP(bind, listen_options);
  EXPECT_NE(l.listen, 0u);
  l.address = server.net.getListenSocketAddress(l.listen, true);
  size_t before = server.incoming.size();
  l.client = client.net.connectByIPAddress(l.address, connect_options);
  EXPECT_NE(l.client, 0u);
  bool ok = pumpUntil({&client, &server}, [&] {
    return server.incoming.size() > before && client.reportedState(l.client) == CONNECTION_STATE_CONNECTED &&
           server.reportedState(server.incoming.back()) == CONNECTION_STATE_CONNECTED;
  });
  EXPECT_TRUE(ok) << "connection to " << l.address << " did not come up";
  if (server.incoming.size() > before) l.server = server.incoming.back();
  if (ok && trust) {
    EXPECT_TRUE(server.net.trustConnection(l.server));
    EXPECT_TRUE(client.net.trustConnection(l.client));
  }
  return l;
}

inline std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

// Sets fake-network values for the test's duration and resets them afterwards.
class FakeNetScope {
 public:
  explicit FakeNetScope(std::initializer_list<std::pair<int, float>> floats,
                        std::initializer_list<std::pair<int, int32_t>> ints = {}) {
    NetworkingSockets probe(NetworkingSocketsOptions::manual());
    for (auto [id, v] : floats) {
      probe.setGlobalConfigValueFloat(id, v);
      floats_.push_back(id);
    }
    for (auto [id, v] : ints) {
      probe.setGlobalConfigValueInt32(id, v);
      ints_.push_back(id);
    }
  }
  ~FakeNetScope() {
    NetworkingSockets probe(NetworkingSocketsOptions::manual());
    for (int id : floats_) probe.setGlobalConfigValueFloat(id, 0.f);
    for (int id : ints_) {
      auto info = NetworkingSockets::listConfigValues();
      for (auto& d : info)
        if (d.id == id) probe.setGlobalConfigValueInt32(id, static_cast<int32_t>(d.default_value));
    }
  }

 private:
  std::vector<int> floats_, ints_;
};

}  // namespace outpost::test
