// GameServerImpl: the state behind outpost::GameServer, shared by the files that implement it —
//   game_server.cpp          the public main-server, session and listing calls, signal hookup;
//   game_server_session.cpp  the service thread: hub connection, logon, reconnect, hub messages;
//   game_server_auth.cpp     the auth calls: player auth sessions (held by AuthSessions,
//                            auth_sessions.h, to which this class is the hub link and the
//                            receiver of its reports), the server's own tickets, groups, clans,
//                            compatibility and statistics;
//   game_server_a2s.cpp      what A2S answers (players, rules, info) and GameSocketShare;
//   game_server_certs.cpp    certifying the game's NetworkingSockets (certifyNetworkingSockets).
// Every member is guarded by mu_; signals are queued (queue()) and run by runCallbacks() on the
// caller's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "hubrpc/framing.h"
#include "hubrpc/signal_pump.h"
#include "outpost/game_server.h"
#include "outpost/networking_sockets.h"
#include "server/a2s_query_socket.h"
#include "server/a2s_responder.h"
#include "server/auth_sessions.h"
#include "ticket/ticket.h"
#include "transport/certificate_link.h"

namespace outpost::server {

class GameServerImpl : private AuthHubLink, private AuthReports {
 public:
  using SteadyClock = std::chrono::steady_clock;
  static constexpr int kBackoffStartMs = 500;
  static constexpr int kBackoffMaxMs = 5000;
  static constexpr int32_t kHubTimeoutMs = 4000;  // notice a dead hub within 4 s (keepalive every 1 s)
  static constexpr int kTicketTimeoutMs = 5000;   // getAuthSessionTicket waits this long for the hub

  ~GameServerImpl() {
    shutdown();
    detachCertificates();
  }

  // ---- Lifecycle and session (game_server_session.cpp) -----------------------------------------
  bool init(const std::string& ip, uint16_t game_port, uint16_t query_port, int mode, const std::string& version,
            std::string* why);
  void shutdown();
  void logOn(const std::string& token, bool anonymous);
  void logOff();
  static uint32_t appIdFromEnvironment();
  // setHub / OUTPOST_HUB(_KEY): KEY@IP:PORT or IP:PORT and a key (hubrpc/hub_contact.h), kept as
  // hub_address_ and a lower-case hub_key_; a malformed value is kept in hub_error_ for logOn.
  void configureHub(const std::string& address_or_contact, const std::string& key_hex);
  // The hub-trust checks before a logon connects: false (and the logon refused, reason logged)
  // when no key was given and allowUnpinnedHub is off.
  bool hubTrustedForLogOn();
  void run();
  void tick();
  void handle(std::span<const uint8_t> payload);
  void failure(int32_t result, bool retrying, const char* why);
  int connectionState();
  void dropConnection();
  void send(const hubrpc::Envelope& e) override;
  void queue(std::function<void()> f) { pending_.push_back(std::move(f)); }
  void runCallbacks();
  // Sends a request now if logged on; false otherwise.
  bool request(hubrpc::Envelope e);
  bool loggedOnLocked() const { return state_ == State::kLoggedOn; }

  // Listing setters (thread-safe; flagged for the next tick).
  template <typename F>
  void editListing(F f) {
    std::lock_guard<std::mutex> l(mu_);
    f(listing_);
    listing_dirty_ = true;
    a2s_dirty_ = true;
  }
  bool beforeLogOn(const char* what);

  // ---- Auth (game_server_auth.cpp) -------------------------------------------------------------
  void ticketResult(uint32_t request_id, const hubrpc::TicketResult& r);
  // AuthHubLink: who the server is now, request ids (send is above).
  Identity identity() const override;
  uint32_t nextRequestId() override { return ++request_id_; }
  // AuthReports: the player list follows the verdicts; the signals are queued.
  void playerVerdict(uint64_t steam_id, bool accepted) override;
  void validateAuthTicketResponse(const ValidateAuthTicketResponse& v) override;
  void clientApproved(const ClientApproved& a) override;
  void clientDenied(const ClientDenied& d) override;
  void clientKick(const ClientKick& k) override;

  // ---- Certificates (game_server_certs.cpp) ----------------------------------------------------
  void certify(NetworkingSockets& net);
  // On the service thread, each tick: tells the link what the session is (logged on, as whom),
  // sends the instance's request once logged on, fails an unanswered one when the session drops.
  void tickCertificates();
  // A hub message about certificates; true if it was one.
  bool handleCertificates(const hubrpc::Envelope& e);
  void detachCertificates();

  // ---- A2S (game_server_a2s.cpp) ---------------------------------------------------------------
  // Rebuilds what A2S answers from the current fields and hands it to the responder(s).
  void publishA2s();
  // The players the listing and A2S count: everyone in players_ (authenticated or not).
  uint32_t humanPlayers() const { return static_cast<uint32_t>(players_.size()); }

  struct Player {
    std::string name;
    uint32_t score = 0;
    SteadyClock::time_point joined;
    bool unauthenticated = false;
  };
  enum class State { kIdle, kConnecting, kLoggingOn, kLoggedOn, kBackoff };

  std::mutex mu_;
  std::thread thread_;
  bool stop_ = false;
  bool initialized_ = false;
  std::unique_ptr<NetworkingSockets> net_;
  std::string hub_address_, hub_key_;
  std::string hub_error_;            // why the configured hub is unusable ("" = fine)
  bool allow_unpinned_hub_ = false;  // allowUnpinnedHub / OUTPOST_HUB_ALLOW_UNPINNED=1 (development)
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
  std::pair<uint32_t, int32_t> last_refusal_{0, 0};  // the last Refused logged (body, result)

  // Signals.
  std::vector<std::function<void()>> pending_;
  std::function<void()> on_connected_;
  std::function<void(const ServerConnectFailure&)> on_failure_;
  std::function<void(int32_t)> on_disconnected_;
  std::function<void(bool)> on_policy_;
  std::function<void(const ValidateAuthTicketResponse&)> on_validate_;
  std::function<void(const ClientApproved&)> on_approved_;
  std::function<void(const ClientDenied&)> on_denied_;
  std::function<void(const ClientKick&)> on_kick_;
  std::function<void(const ClientGroupStatus&)> on_group_;
  std::function<void(int32_t)> on_clan_;
  std::function<void(const PlayerCompat&)> on_compat_;
  std::function<void(const GameplayStats&)> on_stats_;

  // Player auth sessions, and the server's own tickets (request id -> the hub's answer).
  AuthSessions auth_{*this, *this};
  std::map<uint32_t, std::optional<hubrpc::TicketResult>> ticket_waits_;
  std::condition_variable ticket_cv_;
  std::map<uint32_t, uint64_t> own_tickets_;  // handle -> ticket id
  uint32_t next_ticket_handle_ = 1;

  // P2P signaling of the NetworkingSockets instance this session serves (certifyNetworkingSockets).
  hubrpc::SignalPump pump_;
  // Certificates of the game's NetworkingSockets.
  std::shared_ptr<transport::CertificateLink> cert_link_;
  uint32_t cert_request_id_ = 0;  // the IdentityCertificateRequest awaiting its answer
  bool cert_published_logged_on_ = false;
  uint64_t cert_published_steam_id_ = 0;
  std::string cert_published_hub_key_;
  bool cert_published_ = false;

  // A2S.
  std::unique_ptr<A2sQuerySocket> query_;
  std::unique_ptr<A2sResponder> shared_;
  std::deque<A2sResponder::Outgoing> outgoing_;
  std::map<uint64_t, Player> players_;
  std::map<std::string, std::string> rules_;
  bool a2s_dirty_ = false;
  bool a2s_logged_on_ = false;  // the session state the last publishA2s saw
  SteadyClock::time_point last_a2s_{};
  uint32_t next_bot_account_ = 1;
};

// Logs and returns true when `v` does not fit a buffer of `buffer_bytes` (NUL included, as the
// reference's MAX_GAME_SERVER_*) or is not UTF-8 without control characters
// (hubrpc::checkServerString): the setters refuse, never truncate.
bool badString(const char* what, const std::string& v, size_t buffer_bytes);
// Logs and returns true when a listed count is over what the master carries (65535).
bool badCount(const char* what, int n);

}  // namespace outpost::server
