// HubClock: the one clock the hub reads. Two faces of the same time: wall-clock Unix seconds
// (UnixClock: what is signed, stored or compared across machines and restarts — tickets, token
// use, bans, gameplay statistics, store pruning) and monotonic microseconds (Clock: rates and
// intervals — password backoff, the master snapshot interval, the master port's rate limits).
// The daemon uses SystemHubClock; tests inject a ManualHubClock (HubConfig::clock) and move both
// faces together, so every timed decision of the hub is driven without waiting.
#pragma once

#include <atomic>
#include <cstdint>

#include "base/clock.h"

namespace outpost::hub {

class HubClock : public base::UnixClock, public base::Clock {
 public:
  // Monotonic milliseconds (the unit of LogonLimits and the check queue).
  int64_t nowSteadyMs() const { return nowUs() / 1000; }
};

// CLOCK_REALTIME and CLOCK_MONOTONIC (SystemUnixClock and SystemClock).
class SystemHubClock final : public HubClock {
 public:
  int64_t nowUnixS() const override { return base::SystemUnixClock::instance().nowUnixS(); }
  base::TimeUs nowUs() const override { return base::SystemClock::instance().nowUs(); }
  static const SystemHubClock& instance();
};

// A clock that moves only when told to (tests). Thread-safe: a test thread may advance it while
// the hub's thread (or the master port's) reads it.
class ManualHubClock final : public HubClock {
 public:
  explicit ManualHubClock(int64_t start_unix_s, base::TimeUs start_steady_us = base::TimeUs{1} << 40)
      : unix_s_(start_unix_s), steady_us_(start_steady_us) {}
  int64_t nowUnixS() const override { return unix_s_.load(std::memory_order_relaxed); }
  base::TimeUs nowUs() const override { return steady_us_.load(std::memory_order_relaxed); }
  // Both faces move: `seconds` of wall time, the same on the monotonic clock.
  void advance(int64_t seconds) {
    unix_s_.fetch_add(seconds, std::memory_order_relaxed);
    steady_us_.fetch_add(seconds * 1000000, std::memory_order_relaxed);
  }
  // Less than a second: the monotonic face moves, the wall face when a whole second is crossed.
  void advanceMs(int64_t ms) {
    base::TimeUs before = steady_us_.fetch_add(ms * 1000, std::memory_order_relaxed);
    unix_s_.fetch_add((before + ms * 1000) / 1000000 - before / 1000000, std::memory_order_relaxed);
  }

 private:
  std::atomic<int64_t> unix_s_;
  std::atomic<base::TimeUs> steady_us_;
};

}  // namespace outpost::hub
