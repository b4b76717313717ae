// What a local operator's client reads from a hub's data directory (`outpost admin --data-dir`):
// the hub's public key (hub.pub) and the admin token (admin.token). The hub writes these files
// (src/hub/data_dir.cpp); the names are declared here, on the client side of the hub RPC, so the
// CLI reads them without linking the hub. Blocking file reads; thread-safe.
#pragma once

#include <string>

namespace outpost::hubrpc {

inline constexpr const char* kHubPublicKeyFile = "hub.pub";    // 64 hex + newline
inline constexpr const char* kAdminTokenFile = "admin.token";  // 64 hex + newline
inline constexpr const char* kHubContactFile = "hub.address";  // KEY@IP:PORT + newline (hub_contact.h)

// Reads hub.pub (and admin.token unless admin_token_hex is null), each 64 hex characters in any
// case, returned in lower case. false and *error naming the file otherwise.
bool readClientCredentials(const std::string& data_dir, std::string* public_key_hex, std::string* admin_token_hex,
                           std::string* error);

// The first line of a small text file (a secret: a token or a password), without its line end.
// false and *error if it cannot be read or is empty.
bool readSecretFile(const std::string& path, std::string* out, std::string* error);

}  // namespace outpost::hubrpc
