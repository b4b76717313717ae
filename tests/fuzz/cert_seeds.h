// The fixed CA and holder keys of the fuzz_cert target and the claims of its seed certificates.
// Shared by fuzz_cert.cpp (which verifies against this CA) and tests/unit/cert_test.cpp (which
// checks that corpus/fuzz_cert/seed_* are exactly the certificates issued from these claims, and
// rewrites them when OUTPOST_WRITE_CERT_SEEDS=1). Ed25519 signatures are deterministic, so the same
// key and claims always give the same bytes. The keys are test keys derived from public
// constants: they protect nothing.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cert/cert.h"
#include "outpost/steam_id.h"

namespace outpost::cert::fuzzseeds {

inline crypto::IdentityKeyPair keyFromSeed(const char (&text)[33]) {
  crypto::init();
  crypto::IdentityKeyPair k;
  crypto_sign_seed_keypair(k.public_key.data(), k.secret_key.data(), reinterpret_cast<const unsigned char*>(text));
  return k;
}

inline crypto::IdentityKeyPair caKey() { return keyFromSeed("outpost-fuzz-cert-ca-key-seed-32"); }
inline crypto::IdentityKeyPair holderKey() { return keyFromSeed("outpost-fuzz-cert-holder-seed-32"); }

// Fixed issue time of the seeds (2026-01-01T00:00:00Z) so they are reproducible.
inline constexpr int64_t kIssuedAt = 1767225600;

// Named claims for each certificate seed (written as corpus/fuzz_cert/seed_<name>).
inline std::vector<std::pair<std::string, Claims>> seedClaims() {
  std::vector<std::pair<std::string, Claims>> out;
  Claims base;
  base.serial = 0x0123456789ABCDEFull;
  base.steam_id = steamid::individual(22202);
  base.public_key = holderKey().public_key;
  base.app_ids = {480};
  base.issued_at = kIssuedAt;
  base.expires_at = kIssuedAt + kSessionLifetimeSeconds;
  out.emplace_back("player", base);

  Claims server = base;
  server.serial = 2;
  server.steam_id = steamid::gameServer(10289330);
  server.app_ids = {480, 730};
  server.addresses = {*AddressPrefix::parse("203.0.113.0/24"), *AddressPrefix::parse("2001:db8::/32")};
  out.emplace_back("game_server_addresses", server);

  Claims anon = base;
  anon.serial = 3;
  anon.steam_id = steamid::anonGameServer(7, 3);
  out.emplace_back("anonymous_server", anon);

  Claims full = base;
  full.serial = 4;
  full.app_ids = {1, 2, 3, 4, 5, 6, 7, 8};
  full.addresses = {*AddressPrefix::parse("10.0.0.0/8"), *AddressPrefix::parse("192.0.2.1"),
                    *AddressPrefix::parse("::1"), *AddressPrefix::parse("fd00::/8")};
  full.expires_at = kIssuedAt + kMaxLifetimeSeconds;
  out.emplace_back("largest", full);
  return out;
}

}  // namespace outpost::cert::fuzzseeds
