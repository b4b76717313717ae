// Engine: P2P connections, STUN and FakeIP (docs/spec/signaling.md). Runs under the engine lock,
// from the public API calls below, from handleDatagram (STUN and probes on the P2P socket and, on
// the hub, STUN on listen sockets) and from the I/O loop (serviceP2P: the hub session's mail and
// the attempts' timers). The signal and probe codecs live in src/p2p, STUN in src/stun, the hub's
// side in src/hub/signaling.cpp; the mailbox to the hub session in signaling_link.h.
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/log.h"
#include "p2p/probe.h"
#include "stun/stun.h"
#include "transport/p2p_state.h"

namespace outpost::transport {

using p2p::PortKind;
using p2p::Signal;
using p2p::SignalType;

namespace {

constexpr base::TimeUs kMs = 1000;
constexpr base::TimeUs kStunFreshUs = 30000 * kMs;  // a reflexive address this young is reused
constexpr base::TimeUs kStunRetryUs = 250 * kMs;
constexpr base::TimeUs kStunGiveUpUs = 1000 * kMs;  // then attempts go on with host candidates
constexpr base::TimeUs kAnswerTimeoutUs = 5000 * kMs;
constexpr base::TimeUs kCheckTimeoutUs = 5000 * kMs;
constexpr base::TimeUs kFastProbeWindowUs = 500 * kMs;
constexpr base::TimeUs kFastProbeUs = 25 * kMs;
constexpr base::TimeUs kSlowProbeUs = 200 * kMs;
constexpr int kProbesPerCandidate = 40;
constexpr size_t kMaxAttempts = 256;
constexpr size_t kMaxAnnounced = 16;
base::LogLimiter g_p2p_log(20);

bool isFakeIp(uint32_t host_order) { return (host_order >> 16) == 0xA9FE; }

std::string dotted(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." + std::to_string((ip >> 8) & 255) +
         "." + std::to_string(ip & 255);
}

uint32_t hostOrderV4(const base::SocketAddress& a) {
  uint8_t ip[16];
  a.ip16(ip);
  return uint32_t{ip[12]} << 24 | uint32_t{ip[13]} << 16 | uint32_t{ip[14]} << 8 | ip[15];
}

p2p::CheckKey randomKey() {
  p2p::CheckKey k;
  crypto::randomBytes(k.data(), k.size());
  return k;
}

uint64_t randomNonZero() {
  uint64_t v = 0;
  while (v == 0) v = crypto::randomU64();
  return v;
}

}  // namespace

// ---- State, socket, link ----------------------------------------------------------------------

Engine::P2PState& Engine::p2p() {
  if (!p2p_) p2p_ = std::make_unique<P2PState>();
  return *p2p_;
}

base::TimeUs Engine::p2pNextWake() const {
  if (!p2p_) return base::kNever;
  base::TimeUs t = p2p_->stun_next;
  for (const auto& [id, a] : p2p_->attempts) {
    t = std::min(t, a.deadline);
    if (a.first_success != base::kNever && a.phase == P2PAttempt::Phase::kChecking) t = std::min(t, a.first_success);
    if (a.phase == P2PAttempt::Phase::kChecking)
      for (const P2PRemote& r : a.remotes)
        if (r.probes_sent < kProbesPerCandidate) t = std::min(t, r.next_probe);
  }
  return t;
}

net::UdpSocket* Engine::P2PState::socket(Engine& e) {
  if (socket_id == 0) {
    std::string err;
    auto s = net::UdpSocket::open(base::SocketAddress::ipv6Any(0), &err);
    if (!s) s = net::UdpSocket::open(base::SocketAddress::ipv4(0, 0), &err);  // no IPv6 on this host
    if (!s) {
      OUTPOST_LOG_ERROR("P2P: cannot open the P2P socket: %s", err.c_str());
      return nullptr;
    }
    socket_id = e.registerSocket(std::move(s), 0);
    e.sockets_[socket_id].p2p = true;
  }
  auto it = e.sockets_.find(socket_id);
  return it == e.sockets_.end() ? nullptr : it->second.socket.get();
}

void Engine::P2PState::sendTo(Engine& e, const base::SocketAddress& to, const uint8_t* data, size_t len) {
  net::UdpSocket* s = socket(e);
  if (!s || !s->canReach(to)) return;
  uint8_t* buf = e.tx_->next(*s);
  std::memcpy(buf, data, len);
  e.commitDatagram(*s, to, len);
}

void Engine::P2PState::post(const Signal& s) {
  counters[std::string("p2p.signal_sent.") + p2p::signalName(s.type)]++;
  if (!link || !session.logged_on || !link->post(p2p::encodeSignal(s))) counters["p2p.signal_unsent"]++;
}

std::shared_ptr<SignalingLink> Engine::signalingLink() {
  Lock lock(mu_);
  P2PState& st = p2p();
  if (!st.link) {
    st.link = std::make_shared<SignalingLink>();
    int fd = event_fd_;
    // Only an eventfd write: no lock of this engine is taken from the session's thread.
    st.link->setWake([fd] {
      uint64_t one = 1;
      ssize_t r = ::write(fd, &one, sizeof one);
      (void)r;
    });
  }
  return st.link;
}

void Engine::setAutoAccept(uint32_t listen_handle, uint32_t poll_group) {
  Lock lock(mu_);
  auto it = listen_sockets_.find(listen_handle);
  if (it != listen_sockets_.end()) it->second.auto_accept_group = poll_group;
}

void Engine::setFakeIPHandler(NetworkingSockets::FakeIPResultHandler h) {
  std::lock_guard<std::mutex> lock(handler_mu_);
  fake_ip_handler_ = std::move(h);
}

// ---- Candidates and STUN ----------------------------------------------------------------------

std::vector<p2p::Candidate> Engine::P2PState::localCandidates(Engine& e, int32_t ice_enable) {
  std::vector<p2p::Candidate> out;
  net::UdpSocket* s = socket(e);
  if (!s) return out;
  bool host = ice_enable == -1 || (ice_enable & NETWORKING_CONFIG_P2P_TRANSPORT_ICE_PRIVATE);
  bool reflexive_ok = ice_enable == -1 || (ice_enable & NETWORKING_CONFIG_P2P_TRANSPORT_ICE_PUBLIC);
  uint16_t port = s->localAddress().port();
  bool v6 = s->localAddress().family() == AF_INET6;
  if (host) out = p2p::hostCandidates(port, true, v6);
  if (reflexive_ok && reflexive) {
    bool dup = false;
    for (const auto& c : out) dup = dup || c.address == *reflexive;
    if (!dup && out.size() < p2p::kMaxCandidates) out.push_back({p2p::CandidateKind::kServerReflexive, *reflexive});
  }
  return out;
}

void Engine::P2PState::startStun(Engine& e, base::TimeUs now) {
  if (!hub || stun_pending) return;
  crypto::randomBytes(stun_transaction.data(), stun_transaction.size());
  stun_pending = true;
  stun_tries = 0;
  stun_started = now;
  sendStun(e, now);
}

void Engine::P2PState::sendStun(Engine& e, base::TimeUs now) {
  uint8_t buf[64];
  size_t n = stun::writeBindingRequest(stun_transaction, buf);
  sendTo(e, *hub, buf, n);
  stun_tries++;
  stun_next = now + kStunRetryUs;
  counters["stun.requests_sent"]++;
}

bool Engine::P2PState::reflexiveFresh(base::TimeUs now) const { return reflexive && now - reflexive_at < kStunFreshUs; }

// ---- Attempts -------------------------------------------------------------------------------

void Engine::P2PState::fail(Engine& e, uint64_t connect_id, int32_t reason, const std::string& debug, base::TimeUs now,
                            bool tell_hub) {
  auto it = attempts.find(connect_id);
  if (it == attempts.end()) return;
  P2PAttempt a = std::move(it->second);
  attempts.erase(it);
  counters[a.initiator ? "p2p.attempts_failed" : "p2p.listener_attempts_ended"]++;
  if (tell_hub) {
    Signal c;
    c.type = SignalType::kCancel;
    c.connect_id = a.connect_id;
    c.result = reason;
    c.debug = debug;
    post(c);
  }
  if (a.initiator)
    if (Connection* c = e.byLocalId(a.local_id)) {
      if (g_p2p_log.allow()) OUTPOST_LOG_INFO("P2P connection %u: %s (%d)", c->handle(), debug.c_str(), reason);
      c->failP2P(reason, debug, now);
    }
}

void Engine::P2PState::sendConnect(Engine& e, P2PAttempt& a, base::TimeUs now) {
  auto candidates = localCandidates(e, a.ice_enable);
  if (candidates.empty()) {
    fail(e, a.connect_id, CONNECTION_END_NO_PUBLIC_ADDRESS,
         "no address to offer: no interface is up and the hub "
         "told no reflexive address",
         now, false);
    return;
  }
  Signal s;
  s.type = SignalType::kConnect;
  s.connect_id = a.connect_id;
  s.peer_steam_id = a.peer_steam_id;
  s.port_kind = a.kind;
  s.port = a.port;
  s.fake_ip = a.fake_ip;
  s.fake_port = a.fake_port;
  s.key = a.own_key;
  s.candidates = std::move(candidates);
  post(s);
  a.phase = P2PAttempt::Phase::kSignaling;
  a.deadline = std::min(a.deadline, now + kAnswerTimeoutUs);
}

void Engine::P2PState::startChecks(Engine& e, P2PAttempt& a, const std::vector<p2p::Candidate>& remote,
                                   base::TimeUs now) {
  a.phase = P2PAttempt::Phase::kChecking;
  a.deadline = now + kCheckTimeoutUs;
  a.remotes.clear();
  for (const auto& c : remote) {
    P2PRemote r;
    r.candidate = c;
    r.route.remote = c;
    r.route.penalty_ms = a.penalty_ms;
    a.remotes.push_back(r);
  }
  for (P2PRemote& r : a.remotes) sendProbe(e, a, r, now);
}

void Engine::P2PState::sendProbe(Engine& e, P2PAttempt& a, P2PRemote& r, base::TimeUs now) {
  p2p::Probe p;
  p.connect_id = a.connect_id;
  p.transaction = crypto::randomU32();
  p.client_connection_id = a.initiator ? a.local_id : 0;
  p.from_initiator = a.initiator;
  uint8_t buf[p2p::kProbeBytes];
  p2p::writeProbe(p, a.peer_key, buf);
  sendTo(e, r.candidate.address, buf, sizeof buf);
  r.transaction = p.transaction;
  r.sent_at = now;
  r.probes_sent++;
  r.next_probe = now + (now - a.created < kFastProbeWindowUs + kAnswerTimeoutUs && r.probes_sent < 20 ? kFastProbeUs
                                                                                                      : kSlowProbeUs);
  counters["p2p.probes_sent"]++;
}

void Engine::P2PState::chooseRoute(Engine& e, P2PAttempt& a, base::TimeUs now) {
  const P2PRemote* best = nullptr;
  for (const P2PRemote& r : a.remotes)
    if (r.route.rtt_us >= 0 && (!best || p2p::better(r.route, best->route))) best = &r;
  if (!best) return;
  Connection* c = e.byLocalId(a.local_id);
  if (!c || !c->awaitingRoute()) {
    attempts.erase(a.connect_id);
    return;
  }
  net::UdpSocket* s = socket(e);
  base::SocketAddress to = best->answered_from.valid() ? best->answered_from : best->candidate.address;
  counters[std::string("p2p.route_") + p2p::kindName(best->candidate.kind)]++;
  if (g_p2p_log.allow())
    OUTPOST_LOG_INFO("P2P connection %u: route %s (%s, rtt %lld us) of %zu candidates", c->handle(),
                     to.toString().c_str(), p2p::kindName(best->candidate.kind),
                     static_cast<long long>(best->route.rtt_us), a.remotes.size());
  a.phase = P2PAttempt::Phase::kHandshake;
  a.deadline = base::kNever;  // the connection's own TIMEOUT_INITIAL bounds the handshake
  if (best->has_cookie)
    c->startClientWithCookie(s, to, {&e.identity_, e.auth_.steamId()}, best->cookie, now);  // Connect first
  else c->startClient(s, to, {&e.identity_, e.auth_.steamId()}, now);
}

// ---- Public API -------------------------------------------------------------------------------

uint32_t Engine::createListenSocketP2P(int port, const ConfigOptions& options, bool fake_ip) {
  const char* fn = fake_ip ? "createListenSocketP2PFakeIP" : "createListenSocketP2P";
  int max_port = fake_ip ? static_cast<int>(p2p::kMaxFakePorts) - 1 : 65535;
  if (port < 0 || port > max_port) {
    OUTPOST_LOG_WARN("%s: port %d is outside 0-%d", fn, port, max_port);
    return LISTEN_SOCKET_INVALID;
  }
  ConfigLayer layer;
  if (!buildLayer(options, layer, fn, true)) return LISTEN_SOCKET_INVALID;
  Lock lock(mu_);
  P2PState& st = p2p();
  st.takeMail(*this, now());  // the session's latest state first (it may have just logged on)
  PortKind kind = fake_ip ? PortKind::kFakeIP : PortKind::kVirtual;
  for (const auto& [h, l] : st.listens)
    if (l.first == kind && l.second == port) {
      OUTPOST_LOG_WARN("%s: port %d already has a listen socket (%u)", fn, port, h);
      return LISTEN_SOCKET_INVALID;
    }
  if (!st.socket(*this)) return LISTEN_SOCKET_INVALID;
  if (!st.link || !st.session.attached)
    OUTPOST_LOG_WARN("%s: no hub session certifies this instance yet; the socket registers once one logs on", fn);
  uint32_t h = allocateHandle();
  ListenState ls;
  ls.layer = layer;
  ls.socket_id = st.socket_id;
  ls.p2p = true;
  listen_sockets_[h] = std::move(ls);
  st.listens[h] = {kind, port};
  if (st.announced) {
    Signal s;
    s.type = SignalType::kListen;
    s.port_kind = kind;
    s.port = port;
    st.post(s);
  }
  base::TimeUs t = now();
  if (!st.reflexiveFresh(t)) st.startStun(*this, t);  // ready for the first Offer
  finishApiCall(t);
  return h;
}

void Engine::p2pListenClosed(uint32_t listen_handle) {
  if (!p2p_) return;
  auto it = p2p_->listens.find(listen_handle);
  if (it == p2p_->listens.end()) return;
  Signal s;
  s.type = SignalType::kUnlisten;
  s.port_kind = it->second.first;
  s.port = it->second.second;
  if (p2p_->announced) p2p_->post(s);
  p2p_->listens.erase(it);
  for (auto a = p2p_->attempts.begin(); a != p2p_->attempts.end();)
    a = !a->second.initiator && a->second.listen_handle == listen_handle ? p2p_->attempts.erase(a) : std::next(a);
}

namespace {
struct P2PTarget {
  uint64_t steam_id = 0;
  PortKind kind = PortKind::kVirtual;
  int32_t port = 0;
  uint32_t fake_ip = 0;
  uint16_t fake_port = 0;
};
}  // namespace

uint32_t Engine::connectP2P(uint64_t steam_id, int virtual_port, const ConfigOptions& options) {
  if (virtual_port < 0 || virtual_port > 65535) {
    OUTPOST_LOG_WARN("connectP2P: virtual port %d is outside 0-65535", virtual_port);
    return NETWORKING_CONNECTION_INVALID;
  }
  if (steam_id == 0) {
    OUTPOST_LOG_WARN("connectP2P: no Steam ID given");
    return NETWORKING_CONNECTION_INVALID;
  }
  ConfigLayer layer;
  if (!buildLayer(options, layer, "connectP2P", false)) return NETWORKING_CONNECTION_INVALID;
  Lock lock(mu_);
  P2PState& st = p2p();
  base::TimeUs t = now();
  st.takeMail(*this, t);  // the session's latest state first (it may have just logged on)
  uint32_t h = st.begin(*this, layer, steam_id, PortKind::kVirtual, virtual_port, 0, 0, t);
  finishApiCall(t);
  return h;
}

uint32_t Engine::connectFakeIP(const base::SocketAddress& fake, const ConfigOptions& options) {
  ConfigLayer layer;
  if (!buildLayer(options, layer, "connectByIPAddress", false)) return NETWORKING_CONNECTION_INVALID;
  Lock lock(mu_);
  P2PState& st = p2p();
  base::TimeUs t = now();
  st.takeMail(*this, t);
  uint32_t h = st.begin(*this, layer, 0, PortKind::kFakeIP, 0, hostOrderV4(fake), fake.port(), t);
  if (Connection* c = byHandle(h))
    st.remote_fake[c->localId()] = {hostOrderV4(fake), fake.port(), FAKE_IP_TYPE_GLOBAL_IPV4};
  finishApiCall(t);
  return h;
}

uint32_t Engine::P2PState::begin(Engine& e, const ConfigLayer& layer, uint64_t steam_id, PortKind kind, int32_t port,
                                 uint32_t fake_ip, uint16_t fake_port, base::TimeUs now) {
  if (!socket(e)) return NETWORKING_CONNECTION_INVALID;
  ConnectionConfig config = resolveConnectionConfig(nullptr, &layer);
  Connection* c = e.newConnection(Connection::Role::kClient, config, true);
  e.counters_.connections_created++;
  c->configLayer() = layer;
  c->setRemoteSteamId(steam_id);
  c->setExpectedPeerIdentity(steam_id);  // the listener's certificate must name it (0: a FakeIP, set at the Answer)
  c->beginP2P(now);
  counters["p2p.attempts"]++;
  P2PAttempt a;
  a.connect_id = randomNonZero();
  a.initiator = true;
  a.local_id = c->localId();
  a.peer_steam_id = steam_id;
  a.kind = kind;
  a.port = port;
  a.fake_ip = fake_ip;
  a.fake_port = fake_port;
  a.ice_enable = config.p2p_ice_enable;
  a.penalty_ms = config.p2p_ice_penalty_ms;
  a.own_key = randomKey();
  a.created = now;
  a.deadline = now + base::TimeUs{config.timeout_initial_ms} * kMs;
  uint64_t id = a.connect_id;
  uint32_t handle = c->handle();
  if (config.p2p_ice_enable == NETWORKING_CONFIG_P2P_TRANSPORT_ICE_DISABLE) {
    c->failP2P(CONNECTION_END_LOCAL_NETWORK_CONFIG, "P2P_TRANSPORT_ICE_ENABLE is 0: no direct route may be tried", now);
    return handle;
  }
  if (!session.logged_on) {
    c->failP2P(
        CONNECTION_END_MISC_P2P_RENDEZVOUS,
        session.attached ? "the hub session is not logged on" : "no hub session for P2P (certifyNetworkingSockets)",
        now);
    return handle;
  }
  if (attempts.size() >= kMaxAttempts) {
    c->failP2P(CONNECTION_END_MISC_P2P_RENDEZVOUS, "too many P2P attempts in progress", now);
    return handle;
  }
  attempts[id] = std::move(a);
  P2PAttempt& stored = attempts[id];
  if (reflexiveFresh(now) || !hub) {
    sendConnect(e, stored, now);
  } else {
    stored.phase = P2PAttempt::Phase::kStun;  // the Connect waits for the reflexive address (<= 1 s)
    startStun(e, now);
  }
  return handle;
}

bool Engine::beginAsyncRequestFakeIP(int num_ports) {
  if (num_ports < 1 || num_ports > static_cast<int>(p2p::kMaxFakePorts)) {
    OUTPOST_LOG_WARN("beginAsyncRequestFakeIP: %d ports asked; 1-8 may be", num_ports);
    return false;
  }
  Lock lock(mu_);
  P2PState& st = p2p();
  st.takeMail(*this, now());
  if (st.fake_in_flight) return false;
  if (!st.link || !st.session.attached) {
    OUTPOST_LOG_WARN("beginAsyncRequestFakeIP: no hub session certifies this instance (certifyNetworkingSockets)");
    return false;
  }
  st.fake_wanted = true;
  st.fake_num_ports = std::max(st.fake_num_ports, num_ports);
  st.fake_in_flight = true;
  if (st.announced) {
    Signal s;
    s.type = SignalType::kFakeIPRequest;
    s.port = st.fake_num_ports;
    st.post(s);
  }
  return true;
}

FakeIPInfo Engine::getFakeIP(int first_port) {
  FakeIPInfo info;
  info.ports.assign(p2p::kMaxFakePorts, 0);
  if (first_port != 0) {
    OUTPOST_LOG_WARN("getFakeIP: first_port is reserved and must be 0");
    info.result = RESULT_INVALID_PARAM;
    return info;
  }
  Lock lock(mu_);
  if (!p2p_ || !p2p_->fake_ip) {
    info.result = p2p_ && p2p_->fake_in_flight ? RESULT_BUSY : p2p_ ? p2p_->fake_result : RESULT_NO_CONNECTION;
    if (info.result == RESULT_OK) info.result = RESULT_NO_CONNECTION;
    return info;
  }
  info.result = RESULT_OK;
  info.identity_type = IDENTITY_TYPE_STEAMID;
  info.ip = dotted(p2p_->fake_ip);
  for (size_t i = 0; i < p2p_->fake_ports.size() && i < info.ports.size(); ++i) info.ports[i] = p2p_->fake_ports[i];
  return info;
}

RemoteFakeIPResult Engine::getRemoteFakeIPForConnection(uint32_t h) {
  RemoteFakeIPResult r;
  Lock lock(mu_);
  Connection* c = byHandle(h);
  if (!c) {
    if (g_p2p_log.allow()) OUTPOST_LOG_WARN("getRemoteFakeIPForConnection: invalid connection handle %u", h);
    return r;
  }
  auto it = p2p_ ? p2p_->remote_fake.find(c->localId()) : decltype(p2p_->remote_fake)::iterator{};
  if (!p2p_ || it == p2p_->remote_fake.end() || it->second.type == FAKE_IP_TYPE_NOT_FAKE) {
    r.result = RESULT_IP_NOT_FOUND;
    r.ip_type = FAKE_IP_TYPE_NOT_FAKE;
    return r;
  }
  r.result = RESULT_OK;
  r.ip_address = dotted(it->second.ip);
  r.port = it->second.port;
  r.ip_type = it->second.type;
  return r;
}

// ---- Datagrams --------------------------------------------------------------------------------

bool Engine::handleP2PDatagram(SocketEntry& e, const base::SocketAddress& from, std::span<const uint8_t> in,
                               base::TimeUs now) {
  uint8_t first = in[0];
  // STUN's first byte has its top two bits clear; a transport Hello never has a STUN length
  // and cookie, a probe (35 bytes) never a STUN length (signaling.md §3).
  bool stun_shaped = (first & 0xC0) == 0 && stun::looksLikeStun(in);
  if (stun_shaped && e.listen_handle && options_.answer_stun) {
    P2PState& st = p2p();
    stun::Drop why = stun::Drop::kNone;
    auto m = stun::parse(in, &why);
    if (m && m->type != stun::kBindingRequest) why = stun::Drop::kNotBindingRequest;
    if (!m || why != stun::Drop::kNone) {
      st.counters[std::string("stun.dropped.") + stun::dropName(why)]++;
      return true;
    }
    uint8_t* buf = tx_->next(*e.socket);
    size_t n = stun::writeBindingResponse(*m, from, buf);
    if (!st.limiter.allow(from, in.size(), n, now)) {
      st.counters["stun.dropped.rate_limited"]++;
      return true;
    }
    commitDatagram(*e.socket, from, n);
    st.counters["stun.answered"]++;
    return true;
  }
  if (!e.p2p || !p2p_) return false;
  P2PState& st = *p2p_;
  if (stun_shaped) {
    stun::Drop why = stun::Drop::kNone;
    auto m = stun::parse(in, &why);
    // Only the answer to our outstanding request, from the hub (nobody else can tell us our address).
    if (!m || m->type != stun::kBindingSuccess || !st.stun_pending || !st.hub || from != *st.hub ||
        std::memcmp(m->transaction.data() + 4, st.stun_transaction.data(), 12) != 0 || !m->mapped) {
      st.counters["stun.responses_dropped"]++;
      return true;
    }
    st.reflexive = *m->mapped;
    st.reflexive_at = now;
    st.stun_pending = false;
    st.stun_next = base::kNever;
    st.counters["stun.responses"]++;
    std::vector<uint64_t> waiting;
    for (auto& [id, a] : st.attempts)
      if (a.phase == P2PAttempt::Phase::kStun) waiting.push_back(id);
    for (uint64_t id : waiting)
      if (auto it = st.attempts.find(id); it != st.attempts.end()) st.sendConnect(*this, it->second, now);
    return true;
  }
  if (!p2p::isProbe(in)) return false;
  p2p::ProbeDrop why = p2p::ProbeDrop::kNone;
  auto p = p2p::readProbe(in, &why);
  auto drop = [&](p2p::ProbeDrop d) {
    st.counters[std::string("p2p.probe_dropped.") + p2p::probeDropName(d)]++;
    return true;
  };
  if (!p) return drop(why);
  auto it = st.attempts.find(p->connect_id);
  if (it == st.attempts.end()) return drop(p2p::ProbeDrop::kUnknownAttempt);
  P2PAttempt& a = it->second;
  if (!p2p::verifyProbe(in, a.own_key)) return drop(p2p::ProbeDrop::kBadMac);
  // A request comes from the other role; so does a response.
  if (p->from_initiator == a.initiator) return drop(p2p::ProbeDrop::kBadRole);
  if (!p->response) {
    p2p::Probe answer = *p;
    answer.response = true;
    answer.from_initiator = a.initiator;
    if (!a.initiator && p->client_connection_id != 0) {
      // The initiator's Connect may come at once: a cookie for the address this request came
      // from (transport.md §6). The request's MAC proves it came from the peer the hub named,
      // so the 20 extra bytes go to no stranger.
      wire::Cookie cookie = cookies_.issue(from, p->client_connection_id, now);
      answer.has_cookie = true;
      answer.cookie_window = cookie.window;
      answer.cookie_mac = cookie.mac;
    }
    uint8_t buf[p2p::kProbeWithCookieBytes];
    size_t n = p2p::writeProbe(answer, a.peer_key, buf);
    st.sendTo(*this, from, buf, n);
    st.counters["p2p.probes_answered"]++;
    if (!a.initiator && p->client_connection_id != 0) {
      std::pair<base::SocketAddress, uint32_t> k{from, p->client_connection_id};
      if (std::find(a.announced.begin(), a.announced.end(), k) == a.announced.end() &&
          a.announced.size() < kMaxAnnounced)
        a.announced.push_back(k);
    }
    return true;
  }
  P2PRemote* r = nullptr;
  for (P2PRemote& x : a.remotes)
    if (x.transaction == p->transaction && x.sent_at) r = &x;
  if (!r) return drop(p2p::ProbeDrop::kStale);
  st.counters["p2p.probe_responses"]++;
  if (!a.initiator || a.phase != P2PAttempt::Phase::kChecking) return true;  // only the initiator chooses
  if (r->route.rtt_us < 0) {
    r->route.rtt_us = std::max<base::TimeUs>(1, now - r->sent_at);
    r->answered_from = from;
    if (p->has_cookie) {
      r->has_cookie = true;
      r->cookie.window = p->cookie_window;
      r->cookie.mac = p->cookie_mac;
    }
    if (a.first_success == base::kNever) {
      base::TimeUs grace = std::clamp<base::TimeUs>(r->route.rtt_us / 4, 1 * kMs, 20 * kMs);
      a.first_success = now + grace;  // the choice waits this long for faster routes
    }
  }
  bool all = std::all_of(a.remotes.begin(), a.remotes.end(), [](const P2PRemote& x) { return x.route.rtt_us >= 0; });
  if (all) st.chooseRoute(*this, a, now);
  return true;
}

uint32_t Engine::p2pListenFor(const base::SocketAddress& from, uint32_t client_id) {
  if (!p2p_) return 0;
  for (const auto& [id, a] : p2p_->attempts) {
    if (a.initiator) continue;
    for (const auto& [addr, cid] : a.announced)
      if (cid == client_id && addr == from) return a.listen_handle;
  }
  return 0;
}

uint64_t Engine::p2pPeerFor(const base::SocketAddress& from, uint32_t client_id) {
  if (!p2p_) return 0;
  for (const auto& [id, a] : p2p_->attempts) {
    if (a.initiator) continue;
    for (const auto& [addr, cid] : a.announced)
      if (cid == client_id && addr == from) return a.peer_steam_id;
  }
  return 0;
}

void Engine::onP2PServerConnection(Connection& c, const base::SocketAddress& from, uint32_t client_id) {
  if (!p2p_) return;
  P2PState& st = *p2p_;
  for (auto it = st.attempts.begin(); it != st.attempts.end(); ++it) {
    P2PAttempt& a = it->second;
    if (a.initiator) continue;
    bool match = false;
    for (const auto& [addr, cid] : a.announced) match = match || (cid == client_id && addr == from);
    if (!match) continue;
    c.setRemoteSteamId(a.peer_steam_id);
    RemoteFake rf;
    if (a.fake_ip) {
      rf = {a.fake_ip, a.fake_port, FAKE_IP_TYPE_GLOBAL_IPV4};
    } else {
      // No global FakeIP: one from this instance's local range, stable for the peer.
      uint32_t& local = st.local_fake_by_peer[a.peer_steam_id];
      if (!local) local = 0xA9FE0000 | (st.next_local_fake++ & 0xFF);
      rf = {local, static_cast<uint16_t>(1024 + (local & 0xFF)), FAKE_IP_TYPE_LOCAL_IPV4};
    }
    st.remote_fake[c.localId()] = rf;
    st.counters["p2p.accepted_handshakes"]++;
    st.attempts.erase(it);  // the route is an ordinary transport path from here
    return;
  }
}

void Engine::p2pConnectionGone(Connection& c) {
  if (!p2p_) return;
  P2PState& st = *p2p_;
  st.remote_fake.erase(c.localId());
  if (c.role() != Connection::Role::kClient) return;
  for (auto it = st.attempts.begin(); it != st.attempts.end(); ++it) {
    if (!it->second.initiator || it->second.local_id != c.localId()) continue;
    if (it->second.phase != P2PAttempt::Phase::kHandshake) {
      Signal cancel;
      cancel.type = SignalType::kCancel;
      cancel.connect_id = it->first;
      cancel.result = CONNECTION_END_APP_GENERIC;
      cancel.debug = "the initiator closed the connection";
      st.post(cancel);
    }
    st.attempts.erase(it);
    return;
  }
}

// ---- The I/O loop -----------------------------------------------------------------------------

void Engine::P2PState::takeMail(Engine& e, base::TimeUs now) {
  if (!link || !link->hasMail()) return;
  auto mail = link->take();
  if (mail.session) onSession(e, *mail.session, now);
  for (const auto& bytes : mail.signals) {
    p2p::SignalDrop why = p2p::SignalDrop::kNone;
    auto s = p2p::decodeSignal(bytes, &why);
    if (!s) {
      counters["p2p.signal_malformed"]++;
      continue;
    }
    counters[std::string("p2p.signal_received.") + p2p::signalName(s->type)]++;
    onSignal(e, *s, now);
  }
}

void Engine::serviceP2P(base::TimeUs now) {
  if (!p2p_) return;
  P2PState& st = *p2p_;
  st.takeMail(*this, now);
  // STUN retries; after kStunGiveUpUs the waiting attempts go on with host candidates.
  if (st.stun_pending && now >= st.stun_next) {
    if (now - st.stun_started >= kStunGiveUpUs || st.stun_tries >= 4) {
      st.stun_pending = false;
      st.stun_next = base::kNever;
      st.counters["stun.gave_up"]++;
      std::vector<uint64_t> waiting;
      for (auto& [id, a] : st.attempts)
        if (a.phase == P2PAttempt::Phase::kStun) waiting.push_back(id);
      for (uint64_t id : waiting)
        if (auto it = st.attempts.find(id); it != st.attempts.end()) st.sendConnect(*this, it->second, now);
    } else {
      st.sendStun(*this, now);
    }
  }
  std::vector<std::pair<uint64_t, int>> expired;  // (id, phase)
  std::vector<uint64_t> choose;
  for (auto& [id, a] : st.attempts) {
    if (a.initiator) {
      Connection* c = byLocalId(a.local_id);
      if (!c || (a.phase == P2PAttempt::Phase::kHandshake && !c->awaitingRoute() &&
                 c->state() != CONNECTION_STATE_CONNECTING)) {
        expired.push_back({id, -1});  // connected, failed or gone: nothing more to do
        continue;
      }
    }
    if (now >= a.deadline) {
      expired.push_back({id, static_cast<int>(a.phase)});
      continue;
    }
    if (a.phase != P2PAttempt::Phase::kChecking) continue;
    for (P2PRemote& r : a.remotes)
      if (r.probes_sent < kProbesPerCandidate && now >= r.next_probe) st.sendProbe(*this, a, r, now);
    if (a.initiator && now >= a.first_success) choose.push_back(id);
  }
  for (uint64_t id : choose)
    if (auto it = st.attempts.find(id); it != st.attempts.end()) st.chooseRoute(*this, it->second, now);
  for (auto [id, phase] : expired) {
    auto it = st.attempts.find(id);
    if (it == st.attempts.end()) continue;
    if (phase < 0 || !it->second.initiator) {
      st.attempts.erase(it);
      continue;
    }
    if (phase == static_cast<int>(P2PAttempt::Phase::kChecking)) {
      std::string debug = "no route: " + std::to_string(it->second.remotes.size()) +
                          " candidates probed without an answer (NAT or firewall)";
      st.fail(*this, id, CONNECTION_END_MISC_P2P_NAT_FIREWALL, debug, now, true);
    } else if (phase == static_cast<int>(P2PAttempt::Phase::kSignaling)) {
      st.fail(*this, id, CONNECTION_END_MISC_P2P_RENDEZVOUS, "the peer did not answer through the hub", now, true);
    } else {
      st.fail(*this, id, CONNECTION_END_MISC_P2P_RENDEZVOUS, "timed out before signaling", now, true);
    }
  }
}

void Engine::P2PState::onSession(Engine& e, const SignalingLink::Session& s, base::TimeUs now) {
  bool was = session.logged_on;
  bool changed = s.steam_id != session.steam_id || s.app_id != session.app_id || s.hub_address != session.hub_address;
  session = s;
  hub = base::SocketAddress::parse(s.hub_address, true);
  if (!s.logged_on || changed) {
    announced = false;
    if (was) {
      std::vector<uint64_t> ids;
      for (auto& [id, a] : attempts)
        if (a.phase == P2PAttempt::Phase::kStun || a.phase == P2PAttempt::Phase::kSignaling) ids.push_back(id);
      for (uint64_t id : ids) fail(e, id, CONNECTION_END_MISC_P2P_RENDEZVOUS, "the hub session ended", now, false);
    }
    if (changed && fake_ip) {
      fake_ip = 0;  // a FakeIP belongs to one logon
      fake_ports.clear();
      fake_in_flight = fake_wanted;
    }
  }
  if (s.logged_on && !announced) {
    announced = true;
    Signal present;
    present.type = SignalType::kPresent;
    post(present);
    for (const auto& [h, l] : listens) {
      Signal listen;
      listen.type = SignalType::kListen;
      listen.port_kind = l.first;
      listen.port = l.second;
      post(listen);
    }
    if (fake_wanted) {
      Signal req;
      req.type = SignalType::kFakeIPRequest;
      req.port = fake_num_ports;
      post(req);
      fake_in_flight = true;
    }
    if (socket_id && !reflexiveFresh(now)) startStun(e, now);
  }
}

void Engine::P2PState::onSignal(Engine& e, const Signal& s, base::TimeUs now) {
  switch (s.type) {
    case SignalType::kListenResult:
      if (s.result != RESULT_OK && g_p2p_log.allow())
        OUTPOST_LOG_WARN("P2P: the hub refused the listen socket on %s %d (%d): %s",
                         s.port_kind == PortKind::kFakeIP ? "FakeIP port index" : "virtual port", s.port, s.result,
                         s.debug.c_str());
      return;
    case SignalType::kConnectFailed: {
      auto it = attempts.find(s.connect_id);
      if (it == attempts.end() || !it->second.initiator) return;
      int32_t reason = s.result >= CONNECTION_END_LOCAL_MIN && s.result <= CONNECTION_END_MISC_MAX
                           ? s.result
                           : CONNECTION_END_MISC_P2P_RENDEZVOUS;
      fail(e, s.connect_id, reason, "hub: " + s.debug, now, false);
      return;
    }
    case SignalType::kOffer: onOffer(e, s, now); return;
    case SignalType::kAnswer: {
      auto it = attempts.find(s.connect_id);
      if (it == attempts.end() || !it->second.initiator || it->second.phase != P2PAttempt::Phase::kSignaling) return;
      P2PAttempt& a = it->second;
      if (s.result != 0) {
        int32_t reason = s.result >= CONNECTION_END_LOCAL_MIN && s.result <= CONNECTION_END_MISC_MAX
                             ? s.result
                             : CONNECTION_END_MISC_P2P_RENDEZVOUS;
        fail(e, s.connect_id, reason, "peer: " + s.debug, now, false);
        return;
      }
      if (!s.key || s.candidates.empty()) {
        fail(e, s.connect_id, CONNECTION_END_REMOTE_P2P_ICE_NO_PUBLIC_ADDRESSES, "the peer offered no address", now,
             true);
        return;
      }
      a.peer_key = *s.key;
      if (a.peer_steam_id == 0 || a.kind == PortKind::kFakeIP) {
        a.peer_steam_id = s.peer_steam_id;  // a FakeIP's owner, as the hub resolved it
        if (Connection* c = e.byLocalId(a.local_id)) {
          c->setRemoteSteamId(s.peer_steam_id);
          c->setExpectedPeerIdentity(s.peer_steam_id);
        }
      }
      if (Connection* c = e.byLocalId(a.local_id)) c->setFindingRoute(true, now);
      startChecks(e, a, s.candidates, now);
      return;
    }
    case SignalType::kCancel: {
      auto it = attempts.find(s.connect_id);
      if (it == attempts.end()) return;
      if (!it->second.initiator) {
        attempts.erase(it);
        return;
      }
      if (it->second.phase == P2PAttempt::Phase::kHandshake) return;  // the handshake decides now
      int32_t reason = s.result >= CONNECTION_END_LOCAL_MIN && s.result <= CONNECTION_END_MISC_MAX
                           ? s.result
                           : CONNECTION_END_MISC_P2P_RENDEZVOUS;
      fail(e, s.connect_id, reason, "peer: " + s.debug, now, false);
      return;
    }
    case SignalType::kFakeIPResult: {
      fake_in_flight = false;
      fake_result = s.result;
      FakeIPResultEvent ev;
      ev.result = s.result;
      ev.port_list.assign(p2p::kMaxFakePorts, 0);
      if (s.result == RESULT_OK && isFakeIp(s.fake_ip)) {
        fake_ip = s.fake_ip;
        fake_ports = s.fake_ports;
        ev.remote_fake_steam_id = s.peer_steam_id;
        ev.fake_ip = dotted(fake_ip);
        for (size_t i = 0; i < fake_ports.size() && i < ev.port_list.size(); ++i) ev.port_list[i] = fake_ports[i];
      }
      e.fake_ip_callbacks_.push_back(std::move(ev));
      e.activity_seq_++;
      return;
    }
    default: counters["p2p.signal_unexpected"]++; return;
  }
}

void Engine::P2PState::onOffer(Engine& e, const Signal& s, base::TimeUs now) {
  Signal answer;
  answer.type = SignalType::kAnswer;
  answer.connect_id = s.connect_id;
  uint32_t listen = 0;
  for (const auto& [h, l] : listens)
    if (l.first == s.port_kind && l.second == s.port) listen = h;
  if (!listen) {
    answer.result = CONNECTION_END_MISC_PEER_SENT_NO_CONNECTION;
    answer.debug = "no P2P listen socket on that port";
    post(answer);
    return;
  }
  if (attempts.size() >= kMaxAttempts || attempts.count(s.connect_id) || !s.key || s.candidates.empty()) {
    answer.result = CONNECTION_END_MISC_P2P_RENDEZVOUS;
    answer.debug = !s.key || s.candidates.empty() ? "the offer has no key or no address" : "too many P2P attempts";
    post(answer);
    counters["p2p.offers_refused"]++;
    return;
  }
  const ListenState& ls = e.listen_sockets_[listen];
  ConnectionConfig config = resolveConnectionConfig(&ls.layer, nullptr);
  P2PAttempt a;
  a.connect_id = s.connect_id;
  a.initiator = false;
  a.listen_handle = listen;
  a.peer_steam_id = s.peer_steam_id;
  a.kind = s.port_kind;
  a.port = s.port;
  a.fake_ip = isFakeIp(s.fake_ip) ? s.fake_ip : 0;
  a.fake_port = s.fake_port;
  a.ice_enable = config.p2p_ice_enable;
  a.penalty_ms = config.p2p_ice_penalty_ms;
  a.own_key = randomKey();
  a.peer_key = *s.key;
  a.created = now;
  auto candidates = localCandidates(e, a.ice_enable);
  if (candidates.empty()) {
    answer.result = CONNECTION_END_REMOTE_P2P_ICE_NO_PUBLIC_ADDRESSES;
    answer.debug = "the listener has no address to offer";
    post(answer);
    return;
  }
  answer.key = a.own_key;
  answer.candidates = candidates;
  post(answer);
  counters["p2p.offers_answered"]++;
  P2PAttempt& stored = attempts[a.connect_id] = std::move(a);
  startChecks(e, stored, s.candidates, now);  // punch towards the initiator at once
  if (!reflexiveFresh(now)) startStun(e, now);
}

}  // namespace outpost::transport
