// The example dedicated server (dedicated_server.h): hub logon and listing through
// outpost::GameServer, players over outpost::NetworkingSockets, auth sessions, the game loop
// (TargetRange), live A2S scores and one log line per event. Single-threaded: run() pumps both
// SDK objects' callbacks and the game clock on the caller's thread.
#include "dedicated_server.h"

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <vector>

#include "cli.h"
#include "game_protocol.h"
#include "outpost/steam_id.h"
#include "result_names.h"

namespace example {

namespace {

constexpr auto kTick = std::chrono::milliseconds(100);
constexpr auto kScoreboardEvery = std::chrono::seconds(5);
constexpr auto kHelloTimeout = std::chrono::seconds(5);            // a silent connection is dropped
constexpr auto kVerdictTimeout = std::chrono::seconds(15);         // the hub must answer by then
constexpr auto kMinShotInterval = std::chrono::milliseconds(150);  // faster shots are ignored

std::string idText(uint64_t id) { return outpost::steamid::toString(id); }

}  // namespace

DedicatedServer::DedicatedServer(ServerOptions options)
    : o_(std::move(options)), range_(static_cast<uint32_t>(std::random_device{}())) {}

bool DedicatedServer::start() {
  // The game socket first: if the game port is taken there is no point in logging on. Players
  // must present a hub certificate, even on loopback (unless --allow-unauthenticated).
  std::string game_address = o_.bind_ip + ":" + std::to_string(o_.game_port);
  int32_t allow = o_.allow_unauthenticated ? 2 : 0;
  listen_ =
      net_.createListenSocketIP(game_address, {{outpost::NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH, allow},
                                               {outpost::NETWORKING_CONFIG_IP_LOCAL_HOST_ALLOW_WITHOUT_AUTH, allow}});
  if (listen_ == outpost::LISTEN_SOCKET_INVALID) {
    logLine("cannot listen on %s (port in use?)", game_address.c_str());
    return false;
  }
  poll_group_ = net_.createPollGroup();
  net_.connect_network_connection_status_changed(
      [this](const outpost::NetworkConnectionStatusChanged& s) { onStatusChanged(s); });

  // As the reference, the GameServer takes its app id from the environment (SteamAppId).
  setenv("OUTPOST_APP_ID", std::to_string(o_.app_id).c_str(), 1);
  if (!o_.hub.empty()) gs_.setHub(o_.hub, o_.hub_key);
  auto init = gs_.serverInitEx(o_.bind_ip, o_.game_port, o_.query_port, outpost::SERVER_MODE_AUTHENTICATION_AND_SECURE,
                               o_.version);
  if (init.status != outpost::STEAM_API_INIT_RESULT_OK) {
    logLine("serverInit failed: %s", init.verbal.c_str());
    return false;
  }
  // The hub session certifies the game socket as this server's Steam ID, so players can check
  // that they reached this server and not someone relaying it.
  gs_.certifyNetworkingSockets(net_);
  net_.connect_network_authentication_status([](const outpost::NetworkAuthenticationStatus& a) {
    if (a.available == outpost::NETWORKING_AVAILABILITY_CURRENT || a.available < 0)
      logLine("certificate: %s", a.debug_message.c_str());
  });
  // Before logOn: what the server is. Any time: how it is listed.
  bool ok = gs_.setProduct(o_.product) && gs_.setGameDescription(o_.description) && gs_.setModDir(o_.mod_dir) &&
            gs_.setDedicatedServer(true) && gs_.setServerName(o_.name) && gs_.setMapName(o_.map) &&
            gs_.setGameTags(o_.tags);
  if (!ok) {
    logLine("the SDK refused a server setting (too long?); see the warning above");
    return false;
  }
  gs_.setMaxPlayerCount(o_.max_players);
  gs_.setKeyValue("game_mode", "target_practice");
  gs_.setKeyValue("sv_tickrate", "10");
  gs_.setKeyValue("mp_hit_radius", std::to_string(kHitRadius));
  gs_.setKeyValue("mp_scoreboard_interval", "5");
  gs_.setAdvertiseServerActive(true);

  gs_.connect_server_connected([this] {
    reported_unreachable_ = false;
    auto ip = gs_.getPublicIP();
    logLine("logged on to the hub as %s (public address %s); listed as \"%s\" on %s, %d slots",
            idText(gs_.getSteamID()).c_str(), ip.ipv4.empty() ? ip.ipv6.c_str() : ip.ipv4.c_str(), o_.name.c_str(),
            o_.map.c_str(), o_.max_players);
  });
  gs_.connect_server_connect_failure([this](const outpost::ServerConnectFailure& f) {
    if (!f.retrying) {
      logLine("the hub refused this server's logon: %s (result %d)", resultName(f.result), f.result);
      fatal_ = true;
    } else if (!reported_unreachable_) {
      logLine("cannot reach the hub (%s); retrying in the background", resultName(f.result));
      reported_unreachable_ = true;
    }
  });
  gs_.connect_server_disconnected([](int32_t result) {
    logLine("lost the hub session (%s, result %d); reconnecting", resultName(result), result);
  });
  gs_.connect_policy_response([](bool secure) { logLine("policy: VAC secure %s", secure ? "yes" : "no"); });
  gs_.connect_validate_auth_ticket_response([this](const outpost::ValidateAuthTicketResponse& v) { onValidate(v); });
  gs_.connect_client_kick([this](const outpost::ClientKick& k) { onKick(k); });

  logLine("game port %s, query port %u (A2S), app %u, mod dir \"%s\"", net_.getListenSocketAddress(listen_).c_str(),
          o_.query_port, o_.app_id, o_.mod_dir.c_str());
  if (o_.token.empty()) {
    logLine("no login token given: logging on anonymously");
    gs_.logOnAnonymous();
  } else {
    gs_.logOn(o_.token);
  }
  return true;
}

int DedicatedServer::run(const volatile std::sig_atomic_t* stop) {
  auto started = Clock::now();
  next_tick_ = started + kTick;
  next_scoreboard_ = started + kScoreboardEvery;
  while (!*stop && !fatal_) {
    gs_.run_callbacks();
    closeRevoked();  // after the callbacks: a kick delivered with a refusal explains it
    net_.runNetworkingCallbacks();
    for (auto& m : net_.receiveMessagesOnPollGroup(poll_group_, 64)) {
      auto it = players_.find(m.connection);
      if (it != players_.end()) onMessage(it->second, m);
    }
    auto now = Clock::now();
    if (now >= next_tick_) {
      tick();
      next_tick_ = std::max(next_tick_ + kTick, now);
    }
    if (now >= next_scoreboard_) {
      broadcastScoreboard();
      next_scoreboard_ = now + kScoreboardEvery;
    }
    closeStalled();
    if (o_.seconds > 0 && now - started >= std::chrono::seconds(o_.seconds)) break;
    net_.waitForActivity(10);
  }
  if (*stop) logLine("signal received: stopping");
  shutdown();
  return fatal_ ? 1 : 0;
}

// ---- Connections ---------------------------------------------------------------------------

void DedicatedServer::onStatusChanged(const outpost::NetworkConnectionStatusChanged& s) {
  const auto& c = s.connection;
  if (c.listen_socket == listen_ && c.connection_state == outpost::CONNECTION_STATE_CONNECTING &&
      s.old_state == outpost::CONNECTION_STATE_NONE) {
    if (static_cast<int>(players_.size()) >= o_.max_players) {
      logLine("connection from %s refused: server full (%d players)", c.remote_address.c_str(), o_.max_players);
      net_.closeConnection(s.connect_handle, kCloseServerFull, "server full", false);
      return;
    }
    if (net_.acceptConnection(s.connect_handle) != outpost::RESULT_OK) return;
    net_.setConnectionPollGroup(s.connect_handle, poll_group_);
    Player p;
    p.connection = s.connect_handle;
    p.address = c.remote_address;
    p.connected_at = Clock::now();
    players_[s.connect_handle] = p;
    logLine("connection from %s accepted; waiting for its ticket", c.remote_address.c_str());
    return;
  }
  if (c.connection_state == outpost::CONNECTION_STATE_CLOSED_BY_PEER ||
      c.connection_state == outpost::CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
    auto it = players_.find(s.connect_handle);
    if (it == players_.end()) return;
    const Player& p = it->second;
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - p.connected_at).count();
    const char* how = c.connection_state == outpost::CONNECTION_STATE_CLOSED_BY_PEER ? "left" : "lost";
    logLine("%s %s (%s%s%s) after %llds: score %u, %u hits in %u shots", who(p).c_str(), how,
            closeReasonName(c.end_reason), c.end_debug.empty() ? "" : ": ", c.end_debug.c_str(),
            static_cast<long long>(secs), p.score, p.hits, p.shots);
    forget(s.connect_handle);
    net_.closeConnection(s.connect_handle, 0, "", false);  // releases the handle
  }
}

void DedicatedServer::disconnect(uint32_t connection, int reason, const std::string& why) {
  net_.closeConnection(connection, reason, why.substr(0, outpost::NETWORKING_MAX_CONNECTION_CLOSE_REASON),
                       true);  // linger: the reason reaches the player after any queued data
  forget(connection);
}

void DedicatedServer::forget(uint32_t connection) {
  auto it = players_.find(connection);
  if (it == players_.end()) return;
  if (it->second.phase != Phase::kAwaitingHello) gs_.endAuthSession(it->second.steam_id);
  players_.erase(it);  // endAuthSession took it out of A2S_PLAYER and the listing's count
}

// ---- Messages ------------------------------------------------------------------------------

void DedicatedServer::onMessage(Player& p, const outpost::NetworkingMessage& m) {
  auto type = messageType(m.payload);
  if (p.phase == Phase::kAwaitingHello) {
    onHello(p, m);
  } else if (p.phase == Phase::kPlaying && type == MessageType::kShot) {
    onShot(p, m);
  } else if (p.phase == Phase::kPlaying && type == MessageType::kHello) {
    // A second Hello changes nothing (the ticket was already redeemed); ignored.
  } else if (p.phase == Phase::kPlaying) {
    logLine("%s sent an unknown message (type %d); closing", who(p).c_str(), type ? static_cast<int>(*type) : -1);
    disconnect(p.connection, kCloseProtocolError, "unknown message");
  }
  // While the hub checks the ticket, game messages are dropped: nothing counts before admission.
}

void DedicatedServer::onHello(Player& p, const outpost::NetworkingMessage& m) {
  auto hello = decodeHello(m.payload);
  if (!hello) {
    logLine("connection from %s sent no valid hello (%zu bytes); closing", p.address.c_str(), m.payload.size());
    disconnect(p.connection, kCloseProtocolError, "expected a hello with a session ticket");
    return;
  }
  // The Steam ID the player's certificate proves must be the one its ticket names: a relay in
  // the middle holds no certificate for the player it relays.
  auto info = net_.getConnectionInfo(p.connection);
  bool certified = info && !(info->info_flags & outpost::NETWORKING_CONNECTION_INFO_FLAG_UNAUTHENTICATED);
  if ((certified && info->identity != hello->steam_id) || (!certified && !o_.allow_unauthenticated)) {
    std::string proved = certified ? idText(info->identity) : std::string("nobody (no certificate)");
    logLine("%s (%s) refused: the connection is certified as %s, not as %s", hello->name.c_str(), p.address.c_str(),
            proved.c_str(), idText(hello->steam_id).c_str());
    disconnect(p.connection, kCloseAuthFailed, "certified as " + proved + ", not as " + idText(hello->steam_id));
    return;
  }
  if (Player* other = playerBySteamId(hello->steam_id)) {
    logLine("%s (%s) refused: %s is already connected from %s", hello->name.c_str(), p.address.c_str(),
            idText(hello->steam_id).c_str(), other->address.c_str());
    disconnect(p.connection, kCloseAuthFailed, "already connected");
    return;
  }
  int r = gs_.beginAuthSession(hello->ticket, hello->steam_id);
  if (r != outpost::BEGIN_AUTH_SESSION_RESULT_OK) {
    logLine("%s %s (%s) refused: ticket %s", hello->name.c_str(), idText(hello->steam_id).c_str(), p.address.c_str(),
            beginAuthResultName(r));
    disconnect(p.connection, kCloseAuthFailed, std::string("ticket refused: ") + beginAuthResultName(r));
    return;
  }
  p.steam_id = hello->steam_id;
  p.name = hello->name;
  p.phase = Phase::kAuthenticating;
  logLine("%s from %s presented a ticket (%zu bytes, hub signature valid)%s; asking the hub", who(p).c_str(),
          p.address.c_str(), hello->ticket.size(), certified ? " on a connection certified as the same player" : "");
}

void DedicatedServer::onShot(Player& p, const outpost::NetworkingMessage& m) {
  auto shot = decodeShot(m.payload);
  if (!shot) {
    logLine("%s sent a malformed shot; closing", who(p).c_str());
    disconnect(p.connection, kCloseProtocolError, "malformed shot");
    return;
  }
  auto now = Clock::now();
  if (p.shots > 0 && now - p.last_shot < kMinShotInterval) {
    ++p.shots_too_fast;  // a rapid-fire client gains nothing; counted, not judged
    return;
  }
  p.last_shot = now;
  ++p.shots;
  ShotVerdict v = range_.judge(shot->aim);
  if (v.hit) {
    ++p.hits;
    p.score += v.points;
    gs_.updateUserData(p.steam_id, p.name, p.score);  // A2S_PLAYER shows the new score
  }
  send(p, encode(ShotResult{v.hit, range_.state().target, p.score}), outpost::NETWORKING_SEND_RELIABLE);
}

// ---- Auth verdicts and kicks ---------------------------------------------------------------

void DedicatedServer::onValidate(const outpost::ValidateAuthTicketResponse& v) {
  Player* p = playerBySteamId(v.auth_id);
  if (!p) return;  // the player left meanwhile
  if (v.response == outpost::AUTH_SESSION_RESPONSE_OK) {
    if (p->phase == Phase::kAuthenticating) admit(*p, v.owner_id);
    return;
  }
  if (p->phase == Phase::kAuthenticating) {
    logLine("%s refused by the hub: %s", who(*p).c_str(), authResponseName(v.response));
    disconnect(p->connection, kCloseAuthFailed, std::string("hub: ") + authResponseName(v.response));
    return;
  }
  p->revoked_response = v.response;  // closed by closeRevoked() unless a kick follows
}

void DedicatedServer::onKick(const outpost::ClientKick& k) {
  Player* p = playerBySteamId(k.steam_id);
  if (!p) return;
  std::string why = denyReasonName(k.deny_reason);
  if (p->revoked_response >= 0) why += std::string(" (") + authResponseName(p->revoked_response) + ")";
  logLine("%s kicked: %s; connection closed (score %u)", who(*p).c_str(), why.c_str(), p->score);
  disconnect(p->connection, kCloseKicked, why);  // the player sees "kicked: <why>"
}

void DedicatedServer::closeRevoked() {
  std::vector<std::pair<uint32_t, int>> revoked;
  for (auto& [h, p] : players_)
    if (p.revoked_response >= 0) revoked.emplace_back(h, p.revoked_response);
  for (auto [h, response] : revoked) {
    logLine("%s no longer authorised: %s; connection closed", who(players_[h]).c_str(), authResponseName(response));
    disconnect(h, kCloseAuthFailed, std::string("hub: ") + authResponseName(response));
  }
}

void DedicatedServer::admit(Player& p, uint64_t owner_id) {
  p.phase = Phase::kPlaying;
  // The hub vouched for this player's ticket: the connection leaves the transport's untrusted
  // budget (until now the player could make this server hold at most 64 KiB).
  net_.trustConnection(p.connection);
  gs_.updateUserData(p.steam_id, p.name, 0);
  send(p, encode(Welcome{gs_.getSteamID(), o_.name, o_.map}), outpost::NETWORKING_SEND_RELIABLE);
  std::string owner = owner_id && owner_id != p.steam_id ? ", licence borrowed from " + idText(owner_id) : "";
  logLine("%s authenticated by the hub%s: playing (%d/%d)", who(p).c_str(), owner.c_str(), playingCount(),
          o_.max_players);
}

// ---- Time ----------------------------------------------------------------------------------

void DedicatedServer::tick() {
  range_.tick();
  auto bytes = encode(range_.state());
  for (auto& [h, p] : players_)
    if (p.phase == Phase::kPlaying) send(p, bytes, outpost::NETWORKING_SEND_UNRELIABLE_NO_NAGLE);
}

void DedicatedServer::broadcastScoreboard() {
  Scoreboard board;
  for (auto& [h, p] : players_)
    if (p.phase == Phase::kPlaying) board.entries.push_back({p.name, p.score});
  if (board.entries.empty()) return;
  std::stable_sort(board.entries.begin(), board.entries.end(),
                   [](const ScoreEntry& a, const ScoreEntry& b) { return a.score > b.score; });
  logLine("scoreboard: %s", formatScoreboard(board).c_str());
  auto bytes = encode(board);
  for (auto& [h, p] : players_)
    if (p.phase == Phase::kPlaying) send(p, bytes, outpost::NETWORKING_SEND_RELIABLE);
}

void DedicatedServer::closeStalled() {
  auto now = Clock::now();
  std::vector<std::pair<uint32_t, std::string>> stalled;
  for (auto& [h, p] : players_) {
    if (p.phase == Phase::kAwaitingHello && now - p.connected_at > kHelloTimeout)
      stalled.emplace_back(h, "no hello within 5 s");
    else if (p.phase == Phase::kAuthenticating && now - p.connected_at > kVerdictTimeout)
      stalled.emplace_back(h, "the hub gave no verdict within 15 s");
  }
  for (auto& [h, why] : stalled) {
    logLine("%s: %s; closing", who(players_[h]).c_str(), why.c_str());
    disconnect(h, kCloseTimeout, why);
  }
}

void DedicatedServer::shutdown() {
  std::vector<uint32_t> all;
  for (auto& [h, p] : players_) all.push_back(h);
  for (uint32_t h : all) disconnect(h, kCloseServerShutdown, "server shutting down");
  // Give the lingering connections a moment to deliver the close reason.
  auto until = Clock::now() + std::chrono::milliseconds(all.empty() ? 0 : 300);
  while (Clock::now() < until) {
    net_.runNetworkingCallbacks();
    net_.waitForActivity(10);
  }
  net_.closeListenSocket(listen_);
  gs_.setAdvertiseServerActive(false);
  gs_.logOff();
  gs_.serverShutdown();
  logLine("shut down cleanly (%zu player%s disconnected)", all.size(), all.size() == 1 ? "" : "s");
}

// ---- Helpers -------------------------------------------------------------------------------

DedicatedServer::Player* DedicatedServer::playerBySteamId(uint64_t steam_id) {
  if (steam_id == 0) return nullptr;
  for (auto& [h, p] : players_)
    if (p.steam_id == steam_id && p.phase != Phase::kAwaitingHello) return &p;
  return nullptr;
}

std::string DedicatedServer::who(const Player& p) const {
  if (p.steam_id == 0) return "connection from " + p.address;
  return p.name + " " + idText(p.steam_id);
}

int DedicatedServer::playingCount() const {
  return static_cast<int>(
      std::count_if(players_.begin(), players_.end(), [](const auto& e) { return e.second.phase == Phase::kPlaying; }));
}

void DedicatedServer::send(const Player& p, const std::vector<uint8_t>& bytes, int flags) {
  net_.sendMessageToConnection(p.connection, bytes, flags);
}

}  // namespace example
