// Session tickets: encoding, signing, parsing and the offline checks (see ticket.h and the
// normative docs/spec/ticket.md). Responsible for the bytes and the cryptographic and semantic
// checks of one ticket; the records that need state (open sessions on a server, redeemed ticket
// ids at the hub) live with their owners. Stateless: any thread, concurrently. Ticket bytes are
// untrusted input here, so every read is bounds-checked by ByteReader and nothing asserts on them.
#include "ticket/ticket.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "base/address.h"
#include "base/bytes.h"
#include "base/log.h"
#include "outpost/steam_id.h"

namespace outpost::ticket {

namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// Room for the signed message: domain string, then the claims of the largest ticket.
constexpr size_t kMaxMessageBytes = kSignatureDomain.size() + kMaxTicketBytes - kSignatureBytes;

bool allZero(const uint8_t* p, size_t n) {
  uint8_t acc = 0;
  for (size_t i = 0; i < n; ++i) acc |= p[i];
  return acc == 0;
}

// A user or owner: a valid id of an individual account.
bool validUser(uint64_t id) { return steamid::isValid(id) && steamid::isIndividual(id); }
// The subject of a game server's own ticket (GameServer::getAuthSessionTicket).
bool validServer(uint64_t id) { return steamid::isValid(id) && steamid::isAnyGameServer(id); }

// The recipient's fields are in their one canonical form. A second encoding of the same binding
// would let two byte-different tickets mean the same thing; refusing it keeps "parse, then encode"
// the identity, which verifyTicket relies on.
bool validRecipient(const Recipient& r) {
  const uint8_t* ip = r.ip.data();
  switch (r.kind) {
    case RecipientKind::kNone: return r.steam_id == 0 && allZero(ip, 16) && r.port == 0;
    case RecipientKind::kSteamId: return steamid::isValid(r.steam_id) && allZero(ip, 16) && r.port == 0;
    case RecipientKind::kIpv4:
      // 0.0.0.0 is "any address", which names no one.
      return r.steam_id == 0 && !allZero(ip, 4) && allZero(ip + 4, 12);
    case RecipientKind::kIpv6:
      // :: names no one; an IPv4-mapped address must be sent as kIpv4.
      return r.steam_id == 0 && !allZero(ip, 16) &&
             std::memcmp(ip, kV4MappedPrefix.data(), kV4MappedPrefix.size()) != 0;
  }
  return false;
}

// The semantic checks shared by issueTicket (before signing) and parseTicket (after decoding), in
// the order of spec §5 steps 10-16.
TicketError validateClaims(const Claims& c) {
  if (!validRecipient(c.recipient)) return TicketError::kBadRecipient;
  if (c.ticket_id == 0) return TicketError::kZeroTicketId;
  if (validServer(c.steam_id)) {
    // A server's ticket names the server as its own owner and lists no licences.
    if (c.owner_steam_id != c.steam_id) return TicketError::kBadOwnerSteamId;
    if (!c.licences.empty()) return TicketError::kBadLicences;
  } else {
    if (!validUser(c.steam_id)) return TicketError::kBadSteamId;
    if (!validUser(c.owner_steam_id)) return TicketError::kBadOwnerSteamId;
  }
  if (c.app_id == 0) return TicketError::kZeroAppId;
  if (c.issued_at < 0 || c.expires_at <= c.issued_at) return TicketError::kBadLifetime;
  if (c.licences.size() > kMaxLicences) return TicketError::kTooManyLicences;
  for (size_t i = 0; i < c.licences.size(); ++i) {
    if (c.licences[i] == 0) return TicketError::kBadLicences;
    if (i > 0 && c.licences[i] <= c.licences[i - 1]) return TicketError::kBadLicences;
  }
  return TicketError::kNone;
}

// Writes the claims part (everything but the signature) of a ticket; claims must have passed
// validateClaims. Returns the bytes written (kClaimsFixedBytes + 4 * licences).
size_t encodeClaims(const Claims& c, const KeyId& key_id, uint8_t* out, size_t capacity) {
  base::ByteWriter w(out, capacity);
  w.bytes(kMagic.data(), kMagic.size());
  w.u8(kFormatVersion);
  w.u8(static_cast<uint8_t>(c.recipient.kind));
  w.u16(static_cast<uint16_t>(c.licences.size()));
  w.bytes(key_id.data(), key_id.size());
  w.u64(c.ticket_id);
  w.u64(c.steam_id);
  w.u64(c.owner_steam_id);
  w.u32(c.app_id);
  w.u16(c.recipient.port);
  w.u16(0);  // reserved
  w.u64(static_cast<uint64_t>(c.issued_at));
  w.u64(static_cast<uint64_t>(c.expires_at));
  if (c.recipient.kind == RecipientKind::kSteamId) {
    w.u64(c.recipient.steam_id);
    w.zeros(8);
  } else {
    w.bytes(c.recipient.ip.data(), c.recipient.ip.size());
  }
  for (uint32_t licence : c.licences) w.u32(licence);
  return w.ok() ? w.size() : 0;
}

// Builds domain || claims into `msg` and returns its length (0 if the claims cannot be encoded).
size_t signedMessage(const Claims& c, const KeyId& key_id, std::array<uint8_t, kMaxMessageBytes>& msg) {
  std::memcpy(msg.data(), kSignatureDomain.data(), kSignatureDomain.size());
  size_t n = encodeClaims(c, key_id, msg.data() + kSignatureDomain.size(), msg.size() - kSignatureDomain.size());
  return n == 0 ? 0 : kSignatureDomain.size() + n;
}

void setWhy(TicketError* why, TicketError e) {
  if (why) *why = e;
}

}  // namespace

const char* toString(TicketError e) {
  switch (e) {
    case TicketError::kNone: return "none";
    case TicketError::kTooShort: return "too_short";
    case TicketError::kTooLong: return "too_long";
    case TicketError::kBadMagic: return "bad_magic";
    case TicketError::kUnknownVersion: return "unknown_version";
    case TicketError::kLengthMismatch: return "length_mismatch";
    case TicketError::kTooManyLicences: return "too_many_licences";
    case TicketError::kBadRecipientKind: return "bad_recipient_kind";
    case TicketError::kBadRecipient: return "bad_recipient";
    case TicketError::kReservedNotZero: return "reserved_not_zero";
    case TicketError::kZeroTicketId: return "zero_ticket_id";
    case TicketError::kBadSteamId: return "bad_steam_id";
    case TicketError::kBadOwnerSteamId: return "bad_owner_steam_id";
    case TicketError::kZeroAppId: return "zero_app_id";
    case TicketError::kBadLifetime: return "bad_lifetime";
    case TicketError::kBadLicences: return "bad_licences";
    case TicketError::kUnknownHubKey: return "unknown_hub_key";
    case TicketError::kBadSignature: return "bad_signature";
    case TicketError::kWrongUser: return "wrong_user";
    case TicketError::kWrongApp: return "wrong_app";
    case TicketError::kExpired: return "expired";
    case TicketError::kNotYetValid: return "not_yet_valid";
    case TicketError::kBadHubKey: return "bad_hub_key";
  }
  return "unknown";
}

Recipient Recipient::steamId(uint64_t id) {
  Recipient r;
  r.kind = RecipientKind::kSteamId;
  r.steam_id = id;
  return r;
}

std::optional<Recipient> Recipient::fromAddressString(std::string_view text) {
  auto addr = base::SocketAddress::parse(text, /*require_port=*/false);
  if (!addr || !addr->valid()) return std::nullopt;
  uint8_t ip16[16];
  addr->ip16(ip16);
  Recipient r;
  r.port = addr->port();
  if (std::memcmp(ip16, kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0) {
    r.kind = RecipientKind::kIpv4;
    std::memcpy(r.ip.data(), ip16 + 12, 4);
  } else {
    r.kind = RecipientKind::kIpv6;
    std::memcpy(r.ip.data(), ip16, 16);
  }
  if (!validRecipient(r)) return std::nullopt;  // an any-address
  return r;
}

KeyId keyIdOf(std::span<const uint8_t, crypto::kSignPublicKeyBytes> hub_public_key) {
  return crypto::publicKeyId(hub_public_key);
}

crypto::IdentityKeyPair keyPairFromSeed(std::span<const uint8_t, 32> seed) {
  crypto::init();
  crypto::IdentityKeyPair k;
  crypto_sign_ed25519_seed_keypair(k.public_key.data(), k.secret_key.data(), seed.data());
  return k;
}

IssueResult issueTicket(const Claims& claims, const crypto::IdentityKeyPair& hub_key) {
  // libsodium's Ed25519 secret key ends with its public key; a mismatch would produce tickets
  // that no server accepts, so refuse here where the mistake is visible.
  if (sodium_memcmp(hub_key.secret_key.data() + 32, hub_key.public_key.data(), 32) != 0) {
    OUTPOST_LOG_ERROR("ticket: not issued: hub key pair halves do not match");
    return TicketError::kBadHubKey;
  }
  Claims c = claims;
  std::sort(c.licences.begin(), c.licences.end());
  c.licences.erase(std::unique(c.licences.begin(), c.licences.end()), c.licences.end());
  if (c.licences.size() > kMaxLicences) {
    OUTPOST_LOG_WARN("ticket: not issued for app %u: %zu licences, at most %zu fit in %zu bytes", c.app_id,
                     c.licences.size(), kMaxLicences, kMaxTicketBytes);
    return TicketError::kTooManyLicences;
  }
  while (c.ticket_id == 0) c.ticket_id = crypto::randomU64();
  if (TicketError e = validateClaims(c); e != TicketError::kNone) {
    OUTPOST_LOG_WARN("ticket: not issued for app %u: %s", c.app_id, toString(e));
    return e;
  }

  std::array<uint8_t, kMaxMessageBytes> msg;
  const KeyId key_id = keyIdOf(hub_key.public_key);
  const size_t msg_len = signedMessage(c, key_id, msg);
  if (msg_len == 0) return TicketError::kTooManyLicences;  // unreachable after the checks above
  const auto sig = hub_key.sign(std::span<const uint8_t>(msg.data(), msg_len));

  IssuedTicket out;
  out.ticket_id = c.ticket_id;
  const size_t claims_len = msg_len - kSignatureDomain.size();
  out.bytes.reserve(claims_len + kSignatureBytes);
  out.bytes.assign(msg.begin() + kSignatureDomain.size(), msg.begin() + msg_len);
  out.bytes.insert(out.bytes.end(), sig.begin(), sig.end());
  return out;
}

std::optional<ParsedTicket> parseTicket(std::span<const uint8_t> bytes, TicketError* why) {
  auto fail = [&](TicketError e) -> std::optional<ParsedTicket> {
    setWhy(why, e);
    return std::nullopt;
  };
  // 1-2. Size bounds that need no decoding. The upper bound first: nothing larger is a ticket,
  // whatever its header says (a server buffers at most this much per player).
  if (bytes.size() > kMaxTicketBytes) return fail(TicketError::kTooLong);
  if (bytes.size() < kOffsetVersion + 1) return fail(TicketError::kTooShort);
  // 3. Magic: not an Outpost ticket at all (a Valve ticket, random bytes).
  if (std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) return fail(TicketError::kBadMagic);
  // 4. Version before anything version-specific; unauthenticated, but refusing costs nothing.
  if (bytes[kOffsetVersion] != kFormatVersion) return fail(TicketError::kUnknownVersion);
  // 5. Room for the fixed claims and the signature.
  if (bytes.size() < kMinTicketBytes) return fail(TicketError::kTooShort);

  base::ByteReader r(bytes);
  r.bytes(kMagic.size() + 1);  // magic and version, checked above
  ParsedTicket t;
  t.version = kFormatVersion;
  const uint8_t kind = r.u8();
  const uint16_t licence_count = r.u16();
  // 6-7. The licence count decides the length; check it against the bound and the real size
  // before allocating anything (a forged count cannot make us reserve memory).
  if (licence_count > kMaxLicences) return fail(TicketError::kTooManyLicences);
  if (bytes.size() != kMinTicketBytes + size_t{licence_count} * kLicenceBytes)
    return fail(TicketError::kLengthMismatch);
  // 8. Recipient kind.
  if (kind > static_cast<uint8_t>(RecipientKind::kIpv6)) return fail(TicketError::kBadRecipientKind);
  t.claims.recipient.kind = static_cast<RecipientKind>(kind);

  r.copy(t.hub_key_id.data(), t.hub_key_id.size());
  t.claims.ticket_id = r.u64();
  t.claims.steam_id = r.u64();
  t.claims.owner_steam_id = r.u64();
  t.claims.app_id = r.u32();
  t.claims.recipient.port = r.u16();
  const uint16_t reserved = r.u16();
  t.claims.issued_at = static_cast<int64_t>(r.u64());
  t.claims.expires_at = static_cast<int64_t>(r.u64());
  auto address = r.bytes(16);
  // 9. Reserved bytes are zero, so that a later version can give them meaning without an old
  // parser silently ignoring it.
  if (reserved != 0) return fail(TicketError::kReservedNotZero);
  if (!r.ok()) return fail(TicketError::kTooShort);  // cannot happen after step 7
  if (t.claims.recipient.kind == RecipientKind::kSteamId) {
    base::ByteReader id_reader(address);
    t.claims.recipient.steam_id = id_reader.u64();
    // 10 (part). The 8 bytes after a Steam ID recipient are zero (one encoding per binding).
    if (!allZero(address.data() + 8, 8)) return fail(TicketError::kBadRecipient);
  } else {
    std::memcpy(t.claims.recipient.ip.data(), address.data(), 16);
  }

  t.claims.licences.resize(licence_count);
  for (auto& licence : t.claims.licences) licence = r.u32();
  r.copy(t.signature.data(), t.signature.size());
  if (!r.ok() || !r.atEnd()) return fail(TicketError::kLengthMismatch);  // guarded by step 7

  // 10-16. Semantic checks, shared with issueTicket.
  if (TicketError e = validateClaims(t.claims); e != TicketError::kNone) return fail(e);
  setWhy(why, TicketError::kNone);
  return t;
}

TicketError verifyTicket(const ParsedTicket& parsed,
                         std::span<const uint8_t, crypto::kSignPublicKeyBytes> hub_public_key) {
  // 17. The key the ticket names must be the key we trust. Checked before the signature so that
  // a ticket from another hub (or an old key) is reported as such rather than as a forgery.
  if (sodium_memcmp(parsed.hub_key_id.data(), keyIdOf(hub_public_key).data(), kKeyIdBytes) != 0)
    return TicketError::kUnknownHubKey;
  if (parsed.version != kFormatVersion) return TicketError::kBadSignature;
  // 18. The signature over domain || claims. The claims are re-encoded: the encoding is
  // canonical (parseTicket refuses every other form), so these are the ticket's own bytes.
  std::array<uint8_t, kMaxMessageBytes> msg;
  const size_t msg_len = signedMessage(parsed.claims, parsed.hub_key_id, msg);
  if (msg_len == 0) return TicketError::kBadSignature;
  if (!crypto::verifySignature(hub_public_key, std::span<const uint8_t>(msg.data(), msg_len), parsed.signature))
    return TicketError::kBadSignature;
  return TicketError::kNone;
}

std::optional<Claims> hubVerify(std::string_view bytes, uint64_t expected_steam_id,
                                std::span<const uint8_t, crypto::kSignPublicKeyBytes> hub_public_key,
                                int64_t now_unix) {
  auto parsed = parseTicket({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()});
  if (!parsed || verifyTicket(*parsed, hub_public_key) != TicketError::kNone ||
      parsed->claims.steam_id != expected_steam_id || now_unix >= parsed->claims.expires_at)
    return std::nullopt;
  return std::move(parsed->claims);
}

BeginAuthSessionResult checkTicketOffline(std::span<const uint8_t> bytes, uint64_t claimed_steam_id,
                                          uint32_t expected_app_id, int64_t now_unix,
                                          std::span<const uint8_t, crypto::kSignPublicKeyBytes> hub_public_key,
                                          Claims* claims, TicketError* why) {
  TicketError e = TicketError::kNone;
  auto parsed = parseTicket(bytes, &e);
  if (!parsed) {
    setWhy(why, e);
    return e == TicketError::kUnknownVersion ? BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION
                                             : BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET;
  }
  // 17-18. Authentic: signed by the pinned hub key.
  e = verifyTicket(*parsed, hub_public_key);
  if (e != TicketError::kNone) {
    setWhy(why, e);
    return BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET;
  }
  const Claims& c = parsed->claims;
  // 19. Issued to the user who presents it. Without this, any player could log in as any other
  // by replaying that player's ticket (e.g. one captured by a malicious server).
  if (c.steam_id != claimed_steam_id) {
    setWhy(why, TicketError::kWrongUser);
    return BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET;
  }
  // 20. Issued for this game: a ticket for a free app must not open a paid one.
  if (c.app_id != expected_app_id) {
    setWhy(why, TicketError::kWrongApp);
    return BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH;
  }
  // 21. Inside its lifetime, by the server's clock.
  if (now_unix >= c.expires_at) {
    setWhy(why, TicketError::kExpired);
    return BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET;
  }
  // 22. Not from the future beyond clock skew: a server whose clock is far behind would also
  // accept long-expired tickets, so it should fail visibly now.
  // (Unsigned difference: now_unix is caller input and may be anything; issued_at >= 0.)
  if (c.issued_at > now_unix && static_cast<uint64_t>(c.issued_at) - static_cast<uint64_t>(now_unix) >
                                    static_cast<uint64_t>(kMaxClockSkewSeconds)) {
    setWhy(why, TicketError::kNotYetValid);
    return BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET;
  }
  setWhy(why, TicketError::kNone);
  if (claims) *claims = std::move(parsed->claims);
  return BEGIN_AUTH_SESSION_RESULT_OK;
}

bool recipientMatches(const Claims& claims, uint64_t server_steam_id, std::string_view server_ip_address) {
  const Recipient& want = claims.recipient;
  switch (want.kind) {
    case RecipientKind::kNone: return true;
    case RecipientKind::kSteamId: return want.steam_id != 0 && server_steam_id == want.steam_id;
    case RecipientKind::kIpv4:
    case RecipientKind::kIpv6: {
      auto have = Recipient::fromAddressString(server_ip_address);
      if (!have || have->kind != want.kind || have->ip != want.ip) return false;
      return want.port == 0 || have->port == want.port;
    }
  }
  return false;
}

bool hasLicence(const Claims& claims, uint32_t app_id) {
  return app_id != 0 && std::binary_search(claims.licences.begin(), claims.licences.end(), app_id);
}

}  // namespace outpost::ticket
