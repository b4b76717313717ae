// PasswordChecks (see password_checks.h): a queue, worker threads running Argon2id checks, and a
// list of verdicts the hub thread collects.
#include "hub/password_checks.h"

#include <algorithm>

#include "crypto/crypto.h"

namespace outpost::hub {

PasswordChecks::PasswordChecks(size_t workers, size_t max_pending) : max_pending_(std::max<size_t>(1, max_pending)) {
  uint8_t random[16];
  crypto::randomBytes(random, sizeof random);
  dummy_hash_ = crypto::hashPassword(std::string(reinterpret_cast<const char*>(random), sizeof random));
  for (size_t i = 0; i < std::max<size_t>(1, workers); ++i) workers_.emplace_back([this] { work(); });
}

PasswordChecks::~PasswordChecks() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) t.join();
}

bool PasswordChecks::submit(Job job) {
  std::lock_guard<std::mutex> l(mu_);
  if (outstanding_ >= max_pending_) return false;
  ++outstanding_;
  queue_.push_back(std::move(job));
  cv_.notify_one();
  return true;
}

std::vector<PasswordChecks::Verdict> PasswordChecks::takeVerdicts() {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<Verdict> out;
  out.swap(done_);
  outstanding_ -= out.size();
  return out;
}

size_t PasswordChecks::outstanding() const {
  std::lock_guard<std::mutex> l(mu_);
  return outstanding_;
}

void PasswordChecks::work() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    cv_.wait(l, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    l.unlock();
    bool known = !job.password_hash.empty();
    bool ok = crypto::verifyPassword(known ? job.password_hash : dummy_hash_, job.request.password()) && known;
    l.lock();
    done_.push_back({std::move(job), ok});
  }
}

}  // namespace outpost::hub
