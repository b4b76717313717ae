// Integration: hostile and misdirected hub RPC, against a real outpost-hub process over a raw
// connection (no SDK in the way). Every refused request is answered with a Result
// (docs/spec/hub-rpc.md §2.1): every request from a connection that is not logged on, the
// server-only ones from a user's connection, other people's tickets, strings over the reference's
// limits or with control characters; a message that is not hub RPC is answered ParseFailure and
// the eighth closes the connection.
#include <gtest/gtest.h>

#include "hub_fixture.h"
#include "outpost/steam_id.h"
#include "outpost/user.h"
#include "raw_hub_connection.h"

namespace outpost::test {
namespace {

using hubrpc::Envelope;

class HubRpcRefusals : public HubTest {
 protected:
  void SetUp() override {
    HubTest::SetUp();
    startHub(hub_);
    uint64_t sid = 0;
    token_ = provision(hub_, &sid);
    admin(hub_, {"user", "create", "alice", "alice-password"});
    admin(hub_, {"licence", "grant", "alice", "480"});
  }
  // The answer to `e`, which must be a Refused with `result` for that request's body.
  void expectRefused(RawHubConnection& c, const Envelope& e, int32_t result) {
    auto r = c.call(e);
    ASSERT_TRUE(r) << "no answer to body " << e.body_case();
    ASSERT_TRUE(r->has_refused()) << r->DebugString();
    EXPECT_EQ(r->refused().result(), result) << r->refused().error();
    EXPECT_EQ(r->refused().request(), static_cast<uint32_t>(e.body_case()));
    EXPECT_FALSE(r->refused().error().empty());
  }
  // Every request only a logged-on game server may make.
  static std::vector<Envelope> serverOnlyRequests() {
    std::vector<Envelope> out(8);
    out[0].mutable_server_listing()->set_name("x");
    out[1].mutable_end_auth_session()->set_steam_id(steamid::individual(2));
    out[2].mutable_resume_auth_session()->set_steam_id(steamid::individual(2));
    out[3].mutable_group_status_request()->set_steam_id(steamid::individual(2));
    out[4].mutable_associate_clan()->set_clan_id(steamid::clan(1));
    out[5].mutable_player_compat_request()->set_steam_id(steamid::individual(2));
    out[6].mutable_gameplay_stats_request();
    out[7].mutable_cancel_ticket()->set_ticket_id(12345);
    return out;
  }
  // The typed answers carry the result: NotLoggedOn for the server-only ones.
  void expectNotLoggedOn(RawHubConnection& c, const Envelope& e) {
    switch (e.body_case()) {
      case Envelope::kGroupStatusRequest: {
        auto r = c.call(e);
        ASSERT_TRUE(r && r->has_group_status_result());
        EXPECT_EQ(r->group_status_result().result(), RESULT_NOT_LOGGED_ON);
        EXPECT_FALSE(r->group_status_result().member());
        return;
      }
      case Envelope::kAssociateClan: {
        auto r = c.call(e);
        ASSERT_TRUE(r && r->has_associate_clan_result());
        EXPECT_EQ(r->associate_clan_result().result(), RESULT_NOT_LOGGED_ON);
        return;
      }
      case Envelope::kPlayerCompatRequest: {
        auto r = c.call(e);
        ASSERT_TRUE(r && r->has_player_compat_result());
        EXPECT_EQ(r->player_compat_result().result(), RESULT_NOT_LOGGED_ON);
        return;
      }
      case Envelope::kGameplayStatsRequest: {
        auto r = c.call(e);
        ASSERT_TRUE(r && r->has_gameplay_stats_result());
        EXPECT_EQ(r->gameplay_stats_result().result(), RESULT_NOT_LOGGED_ON);
        return;
      }
      case Envelope::kCancelTicket: return expectRefused(c, e, RESULT_NOT_LOGGED_ON);
      default: return expectRefused(c, e, RESULT_NOT_LOGGED_ON);
    }
  }
  HubProcess hub_;
  std::string token_;
};

TEST_F(HubRpcRefusals, EveryRequestFromAConnectionThatIsNotLoggedOnIsAnswered) {
  RawHubConnection c;
  ASSERT_TRUE(c.connect(hub_.address, hub_.public_key));
  for (const Envelope& e : serverOnlyRequests()) ASSERT_NO_FATAL_FAILURE(expectNotLoggedOn(c, e)) << e.body_case();
  Envelope t;
  t.mutable_ticket_request();
  auto r = c.call(t);
  ASSERT_TRUE(r && r->has_ticket_result());
  EXPECT_EQ(r->ticket_result().result(), RESULT_NOT_LOGGED_ON);
  Envelope v;
  v.mutable_validate_ticket()->set_steam_id(steamid::individual(2));
  r = c.call(v);
  ASSERT_TRUE(r && r->has_auth_session_update());
  EXPECT_EQ(r->auth_session_update().response(), AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
  Envelope a;
  a.mutable_admin_request()->mutable_status();  // no admin token
  r = c.call(a);
  ASSERT_TRUE(r && r->has_admin_response());
  EXPECT_EQ(r->admin_response().result(), RESULT_ACCESS_DENIED);
  // Bodies only the hub sends, and an envelope with no body (as from a newer client).
  Envelope answer;
  answer.mutable_ticket_result()->set_result(RESULT_OK);
  expectRefused(c, answer, RESULT_INVALID_PARAM);
  Envelope push;
  push.mutable_server_logged_off();
  expectRefused(c, push, RESULT_INVALID_PARAM);
  expectRefused(c, Envelope(), RESULT_INVALID_PROTOCOL_VER);
  EXPECT_TRUE(c.connected());
}

TEST_F(HubRpcRefusals, ServerRequestsFromAUsersConnectionAreAnsweredNotLoggedOn) {
  RawHubConnection c;
  ASSERT_TRUE(c.connect(hub_.address, hub_.public_key));
  Envelope logon;
  logon.mutable_user_log_on()->set_name("alice");
  logon.mutable_user_log_on()->set_password("alice-password");
  logon.mutable_user_log_on()->set_app_id(480);
  auto r = c.call(logon, 10000);
  ASSERT_TRUE(r && r->has_user_log_on_result());
  ASSERT_EQ(r->user_log_on_result().result(), RESULT_OK);
  auto requests = serverOnlyRequests();
  requests.pop_back();  // a user may cancel tickets: their own only
  for (const Envelope& e : requests) ASSERT_NO_FATAL_FAILURE(expectNotLoggedOn(c, e)) << e.body_case();
  Envelope cancel;
  cancel.mutable_cancel_ticket()->set_ticket_id(12345);  // not hers
  expectRefused(c, cancel, RESULT_INVALID_PARAM);
  Envelope t;
  t.mutable_ticket_request();
  r = c.call(t);
  ASSERT_TRUE(r && r->has_ticket_result());
  ASSERT_EQ(r->ticket_result().result(), RESULT_OK);  // control: the user's own request works
  cancel.mutable_cancel_ticket()->set_ticket_id(r->ticket_result().ticket_id());
  c.send(cancel);  // accepted: no answer; the next request's answer comes first
  r = c.call(t);
  ASSERT_TRUE(r && r->has_ticket_result());
  EXPECT_FALSE(c.waitFor([](const Envelope& e) { return e.has_refused(); }, 200));
}

TEST_F(HubRpcRefusals, AServerIsRefusedOtherPeoplesTicketsAndBadStrings) {
  RawHubConnection s;
  ASSERT_TRUE(s.connect(hub_.address, hub_.public_key));
  Envelope logon;
  auto* l = logon.mutable_server_log_on();
  l->set_token(token_);
  l->set_app_id(480);
  l->set_server_mode(SERVER_MODE_AUTHENTICATION);
  l->set_game_port(27015);
  l->set_description(std::string("line\nforged"));
  auto r = s.call(logon);
  ASSERT_TRUE(r && r->has_server_log_on_result());
  EXPECT_EQ(r->server_log_on_result().result(), RESULT_INVALID_PARAM);
  EXPECT_NE(r->server_log_on_result().error().find("description"), std::string::npos);
  l->set_description(std::string(MAX_GAME_SERVER_GAME_DESCRIPTION, 'd'));  // one byte over (the NUL)
  r = s.call(logon);
  ASSERT_TRUE(r && r->has_server_log_on_result());
  EXPECT_EQ(r->server_log_on_result().result(), RESULT_INVALID_PARAM);
  l->set_description(std::string(MAX_GAME_SERVER_GAME_DESCRIPTION - 1, 'd'));
  r = s.call(logon);
  ASSERT_TRUE(r && r->has_server_log_on_result());
  ASSERT_EQ(r->server_log_on_result().result(), RESULT_OK);

  // A user's ticket is not the server's to cancel; a ticket it never redeemed is not its to resume.
  User alice;
  alice.setHub(hub_.address, hub_.public_key);
  ASSERT_EQ(alice.logOn("alice", "alice-password", 480), RESULT_OK);
  AuthTicket t = alice.getAuthSessionTicket();
  ASSERT_EQ(t.result, RESULT_OK);
  Envelope resume;
  resume.mutable_resume_auth_session()->set_ticket(t.buffer.data(), t.buffer.size());
  resume.mutable_resume_auth_session()->set_steam_id(steamid::individual(2));
  expectRefused(s, resume, RESULT_ACCESS_DENIED);
  Envelope cancel;
  cancel.mutable_cancel_ticket()->set_ticket_id(0x1234);
  expectRefused(s, cancel, RESULT_INVALID_PARAM);

  // Listings: each field over its limit, with a control character, or not UTF-8, is refused and
  // nothing of it is applied.
  Envelope good;
  good.mutable_server_listing()->set_name("Good name");
  good.mutable_server_listing()->set_map("de_dust");
  s.send(good);
  std::vector<Envelope> bad(6, good);
  bad[0].mutable_server_listing()->set_name(std::string(MAX_GAME_SERVER_SERVER_NAME, 'n'));
  bad[1].mutable_server_listing()->set_name("a\nserver steam_id=1 address=6.6.6.6:1");
  bad[2].mutable_server_listing()->set_map(std::string("de_\x1b[31mred"));
  bad[3].mutable_server_listing()->set_tags(std::string("t\xc2\x9b"));  // C1 CSI
  bad[4].mutable_server_listing()->set_gamedata(std::string(MAX_GAME_SERVER_GAME_DATA, 'g'));
  bad[5].mutable_server_listing()->set_max_players(70000);
  for (const auto& e : bad) expectRefused(s, e, RESULT_INVALID_PARAM);
  std::string servers = admin(hub_, {"servers"});
  EXPECT_NE(servers.find("name=\"Good name\" map=de_dust "), std::string::npos) << servers;
  EXPECT_EQ(std::count(servers.begin(), servers.end(), '\n'), 2) << servers;  // "ok" and one server line
}

TEST_F(HubRpcRefusals, MalformedMessagesAreAnsweredAndTheEighthClosesTheConnection) {
  RawHubConnection c;
  ASSERT_TRUE(c.connect(hub_.address, hub_.public_key));
  const std::vector<uint8_t> garbage = {0xFF, 0xFF, 0xFF, 0xFF, 0x07};  // not a protobuf message
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(c.sendBytes(garbage));
    auto r = c.waitFor([](const Envelope& e) { return e.has_refused(); });
    ASSERT_TRUE(r) << "no answer to malformed message " << i;
    EXPECT_EQ(r->request_id(), 0u);
    EXPECT_EQ(r->refused().result(), RESULT_PARSE_FAILURE);
    EXPECT_EQ(r->refused().request(), 0u);
  }
  // Control: the connection still works after seven.
  Envelope t;
  t.mutable_ticket_request();
  auto ok = c.call(t);
  ASSERT_TRUE(ok && ok->has_ticket_result());
  ASSERT_TRUE(c.sendBytes(garbage));
  EXPECT_TRUE(c.waitFor([](const Envelope& e) { return e.has_refused(); }));  // answered, then closed
  EXPECT_TRUE(c.closedByHub());
  std::string status = admin(hub_, {"status"});
  EXPECT_NE(status.find("rpc.malformed 8\n"), std::string::npos) << status;
  EXPECT_NE(status.find("rpc.malformed_closed 1\n"), std::string::npos) << status;
}

}  // namespace
}  // namespace outpost::test
