// Integration: revocation is live, against a real outpost-hub process and the real CLI. A game
// server logged on with a login token and listed on the master; then the operator revokes the
// token, bans its owner, or deletes the app: the server hears server_disconnected with the
// Result its next logon would get (Revoked 26, GSLTDenied 102, InvalidParam 8), stays off, and a
// real master query no longer lists it within a second of the CLI's answer.
#include <gtest/gtest.h>

#include "hub_fixture.h"
#include "outpost/steam_id.h"

namespace outpost::test {
namespace {

class HubRevocation : public HubTest {
 protected:
  // A listed token server; returns its query address. `sid` = its Steam ID.
  void startListed(HubProcess& hub, GameServer& gs, Observed& o, std::string* query_address, uint64_t* sid) {
    startHub(hub);
    std::string token = provision(hub, sid);
    o.attach(gs);
    uint16_t qport = freePort();
    init(gs, hub, SERVER_MODE_AUTHENTICATION_AND_SECURE, qport);
    gs.setAdvertiseServerActive(true);
    gs.logOn(token);
    ASSERT_TRUE(pump({&gs}, [&] { return o.connected == 1; }));
    *query_address = "127.0.0.1:" + std::to_string(qport);
    ASSERT_TRUE(pump({&gs}, [&] { return masterList(hub.master_address).count(*query_address) == 1; }));
  }
  // After the revoking command returned: the session ends with `result` and the master drops the
  // server within one second.
  void expectEndedAndDelisted(HubProcess& hub, GameServer& gs, Observed& o, const std::string& query_address,
                              int32_t result) {
    auto cli_done = Clock::now();
    bool delisted = false;
    while (Clock::now() - cli_done < std::chrono::seconds(1) && !delisted) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(1) - (Clock::now() - cli_done));
      auto list = masterReply(hub.master_address, "", static_cast<int>(std::max<long>(left.count(), 1)));
      delisted = list && list->count(query_address) == 0;  // an answer that no longer lists it
    }
    EXPECT_TRUE(delisted) << "still listed 1 s after the CLI answered";
    ASSERT_TRUE(pump(
        {&gs}, [&] { return !o.disconnects.empty(); }, 5000))
        << "no server_disconnected";
    EXPECT_EQ(o.disconnects[0], result);
    EXPECT_FALSE(gs.loggedOn());
    EXPECT_EQ(admin(hub, {"servers"}).find("server steam_id="), std::string::npos);
    // It does not come back by itself (the SDK does not retry a refusal).
    pump(
        {&gs}, [&] { return o.connected > 1; }, 1500);
    EXPECT_EQ(o.connected, 1);
  }
};

TEST_F(HubRevocation, RevokingTheTokenEndsTheSessionAtOnce) {
  HubProcess hub;
  GameServer gs;
  Observed o;
  std::string q;
  uint64_t sid = 0;
  ASSERT_NO_FATAL_FAILURE(startListed(hub, gs, o, &q, &sid));
  admin(hub, {"token", "revoke", std::to_string(steamid::accountId(sid))});
  expectEndedAndDelisted(hub, gs, o, q, RESULT_REVOKED);
}

TEST_F(HubRevocation, BanningTheTokensOwnerEndsTheSessionAtOnce) {
  HubProcess hub;
  GameServer gs;
  Observed o;
  std::string q;
  uint64_t sid = 0;
  ASSERT_NO_FATAL_FAILURE(startListed(hub, gs, o, &q, &sid));
  admin(hub, {"ban", "bob-does-not-exist", "480"}, 1);  // control: a failed command ends nothing
  admin(hub, {"ban", "owner", "730", "--publisher"});   // control: a ban from another app neither
  pump(
      {&gs}, [] { return false; }, 300);
  EXPECT_TRUE(o.disconnects.empty());
  EXPECT_EQ(masterList(hub.master_address).count(q), 1u);
  admin(hub, {"ban", "owner", "480", "--publisher"});
  expectEndedAndDelisted(hub, gs, o, q, RESULT_GSLT_DENIED);
}

TEST_F(HubRevocation, DeletingTheAppEndsItsSessionsAndRevokesItsTokens) {
  HubProcess hub;
  GameServer gs;
  Observed o;
  std::string q;
  uint64_t sid = 0;
  ASSERT_NO_FATAL_FAILURE(startListed(hub, gs, o, &q, &sid));
  admin(hub, {"app", "delete", "480"});
  expectEndedAndDelisted(hub, gs, o, q, RESULT_INVALID_PARAM);
  EXPECT_EQ(admin(hub, {"app", "list"}).find("app 480"), std::string::npos);
  admin(hub, {"app", "delete", "480"}, 1);  // gone already
  // Put back, the app does not bring the old token back.
  admin(hub, {"app", "put", "480", "Spacewar"});
  EXPECT_NE(admin(hub, {"token", "list", "480"}).find("revoked=1"), std::string::npos);
}

}  // namespace
}  // namespace outpost::test
