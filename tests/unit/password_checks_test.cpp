// PasswordChecks: Argon2id logon checks on worker threads — the right password passes, a wrong
// one and an unknown user (checked against the dummy hash) fail, every submitted job comes back
// once with its connection and request id, and at most max_pending checks wait.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "crypto/crypto.h"
#include "hub/password_checks.h"

namespace outpost::hub {
namespace {

std::vector<PasswordChecks::Verdict> waitFor(PasswordChecks& c, size_t n) {
  std::vector<PasswordChecks::Verdict> all;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (all.size() < n && std::chrono::steady_clock::now() < deadline) {
    for (auto& v : c.takeVerdicts()) all.push_back(std::move(v));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return all;
}

PasswordChecks::Job job(uint32_t connection, const std::string& password, const std::string& hash) {
  PasswordChecks::Job j;
  j.connection = connection;
  j.request_id = connection * 10;
  j.request.set_name("user" + std::to_string(connection));
  j.request.set_password(password);
  j.password_hash = hash;
  return j;
}

TEST(PasswordChecks, RightWrongAndUnknownEachComeBackOnce) {
  std::string hash = crypto::hashPassword("correct horse");
  PasswordChecks checks(2, 16);
  ASSERT_TRUE(checks.submit(job(1, "correct horse", hash)));
  ASSERT_TRUE(checks.submit(job(2, "wrong horse", hash)));
  ASSERT_TRUE(checks.submit(job(3, "correct horse", "")));  // unknown user: never OK
  EXPECT_EQ(checks.outstanding(), 3u);
  auto verdicts = waitFor(checks, 3);
  ASSERT_EQ(verdicts.size(), 3u);
  std::map<uint32_t, bool> ok;
  for (const auto& v : verdicts) {
    EXPECT_EQ(v.job.request_id, v.job.connection * 10);
    ok[v.job.connection] = v.password_ok;
  }
  EXPECT_TRUE(ok.at(1));
  EXPECT_FALSE(ok.at(2));
  EXPECT_FALSE(ok.at(3));
  EXPECT_EQ(checks.outstanding(), 0u);
  EXPECT_TRUE(checks.takeVerdicts().empty());
}

TEST(PasswordChecks, AtMostMaxPendingWaitUntilTheirVerdictsAreTaken) {
  std::string hash = crypto::hashPassword("pw-pw-pw-pw");
  PasswordChecks checks(1, 2);
  EXPECT_TRUE(checks.submit(job(1, "pw-pw-pw-pw", hash)));
  EXPECT_TRUE(checks.submit(job(2, "pw-pw-pw-pw", hash)));
  EXPECT_FALSE(checks.submit(job(3, "pw-pw-pw-pw", hash)));  // the hub answers Busy
  auto verdicts = waitFor(checks, 2);
  EXPECT_EQ(verdicts.size(), 2u);
  EXPECT_TRUE(checks.submit(job(4, "pw-pw-pw-pw", hash)));  // room again once taken
  EXPECT_EQ(waitFor(checks, 1).size(), 1u);
}

}  // namespace
}  // namespace outpost::hub
