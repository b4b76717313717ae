// Signaling (see signaling.h; docs/spec/signaling.md §5, §10).
#include "hub/signaling.h"

#include <algorithm>
#include <ctime>

#include "base/log.h"
#include "outpost/steam_id.h"
#include "outpost/types.h"

namespace outpost::hub {

using p2p::PortKind;
using p2p::Signal;
using p2p::SignalType;

namespace {

std::string idText(uint64_t steam_id) { return steamid::toString(steam_id); }

std::string fakeText(uint32_t ip, uint16_t port) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." + std::to_string((ip >> 8) & 255) +
         "." + std::to_string(ip & 255) + ":" + std::to_string(port);
}

}  // namespace

Signaling::Signaling(Send send, SignalingLimits limits, uint64_t seed)
    : send_(std::move(send)),
      limits_(limits),
      rng_(seed ? seed : 0x9E3779B97F4A7C15ULL ^ static_cast<uint64_t>(time(nullptr))) {}

uint64_t Signaling::nextRandom() {
  // xorshift64*: FakeIP addresses and ports need to be spread, not secret.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return rng_ * 0x2545F4914F6CDD1DULL;
}

size_t Signaling::fakeIPs() const { return fake_ip_owner_.size(); }

Signaling::Session* Signaling::sessionFor(uint32_t connection, const Who& who, base::TimeUs now) {
  auto it = sessions_.find(connection);
  if (it != sessions_.end() && (it->second.who.steam_id != who.steam_id || it->second.who.app_id != who.app_id)) {
    // Another logon on the same hub connection: nothing of the old identity carries over.
    disconnected(connection);
    it = sessions_.end();
  }
  if (it == sessions_.end()) {
    if (sessions_.size() >= limits_.sessions_total) return nullptr;
    Session s;
    s.who = who;
    s.tokens = limits_.burst;
    s.refilled = now;
    it = sessions_.emplace(connection, std::move(s)).first;
  }
  return &it->second;
}

bool Signaling::takeToken(Session& s, base::TimeUs now) {
  double elapsed_s = static_cast<double>(std::max<base::TimeUs>(0, now - s.refilled)) / 1e6;
  s.tokens = std::min(limits_.burst, s.tokens + elapsed_s * limits_.messages_per_second);
  s.refilled = now;
  if (s.tokens < 1) return false;
  s.tokens -= 1;
  return true;
}

void Signaling::forward(uint32_t connection, const Signal& s) {
  counters_["p2p.forwarded"]++;
  send_(connection, p2p::encodeSignal(s));
}

void Signaling::refuse(uint32_t connection, const Signal& in, int32_t end_reason, int32_t result,
                       const std::string& debug, const char* counter) {
  counters_[counter]++;
  Signal out;
  switch (in.type) {
    case SignalType::kListen:
      out.type = SignalType::kListenResult;
      out.port_kind = in.port_kind;
      out.port = in.port;
      out.result = result;
      out.debug = debug;
      break;
    case SignalType::kConnect:
      out.type = SignalType::kConnectFailed;
      out.connect_id = in.connect_id;
      out.result = end_reason;
      out.debug = debug;
      break;
    case SignalType::kFakeIPRequest:
      out.type = SignalType::kFakeIPResult;
      out.result = result;
      out.debug = debug;
      break;
    default: return;  // nothing to answer
  }
  send_(connection, p2p::encodeSignal(out));
}

void Signaling::onSignal(uint32_t connection, std::optional<Who> who, std::span<const uint8_t> bytes,
                         base::TimeUs now) {
  counters_["p2p.messages"]++;
  p2p::SignalDrop why = p2p::SignalDrop::kNone;
  auto in = p2p::decodeSignal(bytes, &why);
  if (!who || who->steam_id == 0) {
    // Only logged-on users and game servers do P2P.
    if (in)
      refuse(connection, *in, CONNECTION_END_MISC_P2P_RENDEZVOUS, RESULT_NOT_LOGGED_ON, "not logged on to the hub",
             "p2p.refused_not_logged_on");
    else counters_["p2p.refused_not_logged_on"]++;
    return;
  }
  Session* s = sessionFor(connection, *who, now);
  if (!s) {
    if (in)
      refuse(connection, *in, CONNECTION_END_MISC_P2P_RENDEZVOUS, RESULT_LIMIT_EXCEEDED, "the hub is full",
             "p2p.refused_sessions");
    return;
  }
  if (!takeToken(*s, now)) {
    // Flooding: answered (so an honest SDK ends its attempt) but nothing else is done.
    if (in)
      refuse(connection, *in, CONNECTION_END_MISC_P2P_RENDEZVOUS, RESULT_RATE_LIMIT_EXCEEDED,
             "P2P signaling rate limit exceeded", "p2p.refused_rate");
    else counters_["p2p.refused_rate"]++;
    return;
  }
  if (!in) {
    counters_["p2p.malformed"]++;
    counters_[std::string("p2p.malformed.") + p2p::signalDropName(why)]++;
    return;
  }
  switch (in->type) {
    case SignalType::kPresent:
      s->present = true;
      present_[{s->who.app_id, s->who.steam_id}] = connection;
      return;
    case SignalType::kListen: {
      int32_t max_port = in->port_kind == PortKind::kFakeIP ? static_cast<int32_t>(p2p::kMaxFakePorts) - 1 : 65535;
      if (in->port < 0 || in->port > max_port) {
        refuse(connection, *in, 0, RESULT_INVALID_PARAM, "port out of range", "p2p.refused_bad_port");
        return;
      }
      RegKey key{s->who.app_id, s->who.steam_id, static_cast<uint8_t>(in->port_kind), in->port};
      if (!s->registrations.count(key)) {
        if (s->registrations.size() >= limits_.registrations_per_session ||
            listeners_.size() >= limits_.registrations_total) {
          refuse(connection, *in, 0, RESULT_LIMIT_EXCEEDED, "too many P2P listen sockets", "p2p.refused_registrations");
          return;
        }
        auto old = listeners_.find(key);
        if (old != listeners_.end() && old->second != connection) {
          auto other = sessions_.find(old->second);
          if (other != sessions_.end()) other->second.registrations.erase(key);
        }
        listeners_[key] = connection;
        s->registrations.insert(key);
      }
      s->present = true;
      present_[{s->who.app_id, s->who.steam_id}] = connection;
      Signal out;
      out.type = SignalType::kListenResult;
      out.port_kind = in->port_kind;
      out.port = in->port;
      out.result = RESULT_OK;
      send_(connection, p2p::encodeSignal(out));
      counters_["p2p.listens"]++;
      return;
    }
    case SignalType::kUnlisten: {
      RegKey key{s->who.app_id, s->who.steam_id, static_cast<uint8_t>(in->port_kind), in->port};
      auto it = listeners_.find(key);
      if (it != listeners_.end() && it->second == connection) listeners_.erase(it);
      s->registrations.erase(key);
      return;
    }
    case SignalType::kConnect: onConnect(connection, *s, std::move(*in), now); return;
    case SignalType::kAnswer: {
      auto it = attempts_.find(in->connect_id);
      if (it == attempts_.end() || it->second.target != connection) {
        // Only the listener of an attempt the hub forwarded may answer it: nobody can push
        // addresses at a peer that did not ask.
        counters_["p2p.refused_answer"]++;
        return;
      }
      Signal out = std::move(*in);
      out.peer_steam_id = it->second.target_id;
      uint32_t initiator = it->second.initiator;
      if (out.result != 0) {
        endAttempt(out.connect_id);
      } else if (!it->second.answered) {
        // Answered: the peers talk directly now. The attempt stays (for a Cancel) until it expires,
        // but the initiator may start others.
        it->second.answered = true;
        auto s2 = sessions_.find(initiator);
        if (s2 != sessions_.end() && s2->second.attempts_as_initiator > 0) s2->second.attempts_as_initiator--;
      }
      forward(initiator, out);
      return;
    }
    case SignalType::kCancel: {
      auto it = attempts_.find(in->connect_id);
      if (it == attempts_.end() || (it->second.target != connection && it->second.initiator != connection)) {
        counters_["p2p.refused_cancel"]++;
        return;
      }
      Signal out;
      out.type = SignalType::kCancel;
      out.connect_id = in->connect_id;
      out.result = in->result;
      out.debug = in->debug;
      out.peer_steam_id = s->who.steam_id;
      uint32_t other = it->second.target == connection ? it->second.initiator : it->second.target;
      endAttempt(in->connect_id);
      forward(other, out);
      return;
    }
    case SignalType::kFakeIPRequest: onFakeIPRequest(connection, *s, *in); return;
    default:
      counters_["p2p.refused_wrong_direction"]++;  // hub-to-SDK types sent to the hub
      return;
  }
}

void Signaling::onConnect(uint32_t connection, Session& s, Signal in, base::TimeUs now) {
  if (in.connect_id == 0 || attempts_.count(in.connect_id)) {
    refuse(connection, in, CONNECTION_END_MISC_GENERIC, 0, "bad or duplicate connect id", "p2p.refused_connect_id");
    return;
  }
  if (s.attempts_as_initiator >= limits_.pending_per_initiator || attempts_.size() >= limits_.pending_total) {
    refuse(connection, in, CONNECTION_END_MISC_P2P_RENDEZVOUS, 0, "too many pending P2P attempts",
           "p2p.refused_pending");
    return;
  }
  uint32_t app = s.who.app_id;
  uint64_t target_id = in.peer_steam_id;
  int32_t port = in.port;
  PortKind kind = in.port_kind;
  if (kind == PortKind::kFakeIP) {
    auto owner = fake_ip_owner_.find({app, in.fake_ip});
    const Session* o = owner == fake_ip_owner_.end() ? nullptr : &sessions_.at(owner->second);
    auto pos = o ? std::find(o->fake_ports.begin(), o->fake_ports.end(), in.fake_port)
                 : std::vector<uint16_t>::const_iterator{};
    if (!o || pos == o->fake_ports.end()) {
      refuse(connection, in, CONNECTION_END_MISC_P2P_RENDEZVOUS, 0,
             "no peer of app " + std::to_string(app) + " owns FakeIP " + fakeText(in.fake_ip, in.fake_port),
             "p2p.refused_unknown_fake_ip");
      return;
    }
    target_id = o->who.steam_id;
    port = static_cast<int32_t>(pos - o->fake_ports.begin());
  } else if (!present_.count({app, target_id})) {
    // A peer of another app is as absent as an offline one: signaling stays inside an app.
    refuse(connection, in, CONNECTION_END_MISC_P2P_RENDEZVOUS, 0,
           "peer " + idText(target_id) + " is not logged on to the hub for app " + std::to_string(app),
           "p2p.refused_offline");
    return;
  }
  auto reg = listeners_.find({app, target_id, static_cast<uint8_t>(kind), port});
  if (reg == listeners_.end()) {
    refuse(connection, in, CONNECTION_END_MISC_PEER_SENT_NO_CONNECTION, 0,
           "peer " + idText(target_id) + " has no P2P listen socket on " +
               (kind == PortKind::kFakeIP ? "FakeIP port index " : "virtual port ") + std::to_string(port),
           "p2p.refused_no_listener");
    return;
  }
  Attempt a;
  a.initiator = connection;
  a.target = reg->second;
  a.initiator_id = s.who.steam_id;
  a.target_id = target_id;
  a.expires = now + limits_.pending_lifetime_us;
  attempts_[in.connect_id] = a;
  s.attempts_as_initiator++;
  Signal offer;
  offer.type = SignalType::kOffer;
  offer.connect_id = in.connect_id;
  offer.peer_steam_id = s.who.steam_id;
  offer.port_kind = kind;
  offer.port = port;
  if (s.fake_ip && !s.fake_ports.empty()) {
    offer.fake_ip = s.fake_ip;
    offer.fake_port = s.fake_ports.front();
  }
  offer.key = in.key;
  offer.candidates = std::move(in.candidates);
  forward(a.target, offer);
}

void Signaling::onFakeIPRequest(uint32_t connection, Session& s, const Signal& in) {
  size_t want = static_cast<size_t>(std::clamp<int32_t>(in.port, 1, static_cast<int32_t>(p2p::kMaxFakePorts)));
  uint32_t app = s.who.app_id;
  if (!s.fake_ip) {
    if (fake_ips_per_app_[app] >= limits_.fake_ips_per_app) {
      refuse(connection, in, 0, RESULT_LIMIT_EXCEEDED, "no FakeIP left for this app", "p2p.refused_fake_ip_full");
      return;
    }
    // 169.254.1.0 - 169.254.254.255 (RFC 3927 keeps the first and last /24). Random tries, then a
    // scan, so a full range is still found.
    constexpr uint32_t kBase = 0xA9FE0100;  // 169.254.1.0
    constexpr uint32_t kCount = 254 * 256;
    uint32_t ip = 0;
    for (int i = 0; i < 64 && !ip; ++i) {
      uint32_t c = kBase + static_cast<uint32_t>(nextRandom() % kCount);
      if (!fake_ip_owner_.count({app, c})) ip = c;
    }
    for (uint32_t c = kBase; !ip && c < kBase + kCount; ++c)
      if (!fake_ip_owner_.count({app, c})) ip = c;
    s.fake_ip = ip;
    fake_ip_owner_[{app, ip}] = connection;
    fake_ips_per_app_[app]++;
    counters_["p2p.fake_ips_allocated"]++;
  }
  while (s.fake_ports.size() < want) {
    uint16_t p = static_cast<uint16_t>(1024 + nextRandom() % (65536 - 1024));
    if (std::find(s.fake_ports.begin(), s.fake_ports.end(), p) == s.fake_ports.end()) s.fake_ports.push_back(p);
  }
  Signal out;
  out.type = SignalType::kFakeIPResult;
  out.result = RESULT_OK;
  out.peer_steam_id = s.who.steam_id;
  out.fake_ip = s.fake_ip;
  out.fake_ports = s.fake_ports;
  send_(connection, p2p::encodeSignal(out));
}

void Signaling::endAttempt(uint64_t connect_id) {
  auto it = attempts_.find(connect_id);
  if (it == attempts_.end()) return;
  auto s = sessions_.find(it->second.initiator);
  if (!it->second.answered && s != sessions_.end() && s->second.attempts_as_initiator > 0)
    s->second.attempts_as_initiator--;
  attempts_.erase(it);
}

void Signaling::disconnected(uint32_t connection) {
  auto it = sessions_.find(connection);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  for (const RegKey& k : s.registrations) {
    auto l = listeners_.find(k);
    if (l != listeners_.end() && l->second == connection) listeners_.erase(l);
  }
  auto p = present_.find({s.who.app_id, s.who.steam_id});
  if (p != present_.end() && p->second == connection) present_.erase(p);
  if (s.fake_ip) {
    fake_ip_owner_.erase({s.who.app_id, s.fake_ip});
    if (fake_ips_per_app_[s.who.app_id] > 0) fake_ips_per_app_[s.who.app_id]--;
  }
  std::vector<std::pair<uint64_t, uint32_t>> tell;  // (connect id, other party)
  for (auto& [id, a] : attempts_) {
    if (a.initiator == connection && a.target != connection) tell.push_back({id, a.target});
    else if (a.target == connection && a.initiator != connection) tell.push_back({id, a.initiator});
    else if (a.target == connection) tell.push_back({id, 0});
  }
  sessions_.erase(it);
  for (auto [id, other] : tell) {
    endAttempt(id);  // the initiator's pending count drops with it (when it is still here)
    if (!other) continue;
    Signal c;
    c.type = SignalType::kCancel;
    c.connect_id = id;
    c.result = CONNECTION_END_MISC_P2P_RENDEZVOUS;
    c.debug = "the peer left the hub";
    forward(other, c);
  }
}

void Signaling::expire(base::TimeUs now) {
  for (auto it = attempts_.begin(); it != attempts_.end();) {
    if (it->second.expires > now) {
      ++it;
      continue;
    }
    auto s = sessions_.find(it->second.initiator);
    if (!it->second.answered && s != sessions_.end() && s->second.attempts_as_initiator > 0)
      s->second.attempts_as_initiator--;
    it = attempts_.erase(it);
    counters_["p2p.attempts_expired"]++;
  }
}

std::map<std::string, uint64_t> Signaling::counters() const {
  auto out = counters_;
  out["p2p.registrations"] = listeners_.size();
  out["p2p.pending_attempts"] = attempts_.size();
  out["p2p.fake_ips"] = fake_ip_owner_.size();
  out["p2p.sessions"] = sessions_.size();
  return out;
}

}  // namespace outpost::hub
