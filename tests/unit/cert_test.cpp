// Unit tests for identity certificates (src/cert, docs/spec/cert.md): the byte layout, every
// structural refusal in the order of §5, signatures (any changed byte is refused), requests and
// their proof of possession, address prefixes, and the Verifier's ordered checks, cache,
// revocations and trusted-key bounds.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>

#include "../fuzz/cert_seeds.h"
#include "cert/cert.h"
#include "cert/verifier.h"
#include "outpost/steam_id.h"

namespace outpost::cert {
namespace {

constexpr int64_t kNow = 1'700'000'000;

struct Fixture {
  crypto::IdentityKeyPair ca = crypto::IdentityKeyPair::generate();
  crypto::IdentityKeyPair holder = crypto::IdentityKeyPair::generate();

  Claims claims(uint64_t steam_id = steamid::individual(42)) const {
    Claims c;
    c.steam_id = steam_id;
    c.public_key = holder.public_key;
    c.app_ids = {480};
    c.issued_at = kNow - 10;
    c.expires_at = kNow + 3600;
    return c;
  }
  std::vector<uint8_t> make(const Claims& c) const {
    auto r = issue(c, ca);
    EXPECT_EQ(r.error, CertError::kNone) << toString(r.error);
    return r.bytes;
  }
  Expectations expect() const {
    Expectations e;
    e.holder_key = holder.public_key;
    e.claimed_steam_id = steamid::individual(42);
    e.now_unix = kNow;
    return e;
  }
};

TEST(Cert, LayoutMatchesTheSpec) {
  Fixture f;
  Claims c = f.claims(steamid::gameServer(7));
  c.app_ids = {730, 480};  // sorted by issue()
  c.addresses = {*AddressPrefix::parse("10.0.0.0/8")};
  auto bytes = f.make(c);
  ASSERT_EQ(bytes.size(), 144u + 4 * 2 + 18 * 1);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 4), "OPCT");
  EXPECT_EQ(bytes[kOffsetVersion], 1);
  EXPECT_EQ(bytes[kOffsetAppCount], 2);
  EXPECT_EQ(bytes[kOffsetAddressCount], 1);
  EXPECT_EQ(bytes[kOffsetReserved], 0);
  auto id = crypto::publicKeyId(f.ca.public_key);
  EXPECT_TRUE(std::equal(id.begin(), id.end(), bytes.begin() + kOffsetCaKeyId));
  EXPECT_TRUE(std::equal(f.holder.public_key.begin(), f.holder.public_key.end(), bytes.begin() + kOffsetPublicKey));
  EXPECT_EQ(bytes[kOffsetApps], 480 & 0xFF);  // little-endian, sorted
  EXPECT_EQ(bytes[kOffsetApps + 4], 730 & 0xFF);
  EXPECT_EQ(bytes[kOffsetApps + 8], 4);  // address family
  EXPECT_EQ(bytes[kOffsetApps + 9], 8);  // prefix bits
  EXPECT_EQ(bytes[kOffsetApps + 10], 10);
  auto parsed = parse(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->claims.steam_id, steamid::gameServer(7));
  EXPECT_EQ(parsed->claims.app_ids, (std::vector<uint32_t>{480, 730}));
  EXPECT_EQ(encode(*parsed), bytes);  // one encoding per certificate
  EXPECT_EQ(verifySignature(*parsed, bytes, f.ca.public_key), CertError::kNone);
}

TEST(Cert, SizesStayWithinTheHandshakeSlot) {
  Fixture f;
  Claims c = f.claims();
  c.app_ids = {1, 2, 3, 4, 5, 6, 7, 8};
  for (const char* a : {"1.0.0.0/8", "2.0.0.0/8", "fd00::/8", "::1"}) c.addresses.push_back(*AddressPrefix::parse(a));
  auto big = f.make(c);
  EXPECT_EQ(big.size(), kMaxCertBytes);
  EXPECT_LE(kMaxCertBytes, 512u);  // wire::kMaxCertBytes
  c.app_ids.push_back(9);
  EXPECT_EQ(issue(c, f.ca).error, CertError::kBadCounts);  // refused, never truncated
  EXPECT_EQ(f.make(f.claims()).size(), kMinCertBytes);
}

TEST(Cert, StructuralRefusalsInOrder) {
  Fixture f;
  auto good = f.make(f.claims());
  auto refuse = [](std::vector<uint8_t> b) {
    CertError why = CertError::kNone;
    EXPECT_FALSE(parse(b, &why));
    return why;
  };
  EXPECT_EQ(refuse(std::vector<uint8_t>(kMaxCertBytes + 1, 0)), CertError::kTooLong);
  EXPECT_EQ(refuse({'O', 'P'}), CertError::kTooShort);
  auto b = good;
  b[0] = 'X';
  EXPECT_EQ(refuse(b), CertError::kBadMagic);
  b = good;
  b[kOffsetVersion] = 2;
  EXPECT_EQ(refuse(b), CertError::kUnknownVersion);
  EXPECT_EQ(refuse(std::vector<uint8_t>(good.begin(), good.begin() + 100)), CertError::kTooShort);
  b = good;
  b[kOffsetAppCount] = 0;
  EXPECT_EQ(refuse(b), CertError::kBadCounts);
  b = good;
  b[kOffsetAddressCount] = 5;
  EXPECT_EQ(refuse(b), CertError::kBadCounts);
  b = good;
  b.push_back(0);
  EXPECT_EQ(refuse(b), CertError::kLengthMismatch);
  b = good;
  b[kOffsetReserved] = 1;
  EXPECT_EQ(refuse(b), CertError::kReservedNotZero);
  b = good;
  std::fill(b.begin() + kOffsetSerial, b.begin() + kOffsetSerial + 8, 0);
  EXPECT_EQ(refuse(b), CertError::kZeroSerial);
  b = good;
  std::fill(b.begin() + kOffsetSteamId, b.begin() + kOffsetSteamId + 8, 0);
  EXPECT_EQ(refuse(b), CertError::kBadIdentity);
  b = good;
  std::fill(b.begin() + kOffsetPublicKey, b.begin() + kOffsetPublicKey + 32, 0);
  EXPECT_EQ(refuse(b), CertError::kBadPublicKey);
  b = good;
  std::copy(b.begin() + kOffsetIssuedAt, b.begin() + kOffsetIssuedAt + 8, b.begin() + kOffsetExpiresAt);
  EXPECT_EQ(refuse(b), CertError::kBadLifetime);
  b = good;
  std::fill(b.begin() + kOffsetApps, b.begin() + kOffsetApps + 4, 0);
  EXPECT_EQ(refuse(b), CertError::kBadApps);
  // Claims a parser would refuse are refused by the issuer as well.
  Claims c = f.claims();
  c.expires_at = c.issued_at + kMaxLifetimeSeconds + 1;
  EXPECT_EQ(issue(c, f.ca).error, CertError::kBadLifetime);
  c = f.claims(steamid::clan(5));
  EXPECT_EQ(issue(c, f.ca).error, CertError::kBadIdentity);
  c = f.claims();
  c.app_ids = {0};
  EXPECT_EQ(issue(c, f.ca).error, CertError::kBadApps);
  crypto::IdentityKeyPair mismatched = f.ca;
  mismatched.public_key[0] ^= 1;
  EXPECT_EQ(issue(f.claims(), mismatched).error, CertError::kBadCaKey);
}

TEST(Cert, AnyChangedByteIsRefused) {
  Fixture f;
  Claims c = f.claims();
  c.addresses = {*AddressPrefix::parse("192.168.0.0/16")};
  auto good = f.make(c);
  for (size_t i = 0; i < good.size(); ++i) {
    auto b = good;
    b[i] ^= 0x20;
    auto parsed = parse(b);
    if (!parsed) continue;  // a structural refusal
    EXPECT_NE(verifySignature(*parsed, b, f.ca.public_key), CertError::kNone) << "byte " << i;
  }
}

TEST(Cert, AddressPrefixes) {
  auto v4 = AddressPrefix::parse("10.1.0.0/16");
  ASSERT_TRUE(v4);
  std::array<uint8_t, 16> ip{};
  ip[10] = ip[11] = 0xff;  // ::ffff:10.1.2.3
  ip[12] = 10, ip[13] = 1, ip[14] = 2, ip[15] = 3;
  EXPECT_TRUE(v4->contains(ip));
  ip[13] = 2;
  EXPECT_FALSE(v4->contains(ip));
  EXPECT_EQ(v4->toString(), "10.1.0.0/16");
  EXPECT_FALSE(AddressPrefix::parse("10.1.0.1/16"));  // host bits set
  EXPECT_FALSE(AddressPrefix::parse("10.0.0.0/0"));
  EXPECT_FALSE(AddressPrefix::parse("10.0.0.0/33"));
  EXPECT_FALSE(AddressPrefix::parse("::ffff:1.2.3.4"));  // write it as IPv4
  EXPECT_FALSE(AddressPrefix::parse("nonsense"));
  auto v6 = AddressPrefix::parse("fd00::/64");
  ASSERT_TRUE(v6);
  std::array<uint8_t, 16> ip6{};
  ip6[0] = 0xfd;
  ip6[15] = 1;
  EXPECT_TRUE(v6->contains(ip6));
  EXPECT_FALSE(v4->contains(ip6));  // families never match each other
}

TEST(Cert, RequestCarriesProofOfPossession) {
  auto holder = crypto::IdentityKeyPair::generate();
  auto bytes = makeRequest(holder, steamid::individual(3), 480);
  ASSERT_EQ(bytes.size(), kRequestBytes);
  auto r = parseRequest(bytes);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->public_key, holder.public_key);
  EXPECT_EQ(r->steam_id, steamid::individual(3));
  EXPECT_EQ(r->app_id, 480u);
  // Another key substituted (someone asking for a certificate of a key they do not hold).
  auto other = crypto::IdentityKeyPair::generate();
  std::copy(other.public_key.begin(), other.public_key.end(), bytes.begin() + 20);
  CertError why = CertError::kNone;
  EXPECT_FALSE(parseRequest(bytes, &why));
  EXPECT_EQ(why, CertError::kBadRequestSignature);
  EXPECT_FALSE(parseRequest(std::vector<uint8_t>(10, 0), &why));
  EXPECT_EQ(why, CertError::kBadMagic);
}

TEST(Verifier, EachCheckRefusesWithItsReason) {
  Fixture f;
  Verifier v;
  v.setTrusted(Verifier::Source::kConfigured, {f.ca.public_key});
  std::vector<uint32_t> apps = {480};
  Expectations e = f.expect();
  e.local_apps = apps;
  auto good = f.make(f.claims());
  EXPECT_EQ(v.check(good, e), CertError::kNone);

  Fixture foreign;  // another CA
  foreign.holder = f.holder;
  EXPECT_EQ(v.check(foreign.make(foreign.claims()), e), CertError::kUnknownCa);
  Expectations other_key = e;
  other_key.holder_key = crypto::IdentityKeyPair::generate().public_key;
  EXPECT_EQ(v.check(good, other_key), CertError::kWrongKey);
  Expectations other_claim = e;
  other_claim.claimed_steam_id = steamid::individual(43);
  EXPECT_EQ(v.check(good, other_claim), CertError::kWrongIdentity);
  Expectations other_expected = e;
  other_expected.expected_steam_id = steamid::gameServer(1);
  EXPECT_EQ(v.check(good, other_expected), CertError::kWrongIdentity);
  Claims old = f.claims();
  old.issued_at = kNow - 7200;
  old.expires_at = kNow;  // refused from this second on
  EXPECT_EQ(v.check(f.make(old), e), CertError::kExpired);
  Claims future = f.claims();
  future.issued_at = kNow + kMaxClockSkewSeconds + 1;
  future.expires_at = future.issued_at + 60;
  EXPECT_EQ(v.check(f.make(future), e), CertError::kNotYetValid);
  Claims other_app = f.claims();
  other_app.app_ids = {999};
  EXPECT_EQ(v.check(f.make(other_app), e), CertError::kWrongApp);
  Expectations no_apps = e;
  no_apps.local_apps = {};
  EXPECT_EQ(v.check(f.make(other_app), no_apps), CertError::kNone);  // no app known: not checked
  Claims bound = f.claims();
  bound.addresses = {*AddressPrefix::parse("10.0.0.0/8")};
  Expectations from = e;
  from.peer_ip16 = std::array<uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
  EXPECT_EQ(v.check(f.make(bound), from), CertError::kWrongAddress);
  from.peer_ip16 = std::array<uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 9, 8, 7};
  EXPECT_EQ(v.check(f.make(bound), from), CertError::kNone);
  auto tampered = good;
  tampered.back() ^= 1;
  EXPECT_EQ(v.check(tampered, e), CertError::kBadSignature);
  ASSERT_TRUE(v.addRevocation({steamid::individual(42), 0, kNow}, kNow));
  EXPECT_EQ(v.check(good, e), CertError::kRevoked);
  // A certificate issued after the revocation (an unban) is good again.
  Claims fresh = f.claims();
  fresh.issued_at = kNow + 1;
  e.now_unix = kNow + 2;
  EXPECT_EQ(v.check(f.make(fresh), e), CertError::kNone);
}

TEST(Verifier, RevocationsByAppAndTheirBounds) {
  Fixture f;
  Verifier v;
  v.setTrusted(Verifier::Source::kConfigured, {f.ca.public_key});
  Claims c = f.claims();
  c.app_ids = {480, 730};
  EXPECT_FALSE(v.isRevoked(c));
  EXPECT_FALSE(v.addRevocation({0, 0, kNow}, kNow));                          // would void everything
  EXPECT_FALSE(v.addRevocation({0, 730, kNow - kMaxLifetimeSeconds}, kNow));  // nothing left to void
  EXPECT_TRUE(v.addRevocation({0, 730, kNow}, kNow));                         // a deleted app
  EXPECT_TRUE(v.isRevoked(c));
  EXPECT_FALSE(v.addRevocation({0, 730, kNow - 5}, kNow));  // older: nothing new
  Claims other = f.claims(steamid::individual(9));
  EXPECT_FALSE(v.isRevoked(other));
  EXPECT_TRUE(v.addRevocation({steamid::individual(9), 999, kNow}, kNow));  // banned in another app
  EXPECT_FALSE(v.isRevoked(other));
  EXPECT_TRUE(v.addRevocation({steamid::individual(9), 480, kNow}, kNow));
  EXPECT_TRUE(v.isRevoked(other));
  // Bounded: the oldest goes first.
  for (uint32_t i = 0; i < Verifier::kMaxRevocations; ++i)
    v.addRevocation({steamid::individual(100000 + i), 0, kNow}, kNow);
  EXPECT_EQ(v.revocationCount(), Verifier::kMaxRevocations);
  EXPECT_GT(v.evicted(), 0u);
  EXPECT_FALSE(v.isRevoked(c));  // the app revocation was the oldest
  // Expired revocations are dropped as time passes.
  v.addRevocation({steamid::individual(5), 0, kNow + kMaxLifetimeSeconds}, kNow + kMaxLifetimeSeconds);
  EXPECT_EQ(v.revocationCount(), 1u);
}

TEST(Verifier, CachesVerifiedSignaturesOnly) {
  Fixture f;
  Verifier v;
  v.setTrusted(Verifier::Source::kConfigured, {f.ca.public_key});
  std::vector<uint32_t> apps = {480};
  Expectations e = f.expect();
  e.local_apps = apps;
  auto good = f.make(f.claims());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(v.check(good, e), CertError::kNone);
  EXPECT_EQ(v.signatureChecks(), 1u);
  EXPECT_EQ(v.cacheHits(), 4u);
  auto tampered = good;
  tampered.back() ^= 1;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(v.check(tampered, e), CertError::kBadSignature);
  EXPECT_EQ(v.signatureChecks(), 4u);  // a bad one is never cached
  // Cheap checks run before the signature: an expired certificate costs no verification.
  Claims old = f.claims();
  old.expires_at = kNow;
  v.check(f.make(old), e);
  EXPECT_EQ(v.signatureChecks(), 4u);
  // Dropping the CA key forgets what it vouched for.
  v.setTrusted(Verifier::Source::kConfigured, {});
  EXPECT_EQ(v.check(good, e), CertError::kUnknownCa);
}

TEST(Verifier, TrustedKeysBySourceAndBounded) {
  Verifier v;
  std::vector<PublicKey> many;
  for (int i = 0; i < 10; ++i) many.push_back(crypto::IdentityKeyPair::generate().public_key);
  v.setTrusted(Verifier::Source::kConfigured, {many[0]});
  v.setTrusted(Verifier::Source::kSession, {many[0], many[1]});  // duplicates count once
  v.setTrusted(Verifier::Source::kAnnounced, std::vector<PublicKey>(many.begin() + 2, many.end()));
  EXPECT_EQ(v.trustedKeys().size(), Verifier::kMaxTrustedKeys);
  EXPECT_TRUE(v.trustedKey(crypto::publicKeyId(many[1])));
  EXPECT_FALSE(v.trustedKey(crypto::publicKeyId(many[9])));  // past the bound
  // A new announcement replaces only the previously announced keys.
  v.setTrusted(Verifier::Source::kAnnounced, {many[9]});
  EXPECT_EQ(v.trustedKeys().size(), 3u);
  EXPECT_TRUE(v.trustedKey(crypto::publicKeyId(many[9])));
  EXPECT_FALSE(v.trustedKey(crypto::publicKeyId(many[2])));
}

// The fuzz_cert seeds are exactly the certificates (and the request) cert_seeds.h describes.
// Regenerate after a format change:
//   OUTPOST_WRITE_CERT_SEEDS=1 ./build/tests/unit/cert_unit_tests --gtest_filter='CertFuzzSeeds.*'
TEST(CertFuzzSeeds, CommittedSeedsAreCurrentValidCertificates) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(OUTPOST_SOURCE_DIR) / "tests/fuzz/corpus/fuzz_cert";
  const bool write = std::getenv("OUTPOST_WRITE_CERT_SEEDS") != nullptr;
  const auto ca = fuzzseeds::caKey();
  std::vector<std::pair<std::string, std::vector<uint8_t>>> seeds;
  for (const auto& [name, claims] : fuzzseeds::seedClaims()) {
    auto r = issue(claims, ca);
    ASSERT_EQ(r.error, CertError::kNone) << name << ": " << toString(r.error);
    Verifier v;
    v.setTrusted(Verifier::Source::kConfigured, {ca.public_key});
    Expectations e;
    e.holder_key = claims.public_key;
    e.now_unix = fuzzseeds::kIssuedAt;
    ASSERT_EQ(v.check(r.bytes, e), CertError::kNone) << name;
    seeds.emplace_back("seed_" + name, r.bytes);
  }
  seeds.emplace_back("seed_request", makeRequest(fuzzseeds::holderKey(), steamid::individual(22202), 480));
  for (const auto& [name, bytes] : seeds) {
    const fs::path file = dir / name;
    if (write) {
      fs::create_directories(dir);
      std::ofstream f(file, std::ios::binary | std::ios::trunc);
      f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
      ASSERT_TRUE(f.good()) << file;
    }
    std::ifstream in(file, std::ios::binary);
    ASSERT_TRUE(in) << file << " missing; regenerate with OUTPOST_WRITE_CERT_SEEDS=1";
    std::vector<uint8_t> committed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(committed, bytes) << file << " is stale; regenerate with OUTPOST_WRITE_CERT_SEEDS=1";
  }
}

}  // namespace
}  // namespace outpost::cert
