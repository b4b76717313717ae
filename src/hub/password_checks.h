// PasswordChecks: the Argon2id check of a user logon, off the hub thread. One check costs
// ~50–100 ms of CPU; done on the hub thread it stalled every other RPC (ticket validations,
// server listings, admin) behind each logon. The hub submits a check and picks the verdict up on
// a later poll. An unknown user name is checked against a dummy hash, so the time taken does not
// tell whether an account exists. Which check runs next — bounded, fair by source, a guessing
// source behind the others, never one source on every worker — is CheckQueue's policy
// (check_queue.h); this class adds the worker threads and the verdict list.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hub/check_queue.h"

namespace outpost::hub {

class PasswordChecks {
 public:
  using Job = PasswordCheckJob;
  using Submitted = CheckQueue::Submitted;
  struct Verdict {
    Job job;
    bool password_ok = false;
  };

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
  // CheckQueue::peakRunningPerSource.
  size_t peakRunningPerSource() const;

 private:
  void work();

  std::string dummy_hash_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  CheckQueue queue_;
  std::vector<Verdict> done_;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace outpost::hub
