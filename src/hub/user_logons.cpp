// UserLogons (see user_logons.h). Runs on the hub thread.
#include "hub/user_logons.h"

#include <algorithm>
#include <thread>

#include "base/log.h"
#include "outpost/types.h"

namespace outpost::hub {

namespace {

hubrpc::UserLogOnResult refusal(int32_t result, std::string why) {
  hubrpc::UserLogOnResult r;
  r.set_result(result);
  r.set_error(std::move(why));
  return r;
}

std::string seconds(int64_t ms) { return std::to_string((ms + 999) / 1000) + " s"; }

}  // namespace

UserLogons::UserLogons(store::Store& store, const UserLogonsConfig& config) : store_(store), limits_(config.limits) {
  // Argon2id checks on worker threads: all cores but the hub thread's, at least 2 (one is always
  // kept from suspect sources, see password_checks.h) and at most 4.
  size_t workers = config.workers ? config.workers : std::clamp<size_t>(std::thread::hardware_concurrency(), 3, 5) - 1;
  checks_ = std::make_unique<PasswordChecks>(workers, config.max_pending, config.max_pending_per_source);
}

std::optional<hubrpc::UserLogOnResult> UserLogons::request(uint32_t connection, const std::string& source,
                                                           uint32_t request_id, const hubrpc::UserLogOn& req,
                                                           int64_t now_ms) {
  // The limits come before the store and the check: a refused guess costs a hash lookup, no
  // Argon2id. The answer is the same for known and unknown names.
  auto d = limits_.admit(req.name(), source, now_ms);
  if (!d.allowed) {
    bool by_account = std::string(d.limited_by) == "account";
    (by_account ? rate_limited_account_ : rate_limited_source_)++;
    return refusal(RESULT_RATE_LIMIT_EXCEEDED, std::string(by_account ? "too many failed logons for this account"
                                                                      : "too many failed logons from your address") +
                                                   "; try again in " + seconds(d.retry_after_ms));
  }
  auto user = store_.getUserByName(req.name());
  PasswordChecks::Job job{connection, request_id, req, user ? user->password_hash : std::string(), source};
  switch (checks_->submit(std::move(job))) {
    case PasswordChecks::Submitted::kQueued: return std::nullopt;  // answered when the check is done
    case PasswordChecks::Submitted::kSourceFull:
      limits_.abandoned(req.name(), source);
      source_queue_full_++;
      return refusal(RESULT_RATE_LIMIT_EXCEEDED, "too many logons waiting from your address; try again");
    case PasswordChecks::Submitted::kFull: break;
  }
  limits_.abandoned(req.name(), source);
  busy_++;
  return refusal(RESULT_BUSY, "the hub is busy checking other logons; try again");
}

std::vector<UserLogons::Answer> UserLogons::takeAnswers(int64_t now_ms) {
  std::vector<Answer> out;
  std::vector<std::string> failing;
  for (auto& v : checks_->takeVerdicts()) {
    limits_.finished(v.job.request.name(), v.job.source, v.password_ok, now_ms);
    (v.password_ok ? checked_ok_ : checked_failed_)++;
    if (!v.password_ok) failing.push_back(v.job.source);
    out.push_back({v.job.connection, v.job.request_id, std::move(v.job.request), v.password_ok, std::nullopt});
  }
  // A source now in its backoff gets no more checks: what it still has waiting is refused.
  std::sort(failing.begin(), failing.end());
  failing.erase(std::unique(failing.begin(), failing.end()), failing.end());
  for (const auto& source : failing) {
    int64_t wait_ms = limits_.sourceWaitMs(source, now_ms);
    if (wait_ms == 0) continue;
    for (auto& job : checks_->cancelWaiting(source)) {
      limits_.abandoned(job.request.name(), source);
      rate_limited_source_++;
      out.push_back({job.connection, job.request_id, std::move(job.request), false,
                     refusal(RESULT_RATE_LIMIT_EXCEEDED,
                             "too many failed logons from your address; try again in " + seconds(wait_ms))});
    }
  }
  return out;
}

std::map<std::string, uint64_t> UserLogons::counters() const {
  return {{"user_log_on.checked_ok", checked_ok_},
          {"user_log_on.checked_failed", checked_failed_},
          {"user_log_on.rate_limited_account", rate_limited_account_},
          {"user_log_on.rate_limited_source", rate_limited_source_},
          {"user_log_on.source_queue_full", source_queue_full_},
          {"user_log_on.busy", busy_},
          {"user_log_on.tracked_accounts", limits_.trackedAccounts()},
          {"user_log_on.tracked_sources", limits_.trackedSources()}};
}

}  // namespace outpost::hub
