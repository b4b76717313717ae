// The example game's rules (target_range.h): target movement and shot judging. Called from the
// dedicated server's main loop only.
#include "target_range.h"

#include <cstdlib>

namespace example {

int ringDistance(int a, int b) {
  int d = std::abs(a - b) % kRingSize;
  return d > kRingSize / 2 ? kRingSize - d : d;
}

TargetRange::TargetRange(uint32_t seed) : rng_(seed) { target_ = static_cast<uint8_t>(rng_() % kRingSize); }

void TargetRange::tick() {
  ++tick_;
  if (rng_() % 10 == 0) {
    int v = static_cast<int>(rng_() % 7) - 3;  // -3..3
    velocity_ = static_cast<int8_t>(v == 0 ? 1 : v);
  }
  target_ = static_cast<uint8_t>((target_ + velocity_ + kRingSize) % kRingSize);
}

ShotVerdict TargetRange::judge(uint8_t aim) const {
  ShotVerdict v;
  v.distance = ringDistance(aim, target_);
  v.hit = v.distance <= kHitRadius;
  v.points = !v.hit ? 0 : v.distance == 0 ? 3 : 1;
  return v;
}

}  // namespace example
