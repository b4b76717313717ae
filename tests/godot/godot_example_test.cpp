// The example Godot game (godot/examples/) end to end, every piece a real process: outpost-hub
// provisioned with the real CLI; the headless Godot dedicated server (SteamServer for logon,
// listing and auth, NetworkedMultiplayerENet for gameplay) with its outpost-agent; headless Godot
// clients that log on, find it on the master, check it with A2S, connect over ENet, send their
// ticket, are admitted and play; qstat reading the Godot server's A2S; a ban that kicks a player;
// a player without a licence refused; and the server killed with SIGKILL leaving no agent behind.
#include <gtest/gtest.h>

#include "godot_fixture.h"

namespace outpost::test {
namespace {

class GodotExample : public HubTest {
 protected:
  // "quakestat -a2s ADDRESS -P -R": qstat's view of a Source server (players and rules).
  std::string qstat(uint16_t query_port) {
    std::string bin;
    for (const char* candidate : {"/usr/bin/quakestat", "/usr/bin/qstat"})
      if (access(candidate, X_OK) == 0) bin = candidate;
    if (bin.empty()) return "qstat not installed (scripts/setup.sh installs it)";
    return runProcess({bin, "-a2s", "127.0.0.1:" + std::to_string(query_port), "-P", "-R", "-timeout", "3"}, 30).out;
  }
};

pid_t agentPidIn(const std::string& output) {
  auto at = output.find("outpost-agent pid ");
  return at == std::string::npos ? 0 : static_cast<pid_t>(std::stol(output.substr(at + 18)));
}

TEST_F(GodotExample, ServerAndClientsFindAuthenticatePlayAndABanKicks) {
  const std::string godot = findGodot();
  ASSERT_FALSE(godot.empty()) << "godot3-server not found on PATH: run scripts/setup.sh";
  HubProcess hub;
  startHub(hub);
  admin(hub, {"app", "put", "480", "Spacewar"});
  for (const char* name : {"alice", "bob", "carol", "operator"})
    admin(hub, {"user", "create", name, std::string(name) + "-password"});
  admin(hub, {"licence", "grant", "alice", "480"});
  admin(hub, {"licence", "grant", "bob", "480"});  // carol has none
  std::string out = admin(hub, {"token", "create", "480", "operator"});
  const uint64_t server_id = steamIdIn(out);
  const std::string token = out.substr(out.find("token=") + 6, 48);

  GodotProject project;
  auto env = project.baseEnv();
  env["OUTPOST_HUB"] = hub.address;
  env["OUTPOST_HUB_KEY"] = hub.public_key;
  const uint16_t game_port = freeUdpPort(), query_port = freeUdpPort();
  ChildProcess server;
  ASSERT_TRUE(server.start(project.argv(godot, "res://examples/server.tscn",
                                        {"--token=" + token, "--game-port=" + std::to_string(game_port),
                                         "--query-port=" + std::to_string(query_port), "--seconds=180"}),
                           env));
  ASSERT_TRUE(server.waitFor("server: advertised on the master", 30000)) << server.output();
  EXPECT_NE(server.output().find("server: logged on as " + std::to_string(server_id)), std::string::npos)
      << server.output();
  const pid_t agent = agentPidIn(server.output());
  ASSERT_GT(agent, 0) << server.output();

  // qstat reads the Godot server's A2S (served by the GameServer its agent hosts).
  std::string q = qstat(query_port);
  EXPECT_NE(q.find("Godot example server"), std::string::npos) << q;
  EXPECT_NE(q.find("godot_range"), std::string::npos) << q;
  EXPECT_NE(q.find("game_tags=godot,example"), std::string::npos) << q;

  auto client = [&](const std::string& user, int seconds) {
    auto c = std::make_unique<ChildProcess>();
    EXPECT_TRUE(c->start(project.argv(godot, "res://examples/client.tscn",
                                      {"--user=" + user, "--password=" + user + "-password",
                                       "--master=" + hub.master_address, "--seconds=" + std::to_string(seconds)}),
                         env));
    return c;
  };
  auto alice = client("alice", 120);
  auto bob = client("bob", 8);
  ASSERT_TRUE(alice->waitFor("client alice: admitted as alice", 60000)) << alice->output() << server.output();
  ASSERT_TRUE(bob->waitFor("client bob: admitted as bob", 60000)) << bob->output() << server.output();
  EXPECT_NE(alice->output().find("found Godot example server (godot_range) at 127.0.0.1:" + std::to_string(query_port)),
            std::string::npos)
      << alice->output();
  EXPECT_TRUE(server.waitFor("server: admitted alice", 5000)) << server.output();
  EXPECT_TRUE(server.waitFor("server: admitted bob", 5000)) << server.output();
  ASSERT_TRUE(alice->waitFor("client alice: score 5", 30000)) << alice->output();
  // qstat sees both players by name (A2S_PLAYER from updateUserData); bob leaves after 8 s of
  // play, so look while he is still there.
  bool both = false;
  for (int i = 0; i < 40 && !both; ++i) {
    q = qstat(query_port);
    both = q.find("alice") != std::string::npos && q.find("bob") != std::string::npos;
    if (!both) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(both) << q;

  // bob plays his 8 s and leaves cleanly.
  EXPECT_EQ(bob->wait(40000), 0) << bob->output();
  EXPECT_NE(bob->output().find("client bob: played 8 s, leaving"), std::string::npos) << bob->output();

  // carol has no licence: the hub issues her no ticket for the app (hub authorization per app),
  // so she never reaches the server.
  auto carol = client("carol", 10);
  EXPECT_EQ(carol->wait(60000), 3) << carol->output();
  EXPECT_NE(carol->output().find("client carol: the hub refused a ticket"), std::string::npos) << carol->output();
  EXPECT_EQ(server.output().find("carol"), std::string::npos) << server.output();

  // A ban on the hub while alice plays: the server is told to kick her, and does.
  admin(hub, {"ban", "alice", "480", "--vac"});
  EXPECT_EQ(alice->wait(30000), 3) << alice->output();
  EXPECT_NE(alice->output().find("client alice: kicked: deny reason 5"), std::string::npos) << alice->output();
  EXPECT_TRUE(server.waitFor("server: kicked alice", 5000)) << server.output();

  // The game server is killed outright: its agent must not stay behind.
  ASSERT_TRUE(processAlive(agent));
  server.signal(SIGKILL);
  server.wait(10000);
  EXPECT_TRUE(waitUntilGone(agent, 5000)) << "outpost-agent " << agent << " outlived the killed Godot server";
}

}  // namespace
}  // namespace outpost::test
