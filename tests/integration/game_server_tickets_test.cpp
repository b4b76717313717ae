// Integration, against a real outpost-hub process: the older auth flow
// (sendUserConnectAndAuthenticate → client_approved / client_denied with the reason and message,
// client_kick on a ban) and the server's own tickets (GameServer::getAuthSessionTicket /
// cancelAuthTicket, checked by a player with User::beginAuthSession: bound, reused, cancelled,
// from a server that logged off, and refused where a player's ticket is expected and vice versa).
#include <arpa/inet.h>

#include "hub_fixture.h"
#include "outpost/steam_id.h"
#include "outpost/user.h"

namespace outpost::test {
namespace {

struct LegacyObserver {
  std::vector<ClientApproved> approved;
  std::vector<ClientDenied> denied;
  std::vector<ClientKick> kicks;
  std::vector<ValidateAuthTicketResponse> verdicts;
  void attach(GameServer& gs) {
    gs.connect_client_approved([this](const ClientApproved& a) { approved.push_back(a); });
    gs.connect_client_denied([this](const ClientDenied& d) { denied.push_back(d); });
    gs.connect_client_kick([this](const ClientKick& k) { kicks.push_back(k); });
    gs.connect_validate_auth_ticket_response([this](const ValidateAuthTicketResponse& v) { verdicts.push_back(v); });
  }
};

class GameServerTickets : public HubTest {
 protected:
  // App 480 with users alice (licence), bob (licence borrowed from alice), carol (none), and a
  // token; the server logged on with it.
  void SetUpHub(GameServer& gs, Observed& o) {
    startHub(hub_);
    uint64_t sid = 0;
    token_ = provision(hub_, &sid);
    for (const char* name : {"alice", "bob", "carol"})
      admin(hub_, {"user", "create", name, std::string(name) + "-password"});
    admin(hub_, {"licence", "grant", "alice", "480"});
    admin(hub_, {"licence", "grant", "bob", "480", "--borrowed-from", "alice"});
    alice_ = steamid::individual(2);  // "owner" from provision() is account 1
    bob_ = steamid::individual(3);
    carol_ = steamid::individual(4);
    o.attach(gs);
    init(gs, hub_, SERVER_MODE_AUTHENTICATION_AND_SECURE);
    gs.logOn(token_);
    ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
    server_id_ = sid;
  }
  void logOnUser(User& u, const std::string& name) {
    u.setHub(hub_.address, hub_.public_key);
    ASSERT_EQ(u.logOn(name, name + "-password", 480), RESULT_OK);
  }
  HubProcess hub_;
  std::string token_;
  uint64_t alice_ = 0, bob_ = 0, carol_ = 0, server_id_ = 0;
};

TEST_F(GameServerTickets, OlderFlowApprovesDeniesWithAReasonAndKicksOnABan) {
  GameServer gs;
  Observed o;
  LegacyObserver l;
  ASSERT_NO_FATAL_FAILURE(SetUpHub(gs, o));
  l.attach(gs);
  User alice, bob, carol;
  logOnUser(alice, "alice");
  logOnUser(bob, "bob");
  logOnUser(carol, "carol");
  const uint32_t client_ip = 0x7F000001;  // 127.0.0.1, host order as the SDK passes it

  // Approved: the user's Steam ID comes out of the ticket; the owner is the licence's lender.
  uint64_t who = 0;
  AuthTicket ta = alice.getAuthSessionTicket();
  ASSERT_TRUE(gs.sendUserConnectAndAuthenticate(client_ip, ta.buffer, &who));
  EXPECT_EQ(who, alice_);
  EXPECT_FALSE(gs.sendUserConnectAndAuthenticate(client_ip, ta.buffer, &who));  // a session is open
  AuthTicket tb = bob.getAuthSessionTicket();
  ASSERT_TRUE(gs.sendUserConnectAndAuthenticate(client_ip, tb.buffer, &who));
  EXPECT_EQ(who, bob_);
  ASSERT_TRUE(pump({&gs}, [&] { return l.approved.size() == 2; }));
  std::map<uint64_t, uint64_t> owner_of;
  for (const auto& a : l.approved) owner_of[a.steam_id] = a.owner_id;
  EXPECT_EQ(owner_of[alice_], alice_);
  EXPECT_EQ(owner_of[bob_], alice_);
  EXPECT_TRUE(l.verdicts.empty());  // the older flow raises its own signals only
  EXPECT_EQ(gs.userHasLicenseForApp(alice_, 480), USER_HAS_LICENSE_RESULT_HAS_LICENSE);

  // Denied: no licence, with the reason and the SDK's optional text. Without one carol gets no
  // ticket at all; with a licence revoked after her ticket was signed, the hub's verdict refuses it.
  EXPECT_EQ(carol.getAuthSessionTicket().result, RESULT_ACCESS_DENIED);
  admin(hub_, {"licence", "grant", "carol", "480"});
  AuthTicket tc = carol.getAuthSessionTicket();
  ASSERT_EQ(tc.result, RESULT_OK);
  admin(hub_, {"licence", "revoke", "carol", "480"});
  ASSERT_TRUE(gs.sendUserConnectAndAuthenticate(client_ip, tc.buffer, &who));
  EXPECT_EQ(who, carol_);
  ASSERT_TRUE(pump({&gs}, [&] { return l.denied.size() == 1; }));
  EXPECT_EQ(l.denied[0].steam_id, carol_);
  EXPECT_EQ(l.denied[0].deny_reason, DENY_NO_LICENSE);
  EXPECT_NE(l.denied[0].optional_message.find("licence"), std::string::npos) << l.denied[0].optional_message;
  EXPECT_EQ(gs.userHasLicenseForApp(carol_, 480), USER_HAS_LICENSE_RESULT_NO_AUTH);

  // Refused offline: not a ticket, an altered one, and a null output pointer.
  who = 99;
  EXPECT_FALSE(gs.sendUserConnectAndAuthenticate(client_ip, {1, 2, 3}, &who));
  EXPECT_EQ(who, 0u);
  AuthTicket altered = ta;
  altered.buffer[30] ^= 1;
  EXPECT_FALSE(gs.sendUserConnectAndAuthenticate(client_ip, altered.buffer, &who));
  EXPECT_FALSE(gs.sendUserConnectAndAuthenticate(client_ip, tc.buffer, nullptr));

  // Bob's ticket cancelled: denied after approval (the session ends).
  bob.cancelAuthTicket(tb.id);
  ASSERT_TRUE(pump({&gs}, [&] { return l.denied.size() == 2; }));
  EXPECT_EQ(l.denied[1].steam_id, bob_);
  EXPECT_EQ(l.denied[1].deny_reason, DENY_NOT_LOGGED_ON);
  EXPECT_NE(l.denied[1].optional_message.find("cancel"), std::string::npos);

  // Alice banned: client_kick with DENY_CHEATER.
  admin(hub_, {"ban", "alice", "480", "--vac"});
  ASSERT_TRUE(pump({&gs}, [&] { return l.kicks.size() == 1; }));
  EXPECT_EQ(l.kicks[0].steam_id, alice_);
  EXPECT_EQ(l.kicks[0].deny_reason, DENY_CHEATER);
  EXPECT_EQ(gs.userHasLicenseForApp(alice_, 480), USER_HAS_LICENSE_RESULT_NO_AUTH);
}

TEST_F(GameServerTickets, AServersOwnTicketProvesItToPlayersOnce) {
  GameServer gs;
  Observed o;
  ASSERT_NO_FATAL_FAILURE(SetUpHub(gs, o));
  User alice, bob;
  logOnUser(alice, "alice");
  logOnUser(bob, "bob");

  EXPECT_TRUE(alice.loggedOn());
  AuthTicket t = gs.getAuthSessionTicket();
  ASSERT_NE(t.id, 0u);
  EXPECT_EQ(t.size, t.buffer.size());
  EXPECT_LE(t.size, 1024u);
  AuthSessionCheck c = alice.beginAuthSession(t.buffer, server_id_);
  EXPECT_EQ(c.result, BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(c.response, AUTH_SESSION_RESPONSE_OK);
  EXPECT_EQ(c.steam_id, server_id_);
  // The same ticket shown to another player: already used.
  EXPECT_EQ(bob.beginAuthSession(t.buffer, server_id_).response,
            AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED);

  // Offline refusals: the wrong server, an altered ticket, a player's ticket as a server's.
  AuthTicket t2 = gs.getAuthSessionTicket();
  EXPECT_EQ(alice.beginAuthSession(t2.buffer, steamid::gameServer(999)).result,
            BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  AuthTicket altered = t2;
  altered.buffer[50] ^= 1;
  EXPECT_EQ(alice.beginAuthSession(altered.buffer, server_id_).result, BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  AuthTicket player_ticket = bob.getAuthSessionTicket();
  EXPECT_EQ(alice.beginAuthSession(player_ticket.buffer, bob_).result, BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  // ...and a server's ticket where a player's is expected.
  EXPECT_EQ(gs.beginAuthSession(t2.buffer, server_id_), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);

  // Bound to bob (the reference's uint64 form): alice gets the identity failure, bob OK.
  AuthTicket for_bob = gs.getAuthSessionTicket(bob_);
  ASSERT_NE(for_bob.id, 0u);
  EXPECT_EQ(alice.beginAuthSession(for_bob.buffer, server_id_).response,
            AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE);
  EXPECT_EQ(bob.beginAuthSession(for_bob.buffer, server_id_).response, AUTH_SESSION_RESPONSE_OK);
  EXPECT_EQ(gs.getAuthSessionTicket("1.2.3.4:27015").id, 0u);  // an address names no player

  // Cancelled by the server: refused.
  AuthTicket t3 = gs.getAuthSessionTicket();
  gs.cancelAuthTicket(t3.id);
  gs.cancelAuthTicket(t3.id);  // unknown now: logged and ignored
  auto deadline = Clock::now() + std::chrono::seconds(5);
  int response = -1;
  while (Clock::now() < deadline && (response = alice.beginAuthSession(t3.buffer, server_id_).response) !=
                                        AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(response, AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED);

  // The server logs off: its earlier tickets no longer vouch for it, and it gets no new ones.
  AuthTicket t4 = gs.getAuthSessionTicket();
  ASSERT_NE(t4.id, 0u);
  gs.logOff();
  deadline = Clock::now() + std::chrono::seconds(5);
  while (Clock::now() < deadline && (response = alice.beginAuthSession(t4.buffer, server_id_).response) !=
                                        AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(response, AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM);
  EXPECT_EQ(gs.getAuthSessionTicket().id, 0u);
  alice.logOff();
  EXPECT_FALSE(alice.loggedOn());
}

// The hub is killed and restarted while a player is authenticated: the server reconnects by
// itself and resumes the session, so a ban issued afterwards still kicks the player.
TEST_F(GameServerTickets, ASessionOutlivesAHubRestartAndABanStillKicks) {
  uint16_t port = freePort();
  const std::vector<std::string> listen = {"--listen", "127.0.0.1:" + std::to_string(port)};
  HubProcess hub;
  startHub(hub, listen);
  uint64_t sid = 0;
  std::string token = provision(hub, &sid);
  admin(hub, {"user", "create", "alice", "alice-password"});
  admin(hub, {"licence", "grant", "alice", "480"});
  GameServer gs;
  Observed o;
  LegacyObserver l;
  o.attach(gs);
  l.attach(gs);
  init(gs, hub);
  gs.logOn(token);
  ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
  uint64_t alice_id = 0;
  {
    User alice;
    alice.setHub(hub.address, hub.public_key);
    ASSERT_EQ(alice.logOn("alice", "alice-password", 480), RESULT_OK);
    alice_id = alice.getSteamID();
    AuthTicket t = alice.getAuthSessionTicket();
    ASSERT_EQ(gs.beginAuthSession(t.buffer, alice_id), BEGIN_AUTH_SESSION_RESULT_OK);
    ASSERT_TRUE(pump({&gs}, [&] { return l.verdicts.size() == 1; }));
    ASSERT_EQ(l.verdicts[0].response, AUTH_SESSION_RESPONSE_OK);
    EXPECT_EQ(hub.stop(SIGKILL), 128 + SIGKILL);
  }  // alice's client goes with the old hub; the server keeps her session

  HubProcess restarted;
  startHub(restarted, listen);
  ASSERT_TRUE(pump(
      {&gs}, [&] { return o.connected == 2; }, 15000));
  // The resume is sent right after the logon; a status round trip after it has been handled.
  admin(restarted, {"status"});
  admin(restarted, {"ban", "alice", "480", "--vac"});
  ASSERT_TRUE(pump({&gs}, [&] { return l.kicks.size() == 1; }));
  EXPECT_EQ(l.kicks[0].steam_id, alice_id);
  EXPECT_EQ(l.kicks[0].deny_reason, DENY_CHEATER);
  ASSERT_EQ(l.verdicts.size(), 2u);
  EXPECT_EQ(l.verdicts[1].response, AUTH_SESSION_RESPONSE_VAC_BANNED);
  EXPECT_EQ(gs.userHasLicenseForApp(alice_id, 480), USER_HAS_LICENSE_RESULT_NO_AUTH);
}

}  // namespace
}  // namespace outpost::test
