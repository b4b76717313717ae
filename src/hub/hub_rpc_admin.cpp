// Hub: the admin family (see hub.h) — AdminRequest, answered by handleAdmin (admin.cpp) with the
// hub's side effects wired in: a ban, a revoked token, a deleted app or an app that stops
// accepting anonymous servers ends the sessions it concerns now (revocation is live), and voids
// certificates (docs/spec/cert.md §9). A request with the right admin token trusts the
// connection. Hub thread. docs/spec/hub-rpc.md §3.
#include "base/log.h"
#include "hub/admin.h"
#include "hub/hub.h"

namespace outpost::hub {

void Hub::onAdmin(uint32_t connection, const hubrpc::Envelope& request) {
  counters_.add(HubCounter::kRpcAdmin);
  hubrpc::Envelope response;
  response.set_request_id(request.request_id());
  AdminContext ctx{
      *store_,
      dir_.admin_token_hex,
      clock_->nowUnixS(),
      [this] { return counters(); },
      [this](uint32_t app, uint32_t account, store::BanKind kind) {
        players_->banned(app, account, kind);
        // Revocation is live: the owner's servers of that app end now (GSLTDenied, as
        // their next logon would get).
        endServerSessions([&](const ServerIdentity& s) { return s.app_id == app && s.owner_account == account; },
                          RESULT_GSLT_DENIED, "the login token's owner is banned from this app");
      },
      [this] { return servers_->entries(); },
      [this](const hubrpc::SignCertificate& q) { return certificates_->signOffline(q, clock_->nowUnixS()); },
      [this](uint32_t account) {
        endServerSessions([&](const ServerIdentity& s) { return s.token_account == account; }, RESULT_REVOKED,
                          "the login token was revoked");
      },
      [this](uint32_t app, const std::optional<store::App>& now) {
        if (!now) {
          endServerSessions([&](const ServerIdentity& s) { return s.app_id == app; }, RESULT_INVALID_PARAM,
                            "app " + std::to_string(app) + " was deleted from this hub");
          return;
        }
        servers_->anonymousPolicyChanged(app, now->anonymous);
        if (!now->anonymous.logon)
          endServerSessions([&](const ServerIdentity& s) { return s.app_id == app && s.token_account == 0; },
                            RESULT_ACCESS_DENIED,
                            "app " + std::to_string(app) + " no longer accepts anonymous game servers");
      }};
  *response.mutable_admin_response() = handleAdmin(request.admin_request(), ctx);
  // A ban, a revoked token or a deleted app voids certificates too (docs/spec/cert.md §9).
  certificates_->afterAdmin(request.admin_request(), response.admin_response(), clock_->nowUnixS());
  if (response.admin_response().result() == RESULT_ACCESS_DENIED) {
    counters_.add(HubCounter::kRpcAdminDenied);
    static base::LogLimiter limit(5);  // anyone can send these: a flood must not flood the log
    if (limit.allow()) OUTPOST_LOG_WARN("hub: admin request with a wrong token from connection %u", connection);
  } else {
    link_->trust(connection);  // the admin token checked out (large answers may follow)
  }
  send(connection, response);
}

}  // namespace outpost::hub
