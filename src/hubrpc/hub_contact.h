// Hub contact: the one value that tells an SDK or the CLI where a hub is and which key it must
// present — "<64-hex public key>@<ip>:<port>", e.g.
//   3b6a27bc...e9d1@203.0.113.5:27100
// The hub prints it at start and writes it to <data-dir>/hub.address; OUTPOST_HUB takes it (the
// SDK, the examples and `outpost admin --hub`). The older pair still works: OUTPOST_HUB=ip:port
// with OUTPOST_HUB_KEY=<key>. Keys are hex in either case and are normalised to lower case here,
// where they are parsed, so a key copied in upper case matches.
//
// The SDK refuses to log on to a hub whose key it was not given (docs/decisions); the one way
// around that is a named opt-out for development (allowUnpinnedHub / OUTPOST_HUB_ALLOW_UNPINNED=1),
// and every logon made under it logs a warning. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

namespace outpost::hubrpc {

struct HubContact {
  std::string address;  // "ip:port" / "[v6]:port"
  std::string key_hex;  // 64 lower-case hex characters, or "" (not given)
};

// 64 hex characters in any case -> lower case; nullopt for anything else (including "").
std::optional<std::string> normaliseHubKey(const std::string& hex);
// "key@ip:port" or "ip:port". nullopt and *why when malformed.
std::optional<HubContact> parseHubContact(const std::string& text, std::string* why);
// An address-or-contact and a separately given key (either may be ""); when both carry a key
// they must be the same key. nullopt and *why when malformed or contradictory.
std::optional<HubContact> resolveHub(const std::string& address_or_contact, const std::string& key_hex,
                                     std::string* why);
// OUTPOST_HUB and OUTPOST_HUB_KEY (an unset OUTPOST_HUB gives an empty address).
std::optional<HubContact> hubFromEnvironment(std::string* why);
// OUTPOST_HUB_ALLOW_UNPINNED=1: the environment's form of the development opt-out.
bool unpinnedHubAllowedByEnvironment();
std::string formatHubContact(const std::string& key_hex, const std::string& address);

}  // namespace outpost::hubrpc
