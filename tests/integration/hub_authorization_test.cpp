// Integration: authorization per app, against a real outpost-hub process provisioned with the
// real `outpost admin` CLI — a server validates only tickets of its own app (even one that skips
// the SDK's offline check), apps decide what anonymous servers may do, group status and
// compatibility are answered only about players in session on the asking server, a clan
// association needs the token owner in the clan, tickets are signed only for owned apps, and the
// ticket tables are bounded (per user, per server, in all, per second) with a server's tickets
// dropped when it logs off. docs/spec/hub-rpc.md §4–§7, docs/decisions/011 and 012.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <set>

#include "hub_fixture.h"
#include "outpost/steam_id.h"
#include "outpost/user.h"
#include "raw_hub_connection.h"

namespace outpost::test {
namespace {

class HubAuthorization : public HubTest {
 protected:
  // Apps 480 and 730 (default policy), users owner (1), alice (2, licence 480), bob (3, 480
  // borrowed from alice), carol (4, none); a login token of owner for each app.
  void provisionApps(HubProcess& hub) {
    admin(hub, {"app", "put", "480", "Spacewar"});
    admin(hub, {"app", "put", "730", "Other game"});
    for (const char* name : {"owner", "alice", "bob", "carol"})
      admin(hub, {"user", "create", name, std::string(name) + "-password"});
    admin(hub, {"licence", "grant", "alice", "480"});
    admin(hub, {"licence", "grant", "bob", "480", "--borrowed-from", "alice"});
    token480_ = tokenOf(admin(hub, {"token", "create", "480", "owner"}));
    token730_ = tokenOf(admin(hub, {"token", "create", "730", "owner"}));
  }
  static std::string tokenOf(const std::string& out) { return out.substr(out.find("token=") + 6, 48); }
  void logOnUser(User& u, HubProcess& hub, const std::string& name, uint32_t app = 480) {
    u.setHub(hub.address, hub.public_key);
    ASSERT_EQ(u.logOn(name, name + "-password", app), RESULT_OK);
  }
  // A server that speaks hub RPC itself (no SDK): logs on and returns the hub's answer.
  hubrpc::ServerLogOnResult rawServer(RawHubConnection& c, HubProcess& hub, const std::string& token, uint32_t app,
                                      int mode = SERVER_MODE_AUTHENTICATION) {
    EXPECT_TRUE(c.connect(hub.address, hub.public_key));
    hubrpc::Envelope e;
    auto* l = e.mutable_server_log_on();
    l->set_token(token);
    l->set_app_id(app);
    l->set_version("1.0.0.0");
    l->set_server_mode(mode);
    l->set_game_port(27015);
    auto r = c.call(e);
    return r && r->has_server_log_on_result() ? r->server_log_on_result() : hubrpc::ServerLogOnResult();
  }
  // Waits for the next validate_auth_ticket_response about `user`.
  int verdictFor(GameServer& gs, std::vector<ValidateAuthTicketResponse>& verdicts, uint64_t user) {
    int r = -1;
    pump({&gs}, [&] {
      for (size_t i = 0; i < verdicts.size(); ++i)
        if (verdicts[i].auth_id == user) {
          r = verdicts[i].response;
          verdicts.erase(verdicts.begin() + static_cast<long>(i));
          return true;
        }
      return false;
    });
    return r;
  }
  std::string token480_, token730_;
  const uint64_t alice_ = steamid::individual(2), bob_ = steamid::individual(3), carol_ = steamid::individual(4);
};

// Issue 11 finding 3: an app-730 (or any other app's) server that skips the offline check got OK
// for a player's app-480 ticket, and spent it: the genuine app-480 server then got AlreadyUsed.
TEST_F(HubAuthorization, AServerValidatesOnlyTicketsOfItsOwnApp) {
  HubProcess hub;
  startHub(hub);
  provisionApps(hub);
  User alice;
  logOnUser(alice, hub, "alice");
  AuthTicket t = alice.getAuthSessionTicket();
  ASSERT_EQ(t.result, RESULT_OK);

  for (const std::string& token : {token730_, std::string()}) {  // with a 730 token, and anonymous
    RawHubConnection other;
    ASSERT_EQ(rawServer(other, hub, token, 730).result(), RESULT_OK);
    hubrpc::Envelope v;
    v.mutable_validate_ticket()->set_ticket(t.buffer.data(), t.buffer.size());
    v.mutable_validate_ticket()->set_steam_id(alice_);
    auto r = other.call(v);
    ASSERT_TRUE(r && r->has_auth_session_update());
    EXPECT_EQ(r->auth_session_update().response(), AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
    EXPECT_EQ(r->auth_session_update().begin_auth_session_result(), BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH);
  }

  // The ticket is unspent: the app-480 server it was meant for accepts it.
  GameServer gs;
  std::vector<ValidateAuthTicketResponse> verdicts;
  gs.connect_validate_auth_ticket_response([&](const ValidateAuthTicketResponse& v) { verdicts.push_back(v); });
  Observed o;
  o.attach(gs);
  init(gs, hub);
  gs.logOn(token480_);
  ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
  ASSERT_EQ(gs.beginAuthSession(t.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(verdictFor(gs, verdicts, alice_), AUTH_SESSION_RESPONSE_OK);
}

TEST_F(HubAuthorization, AnonymousServersDoWhatTheirAppAllows) {
  HubProcess hub;
  startHub(hub);
  provisionApps(hub);
  EXPECT_NE(admin(hub, {"app", "list"}).find("app 480 name=Spacewar required_version= anonymous=logon\n"),
            std::string::npos);
  // A token server and an anonymous one, both asking for the secure policy and to be listed.
  auto start = [&](GameServer& gs, Observed& o, uint16_t qport, const std::string& token) {
    o.attach(gs);
    init(gs, hub, SERVER_MODE_AUTHENTICATION_AND_SECURE, qport);
    gs.setAdvertiseServerActive(true);
    if (token.empty()) gs.logOnAnonymous();
    else gs.logOn(token);
  };
  GameServer tok, anon;
  Observed ot, oa;
  uint16_t tport = freePort(), aport = freePort();
  const std::string tq = "127.0.0.1:" + std::to_string(tport), aq = "127.0.0.1:" + std::to_string(aport);
  start(tok, ot, tport, token480_);
  start(anon, oa, aport, "");
  ASSERT_TRUE(pump({&tok, &anon}, [&] { return ot.connected == 1 && oa.connected == 1; }));
  // By default: logged on, not secure, not listed (the token server, listed, is the control).
  EXPECT_TRUE(tok.isServerSecure());
  EXPECT_FALSE(anon.isServerSecure());
  ASSERT_TRUE(pump({&tok, &anon}, [&] { return masterList(hub.master_address).count(tq) == 1; }));
  EXPECT_EQ(masterList(hub.master_address).count(aq), 0u);
  std::string servers = admin(hub, {"servers"});
  EXPECT_NE(servers.find("steam_id=" + std::to_string(anon.getSteamID())), std::string::npos) << servers;

  // The app lists anonymous servers and lets them be secure: the live one is listed at once; a new
  // one gets the secure policy.
  admin(hub, {"app", "put", "480", "Spacewar", "--anonymous", "logon,listed,secure"});
  EXPECT_TRUE(pump(
      {&tok, &anon}, [&] { return masterList(hub.master_address).count(aq) == 1; }, 3000));
  GameServer anon2;
  Observed oa2;
  uint16_t a2port = freePort();
  start(anon2, oa2, a2port, "");
  ASSERT_TRUE(pump({&anon2}, [&] { return oa2.connected == 1; }));
  EXPECT_TRUE(anon2.isServerSecure());
  anon2.serverShutdown();

  // The app stops accepting anonymous servers: the live one is logged off (AccessDenied, the
  // result its next logon would get) and delisted; a new one is refused. The token server stays.
  admin(hub, {"app", "put", "480", "Spacewar", "--anonymous", "none"});
  ASSERT_TRUE(pump({&anon}, [&] { return !oa.disconnects.empty(); }));
  EXPECT_EQ(oa.disconnects[0], RESULT_ACCESS_DENIED);
  EXPECT_TRUE(pump(
      {&tok, &anon}, [&] { return masterList(hub.master_address).count(aq) == 0; }, 3000));
  GameServer anon3;
  Observed oa3;
  start(anon3, oa3, freePort(), "");
  ASSERT_TRUE(pump({&anon3}, [&] { return !oa3.failures.empty(); }));
  EXPECT_EQ(oa3.failures[0].result, RESULT_ACCESS_DENIED);
  EXPECT_FALSE(oa3.failures[0].retrying);
  EXPECT_EQ(masterList(hub.master_address).count(tq), 1u);
  EXPECT_TRUE(tok.loggedOn());
  // Listed or secure without logon makes no sense: refused by the CLI.
  EXPECT_EQ(runAdmin(hub.address, dir_, {"app", "put", "480", "Spacewar", "--anonymous", "listed"}).exit_code, 2);
}

TEST_F(HubAuthorization, GroupStatusAndCompatibilityOnlyAboutPlayersInSession) {
  HubProcess hub;
  startHub(hub);
  provisionApps(hub);
  admin(hub, {"group", "create", "The Clan"});
  const uint64_t clan = steamid::clan(1);
  admin(hub, {"group", "member", "1", "alice", "--officer"});
  admin(hub, {"block", "alice", "bob"});

  RawHubConnection server;
  ASSERT_EQ(rawServer(server, hub, token480_, 480).result(), RESULT_OK);
  auto groupStatus = [&](uint64_t user) {
    hubrpc::Envelope e;
    e.mutable_group_status_request()->set_steam_id(user);
    e.mutable_group_status_request()->set_group_id(clan);
    auto r = server.call(e);
    return r && r->has_group_status_result() ? r->group_status_result() : hubrpc::GroupStatusResult();
  };
  auto compat = [&](uint64_t user) {
    hubrpc::Envelope e;
    e.mutable_player_compat_request()->set_steam_id(user);
    auto r = server.call(e);
    return r && r->has_player_compat_result() ? r->player_compat_result() : hubrpc::PlayerCompatResult();
  };
  auto clanAssociation = [&]() {
    hubrpc::Envelope e;
    e.mutable_associate_clan()->set_clan_id(clan);
    auto r = server.call(e);
    return r && r->has_associate_clan_result() ? r->associate_clan_result().result() : -1;
  };
  // Nobody in session: nothing about alice, who is an officer of the clan.
  auto g = groupStatus(alice_);
  EXPECT_EQ(g.result(), RESULT_ACCESS_DENIED);
  EXPECT_FALSE(g.member());
  EXPECT_FALSE(g.officer());
  EXPECT_EQ(compat(bob_).result(), RESULT_ACCESS_DENIED);
  // The token's owner is not in the clan: no association (it would count whom members block).
  EXPECT_EQ(clanAssociation(), RESULT_ACCESS_DENIED);

  // Alice and bob present their tickets to this server.
  User alice, bob;
  logOnUser(alice, hub, "alice");
  logOnUser(bob, hub, "bob");
  for (auto [user, id] : {std::pair<User*, uint64_t>{&alice, alice_}, {&bob, bob_}}) {
    AuthTicket t = user->getAuthSessionTicket();
    hubrpc::Envelope v;
    v.mutable_validate_ticket()->set_ticket(t.buffer.data(), t.buffer.size());
    v.mutable_validate_ticket()->set_steam_id(id);
    auto r = server.call(v);
    ASSERT_TRUE(r && r->has_auth_session_update());
    ASSERT_EQ(r->auth_session_update().response(), AUTH_SESSION_RESPONSE_OK);
  }
  g = groupStatus(alice_);
  EXPECT_EQ(g.result(), RESULT_OK);
  EXPECT_TRUE(g.member());
  EXPECT_TRUE(g.officer());
  auto c = compat(bob_);
  EXPECT_EQ(c.result(), RESULT_OK);
  EXPECT_EQ(c.players_dont_like_candidate(), 1);                  // alice blocks bob
  EXPECT_EQ(groupStatus(carol_).result(), RESULT_ACCESS_DENIED);  // carol is still not here
  admin(hub, {"group", "member", "1", "owner"});
  EXPECT_EQ(clanAssociation(), RESULT_OK);

  // Through the SDK: a refused group status reads as "not a member"; in session, the truth.
  GameServer gs;
  Observed o;
  std::vector<ClientGroupStatus> groups;
  gs.connect_client_group_status([&](const ClientGroupStatus& x) { groups.push_back(x); });
  o.attach(gs);
  init(gs, hub);
  gs.logOnAnonymous();
  ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
  ASSERT_TRUE(gs.requestUserGroupStatus(alice_, clan));
  ASSERT_TRUE(pump({&gs}, [&] { return groups.size() == 1; }));
  EXPECT_FALSE(groups[0].member);
  std::vector<ValidateAuthTicketResponse> verdicts;
  gs.connect_validate_auth_ticket_response([&](const ValidateAuthTicketResponse& v) { verdicts.push_back(v); });
  ASSERT_EQ(gs.beginAuthSession(alice.getAuthSessionTicket().buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(verdictFor(gs, verdicts, alice_), AUTH_SESSION_RESPONSE_OK);
  ASSERT_TRUE(gs.requestUserGroupStatus(alice_, clan));
  ASSERT_TRUE(pump({&gs}, [&] { return groups.size() == 2; }));
  EXPECT_TRUE(groups[1].member);
  EXPECT_TRUE(groups[1].officer);
}

TEST_F(HubAuthorization, TicketsOnlyForOwnedAppsAndTheUserSeesWhy) {
  HubProcess hub;
  startHub(hub);
  provisionApps(hub);
  User carol, bob, alice730;
  logOnUser(carol, hub, "carol");
  AuthTicket none = carol.getAuthSessionTicket();
  EXPECT_EQ(none.id, 0u);
  EXPECT_TRUE(none.buffer.empty());
  EXPECT_EQ(none.result, RESULT_ACCESS_DENIED);
  logOnUser(bob, hub, "bob");  // borrowed counts as owned
  EXPECT_EQ(bob.getAuthSessionTicket().result, RESULT_OK);
  logOnUser(alice730, hub, "alice", 730);  // alice owns 480, not 730
  EXPECT_EQ(alice730.getAuthSessionTicket().result, RESULT_ACCESS_DENIED);
  admin(hub, {"licence", "grant", "alice", "730"});
  EXPECT_EQ(alice730.getAuthSessionTicket().result, RESULT_OK);
  User nobody;
  EXPECT_EQ(nobody.getAuthSessionTicket().result, RESULT_NOT_LOGGED_ON);
}

TEST_F(HubAuthorization, TicketTablesAreBoundedPerUserPerServerInAllAndPerSecond) {
  HubProcess hub;
  startHub(hub, {"--ticket-limit", "per_user=5", "--ticket-limit", "users_total=7", "--ticket-limit", "per_server=3",
                 "--ticket-limit", "requests_per_sec=1000", "--ticket-limit", "request_burst=1000"});
  provisionApps(hub);
  User alice, bob;
  logOnUser(alice, hub, "alice");
  logOnUser(bob, hub, "bob");
  std::vector<uint32_t> held;
  for (int i = 0; i < 5; ++i) {
    AuthTicket t = alice.getAuthSessionTicket();
    ASSERT_EQ(t.result, RESULT_OK) << i;
    held.push_back(t.id);
  }
  EXPECT_EQ(alice.getAuthSessionTicket().result, RESULT_LIMIT_EXCEEDED);  // per user
  alice.cancelAuthTicket(held[0]);  // a cancelled ticket is remembered (and counted) until it expires
  EXPECT_EQ(alice.getAuthSessionTicket().result, RESULT_LIMIT_EXCEEDED);
  EXPECT_EQ(bob.getAuthSessionTicket().result, RESULT_OK);
  EXPECT_EQ(bob.getAuthSessionTicket().result, RESULT_OK);
  EXPECT_EQ(bob.getAuthSessionTicket().result, RESULT_BUSY);  // 7 in all

  // A server's own tickets: 3 per session, and gone from the hub when it logs off.
  auto status = [&](const std::string& counter) {
    std::string out = admin(hub, {"status"});
    auto at = out.find("\n" + counter + " ");
    return at == std::string::npos
               ? std::string("absent")
               : out.substr(at + counter.size() + 2, out.find('\n', at + 1) - at - counter.size() - 2);
  };
  {
    GameServer gs;
    Observed o;
    o.attach(gs);
    init(gs, hub);
    gs.logOn(token480_);
    ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(gs.getAuthSessionTicket().result, RESULT_OK);
    EXPECT_EQ(gs.getAuthSessionTicket().result, RESULT_LIMIT_EXCEEDED);
    EXPECT_EQ(status("tickets.servers_tracked"), "3");
  }
  EXPECT_TRUE(pump({}, [&] { return status("tickets.servers_tracked") == "0"; }));
  EXPECT_EQ(status("tickets.players_tracked"), "7");
}

TEST_F(HubAuthorization, TicketRequestsAreRateLimitedPerSession) {
  HubProcess hub;
  startHub(hub, {"--ticket-limit", "requests_per_sec=1", "--ticket-limit", "request_burst=3"});
  provisionApps(hub);
  User alice, bob;
  logOnUser(alice, hub, "alice");
  logOnUser(bob, hub, "bob");
  auto t0 = Clock::now();
  int ok = 0, limited = 0;
  for (int i = 0; i < 10; ++i) {
    int r = alice.getAuthSessionTicket().result;
    ok += r == RESULT_OK;
    limited += r == RESULT_RATE_LIMIT_EXCEEDED;
  }
  auto whole_seconds = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - t0).count();
  EXPECT_EQ(ok + limited, 10);
  EXPECT_GE(ok, 3);
  EXPECT_LE(ok, 3 + whole_seconds + 1);  // the burst, then one per second at most
  EXPECT_GE(limited, 1);
  EXPECT_EQ(bob.getAuthSessionTicket().result, RESULT_OK);  // another session has its own budget
  std::string out = admin(hub, {"status"});
  EXPECT_NE(out.find("rpc.ticket_refused "), std::string::npos);
}

TEST_F(HubAuthorization, TicketLimitAndStatsRetentionFlagsAreParsedStrictly) {
  auto run = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {OUTPOST_HUB_BINARY, "--data-dir", dir_, "--listen", "127.0.0.1:0", "--master", ""};
    argv.insert(argv.end(), args.begin(), args.end());
    return runProcess(argv, 20);
  };
  for (auto bad : std::vector<std::vector<std::string>>{{"--stats-retention", "abc"},
                                                        {"--stats-retention", "-5"},
                                                        {"--stats-retention", "59"},
                                                        {"--ticket-limit", "per_user=0"},
                                                        {"--ticket-limit", "per_user=1y"},
                                                        {"--ticket-limit", "tickets=5"}}) {
    auto r = run(bad);
    EXPECT_EQ(r.exit_code, 2) << bad[0] << " " << bad[1] << ": " << r.out;
    // Names the setting, the sub-setting and the value it refused.
    EXPECT_NE(r.out.find(bad[0]), std::string::npos) << r.out;
    const auto eq = bad[1].find('=');
    const std::string name = eq == std::string::npos ? "" : bad[1].substr(0, eq);
    const std::string value = eq == std::string::npos ? bad[1] : bad[1].substr(eq + 1);
    EXPECT_NE(r.out.find(name), std::string::npos) << r.out;
    EXPECT_TRUE(r.out.find("\"" + value + "\"") != std::string::npos ||
                r.out.find("\"" + bad[1] + "\"") != std::string::npos)
        << r.out;
  }
  std::string conf = std::filesystem::path(dir_).parent_path().string() + "/hub.conf";
  FILE* f = std::fopen(conf.c_str(), "w");
  ASSERT_TRUE(f);
  std::fputs("stats-retention = 1y\n", f);
  std::fclose(f);
  auto r = run({"--config", conf});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("hub.conf:1: stats-retention \"1y\""), std::string::npos) << r.out;
  // Control: valid values start the hub.
  HubProcess hub;
  startHub(hub, {"--stats-retention", "0", "--ticket-limit", "per_user=9", "--ticket-limit", "request_burst=2"});
  EXPECT_EQ(hub.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace outpost::test
