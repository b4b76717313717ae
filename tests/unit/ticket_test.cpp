// Session tickets (src/ticket/ticket.h, docs/spec/ticket.md): issuing, the byte layout, the
// offline checks with the reference's BeginAuthSessionResult values, tampering and truncation,
// the 1024-byte bound, recipient binding, and the committed fuzz seeds.
#include "ticket/ticket.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "../fuzz/ticket_seeds.h"
#include "outpost/steam_id.h"

namespace outpost::ticket {
namespace {

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr uint32_t kApp = 480;
const uint64_t kUser = steamid::individual(22202);
const uint64_t kServer = steamid::gameServer(10289330);

crypto::IdentityKeyPair keyFromByte(uint8_t b) {
  std::array<uint8_t, 32> seed;
  seed.fill(b);
  return keyPairFromSeed(seed);
}

class TicketTest : public ::testing::Test {
 protected:
  crypto::IdentityKeyPair hub_ = keyFromByte(0x11);
  crypto::IdentityKeyPair other_hub_ = keyFromByte(0x22);

  Claims claims() const {
    Claims c;
    c.steam_id = kUser;
    c.owner_steam_id = kUser;
    c.app_id = kApp;
    c.licences = {kApp, 481, 482};
    c.issued_at = kNow;
    c.expires_at = kNow + kDefaultLifetimeSeconds;
    return c;
  }

  std::vector<uint8_t> issue(const Claims& c) const {
    auto r = issueTicket(c, hub_);
    EXPECT_TRUE(r.has_value()) << toString(r.error());
    return r.value().bytes;
  }

  int check(std::span<const uint8_t> bytes, uint64_t user = 0, uint32_t app = kApp, int64_t now = kNow + 60,
            TicketError* why = nullptr, Claims* out = nullptr) const {
    return checkTicketOffline(bytes, user ? user : kUser, app, now, hub_.public_key, out, why);
  }
};

// ---- Round trip and layout ---------------------------------------------------------------------

TEST_F(TicketTest, RoundTripKeepsEveryClaim) {
  Claims c = claims();
  c.owner_steam_id = steamid::individual(7);
  c.recipient = Recipient::steamId(kServer);
  auto r = issueTicket(c, hub_);
  ASSERT_TRUE(r.has_value());
  const auto& bytes = r.value().bytes;
  EXPECT_NE(r.value().ticket_id, 0u);  // drawn because claims had 0
  c.ticket_id = r.value().ticket_id;

  TicketError why = TicketError::kTooLong;
  auto parsed = parseTicket(bytes, &why);
  ASSERT_TRUE(parsed.has_value()) << toString(why);
  EXPECT_EQ(why, TicketError::kNone);
  EXPECT_EQ(parsed->version, kFormatVersion);
  EXPECT_EQ(parsed->hub_key_id, keyIdOf(hub_.public_key));
  EXPECT_EQ(parsed->claims, c);
  EXPECT_EQ(verifyTicket(*parsed, hub_.public_key), TicketError::kNone);

  Claims out;
  EXPECT_EQ(check(bytes, kUser, kApp, kNow, &why, &out), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(why, TicketError::kNone);
  EXPECT_EQ(out, c);
}

TEST_F(TicketTest, LayoutMatchesTheSpecTable) {
  Claims c = claims();
  c.ticket_id = 0x1122334455667788ull;
  c.recipient = *Recipient::fromAddressString("198.51.100.9:27016");
  auto bytes = issue(c);
  ASSERT_EQ(bytes.size(), kMinTicketBytes + 3 * kLicenceBytes);
  auto u64 = [&](size_t off) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | bytes[off + i];
    return v;
  };
  auto u32 = [&](size_t off) { return static_cast<uint32_t>(u64(off) & 0xFFFFFFFFu); };
  EXPECT_EQ(std::memcmp(bytes.data(), "OPTK", 4), 0);
  EXPECT_EQ(bytes[kOffsetVersion], 1);
  EXPECT_EQ(bytes[kOffsetRecipientKind], static_cast<uint8_t>(RecipientKind::kIpv4));
  EXPECT_EQ(bytes[kOffsetLicenceCount], 3);
  EXPECT_EQ(bytes[kOffsetLicenceCount + 1], 0);
  auto key_id = keyIdOf(hub_.public_key);
  EXPECT_EQ(std::memcmp(bytes.data() + kOffsetHubKeyId, key_id.data(), 8), 0);
  EXPECT_EQ(u64(kOffsetTicketId), 0x1122334455667788ull);
  EXPECT_EQ(u64(kOffsetSteamId), kUser);
  EXPECT_EQ(u64(kOffsetOwnerSteamId), kUser);
  EXPECT_EQ(u32(kOffsetAppId), kApp);
  EXPECT_EQ(bytes[kOffsetRecipientPort], 27016 & 0xFF);
  EXPECT_EQ(bytes[kOffsetRecipientPort + 1], 27016 >> 8);
  EXPECT_EQ(bytes[kOffsetReserved], 0);
  EXPECT_EQ(bytes[kOffsetReserved + 1], 0);
  EXPECT_EQ(static_cast<int64_t>(u64(kOffsetIssuedAt)), kNow);
  EXPECT_EQ(static_cast<int64_t>(u64(kOffsetExpiresAt)), kNow + kDefaultLifetimeSeconds);
  const uint8_t ip[4] = {198, 51, 100, 9};
  EXPECT_EQ(std::memcmp(bytes.data() + kOffsetRecipientAddress, ip, 4), 0);
  for (size_t i = 4; i < 16; ++i) EXPECT_EQ(bytes[kOffsetRecipientAddress + i], 0) << i;
  EXPECT_EQ(u32(kOffsetLicences), kApp);
  EXPECT_EQ(u32(kOffsetLicences + 4), 481u);
  EXPECT_EQ(u32(kOffsetLicences + 8), 482u);
}

TEST_F(TicketTest, KeyIdIsBlake2bOfThePublicKey) {
  uint8_t hash[32];
  crypto_generichash(hash, sizeof hash, hub_.public_key.data(), hub_.public_key.size(), nullptr, 0);
  auto id = keyIdOf(hub_.public_key);
  EXPECT_EQ(std::memcmp(id.data(), hash, 8), 0);
  EXPECT_NE(keyIdOf(other_hub_.public_key), id);
}

TEST_F(TicketTest, SignatureCoversDomainAndClaims) {
  auto bytes = issue(claims());
  const size_t claims_len = bytes.size() - kSignatureBytes;
  std::vector<uint8_t> msg(kSignatureDomain.begin(), kSignatureDomain.end());
  msg.insert(msg.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(claims_len));
  EXPECT_EQ(
      crypto_sign_ed25519_verify_detached(bytes.data() + claims_len, msg.data(), msg.size(), hub_.public_key.data()),
      0);
  // Without the domain the signature is worthless: it cannot be lifted from another context.
  EXPECT_NE(
      crypto_sign_ed25519_verify_detached(bytes.data() + claims_len, bytes.data(), claims_len, hub_.public_key.data()),
      0);
}

TEST_F(TicketTest, IssueSortsAndDeduplicatesLicencesAndDrawsUniqueIds) {
  Claims c = claims();
  c.licences = {900, 480, 900, 481, 480};
  std::set<uint64_t> ids;
  for (int i = 0; i < 64; ++i) {
    auto r = issueTicket(c, hub_);
    ASSERT_TRUE(r.has_value());
    ids.insert(r.value().ticket_id);
    auto parsed = parseTicket(r.value().bytes);
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->claims.licences, (std::vector<uint32_t>{480, 481, 900}));
    EXPECT_EQ(parsed->claims.ticket_id, r.value().ticket_id);
  }
  EXPECT_EQ(ids.size(), 64u);
  EXPECT_EQ(ids.count(0), 0u);
}

TEST_F(TicketTest, HasLicence) {
  Claims out;
  ASSERT_EQ(check(issue(claims()), kUser, kApp, kNow, nullptr, &out), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_TRUE(hasLicence(out, kApp));
  EXPECT_TRUE(hasLicence(out, 482));
  EXPECT_FALSE(hasLicence(out, 483));
  EXPECT_FALSE(hasLicence(out, 0));
}

// ---- The offline check and its result codes ----------------------------------------------------

TEST_F(TicketTest, ForgedTicketsAreInvalid) {
  // Issued by another hub: names a key we do not trust.
  auto foreign = issueTicket(claims(), other_hub_);
  ASSERT_TRUE(foreign.has_value());
  TicketError why{};
  EXPECT_EQ(check(foreign.value().bytes, kUser, kApp, kNow, &why), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(why, TicketError::kUnknownHubKey);

  // A forger copies our key id into a ticket signed with their own key.
  auto forged = foreign.value().bytes;
  auto our_id = keyIdOf(hub_.public_key);
  std::memcpy(forged.data() + kOffsetHubKeyId, our_id.data(), our_id.size());
  std::vector<uint8_t> msg(kSignatureDomain.begin(), kSignatureDomain.end());
  msg.insert(msg.end(), forged.begin(), forged.end() - kSignatureBytes);
  auto sig = other_hub_.sign(msg);
  std::memcpy(forged.data() + forged.size() - kSignatureBytes, sig.data(), sig.size());
  EXPECT_EQ(check(forged, kUser, kApp, kNow, &why), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(why, TicketError::kBadSignature);

  // Our genuine ticket, with its signature replaced by zeros.
  auto zeroed = issue(claims());
  std::fill(zeroed.end() - kSignatureBytes, zeroed.end(), 0);
  EXPECT_EQ(check(zeroed, kUser, kApp, kNow, &why), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(why, TicketError::kBadSignature);
}

TEST_F(TicketTest, EverySingleByteAlterationIsRejected) {
  Claims c = claims();
  c.recipient = *Recipient::fromAddressString("203.0.113.7:27015");
  const auto good = issue(c);
  ASSERT_EQ(check(good), BEGIN_AUTH_SESSION_RESULT_OK);
  size_t tried = 0;
  for (size_t pos = 0; pos < good.size(); ++pos) {
    for (int delta = 1; delta < 256; ++delta) {
      auto bad = good;
      bad[pos] = static_cast<uint8_t>(bad[pos] + delta);
      TicketError why{};
      const int result = check(bad, kUser, kApp, kNow + 60, &why);
      const int expected =
          pos == kOffsetVersion ? BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION : BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET;
      ASSERT_EQ(result, expected) << "byte " << pos << " + " << delta << ": " << toString(why);
      ++tried;
    }
  }
  EXPECT_EQ(tried, good.size() * 255);
}

TEST_F(TicketTest, WrongAppIsGameMismatch) {
  TicketError why{};
  EXPECT_EQ(check(issue(claims()), kUser, kApp + 1, kNow, &why), BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH);
  EXPECT_EQ(why, TicketError::kWrongApp);
}

TEST_F(TicketTest, ExpiryIsExclusive) {
  const auto bytes = issue(claims());
  const int64_t expires = kNow + kDefaultLifetimeSeconds;
  TicketError why{};
  EXPECT_EQ(check(bytes, kUser, kApp, expires - 1, &why), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(check(bytes, kUser, kApp, expires, &why), BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET);
  EXPECT_EQ(why, TicketError::kExpired);
  EXPECT_EQ(check(bytes, kUser, kApp, expires + 365 * 86400, &why), BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET);
}

TEST_F(TicketTest, TicketFromTheFutureBeyondSkewIsOutsideItsWindow) {
  const auto bytes = issue(claims());
  TicketError why{};
  EXPECT_EQ(check(bytes, kUser, kApp, kNow - kMaxClockSkewSeconds, &why), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(check(bytes, kUser, kApp, kNow - kMaxClockSkewSeconds - 1, &why), BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET);
  EXPECT_EQ(why, TicketError::kNotYetValid);
  // Extreme clock values are handled without overflow.
  EXPECT_EQ(check(bytes, kUser, kApp, INT64_MIN, &why), BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET);
  EXPECT_EQ(check(bytes, kUser, kApp, INT64_MAX, &why), BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET);
  EXPECT_EQ(why, TicketError::kExpired);
}

TEST_F(TicketTest, WrongClaimedUserIsInvalid) {
  TicketError why{};
  Claims out;
  out.app_id = 1;
  EXPECT_EQ(check(issue(claims()), steamid::individual(22203), kApp, kNow, &why, &out),
            BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(why, TicketError::kWrongUser);
  EXPECT_EQ(out.app_id, 1u);  // claims are written only on OK
}

TEST_F(TicketTest, BorrowedTicketNamesTheOwner) {
  Claims c = claims();
  c.owner_steam_id = steamid::individual(99);
  Claims out;
  ASSERT_EQ(check(issue(c), kUser, kApp, kNow, nullptr, &out), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(out.steam_id, kUser);
  EXPECT_EQ(out.owner_steam_id, steamid::individual(99));
}

TEST_F(TicketTest, UnknownVersionIsInvalidVersion) {
  for (uint8_t version : {uint8_t{0}, uint8_t{2}, uint8_t{255}}) {
    auto bytes = issue(claims());
    bytes[kOffsetVersion] = version;
    TicketError why{};
    EXPECT_EQ(check(bytes, kUser, kApp, kNow, &why), BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION);
    EXPECT_EQ(why, TicketError::kUnknownVersion);
  }
  // A future version may be longer or shorter; only the first five bytes are read.
  const uint8_t v2_stub[5] = {'O', 'P', 'T', 'K', 2};
  EXPECT_EQ(check(v2_stub), BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION);
}

TEST_F(TicketTest, TruncationAtEveryLengthIsInvalid) {
  const auto good = issue(claims());
  for (size_t len = 0; len < good.size(); ++len) {
    // An exactly-sized copy, so a sanitizer build catches any read past the end.
    std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<ptrdiff_t>(len));
    TicketError why{};
    ASSERT_EQ(check(cut, kUser, kApp, kNow, &why), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET) << len;
    EXPECT_TRUE(why == TicketError::kTooShort || why == TicketError::kLengthMismatch) << len << ": " << toString(why);
  }
  auto longer = good;
  longer.push_back(0);
  TicketError why{};
  EXPECT_EQ(check(longer, kUser, kApp, kNow, &why), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(why, TicketError::kLengthMismatch);
  EXPECT_EQ(check({}, kUser, kApp, kNow, &why), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(why, TicketError::kTooShort);
}

TEST_F(TicketTest, NotATicketIsInvalid) {
  std::vector<uint8_t> valve_like(234, 0);
  valve_like[0] = 20;  // a Valve ticket starts with the GC length
  TicketError why{};
  EXPECT_EQ(check(valve_like, kUser, kApp, kNow, &why), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(why, TicketError::kBadMagic);
  std::vector<uint8_t> huge(kMaxTicketBytes + 1, 0);
  std::memcpy(huge.data(), "OPTK\x01", 5);
  EXPECT_EQ(check(huge, kUser, kApp, kNow, &why), BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET);
  EXPECT_EQ(why, TicketError::kTooLong);
}

// Each structural rule of spec §5, by the reason the parser names.
TEST_F(TicketTest, ParserNamesTheBrokenRule) {
  Claims c = claims();
  c.recipient = Recipient::steamId(kServer);
  const auto good = issue(c);
  auto reason = [](std::vector<uint8_t> bytes) {
    TicketError why{};
    EXPECT_FALSE(parseTicket(bytes, &why).has_value());
    return why;
  };
  auto with = [&](size_t off, uint8_t v) {
    auto b = good;
    b[off] = v;
    return b;
  };
  EXPECT_EQ(reason(with(0, 'X')), TicketError::kBadMagic);
  EXPECT_EQ(reason(with(kOffsetLicenceCount, 4)), TicketError::kLengthMismatch);
  EXPECT_EQ(reason(with(kOffsetLicenceCount + 1, 1)), TicketError::kTooManyLicences);
  EXPECT_EQ(reason(with(kOffsetRecipientKind, 4)), TicketError::kBadRecipientKind);
  EXPECT_EQ(reason(with(kOffsetReserved, 1)), TicketError::kReservedNotZero);
  EXPECT_EQ(reason(with(kOffsetRecipientPort, 1)), TicketError::kBadRecipient);
  EXPECT_EQ(reason(with(kOffsetRecipientAddress + 8, 1)), TicketError::kBadRecipient);
  EXPECT_EQ(reason(with(kOffsetRecipientKind, 0)), TicketError::kBadRecipient);
  EXPECT_EQ(reason(with(kOffsetSteamId + 6, 0x70)), TicketError::kBadSteamId);  // a clan
  EXPECT_EQ(reason(with(kOffsetOwnerSteamId + 7, 0)), TicketError::kBadOwnerSteamId);
  EXPECT_EQ(reason(with(kOffsetIssuedAt + 7, 0x80)), TicketError::kBadLifetime);  // negative
  EXPECT_EQ(reason(with(kOffsetLicences + 4, 0xDF)), TicketError::kBadLicences);  // 481 -> 479
  auto zero_licence = good;
  std::fill_n(zero_licence.begin() + kOffsetLicences, 4, 0);
  EXPECT_EQ(reason(zero_licence), TicketError::kBadLicences);
  auto zero_id = good;
  std::fill_n(zero_id.begin() + kOffsetTicketId, 8, 0);
  EXPECT_EQ(reason(zero_id), TicketError::kZeroTicketId);
  auto zero_app = good;
  std::fill_n(zero_app.begin() + kOffsetAppId, 4, 0);
  EXPECT_EQ(reason(zero_app), TicketError::kZeroAppId);
  auto swapped = good;  // expires_at = issued_at
  std::copy_n(good.begin() + kOffsetIssuedAt, 8, swapped.begin() + kOffsetExpiresAt);
  EXPECT_EQ(reason(swapped), TicketError::kBadLifetime);
}

// ---- The size bound ----------------------------------------------------------------------------

TEST_F(TicketTest, MaximumLicencesFillExactly1024Bytes) {
  static_assert(kMaxLicences == 220);
  Claims c = claims();
  c.recipient = *Recipient::fromAddressString("[2001:db8::1]:27015");  // the largest recipient
  c.licences.clear();
  for (uint32_t i = 0; i < kMaxLicences; ++i) c.licences.push_back(1000 + i);
  auto r = issueTicket(c, hub_);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r.value().bytes.size(), kMaxTicketBytes);
  Claims out;
  ASSERT_EQ(check(r.value().bytes, kUser, kApp, kNow, nullptr, &out), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(out.licences.size(), kMaxLicences);

  // One more distinct licence does not fit: refused, not truncated.
  c.licences.push_back(5000);
  auto refused = issueTicket(c, hub_);
  EXPECT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error(), TicketError::kTooManyLicences);
  EXPECT_TRUE(refused.value().bytes.empty());

  // Duplicates do not count: they are removed before the bound applies.
  c.licences.back() = 1000;
  EXPECT_TRUE(issueTicket(c, hub_).has_value());
}

TEST_F(TicketTest, EveryTicketFitsTheBound) {
  for (size_t n = 0; n <= kMaxLicences; n += 11) {
    Claims c = claims();
    c.licences.clear();
    for (uint32_t i = 0; i < n; ++i) c.licences.push_back(i + 1);
    auto bytes = issue(c);
    EXPECT_EQ(bytes.size(), kMinTicketBytes + n * kLicenceBytes);
    EXPECT_LE(bytes.size(), kMaxTicketBytes);
  }
}

// ---- Issuing refuses bad claims ----------------------------------------------------------------

TEST_F(TicketTest, IssueRefusesClaimsNoServerWouldAccept) {
  auto error = [&](Claims c) {
    auto r = issueTicket(c, hub_);
    EXPECT_FALSE(r.has_value());
    return r.error();
  };
  Claims c = claims();
  c.steam_id = steamid::clan(7);  // neither a player nor a game server
  EXPECT_EQ(error(c), TicketError::kBadSteamId);
  c = claims();
  c.steam_id = kServer;  // a server's own ticket must name itself as owner...
  EXPECT_EQ(error(c), TicketError::kBadOwnerSteamId);
  c.owner_steam_id = kServer;  // ...and list no licences
  EXPECT_EQ(error(c), TicketError::kBadLicences);
  c.licences.clear();
  EXPECT_TRUE(issueTicket(c, hub_).has_value());  // the form GameServer::getAuthSessionTicket uses
  c = claims();
  c.owner_steam_id = 0;
  EXPECT_EQ(error(c), TicketError::kBadOwnerSteamId);
  c = claims();
  c.app_id = 0;
  EXPECT_EQ(error(c), TicketError::kZeroAppId);
  c = claims();
  c.expires_at = c.issued_at;
  EXPECT_EQ(error(c), TicketError::kBadLifetime);
  c = claims();
  c.issued_at = -1;
  EXPECT_EQ(error(c), TicketError::kBadLifetime);
  c = claims();
  c.licences = {0, 480};
  EXPECT_EQ(error(c), TicketError::kBadLicences);
  c = claims();
  c.recipient = Recipient::steamId(0);
  EXPECT_EQ(error(c), TicketError::kBadRecipient);
  c = claims();
  c.recipient.kind = RecipientKind::kIpv4;  // 0.0.0.0
  EXPECT_EQ(error(c), TicketError::kBadRecipient);

  auto mismatched = hub_;
  mismatched.public_key = other_hub_.public_key;
  auto r = issueTicket(claims(), mismatched);
  EXPECT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), TicketError::kBadHubKey);
}

// ---- Recipient binding -------------------------------------------------------------------------

TEST_F(TicketTest, BindingToASteamIdAdmitsOnlyThatId) {
  Claims c = claims();
  c.recipient = Recipient::steamId(kServer);
  Claims out;
  ASSERT_EQ(check(issue(c), kUser, kApp, kNow, nullptr, &out), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_TRUE(recipientMatches(out, kServer, "203.0.113.7:27015"));
  EXPECT_TRUE(recipientMatches(out, kServer, ""));
  EXPECT_FALSE(recipientMatches(out, steamid::gameServer(10289331), "203.0.113.7:27015"));
  EXPECT_FALSE(recipientMatches(out, 0, "203.0.113.7:27015"));
  // An anonymous server with the same account id is another identity.
  EXPECT_FALSE(recipientMatches(out, steamid::anonGameServer(10289330, 0), ""));
}

TEST_F(TicketTest, BindingToAnIpv4AddressWithoutPort) {
  Claims c = claims();
  c.recipient = *Recipient::fromAddressString("203.0.113.7");
  EXPECT_EQ(c.recipient.port, 0);
  Claims out;
  ASSERT_EQ(check(issue(c), kUser, kApp, kNow, nullptr, &out), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_TRUE(recipientMatches(out, kServer, "203.0.113.7:27015"));
  EXPECT_TRUE(recipientMatches(out, kServer, "203.0.113.7:1"));
  EXPECT_TRUE(recipientMatches(out, kServer, "203.0.113.7"));
  EXPECT_TRUE(recipientMatches(out, kServer, "[::ffff:203.0.113.7]:27015"));  // same IPv4
  EXPECT_FALSE(recipientMatches(out, kServer, "203.0.113.8:27015"));
  EXPECT_FALSE(recipientMatches(out, kServer, "[2001:db8::1]:27015"));
  EXPECT_FALSE(recipientMatches(out, kServer, "not an address"));
  EXPECT_FALSE(recipientMatches(out, kServer, ""));
}

TEST_F(TicketTest, BindingToAnIpv4AddressWithPort) {
  Claims c = claims();
  c.recipient = *Recipient::fromAddressString("203.0.113.7:27015");
  Claims out;
  ASSERT_EQ(check(issue(c), kUser, kApp, kNow, nullptr, &out), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(out.recipient.port, 27015);
  EXPECT_TRUE(recipientMatches(out, kServer, "203.0.113.7:27015"));
  EXPECT_FALSE(recipientMatches(out, kServer, "203.0.113.7:27016"));
  EXPECT_FALSE(recipientMatches(out, kServer, "203.0.113.7"));  // the port is part of the binding
  EXPECT_FALSE(recipientMatches(out, kServer, "203.0.113.8:27015"));
}

TEST_F(TicketTest, BindingToAnIpv6Address) {
  Claims c = claims();
  c.recipient = *Recipient::fromAddressString("[2001:db8::1]:27015");
  Claims out;
  ASSERT_EQ(check(issue(c), kUser, kApp, kNow, nullptr, &out), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_EQ(out.recipient.kind, RecipientKind::kIpv6);
  EXPECT_TRUE(recipientMatches(out, kServer, "[2001:db8::1]:27015"));
  EXPECT_TRUE(recipientMatches(out, kServer, "[2001:db8:0::1]:27015"));  // same address
  EXPECT_FALSE(recipientMatches(out, kServer, "[2001:db8::1]:27016"));
  EXPECT_FALSE(recipientMatches(out, kServer, "2001:db8::1"));
  EXPECT_FALSE(recipientMatches(out, kServer, "[2001:db8::2]:27015"));

  c.recipient = *Recipient::fromAddressString("2001:db8::1");
  ASSERT_EQ(check(issue(c), kUser, kApp, kNow, nullptr, &out), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_TRUE(recipientMatches(out, kServer, "[2001:db8::1]:27016"));
  EXPECT_TRUE(recipientMatches(out, kServer, "2001:db8::1"));
  EXPECT_FALSE(recipientMatches(out, kServer, "203.0.113.7:27016"));
}

TEST_F(TicketTest, UnboundTicketMatchesAnyone) {
  Claims out;
  ASSERT_EQ(check(issue(claims()), kUser, kApp, kNow, nullptr, &out), BEGIN_AUTH_SESSION_RESULT_OK);
  EXPECT_TRUE(recipientMatches(out, kServer, "203.0.113.7:27015"));
  EXPECT_TRUE(recipientMatches(out, 0, ""));
}

TEST_F(TicketTest, RecipientAddressStrings) {
  EXPECT_FALSE(Recipient::fromAddressString("").has_value());
  EXPECT_FALSE(Recipient::fromAddressString("0.0.0.0:27015").has_value());
  EXPECT_FALSE(Recipient::fromAddressString("[::]:27015").has_value());
  EXPECT_FALSE(Recipient::fromAddressString("::ffff:0.0.0.0").has_value());
  EXPECT_FALSE(Recipient::fromAddressString("203.0.113.7:70000").has_value());
  EXPECT_FALSE(Recipient::fromAddressString("example.com:27015").has_value());
  auto mapped = Recipient::fromAddressString("[::ffff:203.0.113.7]:5");
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ(mapped, Recipient::fromAddressString("203.0.113.7:5"));
  EXPECT_EQ(mapped->kind, RecipientKind::kIpv4);
}

// ---- Fuzz seeds --------------------------------------------------------------------------------

// tests/fuzz/corpus/fuzz_ticket/seed_* must be exactly what the current code issues from the seed
// claims (so the fuzzer starts from valid tickets). After a format change, regenerate them with
//   OUTPOST_WRITE_TICKET_SEEDS=1 ./build/tests/unit/ticket_unit_tests --gtest_filter='*FuzzSeeds*'
TEST(TicketFuzzSeeds, CommittedSeedsAreCurrentValidTickets) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(OUTPOST_SOURCE_DIR) / "tests/fuzz/corpus/fuzz_ticket";
  const bool write = std::getenv("OUTPOST_WRITE_TICKET_SEEDS") != nullptr;
  const auto key = fuzzseeds::hubKey();
  for (const auto& [name, claims] : fuzzseeds::seedClaims()) {
    auto r = issueTicket(claims, key);
    ASSERT_TRUE(r.has_value()) << name << ": " << toString(r.error());
    const auto& bytes = r.value().bytes;
    Claims out;
    ASSERT_EQ(checkTicketOffline(bytes, claims.steam_id, claims.app_id, fuzzseeds::kIssuedAt, key.public_key, &out),
              BEGIN_AUTH_SESSION_RESULT_OK)
        << name;
    const fs::path file = dir / ("seed_" + name);
    if (write) {
      fs::create_directories(dir);
      std::ofstream f(file, std::ios::binary | std::ios::trunc);
      f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      ASSERT_TRUE(f.good()) << file;
    }
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << file << " missing; regenerate with OUTPOST_WRITE_TICKET_SEEDS=1";
    std::vector<uint8_t> committed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(committed, bytes) << file << " is stale; regenerate with OUTPOST_WRITE_TICKET_SEEDS=1";
  }
}

}  // namespace
}  // namespace outpost::ticket
