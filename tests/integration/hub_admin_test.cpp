// Integration: a real outpost-hub process on a temporary data directory, administered with the
// real outpost CLI — first start creates the hub key and a restart keeps it, SIGTERM stops it
// cleanly, every admin command does what it says with exact exit codes, the CLI refuses a hub
// whose key is not the pinned one, and a SIGKILL in the middle of writes loses no write the
// CLI saw acknowledged.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "support/process.h"

namespace outpost::test {
namespace {

class HubAdmin : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = makeTempDir() + "/data"; }
  void TearDown() override { std::filesystem::remove_all(std::filesystem::path(dir_).parent_path()); }

  ProcessResult admin(const std::vector<std::string>& words) { return runAdmin(hub_.address, dir_, words); }

  std::string dir_;
  HubProcess hub_;
};

TEST_F(HubAdmin, KeyIsCreatedOnceAndSigtermStopsCleanly) {
  ASSERT_TRUE(hub_.start(dir_)) << hub_.banner;
  EXPECT_TRUE(hub_.new_key);
  std::string key = hub_.public_key;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/hub.sqlite"));
  auto perms = std::filesystem::status(dir_ + "/hub.key").permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_all, std::filesystem::perms::none);
  EXPECT_EQ(perms & std::filesystem::perms::others_all, std::filesystem::perms::none);
  EXPECT_EQ(hub_.stop(SIGTERM), 0);
  EXPECT_NE(hub_.banner.find("outpost-hub: stopped"), std::string::npos);

  HubProcess again;
  ASSERT_TRUE(again.start(dir_));
  EXPECT_FALSE(again.new_key);
  EXPECT_EQ(again.public_key, key);
  EXPECT_EQ(again.stop(SIGTERM), 0);
}

TEST_F(HubAdmin, EveryAdminCommand) {
  ASSERT_TRUE(hub_.start(dir_)) << hub_.banner;
  auto ok = [&](const std::vector<std::string>& w) {
    auto r = admin(w);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.out;
  };
  EXPECT_EQ(ok({"app", "put", "480", "Spacewar", "--required-version", "1.2.0"}), "ok\n");
  EXPECT_NE(ok({"app", "list"}).find("app 480 name=Spacewar required_version=1.2.0"), std::string::npos);
  // A password from a file (nothing secret on the command line) ...
  std::string password_file = std::filesystem::path(dir_).parent_path().string() + "/alice.password";
  std::ofstream(password_file) << "correct horse\n";
  EXPECT_EQ(ok({"user", "create", "alice", "--password-file", password_file}), "ok steam_id=76561197960265729\n");
  // ... or, still, as an argument, with a warning that others can read it.
  std::string bob_out = ok({"user", "create", "bob", "battery staple"});
  EXPECT_NE(bob_out.find("warning: a password on the command line is visible"), std::string::npos) << bob_out;
  EXPECT_NE(bob_out.find("ok steam_id=76561197960265730\n"), std::string::npos) << bob_out;
  EXPECT_EQ(admin({"user", "create", "dave"}).exit_code, 2);  // no password given at all
  auto dup = admin({"user", "create", "alice", "whatever123"});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_NE(dup.out.find("result 14"), std::string::npos) << dup.out;   // DuplicateName
  EXPECT_EQ(admin({"user", "create", "carol", "short"}).exit_code, 1);  // password too short

  std::string tok = ok({"token", "create", "480", "alice", "--memo", "eu-1"});
  EXPECT_EQ(tok.rfind("ok steam_id=85568392920039425 token=", 0), 0u) << tok;  // [G:1:1]
  EXPECT_EQ(admin({"token", "create", "999", "alice"}).exit_code, 1);          // no such app
  EXPECT_NE(ok({"token", "list", "480"}).find("account=1 steam_id=85568392920039425 app=480 owner=alice memo=eu-1"),
            std::string::npos);
  ok({"token", "revoke", "1"});
  EXPECT_NE(ok({"token", "list", "480"}).find("revoked=1"), std::string::npos);
  EXPECT_EQ(admin({"token", "revoke", "77"}).exit_code, 1);

  ok({"licence", "grant", "alice", "480"});
  ok({"licence", "grant", "bob", "480", "--borrowed-from", "alice"});
  ok({"licence", "grant", "alice", "1001"});  // a DLC
  std::string bob = ok({"user", "show", "bob"});
  EXPECT_NE(bob.find("licence app=480 owner_steam_id=76561197960265729"), std::string::npos) << bob;
  ok({"licence", "revoke", "alice", "1001"});
  std::string alice = ok({"user", "show", "alice"});
  EXPECT_EQ(alice.find("app=1001"), std::string::npos);
  EXPECT_EQ(admin({"user", "show", "nobody"}).exit_code, 1);

  EXPECT_EQ(ok({"group", "create", "The Clan"}), "ok steam_id=103582791429521409\n");
  ok({"group", "member", "103582791429521409", "alice", "--officer"});  // full clan id
  ok({"group", "member", "1", "bob"});                                  // bare clan account id
  ok({"group", "member", "1", "bob", "--remove"});
  ok({"block", "alice", "bob"});
  ok({"unblock", "alice", "bob"});
  EXPECT_EQ(admin({"unblock", "alice", "bob"}).exit_code, 1);
  ok({"ban", "bob", "480", "--vac", "--reason", "aimbot"});
  ok({"unban", "bob", "480"});
  EXPECT_EQ(admin({"unban", "bob", "480"}).exit_code, 1);

  std::string status = ok({"status"});
  EXPECT_NE(status.find("store.schema_version 3"), std::string::npos);
  EXPECT_NE(status.find("rpc.admin "), std::string::npos);
  EXPECT_EQ(admin({"frobnicate"}).exit_code, 2);
}

TEST_F(HubAdmin, WrongTokenOrWrongHubKeyIsRefused) {
  ASSERT_TRUE(hub_.start(dir_)) << hub_.banner;
  std::string wrong_token_file = std::filesystem::path(dir_).parent_path().string() + "/wrong.token";
  std::ofstream(wrong_token_file) << std::string(64, '0') << "\n";
  auto wrong_token = runProcess({OUTPOST_CLI_BINARY, "admin", "--hub", hub_.address, "--hub-key", hub_.public_key,
                                 "--admin-token-file", wrong_token_file, "app", "list"});
  EXPECT_EQ(wrong_token.exit_code, 1);
  EXPECT_NE(wrong_token.out.find("result 15"), std::string::npos) << wrong_token.out;  // AccessDenied
  // A client that pins another key never talks to this hub.
  std::string other_key(64, 'b');
  auto wrong_key = runProcess({OUTPOST_CLI_BINARY, "admin", "--hub", hub_.address, "--hub-key", other_key,
                               "--admin-token-file", wrong_token_file, "app", "list"});
  EXPECT_EQ(wrong_key.exit_code, 3) << wrong_key.out;
  EXPECT_NE(wrong_key.out.find("pinned"), std::string::npos) << wrong_key.out;
}

TEST_F(HubAdmin, SigkillLosesNoAcknowledgedWrite) {
  ASSERT_TRUE(hub_.start(dir_)) << hub_.banner;
  std::string address = hub_.address;
  std::atomic<bool> stop{false};
  std::atomic<size_t> acknowledged_count{0};
  std::vector<int> acknowledged;  // written by the writer thread only, read after join()
  std::thread writer([&] {
    for (int i = 1; i <= 2000 && !stop; ++i) {
      auto r = runProcess({OUTPOST_CLI_BINARY, "admin", "--hub", address, "--data-dir", dir_, "app", "put",
                           std::to_string(i), "app-" + std::to_string(i)},
                          10);
      if (r.exit_code == 0) {
        acknowledged.push_back(i);
        acknowledged_count++;
      }
    }
  });
  // Let writes flow, then kill the hub in the middle of them.
  for (int i = 0; i < 500 && acknowledged_count < 40; ++i) usleep(10000);
  EXPECT_EQ(hub_.stop(SIGKILL), 128 + SIGKILL);
  usleep(300000);
  stop = true;
  writer.join();
  ASSERT_GT(acknowledged.size(), 10u);

  HubProcess restarted;
  ASSERT_TRUE(restarted.start(dir_)) << restarted.banner;
  auto list = runProcess({OUTPOST_CLI_BINARY, "admin", "--hub", restarted.address, "--data-dir", dir_, "app", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.out;
  for (int id : acknowledged)
    EXPECT_NE(list.out.find("app " + std::to_string(id) + " name=app-" + std::to_string(id) + " "), std::string::npos)
        << "acknowledged write of app " << id << " was lost";
  EXPECT_EQ(restarted.stop(SIGTERM), 0);
}

TEST_F(HubAdmin, ConfigFileAndJsonLogs) {
  std::string config = std::filesystem::path(dir_).parent_path().string() + "/hub.conf";
  {
    std::ofstream f(config);
    f << "# outpost-hub settings\n"
      << "data-dir = " << dir_ << "\n"
      << "listen = 127.0.0.1:0\n"
      << "master = 127.0.0.1:0   # ephemeral for the test\n"
      << "token-idle-expiry = 3600\n";
  }
  std::string log = std::filesystem::path(dir_).parent_path().string() + "/hub.log";
  hub_.include_defaults = false;
  hub_.extra_args = {"--config", config};
  hub_.env = {{"OUTPOST_LOG_FORMAT", "json"}, {"OUTPOST_LOG_LEVEL", "info"}};
  hub_.stderr_path = log;
  ASSERT_TRUE(hub_.start(dir_)) << hub_.banner;
  EXPECT_FALSE(hub_.master_address.empty());
  // Something worth logging: an admin request with a wrong token.
  std::string wrong_token_file = std::filesystem::path(dir_).parent_path().string() + "/wrong.token";
  std::ofstream(wrong_token_file) << std::string(64, '1') << "\n";
  auto denied = runProcess({OUTPOST_CLI_BINARY, "admin", "--hub", hub_.address, "--hub-key", hub_.public_key,
                            "--admin-token-file", wrong_token_file, "status"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_EQ(hub_.stop(SIGTERM), 0);
  EXPECT_NE(hub_.banner.find("data directory " + dir_), std::string::npos) << hub_.banner;
  std::ifstream in(log);
  std::string line;
  int json_lines = 0;
  bool saw_denied = false;
  while (std::getline(in, line)) {
    ASSERT_EQ(line.rfind("{\"ts\":", 0), 0u) << line;
    ASSERT_EQ(line.back(), '}') << line;
    EXPECT_NE(line.find("\"level\":\""), std::string::npos) << line;
    saw_denied = saw_denied || line.find("wrong token") != std::string::npos;
    ++json_lines;
  }
  EXPECT_GT(json_lines, 0);
  EXPECT_TRUE(saw_denied);

  // An unknown setting is refused with its line number.
  {
    std::ofstream f(config, std::ios::app);
    f << "colour = blue\n";
  }
  auto bad = runProcess({OUTPOST_HUB_BINARY, "--config", config});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.out.find("hub.conf:6: unknown setting"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace outpost::test
