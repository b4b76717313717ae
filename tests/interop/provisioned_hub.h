// ProvisionedHub: a real outpost-hub process (HubProcess from tests/support/process.h: 127.0.0.1,
// ephemeral ports, its own data directory) provisioned through the real `outpost admin` CLI with
// an app, an owner and a game-server login token — what an operator does before a server can
// log on. Needs OUTPOST_HUB_BINARY and OUTPOST_CLI_BINARY defined at compile time (CMake).
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "support/process.h"

namespace outpost::interop {

class ProvisionedHub {
 public:
  ~ProvisionedHub() { stop(); }

  // Starts the hub and creates app `app_id` named `app_name`, a user and a login token for the
  // app. false (reason on stderr) if any step fails; the hub is then stopped.
  bool start(uint32_t app_id, const std::string& app_name) {
    root_ = test::makeTempDir();
    data_dir_ = root_ + "/data";
    if (!hub_.start(data_dir_)) {
      std::fprintf(stderr, "provisioned_hub: outpost-hub did not start:\n%s", hub_.banner.c_str());
      return false;
    }
    std::string out;
    if (!admin({"app", "put", std::to_string(app_id), app_name}, &out) ||
        !admin({"user", "create", "interop-owner", "interop-owner-password"}, &out) ||
        !admin({"token", "create", std::to_string(app_id), "interop-owner", "--memo", "interop"}, &out)) {
      stop();
      return false;
    }
    // "... steam_id=<decimal> ... token=<hex>"
    auto sid = out.find("steam_id="), tok = out.find("token=");
    if (sid == std::string::npos || tok == std::string::npos) {
      std::fprintf(stderr, "provisioned_hub: unexpected `token create` output: %s\n", out.c_str());
      stop();
      return false;
    }
    token_steam_id_ = std::strtoull(out.c_str() + sid + 9, nullptr, 10);
    token_ = out.substr(tok + 6, out.find_first_of(" \r\n", tok + 6) - (tok + 6));
    return token_steam_id_ != 0 && !token_.empty();
  }

  // SIGTERM (SIGKILL after 5 s), then removes the data directory. Idempotent.
  void stop() {
    if (!root_.empty()) {
      hub_.stop(SIGTERM);
      std::error_code ec;
      std::filesystem::remove_all(root_, ec);
      root_.clear();
    }
  }

  const std::string& address() const { return hub_.address; }
  const std::string& publicKey() const { return hub_.public_key; }
  const std::string& token() const { return token_; }
  // The game-server Steam ID the hub issued with the token (the one A2S must advertise).
  uint64_t tokenSteamId() const { return token_steam_id_; }

 private:
  bool admin(const std::vector<std::string>& words, std::string* out) {
    auto r = test::runAdmin(hub_.address, data_dir_, words, 30);
    *out = r.out;
    if (r.exit_code != 0) {
      std::fprintf(stderr, "provisioned_hub: `outpost admin %s ...` exited %d: %s\n", words[0].c_str(), r.exit_code,
                   r.out.c_str());
      return false;
    }
    return true;
  }

  test::HubProcess hub_;
  std::string root_, data_dir_, token_;
  uint64_t token_steam_id_ = 0;
};

}  // namespace outpost::interop
