// CheckQueue: which password check runs next — the scheduling policy of PasswordChecks, with no
// threads, so it is tested step by step. Bounded and fair:
//   - at most `max_pending` checks outstanding in all, at most `max_pending_per_source` from one
//     source (an IPv4 address or an IPv6 /64); submit() refuses beyond either;
//   - sources take turns (round-robin), so a source's long backlog delays another source's check by
//     at most one of its own per worker;
//   - a source never runs checks on every worker at once (at most workers - 1, at least 1), so
//     another source's check always finds a worker free and starts at once;
//   - a source whose last check failed (a guesser, most likely) is "suspect": its checks are
//     handed out only when no other source's check waits;
//   - cancelWaiting() drops a source's checks not yet started (the hub's limits refuse it).
// A check is outstanding from submit() until taken() (the hub collected its verdict) or until it
// is cancelled. Not thread-safe: PasswordChecks holds its mutex around every call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hubrpc.pb.h"

namespace outpost::hub {

struct PasswordCheckJob {
  uint32_t connection = 0;
  uint32_t request_id = 0;
  hubrpc::UserLogOn request;
  std::string password_hash;  // "" for an unknown user (checked against the dummy hash)
  std::string source;         // the fairness key
};

class CheckQueue {
 public:
  enum class Submitted { kQueued, kFull, kSourceFull };

  CheckQueue(size_t workers, size_t max_pending, size_t max_pending_per_source);

  // kFull when max_pending checks are outstanding, kSourceFull when max_pending_per_source of
  // them came from job.source.
  Submitted submit(PasswordCheckJob job);
  // The check a free worker runs next (it counts as running), or nullopt if none may start now.
  std::optional<PasswordCheckJob> next();
  // A check handed out by next() ended: ok = the password was right.
  void finished(const std::string& source, bool ok);
  // The hub took the verdict of a finished check of `source`: it is no longer outstanding.
  void taken(const std::string& source);
  // Removes and returns the checks of `source` not yet handed out.
  std::vector<PasswordCheckJob> cancelWaiting(const std::string& source);

  size_t outstanding() const { return outstanding_; }
  // The most checks one source has had running at once.
  size_t peakRunningPerSource() const { return peak_running_per_source_; }

 private:
  struct Source {
    size_t outstanding = 0;    // submitted, verdict not yet taken
    size_t running = 0;        // handed out, not finished
    bool last_failed = false;  // suspect
    std::deque<PasswordCheckJob> waiting;
  };
  std::deque<std::string>& turnOf(const Source& s) { return s.last_failed ? suspect_turn_ : clean_turn_; }
  void release(const std::string& source, size_t n);

  const size_t per_source_running_;
  const size_t max_pending_;
  const size_t max_pending_per_source_;
  std::unordered_map<std::string, Source> sources_;  // sources with outstanding checks
  // Sources with waiting checks in serving order: clean ones, then suspect ones.
  std::deque<std::string> clean_turn_, suspect_turn_;
  size_t outstanding_ = 0;
  size_t peak_running_per_source_ = 0;
};

}  // namespace outpost::hub
