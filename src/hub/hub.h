// Hub: the outpost-hub daemon's core — opens the data directory (key, admin token, store),
// listens for hub RPC on the Outpost transport with the hub key as its identity, and answers
// requests. The owner drives it with poll() from one thread (apps/outpost-hub/main.cpp).
//
// Where things live: onMessage (hub.cpp) routes each Envelope to its request family, one file
// each — hub_rpc_admin.cpp (administration), hub_rpc_servers.cpp (logon, listing, and ending
// server sessions: revocation), hub_rpc_users.cpp (user logon), hub_rpc_tickets.cpp (tickets and
// auth sessions), hub_rpc_community.cpp (groups, clans, compatibility, statistics),
// hub_rpc_certificates.cpp (identity certificates) — and answers refusals (docs/spec/hub-rpc.md
// §2.1). The decisions are in GameServers, Players, ServerTickets, UserLogons, Certificates and
// handleAdmin; all time comes from one HubClock (HubConfig::clock); the counters are
// HubCounters (hub_counters.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "hub/certificates.h"
#include "hub/data_dir.h"
#include "hub/game_servers.h"
#include "hub/hub_clock.h"
#include "hub/hub_counters.h"
#include "hub/master_server.h"
#include "hub/players.h"
#include "hub/server_tickets.h"
#include "hub/signaling.h"
#include "hub/ticket_limits.h"
#include "hub/user_logons.h"
#include "outpost/networking_sockets.h"
#include "store/store.h"

namespace outpost::hub {

struct HubConfig {
  std::string data_dir;
  std::string listen = "0.0.0.0:27100";  // hub RPC (UDP, Outpost transport)
  std::string master = "0.0.0.0:27011";  // Valve master-server queries (UDP); "" = off
  int64_t token_idle_expiry_s = 365LL * 24 * 3600;
  MasterRateLimits master_limits;  // the amplification bounds (docs/decisions/003)
  // Transport values for the hub RPC listen socket (its caps, docs/config.md), from --transport.
  ConfigOptions listen_options;
  TicketLimits ticket_limits;  // the ticket tables' bounds (docs/decisions/012)
  // Gameplay statistics of a game server not updated for this long are deleted; 0 keeps them.
  int64_t stats_retention_s = 90LL * 24 * 3600;
  // The hub's only clock, wall and monotonic (hub_clock.h); also the master port's. nullptr:
  // SystemHubClock (tests inject a ManualHubClock). Must outlive the hub.
  const HubClock* clock = nullptr;
  // CA keys the hub vouches for besides its own (key rotation: docs/spec/cert.md §6), 64 hex each.
  std::vector<std::string> also_trusted_ca_keys_hex;
  UserLogonsConfig user_logons;  // password attempt limits and check queue
};

// What the hub needs from the connections it serves: the transport in the daemon (Hub::open), a
// recorder in the fuzz target (Hub::openDetached).
class RpcLink {
 public:
  virtual ~RpcLink() = default;
  // Returns the transport's Result: RESULT_LIMIT_EXCEEDED when the peer holds its send budget.
  virtual int32_t send(uint32_t connection, std::span<const uint8_t> bytes) = 0;
  // Closes the connection with an end reason (1000-2999) and a debug text.
  virtual void close(uint32_t connection, int end_reason, const char* debug) = 0;
  // The peer's address "ip:port" or "[v6]:port"; "" if unknown.
  virtual std::string remoteAddress(uint32_t connection) = 0;
  virtual bool connected(uint32_t connection) = 0;
  // The peer showed a credential: it leaves the transport's untrusted budget
  // (docs/decisions/010-memory-before-trust.md).
  virtual void trust(uint32_t connection) = 0;
};

class Hub {
 public:
  static std::unique_ptr<Hub> open(const HubConfig& config, std::string* error);
  // A hub without a transport: messages come in through deliver() and disconnect(), answers go
  // to `link`. For the fuzz target and tests of the request handling (config.listen is unused).
  static std::unique_ptr<Hub> openDetached(const HubConfig& config, RpcLink& link, std::string* error);
  ~Hub();

  const std::string& publicKeyHex() const { return dir_.public_key_hex; }
  const std::string& adminTokenHex() const { return dir_.admin_token_hex; }
  // What SDKs and the CLI are given to reach and trust this hub: "<key>@<host>:<port>"
  // (hubrpc/hub_contact.h); a wildcard listen address is shown as 127.0.0.1.
  std::string contact();
  bool createdKey() const { return dir_.created_key; }
  std::string listenAddress();
  std::string masterAddress();
  // Does the work that is ready, waiting up to timeout_ms for some.
  void poll(int timeout_ms);
  std::map<std::string, uint64_t> counters();

  // Detached hubs only: a message from `connection` (handled at the next poll), and a
  // connection that went away.
  void deliver(uint32_t connection, std::span<const uint8_t> payload);
  void disconnect(uint32_t connection);

 private:
  class NetLink;
  Hub() = default;
  bool openCommon(const HubConfig& config, std::string* error);
  void connectionClosed(uint32_t connection);
  void onMessage(uint32_t connection, std::span<const uint8_t> payload);
  void send(uint32_t connection, const hubrpc::Envelope& e);
  // Hands an encoded answer to the link; one the transport refuses (send budget full) is dropped,
  // counted, and its connection closed at the end of the poll (closeSendRefused).
  void transmit(uint32_t connection, std::span<const uint8_t> bytes);
  void closeSendRefused();
  // Answers a refused request with Refused (docs/spec/hub-rpc.md §2.1) and counts it.
  void refuse(uint32_t connection, const hubrpc::Envelope& request, int32_t result, const std::string& why);
  // One poll's work inside the store batch; returns the number of messages handled.
  size_t work();
  // Periodic work on the hub's clock: statistics flush, store pruning.
  void housekeeping();

  // ---- Request families (hub_rpc_*.cpp) -------------------------------------------------------
  void onAdmin(uint32_t connection, const hubrpc::Envelope& request);
  void onServerLogOn(uint32_t connection, const hubrpc::Envelope& request);
  void onServerListing(uint32_t connection, const hubrpc::Envelope& request);
  void onUserLogOn(uint32_t connection, const hubrpc::Envelope& request);
  // Answers the user logons whose password check is done (each poll).
  void answerUserLogOns();
  void onTicketRequest(uint32_t connection, const hubrpc::Envelope& request);
  void onCancelTicket(uint32_t connection, const hubrpc::Envelope& request);
  void onValidateTicket(uint32_t connection, const hubrpc::Envelope& request);
  void onResumeAuthSession(uint32_t connection, const hubrpc::Envelope& request);
  void onEndAuthSession(uint32_t connection, const hubrpc::Envelope& request);
  void onGroupStatus(uint32_t connection, const hubrpc::Envelope& request);
  void onAssociateClan(uint32_t connection, const hubrpc::Envelope& request);
  void onPlayerCompat(uint32_t connection, const hubrpc::Envelope& request);
  void onGameplayStats(uint32_t connection, const hubrpc::Envelope& request);
  void onCertificateRequest(uint32_t connection, const hubrpc::Envelope& request);
  void onP2PSignal(uint32_t connection, const hubrpc::Envelope& request);
  // Ends the game-server session on `connection` (revoked token, banned owner, deleted app, or
  // replaced): tells it ServerLoggedOff{result}, drops its tickets, auth sessions and clan. The
  // registry entry is gone already (GameServers::endWhere / logOn).
  void endServerSession(uint32_t connection, int32_t result, const std::string& why);
  // Ends every session `which` selects, each with `result` (revocation is live).
  void endServerSessions(const std::function<bool(const ServerIdentity&)>& which, int32_t result,
                         const std::string& why);

  HubConfig config_;
  const HubClock* clock_ = nullptr;
  DataDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<MasterServer> master_;
  std::unique_ptr<GameServers> servers_;
  std::unique_ptr<Players> players_;
  std::unique_ptr<ServerTickets> server_tickets_;
  std::unique_ptr<UserLogons> user_logons_;
  std::unique_ptr<Certificates> certificates_;
  std::unique_ptr<Signaling> signaling_;    // P2P rendezvous and FakeIP (docs/spec/signaling.md)
  std::unique_ptr<NetworkingSockets> net_;  // null when detached
  std::unique_ptr<RpcLink> net_link_;       // over net_
  RpcLink* link_ = nullptr;
  std::deque<std::pair<uint32_t, std::vector<uint8_t>>> inbox_;  // detached: delivered, not yet handled
  bool batching_ = false;                                        // inside poll's store batch
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> held_;  // answers waiting for the commit
  uint32_t listen_ = 0;
  uint32_t group_ = 0;
  HubCounters counters_;
  std::unordered_map<uint32_t, uint32_t> clan_of_server_;  // associateWithClan, by connection
  std::unordered_map<uint32_t, uint32_t> malformed_;       // malformed messages, by connection
  std::vector<uint32_t> closing_;                          // to close once this poll's answers are out
  std::unordered_set<uint32_t> send_refused_;              // the transport refused an answer: to close
  int64_t last_stats_flush_ = 0;
  int64_t last_prune_ = 0;
  base::TimeUs last_publish_us_ = 0;  // monotonic
};

}  // namespace outpost::hub
