// Engine, API of listen sockets and connections' lifetime: createListenSocketIP,
// connectByIPAddress, acceptConnection, closeConnection, closeListenSocket,
// getListenSocketAddress, createSocketPair and trustConnection.
#include "transport/engine.h"

#include <algorithm>
#include <ctime>

#include "base/log.h"
#include "transport/engine_internal.h"

namespace outpost::transport {

uint32_t Engine::createListenSocketIP(const std::string& address, const ConfigOptions& options) {
  auto addr = base::SocketAddress::parse(address, false);
  if (!addr) {
    OUTPOST_LOG_WARN("createListenSocketIP: malformed address \"%s\"", address.c_str());
    return LISTEN_SOCKET_INVALID;
  }
  ConfigLayer layer;
  if (!buildLayer(options, layer, "createListenSocketIP", true)) return LISTEN_SOCKET_INVALID;
  std::string err;
  auto s = net::UdpSocket::open(*addr, &err);
  if (!s) {
    OUTPOST_LOG_WARN("createListenSocketIP: %s", err.c_str());
    return LISTEN_SOCKET_INVALID;
  }
  Lock lock(mu_);
  serviceAuthentication(now());  // the session's latest state first
  auth_.onSocketCreated(static_cast<int64_t>(std::time(nullptr)));
  queueAuthenticationEvents();
  uint32_t h = allocateHandle();
  ListenState ls;
  ls.layer = layer;
  ls.socket_id = registerSocket(std::move(s), h);
  listen_sockets_[h] = std::move(ls);
  return h;
}

uint32_t Engine::connectByIPAddress(const std::string& address, const ConfigOptions& options) {
  auto addr = base::SocketAddress::parse(address, true);
  if (!addr) {
    OUTPOST_LOG_WARN("connectByIPAddress: malformed address \"%s\" (an IP and a non-zero port are required)",
                     address.c_str());
    return NETWORKING_CONNECTION_INVALID;
  }
  if (addr->family() == AF_INET || !addr->isV6()) {
    uint8_t ip[16];
    addr->ip16(ip);
    if (ip[12] == 169 && ip[13] == 254) return connectFakeIP(*addr, options);  // a FakeIP: P2P to its owner
  }
  ConfigLayer layer;
  if (!buildLayer(options, layer, "connectByIPAddress", false)) return NETWORKING_CONNECTION_INVALID;
  Lock lock(mu_);
  fake_.refresh();
  net::UdpSocket* s = clientSocketFor(*addr);
  if (!s) return NETWORKING_CONNECTION_INVALID;
  Connection* c = newConnection(Connection::Role::kClient, resolveConnectionConfig(nullptr, &layer), true);
  counters_.connections_created++;
  c->configLayer() = layer;
  base::TimeUs t = now();
  serviceAuthentication(t);  // the session's latest state first (it may have just logged on)
  auth_.onSocketCreated(static_cast<int64_t>(std::time(nullptr)));
  queueAuthenticationEvents();
  c->startClient(s, *addr, {&identity_, auth_.steamId()}, t);
  finishApiCall(t);
  return c->handle();
}

int Engine::acceptConnection(uint32_t h) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("acceptConnection: invalid connection handle %u", h);
    return RESULT_INVALID_PARAM;
  }
  base::TimeUs t = now();
  int r = c->accept(t);
  if (r != RESULT_OK) misuse("acceptConnection: connection %u is not an incoming connection waiting to be accepted", h);
  finishApiCall(t);
  return r;
}

bool Engine::closeConnection(uint32_t h, int reason, const std::string& debug, bool linger) {
  if (reason == 0) reason = CONNECTION_END_APP_GENERIC;
  if (reason < CONNECTION_END_APP_MIN || reason > CONNECTION_END_APP_EXCEPTION_MAX) {
    OUTPOST_LOG_WARN("closeConnection: reason %d is not an application code (1000-2999)", reason);
    return false;
  }
  if (debug.size() > frames::kMaxCloseDebug) {
    OUTPOST_LOG_WARN("closeConnection: debug text of %zu bytes is over the limit of %zu", debug.size(),
                     frames::kMaxCloseDebug);
    return false;
  }
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("closeConnection: invalid connection handle %u", h);
    return false;
  }
  base::TimeUs t = now();
  handles_.erase(h);
  queued_messages_ -= std::min<uint64_t>(queued_messages_, c->queue().count());
  c->queue().clear();
  c->setPollGroup(0);
  uint32_t id = c->localId();
  if (c->closeByApp(reason, debug, linger, t)) destroyConnection(id);
  finishApiCall(t);
  return true;
}

bool Engine::closeListenSocket(uint32_t h) {
  Lock lock(mu_);
  auto it = listen_sockets_.find(h);
  if (it == listen_sockets_.end()) {
    misuse("closeListenSocket: invalid listen socket handle %u", h);
    return false;
  }
  std::vector<uint32_t> ids(it->second.connections.begin(), it->second.connections.end());
  for (uint32_t id : ids) {
    Connection* c = byLocalId(id);
    if (!c) continue;
    if (c->handle()) handles_.erase(c->handle());
    c->clearHandle();
    c->abandon();
    destroyConnection(id);
  }
  if (it->second.p2p) p2pListenClosed(h);  // the P2P socket is shared: it stays
  else unregisterSocket(it->second.socket_id);
  listen_sockets_.erase(h);
  return true;
}

std::string Engine::getListenSocketAddress(uint32_t h, bool with_port) {
  Lock lock(mu_);
  auto it = listen_sockets_.find(h);
  if (it == listen_sockets_.end()) {
    misuse("getListenSocketAddress: invalid listen socket handle %u", h);
    return "";
  }
  return sockets_[it->second.socket_id].socket->localAddress().toString(with_port);
}

SocketPairResult Engine::createSocketPair(bool loopback, uint64_t id1, uint64_t id2) {
  SocketPairResult r;
  std::unique_ptr<net::UdpSocket> sa, sb;
  if (loopback) {
    std::string err;
    sa = net::UdpSocket::open(base::SocketAddress::ipv4(0x7F000001, 0), &err);
    sb = sa ? net::UdpSocket::open(base::SocketAddress::ipv4(0x7F000001, 0), &err) : nullptr;
    if (!sa || !sb) {
      OUTPOST_LOG_WARN("createSocketPair: %s", err.c_str());
      return r;
    }
  }
  Lock lock(mu_);
  fake_.refresh();
  base::TimeUs t = now();
  ConnectionConfig config = resolveConnectionConfig(nullptr, nullptr);
  Connection* a;
  Connection* b;
  if (!loopback) {
    a = newConnection(Connection::Role::kPipe, config, true);
    b = newConnection(Connection::Role::kPipe, config, true);
    Connection::linkPipe(*a, *b, t);
  } else {
    uint64_t ida = registerSocket(std::move(sa), 0);
    uint64_t idb = registerSocket(std::move(sb), 0);
    sockets_[ida].users = 1;
    sockets_[idb].users = 1;
    a = newConnection(Connection::Role::kClient, config, true);
    b = newConnection(Connection::Role::kServer, config, true);
    Connection::linkLoopback(*a, sockets_[ida].socket.get(), *b, sockets_[idb].socket.get(), t);
  }
  counters_.connections_created += 2;
  // Connection 1 belongs to identity 1, so its remote end is identity 2 (and vice versa).
  a->setRemoteSteamId(id2);
  b->setRemoteSteamId(id1);
  r.success = true;
  r.connection1 = a->handle();
  r.connection2 = b->handle();
  finishApiCall(t);
  return r;
}

bool Engine::trustConnection(uint32_t h) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("trustConnection: invalid connection handle %u", h);
    return false;
  }
  base::TimeUs t = now();
  c->promote(t);
  finishApiCall(t);
  return true;
}

}  // namespace outpost::transport
