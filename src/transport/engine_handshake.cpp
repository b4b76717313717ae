// Engine, the server side of the stateless-cookie handshake (docs/spec/transport.md §5 and §6,
// drop checks in §13.2 and §13.4): a Hello is answered with a cookie and nothing is stored; a
// Connect that echoes a good cookie and carries a good signature creates a server connection
// (after the listen socket's caps); retransmitted Connects are answered again, and replays of
// recently closed handshakes dropped (or their refusal resent a few times) until their record
// expires.
#include "transport/engine.h"

#include <cstring>

#include "base/log.h"
#include "transport/engine_internal.h"

namespace outpost::transport {

void Engine::handleHello(SocketEntry& e, const base::SocketAddress& from, std::span<const uint8_t> in,
                         base::TimeUs now) {
  if (!e.listen_handle && !e.p2p) {
    countDrop(wire::DropReason::kNoListener);
    return;
  }
  wire::DropReason why = wire::DropReason::kNone;
  auto hello = wire::parseHello(in, &why);
  // The P2P socket answers only peers that a verified probe announced (signaling.md §8).
  if (hello && e.p2p && !p2pListenFor(from, hello->client_connection_id)) {
    countDrop(wire::DropReason::kNoListener);
    return;
  }
  if (!hello) {
    countDrop(why);
    if (why == wire::DropReason::kBadVersion && in.size() >= wire::kHelloSize) {
      // Tell the client which version we speak (6 bytes in answer to 64: no amplification).
      uint8_t* buf = tx_->next(*e.socket);
      size_t n = wire::writeVersionMismatch(in, buf);
      if (n) {
        commitDatagram(*e.socket, from, n);
        counters_.version_replies_sent++;
      }
    }
    return;
  }
  // Stateless: nothing is stored for this address until it echoes the cookie.
  wire::Challenge c;
  c.client_connection_id = hello->client_connection_id;
  c.cookie = cookies_.issue(from, c.client_connection_id, now);
  uint8_t* buf = tx_->next(*e.socket);
  size_t n = wire::writeChallenge(c, buf);
  commitDatagram(*e.socket, from, n);
  counters_.challenges_sent++;
}

void Engine::handleConnect(SocketEntry& e, const base::SocketAddress& from, std::span<const uint8_t> in,
                           base::TimeUs now) {
  if (!e.listen_handle && !e.p2p) {
    countDrop(wire::DropReason::kNoListener);
    return;
  }
  wire::DropReason why = wire::DropReason::kNone;
  auto connect = wire::parseConnect(in, &why);
  if (!connect) {
    countDrop(why);
    return;
  }
  uint32_t listen_handle = e.p2p ? p2pListenFor(from, connect->client_connection_id) : e.listen_handle;
  if (!listen_handle) {
    countDrop(wire::DropReason::kNoListener);
    return;
  }
  // A retransmitted Connect of a handshake we already answered (the client's source address
  // and connection id match one we verified with a cookie before): answer again, even once
  // the cookie has aged out. An Accept is smaller than the Connect; a refusal with debug text
  // can be larger (up to 283 bytes), but only goes to an address that proved itself, and only
  // a bounded number of times.
  PendingKey key{from, connect->client_connection_id};
  auto existing = server_by_client_.find(key);
  if (existing != server_by_client_.end()) {
    if (Connection* c = byLocalId(existing->second)) c->onConnectRetransmit(now);
    return;
  }
  auto closed = recently_closed_.find(key);
  if (closed != recently_closed_.end()) {
    if (closed->second.expires > now) {
      if (!closed->second.rejection.empty() && closed->second.resends < 8) {
        // The application refused this connection; the client missed the refusal.
        ++closed->second.resends;
        uint8_t* buf = tx_->next(*e.socket);
        std::memcpy(buf, closed->second.rejection.data(), closed->second.rejection.size());
        commitDatagram(*e.socket, from, closed->second.rejection.size());
      } else {
        countDrop(wire::DropReason::kDuplicate);  // a replay of a finished handshake
      }
      return;
    }
    recently_closed_.erase(closed);
  }
  // The cookie proves the sender receives packets at `from` (no spoofed sources past here).
  if (!cookies_.verify(from, connect->client_connection_id, connect->cookie, now)) {
    countDrop(wire::DropReason::kBadCookie);
    return;
  }
  uint8_t msg[1400];
  size_t mlen = wire::connectSignedMessage(in.first(connect->signed_length), msg, sizeof msg);
  if (mlen == 0 || !crypto::verifySignature(connect->identity_public, {msg, mlen}, connect->signature)) {
    countDrop(wire::DropReason::kBadSignature);
    return;
  }
  ListenState& ls = listen_sockets_[listen_handle];
  ConnectionConfig config = resolveConnectionConfig(&ls.layer, nullptr);
  // The caps (per listen socket and per source, all and not yet trusted) are checked only now,
  // when the source has proved its address: a spoofed flood cannot use up another's share.
  std::string refusal;
  Connection* c = newConnection(Connection::Role::kServer, config, true);
  if (e.p2p) c->setExpectedPeerIdentity(p2pPeerFor(from, connect->client_connection_id));
  int32_t reason = CONNECTION_END_MISC_GENERIC;
  bool ok =
      c->initServer(e.socket.get(), from, *connect, {&identity_, auth_.steamId()}, listen_handle, &reason, &refusal);
  // A peer whose certificate verified is trusted at once (onPeerAuthenticated below): only the
  // caps on all connections apply to it, not those on untrusted ones.
  if (ok && capBrokenBy(ls, from, c->peerAuthenticated(), &refusal) != 0) {
    ok = false;
    reason = CONNECTION_END_MISC_GENERIC;
  }
  if (!ok) {
    static base::LogLimiter refusal_log(20);
    if (refusal_log.allow())
      OUTPOST_LOG_INFO("refusing connection from %s: %s", from.toString().c_str(), refusal.c_str());
    c->sendReject(reason, refusal);
    handles_.erase(c->handle());
    uint32_t id = c->localId();
    connections_.erase(id);
    return;
  }
  if (!c->peerAuthenticated())
    evictOldestUntrusted(ls, listen_handle, resolveListenLimits(&ls.layer).max_untrusted_connections, now);
  server_by_client_[key] = c->localId();
  ls.connections.insert(c->localId());
  countIncoming(ls, *c, 1, 1);
  c->counted_untrusted = true;
  ls.untrusted_order.push_back(c->localId());
  if (ls.untrusted_order.size() > 2 * ls.untrusted + 1024) {
    // Drop the entries of connections promoted or gone since (the order stays oldest first).
    std::deque<uint32_t> live;
    for (uint32_t id : ls.untrusted_order)
      if (Connection* x = byLocalId(id); x && x->counted_untrusted && x->listenSocket() == listen_handle)
        live.push_back(id);
    ls.untrusted_order.swap(live);
  }
  if (e.p2p) onP2PServerConnection(*c, from, connect->client_connection_id);
  counters_.connections_created++;
  if (c->peerAuthenticated()) onPeerAuthenticated(*c, now);
  if (!c->peerAuthenticated() && c->allowWithoutAuth() == 1 && g_misuse_log.allow())
    OUTPOST_LOG_WARN("accepting unauthenticated peer %s (no certificate; IP_ALLOW_WITHOUT_AUTH = 1)",
                     from.toString().c_str());
  c->beginIncoming(now);
  if (ls.auto_accept_group) {  // a fake UDP port's listen socket (fake_udp_port.cpp)
    c->accept(now);
    if (poll_groups_.count(ls.auto_accept_group)) c->setPollGroup(ls.auto_accept_group);
  }
}

void Engine::sweepRecentlyClosed(base::TimeUs now) {
  while (!recently_closed_order_.empty() && recently_closed_order_.front().first <= now) {
    auto [expires, key] = recently_closed_order_.front();
    recently_closed_order_.pop_front();
    auto r = recently_closed_.find(key);
    // A key closed again later has a later expiry (and its own entry further back).
    if (r != recently_closed_.end() && r->second.expires == expires) {
      recently_closed_.erase(r);
      ++freed_since_trim_;
    }
  }
  if (recently_closed_.empty() && recently_closed_order_.empty()) {
    // After a mass close, give the tables' memory back too.
    decltype(recently_closed_)().swap(recently_closed_);
    decltype(recently_closed_order_)().swap(recently_closed_order_);
  }
}

}  // namespace outpost::transport
