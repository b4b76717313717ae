// Integration: every listing and pre-logon setter of outpost::GameServer against a real
// outpost-hub process, each asserted where a user sees it — the master's filters (a real
// master-server query), A2S_INFO (ServerBrowser), and the hub's registry (`outpost admin
// servers`, the analogue of Steam's Web API server list) — plus the player count that follows
// the players A2S lists, logOff, serverShutdown and serverInitEx, and the Steam ID helpers.
#include <algorithm>

#include "hub_fixture.h"
#include "outpost/server_browser.h"
#include "outpost/steam_id.h"

namespace outpost::test {
namespace {

class GameServerListing : public HubTest {
 protected:
  // The `server ...` line of `outpost admin servers` for this Steam ID ("" if none).
  std::string registryLine(HubProcess& hub, uint64_t steam_id) {
    std::string out = admin(hub, {"servers"});
    std::string key = "server steam_id=" + std::to_string(steam_id) + " ";
    auto at = out.find(key);
    if (at == std::string::npos) return "";
    return out.substr(at, out.find('\n', at) - at);
  }
};

TEST_F(GameServerListing, EverySetterShowsInTheMasterA2sAndTheRegistry) {
  HubProcess hub;
  startHub(hub);
  uint64_t sid = 0;
  std::string token = provision(hub, &sid);
  GameServer gs;
  Observed o;
  o.attach(gs);
  uint16_t qport = freePort();
  init(gs, hub, SERVER_MODE_AUTHENTICATION_AND_SECURE, qport);
  // Before logOn: accepted; over the limits: refused, never truncated.
  EXPECT_TRUE(gs.setProduct("spacewar"));
  EXPECT_TRUE(gs.setGameDescription("Spacewar Deathmatch"));
  EXPECT_FALSE(gs.setGameDescription(std::string(MAX_GAME_SERVER_GAME_DESCRIPTION + 1, 'd')));
  EXPECT_TRUE(gs.setModDir("spacewar_mod"));
  EXPECT_TRUE(gs.setDedicatedServer(true));
  EXPECT_TRUE(gs.setServerName("Listing test"));
  EXPECT_FALSE(gs.setServerName(std::string(MAX_GAME_SERVER_SERVER_NAME + 1, 'n')));
  EXPECT_TRUE(gs.setMapName("de_train"));
  EXPECT_FALSE(gs.setMapName(std::string(MAX_GAME_SERVER_MAP_NAME + 1, 'm')));
  EXPECT_TRUE(gs.setGameTags("ctf,hardcore"));
  EXPECT_FALSE(gs.setGameTags(std::string(MAX_GAME_SERVER_TAGS + 1, 't')));
  EXPECT_TRUE(gs.setGameData("mode:ctf,season:3"));
  EXPECT_FALSE(gs.setGameData(std::string(MAX_GAME_SERVER_GAME_DATA + 1, 'g')));
  EXPECT_TRUE(gs.setRegion("eu-west"));
  EXPECT_FALSE(gs.setRegion(std::string(33, 'r')));
  gs.setMaxPlayerCount(2);
  gs.setPasswordProtected(true);
  gs.setSpectatorPort(27020);
  gs.setSpectatorServerName("Listing TV");
  gs.setBotPlayerCount(1);
  gs.setAdvertiseServerActive(true);
  gs.logOn(token);
  ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
  // After logOn the pre-logon setters refuse (and change nothing).
  EXPECT_FALSE(gs.setProduct("other"));
  EXPECT_FALSE(gs.setGameDescription("Other"));
  EXPECT_FALSE(gs.setDedicatedServer(false));

  const std::string me = "127.0.0.1:" + std::to_string(qport);
  ASSERT_TRUE(pump({&gs}, [&] { return masterList(hub.master_address).count(me) == 1; }));
  auto listed = [&](const std::string& filter) { return masterList(hub.master_address, filter).count(me) == 1; };
  EXPECT_TRUE(listed("\\name_match\\Listing*"));
  EXPECT_FALSE(listed("\\name_match\\Other*"));
  EXPECT_TRUE(listed("\\gametype\\hardcore"));
  EXPECT_FALSE(listed("\\gametype\\casual"));
  EXPECT_TRUE(listed("\\gamedata\\season:3"));
  EXPECT_FALSE(listed("\\gamedata\\season:4"));
  EXPECT_TRUE(listed("\\gamedir\\spacewar_mod"));
  EXPECT_TRUE(listed("\\dedicated\\1"));
  EXPECT_TRUE(listed("\\password\\1"));
  EXPECT_FALSE(listed("\\password\\0"));
  EXPECT_TRUE(listed("\\noplayers\\1"));  // bots are not players
  EXPECT_FALSE(listed("\\empty\\1"));

  // Players: the listing's count follows A2S (an unauthenticated player here).
  uint64_t p1 = gs.createUnauthenticatedUserConnection();
  EXPECT_TRUE(steamid::isAnonUser(p1));
  ASSERT_TRUE(gs.updateUserData(p1, "Visitor", 7));
  ASSERT_TRUE(pump({&gs}, [&] { return listed("\\empty\\1"); }));
  EXPECT_FALSE(listed("\\noplayers\\1"));
  EXPECT_TRUE(listed("\\full\\1"));  // 1 of 2
  uint64_t p2 = gs.createUnauthenticatedUserConnection();
  ASSERT_TRUE(pump({&gs}, [&] { return !listed("\\full\\1"); }));  // 2 of 2: full

  ServerBrowser browser;
  auto info = browser.queryInfo(me);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->name, "Listing test");
  EXPECT_EQ(info->map, "de_train");
  EXPECT_EQ(info->folder, "spacewar_mod");
  EXPECT_EQ(info->game, "Spacewar Deathmatch");
  EXPECT_EQ(info->players, 3);  // two players and the bot
  EXPECT_EQ(info->max_players, 2);
  EXPECT_EQ(info->bots, 1);
  EXPECT_EQ(info->server_type, 'd');
  EXPECT_TRUE(info->password);
  EXPECT_TRUE(info->secure);
  EXPECT_EQ(info->version, "1.0.0.0");
  EXPECT_EQ(info->game_port, 27015);
  EXPECT_EQ(info->steam_id, sid);
  EXPECT_EQ(info->spectator_port, 27020);
  EXPECT_EQ(info->spectator_name, "Listing TV");
  EXPECT_EQ(info->keywords, "ctf,hardcore");
  EXPECT_EQ(info->app_id, 480u);
  auto players = browser.queryPlayers(me);
  ASSERT_TRUE(players.has_value());
  EXPECT_EQ(players->size(), 3u);
  EXPECT_TRUE(std::any_of(players->begin(), players->end(),
                          [](const ServerPlayer& p) { return p.name == "Visitor" && p.score == 7; }));

  // The hub's registry holds what the master and A2S do not show: product, region, description.
  std::string line = registryLine(hub, sid);
  ASSERT_FALSE(line.empty()) << admin(hub, {"servers"});
  for (const char* want : {"product=spacewar ", "description=\"Spacewar Deathmatch\"", "mod_dir=spacewar_mod ",
                           "region=eu-west ", "spectator_port=27020 ", "spectator_name=\"Listing TV\"", "dedicated=1 ",
                           "secure=1 ", "advertise=1 ", "players=2 ", "max_players=2 ", "bots=1 ", "password=1 ",
                           "tags=ctf,hardcore ", "gamedata=mode:ctf,season:3 ", "map=de_train "})
    EXPECT_NE(line.find(want), std::string::npos) << want << " not in: " << line;

  gs.sendUserDisconnect(p2);
  gs.sendUserDisconnect(p1);
  ASSERT_TRUE(pump({&gs}, [&] { return listed("\\noplayers\\1"); }));

  // logOff: server_disconnected(OK), delisted, the blank Steam ID again.
  EXPECT_EQ(gs.getSteamID(), sid);
  EXPECT_TRUE(gs.secure());
  gs.logOff();
  ASSERT_TRUE(pump({&gs}, [&] { return o.disconnects.size() == 1; }));
  EXPECT_EQ(o.disconnects[0], RESULT_OK);
  EXPECT_FALSE(gs.loggedOn());
  EXPECT_FALSE(gs.secure());
  EXPECT_EQ(gs.getSteamID(), steamid::blankAnonLogon());
  ASSERT_TRUE(pump({&gs}, [&] { return masterList(hub.master_address).count(me) == 0; }));
  EXPECT_EQ(registryLine(hub, sid), "");
}

TEST_F(GameServerListing, ServerInitExShutdownAndInitAgain) {
  HubProcess hub;
  startHub(hub);
  uint64_t sid = 0;
  std::string token = provision(hub, &sid);
  GameServer gs;
  Observed o;
  o.attach(gs);
  gs.setHub(hub.address, hub.public_key);
  ServerInitResult bad = gs.serverInitEx("0.0.0.0", 27015, 0, 7, "1.0.0.0");
  EXPECT_EQ(bad.status, STEAM_API_INIT_RESULT_FAILED_GENERIC);
  EXPECT_NE(bad.verbal.find("mode"), std::string::npos) << bad.verbal;
  EXPECT_EQ(gs.serverInitEx("0.0.0.0", 0, 0, SERVER_MODE_AUTHENTICATION, "1.0.0.0").status,
            STEAM_API_INIT_RESULT_FAILED_GENERIC);  // game port 0
  uint16_t qport = freePort();
  ServerInitResult ok = gs.serverInitEx("0.0.0.0", 27015, qport, SERVER_MODE_AUTHENTICATION, "1.0.0.0");
  EXPECT_EQ(ok.status, STEAM_API_INIT_RESULT_OK);
  EXPECT_EQ(ok.verbal, "");
  ServerInitResult twice = gs.serverInitEx("0.0.0.0", 27015, 0, SERVER_MODE_AUTHENTICATION, "1.0.0.0");
  EXPECT_EQ(twice.status, STEAM_API_INIT_RESULT_FAILED_GENERIC);
  EXPECT_FALSE(twice.verbal.empty());
  gs.setAdvertiseServerActive(true);
  gs.logOn(token);
  ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
  const std::string me = "127.0.0.1:" + std::to_string(qport);
  ASSERT_TRUE(pump({&gs}, [&] { return masterList(hub.master_address).count(me) == 1; }));
  ServerBrowser browser;
  ASSERT_TRUE(browser.queryInfo(me).has_value());

  // serverShutdown: no signal, the hub delists it, the query port closes, and it can init again.
  gs.serverShutdown();
  EXPECT_FALSE(gs.loggedOn());
  // The hub sees the server leave and delists it; callbacks run all the while, and no
  // server_disconnected is delivered (the control that the window was long enough: the delisting).
  ASSERT_TRUE(pump({&gs}, [&] { return masterList(hub.master_address).count(me) == 0; }));
  EXPECT_TRUE(o.disconnects.empty());
  EXPECT_FALSE(browser.queryInfo(me, 300).has_value());
  EXPECT_TRUE(gs.serverInit("0.0.0.0", 27015, qport, SERVER_MODE_AUTHENTICATION, "1.0.0.0"));
  gs.logOn(token);
  ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 2; }));
  EXPECT_EQ(gs.getServerSteamID(), sid);
  gs.serverReleaseCurrentThreadMemory();  // nothing to free; callable any time
  gs.releaseCurrentThreadMemory();
  EXPECT_TRUE(gs.loggedOn());
}

TEST_F(GameServerListing, SteamIdHelpersAnswerAsTheSdk) {
  GameServer gs;
  uint64_t user = steamid::individual(77);
  uint64_t clan = steamid::clan(5);
  uint64_t anon_server = steamid::anonGameServer(9, 3);
  uint64_t anon_user = steamid::make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_ANON_USER, 0, 4);
  uint64_t console = steamid::make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_CONSOLE_USER, 1, 8);
  uint64_t chat = steamid::make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_CHAT, 0, 6);
  uint64_t lobby = steamid::make(UNIVERSE_PUBLIC, ACCOUNT_TYPE_CHAT, 0x40000, 6);
  EXPECT_EQ(gs.getSteamID32(user), 77u);
  EXPECT_EQ(gs.getSteamID32(76561197960265728ULL + 1234), 1234u);
  EXPECT_TRUE(gs.isIndividualAccount(user));
  EXPECT_TRUE(gs.isIndividualAccount(console));
  EXPECT_FALSE(gs.isIndividualAccount(clan));
  EXPECT_TRUE(gs.isClanAccount(clan));
  EXPECT_FALSE(gs.isClanAccount(user));
  EXPECT_TRUE(gs.isAnonAccount(anon_server));
  EXPECT_TRUE(gs.isAnonAccount(anon_user));
  EXPECT_FALSE(gs.isAnonAccount(user));
  EXPECT_TRUE(gs.isAnonUserAccount(anon_user));
  EXPECT_FALSE(gs.isAnonUserAccount(anon_server));
  EXPECT_TRUE(gs.isConsoleUserAccount(console));
  EXPECT_FALSE(gs.isConsoleUserAccount(user));
  EXPECT_TRUE(gs.isChatAccount(chat));
  EXPECT_TRUE(gs.isChatAccount(lobby));
  EXPECT_FALSE(gs.isLobby(chat));
  EXPECT_TRUE(gs.isLobby(lobby));
}

}  // namespace
}  // namespace outpost::test
