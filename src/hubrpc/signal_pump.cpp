// SignalPump (see signal_pump.h).
#include "hubrpc/signal_pump.h"

namespace outpost::hubrpc {

void SignalPump::attach(std::shared_ptr<transport::SignalingLink> link, std::function<void()> wake) {
  detach();
  link_ = std::move(link);
  if (link_) link_->setSessionWake(std::move(wake));
  published_.reset();
}

void SignalPump::detach() {
  if (link_) link_->detachSession();
  link_.reset();
  published_.reset();
}

void SignalPump::publish(bool logged_on, uint64_t steam_id, uint32_t app_id, const std::string& hub_address) {
  if (!link_) return;
  transport::SignalingLink::Session s;
  s.attached = true;
  s.logged_on = logged_on && steam_id != 0;
  s.steam_id = s.logged_on ? steam_id : 0;
  s.app_id = s.logged_on ? app_id : 0;
  s.hub_address = hub_address;
  if (published_ && *published_ == s) return;
  published_ = s;
  link_->setSession(s);
}

std::vector<Envelope> SignalPump::take() {
  std::vector<Envelope> out;
  if (!link_) return out;
  for (auto& bytes : link_->takeOutgoing()) {
    Envelope e;
    e.set_p2p_signal(bytes.data(), bytes.size());
    out.push_back(std::move(e));
  }
  return out;
}

bool SignalPump::onEnvelope(const Envelope& e) {
  if (!e.has_p2p_signal()) return false;
  if (link_) link_->deliver(std::vector<uint8_t>(e.p2p_signal().begin(), e.p2p_signal().end()));
  return true;
}

}  // namespace outpost::hubrpc
