// Hub contact parsing (see hub_contact.h). Pure functions.
#include "hubrpc/hub_contact.h"

#include <cstdlib>
#include <cstring>

#include "base/address.h"

namespace outpost::hubrpc {

std::optional<std::string> normaliseHubKey(const std::string& hex) {
  if (hex.size() != 64) return std::nullopt;
  std::string out = hex;
  for (char& c : out) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return out;
}

std::optional<HubContact> parseHubContact(const std::string& text, std::string* why) {
  HubContact c;
  std::string address = text;
  if (auto at = text.find('@'); at != std::string::npos) {
    auto key = normaliseHubKey(text.substr(0, at));
    if (!key) {
      *why = "the hub key before '@' must be 64 hex characters";
      return std::nullopt;
    }
    c.key_hex = *key;
    address = text.substr(at + 1);
  }
  if (address.empty() || address.front() == ':' || !base::SocketAddress::parse(address, true)) {
    *why = "the hub address \"" + address + "\" is not IP:PORT (the hub prints KEY@IP:PORT at start)";
    return std::nullopt;
  }
  c.address = address;
  return c;
}

std::optional<HubContact> resolveHub(const std::string& address_or_contact, const std::string& key_hex,
                                     std::string* why) {
  HubContact c;
  if (!address_or_contact.empty()) {
    auto parsed = parseHubContact(address_or_contact, why);
    if (!parsed) return std::nullopt;
    c = *parsed;
  }
  if (!key_hex.empty()) {
    auto key = normaliseHubKey(key_hex);
    if (!key) {
      *why = "the hub key must be 64 hex characters";
      return std::nullopt;
    }
    if (!c.key_hex.empty() && c.key_hex != *key) {
      *why = "two different hub keys were given (in KEY@IP:PORT and separately)";
      return std::nullopt;
    }
    c.key_hex = *key;
  }
  return c;
}

std::optional<HubContact> hubFromEnvironment(std::string* why) {
  const char* a = std::getenv("OUTPOST_HUB");
  const char* k = std::getenv("OUTPOST_HUB_KEY");
  auto c = resolveHub(a ? a : "", k ? k : "", why);
  if (!c) *why = "OUTPOST_HUB / OUTPOST_HUB_KEY: " + *why;
  return c;
}

bool unpinnedHubAllowedByEnvironment() {
  const char* v = std::getenv("OUTPOST_HUB_ALLOW_UNPINNED");
  return v && std::strcmp(v, "1") == 0;
}

std::string formatHubContact(const std::string& key_hex, const std::string& address) { return key_hex + "@" + address; }

}  // namespace outpost::hubrpc
