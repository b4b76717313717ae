// Outpost session tickets: the hub-signed proof a player hands a game server so the server can
// authenticate the player offline (docs/spec/ticket.md is the normative description; the byte
// table there and kOffset* below must agree).
//
// A ticket is Outpost's own format, not Valve's: fixed little-endian claims (user, owner, app,
// licences, lifetime, optional recipient binding, a random ticket id, the id of the hub key) and
// an Ed25519 signature by the hub key over a domain-separation string plus the claims. It is at
// most kMaxTicketBytes (1024) bytes, the buffer size the reference's getAuthSessionTicket uses.
//
// Who calls what:
//  - the hub: issueTicket() when a user asks for a ticket; recipientMatches() and its ticket-id
//    store when a server asks it to validate one (AuthTicketInvalidAlreadyUsed on reuse);
//  - the game server's beginAuthSession: checkTicketOffline() for the synchronous result, then
//    recipientMatches() for the asynchronous AuthTicketNetworkIdentityFailure;
//  - tools and tests: parseTicket() / verifyTicket() to look inside a ticket.
//
// Nothing here throws, asserts on input, logs secrets or keeps state: every function is safe to
// call from any thread at once. Parsing allocates only the licence vector.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "crypto/crypto.h"
#include "outpost/types.h"

namespace outpost::ticket {

// ---- Format constants ------------------------------------------------------------------------

inline constexpr uint8_t kFormatVersion = 1;
inline constexpr std::array<uint8_t, 4> kMagic = {'O', 'P', 'T', 'K'};
inline constexpr size_t kMaxTicketBytes = 1024;
inline constexpr size_t kClaimsFixedBytes = 80;  // claims before the licence list
inline constexpr size_t kLicenceBytes = 4;
inline constexpr size_t kSignatureBytes = crypto::kSignatureBytes;              // 64
inline constexpr size_t kMinTicketBytes = kClaimsFixedBytes + kSignatureBytes;  // 144
// The most licences that fit in kMaxTicketBytes: (1024 - 144) / 4 = 220.
inline constexpr size_t kMaxLicences = (kMaxTicketBytes - kMinTicketBytes) / kLicenceBytes;
inline constexpr size_t kKeyIdBytes = 8;

// Byte offsets of the fixed claims (docs/spec/ticket.md §3).
inline constexpr size_t kOffsetMagic = 0;
inline constexpr size_t kOffsetVersion = 4;
inline constexpr size_t kOffsetRecipientKind = 5;
inline constexpr size_t kOffsetLicenceCount = 6;
inline constexpr size_t kOffsetHubKeyId = 8;
inline constexpr size_t kOffsetTicketId = 16;
inline constexpr size_t kOffsetSteamId = 24;
inline constexpr size_t kOffsetOwnerSteamId = 32;
inline constexpr size_t kOffsetAppId = 40;
inline constexpr size_t kOffsetRecipientPort = 44;
inline constexpr size_t kOffsetReserved = 46;
inline constexpr size_t kOffsetIssuedAt = 48;
inline constexpr size_t kOffsetExpiresAt = 56;
inline constexpr size_t kOffsetRecipientAddress = 64;
inline constexpr size_t kOffsetLicences = 80;

// Prefix of the signed message: the hub key also signs other things (certificates), and this
// string makes a signature made for one of them worthless as a ticket signature.
inline constexpr std::string_view kSignatureDomain = "outpost/session-ticket/v1";

// Lifetime the hub should give tickets (docs/spec/ticket.md §6 argues for 24 hours).
inline constexpr int64_t kDefaultLifetimeSeconds = 24 * 60 * 60;
// How far a ticket's issued_at may lie in the future of the checking server's clock.
inline constexpr int64_t kMaxClockSkewSeconds = 5 * 60;

// ---- Result codes ----------------------------------------------------------------------------

// checkTicketOffline returns the reference's BeginAuthSessionResult (outpost/types.h,
// godotsteam-api.md §2.2); the AuthSessionResponse values that concern tickets
// (AUTH_TICKET_INVALID_ALREADY_USED at the hub, AUTH_TICKET_NETWORK_IDENTITY_FAILURE from
// recipientMatches) are delivered asynchronously by the server, never returned by this module.

// Why a ticket was refused (or could not be issued); for counters and rate-limited logs.
enum class TicketError : uint8_t {
  kNone = 0,
  // Structure (parseTicket, and issueTicket for claims it cannot encode).
  kTooShort,          // fewer bytes than the header or the licence count needs
  kTooLong,           // more than kMaxTicketBytes
  kBadMagic,          // not an Outpost ticket
  kUnknownVersion,    // a format version this build does not know
  kLengthMismatch,    // size is not 144 + 4 * licence count
  kTooManyLicences,   // more than kMaxLicences
  kBadRecipientKind,  // recipient kind not 0..3
  kBadRecipient,      // recipient fields not in canonical form (see spec §4)
  kReservedNotZero,   // reserved bytes 46..47 are not zero
  kZeroTicketId,      // ticket id 0 is reserved
  kBadSteamId,        // user id is not a valid individual Steam ID
  kBadOwnerSteamId,   // owner id is not a valid individual Steam ID
  kZeroAppId,         // app id 0 (APP_ID_INVALID)
  kBadLifetime,       // issued_at < 0 or expires_at <= issued_at
  kBadLicences,       // a licence of 0, or licences not strictly increasing
  // Authenticity (verifyTicket).
  kUnknownHubKey,  // signed by a key other than the one given
  kBadSignature,   // signature does not verify
  // Use (checkTicketOffline).
  kWrongUser,    // the ticket's user is not the claimed Steam ID
  kWrongApp,     // issued for another app
  kExpired,      // now >= expires_at
  kNotYetValid,  // issued_at > now + kMaxClockSkewSeconds
  // Issuing only.
  kBadHubKey,  // the key pair's halves do not belong together
};

// A short stable name ("too_short", "bad_signature" …) for logs and counters.
const char* toString(TicketError e);

// ---- Claims ----------------------------------------------------------------------------------

enum class RecipientKind : uint8_t { kNone = 0, kSteamId = 1, kIpv4 = 2, kIpv6 = 3 };

// Who may redeem the ticket (the reference's getAuthSessionTicket identity). Our semantics: a
// ticket bound to identity X can be redeemed only by X. (GodotSteam inverted the test and never
// binds; Outpost keeps the signature and binds.)
struct Recipient {
  RecipientKind kind = RecipientKind::kNone;
  uint64_t steam_id = 0;         // kSteamId: a valid Steam ID (isValid)
  std::array<uint8_t, 16> ip{};  // kIpv4: bytes 0..3, rest zero; kIpv6: all 16 (network order)
  uint16_t port = 0;             // IP kinds: 0 = any port; 0 for the other kinds

  static Recipient none() { return {}; }
  static Recipient steamId(uint64_t id);
  // Parses "1.2.3.4", "1.2.3.4:27015", "::1", "[::1]:27015" (an IPv4-mapped IPv6 address becomes
  // IPv4). nullopt if malformed or an any-address (0.0.0.0, ::), which cannot name a recipient.
  static std::optional<Recipient> fromAddressString(std::string_view text);

  bool operator==(const Recipient&) const = default;
};

struct Claims {
  uint64_t ticket_id = 0;       // unique, non-zero; issueTicket draws one when 0
  uint64_t steam_id = 0;        // the user (valid individual id)
  uint64_t owner_steam_id = 0;  // who owns the licence; differs from steam_id when borrowed
  uint32_t app_id = 0;
  std::vector<uint32_t> licences;  // app/DLC ids held for this app; sorted, unique, non-zero
  int64_t issued_at = 0;           // unix seconds
  int64_t expires_at = 0;          // unix seconds; the ticket is refused from this second on
  Recipient recipient;

  bool operator==(const Claims&) const = default;
};

using KeyId = std::array<uint8_t, kKeyIdBytes>;

// First 8 bytes of BLAKE2b-256 of the hub's Ed25519 public key: names the key in a ticket so a
// server that trusts several hub keys (rotation) picks the right one without trying them all.
KeyId keyIdOf(std::span<const uint8_t, crypto::kSignPublicKeyBytes> hub_public_key);

// A hub identity key derived from a 32-byte seed (crypto_sign_seed_keypair). For tests and fuzz
// targets, which need a fixed key; a real hub uses crypto::IdentityKeyPair::generate().
crypto::IdentityKeyPair keyPairFromSeed(std::span<const uint8_t, 32> seed);

// ---- Issuing (hub) ---------------------------------------------------------------------------

struct IssuedTicket {
  std::vector<uint8_t> bytes;  // 144..1024 bytes
  uint64_t ticket_id = 0;      // the id written into the ticket (the hub records it)
};

// issueTicket's result: the ticket, or why none was made (has_value/value/error, as
// std::expected has them).
class [[nodiscard]] IssueResult {
 public:
  IssueResult(IssuedTicket t) : value_(std::move(t)) {}
  IssueResult(TicketError e) : error_(e) {}
  bool has_value() const { return error_ == TicketError::kNone; }
  explicit operator bool() const { return has_value(); }
  // The ticket; empty when !has_value().
  const IssuedTicket& value() const { return value_; }
  TicketError error() const { return error_; }

 private:
  IssuedTicket value_;
  TicketError error_ = TicketError::kNone;
};

// Encodes and signs `claims` with the hub key. Licences are sorted and de-duplicated first.
// A ticket_id of 0 is replaced by a random non-zero one (returned in value().ticket_id).
// Fails, logging the reason, and never truncates:
//   kTooManyLicences  more than kMaxLicences distinct licences (the ticket would exceed 1024 B);
//   kBadSteamId / kBadOwnerSteamId / kZeroAppId / kBadLifetime / kBadLicences / kBadRecipient
//                     claims a parser would refuse;
//   kBadHubKey        hub_key.public_key is not the public half of hub_key.secret_key.
// Thread-safe; the result owns its bytes.
IssueResult issueTicket(const Claims& claims, const crypto::IdentityKeyPair& hub_key);

// ---- Reading (server, hub, tools) ------------------------------------------------------------

struct ParsedTicket {
  uint8_t version = 0;
  KeyId hub_key_id{};
  Claims claims;
  std::array<uint8_t, kSignatureBytes> signature{};
};

// Decodes a ticket without checking its signature. nullopt for anything but a well-formed
// version-1 ticket, with the reason in *why (if given): the structural errors of TicketError,
// checked in the order of docs/spec/ticket.md §5. Never reads outside `bytes`, never asserts;
// allocates only claims.licences.
std::optional<ParsedTicket> parseTicket(std::span<const uint8_t> bytes, TicketError* why = nullptr);

// Checks that `parsed` was signed by the hub key `hub_public_key`: kUnknownHubKey if the ticket
// names another key, kBadSignature if the signature fails, kNone if authentic. The signed bytes
// are rebuilt from the claims (the encoding is canonical, so they equal the ticket's).
TicketError verifyTicket(const ParsedTicket& parsed,
                         std::span<const uint8_t, crypto::kSignPublicKeyBytes> hub_public_key);

// The hub's first check of a ticket shown to it for validation: well formed, signed by this hub,
// naming `expected_steam_id`, not expired at `now_unix`. The claims, or nullopt (the caller
// answers AuthTicketInvalid).
std::optional<Claims> hubVerify(std::string_view bytes, uint64_t expected_steam_id,
                                std::span<const uint8_t, crypto::kSignPublicKeyBytes> hub_public_key, int64_t now_unix);

// The synchronous part of beginAuthSession, done offline with the pinned hub key. Returns the
// reference's BeginAuthSessionResult:
//   INVALID_TICKET (1)  malformed, signed by another key, bad signature, or the ticket's user is
//                       not claimed_steam_id;
//   INVALID_VERSION (3) an unknown format version;
//   GAME_MISMATCH (4)   issued for an app other than expected_app_id;
//   EXPIRED_TICKET (5)  now_unix >= expires_at, or issued more than kMaxClockSkewSeconds in the
//                       future of now_unix (the server's clock is off; outside the window either
//                       way);
//   OK (0)              authentic and usable now; *claims (if given) receives the claims.
// *claims is written only on OK; *why (if given) always receives the precise reason.
// Not checked here, by design: DUPLICATE_REQUEST (2) needs the server's table of open sessions;
// reuse (AuthTicketInvalidAlreadyUsed) needs the hub's record of ticket ids; the recipient binding
// (AuthTicketNetworkIdentityFailure) is an asynchronous response: see recipientMatches().
BeginAuthSessionResult checkTicketOffline(std::span<const uint8_t> bytes, uint64_t claimed_steam_id,
                                          uint32_t expected_app_id, int64_t now_unix,
                                          std::span<const uint8_t, crypto::kSignPublicKeyBytes> hub_public_key,
                                          Claims* claims = nullptr, TicketError* why = nullptr);

// Whether the entity (server_steam_id, server_ip_address) may redeem a ticket with these claims.
// No recipient: anyone. SteamID recipient: server_steam_id must equal it. IP recipient: the IP of
// server_ip_address ("1.2.3.4:27015", "[::1]:27015", or without port) must equal it and, when the
// ticket names a port, the address must carry that same port. A malformed address matches only
// an unbound ticket. False means AuthTicketNetworkIdentityFailure (10).
bool recipientMatches(const Claims& claims, uint64_t server_steam_id, std::string_view server_ip_address);

// Whether the claims list `app_id` among the licences (userHasLicenseForApp after a successful
// beginAuthSession). Binary search; licences are sorted by construction.
bool hasLicence(const Claims& claims, uint32_t app_id);

}  // namespace outpost::ticket
