// PasswordChecks: the Argon2id check of a user logon, off the hub thread. One check costs
// ~50–100 ms of CPU; done on the hub thread it stalled every other RPC (ticket validations,
// server listings, admin) behind each logon. The hub submits a check and picks the verdict up on
// a later poll. An unknown user name is checked against a dummy hash, so the time taken does not
// tell whether an account exists. Bounded: at most `max_pending` checks wait; beyond that
// submit() refuses and the hub answers Busy, so a logon flood costs bounded memory and its CPU
// stays on the worker threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
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
  };
  struct Verdict {
    Job job;
    bool password_ok = false;
  };

  PasswordChecks(size_t workers, size_t max_pending);
  ~PasswordChecks();
  PasswordChecks(const PasswordChecks&) = delete;
  PasswordChecks& operator=(const PasswordChecks&) = delete;

  // false when max_pending checks already wait (the caller answers Busy).
  bool submit(Job job);
  // The verdicts reached since the last call (hub thread).
  std::vector<Verdict> takeVerdicts();
  // Checks submitted and not yet taken as verdicts.
  size_t outstanding() const;

 private:
  void work();

  const size_t max_pending_;
  std::string dummy_hash_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  std::vector<Verdict> done_;
  size_t outstanding_ = 0;
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace outpost::hub
