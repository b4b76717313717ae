// AuthSessions (src/server/auth_sessions.h) without a hub: a fake hub link records what would be
// sent on the hub connection and plays the server's identity; a recorder keeps what the sessions
// report back. Tickets are real, signed by a fixed test hub key; the wall clock is manual.
#include "server/auth_sessions.h"

#include <gtest/gtest.h>

#include <vector>

#include "crypto/crypto.h"
#include "outpost/steam_id.h"
#include "ticket/ticket.h"

using namespace outpost;
using outpost::server::AuthHubLink;
using outpost::server::AuthReports;
using outpost::server::AuthSessions;

namespace {

constexpr int64_t kNowUnixS = 1'800'000'000;
constexpr uint32_t kApp = 480;
const uint64_t kServer = steamid::gameServer(77);
const uint64_t kAlice = steamid::individual(1001);
const uint64_t kBob = steamid::individual(1002);
const uint64_t kOwner = steamid::individual(1003);

crypto::IdentityKeyPair hubKey(uint8_t seed_byte = 7) {
  std::array<uint8_t, 32> seed{};
  seed.fill(seed_byte);
  return ticket::keyPairFromSeed(seed);
}

class FakeHubLink : public AuthHubLink {
 public:
  Identity me;
  uint32_t next_id = 100;
  std::vector<hubrpc::Envelope> sent;
  int sends_while_logged_off = 0;
  Identity identity() const override { return me; }
  uint32_t nextRequestId() override { return ++next_id; }
  void send(const hubrpc::Envelope& e) override {
    if (!me.logged_on) ++sends_while_logged_off;
    sent.push_back(e);
  }
};

class Recorder : public AuthReports {
 public:
  std::vector<std::pair<uint64_t, bool>> verdicts;
  std::vector<ValidateAuthTicketResponse> validate;
  std::vector<ClientApproved> approved;
  std::vector<ClientDenied> denied;
  std::vector<ClientKick> kicks;
  void playerVerdict(uint64_t steam_id, bool accepted) override { verdicts.push_back({steam_id, accepted}); }
  void validateAuthTicketResponse(const ValidateAuthTicketResponse& v) override { validate.push_back(v); }
  void clientApproved(const ClientApproved& a) override { approved.push_back(a); }
  void clientDenied(const ClientDenied& d) override { denied.push_back(d); }
  void clientKick(const ClientKick& k) override { kicks.push_back(k); }
  size_t signals() const { return validate.size() + approved.size() + denied.size() + kicks.size(); }
};

struct Fixture {
  FakeHubLink link;
  Recorder reports;
  base::ManualUnixClock clock{kNowUnixS};
  AuthSessions sessions{link, reports, clock};
  crypto::IdentityKeyPair key = hubKey();

  Fixture() {
    link.me.logged_on = true;
    link.me.steam_id = kServer;
    link.me.address = "203.0.113.5:27015";
    link.me.app_id = kApp;
    link.me.hub_key_hex = crypto::toHex(key.public_key);
  }

  std::vector<uint8_t> ticketFor(uint64_t user, ticket::Recipient recipient = {}, uint32_t app = kApp,
                                 int64_t lifetime_s = 3600, const crypto::IdentityKeyPair* signer = nullptr) {
    ticket::Claims c;
    c.steam_id = user;
    c.owner_steam_id = user == kBob ? kOwner : user;
    c.app_id = app;
    if (steamid::isIndividual(user)) c.licences = {app, 2000};  // a server's ticket lists none
    c.issued_at = clock.nowUnixS() - 10;
    c.expires_at = c.issued_at + lifetime_s;
    c.recipient = recipient;
    auto t = ticket::issueTicket(c, signer ? *signer : key);
    EXPECT_TRUE(t.has_value());
    return t.value().bytes;
  }

  void verdict(uint64_t user, int32_t response, bool kick = false, int32_t deny = DENY_INVALID) {
    hubrpc::Envelope e;
    e.mutable_auth_session_update()->set_steam_id(user);
    e.mutable_auth_session_update()->set_owner_steam_id(user == kBob ? kOwner : user);
    e.mutable_auth_session_update()->set_response(response);
    e.mutable_auth_session_update()->set_kick(kick);
    e.mutable_auth_session_update()->set_deny_reason(deny);
    EXPECT_TRUE(sessions.handle(e));
  }
};

}  // namespace

TEST(AuthSessions, WithoutAPinnedHubKeyNoTicketIsAccepted) {
  Fixture f;
  auto t = f.ticketFor(kAlice);
  f.link.me.hub_key_hex = "";
  EXPECT_EQ(f.sessions.begin(t, kAlice, false), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(f.sessions.size(), 0u);
  // Positive control: the same ticket with the key pinned.
  f.link.me.hub_key_hex = crypto::toHex(f.key.public_key);
  EXPECT_EQ(f.sessions.begin(t, kAlice, false), BEGIN_AUTH_SESSION_RESULT_OK);
}

TEST(AuthSessions, OfflineChecksRefuseWithTheReferenceResults) {
  Fixture f;
  auto other_hub = hubKey(9);
  EXPECT_EQ(f.sessions.begin(f.ticketFor(kAlice, {}, kApp, 3600, &other_hub), kAlice, false),
            BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(f.sessions.begin(f.ticketFor(kAlice), kBob, false), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(f.sessions.begin(f.ticketFor(kAlice, {}, kApp + 1), kAlice, false),
            BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH);
  auto short_lived = f.ticketFor(kAlice, {}, kApp, 60);
  f.clock.advance(60);
  EXPECT_EQ(f.sessions.begin(short_lived, kAlice, false), BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET);
  std::vector<uint8_t> garbage(200, 0xAB);
  EXPECT_EQ(f.sessions.begin(garbage, kAlice, false), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(f.sessions.size(), 0u);
  EXPECT_EQ(f.sessions.queuedValidations(), 0u);
  EXPECT_EQ(f.sessions.licence(kAlice, kApp), USER_HAS_LICENSE_RESULT_NO_AUTH);
}

TEST(AuthSessions, AGameServersTicketIsNotAPlayers) {
  Fixture f;
  uint64_t other_server = steamid::gameServer(78);
  EXPECT_EQ(f.sessions.begin(f.ticketFor(other_server), other_server, false), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(f.sessions.size(), 0u);
}

TEST(AuthSessions, AcceptedTicketIsValidatedByTheHubOnlyWhenTheSessionThreadSends) {
  Fixture f;
  auto t = f.ticketFor(kAlice);
  EXPECT_EQ(f.sessions.begin(t, kAlice, false), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_TRUE(f.sessions.has(kAlice));
  EXPECT_TRUE(f.link.sent.empty());  // queued for the session thread
  EXPECT_EQ(f.sessions.queuedValidations(), 1u);
  f.sessions.sendQueued();
  ASSERT_EQ(f.link.sent.size(), 1u);
  const auto& v = f.link.sent[0];
  ASSERT_TRUE(v.has_validate_ticket());
  EXPECT_EQ(v.request_id(), 101u);
  EXPECT_EQ(v.validate_ticket().steam_id(), kAlice);
  EXPECT_EQ(std::vector<uint8_t>(v.validate_ticket().ticket().begin(), v.validate_ticket().ticket().end()), t);
  f.sessions.sendQueued();
  EXPECT_EQ(f.link.sent.size(), 1u);  // sent once
  EXPECT_EQ(f.sessions.begin(t, kAlice, false), BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST);
  EXPECT_EQ(f.reports.signals(), 0u);  // nothing until the hub answers
}

TEST(AuthSessions, HubVerdictsBecomeValidateAuthTicketResponse) {
  Fixture f;
  ASSERT_EQ(f.sessions.begin(f.ticketFor(kAlice), kAlice, false), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(f.sessions.begin(f.ticketFor(kBob), kBob, false), BEGIN_AUTH_SESSION_RESULT_OK);
  f.verdict(kBob, AUTH_SESSION_RESPONSE_OK);
  f.verdict(kAlice, AUTH_SESSION_RESPONSE_VAC_BANNED);
  ASSERT_EQ(f.reports.validate.size(), 2u);
  EXPECT_EQ(f.reports.validate[0].auth_id, kBob);
  EXPECT_EQ(f.reports.validate[0].response, AUTH_SESSION_RESPONSE_OK);
  EXPECT_EQ(f.reports.validate[0].owner_id, kOwner);
  EXPECT_EQ(f.reports.validate[1].auth_id, kAlice);
  EXPECT_EQ(f.reports.validate[1].response, AUTH_SESSION_RESPONSE_VAC_BANNED);
  EXPECT_EQ(f.reports.verdicts, (std::vector<std::pair<uint64_t, bool>>{{kBob, true}, {kAlice, false}}));
  EXPECT_TRUE(f.reports.approved.empty());
  EXPECT_TRUE(f.reports.denied.empty());
  // A refusal ends the session; an acceptance keeps it, with the ticket's licences.
  EXPECT_FALSE(f.sessions.has(kAlice));
  EXPECT_EQ(f.sessions.licence(kAlice, kApp), USER_HAS_LICENSE_RESULT_NO_AUTH);
  EXPECT_EQ(f.sessions.licence(kBob, kApp), USER_HAS_LICENSE_RESULT_HAS_LICENSE);
  EXPECT_EQ(f.sessions.licence(kBob, 2000), USER_HAS_LICENSE_RESULT_HAS_LICENSE);
  EXPECT_EQ(f.sessions.licence(kBob, 3000), USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE);
}

TEST(AuthSessions, OlderFlowGetsClientApprovedDeniedAndKick) {
  Fixture f;
  ASSERT_EQ(f.sessions.begin(f.ticketFor(kAlice), kAlice, true), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(f.sessions.begin(f.ticketFor(kBob), kBob, true), BEGIN_AUTH_SESSION_RESULT_OK);
  f.verdict(kBob, AUTH_SESSION_RESPONSE_OK);
  f.verdict(kAlice, AUTH_SESSION_RESPONSE_NO_LICENSE_OR_EXPIRED);
  EXPECT_TRUE(f.reports.validate.empty());
  ASSERT_EQ(f.reports.approved.size(), 1u);
  EXPECT_EQ(f.reports.approved[0].steam_id, kBob);
  EXPECT_EQ(f.reports.approved[0].owner_id, kOwner);
  ASSERT_EQ(f.reports.denied.size(), 1u);
  EXPECT_EQ(f.reports.denied[0].steam_id, kAlice);
  EXPECT_EQ(f.reports.denied[0].deny_reason, DENY_NO_LICENSE);
  EXPECT_FALSE(f.reports.denied[0].optional_message.empty());
  // A later ban of an approved player: a kick, and no client_denied on top.
  f.verdict(kBob, AUTH_SESSION_RESPONSE_VAC_BANNED, true, DENY_CHEATER);
  EXPECT_EQ(f.reports.denied.size(), 1u);
  ASSERT_EQ(f.reports.kicks.size(), 1u);
  EXPECT_EQ(f.reports.kicks[0].steam_id, kBob);
  EXPECT_EQ(f.reports.kicks[0].deny_reason, DENY_CHEATER);
  EXPECT_FALSE(f.sessions.has(kBob));
}

TEST(AuthSessions, KickFollowsValidateAuthTicketResponse) {
  Fixture f;
  ASSERT_EQ(f.sessions.begin(f.ticketFor(kAlice), kAlice, false), BEGIN_AUTH_SESSION_RESULT_OK);
  f.verdict(kAlice, AUTH_SESSION_RESPONSE_OK);
  f.verdict(kAlice, AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN, true, DENY_CHEATER);
  ASSERT_EQ(f.reports.validate.size(), 2u);
  EXPECT_EQ(f.reports.validate[1].response, AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN);
  ASSERT_EQ(f.reports.kicks.size(), 1u);
  EXPECT_EQ(f.reports.kicks[0].deny_reason, DENY_CHEATER);
}

TEST(AuthSessions, TicketBoundToAnotherServerFailsAsynchronouslyWithoutAskingTheHub) {
  Fixture f;
  auto elsewhere = f.ticketFor(kAlice, ticket::Recipient::steamId(steamid::gameServer(999)));
  EXPECT_EQ(f.sessions.begin(elsewhere, kAlice, false), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(f.sessions.queuedValidations(), 0u);
  EXPECT_FALSE(f.sessions.has(kAlice));
  ASSERT_EQ(f.reports.validate.size(), 1u);
  EXPECT_EQ(f.reports.validate[0].response, AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE);
  EXPECT_EQ(f.reports.verdicts, (std::vector<std::pair<uint64_t, bool>>{{kAlice, false}}));
  // Positive controls: bound to this server's Steam ID, or to its public address.
  EXPECT_EQ(f.sessions.begin(f.ticketFor(kAlice, ticket::Recipient::steamId(kServer)), kAlice, false),
            BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(
      f.sessions.begin(f.ticketFor(kBob, *ticket::Recipient::fromAddressString("203.0.113.5:27015")), kBob, false),
      BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(f.sessions.queuedValidations(), 2u);
  EXPECT_EQ(f.reports.validate.size(), 1u);
}

TEST(AuthSessions, BeforeLogonTheBindingIsLeftToTheHub) {
  Fixture f;
  f.link.me.logged_on = false;
  f.link.me.steam_id = 0;
  auto elsewhere = f.ticketFor(kAlice, ticket::Recipient::steamId(steamid::gameServer(999)));
  EXPECT_EQ(f.sessions.begin(elsewhere, kAlice, false), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(f.sessions.queuedValidations(), 1u);  // asked once logged on
  EXPECT_EQ(f.reports.signals(), 0u);
}

TEST(AuthSessions, ResumeAfterRelogonResumesAcceptedAndAsksAgainForUnanswered) {
  Fixture f;
  auto alice = f.ticketFor(kAlice), bob = f.ticketFor(kBob);
  ASSERT_EQ(f.sessions.begin(alice, kAlice, false), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(f.sessions.begin(bob, kBob, false), BEGIN_AUTH_SESSION_RESULT_OK);
  f.sessions.sendQueued();
  f.verdict(kAlice, AUTH_SESSION_RESPONSE_OK);  // Bob's validation was sent, never answered
  f.link.sent.clear();
  f.sessions.resume();
  ASSERT_EQ(f.link.sent.size(), 1u);
  ASSERT_TRUE(f.link.sent[0].has_resume_auth_session());
  EXPECT_EQ(f.link.sent[0].resume_auth_session().steam_id(), kAlice);
  EXPECT_EQ(std::vector<uint8_t>(f.link.sent[0].resume_auth_session().ticket().begin(),
                                 f.link.sent[0].resume_auth_session().ticket().end()),
            alice);
  EXPECT_EQ(f.sessions.queuedValidations(), 1u);
  f.sessions.resume();  // a second relogon before the queue was sent: still one validation for Bob
  EXPECT_EQ(f.sessions.queuedValidations(), 1u);
  f.link.sent.clear();
  f.sessions.sendQueued();
  ASSERT_EQ(f.link.sent.size(), 1u);
  EXPECT_EQ(f.link.sent[0].validate_ticket().steam_id(), kBob);
}

TEST(AuthSessions, EndTellsTheHubOnlyWhenLoggedOnAndSilencesLateVerdicts) {
  Fixture f;
  ASSERT_EQ(f.sessions.begin(f.ticketFor(kAlice), kAlice, false), BEGIN_AUTH_SESSION_RESULT_OK);
  ASSERT_EQ(f.sessions.begin(f.ticketFor(kBob), kBob, false), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_TRUE(f.sessions.end(kAlice));
  ASSERT_EQ(f.link.sent.size(), 1u);
  ASSERT_TRUE(f.link.sent[0].has_end_auth_session());
  EXPECT_EQ(f.link.sent[0].end_auth_session().steam_id(), kAlice);
  EXPECT_FALSE(f.sessions.end(kAlice));  // no session: nothing sent
  EXPECT_EQ(f.link.sent.size(), 1u);
  f.link.me.logged_on = false;
  EXPECT_TRUE(f.sessions.end(kBob));
  EXPECT_EQ(f.link.sent.size(), 1u);
  EXPECT_EQ(f.link.sends_while_logged_off, 0);
  f.verdict(kAlice, AUTH_SESSION_RESPONSE_OK);  // the hub answered after the end
  EXPECT_EQ(f.reports.signals(), 0u);
  EXPECT_TRUE(f.reports.verdicts.empty());
  EXPECT_EQ(f.sessions.licence(kAlice, kApp), USER_HAS_LICENSE_RESULT_NO_AUTH);
}

TEST(AuthSessions, OtherHubMessagesAreNotItsOwnAndClearForgetsEverything) {
  Fixture f;
  hubrpc::Envelope other;
  other.mutable_ticket_result()->set_result(RESULT_OK);
  EXPECT_FALSE(f.sessions.handle(other));
  ASSERT_EQ(f.sessions.begin(f.ticketFor(kAlice), kAlice, false), BEGIN_AUTH_SESSION_RESULT_OK);
  f.sessions.clear();
  EXPECT_EQ(f.sessions.size(), 0u);
  EXPECT_EQ(f.sessions.queuedValidations(), 0u);
  f.sessions.sendQueued();
  EXPECT_TRUE(f.link.sent.empty());
  EXPECT_EQ(f.sessions.begin(f.ticketFor(kAlice), kAlice, false), BEGIN_AUTH_SESSION_RESULT_OK);  // not a duplicate
}
