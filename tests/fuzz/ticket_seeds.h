// The fixed hub key of the fuzz_ticket target and the claims of its seed tickets. Shared by
// fuzz_ticket.cpp (which verifies against this key) and tests/unit/ticket_test.cpp (which checks
// that corpus/fuzz_ticket/seed_* are exactly the tickets issued from these claims, and rewrites
// them when OUTPOST_WRITE_TICKET_SEEDS=1). Ed25519 signatures are deterministic, so the same key
// and claims always give the same bytes. The key is a test key derived from a public constant:
// it protects nothing.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "outpost/steam_id.h"
#include "ticket/ticket.h"

namespace outpost::ticket::fuzzseeds {

inline constexpr std::array<uint8_t, 32> kHubKeySeed = {'o', 'u', 't', 'p', 'o', 's', 't', '-', 'f', 'u', 'z',
                                                        'z', '-', 't', 'i', 'c', 'k', 'e', 't', '-', 'h', 'u',
                                                        'b', '-', 'k', 'e', 'y', '-', 's', 'e', 'e', 'd'};

// Fixed issue time of the seeds (2026-01-01T00:00:00Z) so they are reproducible.
inline constexpr int64_t kIssuedAt = 1767225600;

inline crypto::IdentityKeyPair hubKey() { return keyPairFromSeed(kHubKeySeed); }

// Named claims for each seed file (written as corpus/fuzz_ticket/seed_<name>).
inline std::vector<std::pair<std::string, Claims>> seedClaims() {
  std::vector<std::pair<std::string, Claims>> out;
  Claims base;
  base.ticket_id = 0x0123456789ABCDEFull;
  base.steam_id = steamid::individual(22202);
  base.owner_steam_id = base.steam_id;
  base.app_id = 480;
  base.issued_at = kIssuedAt;
  base.expires_at = kIssuedAt + kDefaultLifetimeSeconds;

  out.emplace_back("plain", base);

  Claims dlc = base;
  dlc.ticket_id = 2;
  dlc.licences = {480, 481, 482, 1000000};
  dlc.recipient = Recipient::steamId(steamid::gameServer(10289330));
  out.emplace_back("steam_id_recipient_dlc", dlc);

  Claims v4 = base;
  v4.ticket_id = 3;
  v4.owner_steam_id = steamid::individual(7);  // borrowed (family sharing)
  v4.licences = {480};
  v4.recipient = *Recipient::fromAddressString("203.0.113.7:27015");
  out.emplace_back("ipv4_port_borrowed", v4);

  Claims v6 = base;
  v6.ticket_id = 4;
  v6.recipient = *Recipient::fromAddressString("2001:db8::1");
  out.emplace_back("ipv6_any_port", v6);

  Claims full = base;
  full.ticket_id = 5;
  for (uint32_t i = 0; i < kMaxLicences; ++i) full.licences.push_back(480 + i);
  out.emplace_back("max_licences", full);
  return out;
}

}  // namespace outpost::ticket::fuzzseeds
