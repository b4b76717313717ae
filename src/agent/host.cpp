// The SDK objects behind the agent's two singletons, and the translation of their signals into
// events (the reference's signal names and positional payloads, godotsteam-api.md §1.2, §3.4).
// Runs on the agent's loop thread.
#include "agent/host.h"

#include "base/log.h"

namespace outpost::agent {

Host::Host() = default;

Host::~Host() {
  // Players first (their hub connection), then the server (logs off), then the sockets.
  user_.reset();
  if (game_server_) game_server_->serverShutdown();
  game_server_.reset();
  sockets_[0].reset();
  sockets_[1].reset();
}

GameServer& Host::gameServer() {
  if (!game_server_) {
    game_server_ = std::make_unique<GameServer>();
    attachGameServerSignals();
  }
  return *game_server_;
}

NetworkingSockets& Host::sockets(bool client_side) {
  auto& s = sockets_[client_side ? 1 : 0];
  if (!s) {
    s = std::make_unique<NetworkingSockets>();
    attachSocketSignals(*s, client_side);
    // As SteamGameServerNetworkingSockets() and SteamNetworkingSockets() are: the server's sockets
    // are certified as the game server once it logs on, the player's as the player.
    if (client_side) user().certifyNetworkingSockets(*s);
    else gameServer().certifyNetworkingSockets(*s);
  }
  return *s;
}

User& Host::user() {
  if (!user_) user_ = std::make_unique<User>();
  return *user_;
}

ServerBrowser& Host::browser() {
  if (!browser_) browser_ = std::make_unique<ServerBrowser>();
  return *browser_;
}

void Host::queueEvent(bool client_side, Value event) {
  auto& q = events_[client_side ? 1 : 0];
  if (q.size() >= kMaxQueuedEvents) {
    q.erase(q.begin());
    ++events_dropped_;
    OUTPOST_LOG_WARN("outpost-agent: more than %zu events without run_callbacks; the oldest is dropped",
                     kMaxQueuedEvents);
  }
  q.push_back(std::move(event));
}

Value Host::runCallbacks(bool client_side, bool networking_only) {
  if (!client_side && !networking_only && game_server_) game_server_->run_callbacks();
  if (auto& s = sockets_[client_side ? 1 : 0]) s->runNetworkingCallbacks();
  auto& q = events_[client_side ? 1 : 0];
  Value out = Value::array();
  for (auto& e : q) out.push_back(std::move(e));
  q.clear();
  return out;
}

void Host::attachGameServerSignals() {
  GameServer& gs = *game_server_;
  auto emit = [this](Value e) { queueEvent(false, std::move(e)); };
  gs.connect_server_connected([emit] { emit(Value::array({"server_connected"})); });
  gs.connect_server_connect_failure([emit](const ServerConnectFailure& f) {
    emit(Value::array({"server_connect_failure", f.result, f.retrying}));
  });
  gs.connect_server_disconnected([emit](int32_t result) { emit(Value::array({"server_disconnected", result})); });
  // The reference's payload is the SDK's uint8 m_bSecure: 1 or 0.
  gs.connect_policy_response([emit](bool secure) { emit(Value::array({"policy_response", secure ? 1 : 0})); });
  gs.connect_validate_auth_ticket_response([emit](const ValidateAuthTicketResponse& r) {
    emit(Value::array({"validate_auth_ticket_response", r.auth_id, r.response, r.owner_id}));
  });
  gs.connect_client_kick([emit](const ClientKick& k) {
    emit(Value::array({"client_kick", k.steam_id, k.deny_reason}));
  });
  gs.connect_client_approved([emit](const ClientApproved& a) {
    emit(Value::array({"client_approved", a.steam_id, a.owner_id}));
  });
  gs.connect_client_denied([emit](const ClientDenied& d) {
    emit(Value::array({"client_denied", d.steam_id, d.deny_reason}));
  });
  gs.connect_client_group_status([emit](const ClientGroupStatus& s) {
    emit(Value::array({"client_group_status", s.steam_id, s.group_id, s.member, s.officer}));
  });
  gs.connect_associate_clan([emit](int32_t result) { emit(Value::array({"associate_clan", result})); });
  gs.connect_player_compat([emit](const PlayerCompat& p) {
    emit(Value::array({"player_compat", p.result, p.players_dont_like_candidate, p.players_candidate_doesnt_like,
                       p.clan_players_dont_like_candidate, p.steam_id}));
  });
}

void Host::attachSocketSignals(NetworkingSockets& s, bool client_side) {
  auto emit = [this, client_side](Value e) { queueEvent(client_side, std::move(e)); };
  s.connect_network_connection_status_changed([emit](const NetworkConnectionStatusChanged& c) {
    emit(Value::array({"network_connection_status_changed", c.connect_handle, connectionInfoValue(c.connection, false),
                       c.old_state}));
  });
  s.connect_network_authentication_status([emit](const NetworkAuthenticationStatus& a) {
    emit(Value::array({"network_authentication_status", a.available, a.debug_message}));
  });
  s.connect_fake_ip_result([emit](const FakeIPResultEvent& f) {
    emit(Value::array({"fake_ip_result", f.result, f.remote_fake_steam_id, f.fake_ip, f.port_list}));
  });
}

Value connectionInfoValue(const ConnectionInfo& info, bool with_info_flags) {
  Value v = {{"identity", info.identity},
             {"user_data", info.user_data},
             {"listen_socket", info.listen_socket},
             {"remote_address", info.remote_address},
             {"remote_pop", info.remote_pop},
             {"pop_relay", info.pop_relay},
             {"connection_state", info.connection_state},
             {"end_reason", info.end_reason},
             {"end_debug", info.end_debug},
             {"debug_description", info.debug_description}};
  if (with_info_flags) v["info_flags"] = info.info_flags;
  return v;
}

Value messageValue(NetworkingMessage& m) {
  return {{"payload", bytesValue(std::move(m.payload))},
          {"size", m.size},
          {"connection", m.connection},
          {"identity", m.identity},
          {"receiver_user_data", m.receiver_user_data},
          {"time_received", m.time_received},
          {"message_number", m.message_number},
          {"channel", m.channel},
          {"flags", m.flags},
          {"sender_user_data", m.sender_user_data},
          {"lane", m.lane}};
}

void writeMessage(GodotWriter& w, const MessageView& m) {
  // The keys and order of messageValue (a Value object sorts its keys; so does this list).
  w.dictionaryHeader(11);
  w.string("channel");
  w.integer(m.lane);
  w.string("connection");
  w.integer(m.connection);
  w.string("flags");
  w.integer(m.flags);
  w.string("identity");
  w.integer(static_cast<int64_t>(m.identity));
  w.string("lane");
  w.integer(m.lane);
  w.string("message_number");
  w.integer(m.message_number);
  w.string("payload");
  w.bytes(m.payload);
  w.string("receiver_user_data");
  w.integer(m.receiver_user_data);
  w.string("sender_user_data");
  w.integer(m.sender_user_data);
  w.string("size");
  w.integer(static_cast<int64_t>(m.payload.size()));
  w.string("time_received");
  w.integer(m.time_received);
}

}  // namespace outpost::agent
