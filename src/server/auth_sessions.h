// AuthSessions: a game server's player auth sessions (beginAuthSession, the older
// sendUserConnectAndAuthenticate, endAuthSession, userHasLicenseForApp) and their validation by
// the hub (docs/spec/hub-rpc.md §6). A ticket is checked offline first (the synchronous
// BeginAuthSessionResult); an accepted one opens a session and queues a ValidateTicket for the
// hub, whose verdicts (a reply, or a later push) become the reference's signals.
//
// Its narrow interface to the server's hub session:
//  - AuthHubLink, what it needs: who the server is right now (logged on, Steam ID, public
//    address, app, pinned hub key), request ids, and a way to send on the hub connection;
//  - AuthReports, what it reports back: a player accepted or refused (the A2S player list and
//    the listing count follow), and validate_auth_ticket_response, client_approved,
//    client_denied and client_kick.
// The session thread calls sendQueued() while logged on, resume() after each (re)logon, and
// handle() for each hub message. Not thread-safe: GameServerImpl calls it with its mutex held.
// Unit-tested with a fake link (tests/unit/auth_sessions_test.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/clock.h"
#include "hubrpc/framing.h"
#include "outpost/game_server.h"
#include "ticket/ticket.h"

namespace outpost::server {

// What AuthSessions needs from the hub session.
class AuthHubLink {
 public:
  // The server as the hub knows it at this moment.
  struct Identity {
    bool logged_on = false;
    uint64_t steam_id = 0;    // the server's own Steam ID (0 before the first logon)
    std::string address;      // its public "ip:port" (the hub's view and the game port)
    uint32_t app_id = 0;      // the app whose tickets it accepts
    std::string hub_key_hex;  // the pinned hub key that signs tickets ("" = none pinned)
  };
  virtual ~AuthHubLink() = default;
  virtual Identity identity() const = 0;
  // A fresh request id on the hub connection (shared with the server's other requests).
  virtual uint32_t nextRequestId() = 0;
  // Sends `e` on the hub connection. Called only while identity().logged_on.
  virtual void send(const hubrpc::Envelope& e) = 0;
};

// What AuthSessions reports back to the server.
class AuthReports {
 public:
  virtual ~AuthReports() = default;
  // The hub accepted (`accepted`) or refused the session of `steam_id`: a player to list (if not
  // listed yet) or to drop.
  virtual void playerVerdict(uint64_t steam_id, bool accepted) = 0;
  // The reference's signals, to be queued for run_callbacks.
  virtual void validateAuthTicketResponse(const ValidateAuthTicketResponse& v) = 0;
  virtual void clientApproved(const ClientApproved& a) = 0;
  virtual void clientDenied(const ClientDenied& d) = 0;
  virtual void clientKick(const ClientKick& k) = 0;
};

class AuthSessions {
 public:
  // `link`, `reports` and `clock` must outlive this object.
  AuthSessions(AuthHubLink& link, AuthReports& reports,
               const base::UnixClock& clock = base::SystemUnixClock::instance());

  // beginAuthSession (legacy = false) or sendUserConnectAndAuthenticate (legacy = true): the
  // offline checks, then a session opened and the hub asked (queued until sendQueued). Returns
  // a BeginAuthSessionResult. A ticket bound to another server is answered OK now and
  // AuthTicketNetworkIdentityFailure asynchronously, as the reference does.
  int begin(const std::vector<uint8_t>& ticket, uint64_t steam_id, bool legacy);
  // endAuthSession: forgets the session and, when logged on, tells the hub. False if there was
  // no session.
  bool end(uint64_t steam_id);
  // userHasLicenseForApp.
  int licence(uint64_t steam_id, uint32_t app_id) const;
  bool has(uint64_t steam_id) const { return sessions_.count(steam_id) != 0; }
  size_t size() const { return sessions_.size(); }
  size_t queuedValidations() const { return queued_.size(); }

  // ---- The session thread --------------------------------------------------------------------
  // Sends the validations queued since the last call (call while logged on).
  void sendQueued();
  // After a (re)logon: sessions the hub accepted are resumed (it may have restarted and forgotten
  // them), and validations it never answered are asked again.
  void resume();
  // A hub message: an AuthSessionUpdate is a verdict on a session (true); anything else is not
  // for us (false).
  bool handle(const hubrpc::Envelope& e);
  // serverShutdown: every session and queued validation is dropped (nothing is sent).
  void clear();

 private:
  struct Session {
    ticket::Claims claims;
    bool legacy = false;          // opened by sendUserConnectAndAuthenticate: client_approved / client_denied
    std::vector<uint8_t> ticket;  // to resume the session with a hub that reconnected
    bool accepted = false;        // the hub said OK
  };
  void verdict(const hubrpc::AuthSessionUpdate& u);
  void queueValidation(const std::vector<uint8_t>& ticket, uint64_t steam_id);

  AuthHubLink& link_;
  AuthReports& reports_;
  const base::UnixClock& clock_;
  std::map<uint64_t, Session> sessions_;
  std::vector<hubrpc::Envelope> queued_;  // ValidateTicket requests not sent yet
};

}  // namespace outpost::server
