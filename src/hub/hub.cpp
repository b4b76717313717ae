// Hub (see hub.h). Runs on the daemon's main thread: accepts every transport connection (the
// RPC itself authenticates what needs it), decodes one Envelope per message, answers, and
// counts what it refused. User logons go through UserLogons (attempt limits, the fair check
// queue) and are answered at once when refused, else once their password check (worker threads)
// is done.
#include "hub/hub.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include "base/address.h"
#include "base/log.h"
#include "hub/admin.h"
#include "hubrpc/framing.h"
#include "hubrpc/hub_contact.h"
#include "outpost/steam_id.h"

namespace outpost::hub {

namespace {
int64_t steadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

std::unique_ptr<Hub> Hub::open(const HubConfig& config, std::string* error) {
  std::unique_ptr<Hub> hub(new Hub());
  hub->config_ = config;
  if (!openDataDir(config.data_dir, hub->dir_, error)) return nullptr;
  hub->store_ = store::openSqliteStore(hub->dir_.storePath(), error);
  if (!hub->store_ || !secureDataDir(config.data_dir, error)) return nullptr;  // SQLite's -wal/-shm too
  if (!config.master.empty()) {
    master::MasterServerOptions mo;
    mo.bind_address = config.master;
    mo.limits = config.master_limits;
    hub->master_ = std::make_unique<master::MasterServer>(mo);
    if (!hub->master_->start(error)) return nullptr;
  }
  hub->servers_ = std::make_unique<GameServers>(*hub->store_, hub->master_.get(),
                                                GameServerOptions{config.token_idle_expiry_s});
  Hub* raw = hub.get();
  hub->players_ = std::make_unique<Players>(*hub->store_, hub->dir_.key,
                                            [raw](uint32_t c, const hubrpc::Envelope& e) { raw->send(c, e); });
  hub->user_logons_ = std::make_unique<UserLogons>(*hub->store_, config.user_logons);
  hub->server_tickets_ = std::make_unique<ServerTickets>(*hub->store_, hub->dir_.key, [raw](uint32_t c, uint64_t id) {
    uint64_t steam_id = 0;
    std::string address;
    return raw->servers_->serverOf(c, &steam_id, &address) && steam_id == id;
  });
  std::vector<cert::PublicKey> also_trusted;
  for (const auto& hex : config.also_trusted_ca_keys_hex) {
    cert::PublicKey k{};
    if (!crypto::fromHex(hex, k)) {
      *error = "--also-trusted-ca-key \"" + hex + "\" is not a 64-hex-character public key";
      return nullptr;
    }
    also_trusted.push_back(k);
  }
  hub->certificates_ = std::make_unique<Certificates>(*hub->store_, hub->dir_.key, std::move(also_trusted),
                                                      [raw](uint32_t c, const hubrpc::Envelope& e) { raw->send(c, e); });
  NetworkingSocketsOptions options;
  options.identity_secret_key.assign(hub->dir_.key.secret_key.begin(), hub->dir_.key.secret_key.end());
  hub->net_ = std::make_unique<NetworkingSockets>(options);
  Hub* self = hub.get();
  hub->net_->connect_network_connection_status_changed([self](const NetworkConnectionStatusChanged& s) {
    int state = s.connection.connection_state;
    if (state == CONNECTION_STATE_CONNECTING && s.connection.listen_socket == self->listen_) {
      self->net_->acceptConnection(s.connect_handle);
      self->net_->setConnectionPollGroup(s.connect_handle, self->group_);
      self->counters_["connections_accepted"]++;
    } else if (state == CONNECTION_STATE_CLOSED_BY_PEER || state == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
      // A game server whose hub connection is gone is no longer listed.
      self->servers_->disconnected(s.connect_handle);
      self->players_->disconnected(s.connect_handle);  // a user logs off; a server's sessions end
      self->clan_of_server_.erase(s.connect_handle);
      self->certificates_->disconnected(s.connect_handle);
      self->net_->closeConnection(s.connect_handle, 0, "", false);
      self->counters_["connections_closed"]++;
    }
  });
  // Every client may connect: it proves who it is by logging on, and it holds no certificate yet
  // (it gets one over this connection). The hub itself is authenticated by its pinned key. The
  // operator's --transport values (the caps) apply too, and may override this.
  ConfigOptions listen_options = config.listen_options;
  listen_options.emplace(NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH, int32_t{2});
  hub->listen_ = hub->net_->createListenSocketIP(config.listen, listen_options);
  if (!hub->listen_) {
    *error = "cannot listen on " + config.listen;
    return nullptr;
  }
  hub->group_ = hub->net_->createPollGroup();
  if (!writeContactFile(config.data_dir, hub->contact(), error)) return nullptr;
  return hub;
}

std::string Hub::contact() {
  std::string address = listenAddress();
  auto a = SocketAddress::parse(address, true);
  if (a && a->isAny()) address = "127.0.0.1:" + std::to_string(a->port());  // reachable here; others use our address
  return hubrpc::formatHubContact(dir_.public_key_hex, address);
}

Hub::~Hub() {
  if (players_) players_->flushStats(static_cast<int64_t>(std::time(nullptr)));
}

std::string Hub::listenAddress() { return net_->getListenSocketAddress(listen_, true); }

std::string Hub::masterAddress() { return master_ ? master_->localAddress().toString(true) : ""; }

void Hub::send(uint32_t connection, const hubrpc::Envelope& e) {
  auto bytes = hubrpc::encode(e);
  if (batching_) {
    held_.emplace_back(connection, std::move(bytes));  // sent once the batch is committed
    return;
  }
  net_->sendMessageToConnection(connection, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE);
}

// Group commit: everything one poll does shares one store transaction, and what it sends waits
// for the commit, so an answer never acknowledges a write that a crash could still lose — and a
// burst of ticket redemptions costs one fsync, not one each.
void Hub::poll(int timeout_ms) {
  store_->beginBatch();
  batching_ = true;
  auto messages = work();
  std::string error;
  bool committed = store_->commitBatch(&error);
  batching_ = false;
  if (committed) {
    for (auto& [connection, bytes] : held_)
      net_->sendMessageToConnection(connection, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE);
  } else {
    counters_["store.commit_failed"]++;
    OUTPOST_LOG_ERROR("hub: store commit failed (%s): %zu answers withheld; their writes did not happen",
                      error.c_str(), held_.size());
  }
  held_.clear();
  // Verdicts of password checks do not wake waitForActivity: look again soon while any are due.
  if (messages == 0) net_->waitForActivity(user_logons_->outstanding() ? std::min(timeout_ms, 2) : timeout_ms);
}

size_t Hub::work() {
  net_->runNetworkingCallbacks();
  auto messages = net_->receiveMessagesOnPollGroup(group_, 64);
  for (auto& m : messages) onMessage(m.connection, m.payload);
  for (auto& a : user_logons_->takeAnswers(steadyMs())) {
    auto info = net_->getConnectionInfo(a.connection);
    if (!info || info->connection_state != CONNECTION_STATE_CONNECTED) continue;  // left meanwhile
    hubrpc::Envelope response;
    response.set_request_id(a.request_id);
    *response.mutable_user_log_on_result() = a.refusal ? *a.refusal : players_->logOn(a.connection, a.request, a.password_ok);
    // A password checked out: the connection leaves the transport's untrusted budget.
    if (response.user_log_on_result().result() == RESULT_OK) net_->trustConnection(a.connection);
    send(a.connection, response);
  }
  // The master snapshot is rebuilt at most every 100 ms: a fleet of servers updating their
  // listings costs one rebuild per interval, not one per message batch.
  auto steady = std::chrono::steady_clock::now();
  if (steady - last_publish_ >= std::chrono::milliseconds(100)) {
    servers_->publishIfChanged();
    last_publish_ = steady;
  }
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (now - last_stats_flush_ >= 30) {
    players_->flushStats(now);
    last_stats_flush_ = now;
  }
  return messages.size();
}

void Hub::onMessage(uint32_t connection, std::span<const uint8_t> payload) {
  counters_["rpc.messages"]++;
  auto request = hubrpc::decode(payload);
  if (!request) {
    // Not a hub RPC message: the peer is broken or hostile. Drop it, count it, and stop
    // talking to it.
    counters_["rpc.malformed"]++;
    net_->closeConnection(connection, CONNECTION_END_APP_EXCEPTION_GENERIC, "malformed hub RPC message", false);
    return;
  }
  hubrpc::Envelope response;
  response.set_request_id(request->request_id());
  auto body = request->body_case();
  if (body == hubrpc::Envelope::kGroupStatusRequest || body == hubrpc::Envelope::kAssociateClan ||
      body == hubrpc::Envelope::kPlayerCompatRequest) {
    uint64_t server_id = 0;
    std::string address;
    if (!servers_->serverOf(connection, &server_id, &address)) {
      // Only a logged-on game server may ask about players and clans.
      counters_["rpc.refused_not_a_server"]++;
      return;
    }
  }
  switch (body) {
    case hubrpc::Envelope::kAdminRequest: {
      counters_["rpc.admin"]++;
      AdminContext ctx{*store_, dir_.admin_token_hex, static_cast<int64_t>(std::time(nullptr)),
                       [this] { return counters(); },
                       [this](uint32_t app, uint32_t account, store::BanKind kind) {
                         players_->banned(app, account, kind);
                       },
                       [this] { return servers_->entries(); },
                       [this](const hubrpc::SignCertificate& q) {
                         return certificates_->signOffline(q, static_cast<int64_t>(std::time(nullptr)));
                       }};
      *response.mutable_admin_response() = handleAdmin(request->admin_request(), ctx);
      // A ban or a revoked token voids certificates too (docs/spec/cert.md §9).
      certificates_->afterAdmin(request->admin_request(), response.admin_response(),
                                static_cast<int64_t>(std::time(nullptr)));
      if (response.admin_response().result() == RESULT_ACCESS_DENIED) {
        counters_["rpc.admin_denied"]++;
        OUTPOST_LOG_WARN("hub: admin request with a wrong token from connection %u", connection);
      } else {
        net_->trustConnection(connection);  // the admin token checked out (large answers may follow)
      }
      break;
    }
    case hubrpc::Envelope::kServerLogOn: {
      counters_["rpc.server_log_on"]++;
      auto info = net_->getConnectionInfo(connection);
      std::string ip = info ? info->remote_address.substr(0, info->remote_address.rfind(':')) : "";
      if (!ip.empty() && ip.front() == '[') ip = ip.substr(1, ip.size() - 2);
      std::vector<uint32_t> replaced;
      *response.mutable_server_log_on_result() =
          servers_->logOn(connection, ip, request->server_log_on(), static_cast<int64_t>(std::time(nullptr)), &replaced);
      for (uint32_t old : replaced) {
        hubrpc::Envelope push;
        push.mutable_server_logged_off()->set_result(RESULT_LOG_ON_SESSION_REPLACED);
        push.mutable_server_logged_off()->set_error("the same login token logged on from another server");
        send(old, push);
        counters_["server_sessions_replaced"]++;
      }
      const auto& result = response.server_log_on_result();
      if (result.result() != RESULT_OK) {
        counters_["server_log_on_refused"]++;
        OUTPOST_LOG_INFO("hub: game server logon from %s refused (%d): %s", ip.c_str(), result.result(),
                         result.error().c_str());
      } else {
        // A login token checked out. Anonymous servers showed no credential and keep the
        // untrusted budget (docs/decisions/010-memory-before-trust.md).
        if (!request->server_log_on().token().empty()) net_->trustConnection(connection);
        OUTPOST_LOG_INFO("hub: game server %llu logged on from %s (app %u)",
                         static_cast<unsigned long long>(result.steam_id()), ip.c_str(),
                         request->server_log_on().app_id());
      }
      break;
    }
    case hubrpc::Envelope::kServerListing:
      servers_->listing(connection, request->server_listing());
      return;  // no response
    case hubrpc::Envelope::kUserLogOn: {
      counters_["rpc.user_log_on"]++;
      auto info = net_->getConnectionInfo(connection);
      auto refused = user_logons_->request(connection, logonSourceOf(info ? info->remote_address : ""),
                                           request->request_id(), request->user_log_on(), steadyMs());
      if (!refused) return;  // answered when the check is done
      *response.mutable_user_log_on_result() = *refused;
      break;
    }
    case hubrpc::Envelope::kTicketRequest: {
      counters_["rpc.ticket_request"]++;
      int64_t now = static_cast<int64_t>(std::time(nullptr));
      uint64_t server_id = 0;
      uint32_t app_id = 0;
      std::string address;
      if (servers_->serverOf(connection, &server_id, &address, &app_id))  // a server's own ticket
        *response.mutable_ticket_result() =
            server_tickets_->issue(connection, server_id, app_id, request->ticket_request(), now);
      else
        *response.mutable_ticket_result() = players_->issueTicket(connection, request->ticket_request(), now);
      break;
    }
    case hubrpc::Envelope::kCancelTicket:
      players_->cancelTicket(connection, request->cancel_ticket().ticket_id());
      server_tickets_->cancel(connection, request->cancel_ticket().ticket_id());
      return;
    case hubrpc::Envelope::kValidateTicket: {
      counters_["rpc.validate_ticket"]++;
      int64_t now = static_cast<int64_t>(std::time(nullptr));
      uint64_t server_id = 0, user_id = 0;
      uint32_t app_id = 0;
      std::string server_address;
      if (servers_->serverOf(connection, &server_id, &server_address)) {
        *response.mutable_auth_session_update() =
            players_->validate(connection, server_id, server_address, request->validate_ticket(), now);
      } else if (players_->userOf(connection, &user_id, &app_id)) {
        // A player checks a game server's own ticket (docs/spec/ticket.md §13).
        *response.mutable_auth_session_update() =
            server_tickets_->validate(user_id, app_id, request->validate_ticket(), now);
      } else {
        // Only logged-on game servers and players validate tickets.
        hubrpc::AuthSessionUpdate u;
        u.set_steam_id(request->validate_ticket().steam_id());
        u.set_response(AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID);
        *response.mutable_auth_session_update() = u;
      }
      break;
    }
    case hubrpc::Envelope::kResumeAuthSession: {
      uint64_t server_id = 0;
      std::string address;
      if (!servers_->serverOf(connection, &server_id, &address) ||
          !players_->resume(connection, server_id, request->resume_auth_session(),
                            static_cast<int64_t>(std::time(nullptr))))
        counters_["rpc.resume_refused"]++;
      return;
    }
    case hubrpc::Envelope::kIdentityCertificateRequest: {
      counters_["rpc.certificate_request"]++;
      int64_t now = static_cast<int64_t>(std::time(nullptr));
      uint64_t steam_id = 0;
      uint32_t app_id = 0;
      std::string address;
      const std::string& blob = request->identity_certificate_request().request();
      if (servers_->serverOf(connection, &steam_id, &address, &app_id) || players_->userOf(connection, &steam_id, &app_id)) {
        *response.mutable_identity_certificate_result() =
            certificates_->issueForSession(connection, steam_id, app_id, blob, now);
      } else {
        // Only a logged-on game server or user has an identity to certify.
        response.mutable_identity_certificate_result()->set_result(RESULT_NOT_LOGGED_ON);
        response.mutable_identity_certificate_result()->set_error("log on first");
      }
      if (response.identity_certificate_result().result() != RESULT_OK) counters_["certificates.refused"]++;
      else counters_["certificates.issued"]++;
      break;
    }
    case hubrpc::Envelope::kEndAuthSession:
      players_->endAuthSession(connection, request->end_auth_session().steam_id());
      return;
    case hubrpc::Envelope::kGroupStatusRequest: {
      const auto& g = request->group_status_request();
      uint32_t clan = steamid::accountId(steamid::clanIdFromAny(g.group_id()));  // full, bare or sign-extended
      auto* r = response.mutable_group_status_result();
      r->set_steam_id(g.steam_id());
      r->set_group_id(steamid::clan(clan));
      if (auto m = store_->membership(clan, steamid::accountId(g.steam_id()))) {
        r->set_member(true);
        r->set_officer(m->officer);
      }
      break;
    }
    case hubrpc::Envelope::kAssociateClan: {
      uint32_t clan = steamid::accountId(steamid::clanIdFromAny(request->associate_clan().clan_id()));
      bool exists = store_->getGroup(clan).has_value();
      if (exists) clan_of_server_[connection] = clan;
      response.mutable_associate_clan_result()->set_result(exists ? RESULT_OK : RESULT_FAIL);
      break;
    }
    case hubrpc::Envelope::kPlayerCompatRequest: {
      uint64_t candidate = request->player_compat_request().steam_id();
      uint32_t cand = steamid::accountId(candidate);
      auto* r = response.mutable_player_compat_result();
      r->set_result(RESULT_OK);
      r->set_steam_id(candidate);
      int dont_like = 0, candidate_dislikes = 0, clan_dont_like = 0;
      for (uint64_t user : players_->authenticatedUsers(connection)) {
        if (user == candidate) continue;
        uint32_t u = steamid::accountId(user);
        dont_like += store_->blocks(u, cand);
        candidate_dislikes += store_->blocks(cand, u);
      }
      auto clan = clan_of_server_.find(connection);
      if (clan != clan_of_server_.end())
        for (const auto& m : store_->members(clan->second))
          if (m.account_id != cand) clan_dont_like += store_->blocks(m.account_id, cand);
      r->set_players_dont_like_candidate(dont_like);
      r->set_players_candidate_doesnt_like(candidate_dislikes);
      r->set_clan_players_dont_like_candidate(clan_dont_like);
      break;
    }
    case hubrpc::Envelope::kGameplayStatsRequest: {
      uint64_t server_id = 0;
      std::string address;
      auto* r = response.mutable_gameplay_stats_result();
      if (!servers_->serverOf(connection, &server_id, &address)) {
        r->set_result(RESULT_NOT_LOGGED_ON);
        break;
      }
      players_->flushStats(static_cast<int64_t>(std::time(nullptr)));
      int64_t connects = 0, seconds = 0;
      int rank = 0;
      store_->serverStats(server_id, &connects, &seconds, &rank);
      r->set_result(RESULT_OK);
      r->set_rank(rank);
      r->set_total_connects(static_cast<uint32_t>(connects));
      r->set_total_minutes_played(static_cast<uint32_t>(seconds / 60));
      break;
    }
    default:
      counters_["rpc.unknown"]++;
      return;
  }
  send(connection, response);
}

std::map<std::string, uint64_t> Hub::counters() {
  std::map<std::string, uint64_t> out = counters_;
  for (const auto& [k, v] : net_->getTransportCounters()) out["transport." + k] = v;
  if (master_)
    for (const auto& [k, v] : master_->counters()) out["master." + k] = v;
  out["game_servers.sessions"] = servers_->sessions();
  out["game_servers.listed"] = servers_->listed();
  out["players.sessions"] = players_->users();
  out["players.auth_sessions"] = players_->authSessions();
  out["certificates.holders"] = certificates_->holders();
  out["certificates.revocations"] = certificates_->revocations();
  for (const auto& [k, v] : user_logons_->counters()) out[k] = v;
  return out;
}

}  // namespace outpost::hub
