// outpost::NetworkingSockets: the public facade. Each method forwards to the Engine; the
// configuration setters of global scope and the hub-bound functions (which return the
// reference's documented failure values until the hub exists) live here.
#include "outpost/networking_sockets.h"

#include <cstdlib>
#include <mutex>

#include "base/clock.h"
#include "base/log.h"
#include "transport/config_table.h"
#include "transport/engine.h"
#include "transport/fake_udp_port_impl.h"

namespace outpost {

// The facade stays in outpost:: (the public API); what it forwards to is transport's.
using transport::CertificateLink;
using transport::ConfigDef;
using transport::configTable;
using transport::Engine;
using transport::FakeUDPPorts;
using transport::findConfig;
using transport::GlobalConfig;
using transport::SignalingLink;
using transport::TransportCounters;
using transport::validateConfigValue;
namespace wire = transport::wire;

namespace {

void notAvailable(const char* fn) {
  static base::LogLimiter limiter(5);
  if (limiter.allow())
    OUTPOST_LOG_WARN(
        "%s: needs the Outpost hub (P2P, certificates, FakeIP, relays), which this build does not "
        "connect to yet",
        fn);
}

bool setGlobal(int config, const ConfigValue& value) {
  const ConfigDef* def = findConfig(config);
  if (!def) {
    OUTPOST_LOG_WARN("setGlobalConfigValue: unknown config value %d", config);
    return false;
  }
  ConfigValue v;
  std::string why;
  if (!validateConfigValue(*def, value, v, why)) {
    OUTPOST_LOG_WARN("setGlobalConfigValue: %s", why.c_str());
    return false;
  }
  GlobalConfig::instance().set(config, v);
  return true;
}

}  // namespace

NetworkingSockets::NetworkingSockets(NetworkingSocketsOptions options)
    : engine_(std::make_unique<Engine>(std::move(options), base::SystemClock::instance())) {}

NetworkingSockets::~NetworkingSockets() { fake_ports_.reset(); }

uint32_t NetworkingSockets::createListenSocketIP(const std::string& ip_address, const ConfigOptions& options) {
  return engine_->createListenSocketIP(ip_address, options);
}
uint32_t NetworkingSockets::connectByIPAddress(const std::string& a, const ConfigOptions& options) {
  return engine_->connectByIPAddress(a, options);
}
int NetworkingSockets::acceptConnection(uint32_t h) { return engine_->acceptConnection(h); }
bool NetworkingSockets::closeConnection(uint32_t peer, int reason, const std::string& debug, bool linger) {
  return engine_->closeConnection(peer, reason, debug, linger);
}
bool NetworkingSockets::closeListenSocket(uint32_t s) { return engine_->closeListenSocket(s); }
std::string NetworkingSockets::getListenSocketAddress(uint32_t s, bool with_port) {
  return engine_->getListenSocketAddress(s, with_port);
}
SendResult NetworkingSockets::sendMessageToConnection(uint32_t h, std::span<const uint8_t> data, int flags,
                                                      uint16_t lane) {
  return engine_->sendMessageToConnection(h, data, flags, lane);
}
std::vector<SendResult> NetworkingSockets::sendMessages(std::span<const OutgoingMessage> messages) {
  return engine_->sendMessages(messages);
}
int NetworkingSockets::flushMessagesOnConnection(uint32_t h) { return engine_->flushMessagesOnConnection(h); }
int NetworkingSockets::configureConnectionLanes(uint32_t h, int lanes, std::span<const int> priorities,
                                                std::span<const int> weights) {
  return engine_->configureConnectionLanes(h, lanes, priorities, weights);
}
std::vector<NetworkingMessage> NetworkingSockets::receiveMessagesOnConnection(uint32_t h, int max) {
  std::vector<NetworkingMessage> out;
  if (max > 0) engine_->receiveOnConnection(h, max, &out, nullptr);
  return out;
}
std::vector<NetworkingMessage> NetworkingSockets::receiveMessagesOnPollGroup(uint32_t g, int max) {
  std::vector<NetworkingMessage> out;
  if (max > 0) engine_->receiveOnPollGroup(g, max, &out, nullptr);
  return out;
}
int NetworkingSockets::receiveMessagesOnConnection(uint32_t h, MessageBatch& out, int max) {
  return engine_->receiveOnConnection(h, max, nullptr, &out);
}
int NetworkingSockets::receiveMessagesOnPollGroup(uint32_t g, MessageBatch& out, int max) {
  return engine_->receiveOnPollGroup(g, max, nullptr, &out);
}
uint32_t NetworkingSockets::createPollGroup() { return engine_->createPollGroup(); }
bool NetworkingSockets::destroyPollGroup(uint32_t g) { return engine_->destroyPollGroup(g); }
bool NetworkingSockets::setConnectionPollGroup(uint32_t h, uint32_t g) { return engine_->setConnectionPollGroup(h, g); }
std::optional<ConnectionInfo> NetworkingSockets::getConnectionInfo(uint32_t h) { return engine_->getConnectionInfo(h); }
RealTimeStatusResult NetworkingSockets::getConnectionRealTimeStatus(uint32_t h, int lanes, bool get_status) {
  return engine_->getConnectionRealTimeStatus(h, lanes, get_status);
}
DetailedStatusResult NetworkingSockets::getDetailedConnectionStatus(uint32_t h) {
  return engine_->getDetailedConnectionStatus(h);
}
std::string NetworkingSockets::getConnectionName(uint32_t h) { return engine_->getConnectionName(h); }
void NetworkingSockets::setConnectionName(uint32_t h, const std::string& name) { engine_->setConnectionName(h, name); }
int64_t NetworkingSockets::getConnectionUserData(uint32_t h) { return engine_->getConnectionUserData(h); }
SocketPairResult NetworkingSockets::createSocketPair(bool loopback, uint64_t id1, uint64_t id2) {
  return engine_->createSocketPair(loopback, id1, id2);
}
std::string NetworkingSockets::getIdentity() { return engine_->getIdentity(); }
void NetworkingSockets::resetIdentity(uint64_t id) { engine_->resetIdentity(id); }
bool NetworkingSockets::trustConnection(uint32_t connection) { return engine_->trustConnection(connection); }
void NetworkingSockets::runNetworkingCallbacks() { engine_->runCallbacks(); }
void NetworkingSockets::connect_network_connection_status_changed(StatusChangedHandler handler) {
  engine_->setStatusHandler(std::move(handler));
}
void NetworkingSockets::connect_network_authentication_status(AuthenticationStatusHandler handler) {
  engine_->setAuthenticationHandler(std::move(handler));
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): a sink, ignored until FakeIP results exist
void NetworkingSockets::connect_fake_ip_result(FakeIPResultHandler handler) {
  engine_->setFakeIPHandler(std::move(handler));
}

// ---- Hub-bound functions -------------------------------------------------------------------

uint32_t NetworkingSockets::connectP2P(uint64_t remote_steam_id, int virtual_port, const ConfigOptions& options) {
  return engine_->connectP2P(remote_steam_id, virtual_port, options);
}
uint32_t NetworkingSockets::createListenSocketP2P(int virtual_port, const ConfigOptions& options) {
  return engine_->createListenSocketP2P(virtual_port, options, false);
}
uint32_t NetworkingSockets::createListenSocketP2PFakeIP(int fake_port, const ConfigOptions& options) {
  return engine_->createListenSocketP2P(fake_port, options, true);
}
std::shared_ptr<SignalingLink> NetworkingSockets::signalingLink() { return engine_->signalingLink(); }
uint32_t NetworkingSockets::connectToHostedDedicatedServer(uint64_t, int, const ConfigOptions&) {
  notAvailable("connectToHostedDedicatedServer");
  return NETWORKING_CONNECTION_INVALID;
}
uint32_t NetworkingSockets::createHostedDedicatedServerListenSocket(int, const ConfigOptions&) {
  notAvailable("createHostedDedicatedServerListenSocket");
  return LISTEN_SOCKET_INVALID;
}
uint32_t NetworkingSockets::getHostedDedicatedServerPOPId() { return 0; }
int NetworkingSockets::getHostedDedicatedServerPort() {
  const char* v = std::getenv("SDR_LISTEN_PORT");
  if (!v) return 0;
  int port = std::atoi(v);
  return port > 0 && port < 65536 ? port : 0;
}
bool NetworkingSockets::beginAsyncRequestFakeIP(int num_ports) { return engine_->beginAsyncRequestFakeIP(num_ports); }
FakeIPInfo NetworkingSockets::getFakeIP(int first_port) { return engine_->getFakeIP(first_port); }
RemoteFakeIPResult NetworkingSockets::getRemoteFakeIPForConnection(uint32_t connection) {
  return engine_->getRemoteFakeIPForConnection(connection);
}
FakeUDPPort* NetworkingSockets::createFakeUDPPort(int fake_server_port) {
  {
    static std::mutex mu;  // creates the port table once per instance
    std::lock_guard<std::mutex> l(mu);
    if (!fake_ports_) fake_ports_ = std::make_unique<FakeUDPPorts>(*this, *engine_);
  }
  return fake_ports_->create(fake_server_port);
}
int NetworkingSockets::initAuthentication() { return engine_->initAuthentication(); }
int NetworkingSockets::getAuthenticationStatus() { return engine_->getAuthenticationStatus(); }
std::optional<CertificateRequest> NetworkingSockets::getCertificateRequest() {
  return engine_->getCertificateRequest();
}
std::optional<SetCertificateResult> NetworkingSockets::setCertificate(std::span<const uint8_t> certificate) {
  return engine_->setCertificate(certificate);
}
std::shared_ptr<CertificateLink> NetworkingSockets::certificateLink() { return engine_->certificateLink(); }

// ---- Configuration --------------------------------------------------------------------------

bool NetworkingSockets::setGlobalConfigValueInt32(int config, int32_t value) { return setGlobal(config, value); }
bool NetworkingSockets::setGlobalConfigValueFloat(int config, float value) { return setGlobal(config, value); }
bool NetworkingSockets::setGlobalConfigValueString(int config, const std::string& value) {
  return setGlobal(config, value);
}
bool NetworkingSockets::setConnectionConfigValueInt32(uint32_t c, int config, int32_t value) {
  return engine_->setConnectionConfig(c, config, value);
}
bool NetworkingSockets::setConnectionConfigValueFloat(uint32_t c, int config, float value) {
  return engine_->setConnectionConfig(c, config, value);
}
bool NetworkingSockets::setConnectionConfigValueString(uint32_t c, int config, const std::string& value) {
  return engine_->setConnectionConfig(c, config, value);
}
bool NetworkingSockets::setConfigValue(int config, int scope_type, uint32_t scope_obj, const ConfigValue& value) {
  switch (scope_type) {
    case NETWORKING_CONFIG_SCOPE_GLOBAL:
    case NETWORKING_CONFIG_SCOPE_SOCKETS_INTERFACE: return setGlobal(config, value);
    case NETWORKING_CONFIG_SCOPE_CONNECTION: return engine_->setConnectionConfig(scope_obj, config, value);
    default:
      OUTPOST_LOG_WARN("setConfigValue: scope %d cannot be set directly (listen sockets take options at creation)",
                       scope_type);
      return false;
  }
}
ConfigValueResult NetworkingSockets::getConfigValue(int config, int scope_type, uint32_t scope_obj) {
  return engine_->getConfigValue(config, scope_type, scope_obj);
}
std::optional<ConfigValueInfo> NetworkingSockets::getConfigValueInfo(int config) {
  const ConfigDef* def = findConfig(config);
  if (!def) return std::nullopt;
  return ConfigValueInfo{def->type, narrowestScope(def->scope)};
}
std::vector<ConfigValueDescription> NetworkingSockets::listConfigValues() {
  std::vector<ConfigValueDescription> out;
  for (const ConfigDef& d : configTable()) {
    out.push_back({d.id, std::string("NETWORKING_CONFIG_") + d.name, d.type, narrowestScope(d.scope), d.default_value,
                   d.min_value, d.max_value, d.unit, d.description});
  }
  return out;
}
int64_t NetworkingSockets::getLocalTimestamp() { return base::SystemClock::instance().nowUs(); }
std::string NetworkingSockets::getIdentityPublicKeyHex() { return engine_->identityPublicKeyHex(); }

std::map<std::string, uint64_t> NetworkingSockets::getTransportCounters() {
  TransportCounters c = engine_->counters();
  std::map<std::string, uint64_t> out;
  out["datagrams_received"] = c.datagrams_received;
  out["datagrams_sent"] = c.datagrams_sent;
  out["challenges_sent"] = c.challenges_sent;
  out["version_replies_sent"] = c.version_replies_sent;
  out["connections_created"] = c.connections_created;
  out["send_failures"] = c.send_failures;
  out["dropped_total"] = c.dropped_total();
  out["fake_network.dropped"] = c.fake_dropped;
  out["fake_network.duplicated"] = c.fake_duplicated;
  out["fake_network.reordered"] = c.fake_reordered;
  for (const auto& [k, v] : c.p2p) out[k] = v;
  out["refused.max_connections"] = c.refused_max_connections;
  out["refused.max_connections_per_source"] = c.refused_max_connections_per_source;
  out["evicted.max_untrusted_connections"] = c.evicted_untrusted;
  out["refused.max_untrusted_connections_per_source"] = c.refused_max_untrusted_per_source;
  out["connections.promoted"] = c.promoted;
  out["connections.incoming"] = c.incoming_now;
  out["connections.untrusted"] = c.untrusted_now;
  out["malloc_trims"] = c.malloc_trims;
  for (size_t i = 1; i < static_cast<size_t>(wire::DropReason::kCount); ++i)
    out[std::string("dropped.") + wire::dropReasonName(static_cast<wire::DropReason>(i))] = c.dropped[i];
  // Certificates (docs/spec/cert.md): refusals by reason ("missing": none where one was required).
  uint64_t refused = 0;
  for (size_t i = 0; i < static_cast<size_t>(cert::CertError::kCount); ++i) {
    auto e = static_cast<cert::CertError>(i);
    if (e == cert::CertError::kBadCaKey || e == cert::CertError::kBadRequestSignature) continue;
    out[std::string("cert_refused.") + (i == 0 ? "missing" : cert::toString(e))] = c.cert_refused[i];
    refused += c.cert_refused[i];
  }
  out["cert_refused_total"] = refused;
  out["peers_authenticated"] = c.peers_authenticated;
  out["closed_revoked"] = c.closed_revoked;
  out["cert_signature_checks"] = c.cert_signature_checks;
  out["cert_cache_hits"] = c.cert_cache_hits;
  out["cert_revocations"] = c.cert_revocations;
  out["cert_revocations_evicted"] = c.cert_revocations_evicted;
  return out;
}

bool NetworkingSockets::poll(int timeout_ms) { return engine_->poll(timeout_ms); }
bool NetworkingSockets::waitForActivity(int timeout_ms) { return engine_->waitForActivity(timeout_ms); }

}  // namespace outpost
