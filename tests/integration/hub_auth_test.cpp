// Integration: player authentication end to end against a real outpost-hub process — a User
// logs on and gets a hub-signed ticket, a GameServer checks it offline (beginAuthSession) and
// gets the hub's verdict (validate_auth_ticket_response), and later changes are pushed: a
// cancelled ticket, a logoff, a logon elsewhere, a ban (with client_kick). Every
// BeginAuthSessionResult and AuthSessionResponse the hub can produce is asserted.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "crypto/crypto.h"
#include "outpost/game_server.h"
#include "outpost/steam_id.h"
#include "outpost/user.h"
#include "support/process.h"
#include "support/raw_socket.h"
#include "ticket/ticket.h"

namespace outpost::test {
namespace {

using Clock = std::chrono::steady_clock;

struct Server {
  GameServer gs;
  std::vector<ValidateAuthTicketResponse> verdicts;
  std::vector<ClientKick> kicks;
  int connected = 0;
  Server() {
    gs.connect_server_connected([this] { ++connected; });
    gs.connect_validate_auth_ticket_response([this](const ValidateAuthTicketResponse& v) { verdicts.push_back(v); });
    gs.connect_client_kick([this](const ClientKick& k) { kicks.push_back(k); });
  }
  // Waits for the next verdict about `user` and returns its response (-1 if none came).
  int verdictFor(uint64_t user, int limit_ms = 10000) {
    auto deadline = Clock::now() + std::chrono::milliseconds(limit_ms);
    while (Clock::now() < deadline) {
      gs.run_callbacks();
      for (size_t i = 0; i < verdicts.size(); ++i)
        if (verdicts[i].auth_id == user) {
          int r = verdicts[i].response;
          verdicts.erase(verdicts.begin() + static_cast<long>(i));
          return r;
        }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return -1;
  }
};

class HubAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("OUTPOST_APP_ID", "480", 1);
    dir_ = makeTempDir() + "/data";
    ASSERT_TRUE(hub_.start(dir_)) << hub_.banner;
    admin({"app", "put", "480", "Spacewar"});
    admin({"app", "put", "730", "Other game"});
    for (const char* name : {"alice", "bob", "carol", "owner"})
      admin({"user", "create", name, std::string(name) + "-password"});
    admin({"licence", "grant", "alice", "480"});
    admin({"licence", "grant", "alice", "1001"});  // a DLC
    admin({"licence", "grant", "bob", "480", "--borrowed-from", "alice"});
    alice_ = steamid::individual(1);
    bob_ = steamid::individual(2);
    carol_ = steamid::individual(3);
    std::string out = admin({"token", "create", "480", "owner"});
    token_ = out.substr(out.find("token=") + 6, 48);
    out = admin({"token", "create", "480", "owner"});
    token2_ = out.substr(out.find("token=") + 6, 48);
  }
  void TearDown() override { std::filesystem::remove_all(std::filesystem::path(dir_).parent_path()); }

  std::string admin(const std::vector<std::string>& words) {
    auto r = runAdmin(hub_.address, dir_, words);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return r.out;
  }
  void logOnServer(Server& s, const std::string& token) {
    s.gs.setHub(hub_.address, hub_.public_key);
    ASSERT_TRUE(s.gs.serverInit("0.0.0.0", 27015, 0, SERVER_MODE_AUTHENTICATION_AND_SECURE, "1.0.0.0"));  // no A2S
    s.gs.logOn(token);
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline && s.connected == 0) {
      s.gs.run_callbacks();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(s.connected, 1);
  }
  void logOnUser(User& u, const std::string& name) {
    u.setHub(hub_.address, hub_.public_key);
    ASSERT_EQ(u.logOn(name, name + "-password", 480), RESULT_OK);
  }

  std::string dir_, token_, token2_;
  HubProcess hub_;
  uint64_t alice_ = 0, bob_ = 0, carol_ = 0;
};

TEST_F(HubAuth, ValidTicketLicencesDuplicatesAndEnd) {
  Server s;
  logOnServer(s, token_);
  User alice;
  logOnUser(alice, "alice");
  EXPECT_EQ(alice.getSteamID(), alice_);
  User wrong;
  wrong.setHub(hub_.address, hub_.public_key);
  EXPECT_EQ(wrong.logOn("alice", "not her password", 480), RESULT_INVALID_PASSWORD);
  EXPECT_EQ(wrong.logOn("nobody", "whatever-password", 480), RESULT_INVALID_PASSWORD);

  AuthTicket t = alice.getAuthSessionTicket();
  ASSERT_NE(t.id, 0u);
  EXPECT_EQ(t.size, t.buffer.size());
  EXPECT_LE(t.size, 1024u);
  EXPECT_EQ(s.gs.userHasLicenseForApp(alice_, 480), USER_HAS_LICENSE_RESULT_NO_AUTH);
  EXPECT_EQ(s.gs.beginAuthSession(t.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(s.gs.beginAuthSession(t.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST);
  EXPECT_EQ(s.verdictFor(alice_), AUTH_SESSION_RESPONSE_OK);
  EXPECT_EQ(s.gs.userHasLicenseForApp(alice_, 1001), USER_HAS_LICENSE_RESULT_HAS_LICENSE);
  EXPECT_EQ(s.gs.userHasLicenceForApp(alice_, 9999), USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE);
  s.gs.endAuthSession(alice_);
  EXPECT_EQ(s.gs.userHasLicenseForApp(alice_, 480), USER_HAS_LICENSE_RESULT_NO_AUTH);

  // A borrowed licence: the verdict names the lender as the owner.
  User bob;
  logOnUser(bob, "bob");
  AuthTicket tb = bob.getAuthSessionTicket();
  EXPECT_EQ(s.gs.beginAuthSession(tb.buffer, bob_), BEGIN_AUTH_SESSION_RESULT_OK);
  s.gs.run_callbacks();
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline && s.verdicts.empty()) {
    s.gs.run_callbacks();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(s.verdicts.size(), 1u);
  EXPECT_EQ(s.verdicts[0].response, AUTH_SESSION_RESPONSE_OK);
  EXPECT_EQ(s.verdicts[0].owner_id, alice_);
}

TEST_F(HubAuth, OfflineChecksForgedAlteredWrongUserWrongAppExpired) {
  Server s;
  logOnServer(s, token_);
  User alice;
  logOnUser(alice, "alice");
  AuthTicket t = alice.getAuthSessionTicket();
  auto altered = t.buffer;
  altered[altered.size() / 2] ^= 0x01;
  EXPECT_EQ(s.gs.beginAuthSession(altered, alice_), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(s.gs.beginAuthSession(t.buffer, bob_), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);  // not bob's
  // A ticket signed by another key (a forged hub).
  ticket::Claims forged;
  forged.steam_id = alice_;
  forged.owner_steam_id = alice_;
  forged.app_id = 480;
  forged.issued_at = std::time(nullptr);
  forged.expires_at = forged.issued_at + 3600;
  auto other_key = crypto::IdentityKeyPair::generate();
  auto fake = ticket::issueTicket(forged, other_key);
  ASSERT_TRUE(fake);
  EXPECT_EQ(s.gs.beginAuthSession(fake.value().bytes, alice_), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  // Expired: a genuine hub signature (the key from the data directory) on an expired ticket.
  std::ifstream key_file(dir_ + "/hub.key");
  std::string key_hex;
  key_file >> key_hex;
  std::array<uint8_t, 64> sk{};
  ASSERT_TRUE(crypto::fromHex(key_hex, sk));
  crypto::IdentityKeyPair hub_key;
  ASSERT_TRUE(crypto::identityFromSecretKey(sk, hub_key));
  ticket::Claims old = forged;
  old.issued_at -= 7200;
  old.expires_at = old.issued_at + 60;
  auto expired = ticket::issueTicket(old, hub_key);
  ASSERT_TRUE(expired);
  EXPECT_EQ(s.gs.beginAuthSession(expired.value().bytes, alice_), BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET);
  // Another game's server: GameMismatch.
  setenv("OUTPOST_APP_ID", "730", 1);
  GameServer other;
  other.setHub(hub_.address, hub_.public_key);
  ASSERT_TRUE(other.serverInit("0.0.0.0", 27017, 0, SERVER_MODE_AUTHENTICATION, "1.0.0.0"));
  setenv("OUTPOST_APP_ID", "480", 1);
  EXPECT_EQ(other.beginAuthSession(t.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH);
  // Nothing of the above reached the hub as a session.
  EXPECT_EQ(s.verdictFor(alice_, 300), -1);
}

TEST_F(HubAuth, CancelReuseLogoffElsewhereAndIdentity) {
  Server s1, s2;
  logOnServer(s1, token_);
  logOnServer(s2, token2_);
  User alice;
  logOnUser(alice, "alice");

  // Cancelled after a successful validation: the server is told.
  AuthTicket t = alice.getAuthSessionTicket();
  ASSERT_EQ(s1.gs.beginAuthSession(t.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(s1.verdictFor(alice_), AUTH_SESSION_RESPONSE_OK);
  alice.cancelAuthTicket(t.id);
  EXPECT_EQ(s1.verdictFor(alice_), AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED);

  // The same ticket on a second server: already used.
  AuthTicket t2 = alice.getAuthSessionTicket();
  ASSERT_EQ(s1.gs.beginAuthSession(t2.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(s1.verdictFor(alice_), AUTH_SESSION_RESPONSE_OK);
  ASSERT_EQ(s2.gs.beginAuthSession(t2.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(s2.verdictFor(alice_), AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED);

  // Bound to another server's identity: refused; bound to this server's: accepted.
  AuthTicket bound_other = alice.getAuthSessionTicket("steamid:" + std::to_string(s1.gs.getServerSteamID()));
  ASSERT_EQ(s2.gs.beginAuthSession(bound_other.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(s2.verdictFor(alice_), AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE);
  AuthTicket bound_here = alice.getAuthSessionTicket(s2.gs.getServerSteamID());  // the reference's form
  ASSERT_EQ(s2.gs.beginAuthSession(bound_here.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(s2.verdictFor(alice_), AUTH_SESSION_RESPONSE_OK);
  AuthTicket bound_ip = alice.getAuthSessionTicket("127.0.0.1:27015");  // the servers' game address
  s2.gs.endAuthSession(alice_);
  ASSERT_EQ(s2.gs.beginAuthSession(bound_ip.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(s2.verdictFor(alice_), AUTH_SESSION_RESPONSE_OK);

  // Alice logs on somewhere else: sessions from her earlier logon are told.
  User alice_again;
  logOnUser(alice_again, "alice");
  EXPECT_EQ(s1.verdictFor(alice_), AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE);
  EXPECT_EQ(s2.verdictFor(alice_), AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE);
  // An old ticket from before that logon is no good either.
  s1.gs.endAuthSession(alice_);
  AuthTicket stale = alice.getAuthSessionTicket();  // her first session is no longer current
  EXPECT_EQ(stale.id, 0u);

  // She logs off: servers holding her session hear UserNotConnectedToSteam.
  AuthTicket t3 = alice_again.getAuthSessionTicket();
  ASSERT_EQ(s1.gs.beginAuthSession(t3.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(s1.verdictFor(alice_), AUTH_SESSION_RESPONSE_OK);
  alice_again.logOff();
  EXPECT_EQ(s1.verdictFor(alice_), AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM);
}

TEST_F(HubAuth, LicencesAndBans) {
  Server s;
  logOnServer(s, token_);
  User carol, bob, alice;
  logOnUser(carol, "carol");
  // No licence: no ticket (AccessDenied); an expired one: Expired.
  AuthTicket none = carol.getAuthSessionTicket();
  EXPECT_EQ(none.id, 0u);
  EXPECT_EQ(none.result, RESULT_ACCESS_DENIED);
  admin({"licence", "grant", "carol", "480", "--expires", "1"});
  EXPECT_EQ(carol.getAuthSessionTicket().result, RESULT_EXPIRED);
  // A licence revoked after the ticket was signed: the hub's verdict is NoLicenseOrExpired.
  admin({"licence", "grant", "carol", "480"});
  AuthTicket tc = carol.getAuthSessionTicket();
  ASSERT_EQ(tc.result, RESULT_OK);
  admin({"licence", "revoke", "carol", "480"});
  ASSERT_EQ(s.gs.beginAuthSession(tc.buffer, carol_), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(s.verdictFor(carol_), AUTH_SESSION_RESPONSE_NO_LICENSE_OR_EXPIRED);

  admin({"ban", "bob", "480", "--publisher", "--reason", "griefing"});
  logOnUser(bob, "bob");
  AuthTicket tb = bob.getAuthSessionTicket();
  ASSERT_EQ(s.gs.beginAuthSession(tb.buffer, bob_), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(s.verdictFor(bob_), AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN);

  // Banned in the middle of a session: the verdict changes and the server is asked to kick.
  logOnUser(alice, "alice");
  AuthTicket ta = alice.getAuthSessionTicket();
  ASSERT_EQ(s.gs.beginAuthSession(ta.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(s.verdictFor(alice_), AUTH_SESSION_RESPONSE_OK);
  admin({"ban", "alice", "480", "--vac"});
  EXPECT_EQ(s.verdictFor(alice_), AUTH_SESSION_RESPONSE_VAC_BANNED);
  ASSERT_EQ(s.kicks.size(), 1u);
  EXPECT_EQ(s.kicks[0].steam_id, alice_);
  EXPECT_EQ(s.kicks[0].deny_reason, DENY_CHEATER);
}

TEST_F(HubAuth, GroupsClansCompatibilityAndGameplayStats) {
  admin({"group", "create", "The Clan"});  // [g:1:1]
  const uint64_t clan = steamid::clan(1);
  admin({"group", "member", std::to_string(clan), "alice", "--officer"});
  admin({"group", "member", "1", "bob"});  // a bare clan account id works too
  admin({"block", "alice", "carol"});      // alice does not want to play with carol
  admin({"block", "carol", "bob"});        // carol does not want to play with bob
  admin({"licence", "grant", "carol", "480"});

  Server s;
  std::vector<ClientGroupStatus> groups;
  std::vector<int32_t> clans;
  std::vector<PlayerCompat> compat;
  std::vector<GameplayStats> stats;
  s.gs.connect_client_group_status([&](const ClientGroupStatus& g) { groups.push_back(g); });
  s.gs.connect_associate_clan([&](int32_t r) { clans.push_back(r); });
  s.gs.connect_player_compat([&](const PlayerCompat& c) { compat.push_back(c); });
  s.gs.connect_gameplay_stats([&](const GameplayStats& g) { stats.push_back(g); });
  EXPECT_FALSE(s.gs.requestUserGroupStatus(alice_, clan));  // not logged on yet: cannot ask
  logOnServer(s, token_);
  auto pumpFor = [&](auto done) {
    auto deadline = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < deadline && !done()) {
      s.gs.run_callbacks();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return done();
  };

  // Alice and bob are playing (authenticated) on this server; carol has just presented her
  // ticket (the hub answers group and compatibility requests only about players in session).
  User alice, bob, carol;
  logOnUser(alice, "alice");
  logOnUser(bob, "bob");
  logOnUser(carol, "carol");
  ASSERT_EQ(s.gs.beginAuthSession(alice.getAuthSessionTicket().buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(s.gs.beginAuthSession(bob.getAuthSessionTicket().buffer, bob_), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(s.gs.beginAuthSession(carol.getAuthSessionTicket().buffer, carol_), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(s.verdictFor(alice_), AUTH_SESSION_RESPONSE_OK);
  ASSERT_EQ(s.verdictFor(bob_), AUTH_SESSION_RESPONSE_OK);
  ASSERT_EQ(s.verdictFor(carol_), AUTH_SESSION_RESPONSE_OK);

  ASSERT_TRUE(s.gs.requestUserGroupStatus(alice_, clan));
  ASSERT_TRUE(s.gs.requestUserGroupStatus(bob_, 1));
  ASSERT_TRUE(s.gs.requestUserGroupStatus(carol_, clan));
  ASSERT_TRUE(pumpFor([&] { return groups.size() == 3; }));
  EXPECT_TRUE(groups[0].member && groups[0].officer);
  EXPECT_EQ(groups[1].group_id, clan);  // answered with the full clan id
  EXPECT_TRUE(groups[1].member);
  EXPECT_FALSE(groups[1].officer);
  EXPECT_FALSE(groups[2].member);

  // A clan the server's token owner belongs to.
  admin({"group", "member", "1", "owner"});
  s.gs.associateWithClan(steamid::clan(999));
  s.gs.associateWithClan(clan);
  ASSERT_TRUE(pumpFor([&] { return clans.size() == 2; }));
  EXPECT_EQ(clans[0], RESULT_FAIL);
  EXPECT_EQ(clans[1], RESULT_OK);

  s.gs.computeNewPlayerCompatibility(carol_);
  ASSERT_TRUE(pumpFor([&] { return compat.size() == 1; }));
  EXPECT_EQ(compat[0].result, RESULT_OK);
  EXPECT_EQ(compat[0].steam_id, carol_);
  EXPECT_EQ(compat[0].players_dont_like_candidate, 1);       // alice blocks carol
  EXPECT_EQ(compat[0].players_candidate_doesnt_like, 1);     // carol blocks bob
  EXPECT_EQ(compat[0].clan_players_dont_like_candidate, 1);  // alice is in the clan

  // Minutes played follow the hub's clock: HubClock.GameplayStatsCountMinutesAndRankFromZero
  // (hub_clock_test.cpp) drives it.
  s.gs.endAuthSession(bob_);
  s.gs.getGameplayStats();
  ASSERT_TRUE(pumpFor([&] { return stats.size() == 1; }));
  EXPECT_EQ(stats[0].result, RESULT_OK);
  EXPECT_EQ(stats[0].total_connects, 3u);
  EXPECT_EQ(stats[0].rank, 0);  // 0-based: the only server of the app, so the first
}

}  // namespace
}  // namespace outpost::test

namespace outpost::test {
namespace {

TEST_F(HubAuth, SigkillDuringTicketTrafficKeepsAcknowledgedRedemptions) {
  // Validations acknowledged before the hub is killed stay recorded: after a restart, the same
  // tickets presented to another server are refused as already used.
  uint16_t port = 0;
  {
    RawSocket probe;
    port = probe.port;
  }
  hub_.stop(SIGTERM);
  HubProcess hub;
  hub.extra_args = {"--listen", "127.0.0.1:" + std::to_string(port)};
  ASSERT_TRUE(hub.start(dir_)) << hub.banner;
  hub_.address = hub.address;
  hub_.public_key = hub.public_key;
  Server a;
  logOnServer(a, token_);
  User alice;
  logOnUser(alice, "alice");
  std::vector<std::vector<uint8_t>> acknowledged;
  for (int i = 0; i < 20; ++i) {
    AuthTicket t = alice.getAuthSessionTicket();
    ASSERT_EQ(a.gs.beginAuthSession(t.buffer, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
    if (a.verdictFor(alice_) == AUTH_SESSION_RESPONSE_OK) acknowledged.push_back(t.buffer);
    a.gs.endAuthSession(alice_);
  }
  // One more in flight while the hub dies.
  AuthTicket last = alice.getAuthSessionTicket();
  a.gs.beginAuthSession(last.buffer, alice_);
  EXPECT_EQ(hub.stop(SIGKILL), 128 + SIGKILL);
  ASSERT_EQ(acknowledged.size(), 20u);

  HubProcess restarted;
  restarted.extra_args = {"--listen", "127.0.0.1:" + std::to_string(port)};
  ASSERT_TRUE(restarted.start(dir_)) << restarted.banner;
  hub_.address = restarted.address;
  Server b;
  logOnServer(b, token2_);
  for (const auto& t : acknowledged) {
    ASSERT_EQ(b.gs.beginAuthSession(t, alice_), BEGIN_AUTH_SESSION_RESULT_OK);
    EXPECT_EQ(b.verdictFor(alice_), AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED);
  }
  EXPECT_EQ(restarted.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace outpost::test
