// outpost::User — the player's side of the hub, needed to use a server for real: log on with
// a name and password, get session tickets for game servers (optionally bound to the server's
// identity), cancel them, log off. Calls block until the hub answers (bounded by a timeout).
//
// The hub is found from OUTPOST_HUB / OUTPOST_HUB_KEY or setHub(). Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "outpost/types.h"

namespace outpost {

// The reference's getAuthSessionTicket dictionary: {id, buffer, size}.
struct AuthTicket {
  uint32_t id = 0;  // the handle for cancelAuthTicket; 0 = failed
  std::vector<uint8_t> buffer;
  uint32_t size = 0;
};

class UserImpl;

class User {
 public:
  User();
  ~User();
  User(const User&) = delete;
  User& operator=(const User&) = delete;

  void setHub(const std::string& address, const std::string& public_key_hex);
  // RESULT_OK, RESULT_INVALID_PASSWORD (wrong name or password), RESULT_NO_CONNECTION (no hub).
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

 private:
  std::unique_ptr<UserImpl> impl_;
};

}  // namespace outpost
