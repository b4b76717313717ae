// Time for everything in Outpost: microseconds on a monotonic clock. Injectable so tests can
// drive timeouts and expiry deterministically; the default reads CLOCK_MONOTONIC.
#pragma once

#include <atomic>
#include <cstdint>

namespace outpost::base {

using TimeUs = int64_t;
inline constexpr TimeUs kNever = INT64_MAX;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeUs nowUs() const = 0;
};

// CLOCK_MONOTONIC, offset so that values start above 30 days like the reference's
// getLocalTimestamp (a zero timestamp is then never a valid time).
class SystemClock final : public Clock {
 public:
  TimeUs nowUs() const override;
  static const SystemClock& instance();
};

// A clock that moves only when told to (tests).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeUs start = TimeUs{1} << 40) : now_(start) {}
  TimeUs nowUs() const override { return now_; }
  void advance(TimeUs us) { now_ += us; }

 private:
  TimeUs now_;
};

// Wall-clock time in Unix seconds, for what is signed, stored or compared across machines and
// restarts: ticket issue and expiry, token use, bans, gameplay statistics, store pruning. The hub
// takes one (HubConfig::clock) so its handlers can be driven in tests; the default reads
// CLOCK_REALTIME.
class UnixClock {
 public:
  virtual ~UnixClock() = default;
  virtual int64_t nowUnixS() const = 0;
};

class SystemUnixClock final : public UnixClock {
 public:
  int64_t nowUnixS() const override;
  static const SystemUnixClock& instance();
};

// A wall clock that moves only when told to (tests). Thread-safe: a test thread may advance it
// while the hub's thread reads it.
class ManualUnixClock final : public UnixClock {
 public:
  explicit ManualUnixClock(int64_t start_unix_s) : now_(start_unix_s) {}
  int64_t nowUnixS() const override { return now_.load(std::memory_order_relaxed); }
  void advance(int64_t seconds) { now_.fetch_add(seconds, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace outpost::base
