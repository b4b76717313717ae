// Token buckets and the bounded per-source table of the master responder (see master_rate_limiter.h).
// Runs on MasterServer's receive thread only; time comes from the caller (injected in tests).
#include "hub/master_rate_limiter.h"

#include <algorithm>

namespace outpost::hub {

std::string validateRateLimits(const MasterRateLimits& l) {
  if (l.requests_per_sec_per_ip < 1) return "requests_per_sec_per_ip must be >= 1";
  if (l.request_burst_per_ip < 1) return "request_burst_per_ip must be >= 1";
  if (l.reply_bytes_per_sec_per_ip < 1) return "reply_bytes_per_sec_per_ip must be >= 1";
  if (l.reply_burst_bytes_per_ip < 1400) return "reply_burst_bytes_per_ip must be >= 1400";
  if (l.requests_per_sec_global < 1) return "requests_per_sec_global must be >= 1";
  if (l.request_burst_global < 1) return "request_burst_global must be >= 1";
  if (l.reply_bytes_per_sec_global < 1) return "reply_bytes_per_sec_global must be >= 1";
  if (l.reply_burst_bytes_global < 1400) return "reply_burst_bytes_global must be >= 1400";
  if (l.max_tracked_sources < 1 || l.max_tracked_sources > 1000000)
    return "max_tracked_sources must be in [1, 1000000]";
  if (l.max_scan_work_per_request < 10000) return "max_scan_work_per_request must be >= 10000";
  if (l.scan_work_per_request_token < 1) return "scan_work_per_request_token must be >= 1";
  return {};
}

void TokenBucket::refill(base::TimeUs now) {
  if (now <= last_us_) return;
  double elapsed_s = static_cast<double>(now - last_us_) / 1e6;
  tokens_ = std::min(burst_, tokens_ + elapsed_s * per_sec_);
  last_us_ = now;
}

size_t SourceRateLimiter::KeyHash::operator()(const Key& k) const {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (uint8_t b : k) h = (h ^ b) * 1099511628211ull;
  return static_cast<size_t>(h);
}

SourceRateLimiter::SourceRateLimiter(const MasterRateLimits& limits, base::TimeUs now)
    : limits_(limits),
      global_requests_(limits.requests_per_sec_global, limits.request_burst_global, now),
      global_bytes_(limits.reply_bytes_per_sec_global, limits.reply_burst_bytes_global, now) {
  by_key_.reserve(std::min<size_t>(limits.max_tracked_sources, 4096));
}

SourceRateLimiter::Source& SourceRateLimiter::lookup(const Key& key, base::TimeUs now) {
  auto it = by_key_.find(key);
  if (it != by_key_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);  // most recently seen first
    return lru_.front();
  }
  if (lru_.size() >= limits_.max_tracked_sources) {
    // Table full: forget the stalest source. A flood of (spoofed) new sources can push an
    // honest one out, which then starts over with a full burst: the global buckets are what
    // bound the total.
    by_key_.erase(lru_.back().key);
    lru_.pop_back();
    ++evictions_;
  }
  lru_.push_front(Source{key, TokenBucket(limits_.requests_per_sec_per_ip, limits_.request_burst_per_ip, now),
                         TokenBucket(limits_.reply_bytes_per_sec_per_ip, limits_.reply_burst_bytes_per_ip, now)});
  by_key_[key] = lru_.begin();
  return lru_.front();
}

RateVerdict SourceRateLimiter::admitRequest(const Key& source, base::TimeUs now) {
  Source& s = lookup(source, now);
  s.requests.refill(now);
  global_requests_.refill(now);
  if (!s.requests.has(1)) return RateVerdict::kSourceRequests;
  if (!global_requests_.has(1)) return RateVerdict::kGlobalRequests;
  s.requests.take(1);
  global_requests_.take(1);
  return RateVerdict::kAllow;
}

RateVerdict SourceRateLimiter::admitReply(const Key& source, size_t bytes, base::TimeUs now) {
  Source& s = lookup(source, now);
  double n = static_cast<double>(bytes);
  s.bytes.refill(now);
  global_bytes_.refill(now);
  if (!s.bytes.has(n)) return RateVerdict::kSourceBytes;
  if (!global_bytes_.has(n)) return RateVerdict::kGlobalBytes;
  s.bytes.take(n);
  global_bytes_.take(n);
  return RateVerdict::kAllow;
}

void SourceRateLimiter::chargeRequests(const Key& source, double tokens, base::TimeUs now) {
  if (tokens <= 0) return;
  Source& s = lookup(source, now);
  s.requests.refill(now);
  global_requests_.refill(now);
  s.requests.take(tokens);
  global_requests_.take(tokens);
}

}  // namespace outpost::hub
