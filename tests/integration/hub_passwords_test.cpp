// Integration: password guessing against a real outpost-hub (issue 11, "passwords"). An account
// that failed its limit answers RESULT_RATE_LIMIT_EXCEEDED (84) at once — even to the right
// password — until its backoff ends, and unknown names answer exactly the same way; a source that
// guesses across many names is limited while another source logs on; one source holds at most its
// share of the password-check queue (its surplus is answered 84, another source's logon is checked
// meanwhile); and an account's usual address is not locked out by someone guessing elsewhere.
// Two sources on one machine: 127.0.0.1 and ::1, the hub listening on [::] (dual stack).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "hubrpc/framing.h"
#include "outpost/networking_sockets.h"
#include "outpost/user.h"
#include "support/process.h"

namespace outpost::test {
namespace {

using Clock = std::chrono::steady_clock;

bool ipv6LoopbackWorks() {
  int fd = ::socket(AF_INET6, SOCK_DGRAM, 0);
  if (fd < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// One pinned hub RPC connection sending UserLogOn requests, pipelined.
class LogonClient {
 public:
  LogonClient(const std::string& address, const std::string& key) {
    conn_ = net_.connectByIPAddress(address, {{NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY, key}});
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline) {
      net_.runNetworkingCallbacks();
      auto info = net_.getConnectionInfo(conn_);
      if (info && info->connection_state == CONNECTION_STATE_CONNECTED) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "no hub connection to " << address;
  }
  // Sends every (name, password) at once; returns each one's result, in order (-1: no answer).
  std::vector<int> logOns(const std::vector<std::pair<std::string, std::string>>& attempts, int limit_ms = 30000) {
    std::map<uint32_t, size_t> index;
    for (size_t i = 0; i < attempts.size(); ++i) {
      hubrpc::Envelope e;
      e.set_request_id(next_id_);
      index[next_id_++] = i;
      e.mutable_user_log_on()->set_name(attempts[i].first);
      e.mutable_user_log_on()->set_password(attempts[i].second);
      e.mutable_user_log_on()->set_app_id(480);
      auto bytes = hubrpc::encode(e);
      net_.sendMessageToConnection(conn_, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE);
    }
    std::vector<int> results(attempts.size(), -1);
    size_t answered = 0;
    auto deadline = Clock::now() + std::chrono::milliseconds(limit_ms);
    while (answered < attempts.size() && Clock::now() < deadline) {
      net_.runNetworkingCallbacks();
      for (auto& m : net_.receiveMessagesOnConnection(conn_, 64)) {
        auto e = hubrpc::decode(m.payload);
        if (!e || !e->has_user_log_on_result() || !index.count(e->request_id())) continue;
        results[index[e->request_id()]] = e->user_log_on_result().result();
        last_error_ = e->user_log_on_result().error();
        ++answered;
      }
      net_.waitForActivity(5);
    }
    return results;
  }
  int logOn(const std::string& name, const std::string& password) { return logOns({{name, password}})[0]; }
  const std::string& lastError() const { return last_error_; }

 private:
  NetworkingSockets net_;
  uint32_t conn_ = 0;
  uint32_t next_id_ = 1;
  std::string last_error_;
};

class HubPasswords : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = makeTempDir();
    dir_ = root_ + "/data";
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  // The hub on [::]:0 (both loopbacks reach it), with `extra` settings.
  void start(std::vector<std::string> extra) {
    hub_.include_defaults = false;
    hub_.extra_args = {"--data-dir", dir_, "--listen", dual_ ? "[::]:0" : "127.0.0.1:0", "--master", ""};
    hub_.extra_args.insert(hub_.extra_args.end(), extra.begin(), extra.end());
    ASSERT_TRUE(hub_.start(dir_)) << hub_.banner;
    port_ = hub_.address.substr(hub_.address.rfind(':') + 1);
    v4_ = "127.0.0.1:" + port_;
    v6_ = "[::1]:" + port_;
  }
  void user(const std::string& name) {
    std::string file = root_ + "/pw";
    std::ofstream(file) << name << "-password\n";
    auto r = runAdmin(v4_, dir_, {"user", "create", name, "--password-file", file});
    ASSERT_EQ(r.exit_code, 0) << r.out;
  }
  std::string status() { return runAdmin(v4_, dir_, {"status"}).out; }

  bool dual_ = true;
  std::string root_, dir_, port_, v4_, v6_;
  HubProcess hub_;
};

TEST_F(HubPasswords, AnAccountIsLimitedAfterItsFailuresAndUnknownNamesAlike) {
  dual_ = false;
  start({"--logon-failures-per-account", "3", "--logon-backoff-initial-ms", "1500", "--logon-failures-per-source",
         "100"});
  user("alice");
  LogonClient c(v4_, hub_.public_key);
  for (const char* name : {"alice", "nobody"}) {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(c.logOn(name, "guess-" + std::to_string(i)), RESULT_INVALID_PASSWORD) << name;
    // The limit is reached: refused at once, the right password too, the same for both names.
    EXPECT_EQ(c.logOn(name, std::string(name) + "-password"), RESULT_RATE_LIMIT_EXCEEDED) << name;
    EXPECT_NE(c.lastError().find("too many failed logons for this account; try again in "), std::string::npos)
        << c.lastError();
  }
  // After the backoff the owner gets in.
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  EXPECT_EQ(c.logOn("alice", "alice-password"), RESULT_OK);
  std::string s = status();
  EXPECT_NE(s.find("user_log_on.rate_limited_account 2"), std::string::npos) << s;
  EXPECT_NE(s.find("user_log_on.checked_failed 6"), std::string::npos) << s;
}

TEST_F(HubPasswords, AGuessingSourceIsLimitedWhileAnotherLogsOn) {
  if (!ipv6LoopbackWorks()) GTEST_SKIP() << "no IPv6 loopback here: one source only";
  start({"--logon-failures-per-source", "4", "--logon-backoff-initial-ms", "60000", "--password-check-workers", "2"});
  user("alice");
  LogonClient guesser(v4_, hub_.public_key);
  std::vector<std::pair<std::string, std::string>> guesses;
  for (int i = 0; i < 20; ++i) guesses.push_back({"victim" + std::to_string(i), "guess"});
  std::map<int, int> answers;
  for (int r : guesser.logOns(guesses)) answers[r]++;
  // Four failures reach the limit; checks already running then finish (two workers), and
  // everything else of the burst is refused without a check.
  EXPECT_GE(answers[RESULT_INVALID_PASSWORD], 4);
  EXPECT_LE(answers[RESULT_INVALID_PASSWORD], 6);
  EXPECT_EQ(answers[RESULT_INVALID_PASSWORD] + answers[RESULT_RATE_LIMIT_EXCEEDED], 20);
  EXPECT_EQ(guesser.logOn("alice", "alice-password"), RESULT_RATE_LIMIT_EXCEEDED);
  EXPECT_NE(guesser.lastError().find("from your address"), std::string::npos) << guesser.lastError();
  User player;  // the SDK, from the other source
  player.setHub(v6_, hub_.public_key);
  EXPECT_EQ(player.logOn("alice", "alice-password", 480), RESULT_OK);
  std::string st = status();
  EXPECT_EQ(st.find("user_log_on.rate_limited_source 0"), std::string::npos) << st;
}

TEST_F(HubPasswords, OneSourceHoldsOnlyItsShareOfTheCheckQueue) {
  if (!ipv6LoopbackWorks()) GTEST_SKIP() << "no IPv6 loopback here: one source only";
  start({"--password-checks-per-source", "2", "--password-check-workers", "1"});
  std::vector<std::pair<std::string, std::string>> burst;
  for (int i = 0; i < 10; ++i) {
    user("u" + std::to_string(i));
    burst.push_back({"u" + std::to_string(i), "u" + std::to_string(i) + "-password"});
  }
  user("alice");
  LogonClient flood(v4_, hub_.public_key);
  std::map<int, int> results;
  std::thread t([&] {
    for (int r : flood.logOns(burst)) results[r]++;
  });
  User player;
  player.setHub(v6_, hub_.public_key);
  EXPECT_EQ(player.logOn("alice", "alice-password", 480), RESULT_OK);
  t.join();
  EXPECT_EQ(results[RESULT_OK] + results[RESULT_RATE_LIMIT_EXCEEDED], 10) << "all answered";
  EXPECT_GE(results[RESULT_OK], 2);
  EXPECT_GE(results[RESULT_RATE_LIMIT_EXCEEDED], 1) << "the burst went past its share";
  EXPECT_NE(status().find("user_log_on.source_queue_full"), std::string::npos);
}

TEST_F(HubPasswords, AnAccountsUsualAddressIsNotLockedOutByGuessersElsewhere) {
  if (!ipv6LoopbackWorks()) GTEST_SKIP() << "no IPv6 loopback here: one source only";
  start({"--logon-failures-per-account", "3", "--logon-backoff-initial-ms", "60000"});
  user("alice");
  User player;
  player.setHub(v4_, hub_.public_key);
  ASSERT_EQ(player.logOn("alice", "alice-password", 480), RESULT_OK);  // her usual address
  player.logOff();
  LogonClient guesser(v6_, hub_.public_key);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(guesser.logOn("alice", "guess"), RESULT_INVALID_PASSWORD);
  EXPECT_EQ(guesser.logOn("alice", "alice-password"), RESULT_RATE_LIMIT_EXCEEDED);
  EXPECT_EQ(player.logOn("alice", "alice-password", 480), RESULT_OK);
}

}  // namespace
}  // namespace outpost::test
