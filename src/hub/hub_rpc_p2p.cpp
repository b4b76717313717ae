// Hub: the P2P signaling family (see hub.h) — P2PSignal from a logged-on game server or user,
// forwarded by Signaling between two sessions of one app (rendezvous, candidates, FakeIP). Hub
// thread. docs/spec/signaling.md.
#include "hub/hub.h"
#include "p2p/signal.h"

namespace outpost::hub {

// The sender's identity is its session's; Signaling decides and answers through its sender (no
// response here) (docs/spec/signaling.md §5).
void Hub::onP2PSignal(uint32_t connection, const hubrpc::Envelope& request) {
  std::optional<Signaling::Who> who;
  Signaling::Who w;
  if (auto server = servers_->serverOf(connection)) {
    w.steam_id = server->steam_id;
    w.app_id = server->app_id;
    who = w;
  } else if (players_->userOf(connection, &w.steam_id, &w.app_id)) {
    who = w;
  }
  const std::string& bytes = request.p2p_signal();
  std::span<const uint8_t> signal{reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
  signaling_->onSignal(connection, who, signal, clock_->nowUs());
  // A malformed signal has no attempt to answer in kind: it is refused like any request (§2.1).
  p2p::SignalDrop why = p2p::SignalDrop::kNone;
  if (!p2p::decodeSignal(signal, &why))
    refuse(connection, request, RESULT_INVALID_PARAM,
           std::string("malformed P2P signal: ") + p2p::signalDropName(why) + " (docs/spec/signaling.md §4)");
}

}  // namespace outpost::hub
