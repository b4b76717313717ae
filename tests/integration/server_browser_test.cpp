// Integration: outpost::ServerBrowser against a real GameServer's query port over UDP — info
// fields and ping, players (one real, two bots), rules split over several packets, timeouts on a
// silent port and on a malformed address. The master-list walk is covered in hub_server_test.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>

#include "outpost/game_server.h"
#include "outpost/server_browser.h"
#include "support/raw_socket.h"

namespace outpost::test {
namespace {

TEST(ServerBrowser, QueriesInfoPlayersRulesAndPingFromAGameServer) {
  uint16_t qport;
  {
    RawSocket probe;
    qport = probe.port;
  }
  GameServer gs;
  ASSERT_TRUE(gs.serverInit("127.0.0.1", 27016, qport, SERVER_MODE_AUTHENTICATION, "2.5.0"));
  gs.setModDir("spacewar");
  gs.setGameDescription("Spacewar");
  gs.setDedicatedServer(true);
  gs.setMapName("cs_italy");
  gs.setGameTags("ctf,fast");
  gs.setPasswordProtected(true);
  gs.setMaxPlayerCount(24);
  gs.setBotPlayerCount(2);
  for (int i = 0; i < 150; ++i)
    gs.setKeyValue("k" + std::to_string(i), std::string(20, static_cast<char>('a' + i % 26)));
  uint64_t player = gs.createUnauthenticatedUserConnection();
  ASSERT_TRUE(gs.updateUserData(player, "Alice", 7));
  gs.setServerName("Browser target");  // last: the wait below keys on it

  ServerBrowser browser;
  const std::string addr = "127.0.0.1:" + std::to_string(qport);
  // The service thread publishes the setters' values on its next tick: ask until they show.
  std::optional<ServerInfoResult> info;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  do info = browser.queryInfo(addr);
  while ((!info || info->name != "Browser target") && std::chrono::steady_clock::now() < deadline);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->address, addr);
  EXPECT_EQ(info->name, "Browser target");
  EXPECT_EQ(info->map, "cs_italy");
  EXPECT_EQ(info->folder, "spacewar");
  EXPECT_EQ(info->game, "Spacewar");
  EXPECT_EQ(info->players, 3);
  EXPECT_EQ(info->max_players, 24);
  EXPECT_EQ(info->bots, 2);
  EXPECT_EQ(info->server_type, 'd');
  EXPECT_TRUE(info->password);
  EXPECT_EQ(info->version, "2.5.0");
  EXPECT_EQ(info->game_port, 27016);
  EXPECT_EQ(info->keywords, "ctf,fast");
  EXPECT_GE(info->ping_ms, 0);
  EXPECT_LT(info->ping_ms, 2000);

  auto players = browser.queryPlayers(addr);
  ASSERT_TRUE(players.has_value());
  ASSERT_EQ(players->size(), 3u);
  bool alice = false;
  for (const auto& p : *players)
    if (p.name == "Alice") alice = p.score == 7 && p.duration_s >= 0;
  EXPECT_TRUE(alice);

  auto rules = browser.queryRules(addr);  // ~4 KB: several split packets
  ASSERT_TRUE(rules.has_value());
  EXPECT_EQ(rules->size(), 150u);
  EXPECT_EQ(rules->at("k27"), std::string(20, 'b'));

  int ms = browser.ping(addr);
  EXPECT_GE(ms, 0);
  EXPECT_LT(ms, 2000);
}

TEST(ServerBrowser, SilentOrBadAddressesFailWithinTheirTimeout) {
  RawSocket silent;  // bound, never answers
  ServerBrowser browser;
  const std::string addr = "127.0.0.1:" + std::to_string(silent.port);
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(browser.queryInfo(addr, 200).has_value());
  EXPECT_FALSE(browser.queryPlayers(addr, 200).has_value());
  EXPECT_FALSE(browser.queryRules(addr, 200).has_value());
  EXPECT_EQ(browser.ping(addr, 200), -1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_FALSE(browser.queryInfo("not-an-address", 200).has_value());
  EXPECT_FALSE(browser.queryInfo("127.0.0.1:99999", 200).has_value());
  EXPECT_TRUE(browser.requestServerList(addr, "", 0xFF, 200).empty());
}

}  // namespace
}  // namespace outpost::test
