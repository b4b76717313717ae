// Engine::P2PState: everything one NetworkingSockets instance keeps for P2P (engine_p2p.cpp;
// docs/spec/signaling.md): the P2P socket, the hub session's link, the STUN exchange with the hub,
// P2P listen sockets, the attempts in flight (candidates, probes, routes), FakeIP. Used under the
// engine lock only.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "p2p/candidate.h"
#include "p2p/signal.h"
#include "stun/limiter.h"
#include "transport/engine.h"
#include "transport/signaling_link.h"

namespace outpost::transport {

// One remote candidate of an attempt and the probing towards it.
struct P2PRemote {
  p2p::Candidate candidate;
  int probes_sent = 0;
  base::TimeUs next_probe = 0;
  uint32_t transaction = 0;  // of the last request
  base::TimeUs sent_at = 0;
  p2p::Route route;                   // rtt_us >= 0 once answered
  base::SocketAddress answered_from;  // where the response came from (the route's address)
  bool has_cookie = false;            // the listener's response carried a transport cookie
  wire::Cookie cookie;
};

struct P2PAttempt {
  enum class Phase { kStun, kSignaling, kChecking, kHandshake };
  uint64_t connect_id = 0;
  bool initiator = false;
  Phase phase = Phase::kStun;
  uint32_t local_id = 0;       // initiator: its transport connection
  uint32_t listen_handle = 0;  // listener: the P2P listen socket
  uint64_t peer_steam_id = 0;
  p2p::PortKind kind = p2p::PortKind::kVirtual;
  int32_t port = 0;
  uint32_t fake_ip = 0;  // initiator towards a FakeIP: the target; listener: the initiator's global FakeIP
  uint16_t fake_port = 0;
  int32_t ice_enable = -1;
  int32_t penalty_ms = 0;
  p2p::CheckKey own_key{}, peer_key{};
  std::vector<P2PRemote> remotes;
  base::TimeUs created = 0, deadline = base::kNever, first_success = base::kNever;
  // Listener: (source address, client connection id) pairs a verified probe announced.
  std::vector<std::pair<base::SocketAddress, uint32_t>> announced;
};

// What getRemoteFakeIPForConnection answers for a P2P connection.
struct RemoteFake {
  uint32_t ip = 0;
  uint16_t port = 0;
  int32_t type = FAKE_IP_TYPE_NOT_FAKE;
};

struct Engine::P2PState {
  uint64_t socket_id = 0;  // the P2P socket, 0 until opened
  std::shared_ptr<SignalingLink> link;
  SignalingLink::Session session;
  bool announced = false;  // Present and every Listen sent for the current logon

  // STUN with the hub (§3.5).
  std::optional<base::SocketAddress> hub;
  std::optional<base::SocketAddress> reflexive;
  base::TimeUs reflexive_at = 0;
  std::array<uint8_t, 12> stun_transaction{};
  bool stun_pending = false;
  int stun_tries = 0;
  base::TimeUs stun_started = 0, stun_next = base::kNever;
  stun::StunLimiter limiter;  // the hub side: answers to others' requests

  std::map<uint32_t, std::pair<p2p::PortKind, int32_t>> listens;  // listen handle -> port
  std::unordered_map<uint64_t, P2PAttempt> attempts;              // by connect id

  // FakeIP (§10).
  bool fake_wanted = false, fake_in_flight = false;
  int fake_num_ports = 0;
  uint32_t fake_ip = 0;
  std::vector<uint16_t> fake_ports;
  int32_t fake_result = RESULT_NO_CONNECTION;
  std::unordered_map<uint32_t, RemoteFake> remote_fake;  // connection local id -> remote FakeIP
  std::map<uint64_t, uint32_t> local_fake_by_peer;       // steam id -> 169.254.0.x
  uint32_t next_local_fake = 1;

  std::map<std::string, uint64_t> counters;

  // ---- Operations (engine_p2p.cpp); `e` is the owning engine, whose lock is held --------------
  net::UdpSocket* socket(Engine& e);  // opens the P2P socket on first use
  void sendTo(Engine& e, const base::SocketAddress& to, const uint8_t* data, size_t len);
  void post(const p2p::Signal& s);  // to the hub, through the session's link
  std::vector<p2p::Candidate> localCandidates(Engine& e, int32_t ice_enable);
  void startStun(Engine& e, base::TimeUs now);
  void sendStun(Engine& e, base::TimeUs now);
  bool reflexiveFresh(base::TimeUs now) const;
  uint32_t begin(Engine& e, const ConfigLayer& layer, uint64_t steam_id, p2p::PortKind kind, int32_t port,
                 uint32_t fake_ip, uint16_t fake_port, base::TimeUs now);
  void sendConnect(Engine& e, P2PAttempt& a, base::TimeUs now);
  void startChecks(Engine& e, P2PAttempt& a, const std::vector<p2p::Candidate>& remote, base::TimeUs now);
  void sendProbe(Engine& e, P2PAttempt& a, P2PRemote& r, base::TimeUs now);
  void chooseRoute(Engine& e, P2PAttempt& a, base::TimeUs now);
  // Ends an attempt; the initiator's connection fails with `reason`; tell_hub sends a Cancel.
  void fail(Engine& e, uint64_t connect_id, int32_t reason, const std::string& debug, base::TimeUs now, bool tell_hub);
  // The session's mail: its state and the hub's signals.
  void takeMail(Engine& e, base::TimeUs now);
  void onSession(Engine& e, const SignalingLink::Session& s, base::TimeUs now);
  void onSignal(Engine& e, const p2p::Signal& s, base::TimeUs now);
  void onOffer(Engine& e, const p2p::Signal& s, base::TimeUs now);
};

}  // namespace outpost::transport
