// StunLimiter (see limiter.h).
#include "stun/limiter.h"

#include <algorithm>

namespace outpost::stun {

bool StunLimiter::take(Bucket& b, double rate, double need, base::TimeUs now) {
  if (!b.used) {
    b.used = true;
    b.tokens = rate;  // a burst of one second's worth
    b.refilled = now;
  }
  double elapsed_s = static_cast<double>(std::max<base::TimeUs>(0, now - b.refilled)) / 1e6;
  b.tokens = std::min(rate, b.tokens + elapsed_s * rate);
  b.refilled = now;
  if (b.tokens < need) return false;
  b.tokens -= need;
  return true;
}

bool StunLimiter::allow(const base::SocketAddress& from, size_t request_bytes, size_t answer_bytes, base::TimeUs now) {
  if (answer_bytes <= request_bytes) return true;
  double excess = static_cast<double>(answer_bytes - request_bytes);
  uint8_t ip[16];
  from.ip16(ip);
  // /24 of an IPv4 address (bytes 12-14 of its mapped form), /56 of an IPv6 one (bytes 0-6).
  uint64_t h = 1469598103934665603ULL;
  size_t first = from.isV6() ? 0 : 12, count = from.isV6() ? 7 : 3;
  for (size_t i = first; i < first + count; ++i) h = (h ^ ip[i]) * 1099511628211ULL;
  h ^= from.isV6() ? 0x6 : 0x4;
  Bucket& slot = slots_[h % kSlots];
  // Check both before taking from either, so a refused answer costs nothing.
  Bucket slot_copy = slot, total_copy = total_;
  if (!take(slot_copy, kPerPrefixBytesPerSecond, excess, now) || !take(total_copy, kTotalBytesPerSecond, excess, now))
    return false;
  slot = slot_copy;
  total_ = total_copy;
  return true;
}

}  // namespace outpost::stun
