// Hub (see hub.h). Runs on the daemon's main thread: accepts every transport connection (the
// RPC itself authenticates what needs it), decodes one Envelope per message, routes it to its
// request family (hub_rpc_*.cpp), answers, and counts what it refused. User logons go through
// UserLogons (attempt limits, the fair check queue) and are answered at once when refused, else
// once their password check (worker threads) is done.
#include "hub/hub.h"

#include <algorithm>

#include "base/address.h"
#include "base/log.h"
#include "hubrpc/framing.h"
#include "hubrpc/hub_contact.h"
#include "outpost/steam_id.h"

namespace outpost::hub {

namespace {
// Malformed messages a connection may send (each answered ParseFailure) before the hub closes it:
// a peer that keeps sending what is not hub RPC is broken or hostile.
constexpr uint32_t kMaxMalformedPerConnection = 8;
// Housekeeping on the hub's clock.
constexpr int64_t kStatsFlushEveryS = 30;
constexpr int64_t kPruneEveryS = 60;
// A redemption is kept this long after its ticket expired (clock skew between the hub and the
// servers that check tickets offline: ticket::kMaxClockSkewSeconds, with room to spare).
constexpr int64_t kTicketUseMarginS = 3600;
constexpr size_t kPruneRowsPerPass = 10000;           // bounded work per pass; the next pass takes the rest
constexpr base::TimeUs kPublishEveryUs = 100 * 1000;  // the master snapshot's rebuild interval
}  // namespace

class Hub::NetLink final : public RpcLink {
 public:
  explicit NetLink(NetworkingSockets& net) : net_(net) {}
  int32_t send(uint32_t connection, std::span<const uint8_t> bytes) override {
    return net_.sendMessageToConnection(connection, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE).result;
  }
  void close(uint32_t connection, int end_reason, const char* debug) override {
    net_.closeConnection(connection, end_reason, debug, true);  // linger: what was sent still goes out
  }
  std::string remoteAddress(uint32_t connection) override {
    auto info = net_.getConnectionInfo(connection);
    return info ? info->remote_address : "";
  }
  bool connected(uint32_t connection) override {
    auto info = net_.getConnectionInfo(connection);
    return info && info->connection_state == CONNECTION_STATE_CONNECTED;
  }
  void trust(uint32_t connection) override { net_.trustConnection(connection); }

 private:
  NetworkingSockets& net_;
};

bool Hub::openCommon(const HubConfig& config, std::string* error) {
  config_ = config;
  clock_ = config.clock ? config.clock : &SystemHubClock::instance();
  if (std::string why = validateTicketLimits(config.ticket_limits); !why.empty()) {
    *error = why;
    return false;
  }
  if (!openDataDir(config.data_dir, dir_, error)) return false;
  store_ = store::openSqliteStore(dir_.storePath(), error);
  if (!store_ || !secureDataDir(config.data_dir, error)) return false;  // SQLite's -wal/-shm too
  if (!config.master.empty()) {
    MasterServerOptions mo;
    mo.bind_address = config.master;
    mo.limits = config.master_limits;
    mo.clock = clock_;
    master_ = std::make_unique<MasterServer>(mo);
    if (!master_->start(error)) return false;
  }
  servers_ = std::make_unique<GameServers>(*store_, master_.get(), GameServerOptions{config.token_idle_expiry_s});
  players_ = std::make_unique<Players>(*store_, dir_.key, *clock_, config_.ticket_limits,
                                       [this](uint32_t c, const hubrpc::Envelope& e) { send(c, e); });
  user_logons_ = std::make_unique<UserLogons>(*store_, config.user_logons);
  server_tickets_ = std::make_unique<ServerTickets>(*store_, dir_.key, *clock_, config_.ticket_limits);
  std::vector<cert::PublicKey> also_trusted;
  for (const auto& hex : config.also_trusted_ca_keys_hex) {
    cert::PublicKey k{};
    if (!crypto::fromHex(hex, k)) {
      *error = "--also-trusted-ca-key \"" + hex + "\" is not a 64-hex-character public key";
      return false;
    }
    also_trusted.push_back(k);
  }
  certificates_ = std::make_unique<Certificates>(*store_, dir_.key, std::move(also_trusted),
                                                 [this](uint32_t c, const hubrpc::Envelope& e) { send(c, e); });
  signaling_ = std::make_unique<Signaling>([this](uint32_t c, const std::vector<uint8_t>& signal) {
    hubrpc::Envelope e;
    e.set_p2p_signal(signal.data(), signal.size());
    send(c, e);
  });
  last_stats_flush_ = last_prune_ = clock_->nowUnixS();
  counters_.show(HubCounter::kStorePrunePasses);
  counters_.show(HubCounter::kStoreTicketUsesPruned);
  counters_.show(HubCounter::kStoreServerStatsPruned);
  return true;
}

std::unique_ptr<Hub> Hub::open(const HubConfig& config, std::string* error) {
  std::unique_ptr<Hub> hub(new Hub());
  if (!hub->openCommon(config, error)) return nullptr;
  NetworkingSocketsOptions options;
  options.answer_stun = true;  // the hub port is the P2P sockets' STUN server (docs/spec/signaling.md §3)
  options.identity_secret_key.assign(hub->dir_.key.secret_key.begin(), hub->dir_.key.secret_key.end());
  hub->net_ = std::make_unique<NetworkingSockets>(options);
  hub->net_link_ = std::make_unique<NetLink>(*hub->net_);
  hub->link_ = hub->net_link_.get();
  Hub* self = hub.get();
  hub->net_->connect_network_connection_status_changed([self](const NetworkConnectionStatusChanged& s) {
    int state = s.connection.connection_state;
    if (state == CONNECTION_STATE_CONNECTING && s.connection.listen_socket == self->listen_) {
      self->net_->acceptConnection(s.connect_handle);
      self->net_->setConnectionPollGroup(s.connect_handle, self->group_);
      self->counters_.add(HubCounter::kConnectionsAccepted);
    } else if (state == CONNECTION_STATE_CLOSED_BY_PEER || state == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
      self->connectionClosed(s.connect_handle);
      self->net_->closeConnection(s.connect_handle, 0, "", false);
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

std::unique_ptr<Hub> Hub::openDetached(const HubConfig& config, RpcLink& link, std::string* error) {
  std::unique_ptr<Hub> hub(new Hub());
  if (!hub->openCommon(config, error)) return nullptr;
  hub->link_ = &link;
  return hub;
}

std::string Hub::contact() {
  std::string address = listenAddress();
  auto a = base::SocketAddress::parse(address, true);
  if (a && a->isAny()) address = "127.0.0.1:" + std::to_string(a->port());  // reachable here; others use our address
  return hubrpc::formatHubContact(dir_.public_key_hex, address);
}

Hub::~Hub() {
  if (players_) players_->flushStats();
}

std::string Hub::listenAddress() { return net_ ? net_->getListenSocketAddress(listen_, true) : ""; }

std::string Hub::masterAddress() { return master_ ? master_->localAddress().toString(true) : ""; }

void Hub::deliver(uint32_t connection, std::span<const uint8_t> payload) {
  inbox_.emplace_back(connection, std::vector<uint8_t>(payload.begin(), payload.end()));
}

void Hub::disconnect(uint32_t connection) { connectionClosed(connection); }

// A connection is gone: a game server whose hub connection is gone is no longer listed, a user
// logs off, and what hung on the connection goes with it.
void Hub::connectionClosed(uint32_t connection) {
  if (servers_->serverOf(connection)) {
    servers_->disconnected(connection);
    server_tickets_->serverEnded(connection);
  }
  players_->disconnected(connection);  // a user logs off; a server's sessions end
  clan_of_server_.erase(connection);
  certificates_->disconnected(connection);
  signaling_->disconnected(connection);
  malformed_.erase(connection);
  counters_.add(HubCounter::kConnectionsClosed);
}

void Hub::send(uint32_t connection, const hubrpc::Envelope& e) {
  auto bytes = hubrpc::encode(e);
  if (batching_) {
    held_.emplace_back(connection, std::move(bytes));  // sent once the batch is committed
    return;
  }
  transmit(connection, bytes);
}

// The transport refuses a send with RESULT_LIMIT_EXCEEDED when the peer holds its send budget
// (docs/decisions/010-memory-before-trust.md): an untrusted peer — an anonymous game server, a
// client not logged on — that does not read or acknowledge its answers. A reliable stream cannot
// skip a message, so the answer is dropped, counted, and the connection closed: the peer's
// pending requests end with the connection instead of waiting for an answer that never comes
// (docs/spec/hub-rpc.md §2.2). Answers to a connection already given up on are dropped.
void Hub::transmit(uint32_t connection, std::span<const uint8_t> bytes) {
  if (send_refused_.count(connection)) {
    counters_.add(HubCounter::kRpcSendLimitExceeded);
    return;
  }
  if (link_->send(connection, bytes) != RESULT_LIMIT_EXCEEDED) return;
  counters_.add(HubCounter::kRpcSendLimitExceeded);
  counters_.add(HubCounter::kRpcSendLimitClosed);
  send_refused_.insert(connection);
  static base::LogLimiter limit(5);  // a flood of non-reading peers must not flood the log
  if (limit.allow())
    OUTPOST_LOG_WARN("hub: connection %u does not read its answers (send budget full): closing it", connection);
}

void Hub::closeSendRefused() {
  // connectionClosed may push to other connections (a user's servers), and one of those may be
  // refused too: it joins the set, and is closed in turn.
  while (!send_refused_.empty()) {
    uint32_t connection = *send_refused_.begin();
    link_->close(connection, CONNECTION_END_APP_EXCEPTION_GENERIC, "hub RPC answers not read (send budget full)");
    connectionClosed(connection);
    send_refused_.erase(connection);
  }
}

void Hub::refuse(uint32_t connection, const hubrpc::Envelope& request, int32_t result, const std::string& why) {
  hubrpc::Envelope response;
  response.set_request_id(request.request_id());
  auto* r = response.mutable_refused();
  r->set_result(result);
  r->set_error(why);
  r->set_request(static_cast<uint32_t>(request.body_case()));  // the body's field number
  counters_.add(HubCounter::kRpcRefused);
  send(connection, response);
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
    for (auto& [connection, bytes] : held_) transmit(connection, bytes);
  } else {
    counters_.add(HubCounter::kStoreCommitFailed);
    OUTPOST_LOG_ERROR("hub: store commit failed (%s): %zu answers withheld; their writes did not happen", error.c_str(),
                      held_.size());
  }
  held_.clear();
  // Connections the hub gives up on are closed after their last answer went out.
  for (uint32_t connection : closing_) {
    send_refused_.erase(connection);  // closed here already
    link_->close(connection, CONNECTION_END_APP_EXCEPTION_GENERIC, "malformed hub RPC messages");
  }
  closing_.clear();
  closeSendRefused();
  // Verdicts of password checks do not wake waitForActivity: look again soon while any are due.
  if (messages == 0 && net_) net_->waitForActivity(user_logons_->outstanding() ? std::min(timeout_ms, 2) : timeout_ms);
}

size_t Hub::work() {
  std::vector<std::pair<uint32_t, std::vector<uint8_t>>> messages;
  if (net_) {
    net_->runNetworkingCallbacks();
    for (auto& m : net_->receiveMessagesOnPollGroup(group_, 64))
      messages.emplace_back(m.connection, std::move(m.payload));
  } else {
    while (!inbox_.empty() && messages.size() < 64) {
      messages.push_back(std::move(inbox_.front()));
      inbox_.pop_front();
    }
  }
  for (auto& [connection, payload] : messages) onMessage(connection, payload);
  answerUserLogOns();
  // The master snapshot is rebuilt at most every 100 ms: a fleet of servers updating their
  // listings costs one rebuild per interval, not one per message batch.
  base::TimeUs steady = clock_->nowUs();
  if (steady - last_publish_us_ >= kPublishEveryUs) {
    servers_->publishIfChanged();
    last_publish_us_ = steady;
  }
  signaling_->expire(clock_->nowUs());
  housekeeping();
  return messages.size();
}

void Hub::housekeeping() {
  int64_t now = clock_->nowUnixS();
  if (now - last_stats_flush_ >= kStatsFlushEveryS) {
    players_->flushStats();
    last_stats_flush_ = now;
  }
  if (now - last_prune_ >= kPruneEveryS) {
    last_prune_ = now;
    counters_.add(HubCounter::kStorePrunePasses);
    counters_.add(HubCounter::kStoreTicketUsesPruned,
                  store_->pruneTicketUses(now - kTicketUseMarginS, kPruneRowsPerPass));
    if (config_.stats_retention_s > 0)
      counters_.add(HubCounter::kStoreServerStatsPruned,
                    store_->pruneServerStats(now - config_.stats_retention_s, kPruneRowsPerPass));
  }
}

void Hub::onMessage(uint32_t connection, std::span<const uint8_t> payload) {
  counters_.add(HubCounter::kRpcMessages);
  auto request = hubrpc::decode(payload);
  if (!request) {
    // Not a hub RPC message: the peer is broken or hostile. Answer it (a client learns what went
    // wrong), count it, and after kMaxMalformedPerConnection stop talking to it.
    counters_.add(HubCounter::kRpcMalformed);
    refuse(connection, hubrpc::Envelope(), RESULT_PARSE_FAILURE, "not a hub RPC message (docs/spec/hub-rpc.md)");
    if (++malformed_[connection] == kMaxMalformedPerConnection) {
      counters_.add(HubCounter::kRpcMalformedClosed);
      connectionClosed(connection);
      closing_.push_back(connection);  // closed in poll(), once the answer went out
    }
    return;
  }
  switch (request->body_case()) {
    case hubrpc::Envelope::kAdminRequest: return onAdmin(connection, *request);
    case hubrpc::Envelope::kServerLogOn: return onServerLogOn(connection, *request);
    case hubrpc::Envelope::kServerListing: return onServerListing(connection, *request);
    case hubrpc::Envelope::kUserLogOn: return onUserLogOn(connection, *request);
    case hubrpc::Envelope::kIdentityCertificateRequest: return onCertificateRequest(connection, *request);
    case hubrpc::Envelope::kTicketRequest: return onTicketRequest(connection, *request);
    case hubrpc::Envelope::kCancelTicket: return onCancelTicket(connection, *request);
    case hubrpc::Envelope::kValidateTicket: return onValidateTicket(connection, *request);
    case hubrpc::Envelope::kResumeAuthSession: return onResumeAuthSession(connection, *request);
    case hubrpc::Envelope::kEndAuthSession: return onEndAuthSession(connection, *request);
    case hubrpc::Envelope::kGroupStatusRequest: return onGroupStatus(connection, *request);
    case hubrpc::Envelope::kAssociateClan: return onAssociateClan(connection, *request);
    case hubrpc::Envelope::kPlayerCompatRequest: return onPlayerCompat(connection, *request);
    case hubrpc::Envelope::kGameplayStatsRequest: return onGameplayStats(connection, *request);
    case hubrpc::Envelope::kP2PSignal: return onP2PSignal(connection, *request);
    case hubrpc::Envelope::BODY_NOT_SET:
      // No body this hub knows: a newer client's request, or an empty envelope.
      counters_.add(HubCounter::kRpcUnknown);
      return refuse(connection, *request, RESULT_INVALID_PROTOCOL_VER, "a request this hub does not know");
    default:
      // An answer or a push (a body only the hub sends) sent to the hub.
      counters_.add(HubCounter::kRpcNotARequest);
      return refuse(connection, *request, RESULT_INVALID_PARAM, "not a request: the hub sends this message");
  }
}

std::map<std::string, uint64_t> Hub::counters() {
  std::map<std::string, uint64_t> out;
  counters_.addTo(out);
  if (net_)
    for (const auto& [k, v] : net_->getTransportCounters()) out["transport." + k] = v;
  for (const auto& [k, v] : user_logons_->counters()) out[k] = v;
  for (const auto& [k, v] : signaling_->counters()) out[k] = v;
  if (master_)
    for (const auto& [k, v] : master_->counters()) out["master." + k] = v;
  out["game_servers.sessions"] = servers_->sessions();
  out["game_servers.listed"] = servers_->listed();
  out["players.sessions"] = players_->users();
  out["players.auth_sessions"] = players_->authSessions();
  out["tickets.players_tracked"] = players_->trackedTickets();
  out["tickets.players_expired"] = players_->expiredTickets();
  out["tickets.servers_tracked"] = server_tickets_->tracked();
  out["tickets.servers_expired"] = server_tickets_->expiredTickets();
  out["certificates.holders"] = certificates_->holders();
  out["certificates.revocations"] = certificates_->revocations();
  return out;
}

}  // namespace outpost::hub
