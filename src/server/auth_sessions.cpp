// AuthSessions (see auth_sessions.h): the offline ticket checks of beginAuthSession, the hub's
// validation of each session, and the mapping of its verdicts to the reference's signals.
#include "server/auth_sessions.h"

#include <algorithm>

#include "base/log.h"
#include "crypto/crypto.h"
#include "outpost/steam_id.h"

namespace outpost::server {

namespace {

// The older flow reports a refusal as a DenyReason and a text (the SDK's m_rgchOptionalText).
std::pair<int32_t, const char*> denyFor(int32_t response) {
  switch (response) {
    case AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM:
      return {DENY_NOT_LOGGED_ON, "the user is not logged on to the hub"};
    case AUTH_SESSION_RESPONSE_NO_LICENSE_OR_EXPIRED: return {DENY_NO_LICENSE, "no licence for this app"};
    case AUTH_SESSION_RESPONSE_VAC_BANNED: return {DENY_CHEATER, "VAC ban"};
    case AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE: return {DENY_LOGGED_IN_ELSEWHERE, "the user logged in elsewhere"};
    case AUTH_SESSION_RESPONSE_VAC_CHECK_TIMED_OUT: return {DENY_STEAM_RESPONSE_TIMED_OUT, "the hub did not answer"};
    case AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED: return {DENY_NOT_LOGGED_ON, "the ticket was cancelled"};
    case AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED: return {DENY_GENERIC, "the ticket was already used"};
    case AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID: return {DENY_GENERIC, "the hub refused the ticket"};
    case AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN: return {DENY_CHEATER, "publisher ban"};
    case AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE:
      return {DENY_GENERIC, "the ticket is bound to another server"};
    default: return {DENY_GENERIC, "refused"};
  }
}

}  // namespace

AuthSessions::AuthSessions(AuthHubLink& link, AuthReports& reports, const base::UnixClock& clock)
    : link_(link), reports_(reports), clock_(clock) {}

int AuthSessions::begin(const std::vector<uint8_t>& bytes, uint64_t steam_id, bool legacy) {
  const AuthHubLink::Identity me = link_.identity();
  std::array<uint8_t, crypto::kSignPublicKeyBytes> hub_key{};
  if (!crypto::fromHex(me.hub_key_hex, hub_key)) {
    OUTPOST_LOG_WARN("beginAuthSession: no hub key pinned (OUTPOST_HUB_KEY), so no ticket can be verified");
    return BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET;
  }
  ticket::Claims claims;
  ticket::TicketError why = ticket::TicketError::kNone;
  int r = ticket::checkTicketOffline(bytes, steam_id, me.app_id, clock_.nowUnixS(), hub_key, &claims, &why);
  if (r == BEGIN_AUTH_SESSION_RESULT_OK && !steamid::isIndividual(claims.steam_id)) {
    r = BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET;  // a game server's ticket proves nothing about a player
    why = ticket::TicketError::kBadSteamId;
  }
  if (r != BEGIN_AUTH_SESSION_RESULT_OK) {
    OUTPOST_LOG_INFO("beginAuthSession(%llu): %s", static_cast<unsigned long long>(steam_id), ticket::toString(why));
    return r;
  }
  if (sessions_.count(steam_id)) {
    OUTPOST_LOG_INFO("beginAuthSession(%llu): a session for this user is already open",
                     static_cast<unsigned long long>(steam_id));
    return BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST;
  }
  sessions_[steam_id] = {claims, legacy, bytes, false};
  if (me.logged_on && me.steam_id && !ticket::recipientMatches(claims, me.steam_id, me.address)) {
    // Bound to another server: answered like the reference, asynchronously (the hub would say
    // the same; no need to ask it).
    hubrpc::AuthSessionUpdate u;
    u.set_steam_id(steam_id);
    u.set_owner_steam_id(claims.owner_steam_id);
    u.set_response(AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE);
    verdict(u);
    return BEGIN_AUTH_SESSION_RESULT_OK;
  }
  queueValidation(bytes, steam_id);
  return BEGIN_AUTH_SESSION_RESULT_OK;
}

bool AuthSessions::end(uint64_t steam_id) {
  if (!sessions_.erase(steam_id)) return false;
  if (link_.identity().logged_on) {
    hubrpc::Envelope e;
    e.mutable_end_auth_session()->set_steam_id(steam_id);
    link_.send(e);
  }
  return true;
}

int AuthSessions::licence(uint64_t steam_id, uint32_t app_id) const {
  auto it = sessions_.find(steam_id);
  if (it == sessions_.end()) return USER_HAS_LICENSE_RESULT_NO_AUTH;
  return ticket::hasLicence(it->second.claims, app_id) ? USER_HAS_LICENSE_RESULT_HAS_LICENSE
                                                       : USER_HAS_LICENSE_RESULT_DOES_NOT_HAVE_LICENSE;
}

void AuthSessions::queueValidation(const std::vector<uint8_t>& ticket, uint64_t steam_id) {
  hubrpc::Envelope v;
  v.set_request_id(link_.nextRequestId());
  v.mutable_validate_ticket()->set_ticket(ticket.data(), ticket.size());
  v.mutable_validate_ticket()->set_steam_id(steam_id);
  queued_.push_back(std::move(v));
}

void AuthSessions::sendQueued() {
  for (const auto& v : queued_) link_.send(v);
  queued_.clear();
}

void AuthSessions::resume() {
  for (const auto& [user, s] : sessions_) {
    if (s.accepted) {
      hubrpc::Envelope e;
      e.mutable_resume_auth_session()->set_ticket(s.ticket.data(), s.ticket.size());
      e.mutable_resume_auth_session()->set_steam_id(user);
      link_.send(e);
      continue;
    }
    const uint64_t id = user;  // a structured binding cannot be captured before C++20 in clang 14
    bool queued = std::any_of(queued_.begin(), queued_.end(),
                              [id](const auto& v) { return v.validate_ticket().steam_id() == id; });
    if (!queued) queueValidation(s.ticket, user);  // sent, never answered
  }
}

bool AuthSessions::handle(const hubrpc::Envelope& e) {
  if (!e.has_auth_session_update()) return false;
  verdict(e.auth_session_update());
  return true;
}

void AuthSessions::clear() {
  sessions_.clear();
  queued_.clear();
}

void AuthSessions::verdict(const hubrpc::AuthSessionUpdate& u) {
  auto it = sessions_.find(u.steam_id());
  if (it == sessions_.end()) return;  // ended meanwhile
  const bool legacy = it->second.legacy;
  const uint64_t user = u.steam_id(), owner = u.owner_steam_id();
  const bool accepted = u.response() == AUTH_SESSION_RESPONSE_OK;
  if (accepted) it->second.accepted = true;
  else sessions_.erase(it);  // a refusal ends the session
  reports_.playerVerdict(user, accepted);
  if (!legacy) {
    reports_.validateAuthTicketResponse(ValidateAuthTicketResponse{user, u.response(), owner});
  } else if (accepted) {
    reports_.clientApproved(ClientApproved{user, owner});
  } else if (!u.kick()) {
    auto [reason, text] = denyFor(u.response());
    reports_.clientDenied(ClientDenied{user, reason, text});
  }
  if (u.kick()) reports_.clientKick(ClientKick{user, u.deny_reason()});
}

}  // namespace outpost::server
