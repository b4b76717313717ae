// CheckQueue (see check_queue.h): per-source queues in two turn orders. No threads, no clock.
#include "hub/check_queue.h"

#include <algorithm>

namespace outpost::hub {

CheckQueue::CheckQueue(size_t workers, size_t max_pending, size_t max_pending_per_source)
    : per_source_running_(std::max<size_t>(1, workers) > 1 ? std::max<size_t>(1, workers) - 1 : 1),
      max_pending_(std::max<size_t>(1, max_pending)),
      max_pending_per_source_(std::max<size_t>(1, max_pending_per_source)) {}

CheckQueue::Submitted CheckQueue::submit(PasswordCheckJob job) {
  if (outstanding_ >= max_pending_) return Submitted::kFull;
  auto found = sources_.find(job.source);
  if (found != sources_.end() && found->second.outstanding >= max_pending_per_source_) return Submitted::kSourceFull;
  Source& src = sources_[job.source];
  ++src.outstanding;
  ++outstanding_;
  if (src.waiting.empty()) turnOf(src).push_back(job.source);
  src.waiting.push_back(std::move(job));
  return Submitted::kQueued;
}

std::optional<PasswordCheckJob> CheckQueue::next() {
  for (auto* turn : {&clean_turn_, &suspect_turn_}) {
    for (size_t i = 0; i < turn->size(); ++i) {
      Source& src = sources_[(*turn)[i]];
      if (src.running >= per_source_running_) continue;  // leave a worker to the others
      // This source gives up one check and, if it has more, goes to the back of its turn.
      std::string source = std::move((*turn)[i]);
      turn->erase(turn->begin() + static_cast<long>(i));
      PasswordCheckJob job = std::move(src.waiting.front());
      src.waiting.pop_front();
      if (!src.waiting.empty()) turnOf(src).push_back(source);
      ++src.running;
      peak_running_per_source_ = std::max(peak_running_per_source_, src.running);
      return job;
    }
  }
  return std::nullopt;
}

void CheckQueue::finished(const std::string& source, bool ok) {
  auto it = sources_.find(source);
  if (it == sources_.end()) return;
  Source& src = it->second;
  if (src.running) --src.running;
  if (src.last_failed == !ok) return;
  // Its checks still waiting move to the turn its latest verdict puts them in.
  auto& from = turnOf(src);
  auto at = std::find(from.begin(), from.end(), source);
  src.last_failed = !ok;
  if (at != from.end()) {
    from.erase(at);
    turnOf(src).push_back(source);
  }
}

void CheckQueue::release(const std::string& source, size_t n) {
  outstanding_ -= std::min(n, outstanding_);
  auto it = sources_.find(source);
  if (it == sources_.end()) return;
  it->second.outstanding -= std::min(n, it->second.outstanding);
  if (it->second.outstanding == 0) sources_.erase(it);  // nothing waits or runs for it either
}

void CheckQueue::taken(const std::string& source) { release(source, 1); }

std::vector<PasswordCheckJob> CheckQueue::cancelWaiting(const std::string& source) {
  auto it = sources_.find(source);
  if (it == sources_.end() || it->second.waiting.empty()) return {};
  auto& turn = turnOf(it->second);
  turn.erase(std::remove(turn.begin(), turn.end(), source), turn.end());
  std::vector<PasswordCheckJob> out(std::make_move_iterator(it->second.waiting.begin()),
                                    std::make_move_iterator(it->second.waiting.end()));
  it->second.waiting.clear();
  release(source, out.size());
  return out;
}

}  // namespace outpost::hub
