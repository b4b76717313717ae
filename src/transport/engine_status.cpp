// Engine, API of status: a connection's info, real-time and detailed status, name and user
// data; the status and authentication callbacks queued under the lock and run by runCallbacks();
// the transport counters.
#include "transport/engine.h"

#include "base/log.h"
#include "transport/engine_internal.h"

namespace outpost::transport {

std::optional<ConnectionInfo> Engine::getConnectionInfo(uint32_t h) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("getConnectionInfo: invalid connection handle %u", h);
    return std::nullopt;
  }
  return c->info();
}

RealTimeStatusResult Engine::getConnectionRealTimeStatus(uint32_t h, int lanes, bool get_status) {
  RealTimeStatusResult r;
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("getConnectionRealTimeStatus: invalid connection handle %u", h);
    return r;
  }
  if (lanes < 0 || lanes > c->laneCount()) {
    OUTPOST_LOG_WARN("getConnectionRealTimeStatus: %d lanes asked, connection %u has %d", lanes, h, c->laneCount());
    return r;
  }
  base::TimeUs t = now();
  r.response = RESULT_OK;
  if (get_status) r.connection_status = c->realTimeStatus(t);
  for (int i = 0; i < lanes; ++i) r.lanes_status.push_back(c->laneStatus(i, t));
  return r;
}

DetailedStatusResult Engine::getDetailedConnectionStatus(uint32_t h) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("getDetailedConnectionStatus: invalid connection handle %u", h);
    return {-1, ""};
  }
  return {0, c->detailedStatus(now())};
}

std::string Engine::getConnectionName(uint32_t h) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("getConnectionName: invalid connection handle %u", h);
    return "";
  }
  return c->name();
}

void Engine::setConnectionName(uint32_t h, const std::string& name) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("setConnectionName: invalid connection handle %u", h);
    return;
  }
  c->setName(name);
}

int64_t Engine::getConnectionUserData(uint32_t h) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("getConnectionUserData: invalid connection handle %u", h);
    return -1;
  }
  return c->userData();
}

void Engine::setAuthenticationHandler(NetworkingSockets::AuthenticationStatusHandler h) {
  std::lock_guard<std::mutex> lock(handler_mu_);
  auth_handler_ = std::move(h);
}

void Engine::setStatusHandler(NetworkingSockets::StatusChangedHandler h) {
  std::lock_guard<std::mutex> lock(handler_mu_);
  status_handler_ = std::move(h);
}

void Engine::runCallbacks() {
  std::vector<NetworkConnectionStatusChanged> work;
  std::vector<FakeIPResultEvent> fake_work;
  std::vector<NetworkAuthenticationStatus> auth_work;
  {
    Lock lock(mu_);
    work.swap(callbacks_);
    fake_work.swap(fake_ip_callbacks_);
    auth_work.swap(auth_callbacks_);
  }
  std::lock_guard<std::mutex> lock(handler_mu_);
  if (status_handler_)
    for (const auto& cb : work) status_handler_(cb);
  if (fake_ip_handler_)
    for (const auto& cb : fake_work) fake_ip_handler_(cb);
  if (auth_handler_)
    for (const auto& cb : auth_work) auth_handler_(cb);
}

TransportCounters Engine::counters() {
  Lock lock(mu_);
  TransportCounters c = counters_;
  c.send_failures = tx_->failedDatagrams();
  c.fake_dropped = fake_.dropped();
  c.fake_duplicated = fake_.duplicated();
  c.fake_reordered = fake_.reordered();
  if (p2p_) c.p2p = p2p_->counters;
  c.cert_signature_checks = auth_.verifier().signatureChecks();
  c.cert_cache_hits = auth_.verifier().cacheHits();
  c.cert_revocations_evicted = auth_.verifier().evicted();
  return c;
}

}  // namespace outpost::transport
