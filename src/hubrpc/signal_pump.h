// SignalPump: the hub session's half of P2P signaling (docs/spec/signaling.md §1). A GameServer or
// a User that certifies a NetworkingSockets instance (certifyNetworkingSockets) keeps one: it tells
// the instance's SignalingLink whether the session is logged on, as whom and where the hub is,
// wraps the instance's signals into Envelope.p2p_signal for the hub, and hands the hub's
// p2p_signal messages back. The session stays a carrier: the hub checks every signal.
// Not thread-safe: its owner calls it under its own lock (the link itself is thread-safe).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hubrpc/framing.h"
#include "transport/signaling_link.h"

namespace outpost::hubrpc {

class SignalPump {
 public:
  ~SignalPump() { detach(); }
  // Attaches `link` (detaching the previous one); `wake` is called when the instance has signals
  // for the hub (it must not block or take the owner's lock if the owner posts under it).
  void attach(std::shared_ptr<transport::SignalingLink> link, std::function<void()> wake);
  void detach();
  bool attached() const { return link_ != nullptr; }
  // Tells the instance the session's state; only changes are passed on.
  void publish(bool logged_on, uint64_t steam_id, uint32_t app_id, const std::string& hub_address);
  // The instance's signals, as Envelopes to send to the hub now.
  std::vector<Envelope> take();
  // A message from the hub: true if it was a P2P signal (then delivered to the instance).
  bool onEnvelope(const Envelope& e);

 private:
  std::shared_ptr<transport::SignalingLink> link_;
  std::optional<transport::SignalingLink::Session> published_;
};

}  // namespace outpost::hubrpc
