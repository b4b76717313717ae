// Hub: the game-server session family (see hub.h) — ServerLogOn, ServerListing, and ending
// sessions the hub no longer accepts (a replaced token, a revoked token, a banned owner, a
// deleted app or an app that stopped accepting anonymous servers: revocation is live).
// Hub thread. The decisions are GameServers'; docs/spec/hub-rpc.md §4.
#include "base/log.h"
#include "hub/hub.h"

namespace outpost::hub {

void Hub::onServerLogOn(uint32_t connection, const hubrpc::Envelope& request) {
  counters_.add(HubCounter::kRpcServerLogOn);
  std::string remote = link_->remoteAddress(connection);
  std::string ip = remote.substr(0, remote.rfind(':'));
  if (!ip.empty() && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
  // A second logon on the same connection starts over: what the first session held goes.
  if (servers_->serverOf(connection)) {
    servers_->disconnected(connection);
    server_tickets_->serverEnded(connection);
    players_->serverEnded(connection);
    clan_of_server_.erase(connection);
  }
  std::vector<uint32_t> replaced;
  hubrpc::Envelope response;
  response.set_request_id(request.request_id());
  *response.mutable_server_log_on_result() =
      servers_->logOn(connection, ip, request.server_log_on(), clock_->nowUnixS(), &replaced);
  for (uint32_t old : replaced) {
    endServerSession(old, RESULT_LOG_ON_SESSION_REPLACED, "the same login token logged on from another server");
    counters_.add(HubCounter::kServerSessionsReplaced);
  }
  const auto& result = response.server_log_on_result();
  if (result.result() != RESULT_OK) {
    counters_.add(HubCounter::kServerLogOnRefused);
    OUTPOST_LOG_INFO("hub: game server logon from %s refused (%d): %s", ip.c_str(), result.result(),
                     result.error().c_str());
  } else {
    // A login token checked out. Anonymous servers showed no credential and keep the untrusted
    // budget (docs/decisions/010-memory-before-trust.md).
    if (!request.server_log_on().token().empty()) link_->trust(connection);
    OUTPOST_LOG_INFO("hub: game server %llu logged on from %s (app %u)",
                     static_cast<unsigned long long>(result.steam_id()), ip.c_str(), request.server_log_on().app_id());
  }
  send(connection, response);
}

void Hub::onServerListing(uint32_t connection, const hubrpc::Envelope& request) {
  std::string why;
  int32_t result = servers_->listing(connection, request.server_listing(), &why);
  if (result == RESULT_OK) return;  // no answer when it is applied
  counters_.add(HubCounter::kRpcListingRefused);
  refuse(connection, request, result, why);
}

void Hub::endServerSession(uint32_t connection, int32_t result, const std::string& why) {
  server_tickets_->serverEnded(connection);
  players_->serverEnded(connection);
  clan_of_server_.erase(connection);
  hubrpc::Envelope push;
  push.mutable_server_logged_off()->set_result(result);
  push.mutable_server_logged_off()->set_error(why);
  send(connection, push);
  counters_.add(HubCounter::kServerSessionsEnded);
}

void Hub::endServerSessions(const std::function<bool(const ServerIdentity&)>& which, int32_t result,
                            const std::string& why) {
  for (uint32_t connection : servers_->endWhere(which)) {
    OUTPOST_LOG_INFO("hub: ended the game-server session on connection %u (%d): %s", connection, result, why.c_str());
    endServerSession(connection, result, why);
  }
  servers_->publishIfChanged();  // off the master list now, not at the next publish interval
}

}  // namespace outpost::hub
