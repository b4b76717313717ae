// The GDScript suite (godot/tests/reference_suite.gd), run headless by Debian's godot3-server
// against a real outpost-hub provisioned with the real `outpost admin` CLI, through the real
// outpost-agent the addon starts. The suite calls every function of the API table from GDScript
// and prints PASS/FAIL per function for each effect it asserts; this test requires a PASS line for
// every function and signal the table serves (which includes all 35 functions and 10 signals of
// the Godot 3 Game Server page) and no FAIL line.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "agent/api_table.h"
#include "godot_fixture.h"

namespace outpost::test {
namespace {

class GodotReference : public HubTest {};

TEST_F(GodotReference, EveryFunctionOfTheApiTableFromGDScript) {
  const std::string godot = findGodot();
  ASSERT_FALSE(godot.empty()) << "godot3-server not found on PATH: run scripts/setup.sh";
  HubProcess hub;
  startHub(hub);
  const std::string password = "alice-password-" + randomSecretHex().substr(0, 8);
  admin(hub, {"app", "put", "480", "Spacewar", "--required-version", "2.0.0"});
  admin(hub, {"app", "put", "481", "Spacewar DLC"});
  const uint64_t alice = steamIdIn(admin(hub, {"user", "create", "alice", password}));
  const uint64_t bob = steamIdIn(admin(hub, {"user", "create", "bob", "bob-password"}));
  admin(hub, {"user", "create", "operator", "operator-password"});
  admin(hub, {"licence", "grant", "alice", "480"});
  admin(hub, {"licence", "grant", "alice", "481"});
  admin(hub, {"licence", "grant", "bob", "480"});
  const uint64_t clan = steamIdIn(admin(hub, {"group", "create", "Godot Testers"}));
  admin(hub, {"group", "member", std::to_string(clan), "alice", "--officer"});
  // The server's token owner is a member, so the server may associate with the clan; as a
  // member, the operator blocking alice counts in computeNewPlayerCompatibility(alice).
  admin(hub, {"group", "member", std::to_string(clan), "operator"});
  admin(hub, {"block", "operator", "alice"});
  admin(hub, {"block", "alice", "bob"});
  admin(hub, {"block", "bob", "alice"});
  std::string out = admin(hub, {"token", "create", "480", "operator"});
  const uint64_t server_id = steamIdIn(out);
  const std::string token = out.substr(out.find("token=") + 6, 48);
  ASSERT_TRUE(alice && bob && clan && server_id) << out;

  GodotProject project;
  auto env = project.baseEnv();
  env.insert({{"OUTPOST_TEST_HUB", hub.address},
              {"OUTPOST_TEST_HUB_KEY", hub.public_key},
              {"OUTPOST_TEST_MASTER", hub.master_address},
              {"OUTPOST_TEST_HUB_DATA_DIR", dir_},
              {"OUTPOST_TEST_CLI", OUTPOST_CLI_BINARY},
              {"OUTPOST_TEST_TOKEN", token},
              {"OUTPOST_TEST_TOKEN_STEAM_ID", std::to_string(server_id)},
              {"OUTPOST_TEST_ALICE_ID", std::to_string(alice)},
              {"OUTPOST_TEST_BOB_ID", std::to_string(bob)},
              {"OUTPOST_TEST_CLAN_ID", std::to_string(clan)},
              {"OUTPOST_TEST_PASSWORD", password},
              {"OUTPOST_TEST_GAME_PORT", std::to_string(freeUdpPort())},
              {"OUTPOST_TEST_QUERY_PORT", std::to_string(freeUdpPort())}});
  ChildProcess suite;
  // The hub is given to the addon with setHub only: no OUTPOST_HUB in Godot's environment.
  ASSERT_TRUE(
      suite.start(project.argv(godot, "res://tests/reference_suite.tscn"), env, {"OUTPOST_HUB", "OUTPOST_HUB_KEY"}));
  const int status = suite.waitUnlessScriptError(240000);
  const std::string output = suite.output();
  EXPECT_EQ(status, 0) << output;
  if (std::getenv("OUTPOST_GODOT_VERBOSE")) std::printf("%s\n", output.c_str());

  std::set<std::string> passed;
  const std::regex pass_line(R"((^|\n)PASS (\w+))"), fail_line(R"((^|\n)FAIL ([^\n]*))");
  for (auto it = std::sregex_iterator(output.begin(), output.end(), pass_line); it != std::sregex_iterator(); ++it)
    passed.insert((*it)[2]);
  for (auto it = std::sregex_iterator(output.begin(), output.end(), fail_line); it != std::sregex_iterator(); ++it)
    ADD_FAILURE() << "GDScript check failed: " << (*it)[2];
  size_t page_functions = 0;
  for (const auto& f : agent::functionTable()) {
    EXPECT_TRUE(passed.count(f.name)) << f.name << " (" << agent::originName(f.origin)
                                      << ") was not called with its effect asserted by the GDScript suite";
    if (f.origin == agent::Origin::kGodot3Page) ++page_functions;
  }
  EXPECT_EQ(page_functions, 35u);
  for (const auto& s : agent::signalTable())
    EXPECT_TRUE(passed.count(s.name)) << "signal " << s.name << " was not asserted by the GDScript suite";
  EXPECT_NE(output.find("SUMMARY passed_functions="), std::string::npos) << output;
}

}  // namespace
}  // namespace outpost::test
