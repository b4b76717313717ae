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
// own checks per worker: one source can neither fill the queue nor starve the others. With two or
// more workers, no source ever runs checks on all of them at once, so another source's check
// always finds a worker free and starts at once. A source whose last check failed (a guesser,
// most likely) is "suspect": its jobs run only when no other source's job waits. cancelWaiting()
// drops a source's waiting jobs once the hub's limits refuse that source.
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
  // Removes the jobs of `source` that no worker has started and returns them (the caller answers
  // them); checks already running finish and come back as verdicts.
  std::vector<Job> cancelWaiting(const std::string& source);
  // Checks submitted and not yet taken as verdicts (or cancelled).
  size_t outstanding() const;

 private:
  struct Source {
    size_t outstanding = 0;    // submitted, verdict not yet taken
    size_t running = 0;        // on a worker now
    bool last_failed = false;  // its latest verdict was a wrong password: suspect
    std::deque<Job> waiting;
  };
  void work();
  // Sources with waiting jobs in serving order, clean first, then suspect.
  std::deque<std::string>& turnOf(const Source& s) { return s.last_failed ? suspect_turn_ : clean_turn_; }
  // The first source in serving order that may start a check now (at most workers - 1 running
  // per source, at least 1), with the turn it is in; nullptr if none.
  const std::string* nextSource(std::deque<std::string>** turn, size_t* index);
  void release(const std::string& source, size_t n);

  const size_t max_pending_;
  const size_t max_pending_per_source_;
  std::string dummy_hash_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Source> sources_;  // sources with outstanding checks
  std::deque<std::string> clean_turn_, suspect_turn_;
  std::vector<Verdict> done_;
  size_t outstanding_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace outpost::hub
