// UserLogons: the hub's answer to a UserLogOn request, up to the password verdict — the attempt
// limits (LogonLimits: per account and per source, with backoff), the bounded, fair check queue
// (PasswordChecks) and the counters of what was refused. A refused attempt is answered at once:
// RESULT_RATE_LIMIT_EXCEEDED (84) when an account or a source is in its backoff or a source has
// its share of the queue, RESULT_BUSY (10) when the whole queue is full. Players::logOn opens the
// session once the verdict is in. Hub thread only (the checks run on PasswordChecks's workers).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hub/logon_limits.h"
#include "hub/password_checks.h"
#include "hubrpc.pb.h"
#include "store/store.h"

namespace outpost::hub {

struct UserLogonsConfig {
  LogonLimitsConfig limits;
  uint32_t max_pending = 256;            // password checks outstanding in all
  uint32_t max_pending_per_source = 64;  // ... from one source
  uint32_t workers = 0;                  // check threads; 0 = the cores but one, 2..4
};

class UserLogons {
 public:
  UserLogons(store::Store& store, const UserLogonsConfig& config);

  // What becomes of a queued logon: a verdict (password_ok) or, for a check dropped because its
  // source reached its limit meanwhile, the refusal to send.
  struct Answer {
    uint32_t connection = 0;
    uint32_t request_id = 0;
    hubrpc::UserLogOn request;
    bool password_ok = false;
    std::optional<hubrpc::UserLogOnResult> refusal;
  };

  // A UserLogOn from `connection` whose remote address gives `source` (logonSourceOf). Returns
  // the refusal to send now, or nullopt when the check was queued (its answer comes from
  // takeAnswers()).
  std::optional<hubrpc::UserLogOnResult> request(uint32_t connection, const std::string& source, uint32_t request_id,
                                                 const hubrpc::UserLogOn& req, int64_t now_ms);
  // The answers reached since the last call. Verdicts are recorded in the limits first (also for
  // connections that left meanwhile: leaving does not undo a failed guess); a source that reached
  // its limit with them has its checks not yet started dropped and refused.
  std::vector<Answer> takeAnswers(int64_t now_ms);
  size_t outstanding() const { return checks_->outstanding(); }
  // user_log_on.* counters for `outpost admin status`.
  std::map<std::string, uint64_t> counters() const;

 private:
  store::Store& store_;
  LogonLimits limits_;
  std::unique_ptr<PasswordChecks> checks_;
  uint64_t rate_limited_account_ = 0, rate_limited_source_ = 0, source_queue_full_ = 0, busy_ = 0;
  uint64_t checked_ok_ = 0, checked_failed_ = 0;
};

}  // namespace outpost::hub
