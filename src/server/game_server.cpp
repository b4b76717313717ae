// GameServer (see include/outpost/game_server.h): the hub session of a dedicated server. A
// service thread drives the session — connect to the hub (pinned key), log on, keep the listing
// up to date, reconnect with backoff (0.5 s doubling to 5 s) when the hub connection is lost —
// and queues the reference's signals, which run_callbacks() delivers on the caller's thread.
#include "outpost/game_server.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "base/log.h"
#include "hubrpc/framing.h"
#include "outpost/networking_sockets.h"
#include "outpost/steam_id.h"
#include "crypto/crypto.h"
#include "ticket/ticket.h"
#include "a2s/query_socket.h"
#include "a2s/responder.h"
#include "base/clock.h"

#include <deque>

#include <ctime>
#include <map>

namespace outpost {

namespace {
using SteadyClock = std::chrono::steady_clock;
constexpr int kBackoffStartMs = 500;
constexpr int kBackoffMaxMs = 5000;
constexpr int32_t kHubTimeoutMs = 4000;  // notice a dead hub within 4 s (keepalive every 1 s)

bool tooLong(const char* what, const std::string& v, size_t max) {
  if (v.size() <= max) return false;
  OUTPOST_LOG_WARN("%s: %zu bytes is over the limit of %zu; refused, not truncated", what, v.size(), max);
  return true;
}
}  // namespace

class GameServerImpl {
 public:
  ~GameServerImpl() { shutdown(); }

  bool init(const std::string& ip, uint16_t game_port, uint16_t query_port, int mode, const std::string& version,
            std::string* why) {
    std::lock_guard<std::mutex> l(mu_);
    if (initialized_) {
      *why = "serverInit was already called";
      return false;
    }
    if (mode < SERVER_MODE_NO_AUTHENTICATION || mode > SERVER_MODE_AUTHENTICATION_AND_SECURE) {
      *why = "server mode " + std::to_string(mode) + " is not 1, 2 or 3";
      return false;
    }
    if (game_port == 0) {
      *why = "the game port must not be 0";
      return false;
    }
    (void)ip;
    logon_.set_game_port(game_port);
    logon_.set_query_port(query_port);
    logon_.set_server_mode(mode);
    logon_.set_version(version);
    logon_.set_app_id(appIdFromEnvironment());
    if (hub_address_.empty()) {
      const char* a = std::getenv("OUTPOST_HUB");
      const char* k = std::getenv("OUTPOST_HUB_KEY");
      hub_address_ = a ? a : "";
      hub_key_ = k ? k : "";
    }
    if (query_port == QUERY_PORT_SHARED) {
      shared_ = std::make_unique<a2s::A2sResponder>(a2s::A2sResponderOptions{}, SystemClock::instance().nowUs());
    } else if (query_port != 0) {
      a2s::A2sQuerySocketOptions qo;
      std::string host = ip.empty() || ip == "0.0.0.0" ? "0.0.0.0" : ip;
      qo.bind_address = host + ":" + std::to_string(query_port);
      query_ = std::make_unique<a2s::A2sQuerySocket>(qo);
      std::string err;
      if (!query_->start(&err)) {
        query_.reset();
        *why = "cannot serve queries on " + qo.bind_address + ": " + err;
        return false;
      }
    }
    net_ = std::make_unique<NetworkingSockets>();
    initialized_ = true;
    publishA2s();
    stop_ = false;
    thread_ = std::thread([this] { run(); });
    return true;
  }

  void shutdown() {
    {
      std::lock_guard<std::mutex> l(mu_);
      if (!initialized_) return;
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> l(mu_);
    if (conn_) net_->closeConnection(conn_, 0, "server shut down", false);
    conn_ = 0;
    net_.reset();
    query_.reset();
    shared_.reset();
    outgoing_.clear();
    players_.clear();
    rules_.clear();
    initialized_ = false;
    // A later serverInit starts from scratch: no logon, no identity, no sessions.
    state_ = State::kIdle;
    want_logon_ = false;
    token_.clear();
    steam_id_ = 0;
    secure_ = false;
    public_ip_.clear();
    restart_requested_ = false;
    auth_.clear();
    pending_validations_.clear();
    listing_ = hubrpc::ServerListing();
    listing_dirty_ = false;
  }

  static uint32_t appIdFromEnvironment() {
    // As the reference: the app id comes from the environment (SteamAppId) when not set.
    for (const char* name : {"OUTPOST_APP_ID", "SteamAppId"})
      if (const char* v = std::getenv(name)) return static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
    return 0;
  }

  // ---- Session control --------------------------------------------------------------------
  void logOn(const std::string& token, bool anonymous) {
    std::lock_guard<std::mutex> l(mu_);
    if (!initialized_) {
      OUTPOST_LOG_WARN("logOn: call serverInit first");
      return;
    }
    token_ = anonymous ? "" : token;
    want_logon_ = true;
    state_ = State::kIdle;
    next_attempt_ = SteadyClock::now();
    backoff_ms_ = kBackoffStartMs;
    cv_.notify_all();
  }

  void logOff() {
    std::lock_guard<std::mutex> l(mu_);
    want_logon_ = false;
    if (conn_ && net_) net_->closeConnection(conn_, 0, "logged off", false);
    conn_ = 0;
    bool was_on = state_ == State::kLoggedOn;
    state_ = State::kIdle;
    steam_id_ = 0;
    if (was_on) queue([this] { if (on_disconnected_) on_disconnected_(RESULT_OK); });
  }

  // ---- The service thread ---------------------------------------------------------------------
  void run() {
    std::unique_lock<std::mutex> l(mu_);
    while (!stop_) {
      tick();
      NetworkingSockets* net = net_.get();
      l.unlock();
      // The hub connection's status callbacks are only drained here (the session reads states
      // directly); left queued they would keep waitForActivity from waiting.
      net->runNetworkingCallbacks();
      net->waitForActivity(20);
      l.lock();
    }
  }

  void tick() {
    auto t = SteadyClock::now();
    if (a2s_dirty_ || t - last_a2s_ >= std::chrono::seconds(1)) publishA2s();  // durations age
    if (!want_logon_) return;
    auto now = SteadyClock::now();
    switch (state_) {
      case State::kIdle:
      case State::kBackoff: {
        if (now < next_attempt_) return;
        if (hub_address_.empty()) {
          failure(RESULT_NO_CONNECTION, true, "no hub configured (OUTPOST_HUB)");
          return;
        }
        ConfigOptions o;
        if (!hub_key_.empty()) o[NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY] = hub_key_;
        o[NETWORKING_CONFIG_TIMEOUT_INITIAL] = kHubTimeoutMs;
        o[NETWORKING_CONFIG_TIMEOUT_CONNECTED] = kHubTimeoutMs;
        conn_ = net_->connectByIPAddress(hub_address_, o);
        if (!conn_) {
          failure(RESULT_NO_CONNECTION, true, "bad hub address or key");
          return;
        }
        state_ = State::kConnecting;
        return;
      }
      case State::kConnecting: {
        int s = connectionState();
        if (s == CONNECTION_STATE_CONNECTED) {
          hubrpc::Envelope e;
          logon_request_id_ = ++request_id_;
          e.set_request_id(logon_request_id_);
          *e.mutable_server_log_on() = logon_;
          e.mutable_server_log_on()->set_token(token_);
          send(e);
          state_ = State::kLoggingOn;
        } else if (s != CONNECTION_STATE_CONNECTING && s != CONNECTION_STATE_FINDING_ROUTE) {
          dropConnection();
          failure(RESULT_NO_CONNECTION, true, "cannot reach the hub");
        }
        return;
      }
      case State::kLoggingOn:
      case State::kLoggedOn: {
        for (auto& m : net_->receiveMessagesOnConnection(conn_, 16)) handle(m.payload);
        if (state_ != State::kLoggingOn && state_ != State::kLoggedOn) return;
        int s = connectionState();
        if (s != CONNECTION_STATE_CONNECTED) {
          bool was_on = state_ == State::kLoggedOn;
          dropConnection();
          if (was_on) {
            queue([this] { if (on_disconnected_) on_disconnected_(RESULT_NO_CONNECTION); });
            state_ = State::kBackoff;
            next_attempt_ = SteadyClock::now() + std::chrono::milliseconds(backoff_ms_);
          } else {
            failure(RESULT_NO_CONNECTION, true, "the hub connection dropped during logon");
          }
          return;
        }
        if (state_ == State::kLoggedOn) {
          for (auto& v : pending_validations_) send(v);
          pending_validations_.clear();
        }
        if (state_ == State::kLoggedOn && listing_dirty_) {
          hubrpc::Envelope e;
          *e.mutable_server_listing() = listing_;
          send(e);
          listing_dirty_ = false;
        }
        return;
      }
    }
  }

  void handle(std::span<const uint8_t> payload) {
    auto e = hubrpc::decode(payload);
    if (!e) return;
    if (e->has_server_log_on_result() && e->request_id() == logon_request_id_) {
      const auto& r = e->server_log_on_result();
      if (r.result() != RESULT_OK) {
        OUTPOST_LOG_WARN("logOn refused by the hub (%d): %s", r.result(), r.error().c_str());
        int32_t result = r.result();
        dropConnection();
        want_logon_ = false;
        state_ = State::kIdle;
        queue([this, result] { if (on_failure_) on_failure_({result, false}); });
        return;
      }
      steam_id_ = r.steam_id();
      secure_ = r.secure();
      public_ip_ = r.public_ip();
      if (r.restart_requested()) restart_requested_ = true;
      state_ = State::kLoggedOn;
      backoff_ms_ = kBackoffStartMs;
      listing_dirty_ = true;
      bool secure = secure_;
      queue([this] { if (on_connected_) on_connected_(); });
      queue([this, secure] { if (on_policy_) on_policy_(secure); });
    } else if (e->has_auth_session_update()) {
      const auto& u = e->auth_session_update();
      auto it = auth_.find(u.steam_id());
      if (it == auth_.end()) return;  // ended meanwhile
      ValidateAuthTicketResponse v{u.steam_id(), u.response(), u.owner_steam_id()};
      if (u.response() != AUTH_SESSION_RESPONSE_OK) {
        auth_.erase(it);  // a refusal ends the session
        players_.erase(u.steam_id());
      } else if (!players_.count(u.steam_id())) {
        players_[u.steam_id()] = Player{"", 0, SteadyClock::now(), false};
      }
      a2s_dirty_ = true;
      queue([this, v] { if (on_validate_) on_validate_(v); });
      if (u.kick()) {
        ClientKick k{u.steam_id(), u.deny_reason()};
        queue([this, k] { if (on_kick_) on_kick_(k); });
      }
    } else if (e->has_group_status_result()) {
      const auto& g = e->group_status_result();
      ClientGroupStatus v{g.steam_id(), g.group_id(), g.member(), g.officer()};
      queue([this, v] { if (on_group_) on_group_(v); });
    } else if (e->has_associate_clan_result()) {
      int32_t r = e->associate_clan_result().result();
      queue([this, r] { if (on_clan_) on_clan_(r); });
    } else if (e->has_player_compat_result()) {
      const auto& c = e->player_compat_result();
      PlayerCompat v{c.result(), c.players_dont_like_candidate(), c.players_candidate_doesnt_like(),
                     c.clan_players_dont_like_candidate(), c.steam_id()};
      queue([this, v] { if (on_compat_) on_compat_(v); });
    } else if (e->has_gameplay_stats_result()) {
      const auto& g = e->gameplay_stats_result();
      GameplayStats v{g.result(), g.rank(), g.total_connects(), g.total_minutes_played()};
      queue([this, v] { if (on_stats_) on_stats_(v); });
    } else if (e->has_server_logged_off()) {
      // The hub ended this session (the same token logged on elsewhere): do not fight back.
      int32_t result = e->server_logged_off().result();
      OUTPOST_LOG_WARN("the hub logged this server off (%d): %s", result, e->server_logged_off().error().c_str());
      dropConnection();
      want_logon_ = false;
      state_ = State::kIdle;
      steam_id_ = 0;
      queue([this, result] { if (on_disconnected_) on_disconnected_(result); });
    }
  }

  void failure(int32_t result, bool retrying, const char* why) {
    OUTPOST_LOG_INFO("hub logon attempt failed: %s (retry in %d ms)", why, backoff_ms_);
    state_ = State::kBackoff;
    next_attempt_ = SteadyClock::now() + std::chrono::milliseconds(backoff_ms_);
    backoff_ms_ = std::min(backoff_ms_ * 2, kBackoffMaxMs);
    queue([this, result, retrying] { if (on_failure_) on_failure_({result, retrying}); });
  }

  int connectionState() {
    auto info = net_->getConnectionInfo(conn_);
    return info ? info->connection_state : CONNECTION_STATE_NONE;
  }
  void dropConnection() {
    if (conn_) net_->closeConnection(conn_, 0, "", false);
    conn_ = 0;
  }
  void send(const hubrpc::Envelope& e) {
    auto bytes = hubrpc::encode(e);
    net_->sendMessageToConnection(conn_, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE);
  }
  void queue(std::function<void()> f) { pending_.push_back(std::move(f)); }

  void runCallbacks() {
    std::vector<std::function<void()>> work;
    {
      std::lock_guard<std::mutex> l(mu_);
      work.swap(pending_);
    }
    for (auto& f : work) f();
  }

  // Listing setters (thread-safe; flagged for the next tick).
  template <typename F>
  void editListing(F f) {
    std::lock_guard<std::mutex> l(mu_);
    f(listing_);
    listing_dirty_ = true;
    a2s_dirty_ = true;
  }
  bool beforeLogOn(const char* what) {
    std::lock_guard<std::mutex> l(mu_);
    if (want_logon_ || state_ != State::kIdle) {
      OUTPOST_LOG_WARN("%s: only allowed before logOn", what);
      return false;
    }
    return true;
  }

  // Rebuilds what A2S answers from the current fields and hands it to the responder(s).
  void publishA2s() {
    a2s_dirty_ = false;
    last_a2s_ = SteadyClock::now();
    if (!query_ && !shared_) return;
    a2s::ServerInfo info;
    info.name = listing_.name();
    info.map = listing_.map();
    info.folder = logon_.mod_dir();
    info.game = logon_.description();
    info.app_id = logon_.app_id();
    info.game_id = a2s::ServerInfo::gameIdForApp(logon_.app_id());
    info.max_players = static_cast<uint8_t>(std::min<uint32_t>(listing_.max_players(), 255));
    info.bots = static_cast<uint8_t>(std::min<uint32_t>(listing_.bots(), 255));
    info.server_type = logon_.dedicated() ? 'd' : 'l';
    info.environment = 'l';
    info.password = listing_.password();
    info.secure = state_ == State::kLoggedOn && secure_;
    info.version = logon_.version();
    info.game_port = static_cast<uint16_t>(logon_.game_port());
    info.steam_id = state_ == State::kLoggedOn ? steam_id_ : 0;
    info.spectator_port = static_cast<uint16_t>(listing_.spectator_port());
    info.spectator_name = listing_.spectator_name();
    info.keywords = listing_.tags();
    info.rules = rules_;
    auto now = SteadyClock::now();
    for (const auto& [id, p] : players_) {
      float secs = std::chrono::duration<float>(now - p.joined).count();
      info.player_list.push_back({p.name, static_cast<int32_t>(p.score), secs});
    }
    for (uint32_t b = 0; b < listing_.bots(); ++b) info.player_list.push_back({"Bot " + std::to_string(b + 1), 0, 0.f});
    uint32_t total = static_cast<uint32_t>(players_.size()) + listing_.bots();
    info.players = static_cast<uint8_t>(std::min<uint32_t>(total, 255));
    if (query_) query_->update(info);
    if (shared_) shared_->update(info);
  }

  struct Player {
    std::string name;
    uint32_t score = 0;
    SteadyClock::time_point joined;
    bool unauthenticated = false;
  };

  enum class State { kIdle, kConnecting, kLoggingOn, kLoggedOn, kBackoff };

  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  bool stop_ = false;
  bool initialized_ = false;
  std::unique_ptr<NetworkingSockets> net_;
  std::string hub_address_, hub_key_;
  hubrpc::ServerLogOn logon_;
  hubrpc::ServerListing listing_;
  bool listing_dirty_ = false;
  bool want_logon_ = false;
  std::string token_;
  State state_ = State::kIdle;
  uint32_t conn_ = 0;
  uint32_t request_id_ = 0;
  uint32_t logon_request_id_ = 0;
  SteadyClock::time_point next_attempt_{};
  int backoff_ms_ = kBackoffStartMs;
  uint64_t steam_id_ = 0;
  bool secure_ = false;
  std::string public_ip_;
  bool restart_requested_ = false;
  std::vector<std::function<void()>> pending_;
  std::function<void()> on_connected_;
  std::function<void(const ServerConnectFailure&)> on_failure_;
  std::function<void(int32_t)> on_disconnected_;
  std::function<void(bool)> on_policy_;
  std::function<void(const ValidateAuthTicketResponse&)> on_validate_;
  std::function<void(const ClientKick&)> on_kick_;
  std::function<void(const ClientGroupStatus&)> on_group_;
  std::function<void(int32_t)> on_clan_;
  std::function<void(const PlayerCompat&)> on_compat_;
  std::function<void(const GameplayStats&)> on_stats_;
  // Sends a request now if logged on; false otherwise.
  bool request(hubrpc::Envelope e) {
    if (state_ != State::kLoggedOn) return false;
    e.set_request_id(++request_id_);
    send(e);
    return true;
  }
  struct AuthSession {
    ticket::Claims claims;
  };
  std::map<uint64_t, AuthSession> auth_;
  std::vector<hubrpc::Envelope> pending_validations_;
  // A2S
  std::unique_ptr<a2s::A2sQuerySocket> query_;
  std::unique_ptr<a2s::A2sResponder> shared_;
  std::deque<a2s::A2sResponder::Outgoing> outgoing_;
  std::map<uint64_t, Player> players_;
  std::map<std::string, std::string> rules_;
  bool a2s_dirty_ = false;
  SteadyClock::time_point last_a2s_{};
  uint32_t next_bot_account_ = 1;
};

GameServer::GameServer() : impl_(std::make_unique<GameServerImpl>()) {}
GameServer::~GameServer() = default;

bool GameServer::serverInit(const std::string& ip, uint16_t game_port, uint16_t query_port, int server_mode,
                            const std::string& version) {
  return serverInitEx(ip, game_port, query_port, server_mode, version).status == STEAM_API_INIT_RESULT_OK;
}

ServerInitResult GameServer::serverInitEx(const std::string& ip, uint16_t game_port, uint16_t query_port,
                                          int server_mode, const std::string& version) {
  std::string why;
  if (!impl_->init(ip, game_port, query_port, server_mode, version, &why)) {
    OUTPOST_LOG_WARN("serverInit: %s", why.c_str());
    return {STEAM_API_INIT_RESULT_FAILED_GENERIC, why};
  }
  return {STEAM_API_INIT_RESULT_OK, ""};
}

void GameServer::serverShutdown() { impl_->shutdown(); }
void GameServer::run_callbacks() { impl_->runCallbacks(); }
void GameServer::setHub(const std::string& address, const std::string& key) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->hub_address_ = address;
  impl_->hub_key_ = key;
}
void GameServer::logOn(const std::string& token) {
  if (token.empty()) {
    OUTPOST_LOG_WARN("logOn: empty token (use logOnAnonymous)");
    return;
  }
  impl_->logOn(token, false);
}
void GameServer::logOnAnonymous() { impl_->logOn("", true); }
void GameServer::logOff() { impl_->logOff(); }
bool GameServer::loggedOn() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  return impl_->state_ == GameServerImpl::State::kLoggedOn;
}
bool GameServer::secure() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  return impl_->state_ == GameServerImpl::State::kLoggedOn && impl_->secure_;
}
bool GameServer::isServerSecure() { return secure(); }
uint64_t GameServer::getSteamID() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  return impl_->steam_id_ ? impl_->steam_id_ : steamid::blankAnonLogon();
}
uint64_t GameServer::getServerSteamID() { return getSteamID(); }
PublicIP GameServer::getPublicIP() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  PublicIP p;
  if (impl_->public_ip_.find(':') != std::string::npos) {
    p.ipv6 = impl_->public_ip_;
    p.type = 1;
  } else {
    p.ipv4 = impl_->public_ip_;
  }
  return p;
}
bool GameServer::wasRestartRequested() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  bool r = impl_->restart_requested_;
  impl_->restart_requested_ = false;  // "Only returns true once per request"
  return r;
}
bool GameServer::setProduct(const std::string& v) {
  if (!impl_->beforeLogOn("setProduct")) return false;
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->logon_.set_product(v);
  return true;
}
bool GameServer::setGameDescription(const std::string& v) {
  if (tooLong("setGameDescription", v, MAX_GAME_SERVER_GAME_DESCRIPTION) || !impl_->beforeLogOn("setGameDescription"))
    return false;
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->logon_.set_description(v);
  return true;
}
bool GameServer::setModDir(const std::string& v) {
  if (tooLong("setModDir", v, MAX_GAME_SERVER_GAME_DIR) || !impl_->beforeLogOn("setModDir")) return false;
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->logon_.set_mod_dir(v);
  return true;
}
bool GameServer::setDedicatedServer(bool dedicated) {
  if (!impl_->beforeLogOn("setDedicatedServer")) return false;
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->logon_.set_dedicated(dedicated);
  return true;
}
bool GameServer::setServerName(const std::string& v) {
  if (tooLong("setServerName", v, MAX_GAME_SERVER_SERVER_NAME)) return false;
  impl_->editListing([&](auto& x) { x.set_name(v); });
  return true;
}
bool GameServer::setMapName(const std::string& v) {
  if (tooLong("setMapName", v, MAX_GAME_SERVER_MAP_NAME)) return false;
  impl_->editListing([&](auto& x) { x.set_map(v); });
  return true;
}
bool GameServer::setGameTags(const std::string& v) {
  if (tooLong("setGameTags", v, MAX_GAME_SERVER_TAGS)) return false;
  impl_->editListing([&](auto& x) { x.set_tags(v); });
  return true;
}
bool GameServer::setGameData(const std::string& v) {
  if (tooLong("setGameData", v, MAX_GAME_SERVER_GAME_DATA)) return false;
  impl_->editListing([&](auto& x) { x.set_gamedata(v); });
  return true;
}
bool GameServer::setRegion(const std::string& v) {
  if (tooLong("setRegion", v, 32)) return false;
  impl_->editListing([&](auto& x) { x.set_region(v); });
  return true;
}
void GameServer::setMaxPlayerCount(int n) { impl_->editListing([&](auto& x) { x.set_max_players(static_cast<uint32_t>(std::max(0, n))); }); }
void GameServer::setBotPlayerCount(int n) { impl_->editListing([&](auto& x) { x.set_bots(static_cast<uint32_t>(std::max(0, n))); }); }
void GameServer::setPasswordProtected(bool p) { impl_->editListing([&](auto& x) { x.set_password(p); }); }
void GameServer::setSpectatorPort(uint16_t port) { impl_->editListing([&](auto& x) { x.set_spectator_port(port); }); }
void GameServer::setSpectatorServerName(const std::string& v) {
  if (tooLong("setSpectatorServerName", v, MAX_GAME_SERVER_SERVER_NAME)) return;
  impl_->editListing([&](auto& x) { x.set_spectator_name(v); });
}
void GameServer::setAdvertiseServerActive(bool active) { impl_->editListing([&](auto& x) { x.set_advertise(active); }); }
void GameServer::setPlayerCountForListing(int n) {
  impl_->editListing([&](auto& x) { x.set_players(static_cast<uint32_t>(std::max(0, n))); });
}

int GameServer::beginAuthSession(const std::vector<uint8_t>& bytes, uint64_t steam_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  std::array<uint8_t, crypto::kSignPublicKeyBytes> hub_key{};
  if (!crypto::fromHex(impl_->hub_key_, hub_key)) {
    OUTPOST_LOG_WARN("beginAuthSession: no hub key pinned (OUTPOST_HUB_KEY), so no ticket can be verified");
    return BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET;
  }
  ticket::Claims claims;
  ticket::TicketError why = ticket::TicketError::kNone;
  int r = ticket::checkTicketOffline(bytes, steam_id, impl_->logon_.app_id(), static_cast<int64_t>(std::time(nullptr)),
                                     hub_key, &claims, &why);
  if (r != BEGIN_AUTH_SESSION_RESULT_OK) {
    OUTPOST_LOG_INFO("beginAuthSession(%llu): %s", static_cast<unsigned long long>(steam_id), ticket::toString(why));
    return r;
  }
  if (impl_->auth_.count(steam_id)) return BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST;
  if (impl_->state_ == GameServerImpl::State::kLoggedOn && impl_->steam_id_ &&
      !ticket::recipientMatches(claims, impl_->steam_id_,
                                impl_->public_ip_ + ":" + std::to_string(impl_->logon_.game_port()))) {
    // Bound to another server: answered like the reference, asynchronously (the hub would say
    // the same; no need to ask it).
    ValidateAuthTicketResponse v{steam_id, AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE,
                                 claims.owner_steam_id};
    impl_->queue([i = impl_.get(), v] { if (i->on_validate_) i->on_validate_(v); });
    return BEGIN_AUTH_SESSION_RESULT_OK;
  }
  impl_->auth_[steam_id] = {claims};
  hubrpc::Envelope v;
  v.set_request_id(++impl_->request_id_);
  v.mutable_validate_ticket()->set_ticket(bytes.data(), bytes.size());
  v.mutable_validate_ticket()->set_steam_id(steam_id);
  impl_->pending_validations_.push_back(std::move(v));
  impl_->cv_.notify_all();
  return BEGIN_AUTH_SESSION_RESULT_OK;
}

void GameServer::endAuthSession(uint64_t steam_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  if (impl_->players_.erase(steam_id)) impl_->a2s_dirty_ = true;
  if (!impl_->auth_.erase(steam_id)) return;
  if (impl_->state_ == GameServerImpl::State::kLoggedOn) {
    hubrpc::Envelope e;
    e.mutable_end_auth_session()->set_steam_id(steam_id);
    impl_->send(e);
  }
}

int GameServer::userHasLicenseForApp(uint64_t steam_id, uint32_t app_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  auto it = impl_->auth_.find(steam_id);
  if (it == impl_->auth_.end()) return USER_HAS_LICENSE_RESULT_NO_AUTH;
  return ticket::hasLicence(it->second.claims, app_id) ? USER_HAS_LICENSE_RESULT_HAS_LICENSE
                                                       : USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE;
}

bool GameServer::requestUserGroupStatus(uint64_t steam_id, uint64_t group_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  hubrpc::Envelope e;
  e.mutable_group_status_request()->set_steam_id(steam_id);
  e.mutable_group_status_request()->set_group_id(group_id);
  return impl_->request(std::move(e));
}

void GameServer::associateWithClan(uint64_t clan_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  hubrpc::Envelope e;
  e.mutable_associate_clan()->set_clan_id(clan_id);
  if (!impl_->request(std::move(e))) impl_->queue([i = impl_.get()] { if (i->on_clan_) i->on_clan_(RESULT_NOT_LOGGED_ON); });
}

void GameServer::computeNewPlayerCompatibility(uint64_t steam_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  hubrpc::Envelope e;
  e.mutable_player_compat_request()->set_steam_id(steam_id);
  if (!impl_->request(std::move(e)))
    impl_->queue([i = impl_.get(), steam_id] {
      if (i->on_compat_) i->on_compat_(PlayerCompat{RESULT_NOT_LOGGED_ON, 0, 0, 0, steam_id});
    });
}

void GameServer::getGameplayStats() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  hubrpc::Envelope e;
  e.mutable_gameplay_stats_request();
  if (!impl_->request(std::move(e)))
    impl_->queue([i = impl_.get()] { if (i->on_stats_) i->on_stats_(GameplayStats{RESULT_NOT_LOGGED_ON, 0, 0, 0}); });
}

void GameServer::connect_client_group_status(std::function<void(const ClientGroupStatus&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_group_ = std::move(h);
}
void GameServer::connect_associate_clan(std::function<void(int32_t)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_clan_ = std::move(h);
}
void GameServer::connect_player_compat(std::function<void(const PlayerCompat&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_compat_ = std::move(h);
}
void GameServer::connect_gameplay_stats(std::function<void(const GameplayStats&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_stats_ = std::move(h);
}

bool GameServer::handleIncomingPacket(const std::vector<uint8_t>& packet, const std::string& ip, uint16_t port) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  if (!impl_->shared_) {
    OUTPOST_LOG_WARN("handleIncomingPacket: only in GameSocketShare mode (query port QUERY_PORT_SHARED)");
    return false;
  }
  if (packet.size() < 4 || packet[0] != 0xFF || packet[1] != 0xFF || packet[2] != 0xFF || packet[3] != 0xFF)
    return false;  // not a query: the game's own traffic
  auto from = SocketAddress::parse(ip.find(':') != std::string::npos ? "[" + ip + "]:" + std::to_string(port)
                                                                       : ip + ":" + std::to_string(port),
                                   true);
  if (!from) return false;
  if (impl_->a2s_dirty_) impl_->publishA2s();
  std::vector<a2s::A2sResponder::Outgoing> out;
  impl_->shared_->handle(*from, packet, SystemClock::instance().nowUs(), out);
  for (auto& o : out) impl_->outgoing_.push_back(std::move(o));
  return true;
}

OutgoingPacket GameServer::getNextOutgoingPacket() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  OutgoingPacket p;
  if (impl_->outgoing_.empty()) return p;
  auto& o = impl_->outgoing_.front();
  p.data = std::move(o.bytes);
  p.address = o.address.toString(false);
  p.port = o.address.port();
  impl_->outgoing_.pop_front();
  return p;
}

bool GameServer::setKeyValue(const std::string& key, const std::string& value) {
  a2s::ServerInfo probe;
  if (!probe.setKeyValue(key, value)) {
    OUTPOST_LOG_WARN("setKeyValue: key of %zu bytes or value of %zu bytes refused (empty key, too long, or NUL)",
                     key.size(), value.size());
    return false;
  }
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->rules_[key] = value;
  impl_->a2s_dirty_ = true;
  return true;
}

void GameServer::clearAllKeyValues() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->rules_.clear();
  impl_->a2s_dirty_ = true;
}

bool GameServer::updateUserData(uint64_t steam_id, const std::string& name, uint32_t score) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  auto it = impl_->players_.find(steam_id);
  if (it == impl_->players_.end()) {
    OUTPOST_LOG_WARN("updateUserData: %llu is not a player on this server", static_cast<unsigned long long>(steam_id));
    return false;
  }
  it->second.name = name.substr(0, 127);
  it->second.score = score;
  impl_->a2s_dirty_ = true;
  return true;
}

uint64_t GameServer::createUnauthenticatedUserConnection() {
  std::lock_guard<std::mutex> l(impl_->mu_);
  uint64_t id = steamid::make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_ANON_USER, 0, impl_->next_bot_account_++);
  impl_->players_[id] = GameServerImpl::Player{"", 0, SteadyClock::now(), true};
  impl_->a2s_dirty_ = true;
  return id;
}

void GameServer::sendUserDisconnect(uint64_t steam_id) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  if (impl_->players_.erase(steam_id)) impl_->a2s_dirty_ = true;
}

void GameServer::connect_validate_auth_ticket_response(std::function<void(const ValidateAuthTicketResponse&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_validate_ = std::move(h);
}

void GameServer::connect_client_kick(std::function<void(const ClientKick&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_kick_ = std::move(h);
}

void GameServer::connect_server_connected(std::function<void()> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_connected_ = std::move(h);
}
void GameServer::connect_server_connect_failure(std::function<void(const ServerConnectFailure&)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_failure_ = std::move(h);
}
void GameServer::connect_server_disconnected(std::function<void(int32_t)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_disconnected_ = std::move(h);
}
void GameServer::connect_policy_response(std::function<void(bool)> h) {
  std::lock_guard<std::mutex> l(impl_->mu_);
  impl_->on_policy_ = std::move(h);
}

}  // namespace outpost
