// libFuzzer target for the session-ticket reader (src/ticket/ticket.h): feeds arbitrary bytes to
// parseTicket, verifyTicket and checkTicketOffline against a fixed hub key (derived from
// ticket_seeds.h's seed with crypto_sign_seed_keypair, the key that signed the seed corpus).
// Beyond "never crashes, never reads outside the input" it checks:
//  - a refused parse names a reason, and checkTicketOffline agrees (INVALID_VERSION exactly for
//    an unknown version, INVALID_TICKET otherwise);
//  - an accepted parse has the size the spec gives and claims that issueTicket accepts, and
//    re-issuing those claims with the fixed key reproduces the input byte for byte wherever the
//    key allows (everything if the signature verified; all but the signature if only the key id
//    matched; all but key id and signature otherwise): the encoding is canonical;
//  - an authentic ticket passes checkTicketOffline for its own user, app and issue time, fails
//    with the documented codes for another app, user or an expired clock, and its recipient
//    binding admits the very identity it names.
#include <arpa/inet.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "fuzz_check.h"
#include "outpost/steam_id.h"
#include "ticket/ticket.h"
#include "ticket_seeds.h"

using namespace outpost;
using namespace outpost::ticket;

namespace {

const crypto::IdentityKeyPair& hubKey() {
  static const crypto::IdentityKeyPair key = fuzzseeds::hubKey();
  return key;
}

bool sameRange(std::span<const uint8_t> a, std::span<const uint8_t> b, size_t from, size_t to) {
  return std::memcmp(a.data() + from, b.data() + from, to - from) == 0;
}

// The recipient's own identity as the strings a server would pass to recipientMatches.
std::string addressOf(const Recipient& r) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (r.kind == RecipientKind::kIpv4) {
    inet_ntop(AF_INET, r.ip.data(), buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(r.port == 0 ? 27015 : r.port);
  }
  if (r.kind == RecipientKind::kIpv6) {
    inet_ntop(AF_INET6, r.ip.data(), buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(r.port == 0 ? 27015 : r.port);
  }
  return "192.0.2.1:27015";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> in(data, size);
  const auto& key = hubKey();

  TicketError why = TicketError::kNone;
  auto parsed = parseTicket(in, &why);
  if (!parsed) {
    FUZZ_CHECK(why != TicketError::kNone);
    TicketError check_why = TicketError::kNone;
    const int result = checkTicketOffline(in, 0, 0, 0, key.public_key, nullptr, &check_why);
    FUZZ_CHECK(check_why == why);
    FUZZ_CHECK(result == (why == TicketError::kUnknownVersion ? BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION
                                                              : BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET));
    return 0;
  }
  FUZZ_CHECK(why == TicketError::kNone);
  const Claims& c = parsed->claims;
  FUZZ_CHECK(size >= kMinTicketBytes && size <= kMaxTicketBytes);
  FUZZ_CHECK(size == kMinTicketBytes + c.licences.size() * kLicenceBytes);
  FUZZ_CHECK(c.ticket_id != 0 && c.app_id != 0 && c.expires_at > c.issued_at);
  // The subject is a player, or (a game server's own ticket, docs/spec/ticket.md §13) a game
  // server that owns itself and lists no licences.
  FUZZ_CHECK(steamid::isValid(c.steam_id));
  if (steamid::isAnyGameServer(c.steam_id)) FUZZ_CHECK(c.owner_steam_id == c.steam_id && c.licences.empty());
  else
    FUZZ_CHECK(steamid::isIndividual(c.steam_id) && steamid::isValid(c.owner_steam_id) &&
               steamid::isIndividual(c.owner_steam_id));
  for (uint32_t licence : c.licences) FUZZ_CHECK(hasLicence(c, licence));

  // Canonical encoding: issuing the same claims gives the same bytes (Ed25519 is deterministic).
  auto again = issueTicket(c, key);
  FUZZ_CHECK(again.has_value());
  const auto& re = again.value().bytes;
  FUZZ_CHECK(re.size() == size);
  FUZZ_CHECK(again.value().ticket_id == c.ticket_id);
  const size_t sig_at = size - kSignatureBytes;
  FUZZ_CHECK(sameRange(in, re, 0, kOffsetHubKeyId));
  FUZZ_CHECK(sameRange(in, re, kOffsetHubKeyId + kKeyIdBytes, sig_at));

  const TicketError verdict = verifyTicket(*parsed, key.public_key);
  const bool our_key = parsed->hub_key_id == keyIdOf(key.public_key);
  FUZZ_CHECK(our_key == (verdict != TicketError::kUnknownHubKey));
  if (our_key) FUZZ_CHECK(sameRange(in, re, kOffsetHubKeyId, sig_at));
  if (verdict == TicketError::kNone) FUZZ_CHECK(sameRange(in, re, sig_at, size));

  TicketError check_why = TicketError::kNone;
  Claims out;
  const int result = checkTicketOffline(in, c.steam_id, c.app_id, c.issued_at, key.public_key, &out, &check_why);
  if (verdict != TicketError::kNone) {
    FUZZ_CHECK(result == BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET && check_why == verdict);
    return 0;
  }
  FUZZ_CHECK(result == BEGIN_AUTH_SESSION_RESULT_OK && out == c);
  FUZZ_CHECK(checkTicketOffline(in, c.steam_id, c.app_id + 1, c.issued_at, key.public_key) ==
             BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH);
  FUZZ_CHECK(checkTicketOffline(in, c.steam_id ^ 1, c.app_id, c.issued_at, key.public_key) ==
             BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  FUZZ_CHECK(checkTicketOffline(in, c.steam_id, c.app_id, c.expires_at, key.public_key) ==
             BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET);

  // The binding admits the identity it names.
  const uint64_t server_id =
      c.recipient.kind == RecipientKind::kSteamId ? c.recipient.steam_id : steamid::gameServer(1);
  FUZZ_CHECK(recipientMatches(c, server_id, addressOf(c.recipient)));
  return 0;
}
