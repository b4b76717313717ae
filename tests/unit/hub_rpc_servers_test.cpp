// The hub's game-server session family (src/hub/hub_rpc_servers.cpp) on a detached hub with a
// real SQLite store and a ManualHubClock: a login token unused for longer than
// --token-idle-expiry is refused (GSLTExpired), one used within it is not, and each logon counts
// as a use; a second logon with the same token replaces the first session.
#include "hub_detached.h"

namespace outpost::test {
namespace {

using HubRpcServers = DetachedHub;

TEST_F(HubRpcServers, LoginTokenExpiresAfterIdleTimeOnTheHubClock) {
  config.token_idle_expiry_s = 3600;
  open();
  provision("owner");
  std::string token = createToken("owner");
  ASSERT_FALSE(token.empty());
  ASSERT_EQ(serverLogOn(1, token).result(), RESULT_OK);
  hub->disconnect(1);
  clock.advance(3600);  // exactly the idle expiry: still good, and this logon is a use
  ASSERT_EQ(serverLogOn(2, token).result(), RESULT_OK);
  hub->disconnect(2);
  clock.advance(3601);  // unused for longer than the expiry
  auto refused = serverLogOn(3, token);
  EXPECT_EQ(refused.result(), RESULT_GSLT_EXPIRED) << refused.error();
  EXPECT_EQ(counter("server_log_on_refused"), 1u);
  EXPECT_EQ(counter("rpc.server_log_on"), 3u);
}

TEST_F(HubRpcServers, SameTokenFromAnotherConnectionReplacesTheSession) {
  open();
  provision("owner");
  std::string token = createToken("owner");
  ASSERT_EQ(serverLogOn(1, token).result(), RESULT_OK);
  ASSERT_EQ(serverLogOn(2, token).result(), RESULT_OK);
  bool told = false;
  for (const auto& s : link.sent)
    told = told || (s.connection == 1 && s.envelope.has_server_logged_off() &&
                    s.envelope.server_logged_off().result() == RESULT_LOG_ON_SESSION_REPLACED);
  EXPECT_TRUE(told) << "the replaced session is told ServerLoggedOff{LogOnSessionReplaced}";
  EXPECT_EQ(counter("server_sessions_replaced"), 1u);
  EXPECT_EQ(counter("game_servers.sessions"), 1u);
  EXPECT_TRUE(link.trusted.count(2)) << "a login token trusts the connection";
}

TEST_F(HubRpcServers, AnonymousServerIsNotTrusted) {
  open();
  provision();
  ASSERT_EQ(serverLogOn(1).result(), RESULT_OK);
  EXPECT_FALSE(link.trusted.count(1));
  EXPECT_EQ(counter("game_servers.sessions"), 1u);
}

}  // namespace
}  // namespace outpost::test
