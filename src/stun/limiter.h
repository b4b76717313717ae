// StunLimiter: the amplification bound of the hub's STUN answers (docs/spec/signaling.md §3.4,
// docs/decisions/008): token buckets in bytes of *excess* (answer minus request), one per source
// prefix (/24 for IPv4, /56 for IPv6) in a fixed table of 4,096 slots (prefixes that hash to one
// slot share it: never more permissive than one bucket each), and one for all sources. Answers no
// larger than their request are never limited. Not thread-safe (the engine's lock guards it).
#pragma once

#include <array>
#include <cstdint>

#include "base/address.h"
#include "base/clock.h"

namespace outpost::stun {

class StunLimiter {
 public:
  static constexpr size_t kSlots = 4096;
  static constexpr double kPerPrefixBytesPerSecond = 2048;
  static constexpr double kTotalBytesPerSecond = 1048576;

  // True if an answer of `answer_bytes` to a request of `request_bytes` from `from` may go now
  // (and takes its excess from the buckets).
  bool allow(const base::SocketAddress& from, size_t request_bytes, size_t answer_bytes, base::TimeUs now);

 private:
  struct Bucket {
    double tokens = 0;
    base::TimeUs refilled = 0;
    bool used = false;
  };
  static bool take(Bucket& b, double rate, double need, base::TimeUs now);
  std::array<Bucket, kSlots> slots_{};
  Bucket total_{};
};

}  // namespace outpost::stun
