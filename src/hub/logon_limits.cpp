// LogonLimits (see logon_limits.h): the failure and pending ledgers per account and per source,
// each an LRU-bounded hash map. Hub thread only; time is passed in.
#include "hub/logon_limits.h"

#include <algorithm>
#include <cstdio>

#include "base/address.h"
#include "crypto/crypto.h"

namespace outpost::hub {

std::string logonSourceOf(const std::string& remote_address) {
  auto a = base::SocketAddress::parse(remote_address, false);
  if (!a) return "";
  if (!a->isV6()) return a->toString(false);  // IPv4, or IPv4-mapped IPv6 (prints as IPv4)
  uint8_t ip[16];
  a->ip16(ip);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02x%02x:%02x%02x:%02x%02x:%02x%02x::/64", ip[0], ip[1], ip[2], ip[3], ip[4], ip[5],
                ip[6], ip[7]);
  return buf;
}

template <typename Key>
LogonLimits::Entry& LogonLimits::Ledger<Key>::touch(const Key& key, size_t max_entries) {
  auto it = map.find(key);
  if (it != map.end()) {
    order.splice(order.begin(), order, it->second.lru);
    return it->second.entry;
  }
  while (!order.empty() && map.size() >= std::max<size_t>(1, max_entries)) {
    map.erase(order.back());  // the least recently used entry is forgotten
    order.pop_back();
  }
  order.push_front(key);
  Slot& s = map[key];
  s.lru = order.begin();
  return s.entry;
}

template <typename Key>
LogonLimits::Entry* LogonLimits::Ledger<Key>::find(const Key& key) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : &it->second.entry;
}

LogonLimits::LogonLimits(const LogonLimitsConfig& config) : config_(config) {
  crypto::randomBytes(hash_key_.data(), hash_key_.size());
}

uint64_t LogonLimits::accountKey(std::string_view name) const {
  return crypto::shortMac(hash_key_, {reinterpret_cast<const uint8_t*>(name.data()), name.size()});
}

void LogonLimits::forgetIfOld(Entry& e, int64_t now_ms) const {
  if (e.failures && now_ms - e.last_failure_ms >= config_.forget_after_ms) {
    e.failures = 0;
    e.blocked_until_ms = 0;
  }
}

void LogonLimits::recordFailure(Entry& e, uint32_t threshold, int64_t now_ms) const {
  ++e.failures;
  e.last_failure_ms = now_ms;
  if (e.failures < threshold) return;
  uint32_t doublings = std::min<uint32_t>(e.failures - threshold, 40);
  int64_t wait_ms = config_.backoff_initial_ms;
  for (uint32_t i = 0; i < doublings && wait_ms < config_.backoff_max_ms; ++i) wait_ms *= 2;
  e.blocked_until_ms = now_ms + std::min(wait_ms, config_.backoff_max_ms);
}

LogonLimits::Decision LogonLimits::admit(std::string_view name, const std::string& source, int64_t now_ms) {
  Decision d;
  Entry& src = sources_.touch(source, config_.max_tracked);
  forgetIfOld(src, now_ms);
  if (now_ms < src.blocked_until_ms) {
    d.allowed = false;
    d.retry_after_ms = src.blocked_until_ms - now_ms;
    d.limited_by = "source";
    return d;
  }
  Entry& acc = accounts_.touch(accountKey(name), config_.max_tracked);
  forgetIfOld(acc, now_ms);
  bool trusted_source =
      !source.empty() && std::find(acc.good_sources.begin(), acc.good_sources.end(), source) != acc.good_sources.end();
  // Checks already waiting count as failures to come: an account never has more in flight than
  // the failures it has left (at least one, so a backoff that ran out allows one more try).
  uint32_t left = acc.failures < config_.failures_per_account ? config_.failures_per_account - acc.failures : 1;
  if (!trusted_source && (now_ms < acc.blocked_until_ms || acc.pending >= left)) {
    d.allowed = false;
    d.retry_after_ms = std::max<int64_t>(acc.blocked_until_ms - now_ms, 0);
    if (d.retry_after_ms == 0) d.retry_after_ms = config_.backoff_initial_ms;  // a check is still running
    d.limited_by = "account";
    return d;
  }
  ++acc.pending;
  ++src.pending;
  return d;
}

void LogonLimits::finished(std::string_view name, const std::string& source, bool ok, int64_t now_ms) {
  Entry& acc = accounts_.touch(accountKey(name), config_.max_tracked);
  Entry& src = sources_.touch(source, config_.max_tracked);
  if (acc.pending) --acc.pending;
  if (src.pending) --src.pending;
  if (ok) {
    acc.failures = 0;
    acc.blocked_until_ms = 0;
    if (!source.empty() &&
        std::find(acc.good_sources.begin(), acc.good_sources.end(), source) == acc.good_sources.end()) {
      acc.good_sources[acc.next_good] = source;
      acc.next_good = (acc.next_good + 1) % kGoodSources;
    }
    return;
  }
  forgetIfOld(acc, now_ms);
  forgetIfOld(src, now_ms);
  recordFailure(acc, config_.failures_per_account, now_ms);
  recordFailure(src, config_.failures_per_source, now_ms);
}

void LogonLimits::abandoned(std::string_view name, const std::string& source) {
  if (Entry* acc = accounts_.find(accountKey(name)); acc && acc->pending) --acc->pending;
  if (Entry* src = sources_.find(source); src && src->pending) --src->pending;
}

int64_t LogonLimits::sourceWaitMs(const std::string& source, int64_t now_ms) {
  Entry* src = sources_.find(source);
  return src && now_ms < src->blocked_until_ms ? src->blocked_until_ms - now_ms : 0;
}

}  // namespace outpost::hub
