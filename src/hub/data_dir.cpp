// DataDir (see data_dir.h). Files are written to a temporary name, fsynced and renamed, so a
// crash never leaves a half-written key.
#include "hub/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace outpost::hub {

namespace {

bool readFile(const std::string& path, std::string* out) {
  std::ifstream f(path);
  if (!f) return false;
  std::stringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  while (!out->empty() && (out->back() == '\n' || out->back() == ' ')) out->pop_back();
  return true;
}

bool writeFileAtomic(const std::string& path, const std::string& content, mode_t mode, std::string* error) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    *error = "cannot write " + tmp + ": " + std::strerror(errno);
    return false;
  }
  std::string data = content + "\n";
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "cannot write " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

bool openDataDir(const std::string& path, DataDir& out, std::string* error) {
  out.path = path;
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    *error = "cannot create data directory " + path + ": " + std::strerror(errno);
    return false;
  }
  std::string key_path = path + "/hub.key";
  if (!exists(key_path)) {
    out.key = crypto::IdentityKeyPair::generate();
    if (!writeFileAtomic(key_path, crypto::toHex(out.key.secret_key), 0600, error)) return false;
    if (!writeFileAtomic(path + "/hub.pub", crypto::toHex(out.key.public_key), 0644, error)) return false;
    out.created_key = true;
  } else {
    std::string hex;
    std::array<uint8_t, crypto::kSignSecretKeyBytes> sk{};
    if (!readFile(key_path, &hex) || !crypto::fromHex(hex, sk) || !crypto::identityFromSecretKey(sk, out.key)) {
      *error = key_path + " is unreadable or not an Ed25519 secret key; refusing to start (move it away to make a new hub identity)";
      return false;
    }
  }
  out.public_key_hex = crypto::toHex(out.key.public_key);
  std::string token_path = path + "/admin.token";
  if (!exists(token_path)) {
    std::array<uint8_t, 32> token{};
    crypto::randomBytes(token.data(), token.size());
    if (!writeFileAtomic(token_path, crypto::toHex(token), 0600, error)) return false;
  }
  if (!readFile(token_path, &out.admin_token_hex) || out.admin_token_hex.size() != 64) {
    *error = token_path + " is unreadable or malformed";
    return false;
  }
  return true;
}

bool readClientCredentials(const std::string& path, std::string* public_key_hex, std::string* admin_token_hex,
                           std::string* error) {
  if (!readFile(path + "/hub.pub", public_key_hex) || public_key_hex->size() != 64) {
    *error = "cannot read " + path + "/hub.pub";
    return false;
  }
  if (admin_token_hex && (!readFile(path + "/admin.token", admin_token_hex) || admin_token_hex->size() != 64)) {
    *error = "cannot read " + path + "/admin.token";
    return false;
  }
  return true;
}

}  // namespace outpost::hub
