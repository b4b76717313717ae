// Client credentials of a data directory (see client_credentials.h).
#include "hubrpc/client_credentials.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "hubrpc/hub_contact.h"

namespace outpost::hubrpc {

bool readSecretFile(const std::string& path, std::string* out, std::string* error) {
  std::ifstream f(path);
  if (!f) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string line;
  std::getline(f, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (line.empty()) {
    *error = path + " is empty";
    return false;
  }
  *out = line;
  return true;
}

bool readClientCredentials(const std::string& data_dir, std::string* public_key_hex, std::string* admin_token_hex,
                           std::string* error) {
  std::string path = data_dir + "/" + kHubPublicKeyFile, text, why;
  auto key = readSecretFile(path, &text, &why) ? normaliseHubKey(text) : std::nullopt;
  if (!key) {
    *error = "cannot read the hub's public key from " + path;
    return false;
  }
  *public_key_hex = *key;
  if (!admin_token_hex) return true;
  path = data_dir + "/" + kAdminTokenFile;
  auto token = readSecretFile(path, &text, &why) ? normaliseHubKey(text) : std::nullopt;  // 64 hex as well
  if (!token) {
    *error = "cannot read the admin token from " + path;
    return false;
  }
  *admin_token_hex = *token;
  return true;
}

}  // namespace outpost::hubrpc
