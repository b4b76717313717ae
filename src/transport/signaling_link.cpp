// SignalingLink (see signaling_link.h).
#include "transport/signaling_link.h"

namespace outpost::transport {

void SignalingLink::setSession(const Session& s) {
  std::lock_guard<std::mutex> l(mu_);
  Session copy = s;
  copy.attached = true;
  mail_.session = copy;
  has_mail_ = true;
  if (wake_) wake_();
}

void SignalingLink::detachSession() {
  std::lock_guard<std::mutex> l(mu_);
  mail_.session = Session{};
  has_mail_ = true;
  session_wake_ = nullptr;
  outgoing_.clear();
  if (wake_) wake_();
}

void SignalingLink::setSessionWake(std::function<void()> wake) {
  std::lock_guard<std::mutex> l(mu_);
  session_wake_ = std::move(wake);
}

std::vector<std::vector<uint8_t>> SignalingLink::takeOutgoing() {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::vector<uint8_t>> out;
  out.swap(outgoing_);
  return out;
}

void SignalingLink::deliver(std::vector<uint8_t> signal) {
  std::lock_guard<std::mutex> l(mu_);
  if (mail_.signals.size() >= kMaxQueued) {
    ++dropped_;
    return;
  }
  mail_.signals.push_back(std::move(signal));
  has_mail_ = true;
  if (wake_) wake_();
}

void SignalingLink::setWake(std::function<void()> wake) {
  std::lock_guard<std::mutex> l(mu_);
  wake_ = std::move(wake);
}

bool SignalingLink::post(std::vector<uint8_t> signal) {
  std::lock_guard<std::mutex> l(mu_);
  if (outgoing_.size() >= kMaxQueued) {
    ++dropped_;
    return false;
  }
  outgoing_.push_back(std::move(signal));
  if (session_wake_) session_wake_();
  return true;
}

SignalingLink::Mail SignalingLink::take() {
  std::lock_guard<std::mutex> l(mu_);
  Mail m = std::move(mail_);
  mail_ = Mail{};
  has_mail_ = false;
  return m;
}

bool SignalingLink::hasMail() {
  std::lock_guard<std::mutex> l(mu_);
  return has_mail_;
}

uint64_t SignalingLink::dropped() {
  std::lock_guard<std::mutex> l(mu_);
  return dropped_;
}

}  // namespace outpost::transport
