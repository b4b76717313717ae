// Players: the hub's user sessions, the tickets it signed, and the auth sessions game servers
// hold. Validates tickets for game servers (beginAuthSession's asynchronous half) and pushes
// later changes — a cancelled ticket, a logoff, a logon elsewhere, a ban — to every server
// holding a session for that user. Hub thread only; the caller sends what `send` is given.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "crypto/crypto.h"
#include "hubrpc.pb.h"
#include "store/store.h"

namespace outpost::hub {

class Players {
 public:
  using Send = std::function<void(uint32_t connection, const hubrpc::Envelope&)>;
  Players(store::Store& store, const crypto::IdentityKeyPair& hub_key, Send send);

  // After the password check (PasswordChecks, off the hub thread): opens the user's session.
  hubrpc::UserLogOnResult logOn(uint32_t connection, const hubrpc::UserLogOn& req, bool password_ok);
  hubrpc::TicketResult issueTicket(uint32_t connection, const hubrpc::TicketRequest& req, int64_t now_unix);
  void cancelTicket(uint32_t connection, uint64_t ticket_id);
  // `server_address` is the game server's address as players reach it (public ip:game port).
  hubrpc::AuthSessionUpdate validate(uint32_t server_connection, uint64_t server_steam_id,
                                     const std::string& server_address, const hubrpc::ValidateTicket& req,
                                     int64_t now_unix);
  void endAuthSession(uint32_t server_connection, uint64_t user_steam_id);
  // A reconnected server's session that the hub had accepted before (see hubrpc.proto): taken
  // back into the sessions that later changes are pushed to, if the ticket is authentic, unexpired
  // and was redeemed by this server; a ban that came meanwhile is pushed at once. false if refused.
  bool resume(uint32_t server_connection, uint64_t server_steam_id, const hubrpc::ResumeAuthSession& req,
              int64_t now_unix);
  void banned(uint32_t app_id, uint32_t account_id, store::BanKind kind);
  // A connection closed: a user logs off, a server's auth sessions end.
  void disconnected(uint32_t connection);

  size_t users() const { return sessions_.size(); }
  // The logged-on user on this connection (individual Steam ID and app), or false.
  bool userOf(uint32_t connection, uint64_t* steam_id, uint32_t* app_id) const;
  // The users holding an auth session on this server.
  std::vector<uint64_t> authenticatedUsers(uint32_t server_connection) const;
  // Writes accumulated gameplay statistics (connects, seconds played) to the store.
  void flushStats(int64_t now_unix);
  size_t authSessions() const;

 private:
  struct UserSession {
    uint32_t account = 0;
    uint32_t app_id = 0;
    uint64_t generation = 0;  // which logon of this user
  };
  struct IssuedTicket {
    uint32_t account = 0;
    uint64_t generation = 0;
    bool cancelled = false;
    int64_t expires_at = 0;
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
  void sessionEnded(const AuthSession& s, int64_t now_unix);

  // Sends `response` for `user` to every server holding an auth session of that user.
  void pushToServers(uint32_t account, int32_t response, bool kick, int32_t deny_reason,
                     uint64_t only_ticket = 0);
  void pruneTickets(int64_t now_unix);

  store::Store& store_;
  const crypto::IdentityKeyPair& hub_key_;
  Send send_;
  uint64_t next_generation_ = 1;
  std::unordered_map<uint32_t, UserSession> sessions_;       // by connection
  std::unordered_map<uint32_t, uint32_t> connection_of_;     // account -> connection
  std::unordered_map<uint32_t, uint64_t> generation_of_;     // account -> current logon
  std::unordered_map<uint64_t, IssuedTicket> tickets_;       // by ticket id
  // server connection -> (user steam id -> session)
  std::unordered_map<uint32_t, std::map<uint64_t, AuthSession>> auth_;
  std::unordered_map<uint64_t, PendingStats> stats_;  // by server Steam ID, not yet in the store
};

}  // namespace outpost::hub
