// Rate limits of the master query responder: token buckets per source IP (requests and reply
// bytes) in a bounded LRU table, plus global buckets (requests and reply bytes) over all sources.
//
// Why: a master reply (up to 1398 bytes) is far larger than the request that asks for it (from
// 3 bytes), and Valve's protocol has no challenge, so a spoofed request makes us send ~100x its
// size to the spoofed address. The per-IP reply-byte bucket bounds what one victim IP can
// receive; the global reply-byte bucket bounds what the whole server can emit, however many
// spoofed sources an attacker uses (a source evicted from the table comes back with a fresh
// burst, so only the global cap is a hard bound). The request buckets bound the CPU a source
// (or everyone) can make us spend scanning the list. docs/spec/master.md §5 has the numbers.
//
// Not thread-safe: used by the one thread that handles datagrams (MasterServer's).
// (Namespace master kept from before the module split; the namespace pass of issue 8 moves it.)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <unordered_map>

#include "base/clock.h"
#include "master/index.h"

namespace outpost::hub {

// Every value is per second or a bucket size; all must be >= 1 (see validateRateLimits).
struct MasterRateLimits {
  // Per source IP (IPv4, or IPv6 /128): an honest browser walks a 10,000-server list in 44
  // requests, ~60 KB, in one burst, then refreshes every few minutes.
  uint32_t requests_per_sec_per_ip = 30;
  uint32_t request_burst_per_ip = 60;
  uint32_t reply_bytes_per_sec_per_ip = 64 * 1024;
  uint32_t reply_burst_bytes_per_ip = 128 * 1024;
  // All sources together.
  uint32_t requests_per_sec_global = 1000;
  uint32_t request_burst_global = 2000;
  uint32_t reply_bytes_per_sec_global = 4 * 1024 * 1024;
  uint32_t reply_burst_bytes_global = 4 * 1024 * 1024;
  // Source IPs tracked at once; when full, the least recently seen source is forgotten.
  uint32_t max_tracked_sources = 4096;
  // CPU: the work budget of one page (MasterIndex::reply, in Filter work units), and the work
  // that costs one more request token. A request pays 1 token up front and, after its page is
  // built, work / scan_work_per_request_token more (the buckets may go into debt), so a source
  // sending expensive filters is slowed down in proportion to the CPU it takes.
  uint64_t max_scan_work_per_request = master::kDefaultMaxScanWork;
  uint32_t scan_work_per_request_token = 50000;
};

// Empty if `limits` is usable, else a sentence naming the first bad field. Rates and bursts
// must be >= 1, byte bursts >= 1400 (a burst smaller than one full page could never be spent),
// max_tracked_sources in [1, 1,000,000], max_scan_work_per_request >= 10,000 (a few hundred
// records), scan_work_per_request_token >= 1.
std::string validateRateLimits(const MasterRateLimits& limits);

enum class RateVerdict : uint8_t {
  kAllow = 0,
  kSourceRequests,  // this source IP sent too many requests
  kGlobalRequests,  // all sources together sent too many requests
  kSourceBytes,     // this source IP would receive too many reply bytes
  kGlobalBytes,     // we would send too many reply bytes in total
};

class TokenBucket {
 public:
  TokenBucket() = default;
  // Starts full.
  TokenBucket(double per_sec, double burst, base::TimeUs now)
      : per_sec_(per_sec), burst_(burst), tokens_(burst), last_us_(now) {}
  // Adds what accrued since the last call (time going backwards adds nothing).
  void refill(base::TimeUs now);
  bool has(double n) const { return tokens_ >= n; }
  void take(double n) { tokens_ -= n; }
  double tokens() const { return tokens_; }

 private:
  double per_sec_ = 0;
  double burst_ = 0;
  double tokens_ = 0;
  base::TimeUs last_us_ = 0;
};

class SourceRateLimiter {
 public:
  using Key = std::array<uint8_t, 16>;  // SocketAddress::ip16 of the source (port ignored)

  // `limits` must pass validateRateLimits (MasterServer checks it before constructing one).
  SourceRateLimiter(const MasterRateLimits& limits, base::TimeUs now);

  // One request token from the source and from the global bucket, both or neither.
  RateVerdict admitRequest(const Key& source, base::TimeUs now);
  // `bytes` reply-byte tokens from the source and from the global bucket, both or neither.
  RateVerdict admitReply(const Key& source, size_t bytes, base::TimeUs now);
  // Takes `tokens` more request tokens from the source and the global bucket without checking:
  // the buckets may go into debt, which later requests wait out. Used to charge scan work.
  void chargeRequests(const Key& source, double tokens, base::TimeUs now);

  size_t trackedSources() const { return lru_.size(); }
  uint64_t evictions() const { return evictions_; }

 private:
  struct Source {
    Key key;
    TokenBucket requests;
    TokenBucket bytes;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  Source& lookup(const Key& key, base::TimeUs now);

  MasterRateLimits limits_;
  TokenBucket global_requests_;
  TokenBucket global_bytes_;
  std::list<Source> lru_;  // most recently seen first
  std::unordered_map<Key, std::list<Source>::iterator, KeyHash> by_key_;
  uint64_t evictions_ = 0;
};

}  // namespace outpost::hub
