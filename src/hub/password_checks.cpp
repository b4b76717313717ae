// PasswordChecks (see password_checks.h): per-source queues served round-robin by worker threads
// running Argon2id checks (clean sources before suspect ones, no source on every worker at once),
// and a list of verdicts the hub thread collects.
#include "hub/password_checks.h"

#include <algorithm>

#include "crypto/crypto.h"

namespace outpost::hub {

PasswordChecks::PasswordChecks(size_t workers, size_t max_pending, size_t max_pending_per_source)
    : max_pending_(std::max<size_t>(1, max_pending)),
      max_pending_per_source_(std::max<size_t>(1, max_pending_per_source)) {
  uint8_t random[16];
  crypto::randomBytes(random, sizeof random);
  dummy_hash_ = crypto::hashPassword(std::string(reinterpret_cast<const char*>(random), sizeof random));
  std::lock_guard<std::mutex> l(mu_);  // workers_.size() is read under the lock by nextSource
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
  if (outstanding_ >= max_pending_) return Submitted::kFull;
  auto found = sources_.find(job.source);
  if (found != sources_.end() && found->second.outstanding >= max_pending_per_source_) return Submitted::kSourceFull;
  Source& src = sources_[job.source];
  ++src.outstanding;
  ++outstanding_;
  if (src.waiting.empty()) turnOf(src).push_back(job.source);
  src.waiting.push_back(std::move(job));
  cv_.notify_one();
  return Submitted::kQueued;
}

void PasswordChecks::release(const std::string& source, size_t n) {
  outstanding_ -= n;
  auto it = sources_.find(source);
  if (it == sources_.end()) return;
  it->second.outstanding -= std::min(n, it->second.outstanding);
  if (it->second.outstanding == 0) sources_.erase(it);  // nothing waits or runs for it either
}

std::vector<PasswordChecks::Verdict> PasswordChecks::takeVerdicts() {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<Verdict> out;
  out.swap(done_);
  for (const auto& v : out) release(v.job.source, 1);
  return out;
}

std::vector<PasswordChecks::Job> PasswordChecks::cancelWaiting(const std::string& source) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = sources_.find(source);
  if (it == sources_.end() || it->second.waiting.empty()) return {};
  auto& turn = turnOf(it->second);
  turn.erase(std::remove(turn.begin(), turn.end(), source), turn.end());
  std::vector<Job> out(std::make_move_iterator(it->second.waiting.begin()),
                       std::make_move_iterator(it->second.waiting.end()));
  it->second.waiting.clear();
  release(source, out.size());
  return out;
}

size_t PasswordChecks::outstanding() const {
  std::lock_guard<std::mutex> l(mu_);
  return outstanding_;
}

const std::string* PasswordChecks::nextSource(std::deque<std::string>** turn, size_t* index) {
  const size_t per_source = std::max<size_t>(1, workers_.size() - 1);
  for (auto* t : {&clean_turn_, &suspect_turn_})
    for (size_t i = 0; i < t->size(); ++i)
      if (sources_[(*t)[i]].running < per_source) {
        *turn = t;
        *index = i;
        return &(*t)[i];
      }
  return nullptr;
}

void PasswordChecks::work() {
  std::unique_lock<std::mutex> l(mu_);
  while (true) {
    std::deque<std::string>* turn = nullptr;
    size_t index = 0;
    cv_.wait(l, [&] { return stop_ || nextSource(&turn, &index); });
    if (stop_) return;
    // That source gives up one job and, if it has more, goes to the back of its turn.
    std::string source = std::move((*turn)[index]);
    turn->erase(turn->begin() + static_cast<long>(index));
    Source& src = sources_[source];
    Job job = std::move(src.waiting.front());
    src.waiting.pop_front();
    if (!src.waiting.empty()) turnOf(src).push_back(source);
    ++src.running;
    l.unlock();
    bool known = !job.password_hash.empty();
    bool ok = crypto::verifyPassword(known ? job.password_hash : dummy_hash_, job.request.password()) && known;
    l.lock();
    // Its jobs still waiting move to the turn its latest verdict puts them in. (The source is
    // still known: this verdict is not taken yet.)
    Source& after = sources_[source];
    --after.running;
    if (after.last_failed != !ok) {
      auto& from = turnOf(after);
      auto at = std::find(from.begin(), from.end(), source);
      after.last_failed = !ok;
      if (at != from.end()) {
        from.erase(at);
        turnOf(after).push_back(source);
      }
    }
    done_.push_back({std::move(job), ok});
    cv_.notify_all();  // this source may start another check
  }
}

}  // namespace outpost::hub
