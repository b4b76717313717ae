// Hub: the outpost-hub daemon's core — opens the data directory (key, admin token, store),
// listens for hub RPC on the Outpost transport with the hub key as its identity, and answers
// requests. The owner drives it with poll() from one thread (apps/outpost-hub/main.cpp).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hub/certificates.h"
#include "hub/data_dir.h"
#include "hub/game_servers.h"
#include "hub/players.h"
#include "hub/server_tickets.h"
#include "hub/master_server.h"
#include "hub/user_logons.h"
#include "outpost/networking_sockets.h"
#include "store/store.h"

namespace outpost::hub {

struct HubConfig {
  std::string data_dir;
  std::string listen = "0.0.0.0:27100";  // hub RPC (UDP, Outpost transport)
  std::string master = "0.0.0.0:27011";  // Valve master-server queries (UDP); "" = off
  int64_t token_idle_expiry_s = 365LL * 24 * 3600;
  master::MasterRateLimits master_limits;  // the amplification bounds (docs/decisions/003)
  // Transport values for the hub RPC listen socket (its caps, docs/config.md), from --transport.
  ConfigOptions listen_options;
  // CA keys the hub vouches for besides its own (key rotation: docs/spec/cert.md §6), 64 hex each.
  std::vector<std::string> also_trusted_ca_keys_hex;
  UserLogonsConfig user_logons;            // password attempt limits and check queue
};

class Hub {
 public:
  static std::unique_ptr<Hub> open(const HubConfig& config, std::string* error);
  ~Hub();

  const std::string& publicKeyHex() const { return dir_.public_key_hex; }
  // What SDKs and the CLI are given to reach and trust this hub: "<key>@<host>:<port>"
  // (hubrpc/hub_contact.h); a wildcard listen address is shown as 127.0.0.1.
  std::string contact();
  bool createdKey() const { return dir_.created_key; }
  std::string listenAddress();
  std::string masterAddress();
  // Does the work that is ready, waiting up to timeout_ms for some.
  void poll(int timeout_ms);
  std::map<std::string, uint64_t> counters();

 private:
  Hub() = default;
  void onMessage(uint32_t connection, std::span<const uint8_t> payload);
  void send(uint32_t connection, const hubrpc::Envelope& e);
  // One poll's work inside the store batch; returns the number of messages handled.
  size_t work();

  HubConfig config_;
  DataDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<master::MasterServer> master_;
  std::unique_ptr<GameServers> servers_;
  std::unique_ptr<Players> players_;
  std::unique_ptr<ServerTickets> server_tickets_;
  std::unique_ptr<UserLogons> user_logons_;
  std::unique_ptr<Certificates> certificates_;
  std::unique_ptr<NetworkingSockets> net_;
  bool batching_ = false;                                      // inside poll's store batch
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> held_;  // answers waiting for the commit
  uint32_t listen_ = 0;
  uint32_t group_ = 0;
  std::map<std::string, uint64_t> counters_;
  std::unordered_map<uint32_t, uint32_t> clan_of_server_;  // associateWithClan, by connection
  int64_t last_stats_flush_ = 0;
  std::chrono::steady_clock::time_point last_publish_{};
};

}  // namespace outpost::hub
