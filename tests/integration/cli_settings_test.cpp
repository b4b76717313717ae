// Integration: the programs' settings as a user meets them — outpost-hub refuses a bad number in a
// flag or its config file with exit status 2 and a sentence naming the flag or key and the range
// it accepts (before, "abc", "-5" and "1y" were taken by atoll and made every login token expire,
// and max_scan_work_per_request=-1 wrapped to 2^64-1), names an unknown flag, and exits 0 on
// --help; the outpost CLI does the same for its numeric flags (`--region` takes what its help says,
// 0..7 or 255) and exits 0 on --help; and `outpost admin` no longer takes the admin token on the
// command line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/process.h"

namespace outpost::test {
namespace {

ProcessResult hub(std::vector<std::string> args) {
  args.insert(args.begin(), OUTPOST_HUB_BINARY);
  return runProcess(args, 20);
}
ProcessResult cli(std::vector<std::string> args) {
  args.insert(args.begin(), OUTPOST_CLI_BINARY);
  return runProcess(args, 20);
}

class CliSettings : public ::testing::Test {
 protected:
  void SetUp() override { root_ = makeTempDir(); }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::string root_;
};

TEST_F(CliSettings, TheHubRefusesBadNumbersNamingTheSettingAndItsRange) {
  std::string data = root_ + "/data";
  for (const char* bad : {"abc", "-5", "1y"}) {
    auto r = hub({"--data-dir", data, "--token-idle-expiry", bad});
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(
        r.out.find("--token-idle-expiry \"" + std::string(bad) + "\": expected an integer in 1..3153600000 (seconds)"),
        std::string::npos)
        << r.out;
  }
  auto r = hub({"--data-dir", data, "--master-limit", "max_scan_work_per_request=-1"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("max_scan_work_per_request \"-1\": expected an integer in 10000..9223372036854775807"),
            std::string::npos)
      << r.out;
  std::string config = root_ + "/hub.conf";
  std::ofstream(config) << "data-dir = " << data << "\ntoken-idle-expiry = 1y\n";
  r = hub({"--config", config});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("hub.conf:2: token-idle-expiry \"1y\": expected an integer in 1..3153600000 (seconds)"),
            std::string::npos)
      << r.out;
  r = hub({"--data-dir", data, "--colour", "blue"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("unknown flag \"--colour\""), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(data)) << "nothing started";
}

TEST_F(CliSettings, HelpExitsZero) {
  auto r = hub({"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("--logon-failures-per-account N"), std::string::npos) << r.out;
  r = cli({"--help"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("outpost admin"), std::string::npos) << r.out;
  EXPECT_EQ(cli({"servers", "--help"}).exit_code, 0);
  EXPECT_EQ(cli({"query", "--help"}).exit_code, 0);
  EXPECT_EQ(cli({"admin", "--help"}).exit_code, 0);
  EXPECT_EQ(cli({}).exit_code, 2);
  EXPECT_EQ(cli({"frobnicate"}).exit_code, 2);
}

TEST_F(CliSettings, TheCliNumericFlagsTakeWhatTheirHelpSays) {
  auto help = cli({"servers", "--help"});
  EXPECT_NE(help.out.find("0..7"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("255"), std::string::npos) << help.out;
  for (const char* bad : {"8", "254", "-1", "3x"}) {
    auto r = cli({"servers", "--master", "127.0.0.1:9", "--region", bad, "--timeout", "10"});
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.out;
    EXPECT_NE(r.out.find("--region \"" + std::string(bad) + "\": expected an integer in 0..7 or 255"),
              std::string::npos)
        << r.out;
  }
  // An accepted region gets past the flags (no master answers on port 9: exit 1, not 2).
  EXPECT_EQ(cli({"servers", "--master", "127.0.0.1:9", "--region", "7", "--timeout", "10"}).exit_code, 1);
  auto r = cli({"query", "127.0.0.1:9", "--timeout", "0"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--timeout \"0\": expected an integer in 1..600000 (milliseconds)"), std::string::npos) << r.out;
  r = cli({"demo", "--seconds", "ten"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--seconds \"ten\""), std::string::npos) << r.out;
}

TEST_F(CliSettings, TheAdminTokenIsNotTakenOnTheCommandLine) {
  auto r = cli({"admin", "--hub", "127.0.0.1:9", "--hub-key", std::string(64, 'a'), "--admin-token",
                std::string(64, '0'), "status"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--admin-token is gone"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--admin-token-file"), std::string::npos) << r.out;
  r = cli({"admin", "--hub", "127.0.0.1:9", "--hub-key", std::string(64, 'a'), "--colour", "blue", "status"});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("unknown option \"--colour\""), std::string::npos) << r.out;
}

}  // namespace
}  // namespace outpost::test
