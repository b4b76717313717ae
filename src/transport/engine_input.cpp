// Engine, datagram input: sockets read in batches (a coalesced GRO read split into its
// datagrams), datagrams held by the fake network released when due, and each datagram handed on
// by packet type — data to its connection, Hello and Connect to the handshake server
// (engine_handshake.cpp), Challenge, VersionMismatch and Accept to the client connection.
#include "transport/engine.h"

#include <algorithm>
#include <cstring>

#include "transport/engine_internal.h"

namespace outpost::transport {

void Engine::handleDatagram(uint64_t socket_id, const base::SocketAddress& from, const uint8_t* data, size_t len,
                            base::TimeUs now, bool from_fake_queue) {
  auto it = sockets_.find(socket_id);
  if (it == sockets_.end()) return;
  SocketEntry& e = it->second;
  if (!from_fake_queue) {
    counters_.datagrams_received++;
    fake_.refresh();
    if (fake_.active() && fake_.route(FakeNetwork::Direction::kReceive, socket_id, from, data, len, now) == 0) return;
  }
  std::span<const uint8_t> in(data, len);
  if (len == 0) {
    countDrop(wire::DropReason::kTooShort);
    return;
  }
  if (handleP2PDatagram(e, from, in, now)) return;  // STUN, connectivity probes
  wire::DropReason why = wire::DropReason::kNone;
  switch (static_cast<wire::PacketType>(data[0])) {
    case wire::PacketType::kData: {
      auto h = wire::parseDataHeader(in, &why);
      if (!h) break;
      Connection* c = byLocalId(h->connection_id);
      if (!c) {
        why = wire::DropReason::kUnknownConnection;
        break;
      }
      if (c->socket() != e.socket.get() || c->peer() != from) {
        why = wire::DropReason::kWrongAddress;
        break;
      }
      c->onDataPacket(*h, in, now);
      return;
    }
    case wire::PacketType::kHello: handleHello(e, from, in, now); return;
    case wire::PacketType::kConnect: handleConnect(e, from, in, now); return;
    case wire::PacketType::kChallenge: {
      auto ch = wire::parseChallenge(in, &why);
      if (!ch) break;
      Connection* c = byLocalId(ch->client_connection_id);
      if (!c || c->role() != Connection::Role::kClient || c->peer() != from || c->socket() != e.socket.get()) {
        why = wire::DropReason::kUnknownConnection;
        break;
      }
      c->onChallenge(*ch, now);
      return;
    }
    case wire::PacketType::kVersionMismatch: {
      auto vm = wire::parseVersionMismatch(in, &why);
      if (!vm) break;
      Connection* c = byLocalId(vm->client_connection_id);
      if (!c || c->role() != Connection::Role::kClient || c->peer() != from || c->socket() != e.socket.get()) {
        why = wire::DropReason::kUnknownConnection;
        break;
      }
      c->onVersionMismatch(vm->server_version, now);
      return;
    }
    case wire::PacketType::kAccept: {
      auto a = wire::parseAccept(in, &why);
      if (!a) break;
      Connection* c = byLocalId(a->client_connection_id);
      if (!c || c->role() != Connection::Role::kClient || c->peer() != from || c->socket() != e.socket.get()) {
        why = wire::DropReason::kUnknownConnection;
        break;
      }
      c->onAccept(*a, in, now);
      return;
    }
    default: why = wire::DropReason::kUnknownType; break;
  }
  countDrop(why == wire::DropReason::kNone ? wire::DropReason::kMalformed : why);
}

void Engine::readSocket(uint64_t socket_id, base::TimeUs now) {
  for (int round = 0; round < 32; ++round) {
    auto it = sockets_.find(socket_id);
    if (it == sockets_.end()) return;
    net::UdpSocket& s = *it->second.socket;
    int n = rx_->receive(s);
    for (int i = 0; i < n; ++i) {
      // A coalesced (GRO) read holds several datagrams of segmentSize bytes (the last may be
      // shorter); handle each as if it had arrived alone.
      const uint8_t* p = rx_->data(i);
      size_t left = rx_->size(i);
      size_t seg = std::max<size_t>(1, rx_->segmentSize(i));
      base::SocketAddress from = rx_->from(i);
      do {
        size_t len = std::min(left, seg);
        handleDatagram(socket_id, from, p, len, now, false);
        p += len;
        left -= len;
      } while (left > 0);
    }
    flushDirty(now);
    if (n < static_cast<int>(net::RxBatch::kSlots)) return;
  }
}

void Engine::releaseFakeNetwork(base::TimeUs now) {
  FakeNetwork::Delayed d;
  int budget = 4096;
  while (budget-- > 0 && fake_.popDue(now, d)) {
    if (d.direction == FakeNetwork::Direction::kSend) {
      auto it = sockets_.find(d.socket_id);
      if (it == sockets_.end()) continue;
      uint8_t* buf = tx_->next(*it->second.socket);
      std::memcpy(buf, d.bytes.data(), d.bytes.size());
      tx_->commit(*it->second.socket, d.peer, d.bytes.size());
    } else {
      handleDatagram(d.socket_id, d.peer, d.bytes.data(), d.bytes.size(), now, true);
    }
  }
}

}  // namespace outpost::transport
