// Players: the hub's user sessions, the tickets it signed for them, and the auth sessions game
// servers hold. Issues tickets only for apps the user owns, within the bounds of TicketLimits
// (a per-session rate, a per-user and a global cap: TicketBook). Validates tickets for game
// servers (beginAuthSession's asynchronous half), only tickets of the server's own app, and
// pushes later changes — a cancelled ticket, a logoff, a logon elsewhere, a ban — to every
// server holding a session for that user. Time comes from the hub's UnixClock. Hub thread only;
// the caller sends what `send` is given.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "crypto/crypto.h"
#include "hub/ticket_book.h"
#include "hub/ticket_limits.h"
#include "hubrpc.pb.h"
#include "store/store.h"

namespace outpost::hub {

class Players {
 public:
  using Send = std::function<void(uint32_t connection, const hubrpc::Envelope&)>;
  Players(store::Store& store, const crypto::IdentityKeyPair& hub_key, const base::UnixClock& clock,
          const TicketLimits& limits, Send send);

  // After the password check (PasswordChecks, off the hub thread): opens the user's session.
  hubrpc::UserLogOnResult logOn(uint32_t connection, const hubrpc::UserLogOn& req, bool password_ok);
  // Refusals, in order: NotLoggedOn (21), RateLimitExceeded (84, this session asks too fast),
  // AccessDenied (15, no licence for the session's app) or Expired (27, the licence expired),
  // InvalidParam (8, a bad recipient), LimitExceeded (25, the user holds TicketLimits::per_user
  // tickets), Busy (10, the hub tracks TicketLimits::users_total).
  hubrpc::TicketResult issueTicket(uint32_t connection, const hubrpc::TicketRequest& req);
  // RESULT_OK, or why not: NotLoggedOn (21), InvalidParam (8: not a ticket this user holds).
  int32_t cancelTicket(uint32_t connection, uint64_t ticket_id);
  // `server_address` is the game server's address as players reach it (public ip:game port);
  // `server_app_id` the app it logged on for (a ticket of another app is refused).
  hubrpc::AuthSessionUpdate validate(uint32_t server_connection, uint64_t server_steam_id, uint32_t server_app_id,
                                     const std::string& server_address, const hubrpc::ValidateTicket& req);
  void endAuthSession(uint32_t server_connection, uint64_t user_steam_id);
  // A reconnected server's session that the hub had accepted before (see hubrpc.proto): taken
  // back into the sessions that later changes are pushed to, if the ticket is authentic, unexpired,
  // of the server's app and was redeemed by this server; a ban that came meanwhile is pushed at
  // once. RESULT_OK, or InvalidParam (8: not an authentic, unexpired player ticket of this app) /
  // AccessDenied (15: not redeemed by this server).
  int32_t resume(uint32_t server_connection, uint64_t server_steam_id, uint32_t server_app_id,
                 const hubrpc::ResumeAuthSession& req);
  void banned(uint32_t app_id, uint32_t account_id, store::BanKind kind);
  // A game-server session ended (its connection closed, or the hub ended it): its auth sessions end.
  void serverEnded(uint32_t server_connection);
  // A connection closed: a user logs off, a server's auth sessions end.
  void disconnected(uint32_t connection);

  size_t users() const { return sessions_.size(); }
  // The logged-on user on this connection (individual Steam ID and app), or false.
  bool userOf(uint32_t connection, uint64_t* steam_id, uint32_t* app_id) const;
  // The users holding an auth session on this server.
  std::vector<uint64_t> authenticatedUsers(uint32_t server_connection) const;
  // Whether `user_steam_id` holds an auth session on this server (what group and compatibility
  // requests may ask about).
  bool inSession(uint32_t server_connection, uint64_t user_steam_id) const;
  // Writes accumulated gameplay statistics (connects, seconds played) to the store.
  void flushStats();
  size_t authSessions() const;
  size_t trackedTickets() const { return tickets_.size(); }
  uint64_t expiredTickets() const { return tickets_.expiredDropped(); }

 private:
  struct UserSession {
    uint32_t account = 0;
    uint32_t app_id = 0;
    uint64_t generation = 0;  // which logon of this user
    RateBucket ticket_rate;
  };
  struct AuthSession {
    uint64_t ticket_id = 0;
    uint32_t app_id = 0;
    uint64_t owner_steam_id = 0;
    uint64_t server_steam_id = 0;
    int64_t started_at = 0;
  };
  struct PendingStats {
    uint32_t app_id = 0;
    int64_t connects = 0;
    int64_t seconds = 0;
  };
  void sessionEnded(const AuthSession& s);

  // Sends `response` for `user` to every server holding an auth session of that user.
  void pushToServers(uint32_t account, int32_t response, bool kick, int32_t deny_reason, uint64_t only_ticket = 0);

  store::Store& store_;
  const crypto::IdentityKeyPair& hub_key_;
  const base::UnixClock& clock_;
  const TicketLimits& limits_;
  Send send_;
  uint64_t next_generation_ = 1;
  struct CurrentLogOn {
    uint32_t connection = 0;
    uint64_t generation = 0;
  };
  std::unordered_map<uint32_t, UserSession> sessions_;  // by connection
  std::unordered_map<uint32_t, CurrentLogOn> current_;  // account -> its live logon (erased at logoff)
  TicketBook tickets_;                                  // holder = account, tag = generation
  // server connection -> (user steam id -> session)
  std::unordered_map<uint32_t, std::map<uint64_t, AuthSession>> auth_;
  std::unordered_map<uint64_t, PendingStats> stats_;  // by server Steam ID, not yet in the store
};

}  // namespace outpost::hub
