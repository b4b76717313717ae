// Engine, the tables (engine.h): handles and local ids, connections created and destroyed
// (a server connection's handshake is remembered for replays when it goes), the sockets
// registered with epoll, the shared client socket, and giving the tables' freed memory back to
// the system after a flood. Also the engine's rate-limited log of API misuse.
#include "transport/engine.h"

#include <sys/epoll.h>

#include <malloc.h>
#include <algorithm>

#include "base/log.h"
#include "transport/engine_internal.h"

namespace outpost::transport {

base::LogLimiter g_misuse_log(20);

void misuse(const char* fmt, uint32_t h) {
  if (g_misuse_log.allow()) OUTPOST_LOG_WARN(fmt, h);
}

uint32_t Engine::allocateHandle() {
  for (;;) {
    uint32_t h = next_handle_++;
    if (h == 0) continue;
    if (handles_.count(h) || listen_sockets_.count(h) || poll_groups_.count(h)) continue;
    return h;
  }
}

uint32_t Engine::allocateLocalId() {
  for (;;) {
    uint32_t id = crypto::randomU32();
    if (id != 0 && !connections_.count(id)) return id;
  }
}

Connection* Engine::newConnection(Connection::Role role, const ConnectionConfig& config, bool with_handle) {
  uint32_t handle = with_handle ? allocateHandle() : 0;
  uint32_t id = allocateLocalId();
  auto c = std::make_unique<Connection>(*this, role, handle, id, config, now());
  Connection* raw = c.get();
  connections_[id] = std::move(c);
  if (handle) handles_[handle] = id;
  return raw;
}

void Engine::destroyConnection(uint32_t local_id) {
  auto it = connections_.find(local_id);
  if (it == connections_.end()) return;
  Connection* c = it->second.get();
  if (c->handle()) handles_.erase(c->handle());
  if (c->role() == Connection::Role::kServer && c->listenSocket()) {
    PendingKey key{c->peer(), c->clientConnectionId()};
    server_by_client_.erase(key);
    base::TimeUs t = now();
    sweepRecentlyClosed(t);
    ClosedHandshake& closed = recently_closed_[key];
    closed.expires = t + kRecentlyClosedUs;
    closed.rejection = c->rejectionPacket();
    closed.resends = 0;
    recently_closed_order_.emplace_back(closed.expires, key);
    while (recently_closed_.size() > kMaxRecentlyClosed && !recently_closed_order_.empty()) {
      auto [expires, oldest] = recently_closed_order_.front();
      recently_closed_order_.pop_front();
      auto r = recently_closed_.find(oldest);
      if (r != recently_closed_.end() && r->second.expires == expires) recently_closed_.erase(r);
    }
  }
  if (c->listenSocket()) {
    auto ls = listen_sockets_.find(c->listenSocket());
    if (ls != listen_sockets_.end() && ls->second.connections.erase(local_id))
      countIncoming(ls->second, *c, -1, c->counted_untrusted ? -1 : 0);
  }
  ++freed_since_trim_;
  queued_messages_ -= std::min<uint64_t>(queued_messages_, c->queue().count());
  p2pConnectionGone(*c);
  const net::UdpSocket* s = c->socket();
  connections_.erase(it);
  if (s) {
    auto se = sockets_.find(s->engine_id);
    if (se != sockets_.end() && se->second.users > 0 && --se->second.users == 0) unregisterSocket(s->engine_id);
  }
}

uint64_t Engine::registerSocket(std::unique_ptr<net::UdpSocket> s, uint32_t listen_handle) {
  uint64_t id = next_socket_id_++;
  s->engine_id = id;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = id;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, s->fd(), &ev);
  SocketEntry e;
  e.socket = std::move(s);
  e.listen_handle = listen_handle;
  sockets_[id] = std::move(e);
  return id;
}

void Engine::unregisterSocket(uint64_t id) {
  auto it = sockets_.find(id);
  if (it == sockets_.end()) return;
  tx_->flush();  // the batch may reference this socket
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second.socket->fd(), nullptr);
  fake_.dropSocket(id);
  sockets_.erase(it);
}

net::UdpSocket* Engine::clientSocketFor(const base::SocketAddress& to) {
  if (client_socket_id_ == 0) {
    std::string err;
    auto s = net::UdpSocket::open(base::SocketAddress::ipv6Any(0), &err);
    if (!s) {
      OUTPOST_LOG_ERROR("cannot open the client socket: %s", err.c_str());
      return nullptr;
    }
    client_socket_id_ = registerSocket(std::move(s), 0);
    sockets_[client_socket_id_].shared_client = true;
  }
  net::UdpSocket* s = sockets_[client_socket_id_].socket.get();
  if (!s->canReach(to)) {
    OUTPOST_LOG_WARN("no socket can reach %s", to.toString().c_str());
    return nullptr;
  }
  return s;
}

void Engine::trimHeapIfMuchFreed(base::TimeUs now) {
  // glibc keeps freed memory in its arenas; after many connections went away (a flood that
  // ended), give the free pages back to the system so the process shrinks again. Only when the
  // tables shrank to half of what they held since the last trim: steady churn (as many
  // connections coming as going) does not pay for a trim every second.
  peak_connections_ = std::max(peak_connections_, connections_.size());
  peak_recently_closed_ = std::max(peak_recently_closed_, recently_closed_.size());
  bool shrank = connections_.size() * 2 <= peak_connections_ || recently_closed_.size() * 2 <= peak_recently_closed_;
  if (freed_since_trim_ < kTrimAfterFreed || now - last_trim_ < kTrimIntervalUs || !shrank) return;
  freed_since_trim_ = 0;
  peak_connections_ = connections_.size();
  peak_recently_closed_ = recently_closed_.size();
  last_trim_ = now;
  if (connections_.empty()) decltype(connections_)().swap(connections_);
  if (server_by_client_.empty()) decltype(server_by_client_)().swap(server_by_client_);
  ::malloc_trim(0);
  counters_.malloc_trims++;
}

}  // namespace outpost::transport
