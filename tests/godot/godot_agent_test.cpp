// The addon and its agent from a real headless Godot (godot/tests/agent_lifetime.tscn): the addon
// starts the agent and reports a missing or crashed one clearly; it attaches to an agent already
// running; and a game killed with SIGKILL leaves no agent running.
#include <gtest/gtest.h>

#include <filesystem>

#include "godot_fixture.h"

namespace outpost::test {
namespace {

pid_t lifetimeAgentPid(const std::string& output) {
  auto at = output.find("; agent pid ");
  return at == std::string::npos ? 0 : static_cast<pid_t>(std::stol(output.substr(at + 12)));
}

class GodotAgent : public ::testing::Test {
 protected:
  void SetUp() override {
    godot_ = findGodot();
    ASSERT_FALSE(godot_.empty()) << "godot3-server not found on PATH: run scripts/setup.sh";
  }
  std::string godot_;
  GodotProject project_;
};

TEST_F(GodotAgent, AKilledGameLeavesNoAgentRunning) {
  ChildProcess game;
  ASSERT_TRUE(
      game.start(project_.argv(godot_, "res://tests/agent_lifetime.tscn", {"--seconds=60"}), project_.baseEnv()));
  ASSERT_TRUE(game.waitFor("lifetime: first call returned 1; agent pid ", 20000)) << game.output();
  const pid_t agent = lifetimeAgentPid(game.output());
  ASSERT_GT(agent, 0) << game.output();
  ASSERT_TRUE(processAlive(agent));
  game.signal(SIGKILL);
  EXPECT_EQ(game.wait(10000), 128 + SIGKILL);
  EXPECT_TRUE(waitUntilGone(agent, 5000)) << "outpost-agent " << agent << " outlived the killed game";
}

TEST_F(GodotAgent, ACrashedAgentIsReportedAndTheGameGoesOn) {
  ChildProcess game;
  ASSERT_TRUE(
      game.start(project_.argv(godot_, "res://tests/agent_lifetime.tscn", {"--seconds=4"}), project_.baseEnv()));
  ASSERT_TRUE(game.waitFor("lifetime: first call returned 1; agent pid ", 20000)) << game.output();
  const pid_t agent = lifetimeAgentPid(game.output());
  ASSERT_GT(agent, 0);
  kill(agent, SIGKILL);
  EXPECT_TRUE(
      game.waitFor("lifetime: agent_failed: outpost-agent closed the connection (it exited or was killed)", 10000))
      << game.output();
  EXPECT_TRUE(game.waitFor("lifetime: a call failed: outpost-agent closed the connection", 10000)) << game.output();
  // Each later call fails at once with the same reason, and the game runs to its end.
  EXPECT_EQ(game.wait(20000), 0) << game.output();
  EXPECT_NE(game.output().find("lifetime: done"), std::string::npos) << game.output();
}

TEST_F(GodotAgent, AMissingAgentIsReportedClearly) {
  auto env = project_.baseEnv();
  env["OUTPOST_AGENT"] = "/nonexistent/outpost-agent";
  ChildProcess game;
  ASSERT_TRUE(game.start(project_.argv(godot_, "res://tests/agent_lifetime.tscn", {"--seconds=1"}), env));
  EXPECT_EQ(game.wait(20000), 0) << game.output();
  const std::string out = game.output();
  EXPECT_NE(out.find("Outpost: SteamServer.getSteamID32: outpost-agent not found at /nonexistent/outpost-agent "
                     "(set the project setting outpost/agent/path or OUTPOST_AGENT)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("lifetime: first call returned 0"), std::string::npos) << out;  // the failure value
}

TEST_F(GodotAgent, AttachesToARunningAgent) {
  const std::string dir = makeTempDir();
  const std::string secret_file = dir + "/agent.secret";
  AgentProcess agent;
  ASSERT_TRUE(agent.start({"--secret-file", secret_file, "--first-client-timeout-ms", "60000"}, "")) << agent.output;
  auto env = project_.baseEnv();
  env["OUTPOST_AGENT"] = "/nonexistent/outpost-agent";  // it must not try to start one
  env["OUTPOST_AGENT_ATTACH"] = secret_file;
  ChildProcess game;
  ASSERT_TRUE(game.start(project_.argv(godot_, "res://tests/agent_lifetime.tscn", {"--seconds=1"}), env));
  EXPECT_EQ(game.wait(20000), 0) << game.output();
  EXPECT_NE(game.output().find("lifetime: first call returned 1; agent pid " + std::to_string(agent.pid())),
            std::string::npos)
      << game.output();
  EXPECT_NE(game.output().find("lifetime: done, 0 failed calls"), std::string::npos) << game.output();
  // The game went away, so the attached agent did too.
  EXPECT_EQ(agent.wait(10000), 0) << agent.output;
  EXPECT_NE(agent.output.find("clients_authenticated=1"), std::string::npos) << agent.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace outpost::test
