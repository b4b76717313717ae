// PasswordChecks (see password_checks.h): worker threads that take the next check from the
// CheckQueue, run Argon2id on it, and leave the verdict for the hub thread.
#include "hub/password_checks.h"

#include <algorithm>

#include "crypto/crypto.h"

namespace outpost::hub {

PasswordChecks::PasswordChecks(size_t workers, size_t max_pending, size_t max_pending_per_source)
    : queue_(std::max<size_t>(1, workers), max_pending, max_pending_per_source) {
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

PasswordChecks::Submitted PasswordChecks::submit(Job job) {
  std::lock_guard<std::mutex> l(mu_);
  Submitted s = queue_.submit(std::move(job));
  if (s == Submitted::kQueued) cv_.notify_one();
  return s;
}

std::vector<PasswordChecks::Verdict> PasswordChecks::takeVerdicts() {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<Verdict> out;
  out.swap(done_);
  for (const auto& v : out) queue_.taken(v.job.source);
  return out;
}

std::vector<PasswordChecks::Job> PasswordChecks::cancelWaiting(const std::string& source) {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.cancelWaiting(source);
}

size_t PasswordChecks::outstanding() const {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.outstanding();
}

size_t PasswordChecks::peakRunningPerSource() const {
  std::lock_guard<std::mutex> l(mu_);
  return queue_.peakRunningPerSource();
}

void PasswordChecks::work() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    std::optional<Job> job;
    cv_.wait(l, [&] { return stop_ || (job = queue_.next()).has_value(); });
    if (stop_) return;
    l.unlock();
    bool known = !job->password_hash.empty();
    bool ok = crypto::verifyPassword(known ? job->password_hash : dummy_hash_, job->request.password()) && known;
    l.lock();
    queue_.finished(job->source, ok);
    done_.push_back({std::move(*job), ok});
    cv_.notify_all();  // this source may start another check
  }
}

}  // namespace outpost::hub
