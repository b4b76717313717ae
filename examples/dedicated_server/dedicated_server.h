// The example dedicated server: an outpost::GameServer (hub logon with a login token, the
// server-browser listing, A2S on the query port, player auth sessions) plus an
// outpost::NetworkingSockets listen socket on the game port where players connect. The game
// server's hub session certifies that socket's identity (certifyNetworkingSockets), and the
// socket admits only players who present a hub certificate. A player's first message is a Hello
// with its session ticket; the server checks that the player's certified Steam ID is the ticket's,
// calls beginAuthSession, and only when the hub's validate_auth_ticket_response says OK does the
// player join the game (and appear in A2S_PLAYER with a live score). A client_kick from the hub, or a later refusal, closes the
// player's connection with a reason. Everything runs on the thread that calls run().
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <map>
#include <string>

#include "outpost/game_server.h"
#include "outpost/networking_sockets.h"
#include "target_range.h"

namespace example {

struct ServerOptions {
  std::string bind_ip = "0.0.0.0";
  uint16_t game_port = 27015;
  uint16_t query_port = 27016;
  std::string hub;      // "KEY@ip:port" or "ip:port"; "" = OUTPOST_HUB
  std::string hub_key;  // 64 hex with "ip:port"; "" = OUTPOST_HUB_KEY (or the key in `hub`)
  std::string token;    // game-server login token; "" = anonymous logon
  uint32_t app_id = 480;
  std::string name = "Outpost example server";
  std::string map = "ring_arena";
  std::string tags = "example,target-practice";
  std::string product = "spacewar";
  std::string description = "Target practice (Outpost example)";
  std::string mod_dir = "spacewar";
  std::string version = "1.0.0.0";
  int max_players = 16;
  int seconds = 0;  // stop by itself after this long; 0 = until a signal
  // Development only: admit players without a hub certificate (IP_ALLOW_WITHOUT_AUTH 2). Their
  // tickets are still checked, but nothing then ties the connection to the ticket's player.
  bool allow_unauthenticated = false;
};

class DedicatedServer {
 public:
  explicit DedicatedServer(ServerOptions options);

  // Opens the game socket and the query port, publishes the listing and starts the hub logon.
  // false (reason logged) when a port cannot be bound or an option is refused by the SDK.
  bool start();
  // Serves until *stop becomes non-zero, --seconds pass, or the hub refuses the logon for good.
  // Then closes every player's connection ("server shutting down") and shuts the SDK down.
  // Returns the process exit status: 0 after a clean stop, 1 when the hub refused the logon.
  int run(const volatile std::sig_atomic_t* stop);

 private:
  using Clock = std::chrono::steady_clock;
  enum class Phase { kAwaitingHello, kAuthenticating, kPlaying };
  struct Player {
    uint32_t connection = 0;
    std::string address;
    Phase phase = Phase::kAwaitingHello;
    uint64_t steam_id = 0;
    std::string name;
    uint32_t score = 0, shots = 0, hits = 0, shots_too_fast = 0;
    Clock::time_point connected_at, last_shot;
    int revoked_response = -1;  // a refusal after admission, closed unless a kick explains it
  };

  // Signals from the GameServer and NetworkingSockets.
  void onStatusChanged(const outpost::NetworkConnectionStatusChanged& s);
  void onValidate(const outpost::ValidateAuthTicketResponse& v);
  void onKick(const outpost::ClientKick& k);
  // Game traffic and time.
  void onMessage(Player& p, const outpost::NetworkingMessage& m);
  void onHello(Player& p, const outpost::NetworkingMessage& m);
  void onShot(Player& p, const outpost::NetworkingMessage& m);
  void admit(Player& p, uint64_t owner_id);
  void tick();
  void broadcastScoreboard();
  void closeRevoked();
  void closeStalled();
  // Closes the connection with an application reason, ends the auth session, forgets the player.
  void disconnect(uint32_t connection, int reason, const std::string& why);
  void forget(uint32_t connection);
  void shutdown();

  Player* playerBySteamId(uint64_t steam_id);
  std::string who(const Player& p) const;
  int playingCount() const;
  void send(const Player& p, const std::vector<uint8_t>& bytes, int flags);

  ServerOptions o_;
  outpost::GameServer gs_;
  outpost::NetworkingSockets net_;
  uint32_t listen_ = 0;
  uint32_t poll_group_ = 0;
  std::map<uint32_t, Player> players_;  // by connection handle
  TargetRange range_;
  Clock::time_point next_tick_, next_scoreboard_;
  bool fatal_ = false;
  bool reported_unreachable_ = false;
};

}  // namespace example
