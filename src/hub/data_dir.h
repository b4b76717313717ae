// DataDir: the hub's data directory — its Ed25519 key (hub.key, created on first start, mode
// 0600, never logged), the public key (hub.pub, what SDKs and the CLI pin), the admin token
// (admin.token, 0600) and the SQLite file (hub.sqlite).
#pragma once

#include <string>

#include "crypto/crypto.h"

namespace outpost::hub {

struct DataDir {
  std::string path;
  crypto::IdentityKeyPair key;
  std::string public_key_hex;
  std::string admin_token_hex;
  bool created_key = false;

  std::string storePath() const { return path + "/hub.sqlite"; }
};

// Creates the directory and its key files if missing; loads them otherwise. false and *error
// on failure (unreadable or corrupt key files are an error, never silently replaced).
bool openDataDir(const std::string& path, DataDir& out, std::string* error);

// Reads hub.pub and admin.token of a data directory (the CLI's local shortcut).
bool readClientCredentials(const std::string& path, std::string* public_key_hex, std::string* admin_token_hex,
                           std::string* error);

}  // namespace outpost::hub
