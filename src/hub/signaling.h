// Signaling: the hub's side of P2P rendezvous and FakeIP (docs/spec/signaling.md §5, §10). Keeps
// which sessions can do P2P, their listen registrations and FakeIPs, and the attempts in flight;
// checks every signal message (rate, bounds, same app, who may answer what) and forwards it to the
// other party's hub connection. A peer's addresses go to another peer only in an Answer to an
// attempt that peer made on one of its listen sockets.
//
// Runs on the hub thread; time is passed in (tests drive it). Every table is bounded and every
// refusal counted (counters()).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "p2p/signal.h"

namespace outpost::hub {

struct SignalingLimits {
  double messages_per_second = 20;  // per session
  double burst = 40;
  size_t registrations_per_session = 64;
  size_t registrations_total = 262144;
  size_t pending_per_initiator = 32;
  size_t pending_total = 65536;
  base::TimeUs pending_lifetime_us = 15000000;
  size_t fake_ips_per_app = 65024;  // 169.254.1.0 - 169.254.254.255
  size_t sessions_total = 1000000;
};

class Signaling {
 public:
  // Who is logged on on a connection (a user or a game server).
  struct Who {
    uint64_t steam_id = 0;
    uint32_t app_id = 0;
  };
  using Send = std::function<void(uint32_t connection, const std::vector<uint8_t>& signal)>;

  explicit Signaling(Send send, SignalingLimits limits = {}, uint64_t seed = 0);

  // One Envelope.p2p_signal from `connection`; `who` is empty when nobody is logged on there.
  void onSignal(uint32_t connection, std::optional<Who> who, std::span<const uint8_t> bytes, base::TimeUs now);
  // The hub connection closed: its registrations, FakeIP and attempts go; the other parties of
  // its attempts are told.
  void disconnected(uint32_t connection);
  // Forgets attempts older than their lifetime.
  void expire(base::TimeUs now);

  std::map<std::string, uint64_t> counters() const;
  size_t registrations() const { return listeners_.size(); }
  size_t pendingAttempts() const { return attempts_.size(); }
  size_t fakeIPs() const;

 private:
  using RegKey = std::tuple<uint32_t, uint64_t, uint8_t, int32_t>;  // app, steam id, port kind, port
  struct Session {
    Who who;
    bool present = false;
    double tokens = 0;
    base::TimeUs refilled = 0;
    std::set<RegKey> registrations;
    uint32_t fake_ip = 0;
    std::vector<uint16_t> fake_ports;
    size_t attempts_as_initiator = 0;
  };
  struct Attempt {
    uint32_t initiator = 0, target = 0;
    uint64_t initiator_id = 0, target_id = 0;
    base::TimeUs expires = 0;
    bool answered = false;  // no longer counts against the initiator's pending bound
  };

  Session* sessionFor(uint32_t connection, const Who& who, base::TimeUs now);
  bool takeToken(Session& s, base::TimeUs now);
  void refuse(uint32_t connection, const p2p::Signal& in, int32_t end_reason, int32_t result, const std::string& debug,
              const char* counter);
  void forward(uint32_t connection, const p2p::Signal& s);
  void endAttempt(uint64_t connect_id);
  void onConnect(uint32_t connection, Session& s, p2p::Signal in, base::TimeUs now);
  void onFakeIPRequest(uint32_t connection, Session& s, const p2p::Signal& in);
  uint64_t nextRandom();

  Send send_;
  SignalingLimits limits_;
  uint64_t rng_;
  std::unordered_map<uint32_t, Session> sessions_;
  std::map<std::pair<uint32_t, uint64_t>, uint32_t> present_;  // (app, steam id) -> connection
  std::map<RegKey, uint32_t> listeners_;
  std::unordered_map<uint64_t, Attempt> attempts_;
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> fake_ip_owner_;  // (app, fake ip) -> connection
  std::map<uint32_t, size_t> fake_ips_per_app_;
  mutable std::map<std::string, uint64_t> counters_;
};

}  // namespace outpost::hub
