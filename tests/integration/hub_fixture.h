// Shared by the integration tests that run a real outpost-hub with game servers: pump()
// (run_callbacks until a condition holds), Observed (the session signals), freePort(),
// masterList() (one raw master-server query), and the HubTest fixture (a temporary data
// directory, the hub started as a user starts it, `outpost admin`, provisioning, serverInit).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "outpost/game_server.h"
#include "support/process.h"
#include "support/raw_socket.h"

namespace outpost::test {

using Clock = std::chrono::steady_clock;

// Pumps run_callbacks on the servers until `done` or `limit`.
template <typename F>
inline bool pump(std::initializer_list<GameServer*> servers, F done, int limit_ms = 10000) {
  auto deadline = Clock::now() + std::chrono::milliseconds(limit_ms);
  while (Clock::now() < deadline) {
    for (auto* s : servers) s->run_callbacks();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  for (auto* s : servers) s->run_callbacks();
  return done();
}

struct Observed {
  int connected = 0;
  std::vector<ServerConnectFailure> failures;
  std::vector<int32_t> disconnects;
  std::vector<bool> policies;
  void attach(GameServer& gs) {
    gs.connect_server_connected([this] { ++connected; });
    gs.connect_server_connect_failure([this](const ServerConnectFailure& f) { failures.push_back(f); });
    gs.connect_server_disconnected([this](int32_t r) { disconnects.push_back(r); });
    gs.connect_policy_response([this](bool s) { policies.push_back(s); });
  }
};

// A free UDP port on 127.0.0.1 (bound and released; good enough for a test on loopback).
inline uint16_t freePort() {
  RawSocket s;
  return s.port;
}

// Lists every address the hub's master answers with (one page is enough here); nullopt if no
// answer came within timeout_ms.
inline std::optional<std::set<std::string>> masterReply(const std::string& master_address,
                                                        const std::string& filter = "", int timeout_ms = 2000) {
  RawSocket q;
  std::vector<uint8_t> req = {0x31, 0xFF};
  std::string seed = "0.0.0.0:0";
  req.insert(req.end(), seed.begin(), seed.end());
  req.push_back(0);
  req.insert(req.end(), filter.begin(), filter.end());
  req.push_back(0);
  q.sendTo(portOf(master_address), req);
  auto reply = q.receive(timeout_ms);
  if (reply.size() < 6) return std::nullopt;
  std::set<std::string> out;
  for (size_t i = 6; i + 6 <= reply.size(); i += 6) {
    if (reply[i] == 0 && reply[i + 1] == 0 && reply[i + 2] == 0 && reply[i + 3] == 0) break;
    out.insert(std::to_string(reply[i]) + "." + std::to_string(reply[i + 1]) + "." + std::to_string(reply[i + 2]) +
               "." + std::to_string(reply[i + 3]) + ":" + std::to_string(reply[i + 4] << 8 | reply[i + 5]));
  }
  return out;
}

// masterReply, with no answer read as an empty list.
inline std::set<std::string> masterList(const std::string& master_address, const std::string& filter = "") {
  return masterReply(master_address, filter).value_or(std::set<std::string>());
}

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("OUTPOST_APP_ID", "480", 1);
    dir_ = makeTempDir() + "/data";
  }
  void TearDown() override { std::filesystem::remove_all(std::filesystem::path(dir_).parent_path()); }

  void startHub(HubProcess& hub, std::vector<std::string> extra = {}) {
    hub.extra_args = std::move(extra);
    ASSERT_TRUE(hub.start(dir_)) << hub.banner;
  }
  std::string admin(HubProcess& hub, const std::vector<std::string>& words, int expect = 0) {
    auto r = runAdmin(hub.address, dir_, words);
    EXPECT_EQ(r.exit_code, expect) << r.out;
    return r.out;
  }
  // Creates app 480 (required version 1.2.0), a user and a token; returns the token.
  std::string provision(HubProcess& hub, uint64_t* steam_id) {
    admin(hub, {"app", "put", "480", "Spacewar", "--required-version", "1.2.0"});
    admin(hub, {"user", "create", "owner", "owner-password"});
    std::string out = admin(hub, {"token", "create", "480", "owner"});
    auto sid = out.find("steam_id="), tok = out.find("token=");
    *steam_id = std::stoull(out.substr(sid + 9));
    return out.substr(tok + 6, 48);
  }
  // query_port 0: no A2S socket (several servers share this process).
  void init(GameServer& gs, HubProcess& hub, int mode = SERVER_MODE_AUTHENTICATION_AND_SECURE,
            uint16_t query_port = 0) {
    gs.setHub(hub.address, hub.public_key);
    ASSERT_TRUE(gs.serverInit("0.0.0.0", 27015, query_port, mode, "1.0.0.0"));
  }
  std::string dir_;
};

}  // namespace outpost::test
