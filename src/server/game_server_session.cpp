// GameServer's service thread (see game_server_impl.h): the hub session of a dedicated server.
// It connects to the hub (pinned key), logs on, keeps the listing up to date, reconnects with
// backoff (0.5 s doubling to 5 s) when the hub connection is lost, dispatches the hub's messages,
// and queues the reference's signals, which run_callbacks() delivers on the caller's thread.
#include <algorithm>
#include <cstdlib>

#include "base/clock.h"
#include "base/log.h"
#include "hubrpc/hub_contact.h"
#include "hubrpc/server_strings.h"
#include "server/game_server_impl.h"

namespace outpost::server {

bool GameServerImpl::init(const std::string& ip, uint16_t game_port, uint16_t query_port, int mode,
                          const std::string& version, std::string* why) {
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
  if (std::string bad = hubrpc::checkServerString(version, hubrpc::kMaxVersionBuffer); !bad.empty()) {
    *why = "version: " + bad;
    return false;
  }
  (void)ip;
  logon_.set_game_port(game_port);
  logon_.set_query_port(query_port);
  logon_.set_server_mode(mode);
  logon_.set_version(version);
  logon_.set_app_id(appIdFromEnvironment());
  if (hub_address_.empty() && hub_error_.empty()) {
    const char* a = std::getenv("OUTPOST_HUB");
    const char* k = std::getenv("OUTPOST_HUB_KEY");
    configureHub(a ? a : "", k ? k : "");
  }
  if (hubrpc::unpinnedHubAllowedByEnvironment()) allow_unpinned_hub_ = true;
  if (query_port == QUERY_PORT_SHARED) {
    shared_ = std::make_unique<A2sResponder>(A2sResponderOptions{}, base::SystemClock::instance().nowUs());
  } else if (query_port != 0) {
    A2sQuerySocketOptions qo;
    std::string host = ip.empty() || ip == "0.0.0.0" ? "0.0.0.0" : ip;
    qo.bind_address = host + ":" + std::to_string(query_port);
    query_ = std::make_unique<A2sQuerySocket>(qo);
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

void GameServerImpl::shutdown() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!initialized_) return;
    stop_ = true;
  }
  ticket_cv_.notify_all();
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
  own_tickets_.clear();
  listing_ = hubrpc::ServerListing();
  logon_ = hubrpc::ServerLogOn();  // product, description, mod dir, dedicated: set again before logOn
  listing_dirty_ = false;
  tickCertificates();  // the certified instance hears that the session is gone
}

void GameServerImpl::configureHub(const std::string& address_or_contact, const std::string& key_hex) {
  std::string why;
  auto hub = hubrpc::resolveHub(address_or_contact, key_hex, &why);
  hub_address_ = hub ? hub->address : address_or_contact;
  hub_key_ = hub ? hub->key_hex : "";
  hub_error_ = hub ? "" : why;
}

bool GameServerImpl::hubTrustedForLogOn() {
  auto refuse = [&](const std::string& why) {
    OUTPOST_LOG_WARN("logOn: %s", why.c_str());
    want_logon_ = false;
    state_ = State::kIdle;
    queue([this] {
      if (on_failure_) on_failure_({RESULT_NO_CONNECTION, false});
    });
    return false;
  };
  if (!hub_error_.empty()) return refuse("the hub setting is unusable: " + hub_error_);
  if (hub_key_.empty() && !allow_unpinned_hub_)
    return refuse("refusing to contact the hub at " + hub_address_ +
                  ": no hub key was given, so whoever answers there would receive this server's login token. "
                  "Set OUTPOST_HUB=KEY@IP:PORT (outpost-hub prints it at start and writes it to hub.address in its "
                  "data directory) or OUTPOST_HUB_KEY, or call allowUnpinnedHub(true) for development");
  return true;
}

uint32_t GameServerImpl::appIdFromEnvironment() {
  // As the reference: the app id comes from the environment (SteamAppId) when not set.
  for (const char* name : {"OUTPOST_APP_ID", "SteamAppId"})
    if (const char* v = std::getenv(name)) return static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
  return 0;
}

// ---- Session control --------------------------------------------------------------------
void GameServerImpl::logOn(const std::string& token, bool anonymous) {
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
}

void GameServerImpl::logOff() {
  std::lock_guard<std::mutex> l(mu_);
  want_logon_ = false;
  if (conn_ && net_) net_->closeConnection(conn_, 0, "logged off", false);
  conn_ = 0;
  bool was_on = state_ == State::kLoggedOn;
  state_ = State::kIdle;
  steam_id_ = 0;
  if (was_on)
    queue([this] {
      if (on_disconnected_) on_disconnected_(RESULT_OK);
    });
}

// ---- The service thread ---------------------------------------------------------------------
void GameServerImpl::run() {
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

void GameServerImpl::tick() {
  tickCertificates();
  auto t = SteadyClock::now();
  pump_.publish(state_ == State::kLoggedOn, steam_id_, logon_.app_id(), hub_address_);
  if (state_ == State::kLoggedOn && conn_)
    for (const auto& e : pump_.take()) send(e);
  // Republish when a field changed, when the session came up or went (the Steam ID and the
  // secure flag are in A2S_INFO), and every second (player durations age).
  if (a2s_dirty_ || (state_ == State::kLoggedOn) != a2s_logged_on_ || t - last_a2s_ >= std::chrono::seconds(1))
    publishA2s();
  if (!want_logon_) return;
  auto now = SteadyClock::now();
  switch (state_) {
    case State::kIdle:
    case State::kBackoff: {
      if (now < next_attempt_) return;
      if (hub_address_.empty() && hub_error_.empty()) {
        failure(RESULT_NO_CONNECTION, true, "no hub configured (OUTPOST_HUB)");
        return;
      }
      if (!hubTrustedForLogOn()) return;
      ConfigOptions o;
      if (!hub_key_.empty()) o[NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY] = hub_key_;
      // The hub has no certificate: its pinned key is what authenticates it (docs/spec/cert.md §12).
      o[NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH] = int32_t{2};
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
        if (hub_key_.empty())
          OUTPOST_LOG_WARN(
              "logOn: sending this server's logon to the hub at %s WITHOUT checking its key "
              "(allowUnpinnedHub / OUTPOST_HUB_ALLOW_UNPINNED): anyone answering there gets the "
              "login token. Give the hub's key (OUTPOST_HUB=KEY@IP:PORT) outside development.",
              hub_address_.c_str());
        hubrpc::Envelope e;
        logon_request_id_ = ++request_id_;
        e.set_request_id(logon_request_id_);
        *e.mutable_server_log_on() = logon_;
        e.mutable_server_log_on()->set_token(token_);
        send(e);
        state_ = State::kLoggingOn;
      } else if (s != CONNECTION_STATE_CONNECTING && s != CONNECTION_STATE_FINDING_ROUTE) {
        auto info = net_->getConnectionInfo(conn_);
        if (info && info->end_reason == CONNECTION_END_REMOTE_BAD_CERT)
          OUTPOST_LOG_WARN(
              "logOn: the machine answering at %s is not the hub whose key was given (%s): "
              "nothing was sent to it",
              hub_address_.c_str(), info->end_debug.c_str());
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
          queue([this] {
            if (on_disconnected_) on_disconnected_(RESULT_NO_CONNECTION);
          });
          state_ = State::kBackoff;
          next_attempt_ = SteadyClock::now() + std::chrono::milliseconds(backoff_ms_);
        } else {
          failure(RESULT_NO_CONNECTION, true, "the hub connection dropped during logon");
        }
        return;
      }
      if (state_ == State::kLoggedOn) auth_.sendQueued();
      // The listing's player count follows the players A2S lists (auth sessions and
      // createUnauthenticatedUserConnection), so the master's \empty\ and \full\ agree with A2S.
      if (listing_.players() != humanPlayers()) {
        listing_.set_players(humanPlayers());
        listing_dirty_ = true;
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

void GameServerImpl::handle(std::span<const uint8_t> payload) {
  auto e = hubrpc::decode(payload);
  if (!e) return;
  if (pump_.onEnvelope(*e)) return;  // a P2P signal for the certified instance
  if (handleCertificates(*e)) return;
  if (e->has_server_log_on_result() && e->request_id() == logon_request_id_) {
    const auto& r = e->server_log_on_result();
    if (r.result() != RESULT_OK) {
      OUTPOST_LOG_WARN("logOn refused by the hub (%d): %s", r.result(), r.error().c_str());
      int32_t result = r.result();
      dropConnection();
      want_logon_ = false;
      state_ = State::kIdle;
      queue([this, result] {
        if (on_failure_) on_failure_({result, false});
      });
      return;
    }
    steam_id_ = r.steam_id();
    secure_ = r.secure();
    public_ip_ = r.public_ip();
    if (r.restart_requested()) restart_requested_ = true;
    state_ = State::kLoggedOn;
    backoff_ms_ = kBackoffStartMs;
    listing_dirty_ = true;
    auth_.resume();
    bool secure = secure_;
    queue([this] {
      if (on_connected_) on_connected_();
    });
    queue([this, secure] {
      if (on_policy_) on_policy_(secure);
    });
  } else if (auth_.handle(*e)) {
    // A verdict on an auth session (AuthSessions).
  } else if (e->has_ticket_result()) {
    ticketResult(e->request_id(), e->ticket_result());
  } else if (e->has_group_status_result()) {
    const auto& g = e->group_status_result();
    if (g.result() != RESULT_OK)
      OUTPOST_LOG_WARN("requestUserGroupStatus(%llu): the hub refused (%d): the player holds no auth session here",
                       static_cast<unsigned long long>(g.steam_id()), g.result());
    ClientGroupStatus v{g.steam_id(), g.group_id(), g.member() && g.result() == RESULT_OK,
                        g.officer() && g.result() == RESULT_OK};
    queue([this, v] {
      if (on_group_) on_group_(v);
    });
  } else if (e->has_associate_clan_result()) {
    int32_t r = e->associate_clan_result().result();
    queue([this, r] {
      if (on_clan_) on_clan_(r);
    });
  } else if (e->has_player_compat_result()) {
    const auto& c = e->player_compat_result();
    PlayerCompat v{c.result(), c.players_dont_like_candidate(), c.players_candidate_doesnt_like(),
                   c.clan_players_dont_like_candidate(), c.steam_id()};
    queue([this, v] {
      if (on_compat_) on_compat_(v);
    });
  } else if (e->has_gameplay_stats_result()) {
    const auto& g = e->gameplay_stats_result();
    GameplayStats v{g.result(), g.rank(), g.total_connects(), g.total_minutes_played()};
    queue([this, v] {
      if (on_stats_) on_stats_(v);
    });
  } else if (e->has_refused()) {
    // A request the hub refused that has no answer of its own (a listing, a resumed session...).
    // Logged when the refusal changes (a listing refused for policy is refused again at every
    // update of the player count).
    const auto& r = e->refused();
    if (std::make_pair(r.request(), r.result()) != last_refusal_)
      OUTPOST_LOG_WARN("the hub refused a request (body %u, result %d): %s", r.request(), r.result(),
                       r.error().c_str());
    last_refusal_ = {r.request(), r.result()};
  } else if (e->has_server_logged_off()) {
    // The hub ended this session (the same token logged on elsewhere): do not fight back.
    int32_t result = e->server_logged_off().result();
    OUTPOST_LOG_WARN("the hub logged this server off (%d): %s", result, e->server_logged_off().error().c_str());
    dropConnection();
    want_logon_ = false;
    state_ = State::kIdle;
    steam_id_ = 0;
    queue([this, result] {
      if (on_disconnected_) on_disconnected_(result);
    });
  }
}

void GameServerImpl::failure(int32_t result, bool retrying, const char* why) {
  OUTPOST_LOG_INFO("hub logon attempt failed: %s (retry in %d ms)", why, backoff_ms_);
  state_ = State::kBackoff;
  next_attempt_ = SteadyClock::now() + std::chrono::milliseconds(backoff_ms_);
  backoff_ms_ = std::min(backoff_ms_ * 2, kBackoffMaxMs);
  queue([this, result, retrying] {
    if (on_failure_) on_failure_({result, retrying});
  });
}

int GameServerImpl::connectionState() {
  auto info = net_->getConnectionInfo(conn_);
  return info ? info->connection_state : CONNECTION_STATE_NONE;
}
void GameServerImpl::dropConnection() {
  if (conn_) net_->closeConnection(conn_, 0, "", false);
  conn_ = 0;
}
void GameServerImpl::send(const hubrpc::Envelope& e) {
  auto bytes = hubrpc::encode(e);
  net_->sendMessageToConnection(conn_, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE);
}

void GameServerImpl::runCallbacks() {
  std::vector<std::function<void()>> work;
  {
    std::lock_guard<std::mutex> l(mu_);
    work.swap(pending_);
  }
  for (auto& f : work) f();
}

bool GameServerImpl::request(hubrpc::Envelope e) {
  if (state_ != State::kLoggedOn) return false;
  e.set_request_id(++request_id_);
  send(e);
  return true;
}

bool GameServerImpl::beforeLogOn(const char* what) {
  std::lock_guard<std::mutex> l(mu_);
  if (want_logon_ || state_ != State::kIdle) {
    OUTPOST_LOG_WARN("%s: only allowed before logOn", what);
    return false;
  }
  return true;
}

bool badString(const char* what, const std::string& v, size_t buffer_bytes) {
  std::string why = hubrpc::checkServerString(v, buffer_bytes);
  if (why.empty()) return false;
  OUTPOST_LOG_WARN("%s: %s; refused, not truncated", what, why.c_str());
  return true;
}

bool badCount(const char* what, int n) {
  if (n <= static_cast<int>(hubrpc::kMaxListedCount)) return false;
  OUTPOST_LOG_WARN("%s: %d is over the limit of %u; ignored", what, n, hubrpc::kMaxListedCount);
  return true;
}

}  // namespace outpost::server
