// Engine (see engine.h). Public methods take the engine lock, do their work, then flush what
// they produced (finishApiCall). pollOnce() is the I/O loop body, run by the service thread, by
// poll() in manual mode, or by an application thread blocked in waitForActivity():
// wait in epoll without the lock, then read ready sockets in batches, release fake-network
// datagrams, run due timers, send acks and data, and wake threads waiting for messages.
#include "transport/engine.h"

#include <malloc.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "base/log.h"

namespace outpost {

// Fills a MessageBatch (a friend of it): payload bytes back to back, views fixed up at the end.
class MessageBatchWriter {
 public:
  explicit MessageBatchWriter(MessageBatch& b) : b_(b) {
    b_.bytes_.clear();
    b_.views_.clear();
    b_.offsets_.clear();
  }
  void add(std::span<const uint8_t> payload, const MessageView& meta) {
    b_.offsets_.push_back(b_.bytes_.size());
    b_.bytes_.insert(b_.bytes_.end(), payload.begin(), payload.end());
    b_.views_.push_back(meta);
    b_.views_.back().payload = {static_cast<const uint8_t*>(nullptr), payload.size()};
  }
  void finish() {
    for (size_t i = 0; i < b_.views_.size(); ++i)
      b_.views_[i].payload = {b_.bytes_.data() + b_.offsets_[i], b_.views_[i].payload.size()};
  }

 private:
  MessageBatch& b_;
};

namespace {

LogLimiter g_misuse_log(20);
constexpr uint64_t kEventFdKey = 0;
constexpr TimeUs kRecentlyClosedUs = 10000000;
// At most this many recently closed handshakes are remembered (the oldest go first).
constexpr size_t kMaxRecentlyClosed = 65536;
// malloc_trim after this many connections were freed, at most once a second.
constexpr size_t kTrimAfterFreed = 256;
constexpr TimeUs kTrimIntervalUs = 1000000;
// How long a connection whose peer was revoked stays open for the application to close it with
// its own reason first (docs/spec/cert.md §9).
constexpr TimeUs kRevocationGraceUs = 2000000;

void misuse(const char* fmt, uint32_t h) {
  if (g_misuse_log.allow()) OUTPOST_LOG_WARN(fmt, h);
}

}  // namespace

Engine::Engine(NetworkingSocketsOptions options, const Clock& clock)
    : options_(options), clock_(clock), auth_(identity_, options.trusted_ca_keys_hex), rx_(new RxBatch()),
      tx_(new TxBatch()) {
  crypto::init();
  if (options_.identity_secret_key.empty() ||
      !crypto::identityFromSecretKey(options_.identity_secret_key, identity_)) {
    if (!options_.identity_secret_key.empty())
      OUTPOST_LOG_ERROR("NetworkingSockets: the identity key given is not a valid Ed25519 key; using a fresh one");
    identity_ = crypto::IdentityKeyPair::generate();
  }
  next_handle_ = (crypto::randomU32() & 0xFFFF) + 1;
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  event_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kEventFdKey;
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &ev);
  fake_.refresh();
  if (options_.service_thread) service_ = std::thread([this] { serviceLoop(); });
}

Engine::~Engine() {
  // The hub session may outlive this instance: it must stop poking the eventfd before it closes.
  if (auto link = auth_.existingLink()) link->setWake(nullptr);
  {
    Lock lock(mu_);
    // Tell connected peers we are going away instead of letting them time out.
    TimeUs t = now();
    std::vector<uint32_t> handles;
    for (auto& [h, id] : handles_) handles.push_back(h);
    for (uint32_t h : handles) {
      Connection* c = byHandle(h);
      if (c && c->state() == CONNECTION_STATE_CONNECTED)
        c->closeByApp(CONNECTION_END_APP_GENERIC, "shutting down", false, t);
    }
    tx_->flush();
    stop_ = true;
    wakeService();
    service_cv_.notify_all();
  }
  if (service_.joinable()) service_.join();
  connections_.clear();
  sockets_.clear();
  if (event_fd_ >= 0) ::close(event_fd_);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

// ---------------------------------------------------------------------------------------------
// Tables

Connection* Engine::byHandle(uint32_t h) {
  if (h == 0) return nullptr;
  auto it = handles_.find(h);
  if (it == handles_.end()) return nullptr;
  return byLocalId(it->second);
}

Connection* Engine::byLocalId(uint32_t id) {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : it->second.get();
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
    TimeUs t = now();
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
  const UdpSocket* s = c->socket();
  connections_.erase(it);
  if (s) {
    auto se = sockets_.find(s->engine_id);
    if (se != sockets_.end() && se->second.users > 0 && --se->second.users == 0) unregisterSocket(s->engine_id);
  }
}

uint64_t Engine::registerSocket(std::unique_ptr<UdpSocket> s, uint32_t listen_handle) {
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

UdpSocket* Engine::clientSocketFor(const SocketAddress& to) {
  if (client_socket_id_ == 0) {
    std::string err;
    auto s = UdpSocket::open(SocketAddress::ipv6Any(0), &err);
    if (!s) {
      OUTPOST_LOG_ERROR("cannot open the client socket: %s", err.c_str());
      return nullptr;
    }
    client_socket_id_ = registerSocket(std::move(s), 0);
    sockets_[client_socket_id_].shared_client = true;
  }
  UdpSocket* s = sockets_[client_socket_id_].socket.get();
  if (!s->canReach(to)) {
    OUTPOST_LOG_WARN("no socket can reach %s", to.toString().c_str());
    return nullptr;
  }
  return s;
}

bool Engine::buildLayer(const ConfigOptions& options, ConfigLayer& out, const char* what, bool for_listen_socket) {
  for (const auto& [id, value] : options) {
    const ConfigDef* def = findConfig(id);
    if (!def) {
      OUTPOST_LOG_WARN("%s: unknown config value %d in options", what, id);
      return false;
    }
    if (def->scope == ConfigScopeKind::kGlobal) {
      OUTPOST_LOG_WARN("%s: %s can only be set globally", what, def->name);
      return false;
    }
    if (def->scope == ConfigScopeKind::kListenSocket && !for_listen_socket) {
      OUTPOST_LOG_WARN("%s: %s can only be set on a listen socket or globally", what, def->name);
      return false;
    }
    ConfigValue v;
    std::string why;
    if (!validateConfigValue(*def, value, v, why)) {
      OUTPOST_LOG_WARN("%s: %s", what, why.c_str());
      return false;
    }
    out.set(id, v);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// ConnectionHost

uint8_t* Engine::datagramBuffer(const UdpSocket& socket) { return tx_->next(socket); }

void Engine::commitDatagram(const UdpSocket& socket, const SocketAddress& to, size_t len) {
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

void Engine::pushTimer(Connection& c) {
  TimeUs t = c.nextTimer();
  if (t >= c.scheduled_at) return;
  c.scheduled_at = t;
  timers_.push({t, c.localId()});
  if (sleeping_ && t < planned_wake_) wakeService();
}

void Engine::onTimerChanged(Connection& c) { pushTimer(c); }

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

size_t Engine::SourceKeyHash::operator()(const SourceKey& k) const {
  uint64_t a, b;
  std::memcpy(&a, k.bytes.data(), 8);
  std::memcpy(&b, k.bytes.data() + 8, 8);
  return static_cast<size_t>((a * 0x9E3779B97F4A7C15ull) ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2)));
}

Engine::SourceKey Engine::sourceOf(const SocketAddress& a) {
  SourceKey k;
  a.ip16(k.bytes.data());
  // An IPv6 host usually holds a whole /64: count the prefix, not the address.
  if (a.isV6()) std::fill(k.bytes.begin() + 8, k.bytes.end(), 0);
  return k;
}

void Engine::countIncoming(ListenState& ls, const Connection& c, int delta_connections, int delta_untrusted) {
  SourceCount& sc = ls.sources[sourceOf(c.peer())];
  sc.connections = static_cast<uint32_t>(static_cast<int64_t>(sc.connections) + delta_connections);
  sc.untrusted = static_cast<uint32_t>(static_cast<int64_t>(sc.untrusted) + delta_untrusted);
  ls.untrusted = static_cast<size_t>(static_cast<int64_t>(ls.untrusted) + delta_untrusted);
  counters_.untrusted_now = static_cast<uint64_t>(static_cast<int64_t>(counters_.untrusted_now) + delta_untrusted);
  counters_.incoming_now = static_cast<uint64_t>(static_cast<int64_t>(counters_.incoming_now) + delta_connections);
  if (sc.connections == 0) ls.sources.erase(sourceOf(c.peer()));
}

void Engine::evictOldestUntrusted(ListenState& ls, uint32_t listen_handle, int32_t limit, TimeUs now) {
  // A flood that fills the listen socket's untrusted slots does not lock everyone else out: the
  // oldest untrusted connection makes room, so holding the slots means connecting again and
  // again (a handshake each), while a peer that shows its credential soon gets in and out.
  static LogLimiter evict_log(10);
  while (ls.untrusted >= static_cast<size_t>(limit) && !ls.untrusted_order.empty()) {
    uint32_t id = ls.untrusted_order.front();
    ls.untrusted_order.pop_front();
    Connection* c = byLocalId(id);
    if (!c || !c->counted_untrusted || c->listenSocket() != listen_handle) continue;
    std::string why = "evicted: the server is at its limit of connections not trusted yet "
                      "(OUTPOST_MAX_UNTRUSTED_CONNECTIONS = " + std::to_string(limit) + ")";
    if (evict_log.allow()) OUTPOST_LOG_INFO("connection from %s %s", c->peer().toString().c_str(), why.c_str());
    c->evict(CONNECTION_END_MISC_GENERIC, why, now);
    countIncoming(ls, *c, 0, -1);
    c->counted_untrusted = false;
    counters_.evicted_untrusted++;
  }
}

int Engine::capBrokenBy(ListenState& ls, const SocketAddress& from, bool authenticated, std::string* why) {
  ListenLimits limits = resolveListenLimits(&ls.layer);
  SourceCount source;
  if (auto it = ls.sources.find(sourceOf(from)); it != ls.sources.end()) source = it->second;
  struct Cap {
    int id;
    size_t have;
    int32_t max;
    uint64_t* counter;
    const char* what;
  } caps[] = {
      {NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS, ls.connections.size(), limits.max_connections,
       &counters_.refused_max_connections, "connections on this listen socket"},
      {NETWORKING_CONFIG_OUTPOST_MAX_CONNECTIONS_PER_SOURCE, source.connections, limits.max_connections_per_source,
       &counters_.refused_max_connections_per_source, "connections from your address"},
      {NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE, source.untrusted,
       limits.max_untrusted_connections_per_source, &counters_.refused_max_untrusted_per_source,
       "connections not trusted yet from your address"},
  };
  for (const Cap& cap : caps) {
    if (cap.have < static_cast<size_t>(cap.max)) continue;
    if (authenticated && cap.id == NETWORKING_CONFIG_OUTPOST_MAX_UNTRUSTED_CONNECTIONS_PER_SOURCE) continue;
    ++*cap.counter;
    *why = "too many " + std::string(cap.what) + " (" + findConfig(cap.id)->name + " = " + std::to_string(cap.max) + ")";
    return cap.id;
  }
  return 0;
}

void Engine::countDrop(wire::DropReason reason) {
  counters_.dropped[static_cast<size_t>(reason)]++;
}

void Engine::countCertificateRefusal(cert::CertError why) {
  counters_.cert_refused[static_cast<size_t>(why)]++;
}

void Engine::onPeerAuthenticated(Connection& c, TimeUs now) {
  counters_.peers_authenticated++;
  // THE single place where a connection whose peer proved its identity (a good certificate, or
  // the pinned key) leaves the before-trust memory budget of issue 11 (docs/spec/transport.md
  // §16.3): it gets its configured budget and stops counting against the untrusted caps.
  c.promote(now);
}

// ---------------------------------------------------------------------------------------------
// Datagram input

void Engine::handleHello(SocketEntry& e, const SocketAddress& from, std::span<const uint8_t> in, TimeUs now) {
  if (!e.listen_handle) {
    countDrop(wire::DropReason::kNoListener);
    return;
  }
  wire::DropReason why = wire::DropReason::kNone;
  auto hello = wire::parseHello(in, &why);
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

void Engine::handleConnect(SocketEntry& e, const SocketAddress& from, std::span<const uint8_t> in, TimeUs now) {
  if (!e.listen_handle) {
    countDrop(wire::DropReason::kNoListener);
    return;
  }
  wire::DropReason why = wire::DropReason::kNone;
  auto connect = wire::parseConnect(in, &why);
  if (!connect) {
    countDrop(why);
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
  ListenState& ls = listen_sockets_[e.listen_handle];
  ConnectionConfig config = resolveConnectionConfig(&ls.layer, nullptr);
  // The caps (per listen socket and per source, all and not yet trusted) are checked only now,
  // when the source has proved its address: a spoofed flood cannot use up another's share.
  std::string refusal;
  Connection* c = newConnection(Connection::Role::kServer, config, true);
  int32_t reason = CONNECTION_END_MISC_GENERIC;
  bool ok = c->initServer(e.socket.get(), from, *connect, {&identity_, auth_.steamId()}, e.listen_handle, &reason,
                          &refusal);
  // A peer whose certificate verified is trusted at once (onPeerAuthenticated below): only the
  // caps on all connections apply to it, not those on untrusted ones.
  if (ok && capBrokenBy(ls, from, c->peerAuthenticated(), &refusal) != 0) {
    ok = false;
    reason = CONNECTION_END_MISC_GENERIC;
  }
  if (!ok) {
    static LogLimiter refusal_log(20);
    if (refusal_log.allow())
      OUTPOST_LOG_INFO("refusing connection from %s: %s", from.toString().c_str(), refusal.c_str());
    c->sendReject(reason, refusal);
    handles_.erase(c->handle());
    uint32_t id = c->localId();
    connections_.erase(id);
    return;
  }
  if (!c->peerAuthenticated())
    evictOldestUntrusted(ls, e.listen_handle, resolveListenLimits(&ls.layer).max_untrusted_connections, now);
  server_by_client_[key] = c->localId();
  ls.connections.insert(c->localId());
  countIncoming(ls, *c, 1, 1);
  c->counted_untrusted = true;
  ls.untrusted_order.push_back(c->localId());
  if (ls.untrusted_order.size() > 2 * ls.untrusted + 1024) {
    // Drop the entries of connections promoted or gone since (the order stays oldest first).
    std::deque<uint32_t> live;
    for (uint32_t id : ls.untrusted_order)
      if (Connection* x = byLocalId(id); x && x->counted_untrusted && x->listenSocket() == e.listen_handle)
        live.push_back(id);
    ls.untrusted_order.swap(live);
  }
  counters_.connections_created++;
  if (c->peerAuthenticated()) onPeerAuthenticated(*c, now);
  if (!c->peerAuthenticated() && c->allowWithoutAuth() == 1 && g_misuse_log.allow())
    OUTPOST_LOG_WARN("accepting unauthenticated peer %s (no certificate; IP_ALLOW_WITHOUT_AUTH = 1)",
                     from.toString().c_str());
  c->beginIncoming(now);
}

void Engine::handleDatagram(uint64_t socket_id, const SocketAddress& from, const uint8_t* data, size_t len,
                            TimeUs now, bool from_fake_queue) {
  auto it = sockets_.find(socket_id);
  if (it == sockets_.end()) return;
  SocketEntry& e = it->second;
  if (!from_fake_queue) {
    counters_.datagrams_received++;
    fake_.refresh();
    if (fake_.active() &&
        fake_.route(FakeNetwork::Direction::kReceive, socket_id, from, data, len, now) == 0)
      return;
  }
  std::span<const uint8_t> in(data, len);
  if (len == 0) {
    countDrop(wire::DropReason::kTooShort);
    return;
  }
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
    case wire::PacketType::kHello:
      handleHello(e, from, in, now);
      return;
    case wire::PacketType::kConnect:
      handleConnect(e, from, in, now);
      return;
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
    default:
      why = wire::DropReason::kUnknownType;
      break;
  }
  countDrop(why == wire::DropReason::kNone ? wire::DropReason::kMalformed : why);
}

// ---------------------------------------------------------------------------------------------
// The I/O loop

void Engine::readSocket(uint64_t socket_id, TimeUs now) {
  for (int round = 0; round < 32; ++round) {
    auto it = sockets_.find(socket_id);
    if (it == sockets_.end()) return;
    UdpSocket& s = *it->second.socket;
    int n = rx_->receive(s);
    for (int i = 0; i < n; ++i) {
      // A coalesced (GRO) read holds several datagrams of segmentSize bytes (the last may be
      // shorter); handle each as if it had arrived alone.
      const uint8_t* p = rx_->data(i);
      size_t left = rx_->size(i);
      size_t seg = std::max<size_t>(1, rx_->segmentSize(i));
      SocketAddress from = rx_->from(i);
      do {
        size_t len = std::min(left, seg);
        handleDatagram(socket_id, from, p, len, now, false);
        p += len;
        left -= len;
      } while (left > 0);
    }
    flushDirty(now);
    if (n < static_cast<int>(RxBatch::kSlots)) return;
  }
}

void Engine::releaseFakeNetwork(TimeUs now) {
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

void Engine::runTimers(TimeUs now) {
  // Collect first: a connection's onTimer may schedule again at `now`, which must wait for the
  // next round rather than loop here.
  std::vector<TimerEntry>& due = timer_scratch_;
  due.clear();
  while (!timers_.empty() && timers_.top().at <= now) {
    due.push_back(timers_.top());
    timers_.pop();
  }
  for (const TimerEntry& e : due) {
    Connection* c = byLocalId(e.local_id);
    if (!c || e.at != c->scheduled_at) continue;
    c->scheduled_at = kNever;
    if (c->nextTimer() <= now)
      c->onTimer(now);
    else
      pushTimer(*c);
  }
}

void Engine::flushDirty(TimeUs now) {
  for (int round = 0; round < 4 && !dirty_.empty(); ++round) {
    std::vector<uint32_t>& work = dirty_scratch_;
    work.clear();
    work.swap(dirty_);  // both vectors keep their capacity across rounds
    for (uint32_t id : work) {
      Connection* c = byLocalId(id);
      if (!c) continue;
      c->dirty = false;
      // Acks wait up to 1 ms for data to ride on unless one is due now (delayed acks).
      c->transmit(now, c->ackDueNow());
      c->recomputeTimer(now);
    }
  }
  tx_->flush();
}

void Engine::sweepRecentlyClosed(TimeUs now) {
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

void Engine::trimHeapIfMuchFreed(TimeUs now) {
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

void Engine::reapFinished() {
  while (!finished_.empty()) {
    std::vector<uint32_t> work;
    work.swap(finished_);
    for (uint32_t id : work) destroyConnection(id);
  }
}

void Engine::notifyActivity() {
  if (activity_seq_ != notified_seq_) {
    notified_seq_ = activity_seq_;
    if (waiters_ > 0) activity_cv_.notify_all();
  }
}

void Engine::finishApiCall(TimeUs now) {
  flushDirty(now);
  reapFinished();
}

TimeUs Engine::nextDeadline() {
  TimeUs t = fake_.nextRelease();
  // Certificate renewal, retry and expiry are in unix seconds.
  if (int64_t wake = auth_.nextWakeUnix(); wake != Authentication::kNever) {
    int64_t in_s = wake - static_cast<int64_t>(std::time(nullptr));
    t = std::min(t, now() + std::max<int64_t>(0, std::min<int64_t>(in_s, 3600)) * 1000000);
  }
  if (!timers_.empty()) t = std::min(t, timers_.top().at);
  for (const RevokedPeer& r : revoked_peers_) t = std::min(t, r.at);
  if (!dirty_.empty()) t = 0;
  return t;
}

void Engine::wakeService() {
  planned_wake_ = 0;
  uint64_t one = 1;
  ssize_t r = ::write(event_fd_, &one, sizeof one);
  (void)r;
}

void Engine::pollOnce(Lock& lock, TimeUs max_wait_us) {
  fake_.refresh();
  TimeUs t = now();
  TimeUs deadline = nextDeadline();
  TimeUs wait_us = std::min<TimeUs>(max_wait_us, deadline > t ? deadline - t : 0);
  planned_wake_ = t + wait_us;
  sleeping_ = true;
  in_poll_ = true;
  lock.unlock();

  epoll_event events[64];
  timespec ts{static_cast<time_t>(wait_us / 1000000), static_cast<long>((wait_us % 1000000) * 1000)};
  int n = ::epoll_pwait2(epoll_fd_, events, 64, &ts, nullptr);
  if (n < 0 && errno == ENOSYS) n = ::epoll_wait(epoll_fd_, events, 64, static_cast<int>((wait_us + 999) / 1000));

  lock.lock();
  sleeping_ = false;
  in_poll_ = false;
  planned_wake_ = kNever;
  t = now();
  for (int i = 0; i < n; ++i) {
    if (events[i].data.u64 == kEventFdKey) {
      uint64_t v;
      ssize_t r = ::read(event_fd_, &v, sizeof v);
      (void)r;
      continue;
    }
    readSocket(events[i].data.u64, t);
  }
  releaseFakeNetwork(t);
  runTimers(t);
  serviceAuthentication(t);
  flushDirty(t);
  reapFinished();
  sweepRecentlyClosed(t);
  trimHeapIfMuchFreed(t);
  notifyActivity();
  // Threads waiting for the poller role may take it now.
  if (waiters_ > 0) activity_cv_.notify_all();
}

void Engine::serviceLoop() {
  constexpr TimeUs kAppPollGraceUs = 2000;
  Lock lock(mu_);
  while (!stop_) {
    if (app_polling_ > 0 || app_wants_poll_ > 0 || now() - last_app_poll_ < kAppPollGraceUs) {
      // The application is driving I/O itself; stay out of its way, but never for long, so
      // timers keep running when it stops.
      service_cv_.wait_for(lock, std::chrono::microseconds(1000));
      continue;
    }
    pollOnce(lock, 1000000);
  }
}

// ---------------------------------------------------------------------------------------------
// Public API

uint32_t Engine::createListenSocketIP(const std::string& address, const ConfigOptions& options) {
  auto addr = SocketAddress::parse(address, false);
  if (!addr) {
    OUTPOST_LOG_WARN("createListenSocketIP: malformed address \"%s\"", address.c_str());
    return LISTEN_SOCKET_INVALID;
  }
  ConfigLayer layer;
  if (!buildLayer(options, layer, "createListenSocketIP", true)) return LISTEN_SOCKET_INVALID;
  std::string err;
  auto s = UdpSocket::open(*addr, &err);
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
  auto addr = SocketAddress::parse(address, true);
  if (!addr) {
    OUTPOST_LOG_WARN("connectByIPAddress: malformed address \"%s\" (an IP and a non-zero port are required)",
                     address.c_str());
    return NETWORKING_CONNECTION_INVALID;
  }
  ConfigLayer layer;
  if (!buildLayer(options, layer, "connectByIPAddress", false)) return NETWORKING_CONNECTION_INVALID;
  Lock lock(mu_);
  fake_.refresh();
  UdpSocket* s = clientSocketFor(*addr);
  if (!s) return NETWORKING_CONNECTION_INVALID;
  Connection* c = newConnection(Connection::Role::kClient, resolveConnectionConfig(nullptr, &layer), true);
  counters_.connections_created++;
  c->configLayer() = layer;
  TimeUs t = now();
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
  TimeUs t = now();
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
  TimeUs t = now();
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
  unregisterSocket(it->second.socket_id);
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

SendResult Engine::sendMessageToConnection(uint32_t h, std::span<const uint8_t> data, int flags, uint16_t lane) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("sendMessageToConnection: invalid connection handle %u", h);
    return {RESULT_INVALID_PARAM, 0};
  }
  TimeUs t = now();
  SendResult r = c->send(data, flags, lane, t);
  if (r.result == RESULT_INVALID_PARAM) misuse("sendMessageToConnection: bad size or lane on connection %u", h);
  finishApiCall(t);
  return r;
}

std::vector<SendResult> Engine::sendMessages(std::span<const OutgoingMessage> messages) {
  std::vector<SendResult> out;
  out.reserve(messages.size());
  Lock lock(mu_);
  TimeUs t = now();
  for (const OutgoingMessage& m : messages) {
    Connection* c = byHandle(m.connection);
    if (!c) {
      misuse("sendMessages: invalid connection handle %u", m.connection);
      out.push_back({RESULT_INVALID_PARAM, 0});
      continue;
    }
    out.push_back(c->send(m.data, m.flags, m.lane, t));
  }
  finishApiCall(t);
  return out;
}

int Engine::flushMessagesOnConnection(uint32_t h) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("flushMessagesOnConnection: invalid connection handle %u", h);
    return RESULT_INVALID_PARAM;
  }
  TimeUs t = now();
  int r = c->flush(t);
  finishApiCall(t);
  return r;
}

int Engine::configureConnectionLanes(uint32_t h, int lanes, std::span<const int> priorities,
                                     std::span<const int> weights) {
  if (lanes < 1 || lanes > NETWORKING_MAX_LANES || priorities.size() < static_cast<size_t>(lanes) ||
      (!weights.empty() && weights.size() < static_cast<size_t>(lanes))) {
    OUTPOST_LOG_WARN("configureConnectionLanes: %d lanes need as many priorities and weights (1-255 lanes)", lanes);
    return RESULT_INVALID_PARAM;
  }
  for (size_t i = 0; i < weights.size() && i < static_cast<size_t>(lanes); ++i) {
    if (weights[i] < 1 || weights[i] > 65535) {
      OUTPOST_LOG_WARN("configureConnectionLanes: weight %d of lane %zu is outside 1-65535", weights[i], i);
      return RESULT_INVALID_PARAM;
    }
  }
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("configureConnectionLanes: invalid connection handle %u", h);
    return RESULT_INVALID_PARAM;
  }
  int r = c->configureLanes(priorities.first(static_cast<size_t>(lanes)),
                            weights.empty() ? weights : weights.first(static_cast<size_t>(lanes)));
  if (r != RESULT_OK) OUTPOST_LOG_WARN("configureConnectionLanes: lanes can only be added, not removed");
  return r;
}

namespace {

void fillOwned(std::vector<NetworkingMessage>& out, std::span<const uint8_t> payload, const QueuedMessage& m,
               Connection& c, uint32_t handle) {
  NetworkingMessage msg;
  msg.payload.assign(payload.begin(), payload.end());
  msg.size = static_cast<uint32_t>(payload.size());
  msg.connection = handle;
  msg.identity = c.remoteSteamId();
  msg.receiver_user_data = c.userData();
  msg.time_received = m.time_received;
  msg.message_number = m.message_number;
  msg.channel = m.lane;
  msg.lane = m.lane;
  msg.flags = m.flags;
  out.push_back(std::move(msg));
}

MessageView viewOf(const QueuedMessage& m, Connection& c, uint32_t handle) {
  MessageView v;
  v.connection = handle;
  v.identity = c.remoteSteamId();
  v.receiver_user_data = c.userData();
  v.time_received = m.time_received;
  v.message_number = m.message_number;
  v.flags = m.flags;
  v.lane = m.lane;
  return v;
}

}  // namespace

int Engine::receiveOnConnection(uint32_t h, int max, std::vector<NetworkingMessage>* owned, MessageBatch* batch) {
  std::optional<MessageBatchWriter> writer;
  if (batch) writer.emplace(*batch);
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("receiveMessagesOnConnection: invalid connection handle %u", h);
    return -1;
  }
  int count = 0;
  MessageQueue& q = c->queue();
  while (count < max && !q.empty()) {
    const QueuedMessage& m = q.front();
    if (owned) fillOwned(*owned, q.frontPayload(), m, *c, h);
    if (writer) writer->add(q.frontPayload(), viewOf(m, *c, h));
    c->noteConsumed(q.pop());
    ++count;
  }
  queued_messages_ -= std::min<uint64_t>(queued_messages_, static_cast<uint64_t>(count));
  if (writer) writer->finish();
  TimeUs t = now();
  if (count) c->onMessagesTaken(t);
  finishApiCall(t);
  return count;
}

int Engine::receiveOnPollGroup(uint32_t g, int max, std::vector<NetworkingMessage>* owned, MessageBatch* batch) {
  std::optional<MessageBatchWriter> writer;
  if (batch) writer.emplace(*batch);
  Lock lock(mu_);
  auto it = poll_groups_.find(g);
  if (it == poll_groups_.end()) {
    misuse("receiveMessagesOnPollGroup: invalid poll group handle %u", g);
    return -1;
  }
  auto& order = it->second.order;
  int count = 0;
  std::vector<Connection*>& touched = touched_scratch_;
  touched.clear();
  while (count < max && !order.empty()) {
    auto [h, seq] = order.front();
    order.pop_front();
    Connection* c = byHandle(h);
    if (!c || c->pollGroup() != g || c->queue().empty() || c->queue().front().sequence != seq) continue;
    MessageQueue& q = c->queue();
    const QueuedMessage& m = q.front();
    if (owned) fillOwned(*owned, q.frontPayload(), m, *c, h);
    if (writer) writer->add(q.frontPayload(), viewOf(m, *c, h));
    c->noteConsumed(q.pop());
    if (std::find(touched.begin(), touched.end(), c) == touched.end()) touched.push_back(c);
    ++count;
  }
  queued_messages_ -= std::min<uint64_t>(queued_messages_, static_cast<uint64_t>(count));
  if (writer) writer->finish();
  TimeUs t = now();
  for (Connection* c : touched) c->onMessagesTaken(t);
  finishApiCall(t);
  return count;
}

uint32_t Engine::createPollGroup() {
  Lock lock(mu_);
  uint32_t g = allocateHandle();
  poll_groups_[g];
  return g;
}

bool Engine::destroyPollGroup(uint32_t g) {
  Lock lock(mu_);
  if (!poll_groups_.erase(g)) {
    misuse("destroyPollGroup: invalid poll group handle %u", g);
    return false;
  }
  for (auto& [id, c] : connections_)
    if (c->pollGroup() == g) c->setPollGroup(0);
  return true;
}

bool Engine::setConnectionPollGroup(uint32_t h, uint32_t g) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("setConnectionPollGroup: invalid connection handle %u", h);
    return false;
  }
  if (g == 0) {
    c->setPollGroup(0);
    return true;
  }
  auto it = poll_groups_.find(g);
  if (it == poll_groups_.end()) {
    misuse("setConnectionPollGroup: invalid poll group handle %u", g);
    return false;
  }
  c->setPollGroup(g);
  // Messages already waiting become visible through the new group, oldest first.
  for (size_t i = 0; i < c->queue().count(); ++i) it->second.order.push_back({h, c->queue().at(i).sequence});
  return true;
}

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
  TimeUs t = now();
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

SocketPairResult Engine::createSocketPair(bool loopback, uint64_t id1, uint64_t id2) {
  SocketPairResult r;
  std::unique_ptr<UdpSocket> sa, sb;
  if (loopback) {
    std::string err;
    sa = UdpSocket::open(SocketAddress::ipv4(0x7F000001, 0), &err);
    sb = sa ? UdpSocket::open(SocketAddress::ipv4(0x7F000001, 0), &err) : nullptr;
    if (!sa || !sb) {
      OUTPOST_LOG_WARN("createSocketPair: %s", err.c_str());
      return r;
    }
  }
  Lock lock(mu_);
  fake_.refresh();
  TimeUs t = now();
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

std::string Engine::getIdentity() {
  Lock lock(mu_);
  uint64_t id = auth_.steamId();
  if (id == 0) return "invalid";
  return "steamid:" + std::to_string(id);
}

std::string Engine::identityPublicKeyHex() {
  Lock lock(mu_);
  return crypto::toHex(identity_.public_key);
}

void Engine::resetIdentity(uint64_t steam_id) {
  Lock lock(mu_);
  auth_.resetIdentity(steam_id);  // drops the certificate and any request in flight
  queueAuthenticationEvents();
  // As the reference says, any open connection is closed: each ends as a local problem (the
  // application is told and still closes the handle), the peer is told why when it can be (a
  // CLOSE frame, or a refusal for a connection not yet accepted).
  TimeUs t = now();
  std::vector<uint32_t> handles;
  for (auto& [h, id] : handles_) handles.push_back(h);
  for (uint32_t h : handles)
    if (Connection* c = byHandle(h)) c->endLocally(CONNECTION_END_MISC_GENERIC, "the local identity was reset", t);
  finishApiCall(t);
}

bool Engine::trustConnection(uint32_t h) {
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("trustConnection: invalid connection handle %u", h);
    return false;
  }
  TimeUs t = now();
  c->promote(t);
  finishApiCall(t);
  return true;
}

// ---- Certificates (authentication.h, docs/spec/cert.md) ---------------------------------------

void Engine::queueAuthenticationEvents() {
  for (auto& e : auth_.takeEvents()) {
    auth_callbacks_.push_back(std::move(e));
    activity_seq_++;
  }
}

void Engine::serviceAuthentication(TimeUs now) {
  if (!revoked_peers_.empty()) {
    std::vector<RevokedPeer> keep;
    for (const RevokedPeer& r : revoked_peers_) {
      if (r.at > now) {
        keep.push_back(r);
        continue;
      }
      Connection* c = byLocalId(r.local_id);
      if (!c || c->appClosed() || c->state() == CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY ||
          c->state() == CONNECTION_STATE_CLOSED_BY_PEER)
        continue;  // the application (or the peer) ended it meanwhile
      counters_.closed_revoked++;
      c->onPeerRevoked(now);
    }
    revoked_peers_.swap(keep);
  }
  int64_t unix_now = static_cast<int64_t>(std::time(nullptr));
  if (!auth_.hasMail() && unix_now < auth_.nextWakeUnix()) return;
  applyAuthentication(auth_.poll(unix_now), now);
}

void Engine::applyAuthentication(Authentication::Changes ch, TimeUs now) {
  for (auto& e : ch.events) {
    auth_callbacks_.push_back(std::move(e));
    activity_seq_++;
  }
  counters_.cert_revocations += ch.revocations.size();
  if (!ch.revocations.empty() || ch.local_certificate_changed) {
    std::vector<Connection*> touched;
    for (auto& [id, c] : connections_) touched.push_back(c.get());
    for (Connection* c : touched) {
      if (!ch.revocations.empty() && c->peerCertificate() && auth_.isRevoked(*c->peerCertificate()) &&
          c->state() != CONNECTION_STATE_PROBLEM_DETECTED_LOCALLY && c->state() != CONNECTION_STATE_CLOSED_BY_PEER) {
        // A peer the hub revoked (ban, revoked token, deleted app) is cut off shortly, unless the
        // application ends the connection first with a reason of its own.
        revoked_peers_.push_back({c->localId(), now + kRevocationGraceUs});
      }
      if (ch.local_certificate_changed && c->waitingForLocalCertificate()) c->onLocalCertificateChanged(now);
    }
  }
}

int Engine::initAuthentication() {
  Lock lock(mu_);
  int r = auth_.initAuthentication(static_cast<int64_t>(std::time(nullptr)));
  queueAuthenticationEvents();
  return r;
}

int Engine::getAuthenticationStatus() {
  Lock lock(mu_);
  return auth_.status();
}

CertificateRequest Engine::getCertificateRequest() {
  Lock lock(mu_);
  return auth_.certificateRequest();
}

SetCertificateResult Engine::setCertificate(std::span<const uint8_t> certificate) {
  Lock lock(mu_);
  TimeUs t = now();
  SetCertificateResult r = auth_.setCertificate(certificate, static_cast<int64_t>(std::time(nullptr)));
  queueAuthenticationEvents();
  // Handshakes waiting for a certificate of this side's own go on with it.
  Authentication::Changes ch;
  ch.local_certificate_changed = r.response;
  applyAuthentication(std::move(ch), t);
  finishApiCall(t);
  return r;
}

std::shared_ptr<CertificateLink> Engine::certificateLink() {
  Lock lock(mu_);
  auto link = auth_.link();
  int fd = event_fd_;
  // Only an eventfd write: no lock of this engine is taken from the session's thread.
  link->setWake([fd] {
    uint64_t one = 1;
    ssize_t r = ::write(fd, &one, sizeof one);
    (void)r;
  });
  return link;
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
  std::vector<NetworkAuthenticationStatus> auth_work;
  {
    Lock lock(mu_);
    work.swap(callbacks_);
    auth_work.swap(auth_callbacks_);
  }
  std::lock_guard<std::mutex> lock(handler_mu_);
  if (status_handler_)
    for (const auto& cb : work) status_handler_(cb);
  if (auth_handler_)
    for (const auto& cb : auth_work) auth_handler_(cb);
}

bool Engine::setConnectionConfig(uint32_t h, int config, const ConfigValue& value) {
  const ConfigDef* def = findConfig(config);
  if (!def) {
    OUTPOST_LOG_WARN("setConnectionConfigValue: unknown config value %d", config);
    return false;
  }
  if (def->scope == ConfigScopeKind::kGlobal) {
    OUTPOST_LOG_WARN("setConnectionConfigValue: %s can only be set globally", def->name);
    return false;
  }
  if (def->scope == ConfigScopeKind::kListenSocket) {
    OUTPOST_LOG_WARN("setConnectionConfigValue: %s can only be set on a listen socket or globally", def->name);
    return false;
  }
  ConfigValue v;
  std::string why;
  if (!validateConfigValue(*def, value, v, why)) {
    OUTPOST_LOG_WARN("setConnectionConfigValue: %s", why.c_str());
    return false;
  }
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    misuse("setConnectionConfigValue: invalid connection handle %u", h);
    return false;
  }
  c->configLayer().set(config, v);
  const ConfigLayer* listen = nullptr;
  if (c->listenSocket()) {
    auto ls = listen_sockets_.find(c->listenSocket());
    if (ls != listen_sockets_.end()) listen = &ls->second.layer;
  }
  c->applyConfig(resolveConnectionConfig(listen, &c->configLayer()));
  return true;
}

ConfigValueResult Engine::getConfigValue(int config, int scope, uint32_t obj) {
  ConfigValueResult r;
  const ConfigDef* def = findConfig(config);
  if (!def) return r;
  r.type = def->type;
  const ConfigLayer* listen = nullptr;
  const ConfigLayer* conn = nullptr;
  Lock lock(mu_);
  if (scope == NETWORKING_CONFIG_SCOPE_LISTEN_SOCKET) {
    auto ls = listen_sockets_.find(obj);
    if (ls == listen_sockets_.end()) {
      r.result = NETWORKING_GET_CONFIG_VALUE_BAD_SCOPE_OBJ;
      return r;
    }
    listen = &ls->second.layer;
  } else if (scope == NETWORKING_CONFIG_SCOPE_CONNECTION) {
    Connection* c = byHandle(obj);
    if (!c) {
      r.result = NETWORKING_GET_CONFIG_VALUE_BAD_SCOPE_OBJ;
      return r;
    }
    conn = &c->configLayer();
    if (c->listenSocket()) {
      auto ls = listen_sockets_.find(c->listenSocket());
      if (ls != listen_sockets_.end()) listen = &ls->second.layer;
    }
  } else if (scope != NETWORKING_CONFIG_SCOPE_GLOBAL && scope != NETWORKING_CONFIG_SCOPE_SOCKETS_INTERFACE) {
    r.result = NETWORKING_GET_CONFIG_VALUE_BAD_SCOPE_OBJ;
    return r;
  }
  bool inherited = false;
  if (config == NETWORKING_CONFIG_MTU_DATA_SIZE) {
    const ConfigDef* mtu = findConfig(NETWORKING_CONFIG_MTU_PACKET_SIZE);
    r.value = std::get<int32_t>(resolveOne(*mtu, listen, conn, &inherited)) - kDataPacketOverhead;
    r.result = inherited ? NETWORKING_GET_CONFIG_VALUE_OK_INHERITED : NETWORKING_GET_CONFIG_VALUE_OK;
    return r;
  }
  r.value = resolveOne(*def, listen, conn, &inherited);
  r.result = inherited ? NETWORKING_GET_CONFIG_VALUE_OK_INHERITED : NETWORKING_GET_CONFIG_VALUE_OK;
  return r;
}

bool Engine::poll(int timeout_ms) {
  if (options_.service_thread) return waitForActivity(timeout_ms);
  Lock lock(mu_);
  if (!in_poll_) {
    pollOnce(lock, TimeUs{timeout_ms} * 1000);
  } else {
    waiters_++;
    activity_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms));
    waiters_--;
  }
  return queued_messages_ > 0 || !callbacks_.empty() || !auth_callbacks_.empty();
}

bool Engine::waitForActivity(int timeout_ms) {
  Lock lock(mu_);
  TimeUs deadline = now() + TimeUs{timeout_ms} * 1000;
  for (;;) {
    if (queued_messages_ > 0 || !callbacks_.empty() || !auth_callbacks_.empty()) return true;
    if (writable_pending_) {
      writable_pending_ = false;
      return true;
    }
    TimeUs t = now();
    if (t >= deadline) return false;
    if (in_poll_) {
      // Another thread is in epoll (usually the service thread): ask it to return, then either
      // take over polling or see what it found.
      app_wants_poll_++;
      waiters_++;
      if (sleeping_) wakeService();
      uint64_t seq = activity_seq_;
      activity_cv_.wait_for(lock, std::chrono::microseconds(deadline - t),
                            [&] { return !in_poll_ || activity_seq_ != seq; });
      waiters_--;
      app_wants_poll_--;
      continue;
    }
    app_polling_++;
    pollOnce(lock, deadline - t);
    app_polling_--;
    last_app_poll_ = now();
  }
}

TransportCounters Engine::counters() {
  Lock lock(mu_);
  TransportCounters c = counters_;
  c.send_failures = tx_->failedDatagrams();
  c.fake_dropped = fake_.dropped();
  c.fake_duplicated = fake_.duplicated();
  c.fake_reordered = fake_.reordered();
  c.cert_signature_checks = auth_.verifier().signatureChecks();
  c.cert_cache_hits = auth_.verifier().cacheHits();
  c.cert_revocations_evicted = auth_.verifier().evicted();
  return c;
}

}  // namespace outpost
