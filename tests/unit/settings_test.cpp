// The strict settings parser (src/base/settings.h) and outpost-hub's table (src/hub/hub_settings.h):
// integers are plain decimals within their ranges, every refusal names the flag or config key and
// what it accepts, unknown flags and keys are named, --config lines and flags go through the
// same parse, and --help is an outcome of its own (the hub exits 0 on it).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <limits>

#include "base/settings.h"
#include "hub/hub_settings.h"

namespace outpost {
namespace {

using hub::HubCommandLine;
using hub::HubConfig;

TEST(Settings, IntegersAreStrictDecimals) {
  EXPECT_EQ(base::settings::parseInteger("0"), 0);
  EXPECT_EQ(base::settings::parseInteger("86400"), 86400);
  EXPECT_EQ(base::settings::parseInteger("-5"), -5);
  EXPECT_EQ(base::settings::parseInteger("9223372036854775807"), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(base::settings::parseInteger("-9223372036854775808"), std::numeric_limits<int64_t>::min());
  for (const char* bad : {"", "-", "abc", "1y", "1 ", " 1", "+1", "0x10", "1e3", "1.5", "9223372036854775808",
                          "-9223372036854775809", "18446744073709551615"})
    EXPECT_FALSE(base::settings::parseInteger(bad).has_value()) << bad;
}

HubCommandLine parse(std::vector<std::string> args, HubConfig* config = nullptr) {
  HubConfig scratch;
  return hub::parseHubCommandLine(args, config ? *config : scratch);
}

TEST(HubSettings, NumericFlagsAreParsedStrictlyAndNamedWhenRefused) {
  for (const char* bad : {"abc", "-5", "0", "1y", "99999999999999999999"}) {
    auto r = parse({"--data-dir", "/tmp/x", "--token-idle-expiry", bad});
    ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kError) << bad;
    EXPECT_NE(r.message.find("--token-idle-expiry \"" + std::string(bad) +
                             "\": expected an integer in 1..3153600000 (seconds)"),
              std::string::npos)
        << r.message;
  }
  HubConfig c;
  ASSERT_EQ(parse({"--data-dir", "/tmp/x", "--token-idle-expiry", "3600"}, &c).outcome, HubCommandLine::Outcome::kRun);
  EXPECT_EQ(c.token_idle_expiry_s, 3600);
  ASSERT_EQ(parse({"--data-dir=/tmp/x", "--token-idle-expiry=60"}, &c).outcome, HubCommandLine::Outcome::kRun);
  EXPECT_EQ(c.token_idle_expiry_s, 60);
}

TEST(HubSettings, MasterLimitsAreRangeCheckedNotWrapped) {
  auto r = parse({"--data-dir", "/tmp/x", "--master-limit", "max_scan_work_per_request=-1"});
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kError);
  EXPECT_NE(r.message.find(
                "--master-limit max_scan_work_per_request \"-1\": expected an integer in 10000..9223372036854775807"),
            std::string::npos)
      << r.message;
  r = parse({"--data-dir", "/tmp/x", "--master-limit", "requests_per_sec_per_ip=4294967296"});
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kError);
  EXPECT_NE(r.message.find("1..4294967295"), std::string::npos) << r.message;
  r = parse({"--data-dir", "/tmp/x", "--master-limit", "colour=3"});
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kError);
  EXPECT_NE(r.message.find("NAME one of requests_per_sec_per_ip"), std::string::npos) << r.message;
  HubConfig c;
  ASSERT_EQ(parse({"--data-dir", "/tmp/x", "--master-limit", "max_scan_work_per_request=20000"}, &c).outcome,
            HubCommandLine::Outcome::kRun);
  EXPECT_EQ(c.master_limits.max_scan_work_per_request, 20000u);
}

TEST(HubSettings, UnknownFlagsAreNamedAndHelpIsItsOwnOutcome) {
  auto r = parse({"--data-dir", "/tmp/x", "--colour", "blue"});
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kError);
  EXPECT_NE(r.message.find("unknown flag \"--colour\""), std::string::npos) << r.message;
  r = parse({"--data-dir", "/tmp/x", "stray"});
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kError);
  EXPECT_NE(r.message.find("unexpected argument \"stray\""), std::string::npos) << r.message;
  r = parse({"--listen"});
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kError);
  EXPECT_NE(r.message.find("--listen needs a value"), std::string::npos) << r.message;
  r = parse({"--data-dir", "/tmp/x", "--listen", "27100"});
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kError);
  EXPECT_NE(r.message.find("--listen \"27100\": expected IP:PORT"), std::string::npos) << r.message;
  EXPECT_EQ(parse({}).outcome, HubCommandLine::Outcome::kError);  // --data-dir is required
  r = parse({"--token-idle-expiry", "abc", "--help"});            // --help wins wherever it is
  EXPECT_EQ(r.outcome, HubCommandLine::Outcome::kHelp);
  r = parse({"--help"});
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kHelp);
  EXPECT_NE(r.message.find("--token-idle-expiry N"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("1..3153600000 (seconds)"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("max_scan_work_per_request: 10000..9223372036854775807"), std::string::npos) << r.message;
}

TEST(HubSettings, ConfigFileKeysGoThroughTheSameParse) {
  std::string path = ::testing::TempDir() + "/settings_test_hub.conf";
  {
    std::ofstream f(path);
    f << "# a comment\n\ndata-dir = /tmp/x\nlisten = 127.0.0.1:0\nmaster =\n"
      << "master-limit = requests_per_sec_per_ip=7\nlogon-failures-per-account = 3   # trailing comment\n";
  }
  HubConfig c;
  auto r = parse({"--config", path, "--listen", "127.0.0.1:5"}, &c);
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kRun) << r.message;
  EXPECT_EQ(c.data_dir, "/tmp/x");
  EXPECT_EQ(c.listen, "127.0.0.1:5");  // the later flag wins
  EXPECT_EQ(c.master, "");             // off
  EXPECT_EQ(c.master_limits.requests_per_sec_per_ip, 7u);
  EXPECT_EQ(c.user_logons.limits.failures_per_account, 3u);

  std::ofstream(path, std::ios::app) << "token-idle-expiry = 1y\n";
  r = parse({"--config", path});
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kError);
  EXPECT_NE(r.message.find(path + ":8: token-idle-expiry \"1y\": expected an integer in 1..3153600000 (seconds)"),
            std::string::npos)
      << r.message;
  std::ofstream(path) << "colour = blue\n";
  r = parse({"--config", path});
  EXPECT_NE(r.message.find(path + ":1: unknown setting \"colour\""), std::string::npos) << r.message;
  std::ofstream(path) << "help = 1\n";  // flags that are not settings are not config keys
  EXPECT_EQ(parse({"--config", path}).outcome, HubCommandLine::Outcome::kError);
  std::remove(path.c_str());
}

TEST(HubSettings, LogonLimitSettingsReachTheConfig) {
  HubConfig c;
  auto r = parse({"--data-dir", "/tmp/x", "--password-checks-pending", "32", "--password-checks-per-source", "4",
                  "--logon-failures-per-source", "9", "--logon-backoff-initial-ms", "200", "--logon-backoff-max-ms",
                  "800", "--logon-forget-after-s", "60", "--logon-tracked", "100", "--password-check-workers", "2"},
                 &c);
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kRun) << r.message;
  EXPECT_EQ(c.user_logons.max_pending, 32u);
  EXPECT_EQ(c.user_logons.max_pending_per_source, 4u);
  EXPECT_EQ(c.user_logons.workers, 2u);
  EXPECT_EQ(c.user_logons.limits.failures_per_source, 9u);
  EXPECT_EQ(c.user_logons.limits.backoff_initial_ms, 200);
  EXPECT_EQ(c.user_logons.limits.backoff_max_ms, 800);
  EXPECT_EQ(c.user_logons.limits.forget_after_ms, 60000);
  EXPECT_EQ(c.user_logons.limits.max_tracked, 100u);
  r = parse({"--data-dir", "/tmp/x", "--logon-backoff-initial-ms", "900", "--logon-backoff-max-ms", "800"});
  ASSERT_EQ(r.outcome, HubCommandLine::Outcome::kError);
  EXPECT_NE(r.message.find("logon-backoff-initial-ms (900) is above logon-backoff-max-ms (800)"), std::string::npos);
}

TEST(Settings, SeveralRangesAreDescribedAndEnforced) {
  int64_t region = -1;
  base::settings::Table t;
  t.integer("region", {{0, 7}, {255, 255}}, "", "", "", [&](int64_t v) { region = v; });
  std::vector<std::string> args = {"--region", "8"};
  size_t i = 0;
  EXPECT_EQ(t.applyFlag(args, &i), "--region \"8\": expected an integer in 0..7 or 255");
  args = {"--region", "255"};
  i = 0;
  EXPECT_EQ(t.applyFlag(args, &i), "");
  EXPECT_EQ(region, 255);
  EXPECT_EQ(i, 2u);
}

}  // namespace
}  // namespace outpost
