// Hub (see hub.h). Runs on the daemon's main thread: accepts every transport connection (the
// RPC itself authenticates what needs it), decodes one Envelope per message, answers, and
// counts what it refused.
#include "hub/hub.h"

#include <ctime>

#include "base/log.h"
#include "hub/admin.h"
#include "hubrpc/framing.h"

namespace outpost::hub {

std::unique_ptr<Hub> Hub::open(const HubConfig& config, std::string* error) {
  std::unique_ptr<Hub> hub(new Hub());
  hub->config_ = config;
  if (!openDataDir(config.data_dir, hub->dir_, error)) return nullptr;
  hub->store_ = store::openSqliteStore(hub->dir_.storePath(), error);
  if (!hub->store_) return nullptr;
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
      self->net_->closeConnection(s.connect_handle, 0, "", false);
      self->counters_["connections_closed"]++;
    }
  });
  hub->listen_ = hub->net_->createListenSocketIP(config.listen);
  if (!hub->listen_) {
    *error = "cannot listen on " + config.listen;
    return nullptr;
  }
  hub->group_ = hub->net_->createPollGroup();
  return hub;
}

Hub::~Hub() = default;

std::string Hub::listenAddress() { return net_->getListenSocketAddress(listen_, true); }

void Hub::poll(int timeout_ms) {
  net_->runNetworkingCallbacks();
  auto messages = net_->receiveMessagesOnPollGroup(group_, 64);
  for (auto& m : messages) onMessage(m.connection, m.payload);
  if (messages.empty()) net_->waitForActivity(timeout_ms);
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
  switch (request->body_case()) {
    case hubrpc::Envelope::kAdminRequest: {
      counters_["rpc.admin"]++;
      AdminContext ctx{*store_, dir_.admin_token_hex, static_cast<int64_t>(std::time(nullptr)),
                       [this] { return counters(); }};
      *response.mutable_admin_response() = handleAdmin(request->admin_request(), ctx);
      if (response.admin_response().result() == RESULT_ACCESS_DENIED) counters_["rpc.admin_denied"]++;
      break;
    }
    default:
      counters_["rpc.unknown"]++;
      return;
  }
  auto bytes = hubrpc::encode(response);
  net_->sendMessageToConnection(connection, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE);
}

std::map<std::string, uint64_t> Hub::counters() {
  std::map<std::string, uint64_t> out = counters_;
  for (const auto& [k, v] : net_->getTransportCounters()) out["transport." + k] = v;
  return out;
}

}  // namespace outpost::hub
