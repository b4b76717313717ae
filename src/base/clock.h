// Time for everything in Outpost: microseconds on a monotonic clock. Injectable so tests can
// drive timeouts and expiry deterministically; the default reads CLOCK_MONOTONIC.
#pragma once

#include <cstdint>

namespace outpost {

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

}  // namespace outpost
