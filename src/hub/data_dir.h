// DataDir: the hub's data directory — its Ed25519 key (hub.key, created on first start, never
// logged), the public key (hub.pub, what SDKs and the CLI pin), the contact (hub.address,
// KEY@IP:PORT, what users copy into OUTPOST_HUB), the admin token (admin.token) and the SQLite
// files (hub.sqlite and its -wal/-shm).
//
// Permissions hold whatever existed before: on every start the directory is made 0700 and every
// file in it 0600 (subdirectories 0700). The hub refuses to start, naming the path, when the
// directory or an entry in it belongs to another user, is a symbolic link, or is not a regular
// file or directory. Files are written to "<name>.tmp" opened O_CREAT|O_EXCL|O_NOFOLLOW with mode
// 0600 (a leftover temporary file is removed first, never reused), fsynced, renamed over the
// name, and the directory is fsynced after the rename, so a crash leaves the old file or the new
// one, never half of one and never one readable by others.
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

// Creates the directory and its key files if missing; loads them otherwise; fixes the
// permissions of everything in it (see above) and creates hub.sqlite empty with mode 0600 if it
// is missing, so SQLite's own files inherit that mode. false and *error (naming the path) on
// failure; unreadable or corrupt key files are an error, never silently replaced.
bool openDataDir(const std::string& path, DataDir& out, std::string* error);

// Makes the directory 0700 and every entry 0600 (directories 0700) again — after SQLite created
// its -wal and -shm files. false and *error naming the offending path.
bool secureDataDir(const std::string& path, std::string* error);

// Writes hub.address ("KEY@IP:PORT" and a newline) the same safe way as the key files.
bool writeContactFile(const std::string& path, const std::string& contact, std::string* error);

}  // namespace outpost::hub
