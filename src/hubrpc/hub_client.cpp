// HubClient (see hub_client.h).
#include "hubrpc/hub_client.h"

#include <chrono>

#include "base/log.h"
#include "hubrpc/hub_contact.h"

namespace outpost::hubrpc {

namespace {
using SteadyClock = std::chrono::steady_clock;
int remainingMs(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}
}  // namespace

HubClient::HubClient() = default;

HubClient::~HubClient() {
  if (conn_) net_.closeConnection(conn_, 0, "client done", true);
}

bool HubClient::connect(const std::string& address, const std::string& hub_key_hex, int timeout_ms,
                        std::string* error) {
  ConfigOptions options;
  if (!hub_key_hex.empty()) {
    auto key = normaliseHubKey(hub_key_hex);
    if (!key) {
      *error = "the hub key must be 64 hex characters";
      return false;
    }
    options[NETWORKING_CONFIG_OUTPOST_PINNED_PEER_KEY] = *key;
  } else if (!allow_unpinned_) {
    *error = "refusing to contact the hub at " + address +
             " without its key: whoever answers there would receive what we send (give KEY@IP:PORT as the hub "
             "prints it, or the key separately)";
    return false;
  } else {
    OUTPOST_LOG_WARN(
        "connecting to the hub at %s WITHOUT checking its key (allowUnpinned): anyone answering there "
        "receives what is sent; give the hub's key (KEY@IP:PORT) outside development",
        address.c_str());
  }
  // The hub has no certificate: its pinned key is what authenticates it (docs/spec/cert.md §12).
  options[NETWORKING_CONFIG_IP_ALLOW_WITHOUT_AUTH] = int32_t{2};
  options[NETWORKING_CONFIG_TIMEOUT_INITIAL] = int32_t{timeout_ms < 100 ? 100 : timeout_ms};
  conn_ = net_.connectByIPAddress(address, options);
  if (!conn_) {
    *error = "bad hub address or key \"" + address + "\"";
    return false;
  }
  auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto info = net_.getConnectionInfo(conn_);
    if (!info) break;
    if (info->connection_state == CONNECTION_STATE_CONNECTED) {
      // A pinned hub connection is trusted by the transport from the start; without a pin the
      // caller chose this hub itself, and its answers (admin listings) may exceed the untrusted
      // budget, so the connection is trusted here too.
      if (hub_key_hex.empty()) net_.trustConnection(conn_);
      return true;
    }
    if (info->connection_state == CONNECTION_STATE_CLOSED_BY_PEER ||
        info->connection_state == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY) {
      *error = info->end_reason == CONNECTION_END_REMOTE_BAD_CERT
                   ? "the machine answering at " + address + " is not the hub whose key was given (" + info->end_debug +
                         "); nothing was sent to it"
                   : "cannot reach the hub at " + address + ": " + info->end_debug;
      return false;
    }
    if (remainingMs(deadline) == 0) break;
    // Status callbacks count as activity: drain them (no handler) or waitForActivity would not
    // wait at all.
    net_.runNetworkingCallbacks();
    net_.waitForActivity(std::min(remainingMs(deadline), 20));
  }
  *error = "timed out connecting to the hub at " + address;
  return false;
}

bool HubClient::send(const Envelope& message) {
  std::vector<uint8_t> bytes = encode(message);
  return conn_ && net_.sendMessageToConnection(conn_, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE).result == RESULT_OK;
}

bool HubClient::connected() {
  auto info = conn_ ? net_.getConnectionInfo(conn_) : std::nullopt;
  return info && info->connection_state == CONNECTION_STATE_CONNECTED;
}

void HubClient::setPushHandler(std::function<void(const Envelope&)> handler) { push_handler_ = std::move(handler); }

void HubClient::pollPushes() {
  if (!conn_) return;
  for (auto& m : net_.receiveMessagesOnConnection(conn_, 16)) {
    auto e = decode(m.payload);
    if (e && push_handler_) push_handler_(*e);
  }
}

void HubClient::waitForActivity(int timeout_ms) {
  net_.runNetworkingCallbacks();
  net_.waitForActivity(timeout_ms);
}

void HubClient::close() {
  if (conn_) net_.closeConnection(conn_, 0, "client done", true);
  conn_ = 0;
}

std::optional<Envelope> HubClient::call(Envelope request, int timeout_ms, std::string* error) {
  uint32_t id = next_request_id_++;
  request.set_request_id(id);
  std::vector<uint8_t> bytes = encode(request);
  SendResult r = net_.sendMessageToConnection(conn_, bytes, NETWORKING_SEND_RELIABLE_NO_NAGLE);
  if (r.result != RESULT_OK) {
    *error = "sending to the hub failed (result " + std::to_string(r.result) + ")";
    return std::nullopt;
  }
  auto deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    for (auto& m : net_.receiveMessagesOnConnection(conn_, 16)) {
      auto e = decode(m.payload);
      if (e && e->request_id() == id) return e;
      if (e && push_handler_) push_handler_(*e);  // a push (or a late answer) meanwhile
    }
    auto info = net_.getConnectionInfo(conn_);
    if (!info || info->connection_state != CONNECTION_STATE_CONNECTED) {
      *error = "the hub connection closed: " + (info ? info->end_debug : std::string("gone"));
      return std::nullopt;
    }
    if (remainingMs(deadline) == 0) {
      *error = "the hub did not answer in time";
      return std::nullopt;
    }
    net_.runNetworkingCallbacks();
    net_.waitForActivity(std::min(remainingMs(deadline), 20));
  }
}

}  // namespace outpost::hubrpc
