// The example bot: a scripted player of the example game. It logs on to the hub as a user
// (outpost::User), which certifies its NetworkingSockets identity, finds a server
// (server_finder.h), gets a session ticket bound to that server's Steam ID, connects over
// outpost::NetworkingSockets, checks that the server's certificate names that same Steam ID (a
// relay in the middle cannot present one), only then sends Hello with the ticket, and
// once welcomed shoots at the moving target at a steady rate, aiming where the last State says
// the target will be plus some noise (less with more skill). Runs on the thread calling run().
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <random>
#include <string>

#include "game_protocol.h"
#include "outpost/networking_sockets.h"
#include "outpost/user.h"

namespace example {

struct BotOptions {
  std::string hub, hub_key;  // "KEY@ip:port" (key "") or "ip:port" and key; "" = OUTPOST_HUB / OUTPOST_HUB_KEY
  std::string user, password;
  uint32_t app_id = 480;
  std::string master = "127.0.0.1:27011";
  std::string filter;  // "" = "\appid\<app_id>"
  std::string server;  // a query address to use instead of the master
  int seconds = 0;     // leave after this long; 0 = until a signal or the server closes
  int shot_interval_ms = 300;
  double skill = 0.7;  // 0..1
  int find_timeout_s = 20;
  bool quiet = false;  // no scoreboard or score lines, only lifecycle events
};

// Exit statuses of run().
inline constexpr int kBotExitOk = 0;         // played and left, or the server shut down
inline constexpr int kBotExitFailed = 1;     // could not log on, find or reach a server
inline constexpr int kBotExitRejected = 3;   // refused or kicked by the server
inline constexpr int kBotExitUntrusted = 4;  // the server is not certified as the one listed

class Bot {
 public:
  explicit Bot(BotOptions options);
  int run(const volatile std::sig_atomic_t* stop);

 private:
  using Clock = std::chrono::steady_clock;
  // Plays on `connection` until the server closes it, *stop, or --seconds. Returns the exit status.
  int play(uint32_t connection, uint64_t server_id, const std::vector<uint8_t>& hello,
           const volatile std::sig_atomic_t* stop);
  void onMessage(const outpost::NetworkingMessage& m);
  void shoot(uint32_t connection);
  void leave(uint32_t connection, const char* why);

  BotOptions o_;
  outpost::User user_;
  outpost::NetworkingSockets net_;
  std::mt19937 rng_;
  // What the bot knows of the game.
  bool welcomed_ = false;
  bool have_state_ = false;
  State state_;
  Clock::time_point state_at_;
  uint32_t score_ = 0, shots_ = 0, hits_ = 0;
  Clock::time_point started_;
  std::string server_address_;
};

}  // namespace example
