// MasterResponder: the socket-free core of the master server. Takes one datagram and its source,
// runs the ordered drop checks of docs/spec/master.md §2.3 (size, type, seed, snapshot, filter,
// rate limits), and produces the reply page or a counted drop. MasterServer (master_server.h)
// feeds it from its UDP socket; tests drive it directly with injected time.
//
// Threads: handle() is called by one thread at a time (MasterServer's receive thread).
// publish(), snapshot() and counters() may be called from any thread at any time.
// (Namespace master kept from before the module split; the namespace pass of issue 8 moves it.)
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "base/address.h"
#include "base/clock.h"
#include "base/log.h"
#include "hub/master_rate_limiter.h"
#include "master/index.h"

namespace outpost::hub {

// Every counter MasterServer exposes. Names (counterName) are stable: dashboards use them.
enum class MasterCounter : uint8_t {
  kReceived,              // datagrams handed to handle()
  kReplied,               // replies produced (and, for MasterServer, sent)
  kReplyBytes,            // bytes in those replies
  kServersListed,         // server entries in those replies (terminators not counted)
  kLastPages,             // replies that ended with the 0.0.0.0:0 terminator
  kDropped,               // all drops, the sum of the dropped_* counters below
  kDroppedEmpty,          // zero-length datagram
  kDroppedTooLong,        // longer than 1400 bytes
  kDroppedWrongType,      // first byte not 0x31
  kDroppedNoSeed,         // type and region only
  kDroppedBadSource,      // source port 0 (cannot be answered)
  kDroppedNoSnapshot,     // nothing published yet
  kDroppedFilterTooLong,  // filter limits (filter.h)
  kDroppedFilterTooManyConditions,
  kDroppedFilterTooDeep,
  kDroppedFilterBadGroupCount,
  kDroppedScanLimit,           // the page's work budget ran out before any server matched
  kDroppedRateSourceRequests,  // rate limits (master_rate_limiter.h)
  kDroppedRateGlobalRequests,
  kDroppedRateSourceBytes,
  kDroppedRateGlobalBytes,
  kDroppedSendFailed,        // the kernel refused the reply (MasterServer only)
  kLenientSeedTrailingJunk,  // accepted with a leniency rule (request.h)
  kLenientSeedUnparsed,
  kLenientSeedUnterminated,
  kLenientFilterMissing,
  kLenientFilterUnterminated,
  kSourcesEvicted,  // rate-limit table evictions
  kScanWork,        // master::Filter work units spent building pages (filter.h)
  kPagesCut,        // pages ended early by the work budget (served without terminator)
  kCount
};
const char* counterName(MasterCounter c);

class MasterResponder {
 public:
  // `limits` must pass validateRateLimits(). `now` starts the global buckets (full).
  MasterResponder(const MasterRateLimits& limits, base::TimeUs now);

  // Replaces the snapshot used by later requests. Thread-safe; O(1) (a shared_ptr swap under a
  // mutex); the old snapshot is freed when the last request using it finishes. A null pointer
  // withdraws the list (requests are then dropped as no_snapshot).
  void publish(std::shared_ptr<const master::MasterIndex> index);
  std::shared_ptr<const master::MasterIndex> snapshot() const;

  // Handles one datagram from `from` at `now`. Returns true and fills `reply` (<= 1400 bytes)
  // if a reply must be sent to `from`; returns false if the datagram is dropped (counted by
  // reason). One thread at a time.
  [[nodiscard]] bool handle(std::span<const uint8_t> datagram, const base::SocketAddress& from, base::TimeUs now,
                            std::vector<uint8_t>& reply);

  // For MasterServer: a reply handle() produced could not be sent (moves it from replied to
  // dropped_send_failed).
  void countSendFailure(size_t bytes);

  // Every counter by name (see Counter), plus the gauges "sources_tracked" and
  // "servers_published" (the servers in the list requests are answered from). Thread-safe.
  std::map<std::string, uint64_t> counters() const;
  uint64_t counter(MasterCounter c) const { return counters_[static_cast<size_t>(c)].load(); }

 private:
  void bump(MasterCounter c, uint64_t n = 1) {
    counters_[static_cast<size_t>(c)].fetch_add(n, std::memory_order_relaxed);
  }
  bool drop(MasterCounter reason, const base::SocketAddress& from);

  mutable std::mutex snapshot_mu_;
  std::shared_ptr<const master::MasterIndex> snapshot_;
  MasterRateLimits limits_;
  SourceRateLimiter limiter_;  // receive thread only
  std::array<std::atomic<uint64_t>, static_cast<size_t>(MasterCounter::kCount)> counters_{};
  std::atomic<uint64_t> sources_tracked_{0};
  base::LogLimiter log_limiter_{5};
};

}  // namespace outpost::hub
