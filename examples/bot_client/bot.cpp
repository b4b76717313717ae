// The example bot (bot.h): hub logon, server discovery, a ticket bound to the server, the game
// connection and the shooting loop, with one log line per event. Single-threaded: run() pumps
// the NetworkingSockets callbacks itself.
#include "bot.h"

#include <cmath>
#include <functional>

#include "cli.h"
#include "outpost/steam_id.h"
#include "server_finder.h"

namespace example {

namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(10);
constexpr auto kScoreLineEvery = std::chrono::seconds(10);

const char* resultText(int r) {
  switch (r) {
    case outpost::RESULT_OK: return "OK";
    case outpost::RESULT_INVALID_PASSWORD: return "wrong name or password";
    case outpost::RESULT_NO_CONNECTION: return "cannot reach the hub";
    case outpost::RESULT_BANNED: return "banned";
    case outpost::RESULT_ACCESS_DENIED: return "no licence for this game";
    case outpost::RESULT_EXPIRED: return "the licence expired";
    case outpost::RESULT_LIMIT_EXCEEDED: return "too many tickets held";
    case outpost::RESULT_RATE_LIMIT_EXCEEDED: return "too many ticket requests";
    default: return "refused";
  }
}

bool isRejection(int end_reason) {
  return end_reason == kCloseAuthFailed || end_reason == kCloseKicked || end_reason == kCloseServerFull ||
         end_reason == kCloseProtocolError || end_reason == kCloseTimeout;
}

}  // namespace

Bot::Bot(BotOptions options) : o_(std::move(options)), rng_(static_cast<uint32_t>(std::hash<std::string>{}(o_.user))) {
  if (o_.filter.empty()) o_.filter = "\\appid\\" + std::to_string(o_.app_id);
}

int Bot::run(const volatile std::sig_atomic_t* stop) {
  started_ = Clock::now();
  if (!o_.hub.empty()) user_.setHub(o_.hub, o_.hub_key);
  int r = user_.logOn(o_.user, o_.password, o_.app_id);
  if (r != outpost::RESULT_OK) {
    logLine("cannot log on as %s: %s (result %d)", o_.user.c_str(), resultText(r), r);
    return kBotExitFailed;
  }
  logLine("logged on to the hub as %s %s", o_.user.c_str(), outpost::steamid::toString(user_.getSteamID()).c_str());
  // The hub session certifies the bot's game socket as this player (fetched while it looks for a
  // server; the connection waits for it if need be).
  user_.certifyNetworkingSockets(net_);

  auto server = findServer(o_.master, o_.filter, o_.server, o_.find_timeout_s, stop);
  if (!server) {
    if (*stop) return kBotExitOk;
    logLine("found no server to join");
    return kBotExitFailed;
  }
  // Bound to the server's Steam ID (from A2S_INFO), so no other server can redeem it.
  uint64_t server_id = server->info.steam_id;
  outpost::AuthTicket ticket = user_.getAuthSessionTicket(server_id);
  if (ticket.id == 0) {
    logLine("the hub gave no session ticket: %s (result %d)", resultText(ticket.result), ticket.result);
    return kBotExitFailed;
  }
  logLine("got a session ticket (%u bytes) bound to %s", ticket.size,
          server_id ? outpost::steamid::toString(server_id).c_str() : "any server");

  Hello hello{user_.getSteamID(), o_.user, ticket.buffer};
  // A server without a good hub certificate is refused by the transport, even on loopback.
  uint32_t connection = net_.connectByIPAddress(
      server->game_address, {{outpost::NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH, int32_t{0}},
                             {outpost::NETWORKING_CONFIG_IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH, int32_t{0}}});
  if (connection == outpost::NETWORKING_CONNECTION_INVALID) {
    logLine("cannot connect to %s", server->game_address.c_str());
    return kBotExitFailed;
  }
  server_address_ = server->game_address;
  int status = play(connection, server_id, encode(hello), stop);
  user_.cancelAuthTicket(ticket.id);
  user_.logOff();
  return status;
}

int Bot::play(uint32_t connection, uint64_t server_id, const std::vector<uint8_t>& hello,
              const volatile std::sig_atomic_t* stop) {
  int state = outpost::CONNECTION_STATE_CONNECTING;
  int end_reason = 0;
  std::string end_debug;
  net_.connect_network_connection_status_changed([&](const outpost::NetworkConnectionStatusChanged& s) {
    if (s.connect_handle != connection) return;
    state = s.connection.connection_state;
    end_reason = s.connection.end_reason;
    end_debug = s.connection.end_debug;
  });
  auto connect_started = Clock::now();
  auto next_shot = Clock::now();
  auto next_score_line = Clock::now() + kScoreLineEvery;
  bool hello_sent = false;
  for (;;) {
    net_.runNetworkingCallbacks();
    auto now = Clock::now();
    if (state == outpost::CONNECTION_STATE_CLOSED_BY_PEER ||
        state == outpost::CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
      for (auto& m : net_.receiveMessagesOnConnection(connection, 64)) onMessage(m);  // what arrived first
      if (end_reason == outpost::CONNECTION_END_REMOTE_BAD_CERT &&
          state == outpost::CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
        logLine("refused the server at %s: %s", server_address_.c_str(), end_debug.c_str());
        net_.closeConnection(connection, 0, "", false);
        return kBotExitUntrusted;
      }
      logLine("the server closed the connection: %s%s%s (code %d); score %u", closeReasonName(end_reason),
              end_debug.empty() ? "" : ": ", end_debug.c_str(), end_reason, score_);
      net_.closeConnection(connection, 0, "", false);
      if (isRejection(end_reason)) return kBotExitRejected;
      return state == outpost::CONNECTION_STATE_CLOSED_BY_PEER ? kBotExitOk : kBotExitFailed;
    }
    if (state == outpost::CONNECTION_STATE_CONNECTED && !hello_sent) {
      // The ticket goes only to the server the master list and A2S named: its certificate must
      // say so. (A relay in the middle has no certificate for that Steam ID.)
      auto info = net_.getConnectionInfo(connection);
      bool certified = info && !(info->info_flags & outpost::NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED);
      if (!certified || (server_id != 0 && info->identity != server_id)) {
        logLine(
            "the server at %s is certified as %s, not as %s (the Steam ID the server list reported): not "
            "sending it the ticket",
            info ? info->remote_address.c_str() : "?",
            certified ? outpost::steamid::toString(info->identity).c_str() : "nobody",
            outpost::steamid::toString(server_id).c_str());
        net_.closeConnection(connection, kClosePlayerLeft, "server identity not certified", false);
        return kBotExitUntrusted;
      }
      net_.sendMessageToConnection(connection, hello, outpost::NETWORKING_SEND_RELIABLE_NO_NAGLE);
      hello_sent = true;
      logLine("connected to the game port (certified as %s); sent hello with the ticket, waiting to be admitted",
              outpost::steamid::toString(info->identity).c_str());
    }
    if (!hello_sent && now - connect_started > kConnectTimeout) {
      logLine("no connection within 10 s");
      net_.closeConnection(connection, 0, "", false);
      return kBotExitFailed;
    }
    for (auto& m : net_.receiveMessagesOnConnection(connection, 64)) onMessage(m);
    if (welcomed_ && have_state_ && now >= next_shot) {
      shoot(connection);
      next_shot = now + std::chrono::milliseconds(o_.shot_interval_ms);
    }
    if (welcomed_ && !o_.quiet && now >= next_score_line) {
      logLine("my score %u (%u hits in %u shots)", score_, hits_, shots_);
      next_score_line = now + kScoreLineEvery;
    }
    if (*stop) {
      leave(connection, "signal received");
      return kBotExitOk;
    }
    if (o_.seconds > 0 && now - started_ >= std::chrono::seconds(o_.seconds)) {
      leave(connection, "time is up");
      return kBotExitOk;
    }
    net_.waitForActivity(10);
  }
}

void Bot::onMessage(const outpost::NetworkingMessage& m) {
  auto type = messageType(m.payload);
  if (!type) return;
  switch (*type) {
    case MessageType::kWelcome:
      if (auto w = decodeWelcome(m.payload)) {
        welcomed_ = true;
        logLine("admitted to \"%s\" (map %s, server %s): playing", w->server_name.c_str(), w->map.c_str(),
                outpost::steamid::toString(w->server_steam_id).c_str());
      }
      break;
    case MessageType::kState:
      if (auto s = decodeState(m.payload)) {
        if (!have_state_ || s->tick > state_.tick) {  // unreliable: ignore stale ones
          state_ = *s;
          state_at_ = Clock::now();
          have_state_ = true;
        }
      }
      break;
    case MessageType::kShotResult:
      if (auto r = decodeShotResult(m.payload)) {
        score_ = r->score;
        hits_ += r->hit ? 1 : 0;
      }
      break;
    case MessageType::kScoreboard:
      if (auto b = decodeScoreboard(m.payload); b && !o_.quiet) logLine("scoreboard: %s", formatScoreboard(*b).c_str());
      break;
    default: break;  // nothing else is sent to players; ignore what this version does not know
  }
}

void Bot::shoot(uint32_t connection) {
  // Where the target will be when the shot lands: the last known position, moved on by its
  // velocity for the ticks since then and one more for the trip to the server.
  double ticks = std::chrono::duration<double>(Clock::now() - state_at_).count() / 0.1 + 1.0;
  double predicted = state_.target + state_.velocity * ticks;
  std::normal_distribution<double> noise(0.0, 0.5 + (1.0 - o_.skill) * 5.0);
  long aim = std::lround(predicted + noise(rng_));
  aim = ((aim % kRingSize) + kRingSize) % kRingSize;
  net_.sendMessageToConnection(connection, encode(Shot{static_cast<uint8_t>(aim)}),
                               outpost::NETWORKING_SEND_RELIABLE_NO_NAGLE);
  ++shots_;
}

void Bot::leave(uint32_t connection, const char* why) {
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started_).count();
  logLine("leaving (%s) after %llds: score %u, %u hits in %u shots", why, static_cast<long long>(secs), score_, hits_,
          shots_);
  net_.closeConnection(connection, kClosePlayerLeft, "bot leaving", true);
  auto until = Clock::now() + std::chrono::milliseconds(200);  // let the close reach the server
  while (Clock::now() < until) {
    net_.runNetworkingCallbacks();
    net_.waitForActivity(10);
  }
}

}  // namespace example
