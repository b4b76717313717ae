// Engine as ConnectionHost (connection.h): what a Connection tells its engine — datagrams to
// send (through the fake network when one is configured), state changes queued as callbacks,
// messages queued (and their poll group order), flushes wanted, finished connections, promoted
// and authenticated peers, and drops counted by reason.
#include "transport/engine.h"

#include "transport/engine_internal.h"

namespace outpost::transport {

uint8_t* Engine::datagramBuffer(const net::UdpSocket& socket) { return tx_->next(socket); }

void Engine::commitDatagram(const net::UdpSocket& socket, const base::SocketAddress& to, size_t len) {
  counters_.datagrams_sent++;
  fake_.refresh();  // one atomic load unless the global configuration changed
  if (fake_.active()) {
    uint8_t* buf = tx_->next(socket);
    if (fake_.route(FakeNetwork::Direction::kSend, socket.engine_id, to, buf, len, now()) == 0) return;
  }
  tx_->commit(socket, to, len);
}

void Engine::onStateChanged(Connection& c, int32_t old_state) {
  NetworkConnectionStatusChanged cb;
  cb.connect_handle = c.handle();
  cb.connection = c.info();
  cb.old_state = old_state;
  callbacks_.push_back(std::move(cb));
  activity_seq_++;
}

void Engine::onMessageQueued(Connection& c, uint64_t sequence) {
  queued_messages_++;
  activity_seq_++;
  if (c.pollGroup() && c.handle()) {
    auto g = poll_groups_.find(c.pollGroup());
    if (g != poll_groups_.end()) g->second.order.push_back({c.handle(), sequence});
  }
}

void Engine::onNeedsFlush(Connection& c) {
  if (c.dirty) return;
  c.dirty = true;
  dirty_.push_back(c.localId());
}

void Engine::onFinished(Connection& c) { finished_.push_back(c.localId()); }

void Engine::onWritable(Connection& c) {
  (void)c;
  writable_pending_ = true;
  activity_seq_++;
}

void Engine::onPromoted(Connection& c) {
  counters_.promoted++;
  if (!c.listenSocket()) return;
  auto ls = listen_sockets_.find(c.listenSocket());
  if (ls != listen_sockets_.end() && c.counted_untrusted) {
    countIncoming(ls->second, c, 0, -1);
    c.counted_untrusted = false;
  }
}

void Engine::countDrop(wire::DropReason reason) { counters_.dropped[static_cast<size_t>(reason)]++; }

void Engine::countCertificateRefusal(cert::CertError why) { counters_.cert_refused[static_cast<size_t>(why)]++; }

void Engine::onPeerAuthenticated(Connection& c, base::TimeUs now) {
  counters_.peers_authenticated++;
  // THE single place where a connection whose peer proved its identity (a good certificate, or
  // the pinned key) leaves the before-trust memory budget of issue 11 (docs/spec/transport.md
  // §16.3): it gets its configured budget and stops counting against the untrusted caps.
  c.promote(now);
}

}  // namespace outpost::transport
