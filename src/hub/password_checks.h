// PasswordChecks: the Argon2id check of a user logon, off the hub thread. One check costs
// ~50–100 ms of CPU; done on the hub thread it stalled every other RPC (ticket validations,
// server listings, admin) behind each logon. The hub submits a check and picks the verdict up on
// a later poll. An unknown user name is checked against a dummy hash, so the time taken does not
// tell whether an account exists.
//
// Bounded and fair: at most `max_pending` checks are outstanding in all and at most
// `max_pending_per_source` from one source (LogonLimits's source key: an IPv4 address or an IPv6
// /64); beyond either, submit() refuses and the hub answers at once, so a logon flood costs
// bounded memory and its CPU stays on the worker threads. Workers take the waiting jobs round-robin
// by source, so a source with a long backlog delays another source's check by at most one of its
// own checks per worker: one source can neither fill the queue nor starve the others. A source
// whose last check failed (a guesser, most likely) is served only when no other source waits, so
// a player's check waits at most for the guesser's checks already running.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "hubrpc.pb.h"

namespace outpost::hub {

class PasswordChecks {
 public:
  struct Job {
    uint32_t connection = 0;
    uint32_t request_id = 0;
    hubrpc::UserLogOn request;
    std::string password_hash;  // "" for an unknown user (checked against the dummy hash)
    std::string source;         // the fairness key (see above)
  };
  struct Verdict {
    Job job;
    bool password_ok = false;
  };
  enum class Submitted { kQueued, kFull, kSourceFull };

  PasswordChecks(size_t workers, size_t max_pending, size_t max_pending_per_source);
  ~PasswordChecks();
  PasswordChecks(const PasswordChecks&) = delete;
  PasswordChecks& operator=(const PasswordChecks&) = delete;

  // kFull when max_pending checks are outstanding (the caller answers Busy), kSourceFull when
  // max_pending_per_source of them came from job.source (the caller answers RateLimitExceeded).
  Submitted submit(Job job);
  // The verdicts reached since the last call (hub thread).
  std::vector<Verdict> takeVerdicts();
  // Checks submitted and not yet taken as verdicts.
  size_t outstanding() const;

 private:
  void work();

  const size_t max_pending_;
  const size_t max_pending_per_source_;
  std::string dummy_hash_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  struct Source {
    size_t outstanding = 0;    // submitted, verdict not yet taken
    bool last_failed = false;  // its latest verdict was a wrong password
    std::deque<Job> waiting;
  };
  // Sources with waiting jobs in serving order: those whose last check passed (or that have none
  // yet) first, then those whose last check failed.
  std::deque<std::string>& turnOf(const Source& s) { return s.last_failed ? suspect_turn_ : clean_turn_; }
  std::unordered_map<std::string, Source> sources_;  // sources with outstanding checks
  std::deque<std::string> clean_turn_, suspect_turn_;
  std::vector<Verdict> done_;
  size_t outstanding_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace outpost::hub
