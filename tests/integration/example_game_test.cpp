// Integration: the example game (examples/) as separate real processes — an outpost-hub, the
// example dedicated server logged on with a login token, and example bots — on 127.0.0.1 with
// kernel-chosen ports. Asserts what a player or operator would notice: the master lists the
// server; bots authenticate with tickets bound to the server and appear in A2S_PLAYER with
// scores that rise as they play; a ban issued with `outpost admin` gets the banned bot kicked
// (its connection closed with the reason, gone from A2S_PLAYER) while the other keeps playing;
// a player without a licence or with a wrong password is refused; a server with a bad token or a
// taken port exits with the reason; `outpost servers` and
// `outpost query` print the list, the info, the players and the rules; every process stops
// cleanly on SIGTERM.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>

#include "example_background.h"
#include "game_protocol.h"
#include "mitm_relay.h"
#include "outpost/server_browser.h"
#include "outpost/steam_id.h"
#include "outpost/user.h"
#include "support/process.h"
#include "support/raw_socket.h"

#if defined(OUTPOST_EXAMPLE_SERVER_BINARY) && defined(OUTPOST_EXAMPLE_BOT_BINARY)

namespace outpost::test {
namespace {

using Clock = std::chrono::steady_clock;

// Score of `name` in A2S_PLAYER, -1 if not listed (or no answer).
int scoreOf(const std::vector<ServerPlayer>& players, const std::string& name) {
  for (const auto& p : players)
    if (p.name == name) return p.score;
  return -1;
}

bool eventually(const std::function<bool()>& done, int limit_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(limit_ms);
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

class ExampleGame : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = makeTempDir();
    dir_ = root_ + "/hub";
    ASSERT_TRUE(hub_.start(dir_)) << hub_.banner;
    admin({"app", "put", "480", "Spacewar"});
    for (const char* name : {"alice", "bob", "carol", "operator"})
      admin({"user", "create", name, std::string(name) + "-password"});
    admin({"licence", "grant", "alice", "480"});
    admin({"licence", "grant", "bob", "480"});  // carol has none
    std::string out = admin({"token", "create", "480", "operator"});
    token_ = out.substr(out.find("token=") + 6, 48);
    {
      RawSocket a, b;  // two distinct free ports, released for the server to bind
      game_port_ = a.port;
      query_port_ = b.port;
    }
    query_address_ = "127.0.0.1:" + std::to_string(query_port_);
    server_ = std::make_unique<Background>(
        std::vector<std::string>{OUTPOST_EXAMPLE_SERVER_BINARY, "--hub", hub_.address, "--hub-key", hub_.public_key,
                                 "--token", token_, "--ip", "127.0.0.1", "--port", std::to_string(game_port_),
                                 "--query-port", std::to_string(query_port_), "--name", "Example test server", "--map",
                                 "test_ring", "--max-players", "8"},
        root_ + "/server.log");
    ASSERT_TRUE(server_->waitForOutput("logged on to the hub as [G:1:")) << server_->output();
  }
  void TearDown() override {
    bots_.clear();
    server_.reset();
    std::filesystem::remove_all(root_);
  }

  std::string admin(const std::vector<std::string>& words) {
    auto r = runAdmin(hub_.address, dir_, words);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.out;
  }
  Background& startBot(const std::string& user, const std::string& password, std::vector<std::string> extra = {},
                       const std::string& log_tag = "") {
    std::vector<std::string> argv = {OUTPOST_EXAMPLE_BOT_BINARY,
                                     "--hub",
                                     hub_.address,
                                     "--hub-key",
                                     hub_.public_key,
                                     "--user",
                                     user,
                                     "--password",
                                     password,
                                     "--master",
                                     hub_.master_address,
                                     "--shot-interval-ms",
                                     "200"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    bots_.push_back(std::make_unique<Background>(argv, root_ + "/bot-" + user + log_tag + ".log"));
    return *bots_.back();
  }
  std::vector<ServerPlayer> players() {
    auto p = ServerBrowser().queryPlayers(query_address_, 1000);
    return p ? *p : std::vector<ServerPlayer>{};
  }

  std::string root_, dir_, token_, query_address_;
  uint16_t game_port_ = 0, query_port_ = 0;
  HubProcess hub_;
  std::unique_ptr<Background> server_;
  std::vector<std::unique_ptr<Background>> bots_;
};

TEST_F(ExampleGame, BotsAuthenticateAndScoreAndABanKicksOne) {
  // The master lists the server under its query port.
  ServerBrowser browser;
  ASSERT_TRUE(eventually(
      [&] {
        auto list = browser.requestServerList(hub_.master_address, "\\appid\\480", 0xFF, 1000);
        return std::find(list.begin(), list.end(), query_address_) != list.end();
      },
      10000))
      << "the master does not list " << query_address_;

  Background& alice = startBot("alice", "alice-password");
  Background& bob = startBot("bob", "bob-password");
  // Each bot found the server on the master and bound its ticket to the server's Steam ID.
  ASSERT_TRUE(alice.waitForOutput("admitted to \"Example test server\"")) << alice.output();
  ASSERT_TRUE(bob.waitForOutput("admitted to \"Example test server\"")) << bob.output();
  EXPECT_NE(alice.output().find("lists 1 server for \"\\appid\\480\": " + query_address_), std::string::npos)
      << alice.output();
  EXPECT_NE(alice.output().find("bound to [G:1:"), std::string::npos) << alice.output();
  // Each end authenticated the other by certificate before the ticket changed hands.
  EXPECT_NE(alice.output().find("connected to the game port (certified as [G:1:"), std::string::npos) << alice.output();
  std::string log = server_->output();
  EXPECT_NE(log.find("alice [U:1:1] authenticated by the hub"), std::string::npos) << log;
  EXPECT_NE(log.find("bob [U:1:2] authenticated by the hub"), std::string::npos) << log;
  EXPECT_NE(log.find("on a connection certified as the same player"), std::string::npos) << log;
  EXPECT_NE(log.find("certificate: certificate issued by the hub for [G:1:"), std::string::npos) << log;

  // Both play: A2S_PLAYER lists them, and their scores rise.
  std::vector<ServerPlayer> first;
  ASSERT_TRUE(eventually(
      [&] {
        first = players();
        return scoreOf(first, "alice") >= 0 && scoreOf(first, "bob") >= 0;
      },
      5000));
  ASSERT_TRUE(eventually(
      [&] {
        auto now = players();
        return scoreOf(now, "alice") > scoreOf(first, "alice") && scoreOf(now, "bob") > scoreOf(first, "bob");
      },
      15000))
      << "scores did not rise; server log:\n"
      << server_->output();
  auto info = browser.queryInfo(query_address_, 1000);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->players, 2);
  EXPECT_TRUE(info->secure);
  EXPECT_EQ(info->map, "test_ring");
  EXPECT_TRUE(server_->waitForOutput("scoreboard: ", 8000)) << server_->output();

  // A ban: the hub tells the server, the server kicks bob and closes his connection.
  admin({"ban", "bob", "480", "--vac", "--reason", "aimbot"});
  EXPECT_EQ(bob.waitExit(15000), 3) << bob.output();  // 3: refused or kicked
  EXPECT_NE(bob.output().find("the server closed the connection: kicked: cheater (VAC banned)"), std::string::npos)
      << bob.output();
  EXPECT_TRUE(server_->waitForOutput("bob [U:1:2] kicked: cheater (VAC banned); connection closed"))
      << server_->output();
  EXPECT_TRUE(eventually(
      [&] {
        auto now = players();
        return scoreOf(now, "bob") < 0 && scoreOf(now, "alice") >= 0;
      },
      5000))
      << "bob is still listed, or alice is gone";

  // Alice keeps playing, then leaves politely; the server sees her go.
  EXPECT_EQ(alice.waitExit(500), -1) << alice.output();
  EXPECT_EQ(alice.stop(SIGTERM), 0) << alice.output();
  EXPECT_NE(alice.output().find("leaving (signal received)"), std::string::npos);
  EXPECT_TRUE(server_->waitForOutput("alice [U:1:1] left (player left: bot leaving)")) << server_->output();
  EXPECT_TRUE(eventually([&] { return players().empty(); }, 5000));

  EXPECT_EQ(server_->stop(SIGTERM), 0);
  EXPECT_NE(server_->output().find("shut down cleanly"), std::string::npos) << server_->output();
}

TEST_F(ExampleGame, RefusesPlayersWithoutLicenceOrPasswordAndClosesWithAReason) {
  // A wrong password: the bot cannot even log on.
  Background& mallory = startBot("alice", "wrong-password");
  EXPECT_EQ(mallory.waitExit(15000), 1) << mallory.output();
  EXPECT_NE(mallory.output().find("wrong name or password"), std::string::npos) << mallory.output();

  // No licence: the hub signs her no ticket (a ticket is what an offline server admits on), so
  // she never reaches the server.
  Background& carol = startBot("carol", "carol-password", {"--server", query_address_});
  EXPECT_EQ(carol.waitExit(15000), 1) << carol.output();
  EXPECT_NE(carol.output().find("the hub gave no session ticket: no licence for this game (result 15)"),
            std::string::npos)
      << carol.output();
  EXPECT_EQ(server_->output().find("carol"), std::string::npos) << server_->output();
  EXPECT_TRUE(players().empty());

  // The server shuts down with a player on: the player is told why and leaves cleanly.
  Background& alice = startBot("alice", "alice-password", {"--server", query_address_});
  ASSERT_TRUE(alice.waitForOutput("admitted to")) << alice.output();
  EXPECT_EQ(server_->stop(SIGTERM), 0);
  EXPECT_EQ(alice.waitExit(10000), 0) << alice.output();
  EXPECT_NE(alice.output().find("server shutting down"), std::string::npos) << alice.output();
  EXPECT_NE(server_->output().find("shut down cleanly (1 player disconnected)"), std::string::npos)
      << server_->output();
}

TEST_F(ExampleGame, AServerWithABadTokenSaysWhyAndExits) {
  uint16_t game_port = 0, query_port = 0;
  {
    RawSocket a, b;
    game_port = a.port;
    query_port = b.port;
  }
  Background bad({OUTPOST_EXAMPLE_SERVER_BINARY, "--hub", hub_.address, "--hub-key", hub_.public_key, "--token",
                  std::string(48, '0'), "--ip", "127.0.0.1", "--port", std::to_string(game_port), "--query-port",
                  std::to_string(query_port)},
                 root_ + "/bad-server.log");
  EXPECT_EQ(bad.waitExit(15000), 1) << bad.output();
  EXPECT_NE(bad.output().find("the hub refused this server's logon"), std::string::npos) << bad.output();
  // And one whose game port is taken does not start at all.
  Background busy({OUTPOST_EXAMPLE_SERVER_BINARY, "--hub", hub_.address, "--hub-key", hub_.public_key, "--ip",
                   "127.0.0.1", "--port", std::to_string(game_port_), "--query-port", std::to_string(query_port)},
                  root_ + "/busy-server.log");
  EXPECT_EQ(busy.waitExit(10000), 1) << busy.output();
  EXPECT_NE(busy.output().find("cannot listen on 127.0.0.1:" + std::to_string(game_port_)), std::string::npos)
      << busy.output();
}

TEST_F(ExampleGame, ServersAndQueryCommandsPrintTheListInfoPlayersAndRules) {
  Background& alice = startBot("alice", "alice-password", {"--server", query_address_});
  ASSERT_TRUE(alice.waitForOutput("admitted to")) << alice.output();

  ProcessResult list;
  ASSERT_TRUE(eventually(
      [&] {
        list = runProcess({OUTPOST_CLI_BINARY, "servers", "--master", hub_.master_address, "--filter", "\\appid\\480"});
        // The server publishes alice to A2S on its next tick after admitting her: wait for that too.
        return list.exit_code == 0 && list.out.find("1/8") != std::string::npos;
      },
      10000))
      << list.out;
  EXPECT_NE(list.out.find(query_address_), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("1/8"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("Example test server"), std::string::npos) << list.out;
  auto only = runProcess({OUTPOST_CLI_BINARY, "servers", "--master", hub_.master_address, "--addresses-only"});
  EXPECT_EQ(only.exit_code, 0);
  EXPECT_EQ(only.out, query_address_ + "\n");
  auto none = runProcess({OUTPOST_CLI_BINARY, "servers", "--master", hub_.master_address, "--filter", "\\appid\\999",
                          "--timeout", "1000"});
  EXPECT_EQ(none.exit_code, 1) << none.out;

  auto q = runProcess({OUTPOST_CLI_BINARY, "query", query_address_});
  EXPECT_EQ(q.exit_code, 0) << q.out;
  for (const char* want : {"name       Example test server", "map        test_ring", "players    1/8", "VAC secure yes",
                           "steam id   [G:1:", "players (1)", "alice", "rules (4)", "game_mode = target_practice"})
    EXPECT_NE(q.out.find(want), std::string::npos) << want << " missing from:\n" << q.out;

  RawSocket silent;  // bound, never answers
  auto timeout =
      runProcess({OUTPOST_CLI_BINARY, "query", "127.0.0.1:" + std::to_string(silent.port), "--timeout", "300"});
  EXPECT_EQ(timeout.exit_code, 1) << timeout.out;
  EXPECT_NE(timeout.out.find("did not answer A2S_INFO within 300 ms"), std::string::npos) << timeout.out;
  for (const char* bad : {"localhost", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "1.2.3:4"}) {
    auto r = runProcess({OUTPOST_CLI_BINARY, "query", bad});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.out;
  }
  EXPECT_EQ(runProcess({OUTPOST_CLI_BINARY, "servers", "--master", "nowhere"}).exit_code, 2);
}

// Issue 9: an on-path relay that passes the handshakes and the ticket along used to end up with an
// authenticated session in each direction. Now the bot refuses a server whose certificate does not
// name the Steam ID A2S reported (the relay has none, or its own), and the server refuses a player
// whose certificate does not name the ticket's player (the relay's own, or none).
TEST_F(ExampleGame, AManInTheMiddleCanNoLongerCompleteASession) {
  const std::string kMitmIp = "127.0.0.2";
  const std::string game_address = "127.0.0.1:" + std::to_string(game_port_);
  const std::string mitm_game = kMitmIp + ":" + std::to_string(game_port_);
  const std::string mitm_query = kMitmIp + ":" + std::to_string(query_port_);
  DatagramRelay a2s(kMitmIp, query_port_, query_port_);  // A2S through the attacker, unchanged
  ASSERT_TRUE(a2s.ok());
  uint64_t server_id = 0;
  ASSERT_TRUE(eventually(
      [&] {
        auto info = ServerBrowser().queryInfo(mitm_query, 1000);
        server_id = info ? info->steam_id : 0;
        return steamid::isGameServer(server_id);  // A2S shows the id once the logon is published
      },
      10000))
      << "A2S through the relay";

  // 1. A relay without a certificate.
  {
    NetworkingSockets mitm;
    MitmRelay relay(mitm, mitm_game, game_address);
    ASSERT_TRUE(relay.listening());
    Background& bot = startBot("alice", "alice-password", {"--server", mitm_query}, "-1");
    EXPECT_EQ(bot.waitExit(20000), 4) << bot.output();  // 4: the server is not the one listed
    EXPECT_NE(bot.output().find("refused the server at " + mitm_game + ": the server presented no certificate"),
              std::string::npos)
        << bot.output();
    EXPECT_EQ(bot.output().find("admitted"), std::string::npos) << bot.output();
    // Its own leg to the real server is refused too: it has no certificate for anyone.
    ASSERT_TRUE(eventually([&] { return relay.back().state == CONNECTION_STATE_CLOSED_BY_PEER; }, 10000));
    EXPECT_EQ(relay.back().end_reason, CONNECTION_END_REMOTE_BAD_CERT);
    EXPECT_NE(relay.back().end_debug.find("no certificate"), std::string::npos) << relay.back().end_debug;
    EXPECT_EQ(relay.relayedToServer(), 0);
  }

  // 2. A relay certified as a player of its own (mallory, a real account with a licence).
  admin({"user", "create", "mallory", "mallory-password"});
  admin({"licence", "grant", "mallory", "480"});
  User mallory;
  mallory.setHub(hub_.address, hub_.public_key);
  ASSERT_EQ(mallory.logOn("mallory", "mallory-password", 480), RESULT_OK);
  NetworkingSockets mitm;
  mallory.certifyNetworkingSockets(mitm);
  ASSERT_TRUE(eventually([&] { return mitm.getAuthenticationStatus() == NETWORKING_AVAILABILITY_CURRENT; }, 10000));
  MitmRelay relay(mitm, mitm_game, game_address);
  ASSERT_TRUE(relay.listening());
  Background& bot = startBot("alice", "alice-password", {"--server", mitm_query}, "-2");
  EXPECT_EQ(bot.waitExit(20000), 4) << bot.output();
  EXPECT_NE(bot.output().find("is certified as " + steamid::toString(mallory.getSteamID()) + ", not as " +
                              steamid::toString(server_id)),
            std::string::npos)
      << bot.output();
  EXPECT_EQ(relay.relayedToServer(), 0);  // the bot never sent it the ticket
  // The relay reaches the real server as mallory. A ticket of alice's bound to that server (as a
  // relay would have captured it) does not get it in: the connection is certified as mallory.
  ASSERT_TRUE(eventually([&] { return relay.back().state == CONNECTION_STATE_CONNECTED; }, 10000));
  EXPECT_TRUE(relay.back().peer_authenticated);
  EXPECT_EQ(relay.back().peer_identity, server_id);
  User alice;
  alice.setHub(hub_.address, hub_.public_key);
  ASSERT_EQ(alice.logOn("alice", "alice-password", 480), RESULT_OK);
  AuthTicket ticket = alice.getAuthSessionTicket(server_id);
  ASSERT_NE(ticket.id, 0u);
  relay.sendToServer(example::encode(example::Hello{alice.getSteamID(), "alice", ticket.buffer}));
  ASSERT_TRUE(eventually([&] { return relay.back().state == CONNECTION_STATE_CLOSED_BY_PEER; }, 10000));
  EXPECT_EQ(relay.back().end_reason, example::kCloseAuthFailed);
  EXPECT_EQ(relay.back().end_debug, "certified as " + steamid::toString(mallory.getSteamID()) + ", not as " +
                                        steamid::toString(alice.getSteamID()));
  EXPECT_TRUE(
      server_->waitForOutput("refused: the connection is certified as " + steamid::toString(mallory.getSteamID())))
      << server_->output();
  EXPECT_EQ(server_->output().find("alice [U:1:1] authenticated by the hub"), std::string::npos) << server_->output();
  // Positive control: alice reaching the server directly is admitted.
  Background& direct = startBot("alice", "alice-password", {"--server", query_address_}, "-3");
  EXPECT_TRUE(direct.waitForOutput("admitted to \"Example test server\"")) << direct.output();
}

}  // namespace
}  // namespace outpost::test

#endif  // OUTPOST_EXAMPLE_SERVER_BINARY
