// outpost::User — the player's side of the hub, needed to use a server for real: log on with
// a name and password, get session tickets for game servers (optionally bound to the server's
// identity), cancel them, log off. Calls block until the hub answers (bounded by a timeout).
//
// The hub is found from OUTPOST_HUB (KEY@IP:PORT, or IP:PORT with OUTPOST_HUB_KEY) or setHub(),
// and its key is pinned: logOn refuses a hub whose key it was not given (the password never
// leaves this process) unless allowUnpinnedHub(true). Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "outpost/types.h"

namespace outpost {

// What User::beginAuthSession learnt about a game server's ticket: the offline checks
// (BeginAuthSessionResult: 0 OK, 1 invalid ticket, 3 invalid version, 4 game mismatch, 5 expired)
// and, when they passed, the hub's verdict (AuthSessionResponse; 0 = the server is who it says).
struct AuthSessionCheck {
  int32_t result = BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET;
  int32_t response = AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID;  // until the hub says otherwise
  uint64_t steam_id = 0;                                         // the server the ticket names
};

namespace client {
class UserImpl;  // src/client (internal)
}
class NetworkingSockets;

class User {
 public:
  User();
  ~User();
  User(const User&) = delete;
  User& operator=(const User&) = delete;

  // "KEY@IP:PORT" (public_key_hex may then be ""), or "IP:PORT" and the 64-hex key (any case).
  void setHub(const std::string& address, const std::string& public_key_hex);
  // Extension: this user's hub session certifies `net`'s identity key as the user's Steam ID, for
  // the app of the logon (docs/spec/cert.md §7): `net` asks for a certificate at once (WAITING
  // until logged on, then CURRENT), renews it, trusts the pinned hub key and hears of
  // revocations, so the game servers it connects to authenticate the player and it them. The same
  // session carries `net`'s P2P signaling and FakeIP requests (docs/spec/signaling.md). Call
  // once, any time; `net` may outlive this object or not.
  void certifyNetworkingSockets(NetworkingSockets& net);
  // Development only: with true, logOn also talks to a hub whose key was not given, logging a
  // warning at every logon. Also set by OUTPOST_HUB_ALLOW_UNPINNED=1. Default false.
  void allowUnpinnedHub(bool allow);
  // RESULT_OK, RESULT_INVALID_PASSWORD (wrong name or password), RESULT_NO_CONNECTION (no hub, no
  // hub key given, or the hub did not present the given key; reason logged),
  // RESULT_RATE_LIMIT_EXCEEDED (too many failed logons for this name or from this address: wait),
  // RESULT_BUSY (the hub is checking too many logons: try again).
  int logOn(const std::string& name, const std::string& password, uint32_t app_id);
  void logOff();
  bool loggedOn();
  uint64_t getSteamID();
  // identity: "" (any server may redeem it), "steamid:<server steam id>", or the server's
  // address "ip[:port]". An empty ticket (id 0) if not logged on or the hub refused.
  AuthTicket getAuthSessionTicket(const std::string& identity = "");
  // The reference's form: bound to a server's Steam ID (0 = any server).
  AuthTicket getAuthSessionTicket(uint64_t remote_steam_id);
  // Servers holding a session from this ticket are told (AuthTicketCanceled).
  void cancelAuthTicket(uint32_t id);
  // Checks a game server's own ticket (GameServer::getAuthSessionTicket) before trusting the
  // server: offline against the pinned hub key, then with the hub, which answers OK only while
  // that server is logged on, the ticket is not cancelled, is bound to this user or to no one,
  // and has not been redeemed by another user. Blocks until the hub answers.
  AuthSessionCheck beginAuthSession(const std::vector<uint8_t>& ticket, uint64_t server_steam_id);

 private:
  std::unique_ptr<client::UserImpl> impl_;
};

}  // namespace outpost
