// SystemClock: CLOCK_MONOTONIC in microseconds, plus a constant 30-day offset. SystemUnixClock:
// CLOCK_REALTIME in seconds.
#include "base/clock.h"

#include <ctime>

namespace outpost::base {

namespace {
constexpr TimeUs kOffsetUs = TimeUs{30} * 24 * 3600 * 1000000;
}

TimeUs SystemClock::nowUs() const {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return kOffsetUs + TimeUs{ts.tv_sec} * 1000000 + ts.tv_nsec / 1000;
}

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

int64_t SystemUnixClock::nowUnixS() const { return static_cast<int64_t>(std::time(nullptr)); }

const SystemUnixClock& SystemUnixClock::instance() {
  static const SystemUnixClock clock;
  return clock;
}

}  // namespace outpost::base
