// Integration: game servers (outpost::GameServer) logging on to a real outpost-hub process —
// Steam IDs stable per token and fresh per anonymous logon, the secure policy, the public IP,
// the restart request, every logon failure code, the same token used twice, the listing seen by
// a real master-server query, and reconnection after the hub is killed and restarted.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <thread>

#include "hub_fixture.h"
#include "outpost/game_server.h"
#include "outpost/server_browser.h"
#include "outpost/steam_id.h"

namespace outpost::test {
namespace {

class HubServers : public HubTest {};

TEST_F(HubServers, TokenLogOnGivesAStableSteamIdPolicyPublicIpAndRestartRequest) {
  HubProcess hub;
  startHub(hub);
  uint64_t token_sid = 0;
  std::string token = provision(hub, &token_sid);
  EXPECT_TRUE(steamid::isGameServer(token_sid));
  for (int round = 0; round < 2; ++round) {
    GameServer gs;
    Observed o;
    o.attach(gs);
    init(gs, hub);
    EXPECT_TRUE(gs.setProduct("spacewar"));
    EXPECT_TRUE(gs.setModDir("spacewar"));
    EXPECT_EQ(gs.getServerSteamID(), steamid::blankAnonLogon());
    gs.logOn(token);
    ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; })) << "failures " << o.failures.size();
    EXPECT_EQ(gs.getServerSteamID(), token_sid);  // the same Steam ID every time
    EXPECT_TRUE(gs.loggedOn());
    ASSERT_EQ(o.policies.size(), 1u);
    EXPECT_TRUE(o.policies[0]);
    EXPECT_TRUE(gs.isServerSecure());
    EXPECT_EQ(gs.getPublicIP().ipv4, "127.0.0.1");
    EXPECT_TRUE(gs.wasRestartRequested());   // 1.0.0.0 is older than the app's 1.2.0
    EXPECT_FALSE(gs.wasRestartRequested());  // once per request
    EXPECT_FALSE(gs.setModDir("other"));     // only before logOn
  }
}

TEST_F(HubServers, AnonymousLogOnGetsAFreshIdAndNoSecurePolicyWithoutTheMode) {
  HubProcess hub;
  startHub(hub);
  uint64_t sid = 0;
  provision(hub, &sid);
  std::set<uint64_t> ids;
  for (int i = 0; i < 2; ++i) {
    GameServer gs;
    Observed o;
    o.attach(gs);
    init(gs, hub, SERVER_MODE_AUTHENTICATION);
    gs.logOnAnonymous();
    ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
    EXPECT_TRUE(steamid::isAnonGameServer(gs.getServerSteamID()));
    EXPECT_FALSE(gs.isServerSecure());
    ids.insert(gs.getServerSteamID());
  }
  EXPECT_EQ(ids.size(), 2u);
}

TEST_F(HubServers, LogOnFailuresCarryTheReferenceResultCodes) {
  HubProcess hub;
  startHub(hub, {"--token-idle-expiry", "1"});
  uint64_t sid = 0;
  std::string token = provision(hub, &sid);
  auto attempt = [&](const std::string& t) {
    GameServer gs;
    Observed o;
    o.attach(gs);
    init(gs, hub);
    gs.logOn(t);
    EXPECT_TRUE(pump({&gs}, [&] { return !o.failures.empty() || o.connected; }));
    EXPECT_EQ(o.connected, 0);
    return o.failures.empty() ? ServerConnectFailure{} : o.failures[0];
  };
  auto f = attempt(std::string(48, 'f'));
  EXPECT_EQ(f.result, RESULT_ACCESS_DENIED);
  EXPECT_FALSE(f.retrying);

  admin(hub, {"ban", "owner", "480", "--publisher"});
  EXPECT_EQ(attempt(token).result, RESULT_GSLT_DENIED);
  admin(hub, {"unban", "owner", "480"});

  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // unused for over a second
  EXPECT_EQ(attempt(token).result, RESULT_GSLT_EXPIRED);

  std::string fresh = admin(hub, {"token", "create", "480", "owner"});
  std::string fresh_token = fresh.substr(fresh.find("token=") + 6, 48);
  std::string account = std::to_string(steamid::accountId(std::stoull(fresh.substr(fresh.find("steam_id=") + 9))));
  admin(hub, {"token", "revoke", account});
  EXPECT_EQ(attempt(fresh_token).result, RESULT_REVOKED);

  // Without any hub: NoConnection, and the SDK keeps retrying.
  GameServer lonely;
  Observed o;
  o.attach(lonely);
  lonely.setHub("127.0.0.1:" + std::to_string(freePort()), hub.public_key);
  ASSERT_TRUE(lonely.serverInit("0.0.0.0", 27015, 0, SERVER_MODE_AUTHENTICATION, "1.0.0.0"));
  lonely.logOnAnonymous();
  ASSERT_TRUE(pump(
      {&lonely}, [&] { return !o.failures.empty(); }, 15000));
  EXPECT_EQ(o.failures[0].result, RESULT_NO_CONNECTION);
  EXPECT_TRUE(o.failures[0].retrying);
}

TEST_F(HubServers, TheSameTokenTwiceReplacesTheOlderSession) {
  HubProcess hub;
  startHub(hub);
  uint64_t sid = 0;
  std::string token = provision(hub, &sid);
  GameServer first, second;
  Observed o1, o2;
  o1.attach(first);
  o2.attach(second);
  init(first, hub);
  init(second, hub);
  first.logOn(token);
  ASSERT_TRUE(pump({&first}, [&] { return o1.connected == 1; }));
  second.logOn(token);
  ASSERT_TRUE(pump({&first, &second}, [&] { return o2.connected == 1 && !o1.disconnects.empty(); }));
  EXPECT_EQ(o1.disconnects[0], RESULT_LOG_ON_SESSION_REPLACED);
  EXPECT_FALSE(first.loggedOn());
  EXPECT_EQ(second.getServerSteamID(), sid);
  // The older one does not fight back (its reconnect backoff starts at 0.5 s: three times that).
  pump(
      {&first, &second}, [] { return false; }, 1500);
  EXPECT_EQ(o1.connected, 1);
  EXPECT_TRUE(second.loggedOn());
  // Control: asked to, the older one can take the session back within the same window, so the
  // quiet above was its choice and not a dead connection.
  first.logOn(token);
  ASSERT_TRUE(pump(
      {&first, &second}, [&] { return o1.connected == 2 && !o2.disconnects.empty(); }, 1500));
  EXPECT_EQ(o2.disconnects[0], RESULT_LOG_ON_SESSION_REPLACED);
}

// The player's path: ServerBrowser walks the hub's master list with a filter, then asks the
// listed address for its A2S info.
TEST_F(HubServers, ServerBrowserFindsTheAdvertisedServerAndQueriesIt) {
  HubProcess hub;
  startHub(hub);
  uint64_t sid = 0;
  std::string token = provision(hub, &sid);
  GameServer gs;
  Observed o;
  o.attach(gs);
  uint16_t qport = freePort();
  init(gs, hub, SERVER_MODE_AUTHENTICATION_AND_SECURE, qport);
  gs.setServerName("Browsable");
  gs.setMapName("de_nuke");
  gs.setMaxPlayerCount(10);
  gs.logOn(token);
  ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
  gs.setAdvertiseServerActive(true);
  const std::string me = "127.0.0.1:" + std::to_string(qport);
  ServerBrowser browser;
  auto listed = [&](const std::string& filter) {
    auto list = browser.requestServerList(hub.master_address, filter, 0xFF, 2000);
    return std::count(list.begin(), list.end(), me);
  };
  ASSERT_TRUE(pump({&gs}, [&] { return listed("\\map\\de_nuke") == 1; }));
  EXPECT_EQ(listed("\\map\\de_dust"), 0);
  auto info = browser.queryInfo(me);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->name, "Browsable");
  EXPECT_EQ(info->max_players, 10);
  EXPECT_TRUE(info->secure);
  EXPECT_EQ(info->steam_id, gs.getSteamID());
  EXPECT_EQ(info->steam_id, sid);
}

TEST_F(HubServers, ListedInTheMasterOnlyWhileAdvertisingAndConnected) {
  HubProcess hub;
  startHub(hub);
  uint64_t sid = 0;
  std::string token = provision(hub, &sid);
  auto gs = std::make_unique<GameServer>();
  Observed o;
  o.attach(*gs);
  uint16_t qport = freePort();
  init(*gs, hub, SERVER_MODE_AUTHENTICATION_AND_SECURE, qport);
  gs->setServerName("Outpost test server");
  gs->setMapName("de_dust");
  gs->setMaxPlayerCount(16);
  gs->logOn(token);
  ASSERT_TRUE(pump({gs.get()}, [&] { return o.connected == 1; }));
  const std::string me = "127.0.0.1:" + std::to_string(qport);
  // Not advertising yet. Control: a second server, logged on after this one and advertising,
  // shows up; the hub publishes its whole registry at once, so the list that holds it was made
  // after our logon, and we are not in it.
  std::string control_token = admin(hub, {"token", "create", "480", "owner"});
  control_token = control_token.substr(control_token.find("token=") + 6, 48);
  GameServer control;
  Observed oc;
  oc.attach(control);
  uint16_t control_qport = freePort();
  init(control, hub, SERVER_MODE_AUTHENTICATION_AND_SECURE, control_qport);
  control.setAdvertiseServerActive(true);
  control.logOn(control_token);
  const std::string control_me = "127.0.0.1:" + std::to_string(control_qport);
  ASSERT_TRUE(pump({gs.get(), &control}, [&] { return masterList(hub.master_address).count(control_me) == 1; }));
  EXPECT_EQ(masterList(hub.master_address).count(me), 0u);
  gs->setAdvertiseServerActive(true);
  ASSERT_TRUE(pump({gs.get()}, [&] { return masterList(hub.master_address).count(me) == 1; }));
  EXPECT_EQ(masterList(hub.master_address, "\\map\\de_dust").count(me), 1u);
  EXPECT_EQ(masterList(hub.master_address, "\\map\\cs_italy").count(me), 0u);
  EXPECT_EQ(masterList(hub.master_address, "\\secure\\1\\appid\\480").count(me), 1u);
  gs->setAdvertiseServerActive(false);
  ASSERT_TRUE(pump({gs.get()}, [&] { return masterList(hub.master_address).count(me) == 0; }));
  gs->setAdvertiseServerActive(true);
  ASSERT_TRUE(pump({gs.get()}, [&] { return masterList(hub.master_address).count(me) == 1; }));
  gs.reset();  // the hub connection goes away with the server
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && masterList(hub.master_address).count(me))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(masterList(hub.master_address).count(me), 0u);
}

TEST_F(HubServers, ReconnectsByItselfAfterTheHubIsKilledAndKeepsItsSteamId) {
  uint16_t port = freePort();
  std::string listen = "127.0.0.1:" + std::to_string(port);
  auto hub = std::make_unique<HubProcess>();
  startHub(*hub, {"--listen", listen});
  uint64_t sid = 0;
  std::string token = provision(*hub, &sid);
  GameServer gs;
  Observed o;
  o.attach(gs);
  init(gs, *hub);
  gs.logOn(token);
  ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
  EXPECT_EQ(hub->stop(SIGKILL), 128 + SIGKILL);
  ASSERT_TRUE(pump(
      {&gs}, [&] { return !o.disconnects.empty(); }, 8000));
  EXPECT_EQ(o.disconnects[0], RESULT_NO_CONNECTION);
  // While the hub is down, reconnection attempts fail and say they will retry.
  ASSERT_TRUE(pump(
      {&gs},
      [&] {
        for (auto& f : o.failures)
          if (f.result == RESULT_NO_CONNECTION && f.retrying) return true;
        return false;
      },
      15000));
  auto restarted = std::make_unique<HubProcess>();
  startHub(*restarted, {"--listen", listen});
  auto t0 = Clock::now();
  ASSERT_TRUE(pump(
      {&gs}, [&] { return o.connected == 2; }, 10000))
      << "did not reconnect within 10 s";
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(gs.getServerSteamID(), sid);
}

}  // namespace
}  // namespace outpost::test
