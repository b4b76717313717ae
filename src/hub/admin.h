// Admin: the hub's administration operations (apps, users, login tokens, licences, groups,
// blocks, bans, status), behind the admin token. Each write is committed to the store before
// the response is sent, so an acknowledged write survives a crash of the hub.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hubrpc.pb.h"
#include "store/store.h"

namespace outpost::hub {

struct AdminContext {
  store::Store& store;
  std::string admin_token_hex;
  int64_t now_unix = 0;
  std::function<std::map<std::string, uint64_t>()> counters;
  // Told after a ban is committed, so live sessions of that user can be ended.
  std::function<void(uint32_t app_id, uint32_t account_id, store::BanKind kind)> on_ban;
  // The logged-on game servers (the registry lives in memory, not in the store).
  std::function<std::vector<hubrpc::ServerEntry>()> servers;
  // `outpost admin cert sign` (hub/certificates.h).
  std::function<hubrpc::AdminResponse(const hubrpc::SignCertificate&)> sign_certificate;
  // Told after a token's revocation is committed, so the server using it can be logged off.
  std::function<void(uint32_t token_account_id)> on_token_revoked;
  // Told after an app was put (with its new state) or deleted (nullopt), so live sessions follow.
  std::function<void(uint32_t app_id, const std::optional<store::App>& now)> on_app_changed;
};

hubrpc::AdminResponse handleAdmin(const hubrpc::AdminRequest& request, AdminContext& ctx);

}  // namespace outpost::hub
