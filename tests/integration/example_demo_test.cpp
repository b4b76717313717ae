// Integration: the README's main command, without its set-up and build — scripts/demo-run.sh
// on the current build, on kernel-chosen free ports (OUTPOST_DEMO_*_PORT). Asserts what the
// person running it should see: the hub bootstrapped with `outpost admin`, the master's list
// with the server and its 3 players, the A2S info, players with scores and rules, the three bots
// authenticated in the server's log, the qstat command line; that it stops by itself after
// --seconds, and on Ctrl-C (SIGINT to its whole process group), with exit status 0, every
// process stopped and every port released.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <filesystem>

#include "example_background.h"
#include "support/process.h"
#include "support/raw_socket.h"

#if defined(OUTPOST_EXAMPLES_SOURCE_DIR) && defined(OUTPOST_EXAMPLES_BUILD_DIR)

namespace outpost::test {
namespace {

// True when a UDP socket can bind 127.0.0.1:port (nothing left holding it).
bool portFree(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

class ExampleDemo : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = makeTempDir();
    RawSocket a, b, c, d;  // four distinct free ports, released for the demo
    ports_ = {a.port, b.port, c.port, d.port};
    query_address_ = "127.0.0.1:" + std::to_string(ports_[3]);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::unique_ptr<Background> start(std::vector<std::string> args) {
    std::vector<std::string> argv = {"/bin/bash", std::string(OUTPOST_EXAMPLES_SOURCE_DIR) + "/scripts/demo-run.sh",
                                     OUTPOST_EXAMPLES_BUILD_DIR};
    argv.insert(argv.end(), args.begin(), args.end());
    return std::make_unique<Background>(
        argv, root_ + "/demo.log",
        std::vector<std::pair<std::string, std::string>>{{"OUTPOST_DEMO_HUB_PORT", std::to_string(ports_[0])},
                                                         {"OUTPOST_DEMO_MASTER_PORT", std::to_string(ports_[1])},
                                                         {"OUTPOST_DEMO_GAME_PORT", std::to_string(ports_[2])},
                                                         {"OUTPOST_DEMO_QUERY_PORT", std::to_string(ports_[3])}},
        /*own_group=*/true);
  }
  // Every process the demo started is gone: its process group is empty and its ports are free.
  void expectNothingLeft(const Background& demo) {
    errno = 0;
    EXPECT_EQ(kill(-demo.group(), 0), -1) << "processes of the demo are still running";
    EXPECT_EQ(errno, ESRCH);
    for (uint16_t p : ports_) EXPECT_TRUE(portFree(p)) << "port " << p << " is still held";
  }

  std::string root_, query_address_;
  std::vector<uint16_t> ports_;
};

TEST_F(ExampleDemo, BringsEverythingUpShowsItAndStopsAfterItsSeconds) {
  auto demo = start({"--seconds", "12"});
  int status = demo->waitExit(120000);
  std::string out = demo->output();
  ASSERT_EQ(status, 0) << out;
  const std::string master_line = "127.0.0.1:" + std::to_string(ports_[3]);
  for (const std::string& want : {
           std::string("$ outpost admin --hub 127.0.0.1:") + std::to_string(ports_[0]),
           std::string("token create 480 operator"),
           std::string("[demo] the hub's contact (OUTPOST_HUB): "),  // KEY@127.0.0.1:PORT
           std::string("@127.0.0.1:") + std::to_string(ports_[0]),
           std::string("== 5a. The master's list"),
           std::string("master 127.0.0.1:") + std::to_string(ports_[1]) + ", filter \"\\appid\\480\": 1 server",
           master_line,
           std::string("3/16"),
           std::string("name       Outpost demo server"),
           std::string("VAC secure yes"),
           std::string("players (3)"),
           std::string("game_mode = target_practice"),
           std::string("alice [U:1:1] authenticated by the hub"),
           std::string("bob [U:1:2] authenticated by the hub"),
           std::string("carol [U:1:3] authenticated by the hub"),
           std::string("admitted to \"Outpost demo server\""),
           std::string("quakestat -a2s ") + query_address_ + " -R -P",
           std::string("scoreboard: "),
           std::string("[demo] bot alice stopped (exit status 0)"),
           std::string("[demo] server stopped (exit status 0)"),
           std::string("[demo] hub stopped (exit status 0)"),
           std::string("[demo] everything stopped cleanly"),
       })
    EXPECT_NE(out.find(want), std::string::npos) << "\"" << want << "\" missing from:\n" << out;
  // The A2S players table shows each bot with a score (a number after the name).
  for (const char* bot : {"alice", "bob", "carol"}) {
    auto at = out.find(std::string("  ") + bot + "                 ");
    EXPECT_NE(at, std::string::npos) << bot << " missing from the A2S players table:\n" << out;
  }
  expectNothingLeft(*demo);
}

TEST_F(ExampleDemo, CtrlCStopsEverythingCleanly) {
  auto demo = start({});  // no --seconds: runs until stopped
  ASSERT_TRUE(demo->waitForOutput("== 6. Playing until you press Ctrl-C", 60000)) << demo->output();
  EXPECT_EQ(demo->stop(SIGINT, 30000), 0) << demo->output();  // the whole group, as a terminal does
  std::string out = demo->output();
  EXPECT_NE(out.find("[demo] everything stopped cleanly"), std::string::npos) << out;
  EXPECT_NE(out.find("shut down cleanly"), std::string::npos) << out;
  expectNothingLeft(*demo);
}

}  // namespace
}  // namespace outpost::test

#endif  // OUTPOST_EXAMPLES_SOURCE_DIR
